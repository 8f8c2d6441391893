#pragma once

#include "clock/Timer.h"
#include "tracker/AnnounceRequest.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/TrackerClock.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <random>

namespace swarmscope {

class HttpClient;
class Network;
class TcpNode;
class UdpTrackerClient;
struct HttpClientResponse;
struct UdpTrackerResult;

struct TrackerTransferStats {
    qint64 uploaded = 0;
    qint64 downloaded = 0;
    qint64 left = 0;
};

struct TrackerClientConfig {
    QList<QStringList> tiers; // BEP 12 announce-list tiers; a single tracker is one tier of one URL
    QByteArray infoHash;      // 20 raw bytes
    QByteArray peerId;        // 20 raw bytes
    quint16 port = 0;         // the peer's listen port
    int numwant = 50;
    QByteArray ip; // optional ip parameter; empty: the tracker uses the connection's address
    int requestTimeoutMs = 15'000;
    int stopTimeoutMs = 3'000;   // "stopped" gets this long, so that shutting down never hangs
    qint64 retryBaseMs = 5'000;  // after every tracker failed: 5 s, 10 s, 20 s, ...
    qint64 retryMaxMs = 300'000; // ... capped at 5 minutes
    int minAnnounceSeconds = 1;  // a floor under whatever interval a tracker asks for
    bool shuffleTiers = true;    // BEP 12 shuffles each tier once, to spread load across its trackers
    qsizetype maxResponseBytes = 1024 * 1024;
    // Where announces go and whose scheduler times them; not owned, must outlive the client. Null: the host's
    // TCP in real time.
    Network* network = nullptr;
    TrackerClock clock;     // empty: the network's scheduler
    quint32 randomSeed = 0; // 0: random (tier shuffle and the announce key)
};

// Announces one torrent of one client to its trackers over HTTP, or BEP 15 for udp:// URLs (on the host's
// network only; on a simulated one a udp:// tracker fails with a reason like any unreachable tracker):
// "started" on start(), then every interval (never
// sooner than the tracker's min interval), "completed" when told, "stopped" on stop(). When every tracker
// fails it retries with exponential backoff. Trackers are tried in BEP 12 order: within a tier in turn,
// and the first that answers moves to the front of its tier.
//
// Time comes from the configured clock. A timer on the network's scheduler calls tick() when the next
// announce is due; a test with an injected clock advances the clock and calls tick() itself.
//
// Before destroying a running client, call stop() and wait for stopped(): a destructor cannot wait for
// the network.
class TrackerClient : public QObject {
    Q_OBJECT
public:
    using StatsProvider = std::function<TrackerTransferStats()>;

    explicit TrackerClient(const TrackerClientConfig& config, QObject* parent = nullptr);
    ~TrackerClient() override;

    // Called before each announce for the current uploaded/downloaded/left.
    void setStatsProvider(StatsProvider provider) { m_stats = std::move(provider); }
    void setNumwant(int numwant) { m_config.numwant = numwant; }

    void start();
    // The download finished: announce "completed" now (once).
    void complete();
    // Announce "stopped" to the tracker in use (bounded by stopTimeoutMs), then emit stopped().
    void stop();
    // Ask for peers early; deferred until the tracker's min interval has passed since the last announce.
    void announceNow();
    // Announces if one is due by the clock. The client's timer calls this.
    void tick();

    bool isRunning() const { return m_state == State::Running; }
    // A "completed" event that has not reached a tracker yet.
    bool hasPendingCompleted() const { return m_completedPending; }
    // Sends a pending "completed" now, when nothing else is in flight; callers about to stop use it so that
    // the tracker counts the download before it hears "stopped".
    void flushCompleted();
    bool isBusy() const;
    qint64 nextAnnounceAtMs() const { return m_nextAnnounceMs; } // on the configured clock
    int consecutiveFailures() const { return m_failures; }
    QString currentUrl() const; // the tracker the next announce goes to
    QList<QStringList> tiers() const { return m_tiers; }
    std::optional<AnnounceResponse> lastResponse() const { return m_lastResponse; }

    // The wait after the n-th consecutive round in which every tracker failed (n >= 1).
    static qint64 retryDelayMs(int failures, qint64 baseMs, qint64 maxMs);

signals:
    void peersReceived(const QList<swarmscope::TrackerPeer>& peers);
    void announced(const QString& url, const swarmscope::AnnounceResponse& response);
    void announceFailed(const QString& url, const QString& reason);
    void warning(const QString& url, const QString& message);
    void stopped();

private:
    enum class State { Idle, Running, Stopping, Stopped };

    qint64 now() const { return m_config.clock(); }
    int trackerCount() const;
    AnnounceEvent eventFor(const QString& url) const;
    void send(const QString& url, AnnounceEvent event);
    void onFinished(const HttpClientResponse& response);
    void onUdpFinished(const UdpTrackerResult& result);
    void onSuccess(const QString& url, AnnounceEvent event, const AnnounceResponse& response);
    void onFailure(const QString& url, const QString& reason);
    void armTimer();
    void finishStop();

    std::unique_ptr<TcpNode> m_ownNetwork; // when the config gives none
    TrackerClientConfig m_config;
    QList<QStringList> m_tiers;
    int m_tier = 0; // cursor: the tracker the next announce goes to
    int m_index = 0;
    State m_state = State::Idle;
    StatsProvider m_stats;
    HttpClient* m_http;
    UdpTrackerClient* m_udp;
    quint32 m_udpKey = 0;
    Timer m_timer;
    std::mt19937 m_random;
    QByteArray m_key;
    QSet<QString> m_startedSent; // trackers that acknowledged "started"
    QHash<QString, QByteArray> m_trackerIds;
    bool m_completedPending = false;
    int m_failures = 0;
    qint64 m_nextAnnounceMs = 0;
    qint64 m_lastSuccessMs = -1;
    qint64 m_minIntervalMs = 0;
    QString m_inFlightUrl;
    AnnounceEvent m_inFlightEvent = AnnounceEvent::None;
    std::optional<AnnounceResponse> m_lastResponse;
};

} // namespace swarmscope
