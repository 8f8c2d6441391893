#include "swarm/SwarmWorker.h"

#include "clock/RealScheduler.h"
#include "clock/SimPacer.h"
#include "swarm/LabPeerIdentity.h"
#include "tracker/TrackerServer.h"

#include <QDir>

#include <utility>

namespace swarmscope {

SwarmWorker::SwarmWorker(const Settings& settings) : m_settings(settings) {}

SwarmWorker::~SwarmWorker() {
    // Peers are children, but delete them here while this object is still a SwarmWorker: their clients
    // call back into it as they go. Then the tracker, then what they all ran on.
    const QList<LabPeer*> peers = m_peers.values() + m_leaving.values();
    m_peers.clear();
    m_leaving.clear();
    qDeleteAll(peers);
    delete m_tracker;
    m_tracker = nullptr;
    m_sampleTimer.reset();
    m_env.reset();
}

void SwarmWorker::init() {
    if (m_env)
        return;
    m_env = m_settings.makeEnvironment();
    m_sampleTimer.emplace(m_env->scheduler());
    if (SimPacer* pacer = m_env->pacer()) {
        connect(pacer, &SimPacer::pausedChanged, this, &SwarmWorker::reportClock);
        // Ten times a second of wall time is enough for a clock on screen.
        connect(pacer, &SimPacer::advanced, this, [this](SimTime) {
            const SimTime wall = RealScheduler::steadyNow();
            if (wall - m_lastClockReport >= std::chrono::milliseconds(100)) {
                m_lastClockReport = wall;
                reportClock();
            }
        });
    }
}

void SwarmWorker::reportClock() {
    SimPacer* pacer = m_env ? m_env->pacer() : nullptr;
    if (!pacer)
        return;
    // A hold for a sample lasts a moment: the clock is not shown as paused for it.
    const bool paused = pacer->isPaused() && m_holds != HeldForSample;
    emit clockChanged(m_env->labMs(), paused, pacer->speed(), pacer->achievedSpeed());
}

void SwarmWorker::startTracker(TrackerServerConfig config, quint16 port) {
    Network* network = m_env->trackerNetwork();
    if (!network) {
        emit trackerStarted(false, QString(), QStringLiteral("this worker cannot host the tracker"));
        return;
    }
    config.network = network;
    m_tracker = new TrackerServer(config);
    if (m_settings.trackerAnnounces)
        connect(m_tracker, &TrackerServer::peerAnnounced, m_tracker,
                [counter = m_settings.trackerAnnounces] { ++*counter; });
    const bool ok = m_tracker->listen(m_env->trackerAddress(), port);
    // Peers here start at once, at this instant of the clock, not when the lab's thread has heard back.
    if (ok)
        setAnnounceUrl(m_tracker->announceUrl());
    emit trackerStarted(ok, ok ? m_tracker->announceUrl() : QString(),
                        ok ? QString() : m_tracker->errorString());
}

void SwarmWorker::stopTrackerAt(qint64 atMs) {
    callAtLab(atMs, [this] {
        delete m_tracker;
        m_tracker = nullptr;
    });
}

void SwarmWorker::setAnnounceUrl(const QString& url) {
    if (url == m_announceUrl)
        return;
    m_announceUrl = url;
    for (LabPeer* peer : std::as_const(m_peers))
        peer->start(url);
}

void SwarmWorker::callAtLab(qint64 atMs, std::function<void()> f) {
    const SimTime at = m_env->epoch() + fromMs(atMs);
    m_env->scheduler().callAtFirst(at, [guard = QPointer<SwarmWorker>(this), f = std::move(f)] {
        if (guard)
            f();
    });
}

void SwarmWorker::addPeer(const LabPeerSpec& spec) {
    m_pendingJoins.insert(spec.id);
    // As a command (applyToPeersAt()): a peer added for now while a virtual clock runs joins at the next
    // whole millisecond, first in that instant, so that its join is a time a scenario can say.
    qint64 at = spec.startAtMs;
    const SimPacer* pacer = m_env->pacer();
    if (pacer && !pacer->isPaused() && at <= m_env->labMs())
        at = m_env->labMs() + 1;
    if (at > m_env->labMs()) {
        LabPeerSpec later = spec;
        later.addedAtMs = at;
        callAtLab(at, [this, later] { addPeerNow(later); });
        if (at != spec.addedAtMs)
            emit peerJoinTime(spec.id, at);
        return;
    }
    LabPeerSpec now = spec;
    now.addedAtMs = m_env->labMs();
    if (now.addedAtMs != spec.addedAtMs)
        emit peerJoinTime(spec.id, now.addedAtMs);
    addPeerNow(now);
}

void SwarmWorker::addPeerNow(const LabPeerSpec& spec) {
    if (!m_pendingJoins.remove(spec.id) || m_peers.contains(spec.id) || m_shuttingDown)
        return;
    LabPeer::Environment environment;
    environment.worker = m_env.get();
    environment.hashPool = m_env->inlineHashing() ? nullptr : m_settings.hashPool;
    environment.clientTemplate = m_settings.clientTemplate;
    environment.dhtDirectory = m_settings.dhtDirectory;
    environment.observer = this;
    environment.wantEvents = m_eventMask != 0;
    auto* peer = new LabPeer(spec, environment, this);
    m_peers.insert(spec.id, peer);
    if (!m_announceUrl.isEmpty())
        peer->start(m_announceUrl);
}

void SwarmWorker::applyToPeers(int id, const std::function<void(LabPeer&)>& f) {
    if (id == kAllPeers) {
        for (LabPeer* peer : std::as_const(m_peers))
            f(*peer);
        return;
    }
    if (LabPeer* peer = m_peers.value(id))
        f(*peer);
}

qint64 SwarmWorker::applyToPeersAt(qint64 atMs, int id, const std::function<void(LabPeer&)>& f) {
    // While a virtual clock runs, a command for now waits for the next whole millisecond and runs there
    // before anything else of that instant: a time a scenario can say, so a saved run repeats it exactly.
    // A paused clock stands between instants: the command applies at once, as a scenario's would.
    const SimPacer* pacer = m_env->pacer();
    if (pacer && !pacer->isPaused() && atMs <= m_env->labMs())
        atMs = m_env->labMs() + 1;
    if (atMs <= m_env->labMs()) {
        applyToPeers(id, f);
        return m_env->labMs();
    }
    callAtLab(atMs, [this, id, f] { applyToPeers(id, f); });
    return atMs;
}

void SwarmWorker::removePeer(int id, bool deleteData) {
    LabPeer* peer = m_peers.take(id);
    if (!peer) {
        // Removed before its join came due: it never joins.
        if (m_pendingJoins.remove(id))
            emit peerRemoved(id);
        return;
    }
    m_leaving.insert(id, peer);
    if (deleteData)
        m_deleteData.insert(id);
    peer->stop();
}

void SwarmWorker::setEventMask(quint32 mask) {
    m_eventMask = mask;
    for (LabPeer* peer : std::as_const(m_peers))
        peer->setEventsWanted(mask != 0);
}

void SwarmWorker::setSampleInterval(qint64 intervalMs) {
    m_sampleIntervalMs = qMax<qint64>(0, intervalMs);
    m_sampleTimer->stop();
    if (m_sampleIntervalMs == 0)
        return;
    // On the grid of lab time: sample k is at exactly k x interval, in every worker and every run.
    const qint64 now = m_env->labMs();
    const qint64 next = (now / m_sampleIntervalMs + 1) * m_sampleIntervalMs;
    m_sampleTimer->setCallback([this] {
        const qint64 at = m_env->labMs();
        emitSample(at - at % m_sampleIntervalMs);
    });
    m_sampleTimer->startRepeatingAt(m_env->epoch() + fromMs(next), fromMs(m_sampleIntervalMs));
}

void SwarmWorker::setHoldClockWhenDone(bool hold) {
    m_holdWhenDone = hold;
}

void SwarmWorker::setHold(Hold hold, bool on) {
    m_holds = on ? (m_holds | hold) : (m_holds & ~unsigned(hold));
    if (SimPacer* pacer = m_env->pacer()) {
        pacer->setPaused(m_holds != 0);
        settleClock();
    }
}

// A clock that runs stops between two events, anywhere in a millisecond, after some of that millisecond's
// events. A join or a command given while it is paused applies at once, at labMs(); for a scenario to
// repeat that exactly, the clock must stand where the scenario's own action at that time would run: at the
// start of a whole millisecond, before any of its events. So a pause by the user first runs the events left
// before the next whole millisecond (less than one of lab time) and stands there. Holds for a sample or at
// the end of a run stay where they are: their readers act at that very instant.
void SwarmWorker::settleClock() {
    SimPacer* pacer = m_env->pacer();
    if (!pacer || !pacer->isPaused() || m_holds != HeldByUser || isSettled())
        return;
    SimScheduler& scheduler = pacer->scheduler();
    const SimTime next = fromMs(toMs(scheduler.now() - m_env->epoch()) + 1) + m_env->epoch();
    if (scheduler.runBefore(next) && scheduler.now() == next)
        markSettled();
    reportClock();
}

void SwarmWorker::markSettled() {
    const SimScheduler& scheduler = m_env->pacer()->scheduler();
    m_settledAt = scheduler.now();
    m_settledEvents = scheduler.eventsRun();
}

bool SwarmWorker::isSettled() const {
    const SimPacer* pacer = m_env->pacer();
    return pacer && pacer->scheduler().now() == m_settledAt &&
           pacer->scheduler().eventsRun() == m_settledEvents;
}

void SwarmWorker::setClockPaused(bool paused) {
    setHold(HeldByUser, paused);
}

void SwarmWorker::setHoldAfterSamples(bool hold) {
    m_holdAfterSamples = hold;
    if (!hold)
        setHold(HeldForSample, false);
}

void SwarmWorker::continueAfterSample() {
    setHold(HeldForSample, false);
}

void SwarmWorker::setClockSpeed(double speed) {
    if (SimPacer* pacer = m_env->pacer()) {
        pacer->setSpeed(speed);
        reportClock();
    }
}

void SwarmWorker::stepClock(qint64 ms) {
    SimPacer* pacer = m_env->pacer();
    if (!pacer || !pacer->isPaused() || ms <= 0)
        return;
    settleClock();
    // From the start of one whole millisecond to the start of another: what is given after the step
    // happens first in that instant, as a scenario's action at that time would.
    const SimTime target = pacer->scheduler().now() + fromMs(ms);
    pacer->stepBefore(target);
    if (m_holds == HeldByUser && pacer->scheduler().now() == target)
        markSettled();
    reportClock();
}

void SwarmWorker::setClockLimit(qint64 ms) {
    if (SimPacer* pacer = m_env->pacer())
        pacer->setPauseAt(ms > 0 ? m_env->epoch() + fromMs(ms) : SimTime::max());
}

WorkerReport SwarmWorker::makeReport(bool withEvents) {
    WorkerReport report;
    report.worker = m_settings.index;
    report.timeMs = m_env ? m_env->labMs() : 0;
    report.peers.reserve(m_peers.size() + m_leaving.size());
    for (LabPeer* peer : std::as_const(m_peers))
        report.peers.append(peer->snapshot(m_settings.withConnections, *m_settings.identity));
    if (withEvents) {
        report.events = std::exchange(m_events, {});
        report.droppedEvents = std::exchange(m_droppedEvents, 0);
    }
    return report;
}

void SwarmWorker::collect() {
    emit reported(makeReport(true));
}

void SwarmWorker::emitSample(qint64 sampleMs) {
    WorkerReport report = makeReport(false);
    report.timeMs = sampleMs;
    report.sample = true;
    emit sampled(report);
    // Held right after the sample, before any later event, so a reader's commands land at this instant.
    if (m_holdAfterSamples && m_env->pacer())
        setHold(HeldForSample, true);
}

void SwarmWorker::sampleNow() {
    emitSample(m_env->labMs());
}

void SwarmWorker::shutdown() {
    m_shuttingDown = true;
    // Stopping takes announces and closes, which take time: a held simulated clock must run for them.
    if (SimPacer* pacer = m_env->pacer()) {
        pacer->setPauseAt(SimTime::max());
        pacer->setSpeed(0);
        m_holdAfterSamples = false;
        m_holds = 0;
        pacer->setPaused(false);
    }
    const QList<LabPeer*> peers = m_peers.values();
    for (LabPeer* peer : peers)
        peer->stop();
    checkShutDown();
}

void SwarmWorker::labPeerEvent(const LabPeer& peer, const PeerEvent& event) {
    if (!(m_eventMask & (1u << unsigned(event.kind))))
        return;
    if (m_events.size() >= m_settings.maxEventsPerReport) {
        ++m_droppedEvents;
        return;
    }
    SwarmEvent e;
    e.peer = peer.id();
    e.torrent = peer.torrent();
    e.remotePeer = event.peerId.isEmpty() ? -1 : m_settings.identity->labPeerOf(event.peerId);
    e.timeMs = m_env->labMs();
    e.event = event;
    m_events.append(std::move(e));
}

void SwarmWorker::labPeerCompleted(const LabPeer& peer, qint64 labMs) {
    emit peerCompleted(peer.id(), labMs);
    m_completedLeechers.insert(peer.id());
    if (!m_holdWhenDone)
        return;
    for (const LabPeer* p : std::as_const(m_peers))
        if (p->role() == TorrentRole::Leecher && !m_completedLeechers.contains(p->id()))
            return;
    if (m_env->pacer())
        setHold(HeldWhenDone, true);
}

void SwarmWorker::labPeerLeaving(LabPeer& peer) {
    Q_UNUSED(peer);
}

void SwarmWorker::labPeerFailed(const LabPeer& peer, const QString& error) {
    emit peerFailed(peer.id(), error);
}

void SwarmWorker::labPeerStopped(LabPeer& peer) {
    const int id = peer.id();
    if (m_leaving.remove(id)) {
        const QString dir = peer.spec().dataDir;
        const bool deleteData = m_deleteData.remove(id) && peer.role() == TorrentRole::Leecher;
        // Called from the peer's client: delete it once that call has returned.
        peer.deleteLater();
        if (deleteData) {
            // The client still has the files open until the deferred delete runs; removing the names now is
            // fine on POSIX.
            QDir(dir).removeRecursively();
        }
        emit peerRemoved(id);
    }
    checkShutDown();
}

void SwarmWorker::checkShutDown() {
    if (!m_shuttingDown || m_shutDownReported)
        return;
    if (!m_leaving.isEmpty())
        return;
    for (LabPeer* peer : std::as_const(m_peers))
        if (!peer->hasStopped())
            return;
    m_shutDownReported = true;
    // Nothing is left to run: a simulated clock would otherwise race on at full speed, sampling peers that
    // have stopped, for as long as the lab object lives.
    if (m_sampleTimer)
        m_sampleTimer->stop();
    if (SimPacer* pacer = m_env->pacer())
        pacer->setPaused(true);
    emit shutDown(m_settings.index);
}

} // namespace swarmscope
