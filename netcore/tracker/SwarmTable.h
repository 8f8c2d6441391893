#pragma once

#include "tracker/AnnounceRequest.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/ScrapeResponse.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QSet>

#include <random>

namespace swarmscope {

struct SwarmTableLimits {
    int maxTorrents = 100'000;
    int maxPeersPerTorrent = 10'000;
    qint64 maxPeersTotal = 500'000;
};

// What the tracker remembers of one peer of one torrent.
struct SwarmPeer {
    QByteArray peerId;
    QHostAddress address;
    quint16 port = 0;
    qint64 uploaded = 0;
    qint64 downloaded = 0;
    qint64 left = 0;
    qint64 lastSeenMs = 0;
    bool completedCounted = false; // a repeated "completed" must not count twice

    bool isSeeder() const { return left == 0; }
};

struct ExpiredPeer {
    QByteArray infoHash;
    SwarmPeer peer;
};

enum class SwarmUpdate {
    Added,           // a peer the tracker did not know
    Updated,         // a known peer announced again
    Removed,         // "stopped" removed a known peer
    Ignored,         // "stopped" from a peer the tracker did not know
    SwarmFull,       // a new peer was not registered: the torrent or the tracker holds its peer limit
    TooManyTorrents, // a new torrent was refused: the tracker holds its torrent limit
};

struct SwarmAnnounceOutcome {
    SwarmUpdate update = SwarmUpdate::Ignored;
    bool countedCompletion = false;
    QList<TrackerPeer> peers;   // never the announcing peer; only leechers when the announcer is a seeder
    ScrapeCounts counts;        // after this announce
    QList<ExpiredPeer> expired; // peers of this torrent that timed out and were dropped on the way
};

// Every torrent's peers, keyed by (info_hash, peer_id) so that any number of peers may share one address,
// as they do in a lab on 127.0.0.1. Time is passed in; peers not seen for peerTimeoutMs are dropped.
// Memory is bounded by the limits: a full torrent or a full tracker refuses new entries instead of growing.
class SwarmTable {
public:
    explicit SwarmTable(const SwarmTableLimits& limits = {}, quint32 seed = 0);

    void setPeerTimeoutMs(qint64 timeoutMs);
    qint64 peerTimeoutMs() const { return m_peerTimeoutMs; }

    // Records the announce of a peer at address and picks up to numwant other peers at random.
    SwarmAnnounceOutcome announce(const AnnounceRequest& request, const QHostAddress& address, int numwant,
                                  qint64 nowMs);

    // Drops the timed-out peers of one torrent, or of all torrents.
    QList<ExpiredPeer> expireTorrent(const QByteArray& infoHash, qint64 nowMs);
    QList<ExpiredPeer> expireAll(qint64 nowMs);

    bool contains(const QByteArray& infoHash) const { return m_swarms.contains(infoHash); }
    ScrapeCounts counts(const QByteArray& infoHash) const; // zeros for an unknown torrent
    QList<QByteArray> infoHashes(int max) const;
    QList<SwarmPeer> peers(const QByteArray& infoHash) const;
    int torrentCount() const { return int(m_swarms.size()); }
    qint64 peerCount() const { return m_peerCount; }

private:
    struct Swarm {
        QList<SwarmPeer> peers;
        QHash<QByteArray, qsizetype> index; // peer_id -> position in peers
        qint64 seeders = 0;
        qint64 downloaded = 0;
        qint64 nextExpiryMs = 0; // no peer can have timed out before this
    };

    Swarm* swarmForAnnounce(const QByteArray& infoHash, SwarmAnnounceOutcome& outcome);
    void removeAt(Swarm& swarm, qsizetype position);
    void expireSwarm(const QByteArray& infoHash, Swarm& swarm, qint64 nowMs, QList<ExpiredPeer>& out);
    void noteEmptiness(const QByteArray& infoHash, const Swarm& swarm);
    QList<TrackerPeer> pickPeers(const Swarm& swarm, const QByteArray& exclude, bool leechersOnly,
                                 int numwant);

    SwarmTableLimits m_limits;
    qint64 m_peerTimeoutMs = 2 * 1800 * 1000;
    QHash<QByteArray, Swarm> m_swarms;
    QSet<QByteArray> m_emptySwarms; // kept for their downloaded count, evicted first when the table is full
    qint64 m_peerCount = 0;
    std::mt19937 m_random;
};

} // namespace swarmscope
