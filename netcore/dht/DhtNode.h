#pragma once

#include "dht/Krpc.h"
#include "dht/RoutingTable.h"

#include "clock/Scheduler.h"
#include "clock/Timer.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QRandomGenerator>

#include <functional>
#include <map>
#include <memory>

namespace swarmscope {

class DatagramSocket;

// A BEP 5 DHT node on one datagram socket of a Network (real UDP, or the simulated network in simulated
// time). It answers ping, find_node, get_peers and announce_peer; keeps a bounded routing table, a bounded
// store of announced peers, and rotating tokens bound to the requester's address; and runs iterative
// get_peers lookups (alpha = 3 queries in flight, bounded in queries and candidates) that end by announcing
// to the closest nodes that gave a token. It contacts only the bootstrap nodes it is given and the nodes they
// lead to, and only addresses that mayContact() allows: by default loopback and private ranges, never the
// public internet. Everything it holds is bounded; see the constants.
class DhtNode {
public:
    static constexpr int kAlpha = 3;
    static constexpr int kK = RoutingTable::kBucketSize;
    static constexpr int kMaxPendingQueries = 256;
    static constexpr int kMaxLookups = 32;
    static constexpr int kMaxLookupCandidates = 32;
    static constexpr int kMaxLookupQueries = 64;
    static constexpr int kMaxLookupPeers = 200;
    static constexpr qint64 kQueryTimeoutMs = 2000;
    static constexpr int kMaxStoredInfoHashes = 256;
    static constexpr int kMaxPeersPerInfoHash = 100;
    static constexpr qint64 kPeerTtlMs = 30 * 60 * 1000;
    static constexpr qint64 kTokenRotateMs = 5 * 60 * 1000; // a token lives 5 to 10 minutes
    static constexpr int kMaxValuesPerReply = 50;
    static constexpr qint64 kMaintenanceMs = 5000;

    struct Config {
        QByteArray nodeId; // 20 bytes; empty: random
        quint32 seed = 0;  // for the node id, tokens and transaction ids; 0: random
        QList<DhtEndpoint> bootstrap;
        // Addresses the node may send to; null: loopback and private IPv4 ranges only.
        std::function<bool(const QHostAddress&)> mayContact;
    };

    struct Stats {
        int routingTableSize = 0;
        int buckets = 0;
        int lookupsDone = 0;
        int lookupsInFlight = 0;
        qint64 peersFound = 0; // distinct peers handed to lookup callbacks
        int pendingQueries = 0;
        int storedInfoHashes = 0;
        int storedPeers = 0;
        qint64 datagramsIn = 0;
        qint64 datagramsRefused = 0; // not KRPC, or not within bounds
        qint64 errorsSent = 0;
        qint64 queriesSent = 0;
        qint64 announcesSent = 0;
    };

    using PeersCallback = std::function<void(const QList<DhtEndpoint>& peers)>;
    using DoneCallback = std::function<void()>;

    DhtNode(Scheduler& scheduler, std::unique_ptr<DatagramSocket> socket, Config config);
    ~DhtNode();
    DhtNode(const DhtNode&) = delete;
    DhtNode& operator=(const DhtNode&) = delete;

    // Pings the bootstrap nodes and looks up our own id to fill the table.
    void start();
    // A node to ping (a peer's PORT message, a bootstrap address given later).
    void addNode(const DhtEndpoint& endpoint);
    // An iterative get_peers for infoHash: found peers go to onPeers as they come, onDone follows the end;
    // with announcePort, announce_peer goes to the closest nodes that gave a token. 0 when too many lookups
    // are running already; otherwise an id for cancel().
    quint64 lookup(const QByteArray& infoHash, quint16 announcePort, PeersCallback onPeers,
                   DoneCallback onDone = {});
    // Forgets a lookup's callbacks (its queries still land, unused).
    void cancel(quint64 lookupId);

    // One datagram from from:fromPort (the socket calls this; tests call it directly).
    void receive(const QByteArray& data, const QHostAddress& from, quint16 fromPort);

    const QByteArray& id() const { return m_id; }
    Scheduler& scheduler() const { return m_scheduler; }
    quint16 port() const;
    QHostAddress address() const;
    const RoutingTable& table() const { return m_table; }
    Stats stats() const;
    QList<DhtEndpoint> storedPeers(const QByteArray& infoHash) const;
    // The token this node hands to address now (tests).
    QByteArray tokenFor(const QHostAddress& address) const;

private:
    struct Candidate {
        QByteArray id;
        DhtEndpoint endpoint;
        enum class State { Fresh, Asked, Answered, Failed } state = State::Fresh;
        QByteArray token;
    };
    struct Lookup {
        QByteArray target;
        quint16 announcePort = 0;
        bool getPeers = true;
        QList<Candidate> candidates; // closest first
        int inFlight = 0;
        int queries = 0;
        QList<DhtEndpoint> peers;
        PeersCallback onPeers;
        DoneCallback onDone;
    };
    struct Pending {
        DhtEndpoint endpoint;
        KrpcMethod method = KrpcMethod::Ping;
        quint64 lookupId = 0;
        Scheduler::Id timer = 0;
    };
    struct StoredPeer {
        DhtEndpoint endpoint;
        qint64 expiresMs = 0;
    };

    bool mayContact(const QHostAddress& address) const;
    bool sendQuery(const DhtEndpoint& to, KrpcMessage query, quint64 lookupId);
    void sendRaw(const QByteArray& data, const DhtEndpoint& to);
    void answerQuery(const KrpcMessage& query, const DhtEndpoint& from);
    void onResponse(const KrpcMessage& response, const DhtEndpoint& from);
    void onTimeout(quint16 tid);
    void settle(quint64 lookupId, const DhtEndpoint& endpoint, Candidate::State state,
                const KrpcMessage* response);
    void addCandidates(Lookup& lookup, const QList<CompactNode>& nodes);
    void step(quint64 lookupId);
    void finish(quint64 lookupId);
    void maintain();
    // False when the store holds as many info-hashes as it may, or the peer is unusable.
    bool storePeer(const QByteArray& infoHash, const DhtEndpoint& peer);
    QByteArray makeToken(const QByteArray& secret, const QHostAddress& address) const;
    quint64 startLookup(const QByteArray& target, bool getPeers, quint16 announcePort, PeersCallback onPeers,
                        DoneCallback onDone);

    Scheduler& m_scheduler;
    std::unique_ptr<DatagramSocket> m_socket;
    Config m_config;
    QRandomGenerator m_random;
    QByteArray m_id;
    RoutingTable m_table;
    QHash<quint16, Pending> m_pending;
    quint16 m_nextTid = 0;
    std::map<quint64, Lookup> m_lookups;
    quint64 m_lastLookupId = 0;
    QHash<QByteArray, QList<StoredPeer>> m_store;
    QByteArray m_secret;
    QByteArray m_previousSecret;
    qint64 m_secretSinceMs = 0;
    Timer m_maintenance;
    Stats m_stats;
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace swarmscope
