#pragma once

#include "clock/Timer.h"
#include "tracker/AnnounceRequest.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/ScrapeResponse.h"
#include "tracker/TrackerClock.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>
#include <random>

class QUdpSocket;

namespace swarmscope {

class Network;

// The parts of a udp:// tracker URL: host and port (required). A path such as "/announce" is ignored, as
// BEP 15 trackers do (BEP 41 would carry it; this client does not send it).
struct UdpTrackerUrl {
    QString host; // a name or an address, without IPv6 brackets
    quint16 port = 0;
};

// Parses "udp://host:port[/path][?query]"; anything else is refused with a reason in *error.
std::optional<UdpTrackerUrl> parseUdpTrackerUrl(const QString& url, QString* error = nullptr);
bool isUdpTrackerUrl(const QString& url); // has the udp:// scheme (in any case)

struct UdpTrackerResult {
    bool ok = false;
    QString error;              // when not ok, e.g. "tracker did not answer within 15000 ms"
    AnnounceResponse announce;  // an announce's interval, seeders (complete), leechers (incomplete), peers
    QList<ScrapeCounts> scrape; // a scrape's counts, in request order
};

// One BEP 15 exchange at a time with a UDP tracker: resolve the host, connect (unless a connection id for
// that tracker is younger than a minute), then announce or scrape. A request is retransmitted after
// 15 x 2^n seconds as BEP 15 says, but the base shrinks to a quarter of the timeout when that is shorter,
// and the whole exchange gives up at the timeout. A response counts only from the tracker's address and
// port, with the transaction id sent; anything else is ignored. An error packet ends the exchange with its
// message and forgets the connection id.
//
// It uses the host's UDP directly: on a simulated network (anything but TcpNetwork) every exchange fails
// with a reason and no socket is opened. Time for the connection-id cache comes from the clock; timers run
// on the network's scheduler.
class UdpTrackerClient : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const UdpTrackerResult&)>;

    static constexpr qint64 kConnectionIdLifetimeMs = 60'000;
    static constexpr qint64 kRetransmitBaseMs = 15'000;

    UdpTrackerClient(Network& network, TrackerClock clock, quint32 seed = 0, QObject* parent = nullptr);
    ~UdpTrackerClient() override;

    // Starts an announce; a running exchange is aborted first. numwant: -1 for the tracker's default.
    // done runs once, later (never from inside this call).
    void announce(const QString& url, const AnnounceRequest& request, quint32 key, int timeoutMs,
                  Callback done);
    void scrape(const QString& url, const QList<QByteArray>& infoHashes, int timeoutMs, Callback done);
    // Drops the exchange in flight without calling its callback.
    void abort();
    bool isBusy() const { return m_phase != Phase::Idle; }
    // Requests and connects sent so far, retransmissions included; for tests.
    int datagramsSent() const { return m_sent; }
    void forgetConnectionIds() { m_connectionIds.clear(); }

private:
    enum class Phase { Idle, Resolving, Connecting, Requesting };
    enum class Kind { Announce, Scrape };
    struct CachedId {
        quint64 id = 0;
        qint64 receivedMs = 0;
    };

    qint64 now() const { return m_clock(); }
    void begin(const QString& url, Kind kind, int timeoutMs, Callback done);
    void resolved(const QList<QHostAddress>& addresses);
    void sendConnect();
    void sendRequest();
    void transmit(const QByteArray& packet);
    void retransmit();
    void readDatagrams();
    void handle(const QByteArray& packet);
    void finish(UdpTrackerResult result);
    void fail(const QString& error);
    QString endpointKey() const;

    Network& m_network;
    TrackerClock m_clock;
    std::mt19937 m_random;
    QUdpSocket* m_socket = nullptr;
    Timer m_retransmitTimer;
    Timer m_deadlineTimer;
    int m_lookupId = -1;
    QHash<QString, CachedId> m_connectionIds; // "address:port" -> the last id that tracker gave

    Phase m_phase = Phase::Idle;
    Kind m_kind = Kind::Announce;
    Callback m_done;
    QString m_url;
    UdpTrackerUrl m_target;
    QHostAddress m_address;
    int m_timeoutMs = 0;
    int m_attempt = 0;
    int m_sent = 0;
    quint32 m_transactionId = 0;
    QByteArray m_lastPacket; // what a retransmission sends again
    quint64 m_connectionId = 0;
    qint64 m_connectionIdMs = 0;
    AnnounceRequest m_announce;
    quint32 m_key = 0;
    QList<QByteArray> m_infoHashes;
    quint64 m_generation = 0; // tells a stale callback from the exchange in flight
};

} // namespace swarmscope
