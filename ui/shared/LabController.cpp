#include "shared/LabController.h"

#include "metainfo/TorrentCreator.h"
#include "scenario/ScenarioRun.h"
#include "swarm/KumarRossBound.h"
#include "swarm/PseudoRandomFile.h"
#include "swarm/SwarmLab.h"

#include <QDir>
#include <QFile>
#include <QThread>

#include <cmath>
#include <memory>

namespace swarmscope::ui {

LabController::LabController(const SwarmLabConfig& config, QObject* parent)
    : QObject(parent), m_config(config), m_lab(new SwarmLab(config, this)) {
    m_conditions.uploadRate = kDefaultUploadRate;
    connectLab();
}

void LabController::connectLab() {
    connect(m_lab, &SwarmLab::trackerReady, this, &LabController::trackerReady);
    connect(m_lab, &SwarmLab::errorOccurred, this, [this](const QString& message) {
        if (m_demoWaitsForTracker) {
            m_demoWaitsForTracker = false;
            emit demoFailed(message);
        }
        emit errorOccurred(message);
    });
    connect(m_lab, &SwarmLab::snapshotReady, this, &LabController::onSnapshot);
    connect(m_lab, &SwarmLab::controlChanged, this, &LabController::onControl);
    connect(m_lab, &SwarmLab::eventsReady, this,
            [this](const QList<SwarmEvent>& events, int) { onEvents(events); });
}

LabController::~LabController() {
    // The demo's worker writes and hashes a few MiB; waiting for it is shorter than making it cancellable.
    if (m_demoThread)
        m_demoThread->wait();
    // A scenario's lab is its run's: gone with it, before the views that might still ask for m_lab.
    if (m_run) {
        m_run.reset();
        m_lab = nullptr;
    }
}

bool LabController::start() {
    return startLab();
}

double LabController::demoSpeed(const DemoSettings& settings) {
    // A swarm takes about 1.25 times its Kumar–Ross bound; slow motion stretches that to about a minute.
    const double bound = kumarRossBoundSeconds(settings.fileSize, settings.seeders, settings.seederUploadRate,
                                               settings.leechers, settings.leecherUploadRate, 0);
    if (!std::isfinite(bound) || bound <= 0)
        return 1.0;
    return qBound(0.1, std::round(bound * 1.25 / kDemoWallSeconds * 100) / 100, 1.0);
}

bool LabController::startLab() {
    m_recording.clear();
    m_recording.setMeta({m_config.timeMode, m_config.seed, QStringLiteral("Swarmscope")});
    if (!m_lab->start())
        return false;
    m_recording.setMeta({m_config.timeMode, m_lab->seed(), QStringLiteral("Swarmscope")});
    if (m_lab->controlsClock()) {
        m_lab->setSpeed(1.0);
        m_lab->resumeAll();
    }
    return true;
}

bool LabController::isInUse() const {
    // A closed torrent's peers may still be saying "stopped" to the tracker: the lab is in use until they
    // are gone.
    return !torrentIds().isEmpty() || !m_lab->peerIds().isEmpty() || isPreparingDemo();
}

bool LabController::relocate(const QString& labDir) {
    SwarmLabConfig config = m_config;
    config.labDir = labDir;
    return replaceLab(config);
}

bool LabController::setTimeMode(TimeMode mode, quint32 seed) {
    SwarmLabConfig config = m_config;
    config.timeMode = mode;
    config.seed = seed;
    return replaceLab(config);
}

bool LabController::replaceLab(const SwarmLabConfig& config) {
    if (isInUse())
        return false;
    m_config = config;
    // Nothing runs in it yet, so dropping it abruptly loses nothing.
    if (m_run)
        m_run.reset();
    else
        delete m_lab;
    m_lab = new SwarmLab(m_config, this);
    connectLab();
    resetLabState();
    emit labReplaced();
    emit torrentsChanged();
    emit activeTorrentChanged(0);
    return startLab();
}

void LabController::resetLabState() {
    m_activeTorrent = 0;
    m_snapshot.reset();
    m_pendingLeechers.clear();
    m_closedTorrents.clear();
    m_peerStarts.clear();
    m_sourceDirs.clear();
    m_generatedTorrents.clear();
}

bool LabController::runScenario(std::unique_ptr<ScenarioRun> run) {
    if (!run || !run->content() || isPreparingDemo())
        return false;
    // Whatever the old lab still holds is dropped abruptly: the caller has closed its torrents, or was told.
    if (m_run)
        m_run.reset();
    else
        delete m_lab;
    m_lab = nullptr;
    m_run = std::move(run);
    resetLabState();
    m_runError.clear();
    m_config.timeMode = m_run->timeMode();
    m_config.seed = m_run->seed();
    if (!m_run->start()) {
        m_runError = m_run->errorString();
        m_run.reset();
        m_lab = new SwarmLab(m_config, this);
        connectLab();
        emit labReplaced();
        emit torrentsChanged();
        emit activeTorrentChanged(0);
        startLab();
        return false;
    }
    m_lab = m_run->lab();
    // The run needs neither events nor quick snapshots; the window's views do.
    m_lab->setEventKinds({PeerEventKind::Connected, PeerEventKind::Disconnected, PeerEventKind::Choked,
                          PeerEventKind::Unchoked, PeerEventKind::PeerChoked, PeerEventKind::PeerUnchoked,
                          PeerEventKind::Have, PeerEventKind::PieceVerified, PeerEventKind::HashFailed,
                          PeerEventKind::PeerBanned, PeerEventKind::Extensions, PeerEventKind::Completed,
                          PeerEventKind::Error});
    m_lab->setSnapshotRate(m_config.snapshotHz);
    connectLab();
    // A recording of its own, with the controls the scenario gave as it started.
    m_recording.clear();
    m_recording.setMeta({m_config.timeMode, m_lab->seed(), QStringLiteral("Swarmscope")});
    m_recordedPeers = 0;
    for (const LabControlChange& change : m_lab->controlLog())
        m_recording.appendControl(change);
    connect(m_run.get(), &ScenarioRun::finished, this, [this]() {
        // The run no longer reads its samples: a clock the user starts again must not wait for it.
        if (m_run && m_run->lab() == m_lab && m_lab->controlsClock())
            m_lab->setHoldAfterSamples(false);
        emit scenarioFinished();
    });
    const Scenario& scenario = m_run->scenario();
    for (const ScenarioPeer& peer : m_run->result().peers) {
        const ScenarioGroup* group = scenario.group(peer.group);
        if (!group)
            continue;
        LabPeerStart start;
        start.role = group->role;
        start.conditions = group->link;
        start.picker = group->picker;
        start.choker = group->choker;
        start.freeRider = group->behaviour.kind == PeerBehaviour::FreeRider;
        start.corrupt = group->behaviour.kind == PeerBehaviour::Corrupt;
        start.leaveWhenDone = group->behaviour.kind == PeerBehaviour::LeavesWhenDone;
        start.stayMs = group->behaviour.kind == PeerBehaviour::LeavesAfter ? group->behaviour.stayMs : 0;
        start.joinMs = peer.joinMs;
        m_peerStarts.insert(peer.id, start);
    }
    // Peers the user adds join as the scenario's last group of leechers does, and the control panel says so.
    for (const ScenarioGroup& group : scenario.groups) {
        if (group.role != TorrentRole::Leecher || group.behaviour.kind != PeerBehaviour::Normal)
            continue;
        m_conditions = group.link;
        m_strategy = group.picker;
        m_choker = group.choker;
    }
    emit newPeerSettingsChanged();
    const QList<int> torrents = m_lab->torrentIds();
    const int torrent = torrents.isEmpty() ? 0 : torrents.first();
    m_sourceDirs.insert(torrent, m_run->content()->servedDir);
    if (scenario.content.source == ContentSource::Generated)
        m_generatedTorrents.insert(torrent);
    emit labReplaced();
    if (!m_lab->announceUrl().isEmpty())
        emit trackerReady(m_lab->announceUrl());
    emit torrentsChanged();
    setActiveTorrent(torrent);
    return true;
}

std::optional<LabPeerStart> LabController::peerStart(int peer) const {
    const auto it = m_peerStarts.constFind(peer);
    if (it == m_peerStarts.cend())
        return std::nullopt;
    return *it;
}

QString LabController::errorString() const {
    return m_runError.isEmpty() ? m_lab->errorString() : m_runError;
}

QString LabController::announceUrl() const {
    return m_lab->announceUrl();
}

QString LabController::labDir() const {
    return m_lab->labDir();
}

int LabController::addTorrent(const Metainfo& metainfo, const QString& sourceDir, bool trustSourceData) {
    const int id = m_lab->addTorrent(metainfo, sourceDir, trustSourceData);
    if (id == 0)
        return 0;
    m_sourceDirs.insert(id, sourceDir);
    emit torrentsChanged();
    setActiveTorrent(id);
    return id;
}

QList<int> LabController::torrentIds() const {
    QList<int> open;
    for (int id : m_lab->torrentIds())
        if (!m_closedTorrents.contains(id))
            open.append(id);
    return open;
}

void LabController::closeTorrent(int torrent) {
    if (torrent == 0 || m_closedTorrents.contains(torrent) || !m_lab->torrentIds().contains(torrent))
        return;
    for (int peer : m_lab->peerIds(torrent))
        m_lab->removePeer(peer, true);
    m_pendingLeechers.remove(torrent);
    m_closedTorrents.insert(torrent);
    emit torrentsChanged();
    if (m_activeTorrent == torrent) {
        const QList<int> open = torrentIds();
        setActiveTorrent(open.isEmpty() ? 0 : open.last());
    }
}

QString LabController::torrentName(int torrent) const {
    const std::optional<Metainfo> metainfo = m_lab->torrentMetainfo(torrent);
    return metainfo ? metainfo->name : QString();
}

void LabController::setActiveTorrent(int torrent) {
    if (torrent == m_activeTorrent)
        return;
    m_activeTorrent = torrent;
    // Show the switch at once rather than at the next tick.
    if (const SwarmSnapshotPtr last = m_lab->lastSnapshot()) {
        m_snapshot = filterSnapshot(last, m_activeTorrent);
        emit snapshotReady(m_snapshot);
    }
    emit activeTorrentChanged(torrent);
}

void LabController::startDemo(const DemoSettings& settings) {
    if (isPreparingDemo() || !m_lab->isStarted())
        return;
    const QString announceUrl = m_lab->announceUrl();
    if (announceUrl.isEmpty()) {
        // The demo's torrent names the lab's tracker, so that clients outside the lab can join it too.
        m_demoWaitsForTracker = true;
        connect(
            m_lab, &SwarmLab::trackerReady, this,
            [this, settings]() {
                m_demoWaitsForTracker = false;
                startDemo(settings);
            },
            Qt::SingleShotConnection);
        return;
    }
    if (m_lab->controlsClock())
        m_lab->setSpeed(demoSpeed(settings));
    const QString sourceDir = QDir(m_lab->labDir()).filePath(QStringLiteral("demo-%1").arg(++m_demoCount));
    const QString path = QDir(sourceDir).filePath(QStringLiteral("demo-%1.bin").arg(m_demoCount));
    QPointer<LabController> self(this);
    m_demoThread = QThread::create([self, settings, sourceDir, path, announceUrl]() {
        QString error;
        QByteArray torrent;
        if (!QDir().mkpath(sourceDir)) {
            error = tr("cannot create %1").arg(sourceDir);
        } else if (writePseudoRandomFile(path, settings.fileSize, 1, &error)) {
            TorrentCreateOptions options;
            options.path = path;
            options.pieceLength = settings.pieceLength;
            options.trackers = {announceUrl};
            options.createdBy = QStringLiteral("Swarmscope");
            TorrentCreator creator(options);
            const TorrentCreateResult result = creator.run();
            if (result.ok())
                torrent = result.torrent;
            else
                error = result.error;
            // Beside the data, for anyone who wants to point another client at the demo.
            QFile file(path + QStringLiteral(".torrent"));
            if (result.ok() && file.open(QIODevice::WriteOnly))
                file.write(result.torrent);
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, error, torrent, sourceDir, settings]() {
                if (self)
                    self->finishDemo(error, torrent, sourceDir, settings);
            },
            Qt::QueuedConnection);
    });
    connect(m_demoThread, &QThread::finished, m_demoThread, &QObject::deleteLater);
    m_demoThread->start();
}

void LabController::finishDemo(const QString& error, const QByteArray& torrent, const QString& sourceDir,
                               const DemoSettings& settings) {
    if (m_demoThread)
        m_demoThread->wait();
    m_demoThread = nullptr;
    if (!error.isEmpty()) {
        emit demoFailed(error);
        return;
    }
    const MetainfoParseResult parsed = parseMetainfo(torrent);
    if (!parsed.ok()) {
        emit demoFailed(parsed.message);
        return;
    }
    // The demo's caps become the every-peer settings, so the control panel shows what the peers do.
    m_conditions.uploadRate = settings.leecherUploadRate;
    emit newPeerSettingsChanged();

    const int id = addTorrent(*parsed.metainfo, sourceDir, true);
    if (id == 0) {
        emit demoFailed(tr("the demo torrent has no pieces"));
        return;
    }
    m_generatedTorrents.insert(id);
    PeerConditions seederConditions = m_conditions;
    seederConditions.uploadRate = settings.seederUploadRate;
    addPeers(id, TorrentRole::Seeder, settings.seeders, seederConditions);
    if (settings.leechers > 0)
        m_pendingLeechers.insert(id, PendingLeechers{settings.leechers, m_conditions});
    emit demoStarted(id);
}

QList<int> LabController::addSeeders(int count) {
    return addPeers(m_activeTorrent, TorrentRole::Seeder, count, m_conditions);
}

QList<int> LabController::addLeechers(int count) {
    return addPeers(m_activeTorrent, TorrentRole::Leecher, count, m_conditions);
}

QList<int> LabController::addPeers(int torrent, TorrentRole role, int count,
                                   const PeerConditions& conditions) {
    // They start with the every-peer picker and choker, rather than being told so once they run.
    LabPeerOptions options;
    options.picker = m_strategy;
    options.choker = m_choker;
    const QList<int> ids = m_lab->addPeers(torrent, role, count, conditions, options);
    for (int id : ids) {
        LabPeerStart start;
        start.role = role;
        start.conditions = conditions;
        start.picker = options.picker;
        start.choker = options.choker;
        const std::optional<LabPeerInfo> info = m_lab->peerInfo(id);
        start.joinMs = info ? info->addedAtMs : m_lab->nowMs();
        m_peerStarts.insert(id, start);
    }
    return ids;
}

void LabController::setLatency(int peer, qint64 latencyMs, qint64 jitterMs) {
    if (peer == 0) {
        m_conditions.latencyMs = latencyMs;
        m_conditions.jitterMs = jitterMs;
    }
    m_lab->setLatency(peer, latencyMs, jitterMs);
}

void LabController::setUploadRate(int peer, qint64 bytesPerSecond) {
    if (peer == 0)
        m_conditions.uploadRate = bytesPerSecond;
    m_lab->setUploadRate(peer, bytesPerSecond);
}

void LabController::setDownloadRate(int peer, qint64 bytesPerSecond) {
    if (peer == 0)
        m_conditions.downloadRate = bytesPerSecond;
    m_lab->setDownloadRate(peer, bytesPerSecond);
}

void LabController::setPickerStrategy(int peer, PickerStrategy strategy) {
    if (peer == 0)
        m_strategy = strategy;
    m_lab->setPickerStrategy(peer, strategy);
}

void LabController::setChokerEnabled(int peer, bool enabled) {
    if (peer == 0)
        m_choker = enabled;
    m_lab->setChokerEnabled(peer, enabled);
}

void LabController::onSnapshot(const SwarmSnapshotPtr& snapshot) {
    for (auto it = m_pendingLeechers.begin(); it != m_pendingLeechers.end();) {
        bool seedersReady = true;
        for (const LabPeerSnapshot& peer : snapshot->peers)
            if (peer.torrent == it.key() && peer.role == TorrentRole::Seeder &&
                peer.state != LabPeerState::Seeding)
                seedersReady = false;
        if (!seedersReady) {
            ++it;
            continue;
        }
        addPeers(it.key(), TorrentRole::Leecher, it->count, it->conditions);
        it = m_pendingLeechers.erase(it);
    }
    // Every torrent's, as the lab showed it; a frame per kRecordIntervalMs of lab time at most, which is
    // finer than the eye follows at any speed and keeps the encoding off the window's critical path.
    if (m_recording.isEmpty() || snapshot->timeMs - m_recording.endMs() >= kRecordIntervalMs ||
        snapshot->peers.size() != m_recordedPeers) {
        m_recording.append(*snapshot);
        m_recordedPeers = snapshot->peers.size();
    }
    m_snapshot = filterSnapshot(snapshot, m_activeTorrent);
    emit snapshotReady(m_snapshot);
}

void LabController::onControl(const LabControlChange& change) {
    m_recording.appendControl(change);
    emit controlChanged(change);
    // The log lists what changes peers; in real time Pause pauses every peer, so it does too.
    const bool pausesPeers = (change.kind == LabControlChange::Kind::PauseAll ||
                              change.kind == LabControlChange::Kind::ResumeAll) &&
                             !m_lab->controlsClock();
    if (!change.changesPeers() && !pausesPeers)
        return;
    SwarmEvent event;
    event.peer = change.peer;
    const std::optional<LabPeerInfo> info = change.peer > 0 ? m_lab->peerInfo(change.peer) : std::nullopt;
    event.torrent = info ? info->torrent : m_activeTorrent;
    event.timeMs = change.timeMs;
    event.event.kind = PeerEventKind::Control;
    event.event.timeMs = change.timeMs;
    event.event.reason = change.label();
    emit eventsReady({event});
}

void LabController::onEvents(const QList<SwarmEvent>& events) {
    // Every torrent's: the log keeps them all and shows the shown torrent's, so switching back to a torrent
    // shows what happened in it meanwhile.
    emit eventsReady(events);
}

SwarmSnapshotPtr LabController::filterSnapshot(const SwarmSnapshotPtr& snapshot, int torrent) {
    if (!snapshot)
        return snapshot;
    bool othersPresent = false;
    for (const LabTorrentSnapshot& t : snapshot->torrents)
        othersPresent = othersPresent || t.id != torrent;
    for (const LabPeerSnapshot& p : snapshot->peers)
        othersPresent = othersPresent || p.torrent != torrent;
    if (!othersPresent)
        return snapshot;

    auto filtered = std::make_shared<SwarmSnapshot>();
    filtered->sequence = snapshot->sequence;
    filtered->timeMs = snapshot->timeMs;
    for (const LabTorrentSnapshot& t : snapshot->torrents)
        if (t.id == torrent)
            filtered->torrents.append(t);
    for (const LabPeerSnapshot& p : snapshot->peers) {
        if (p.torrent != torrent)
            continue;
        filtered->peers.append(p);
        filtered->downloadRate += p.downloadRate;
        filtered->uploadRate += p.uploadRate;
    }
    return filtered;
}

} // namespace swarmscope::ui
