#pragma once

#include "clock/Timer.h"
#include "peer/ClientConfig.h"
#include "swarm/LabPeer.h"
#include "swarm/LabPeerSpec.h"
#include "swarm/WorkerEnvironment.h"
#include "swarm/WorkerReport.h"
#include "tracker/TrackerServerConfig.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QThreadPool;

namespace swarmscope {

class LabPeerIdentity;
class TrackerServer;

// The clients of one worker thread. It owns their LabPeers and the environment they run on (scheduler and
// network), runs the lab's commands on them, and answers collect() with a WorkerReport, so the lab's thread
// never touches a client.
//
// Made in the lab's thread and moved to its worker thread before that starts; from then on every call
// comes through QMetaObject::invokeMethod (in order), and it is deleted in that thread when the thread
// finishes. The environment is made by the first call, init(), in the worker's thread.
class SwarmWorker : public QObject, private LabPeerObserver {
    Q_OBJECT
public:
    static constexpr int kAllPeers = 0; // as a peer id: every peer of this worker

    struct Settings {
        int index = 0;
        // Makes the environment; called once, in the worker's thread.
        std::function<std::unique_ptr<WorkerEnvironment>()> makeEnvironment;
        const LabPeerIdentity* identity = nullptr;
        QThreadPool* hashPool = nullptr;
        ClientConfig clientTemplate;
        bool withConnections = true;
        int maxEventsPerReport = 10000;
        std::shared_ptr<LabDhtDirectory> dhtDirectory; // a trackerless lab's
        // Counts the announces the lab's tracker accepts, when it runs here.
        std::shared_ptr<std::atomic<qint64>> trackerAnnounces;
    };

    explicit SwarmWorker(const Settings& settings);
    ~SwarmWorker() override;

    int index() const { return m_settings.index; }
    void init();
    WorkerEnvironment* environment() const { return m_env.get(); }

    // Runs the lab's tracker in this thread, on the environment's tracker network; trackerStarted() answers.
    void startTracker(TrackerServerConfig config, quint16 port);
    // The tracker dies at lab time atMs (at once when that is past): it stops listening and answers no one;
    // peers keep what it told them. Exact in simulated time.
    void stopTrackerAt(qint64 atMs);

    // Peers added before the tracker is up wait for its URL.
    void setAnnounceUrl(const QString& url);
    void addPeer(const LabPeerSpec& spec);
    // Runs f on the peer with this id, or on every peer for kAllPeers; unknown ids are ignored (the peer was
    // removed in the meantime).
    void applyToPeers(int id, const std::function<void(LabPeer&)>& f);
    // The same at lab time atMs, on this worker's clock (at once when that is past): exact in simulated time.
    // Returns the lab time it applies at (now, or later).
    qint64 applyToPeersAt(qint64 atMs, int id, const std::function<void(LabPeer&)>& f);
    // Graceful: the peer announces "stopped", then it is deleted (and its data with it when asked);
    // peerRemoved() follows.
    void removePeer(int id, bool deleteData);

    void setWithConnections(bool withConnections) { m_settings.withConnections = withConnections; }
    // Bit (1 << int(PeerEventKind)) set: events of that kind are forwarded.
    void setEventMask(quint32 mask);
    // Every intervalMs of lab time, on the lab-time grid (0 = off), sampled() carries every peer then.
    void setSampleInterval(qint64 intervalMs);
    // When every leecher of this worker has completed, the clock stops there (where it can be stopped).
    void setHoldClockWhenDone(bool hold);
    // After each sample the clock waits (where it can) until continueAfterSample(): whoever reads the
    // samples acts at exactly the sampled instant, whatever the threads do.
    void setHoldAfterSamples(bool hold);
    void continueAfterSample();

    // The clock, where the environment can control it (simulated time).
    void setClockPaused(bool paused);
    void setClockSpeed(double speed);
    void stepClock(qint64 ms);
    // Pauses the clock when lab time reaches ms (0: no limit).
    void setClockLimit(qint64 ms);

    // Emits reported() with every peer now and the events gathered since the previous report.
    void collect();
    // Emits sampled() with every peer now, outside the sampling grid (the last state of a run).
    void sampleNow();
    // Stops every peer gracefully; shutDown() follows once all have told their trackers.
    void shutdown();

signals:
    void reported(const swarmscope::WorkerReport& report);
    void sampled(const swarmscope::WorkerReport& report);
    void peerCompleted(int peer, qint64 labMs);
    // A peer added for now joins at another instant than the lab thought (the clock ran meanwhile).
    void peerJoinTime(int peer, qint64 labMs);
    void peerFailed(int peer, const QString& error);
    void peerRemoved(int peer);
    void shutDown(int worker);
    void trackerStarted(bool ok, const QString& url, const QString& error);
    // The clock ran, stopped, or changed speed (simulated time): where it is and how fast it goes.
    void clockChanged(qint64 labMs, bool paused, double speed, double achievedSpeed);

private:
    void labPeerEvent(const LabPeer& peer, const PeerEvent& event) override;
    void labPeerCompleted(const LabPeer& peer, qint64 labMs) override;
    void labPeerFailed(const LabPeer& peer, const QString& error) override;
    void labPeerStopped(LabPeer& peer) override;
    void checkShutDown();
    WorkerReport makeReport(bool withEvents);
    void emitSample(qint64 sampleMs);
    void reportClock();
    void addPeerNow(const LabPeerSpec& spec);
    void labPeerLeaving(LabPeer& peer) override;
    // Reasons the clock is held; it runs when there is none.
    enum Hold : unsigned { HeldByUser = 1, HeldWhenDone = 2, HeldForSample = 4 };
    void setHold(Hold hold, bool on);
    // Brings a clock the user paused to the start of the next whole millisecond (see the .cpp).
    void settleClock();
    bool isSettled() const;
    void markSettled(); // the clock stands at the start of its instant now
    // Runs f at lab time atMs, unless this worker is gone by then.
    void callAtLab(qint64 atMs, std::function<void()> f);

    Settings m_settings;
    std::unique_ptr<WorkerEnvironment> m_env;
    TrackerServer* m_tracker = nullptr;
    std::optional<Timer> m_sampleTimer;
    qint64 m_sampleIntervalMs = 0;
    QString m_announceUrl;
    QMap<int, LabPeer*> m_peers; // ascending id, so reports come out sorted
    QMap<int, LabPeer*> m_leaving;
    QSet<int> m_deleteData;
    QSet<int> m_pendingJoins; // added, not joined yet (a removal before the join cancels it)
    QSet<int> m_completedLeechers;
    QList<SwarmEvent> m_events;
    int m_droppedEvents = 0;
    quint32 m_eventMask = ~0u;
    SimTime m_lastClockReport = SimTime::zero(); // wall time
    bool m_holdWhenDone = false;
    bool m_holdAfterSamples = false;
    unsigned m_holds = HeldByUser; // a simulated clock starts paused
    // Where settleClock() last left the clock, and how many events had run by then: while both still hold,
    // the clock stands at the start of that instant. It starts there.
    SimTime m_settledAt = SimTime::zero();
    quint64 m_settledEvents = 0;
    bool m_shuttingDown = false;
    bool m_shutDownReported = false;
};

} // namespace swarmscope
