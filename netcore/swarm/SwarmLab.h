#pragma once

#include "clock/RealScheduler.h"
#include "clock/Timer.h"
#include "metainfo/Metainfo.h"
#include "peer/PeerEvent.h"
#include "peer/PickerStrategy.h"
#include "peer/TorrentRole.h"
#include "swarm/LabCommand.h"
#include "swarm/LabControlChange.h"
#include "swarm/LabDhtDirectory.h"
#include "swarm/LabPeerIdentity.h"
#include "swarm/LabPeerSpec.h"
#include "swarm/LeecherVerifier.h"
#include "swarm/PeerConditions.h"
#include "swarm/SnapshotAssembler.h"
#include "swarm/SwarmEvent.h"
#include "swarm/SwarmLabConfig.h"
#include "swarm/SwarmSnapshot.h"
#include "swarm/WorkerReport.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QTemporaryDir;
class QThread;
class QThreadPool;

namespace swarmscope {

class LabPeer;
class PieceStore;
class SharedContent;
class SimNetwork;
class SimScheduler;
class SwarmWorker;

// What the lab's thread knows about a peer without asking a worker.
struct LabPeerInfo {
    int id = 0;
    int torrent = 0;
    TorrentRole role = TorrentRole::Leecher;
    QString dataDir;
    qint64 addedAtMs = 0;      // lab time
    qint64 completedAtMs = -1; // lab time; -1 until a leecher completes (seeders never do)
    bool removed = false;

    double completionSeconds() const {
        return completedAtMs < 0 ? -1.0 : (completedAtMs - addedAtMs) / 1000.0;
    }
};

// The lab: one embedded HTTP tracker and any number of BitTorrent clients in this process, each a real
// peer with its own peer id and link. The GUI and `swarmscope swarm` drive it through this control API and
// watch it through snapshots and events.
//
// Time: in real time (the default) every peer listens on its own 127.0.0.1 port and the peers talk TCP. In
// simulated time the same clients run on the simulated network on one thread, on a virtual clock that
// starts paused; the lab pauses it, paces it from 0.1x to 100x or runs it as fast as the CPU allows, and
// steps it, and a run with the same seed and commands repeats exactly. In real time, pauseAll() pauses every
// peer instead, and the speed and step are refused with the reason.
//
// Threads: the lab object lives in the caller's thread and never blocks it. The clients run on worker
// threads (assigned round-robin; each client and its streams stay in one thread) and, in real time, the
// tracker on a thread of its own. Every command is forwarded with QMetaObject::invokeMethod and returns at
// once; ids are allocated here, so they are valid immediately. Commands to one peer run in the order given.
//
// Outputs, all in the lab's thread: snapshotReady() at a fixed rate with one immutable SwarmSnapshot of
// every peer, eventsReady() with the clients' PeerEvents since the previous snapshot, peerCompleted() when a
// leecher first has every piece.
//
// Life: construct, start(), add torrents and peers, ... shutdown() and wait for shutdownFinished() for a
// clean stop ("stopped" announced), or just destroy the lab, which drops every client abruptly.
class SwarmLab : public QObject {
    Q_OBJECT
public:
    // As a peer id in the per-peer setters: every peer of the lab.
    static constexpr int kAllPeers = 0;

    explicit SwarmLab(const SwarmLabConfig& config = {}, QObject* parent = nullptr);
    ~SwarmLab() override;

    // Raises the open-file limit (and tunes the allocator, see AllocatorTuning.h), makes the lab directory,
    // starts the worker threads, the tracker and the snapshot timer. False with errorString() when the lab
    // directory cannot be made. The tracker comes up asynchronously: trackerReady() or errorOccurred(); peers
    // added before then start once it is up. Peers can only be added, and commands only run, after start().
    bool start();
    bool isStarted() const { return m_started; }
    QString errorString() const { return m_error; }
    QString labDir() const { return m_labDir; }
    // "http://127.0.0.1:PORT/announce"; empty until trackerReady().
    QString announceUrl() const { return m_announceUrl; }
    // Announces the lab's tracker has accepted (none in a trackerless lab).
    qint64 trackerAnnounces() const { return m_trackerAnnounces->load(); }
    int workerCount() const { return int(m_workers.size()); }
    qint64 openFileLimit() const { return m_openFileLimit; }
    // The connection cap every client starts with (lowered in real time to fit plannedPeers into the
    // open-file limit), and whether it was lowered for that.
    int connectionsPerPeer() const { return m_config.client.maxConnections; }
    bool connectionsFittedToFileLimit() const { return m_fittedToFileLimit; }
    TimeMode timeMode() const { return m_config.timeMode; }
    quint32 seed() const { return m_config.seed; }
    // Lab time in milliseconds: since the lab started (real time) or on the virtual clock (simulated time).
    // The time base of snapshots, events and completions. Safe to call from any thread.
    qint64 nowMs() const;

    // --- the clock
    // Whether the lab's clock itself can be stopped, paced and stepped (simulated time only).
    bool controlsClock() const { return m_config.timeMode == TimeMode::Simulated; }
    // Why not, for a tooltip: empty in simulated time.
    QString clockControlUnavailableReason() const;
    // Simulated time: stops or restarts the clock. Real time: pauses or resumes every peer.
    void pauseAll();
    void resumeAll();
    bool isPausedAll() const { return m_pausedAll; }
    // Virtual seconds per wall second, 0.1 to 100; 0 runs as fast as the CPU allows. False, with *why, in
    // real time.
    bool setSpeed(double speed, QString* why = nullptr);
    double speed() const { return m_speed; }
    // What the pacer achieves (below speed() when the CPU cannot keep up); 0 while paused.
    double achievedSpeed() const { return m_achievedSpeed; }
    // Advances a paused simulated clock by ms, running everything that falls due, and stays paused.
    bool step(qint64 ms, QString* why = nullptr);
    // Stops the simulated clock at lab time ms (0: no limit).
    void setClockLimit(qint64 ms);
    // Stops the simulated clock the moment every leecher has completed, so a run ends at a defined instant.
    void setHoldClockWhenDone(bool hold);
    // After each sample the simulated clock waits until continueAfterSample(), so that what a reader of
    // sampleReady() commands then happens at that exact instant of lab time (a scenario's conditions).
    void setHoldAfterSamples(bool hold);
    void continueAfterSample();

    // --- torrents and peers; ids are 1, 2, ... and never reused
    // sourceDir: the directory that contains the torrent's file or top-level folder, which seeders serve in
    // place. trustSourceData: it was hashed just now, seeders skip checking it. Returns the torrent id, or 0
    // when the metainfo has no pieces.
    int addTorrent(const Metainfo& metainfo, const QString& sourceDir, bool trustSourceData = false);
    // Unknown torrents give an empty list.
    QList<int> addSeeders(int torrent, int count, const PeerConditions& conditions = {});
    // Each leecher downloads into its own <labDir>/peer-<id>/.
    QList<int> addLeechers(int torrent, int count, const PeerConditions& conditions = {});
    // Either, with how the peers start; peers joining later have their ids now and appear when they join.
    QList<int> addPeers(int torrent, TorrentRole role, int count, const PeerConditions& conditions,
                        const LabPeerOptions& options);

    // --- per peer; peer may be kAllPeers
    void pausePeer(int peer);
    void resumePeer(int peer);
    // Abrupt: sockets aborted, no "stopped" announce, data kept. The peer stays in snapshots as Stopped.
    void killPeer(int peer);
    // Graceful: announces "stopped", closes its connections, stays (Stopped, left) and can be restarted.
    void leavePeer(int peer);
    // The lab's free-rider: keeps downloading but uploads nothing (it chokes every peer, whatever its choker
    // says); false makes it a normal peer again.
    void setFreeRider(int peer, bool freeRider);
    void setCorrupt(int peer, bool corrupt);
    // Any of the above at lab time atMs (0 or past: now), on the workers' clock: exact in simulated time.
    void command(int peer, const LabCommand& command, qint64 atMs = 0);
    // A killed peer starts again (same peer id, link and data; same port when free); a running one is
    // killed first.
    void restartPeer(int peer);
    // The lab's tracker dies at lab time atMs (0 or past: now; exact in simulated time, at once in real
    // time): it stops listening, and announces fail from then on. Peers keep the peers they know, and with
    // PEX (ClientConfig::pex) they go on learning of each other. It is not started again.
    void killTracker(qint64 atMs = 0);
    bool isTrackerKilled() const { return m_trackerKilled; }
    // Announces "stopped" and forgets the peer; a leecher's folder is deleted too when asked. One peer only.
    void removePeer(int peer, bool deleteData = false);

    // Live network conditions; they apply to data sent or received from now on.
    void setConditions(int peer, const PeerConditions& conditions);
    void setLatency(int peer, qint64 latencyMs, qint64 jitterMs = 0);
    void setUploadRate(int peer, qint64 bytesPerSecond);   // 0: unlimited
    void setDownloadRate(int peer, qint64 bytesPerSecond); // 0: unlimited
    void setPickerStrategy(int peer, PickerStrategy strategy);
    void setChokerEnabled(int peer, bool enabled);

    // --- outputs
    // Live snapshots, at this many per second of wall time, whatever the clock does.
    void setSnapshotRate(int hz); // 1..60
    int snapshotRate() const { return m_snapshotHz; }
    // Per-connection detail in snapshots (on by default); off saves most of a big lab's snapshot cost.
    void setSnapshotConnections(bool enabled);
    // The kinds eventsReady() carries (all by default); an empty list turns events off.
    void setEventKinds(const QList<PeerEventKind>& kinds);
    SwarmSnapshotPtr lastSnapshot() const { return m_lastSnapshot; }
    // Every control the lab was given so far (its control API's commands, the clock's pause, speed and
    // step), in the order given, each at the lab time it took effect. controlChanged() tells of each.
    const LabControlLog& controlLog() const { return m_controlLog; }
    // One more sample, of every peer now, outside the grid: the last state of a run. sampleReady() follows.
    void sampleNow();

    // Reads every given leecher's data back from disk (every leecher of the lab when empty) and checks each
    // piece against its hash, off this thread; verificationFinished() follows.
    void verifyLeechers(const QList<int>& peers = {});

    // Stops every client gracefully (announcing "stopped"), then emits shutdownFinished(). Bounded: a client
    // that hangs is given up on after a few seconds. The lab takes no more commands afterwards.
    void shutdown();
    bool isShuttingDown() const { return m_shuttingDown; }

    // --- bookkeeping kept in this thread
    // Peers not removed, ascending; torrent 0: of every torrent.
    QList<int> peerIds(int torrent = 0) const;
    std::optional<LabPeerInfo> peerInfo(int peer) const;
    QList<int> torrentIds() const { return m_torrents.keys(); }
    std::optional<Metainfo> torrentMetainfo(int torrent) const;

signals:
    void trackerReady(const QString& announceUrl);
    void snapshotReady(const swarmscope::SwarmSnapshotPtr& snapshot);
    // Every peer at a point of the sampling grid of lab time (SwarmLabConfig::sampleIntervalMs), and after
    // sampleNow(). In simulated time these are the same from run to run.
    void sampleReady(const swarmscope::SwarmSnapshotPtr& snapshot);
    // The clock (simulated time): where it is, whether it runs, the speed asked for and achieved.
    void clockChanged(qint64 labMs, bool paused, double speed, double achievedSpeed);
    // Events since the previous snapshot, in order per peer; dropped: how many went over the cap.
    void eventsReady(const QList<swarmscope::SwarmEvent>& events, int dropped);
    // One more entry of controlLog(), emitted as the command is given.
    void controlChanged(const swarmscope::LabControlChange& change);
    void peerCompleted(int peer, double seconds);
    void peerFailed(int peer, const QString& error);
    void peerRemoved(int peer);
    void verificationFinished(const QList<swarmscope::LeecherVerification>& results);
    void shutdownFinished();
    // The lab cannot run: the tracker could not listen.
    void errorOccurred(const QString& message);

private:
    struct TorrentRecord {
        Metainfo metainfo;
        QString sourceDir;
        bool trustData = false;
        std::shared_ptr<const SharedContent> content; // simulated time: the one copy every peer reads
    };
    struct PeerRecord {
        LabPeerInfo info;
        int worker = 0;
        std::shared_ptr<PieceStore> store; // simulated time: what the peer holds
    };

    void logControl(LabControlChange change);
    void appendControl(const LabControlChange& change);
    // The stamp for the command logControl() held back, to call on the worker's thread; empty when none.
    std::function<void(qint64 workerMs)> takeUnstamped();
    void logCommand(int peer, const LabCommand& command, qint64 atMs = 0);
    void dispatch(const LabPeerSpec& spec);
    void startTracker();
    void onTrackerStarted(bool ok, const QString& url, const QString& error);
    void onSample(const WorkerReport& report);
    QList<LabTorrentSnapshot> torrentRecords() const;
    template <typename F> void forWorkers(F f);
    // Runs f in the worker of peer (every worker for kAllPeers) on that peer (on all of them).
    void forPeer(int peer, const std::function<void(LabPeer&)>& f);
    void onTick();
    void onReport(const WorkerReport& report);
    void publish();
    void onWorkerShutDown();
    void finishShutdown();

    SwarmLabConfig m_config;
    RealScheduler m_scheduler; // this thread's: snapshot rounds and the shutdown limit run on wall time
    SimTime m_epoch;           // lab time zero on the workers' clock
    std::unique_ptr<SimScheduler> m_simScheduler;
    std::unique_ptr<SimNetwork> m_simNetwork;
    std::shared_ptr<LabDhtDirectory> m_dhtDirectory = std::make_shared<LabDhtDirectory>();
    std::shared_ptr<std::atomic<qint64>> m_trackerAnnounces = std::make_shared<std::atomic<qint64>>(0);
    LabPeerIdentity m_identity;
    bool m_pausedAll = false;
    bool m_fittedToFileLimit = false;
    double m_speed = 1.0;
    double m_achievedSpeed = 0.0;
    bool m_started = false;
    bool m_shuttingDown = false;
    bool m_shutdownFinished = false;
    QString m_error;
    QString m_labDir;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    qint64 m_openFileLimit = -1;

    std::unique_ptr<QThreadPool> m_pool; // piece hashing for every client, and final verification
    QThread* m_trackerThread = nullptr;
    QObject* m_trackerAnchor = nullptr; // real time: owns the tracker, in m_trackerThread
    bool m_trackerKilled = false;
    QString m_announceUrl;
    QList<QThread*> m_threads;
    QList<SwarmWorker*> m_workers; // each lives in m_threads at the same index

    QMap<int, TorrentRecord> m_torrents;
    QMap<int, PeerRecord> m_peers;
    int m_nextTorrent = 1;
    int m_nextPeer = 1;
    int m_nextWorker = 0;

    int m_snapshotHz = 10;
    Timer m_snapshotTimer;
    SnapshotAssembler m_assembler;
    quint64 m_sequence = 0;
    SwarmSnapshotPtr m_lastSnapshot;
    QList<WorkerReport> m_samples; // each worker's latest sample
    qint64 m_lastSampleMs = -1;
    quint64 m_sampleSequence = 0;

    LabControlLog m_controlLog;
    // Simulated time: the peer command logControl() was just given, logged by the worker at the lab instant
    // it takes effect (the next forPeer() or command() carries it there).
    std::optional<LabControlChange> m_unstamped;
    LeecherVerifier* m_verifier = nullptr;
    int m_workersShutDown = 0;
    Timer m_shutdownTimer;
};

} // namespace swarmscope
