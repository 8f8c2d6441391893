#include "swarm/SwarmLab.h"

#include "clock/SimScheduler.h"
#include "storage/SharedContentStore.h"
#include "swarm/AllocatorTuning.h"
#include "swarm/LabPeer.h"
#include "swarm/OpenFileLimit.h"
#include "swarm/SwarmWorker.h"
#include "tracker/TrackerServer.h"
#include "transport/EpollEventDispatcher.h"
#include "transport/SimNetwork.h"

#include <QDir>
#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>

namespace swarmscope {

namespace {

// A client that hangs while stopping must not hang the application that is closing the lab.
constexpr int kShutdownLimitMs = 8'000;

} // namespace

SwarmLab::SwarmLab(const SwarmLabConfig& config, QObject* parent)
    : QObject(parent), m_config(config), m_epoch(RealScheduler::steadyNow()), m_identity(config.seed),
      m_snapshotTimer(m_scheduler, [this] { onTick(); }),
      m_shutdownTimer(m_scheduler, [this] { finishShutdown(); }) {
    qRegisterMetaType<WorkerReport>();
    qRegisterMetaType<SwarmSnapshotPtr>();
    qRegisterMetaType<SwarmEvent>();
    qRegisterMetaType<LabControlChange>();
    qRegisterMetaType<LeecherVerification>();
    qRegisterMetaType<QList<LeecherVerification>>();
    qRegisterMetaType<QList<SwarmEvent>>();
    m_snapshotHz = qBound(1, m_config.snapshotHz, 60);
    if (m_config.timeMode == TimeMode::Simulated) {
        // One thread, one clock, one network: the run depends on nothing but the seed and the commands.
        // Blocks are read from the shared copy of the content: a read cache would only copy it again.
        m_config.client.readCacheBytes = 0;
        m_simScheduler = std::make_unique<SimScheduler>();
        m_simNetwork = std::make_unique<SimNetwork>(*m_simScheduler);
        m_epoch = SimTime::zero();
        m_pausedAll = true;
        if (m_config.seed == 0)
            m_config.seed = quint32(RealScheduler::steadyNow().count() % 0x7fffffff) | 1u;
        m_identity = LabPeerIdentity(m_config.seed);
    }
}

SwarmLab::~SwarmLab() {
    m_snapshotTimer.stop();
    m_shutdownTimer.stop();
    if (m_verifier)
        m_verifier->cancel();
    // Each worker is deleted in its own thread as the thread finishes, dropping its clients there.
    for (QThread* thread : std::as_const(m_threads))
        thread->quit();
    for (QThread* thread : std::as_const(m_threads)) {
        thread->wait();
        delete thread;
    }
    if (m_trackerThread) {
        m_trackerThread->quit();
        m_trackerThread->wait();
        delete m_trackerThread;
    }
    if (m_pool)
        m_pool->waitForDone();
    // The workers' threads are gone: nothing runs on the simulated network or its clock any more.
    m_simNetwork.reset();
    m_simScheduler.reset();
}

qint64 SwarmLab::nowMs() const {
    if (m_simScheduler)
        return toMs(m_simScheduler->now());
    return toMs(RealScheduler::steadyNow() - m_epoch);
}

QString SwarmLab::clockControlUnavailableReason() const {
    if (controlsClock())
        return {};
    return QStringLiteral(
        "the lab runs in real time over TCP: its clock is the wall clock, which cannot be "
        "slowed or stepped (start a lab in simulated time for that); Pause pauses every peer");
}

template <typename F> void SwarmLab::forWorkers(F f) {
    for (SwarmWorker* worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker, f] { f(*worker); });
}

void SwarmLab::pauseAll() {
    if (!m_started || m_shuttingDown)
        return;
    m_pausedAll = true;
    logControl(LabControlChange::of(LabControlChange::Kind::PauseAll));
    if (controlsClock())
        forWorkers([](SwarmWorker& w) { w.setClockPaused(true); });
    else
        forPeer(kAllPeers, [](LabPeer& p) { p.pause(); });
}

void SwarmLab::resumeAll() {
    if (!m_started || m_shuttingDown)
        return;
    m_pausedAll = false;
    logControl(LabControlChange::of(LabControlChange::Kind::ResumeAll));
    if (controlsClock())
        forWorkers([](SwarmWorker& w) { w.setClockPaused(false); });
    else
        forPeer(kAllPeers, [](LabPeer& p) { p.resume(); });
}

bool SwarmLab::setSpeed(double speed, QString* why) {
    if (!controlsClock()) {
        if (why)
            *why = clockControlUnavailableReason();
        return false;
    }
    m_speed = speed > 0 ? qBound(0.1, speed, 100.0) : 0.0;
    const double value = m_speed;
    LabControlChange change = LabControlChange::of(LabControlChange::Kind::Speed);
    change.speed = value;
    logControl(change);
    if (m_started)
        forWorkers([value](SwarmWorker& w) { w.setClockSpeed(value); });
    return true;
}

bool SwarmLab::step(qint64 ms, QString* why) {
    if (!controlsClock()) {
        if (why)
            *why = clockControlUnavailableReason();
        return false;
    }
    if (!m_pausedAll) {
        if (why)
            *why = QStringLiteral("the clock is running; pause it first");
        return false;
    }
    if (ms <= 0) {
        if (why)
            *why = QStringLiteral("a step must be longer than 0 ms");
        return false;
    }
    LabControlChange change = LabControlChange::of(LabControlChange::Kind::Step);
    change.stepMs = ms;
    logControl(change);
    if (m_started)
        forWorkers([ms](SwarmWorker& w) { w.stepClock(ms); });
    return true;
}

void SwarmLab::setClockLimit(qint64 ms) {
    if (m_started)
        forWorkers([ms](SwarmWorker& w) { w.setClockLimit(ms); });
}

void SwarmLab::setHoldClockWhenDone(bool hold) {
    if (m_started)
        forWorkers([hold](SwarmWorker& w) { w.setHoldClockWhenDone(hold); });
}

void SwarmLab::sampleNow() {
    if (m_started)
        forWorkers([](SwarmWorker& w) { w.sampleNow(); });
}

bool SwarmLab::start() {
    if (m_started)
        return true;
    m_openFileLimit = raiseOpenFileLimit();
    tuneAllocatorForLab();
    if (m_config.timeMode == TimeMode::Real && m_config.plannedPeers > 0) {
        const int fit =
            connectionsToFit(m_openFileLimit, m_config.plannedPeers, m_config.client.maxConnections);
        m_fittedToFileLimit = fit < m_config.client.maxConnections;
        m_config.client.maxConnections = fit;
        m_config.client.numwant = qMin(m_config.client.numwant, fit);
    }

    if (m_config.labDir.isEmpty()) {
        m_tempDir =
            std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("swarmscope-lab-XXXXXX")));
        if (!m_tempDir->isValid()) {
            m_error = QStringLiteral("cannot create a lab directory: %1").arg(m_tempDir->errorString());
            return false;
        }
        m_tempDir->setAutoRemove(!m_config.keepLabDir);
        m_labDir = m_tempDir->path();
    } else {
        m_labDir = QDir(m_config.labDir).absolutePath();
        if (!QDir().mkpath(m_labDir)) {
            m_error = QStringLiteral("cannot create the lab directory (%1)").arg(m_labDir);
            return false;
        }
    }

    m_pool = std::make_unique<QThreadPool>();
    m_pool->setObjectName(QStringLiteral("swarm-hash"));
    m_pool->setMaxThreadCount(m_config.hashThreads > 0 ? m_config.hashThreads : QThread::idealThreadCount());
    m_verifier = new LeecherVerifier(m_pool.get(), this);
    connect(m_verifier, &LeecherVerifier::finished, this, &SwarmLab::verificationFinished);

    const bool simulated = m_config.timeMode == TimeMode::Simulated;
    const int workers = simulated                    ? 1
                        : m_config.workerThreads > 0 ? m_config.workerThreads
                                                     : qBound(1, QThread::idealThreadCount(), 2);
    for (int i = 0; i < workers; ++i) {
        SwarmWorker::Settings settings;
        settings.index = i;
        if (simulated) {
            SimScheduler* scheduler = m_simScheduler.get();
            SimNetwork* network = m_simNetwork.get();
            settings.makeEnvironment = [scheduler, network] {
                return std::make_unique<SimWorkerEnvironment>(*scheduler, *network);
            };
        } else {
            const SimTime epoch = m_epoch;
            settings.makeEnvironment = [epoch] { return std::make_unique<RealWorkerEnvironment>(epoch); };
        }
        settings.identity = &m_identity;
        settings.hashPool = m_pool.get();
        settings.clientTemplate = m_config.client;
        if (m_config.trackerless)
            settings.dhtDirectory = m_dhtDirectory;
        settings.trackerAnnounces = m_trackerAnnounces;
        settings.withConnections = m_config.snapshotConnections;
        settings.maxEventsPerReport = qMax(1, m_config.maxEventsPerSnapshot / workers);
        auto* worker = new SwarmWorker(settings);
        auto* thread = new QThread;
        thread->setObjectName(QStringLiteral("swarm-worker-%1").arg(i));
        // A worker holds thousands of sockets: its dispatcher's cost per event must not grow with them.
        thread->setEventDispatcher(new EpollEventDispatcher);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        connect(worker, &SwarmWorker::reported, this, &SwarmLab::onReport);
        connect(worker, &SwarmWorker::sampled, this, &SwarmLab::onSample);
        connect(worker, &SwarmWorker::peerCompleted, this, [this](int peer, qint64 labMs) {
            auto it = m_peers.find(peer);
            if (it == m_peers.end() || it->info.completedAtMs >= 0)
                return;
            it->info.completedAtMs = labMs;
            emit peerCompleted(peer, it->info.completionSeconds());
        });
        connect(worker, &SwarmWorker::peerJoinTime, this, [this](int peer, qint64 labMs) {
            const auto it = m_peers.find(peer);
            if (it != m_peers.end())
                it->info.addedAtMs = labMs;
        });
        connect(worker, &SwarmWorker::peerFailed, this, &SwarmLab::peerFailed);
        connect(worker, &SwarmWorker::peerRemoved, this, &SwarmLab::peerRemoved);
        connect(worker, &SwarmWorker::shutDown, this, &SwarmLab::onWorkerShutDown);
        connect(worker, &SwarmWorker::clockChanged, this,
                [this](qint64 labMs, bool paused, double speed, double achieved) {
                    m_achievedSpeed = achieved;
                    emit clockChanged(labMs, paused, speed, achieved);
                });
        thread->start();
        QMetaObject::invokeMethod(worker, [worker] { worker->init(); });
        const qint64 sampleMs = m_config.sampleIntervalMs;
        if (sampleMs > 0)
            QMetaObject::invokeMethod(worker, [worker, sampleMs] { worker->setSampleInterval(sampleMs); });
        m_threads.append(thread);
        m_workers.append(worker);
    }
    m_assembler.reset(workers);
    m_samples = QList<WorkerReport>(workers);
    for (int i = 0; i < workers; ++i)
        m_samples[i].timeMs = -1;

    startTracker();
    m_started = true;
    m_snapshotTimer.startRepeatingMs(1000 / m_snapshotHz);
    return true;
}

void SwarmLab::startTracker() {
    TrackerServerConfig config;
    config.intervalSeconds = qMax(1, m_config.announceIntervalSeconds);
    config.listenBacklog = 4096;
    config.maxConnections = 4096;
    if (m_config.seed)
        config.randomSeed = m_config.seed;
    SwarmLab* lab = this;
    if (m_config.timeMode == TimeMode::Simulated) {
        // On the simulated network, which only the workers' thread reaches.
        SwarmWorker* worker = m_workers.first();
        connect(worker, &SwarmWorker::trackerStarted, this, &SwarmLab::onTrackerStarted);
        const quint16 port = m_config.trackerPort ? m_config.trackerPort : 6969;
        QMetaObject::invokeMethod(worker, [worker, config, port] { worker->startTracker(config, port); });
        return;
    }
    m_trackerThread = new QThread;
    m_trackerThread->setObjectName(QStringLiteral("swarm-tracker"));
    m_trackerThread->setEventDispatcher(new EpollEventDispatcher);
    // The tracker must be made in its own thread (its timers belong to the thread that creates them); this
    // anchor gives the call somewhere to run and owns the tracker.
    auto* anchor = new QObject;
    m_trackerAnchor = anchor;
    anchor->moveToThread(m_trackerThread);
    connect(m_trackerThread, &QThread::finished, anchor, &QObject::deleteLater);
    m_trackerThread->start();

    const QHostAddress address = m_config.trackerAddress;
    const quint16 port = m_config.trackerPort;
    QMetaObject::invokeMethod(anchor, [anchor, config, address, port, lab, counter = m_trackerAnnounces] {
        auto* tracker = new TrackerServer(config, anchor);
        QObject::connect(tracker, &TrackerServer::peerAnnounced, tracker, [counter] { ++*counter; });
        const bool ok = tracker->listen(address, port);
        const QString url = ok ? tracker->announceUrl() : QString();
        const QString error = ok ? QString() : tracker->errorString();
        // The lab waits for this thread before it goes, so it is alive; posting to it is thread-safe.
        QMetaObject::invokeMethod(
            lab, [lab, ok, url, error] { lab->onTrackerStarted(ok, url, error); }, Qt::QueuedConnection);
    });
}

void SwarmLab::onTrackerStarted(bool ok, const QString& url, const QString& error) {
    if (!ok) {
        m_error = QStringLiteral("the lab's tracker cannot listen: %1").arg(error);
        emit errorOccurred(m_error);
        return;
    }
    m_announceUrl = url;
    for (SwarmWorker* worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker, url] { worker->setAnnounceUrl(url); });
    emit trackerReady(url);
}

int SwarmLab::addTorrent(const Metainfo& metainfo, const QString& sourceDir, bool trustSourceData) {
    if (metainfo.pieceCount() <= 0 || metainfo.infoHash.size() != 20)
        return 0;
    const int id = m_nextTorrent++;
    TorrentRecord record{metainfo, QDir(sourceDir).absolutePath(), trustSourceData, {}};
    // In simulated time every peer reads one copy of the content (loaded on first use, in the workers'
    // thread), and keeps only which of its blocks arrived intact.
    if (m_config.timeMode == TimeMode::Simulated)
        record.content = std::make_shared<SharedContent>(metainfo, record.sourceDir);
    m_torrents.insert(id, record);
    return id;
}

QList<int> SwarmLab::addSeeders(int torrent, int count, const PeerConditions& conditions) {
    return addPeers(torrent, TorrentRole::Seeder, count, conditions, LabPeerOptions{});
}

QList<int> SwarmLab::addLeechers(int torrent, int count, const PeerConditions& conditions) {
    return addPeers(torrent, TorrentRole::Leecher, count, conditions, LabPeerOptions{});
}

QList<int> SwarmLab::addPeers(int torrent, TorrentRole role, int count, const PeerConditions& conditions,
                              const LabPeerOptions& options) {
    QList<int> ids;
    const auto record = m_torrents.constFind(torrent);
    if (!m_started || m_shuttingDown || record == m_torrents.cend() || count <= 0)
        return ids;
    ids.reserve(count);
    const qint64 now = qMax(nowMs(), options.joinAtMs);
    for (int i = 0; i < count; ++i) {
        LabPeerSpec spec;
        spec.id = m_nextPeer++;
        spec.torrent = torrent;
        spec.role = role;
        spec.metainfo = record->metainfo;
        spec.dataDir = role == TorrentRole::Seeder
                           ? record->sourceDir
                           : QDir(m_labDir).filePath(QStringLiteral("peer-%1").arg(spec.id));
        spec.trustData = record->trustData;
        spec.conditions = conditions;
        spec.addedAtMs = now;
        spec.startAtMs = options.joinAtMs;
        spec.strategy = options.picker;
        spec.chokerEnabled = options.choker;
        spec.seedingPolicy = options.seeding;
        spec.freeRider = options.freeRider;
        spec.corrupt = options.corrupt;
        spec.leaveWhenDone = options.leaveWhenDone && role == TorrentRole::Leecher;
        spec.pipelineDepth = options.pipelineDepth;
        spec.peerId = m_identity.peerIdFor(spec.id);
        spec.seed = m_config.seed ? m_config.seed * 7919u + quint32(spec.id) : 0;
        if (record->content)
            spec.store = std::make_shared<SharedContentStore>(record->content, role == TorrentRole::Seeder);

        PeerRecord peer;
        peer.info.id = spec.id;
        peer.info.torrent = torrent;
        peer.info.role = role;
        peer.info.dataDir = spec.dataDir;
        peer.info.addedAtMs = now;
        peer.worker = m_nextWorker++ % int(m_workers.size());
        peer.store = spec.store;
        m_peers.insert(spec.id, peer);
        ids.append(spec.id);
        dispatch(spec);
    }
    return ids;
}

void SwarmLab::dispatch(const LabPeerSpec& spec) {
    SwarmWorker* worker = m_workers.value(m_peers.value(spec.id).worker);
    QMetaObject::invokeMethod(worker, [worker, spec] { worker->addPeer(spec); });
}

void SwarmLab::forPeer(int peer, const std::function<void(LabPeer&)>& f) {
    const std::function<void(qint64)> stamp = takeUnstamped();
    if (!m_started || m_shuttingDown)
        return;
    if (peer == kAllPeers) {
        for (SwarmWorker* worker : std::as_const(m_workers))
            QMetaObject::invokeMethod(worker, [worker, f, stamp] {
                const qint64 at = worker->applyToPeersAt(0, SwarmWorker::kAllPeers, f);
                if (stamp)
                    stamp(at);
            });
        return;
    }
    const auto it = m_peers.constFind(peer);
    if (it == m_peers.cend() || it->info.removed)
        return;
    SwarmWorker* worker = m_workers.value(it->worker);
    QMetaObject::invokeMethod(worker, [worker, peer, f, stamp] {
        const qint64 at = worker->applyToPeersAt(0, peer, f);
        if (stamp)
            stamp(at);
    });
}

void SwarmLab::logControl(LabControlChange change) {
    if (!m_started || m_shuttingDown)
        return;
    if (change.peer != kAllPeers) {
        const auto it = m_peers.constFind(change.peer);
        if (it == m_peers.cend() || it->info.removed)
            return;
    }
    if (controlsClock() && change.kind == LabControlChange::Kind::Command) {
        // The clock runs on the workers' thread: what the window reads as now is a little behind the instant
        // the worker applies the command at. That instant is what the log must hold, so that a saved scenario
        // repeats the run exactly; the worker stamps it (takeUnstamped()).
        m_unstamped = change;
        return;
    }
    change.timeMs = qMax(change.timeMs, nowMs());
    appendControl(change);
}

void SwarmLab::appendControl(const LabControlChange& change) {
    m_controlLog.append(change);
    emit controlChanged(change);
}

std::function<void(qint64)> SwarmLab::takeUnstamped() {
    if (!m_unstamped)
        return {};
    LabControlChange change = *m_unstamped;
    m_unstamped.reset();
    // Called on the worker's thread right after the command was applied (or scheduled for change.timeMs).
    return [this, change](qint64 appliedMs) mutable {
        change.timeMs = appliedMs;
        QMetaObject::invokeMethod(this, [this, change] {
            if (!m_shuttingDown)
                appendControl(change);
        });
    };
}

void SwarmLab::logCommand(int peer, const LabCommand& command, qint64 atMs) {
    LabControlChange change;
    change.kind = LabControlChange::Kind::Command;
    change.peer = peer;
    change.command = command;
    change.timeMs = atMs;
    logControl(change);
}

namespace {

LabCommand commandOf(LabCommand::Kind kind, bool enabled = true) {
    LabCommand c;
    c.kind = kind;
    c.enabled = enabled;
    return c;
}

LabCommand linkCommand(const LabCommand::LinkChange& link) {
    LabCommand c;
    c.kind = LabCommand::Kind::SetLink;
    c.link = link;
    return c;
}

} // namespace

void SwarmLab::pausePeer(int peer) {
    logCommand(peer, commandOf(LabCommand::Kind::Pause));
    forPeer(peer, [](LabPeer& p) { p.pause(); });
}

void SwarmLab::resumePeer(int peer) {
    logCommand(peer, commandOf(LabCommand::Kind::Resume));
    forPeer(peer, [](LabPeer& p) { p.resume(); });
}

void SwarmLab::killTracker(qint64 atMs) {
    if (!m_started || m_shuttingDown || m_trackerKilled)
        return;
    m_trackerKilled = true;
    if (m_config.timeMode == TimeMode::Simulated) {
        SwarmWorker* worker = m_workers.first();
        QMetaObject::invokeMethod(worker, [worker, atMs] { worker->stopTrackerAt(atMs); });
        return;
    }
    if (QObject* anchor = m_trackerAnchor)
        QMetaObject::invokeMethod(anchor, [anchor] { qDeleteAll(anchor->findChildren<TrackerServer*>()); });
}

void SwarmLab::killPeer(int peer) {
    logCommand(peer, commandOf(LabCommand::Kind::Kill));
    forPeer(peer, [](LabPeer& p) { p.kill(); });
}

void SwarmLab::leavePeer(int peer) {
    logCommand(peer, commandOf(LabCommand::Kind::Leave));
    forPeer(peer, [](LabPeer& p) { p.leave(); });
}

void SwarmLab::setFreeRider(int peer, bool freeRider) {
    logCommand(peer, commandOf(LabCommand::Kind::SetFreeRider, freeRider));
    forPeer(peer, [freeRider](LabPeer& p) { p.setFreeRider(freeRider); });
}

void SwarmLab::setCorrupt(int peer, bool corrupt) {
    logCommand(peer, commandOf(LabCommand::Kind::SetCorrupt, corrupt));
    forPeer(peer, [corrupt](LabPeer& p) { p.setCorrupt(corrupt); });
}

void SwarmLab::command(int peer, const LabCommand& command, qint64 atMs) {
    if (!m_started || m_shuttingDown)
        return;
    logCommand(peer, command, atMs);
    std::function<void(LabPeer&)> f;
    switch (command.kind) {
    case LabCommand::Kind::Pause:
        f = [](LabPeer& p) { p.pause(); };
        break;
    case LabCommand::Kind::Resume:
        f = [](LabPeer& p) { p.resume(); };
        break;
    case LabCommand::Kind::Kill:
        f = [](LabPeer& p) { p.kill(); };
        break;
    case LabCommand::Kind::Restart:
        f = [](LabPeer& p) { p.restart(); };
        break;
    case LabCommand::Kind::Leave:
        f = [](LabPeer& p) { p.leave(); };
        break;
    case LabCommand::Kind::SetLink: {
        const LabCommand::LinkChange link = command.link;
        f = [link](LabPeer& p) {
            PeerConditions c = p.conditions();
            if (link.latencyMs)
                c.latencyMs = *link.latencyMs;
            if (link.jitterMs)
                c.jitterMs = *link.jitterMs;
            if (link.uploadRate)
                c.uploadRate = *link.uploadRate;
            if (link.downloadRate)
                c.downloadRate = *link.downloadRate;
            p.setConditions(c);
        };
        break;
    }
    case LabCommand::Kind::SetPicker: {
        const PickerStrategy picker = command.picker;
        f = [picker](LabPeer& p) { p.setPickerStrategy(picker); };
        break;
    }
    case LabCommand::Kind::SetChoker: {
        const bool on = command.enabled;
        f = [on](LabPeer& p) { p.setChokerEnabled(on); };
        break;
    }
    case LabCommand::Kind::SetFreeRider: {
        const bool on = command.enabled;
        f = [on](LabPeer& p) { p.setFreeRider(on); };
        break;
    }
    case LabCommand::Kind::SetCorrupt: {
        const bool on = command.enabled;
        f = [on](LabPeer& p) { p.setCorrupt(on); };
        break;
    }
    }
    const std::function<void(qint64)> stamp = takeUnstamped();
    auto send = [atMs, f, stamp](SwarmWorker* worker, int id) {
        QMetaObject::invokeMethod(worker, [worker, atMs, id, f, stamp] {
            const qint64 at = worker->applyToPeersAt(atMs, id, f);
            if (stamp)
                stamp(at);
        });
    };
    if (peer == kAllPeers) {
        for (SwarmWorker* worker : std::as_const(m_workers))
            send(worker, SwarmWorker::kAllPeers);
        return;
    }
    const auto it = m_peers.constFind(peer);
    if (it == m_peers.cend() || it->info.removed)
        return;
    send(m_workers.value(it->worker), peer);
}

void SwarmLab::setHoldAfterSamples(bool hold) {
    if (m_started)
        forWorkers([hold](SwarmWorker& w) { w.setHoldAfterSamples(hold); });
}

void SwarmLab::continueAfterSample() {
    if (m_started)
        forWorkers([](SwarmWorker& w) { w.continueAfterSample(); });
}

void SwarmLab::restartPeer(int peer) {
    logCommand(peer, commandOf(LabCommand::Kind::Restart));
    forPeer(peer, [](LabPeer& p) { p.restart(); });
}

void SwarmLab::removePeer(int peer, bool deleteData) {
    const auto it = m_peers.find(peer);
    if (!m_started || m_shuttingDown || it == m_peers.end() || it->info.removed)
        return;
    LabControlChange change;
    change.kind = LabControlChange::Kind::Remove;
    change.peer = peer;
    logControl(change);
    it->info.removed = true;
    SwarmWorker* worker = m_workers.value(it->worker);
    QMetaObject::invokeMethod(worker, [worker, peer, deleteData] { worker->removePeer(peer, deleteData); });
}

void SwarmLab::setConditions(int peer, const PeerConditions& conditions) {
    logCommand(peer, linkCommand({conditions.latencyMs, conditions.jitterMs, conditions.uploadRate,
                                  conditions.downloadRate}));
    forPeer(peer, [conditions](LabPeer& p) { p.setConditions(conditions); });
}

void SwarmLab::setLatency(int peer, qint64 latencyMs, qint64 jitterMs) {
    logCommand(peer, linkCommand({latencyMs, jitterMs, std::nullopt, std::nullopt}));
    forPeer(peer, [latencyMs, jitterMs](LabPeer& p) { p.setLatency(latencyMs, jitterMs); });
}

void SwarmLab::setUploadRate(int peer, qint64 bytesPerSecond) {
    logCommand(peer, linkCommand({std::nullopt, std::nullopt, bytesPerSecond, std::nullopt}));
    forPeer(peer, [bytesPerSecond](LabPeer& p) { p.setUploadRate(bytesPerSecond); });
}

void SwarmLab::setDownloadRate(int peer, qint64 bytesPerSecond) {
    logCommand(peer, linkCommand({std::nullopt, std::nullopt, std::nullopt, bytesPerSecond}));
    forPeer(peer, [bytesPerSecond](LabPeer& p) { p.setDownloadRate(bytesPerSecond); });
}

void SwarmLab::setPickerStrategy(int peer, PickerStrategy strategy) {
    LabCommand c = commandOf(LabCommand::Kind::SetPicker);
    c.picker = strategy;
    logCommand(peer, c);
    forPeer(peer, [strategy](LabPeer& p) { p.setPickerStrategy(strategy); });
}

void SwarmLab::setChokerEnabled(int peer, bool enabled) {
    logCommand(peer, commandOf(LabCommand::Kind::SetChoker, enabled));
    forPeer(peer, [enabled](LabPeer& p) { p.setChokerEnabled(enabled); });
}

void SwarmLab::setSnapshotRate(int hz) {
    m_snapshotHz = qBound(1, hz, 60);
    if (m_snapshotTimer.isActive())
        m_snapshotTimer.startRepeatingMs(1000 / m_snapshotHz);
}

void SwarmLab::setSnapshotConnections(bool enabled) {
    m_config.snapshotConnections = enabled;
    for (SwarmWorker* worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker, enabled] { worker->setWithConnections(enabled); });
}

void SwarmLab::setEventKinds(const QList<PeerEventKind>& kinds) {
    quint32 mask = 0;
    for (PeerEventKind kind : kinds)
        mask |= 1u << unsigned(kind);
    for (SwarmWorker* worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker, mask] { worker->setEventMask(mask); });
}

void SwarmLab::verifyLeechers(const QList<int>& peers) {
    if (!m_verifier)
        return;
    QList<LeecherVerifier::Job> jobs;
    for (const PeerRecord& record : std::as_const(m_peers)) {
        const LabPeerInfo& info = record.info;
        if (info.role != TorrentRole::Leecher || info.removed ||
            (!peers.isEmpty() && !peers.contains(info.id)))
            continue;
        jobs.append(LeecherVerifier::Job{info.id, m_torrents.value(info.torrent).metainfo, info.dataDir,
                                         record.store});
    }
    m_verifier->start(jobs);
}

void SwarmLab::onTick() {
    if (m_assembler.isWaiting() && m_assembler.hasNews())
        publish(); // a late worker does not hold back the others' news
    for (int index : m_assembler.startRound()) {
        SwarmWorker* worker = m_workers.at(index);
        QMetaObject::invokeMethod(worker, [worker] { worker->collect(); });
    }
}

void SwarmLab::onReport(const WorkerReport& report) {
    if (m_assembler.add(report))
        publish();
}

QList<LabTorrentSnapshot> SwarmLab::torrentRecords() const {
    QList<LabTorrentSnapshot> torrents;
    torrents.reserve(m_torrents.size());
    for (auto it = m_torrents.cbegin(); it != m_torrents.cend(); ++it) {
        LabTorrentSnapshot t;
        t.id = it.key();
        t.infoHash = it->metainfo.infoHash;
        t.name = it->metainfo.name;
        t.totalSize = it->metainfo.totalSize;
        t.pieceLength = it->metainfo.pieceLength;
        t.pieceCount = it->metainfo.pieceCount();
        torrents.append(t);
    }
    return torrents;
}

void SwarmLab::publish() {
    QList<SwarmEvent> events;
    int dropped = 0;
    m_lastSnapshot = m_assembler.assemble(
        ++m_sequence, nowMs(), torrentRecords(),
        [this](int id) {
            const auto it = m_peers.constFind(id);
            return it != m_peers.cend() && !it->info.removed;
        },
        &events, &dropped);
    emit snapshotReady(m_lastSnapshot);
    if (!events.isEmpty() || dropped > 0)
        emit eventsReady(events, dropped);
}

void SwarmLab::onSample(const WorkerReport& report) {
    if (report.worker < 0 || report.worker >= m_samples.size())
        return;
    m_samples[report.worker] = report;
    // A sample is out once every worker has reached that point of the grid; a worker that skipped a point
    // (a stalled thread) lends its latest state.
    qint64 time = -1;
    for (const WorkerReport& r : std::as_const(m_samples)) {
        if (r.timeMs < 0)
            return;
        time = time < 0 ? r.timeMs : qMin(time, r.timeMs);
    }
    if (time <= m_lastSampleMs)
        return;
    m_lastSampleMs = time;
    SnapshotAssembler assembler(int(m_samples.size()));
    for (const WorkerReport& r : std::as_const(m_samples))
        assembler.add(r);
    const SwarmSnapshotPtr sample = assembler.assemble(
        ++m_sampleSequence, time, torrentRecords(),
        [this](int id) {
            const auto it = m_peers.constFind(id);
            return it != m_peers.cend() && !it->info.removed;
        },
        nullptr, nullptr);
    emit sampleReady(sample);
}

void SwarmLab::shutdown() {
    if (!m_started) {
        emit shutdownFinished();
        return;
    }
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_workersShutDown = 0;
    for (SwarmWorker* worker : std::as_const(m_workers))
        QMetaObject::invokeMethod(worker, [worker] { worker->shutdown(); });
    m_shutdownTimer.startMs(kShutdownLimitMs);
}

void SwarmLab::onWorkerShutDown() {
    if (++m_workersShutDown >= m_workers.size())
        finishShutdown();
}

void SwarmLab::finishShutdown() {
    if (m_shutdownFinished)
        return;
    m_shutdownFinished = true;
    m_shutdownTimer.stop();
    m_snapshotTimer.stop();
    emit shutdownFinished();
}

QList<int> SwarmLab::peerIds(int torrent) const {
    QList<int> ids;
    for (const PeerRecord& record : m_peers)
        if (!record.info.removed && (torrent == 0 || record.info.torrent == torrent))
            ids.append(record.info.id);
    return ids;
}

std::optional<LabPeerInfo> SwarmLab::peerInfo(int peer) const {
    const auto it = m_peers.constFind(peer);
    if (it == m_peers.cend())
        return std::nullopt;
    return it->info;
}

std::optional<Metainfo> SwarmLab::torrentMetainfo(int torrent) const {
    const auto it = m_torrents.constFind(torrent);
    if (it == m_torrents.cend())
        return std::nullopt;
    return it->metainfo;
}

} // namespace swarmscope
