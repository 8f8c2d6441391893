#include "scenario/ScenarioRun.h"

#include "swarm/KumarRossBound.h"
#include "swarm/SwarmLab.h"

#include <QDir>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cmath>
#include <random>

namespace swarmscope {

namespace {

// FNV-1a: a stable hash of a group's name (qHash is seeded per process).
quint64 stableHash(const QString& text) {
    quint64 h = 14695981039346656037ULL;
    for (const QChar c : text) {
        h ^= c.unicode();
        h *= 1099511628211ULL;
    }
    return h;
}

LabCommand labCommandFor(const ScenarioAction& action) {
    LabCommand c;
    switch (action.kind) {
    case ActionKind::Kill:
        c.kind = LabCommand::Kind::Kill;
        break;
    case ActionKind::Pause:
        c.kind = LabCommand::Kind::Pause;
        break;
    case ActionKind::Resume:
        c.kind = LabCommand::Kind::Resume;
        break;
    case ActionKind::Restart:
        c.kind = LabCommand::Kind::Restart;
        break;
    case ActionKind::Leave:
        c.kind = LabCommand::Kind::Leave;
        break;
    case ActionKind::SetLink:
        c.kind = LabCommand::Kind::SetLink;
        c.link = action.link;
        break;
    case ActionKind::SetPicker:
        c.kind = LabCommand::Kind::SetPicker;
        c.picker = action.picker;
        break;
    case ActionKind::SetChoker:
        c.kind = LabCommand::Kind::SetChoker;
        c.enabled = action.choker;
        break;
    }
    return c;
}

// A setting, rather than something that happens to a running peer: a peer that joins later starts with it.
bool isSetting(ActionKind kind) {
    return kind == ActionKind::SetLink || kind == ActionKind::SetPicker || kind == ActionKind::SetChoker;
}

bool isPresent(LabPeerState state) {
    return state == LabPeerState::Downloading || state == LabPeerState::Seeding ||
           state == LabPeerState::Paused;
}

} // namespace

QString scenarioStopReasonName(ScenarioStopReason reason) {
    switch (reason) {
    case ScenarioStopReason::LeechersComplete:
        return QStringLiteral("leechers-complete");
    case ScenarioStopReason::TimeLimit:
        return QStringLiteral("time-limit");
    case ScenarioStopReason::Interrupted:
        return QStringLiteral("interrupted");
    case ScenarioStopReason::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

QList<const ScenarioPeer*> ScenarioResult::leechers() const {
    QList<const ScenarioPeer*> out;
    for (const ScenarioPeer& p : peers)
        if (p.role == TorrentRole::Leecher)
            out.append(&p);
    return out;
}

int ScenarioResult::completedLeechers() const {
    int n = 0;
    for (const ScenarioPeer& p : peers)
        if (p.role == TorrentRole::Leecher && p.completedAtMs >= 0)
            ++n;
    return n;
}

int ScenarioResult::seeders() const {
    int n = 0;
    for (const ScenarioPeer& p : peers)
        if (p.role == TorrentRole::Seeder)
            ++n;
    return n;
}

bool ScenarioResult::verified() const {
    const int leecherCount = int(leechers().size());
    return verificationRan && leecherCount > 0 && completedLeechers() == leecherCount &&
           verifiedCount == leecherCount;
}

ScenarioRun::ScenarioRun(const Scenario& scenario, const ScenarioRunOptions& options, QObject* parent)
    : QObject(parent), m_scenario(scenario), m_options(options) {
    m_timeMode = options.timeMode.value_or(scenario.time.mode);
    if (options.seed)
        m_seed = *options.seed;
    else if (scenario.time.seed)
        m_seed = *scenario.time.seed;
    else
        m_seed = QRandomGenerator::system()->generate();
    if (m_seed == 0) // the lab reads 0 as "random"; a run always has a seed it can report
        m_seed = 1;
}

ScenarioRun::~ScenarioRun() = default;

QList<qint64> ScenarioRun::joinTimes(const ScenarioGroup& group, int groupIndex, quint32 seed) {
    QList<qint64> times;
    times.reserve(group.count);
    switch (group.arrival.kind) {
    case ArrivalKind::AtOnce:
        for (int i = 0; i < group.count; ++i)
            times.append(group.joinMs);
        break;
    case ArrivalKind::Interval:
        for (int i = 0; i < group.count; ++i)
            times.append(group.joinMs + qint64(i) * group.arrival.intervalMs);
        break;
    case ArrivalKind::Poisson: {
        // Exponential gaps from a generator of the run's seed and the group: the same arrivals every run.
        std::mt19937_64 random(quint64(seed) * 0x9E3779B97F4A7C15ULL ^ stableHash(group.name) ^
                               quint64(groupIndex + 1));
        double t = double(group.joinMs);
        for (int i = 0; i < group.count; ++i) {
            const double u = double(random() >> 11) * 0x1.0p-53; // [0, 1)
            t += -std::log1p(-u) / group.arrival.joinsPerSecond * 1000.0;
            times.append(qint64(std::llround(t)));
        }
        break;
    }
    }
    return times;
}

ContentPrepResult ScenarioRun::prepare(const std::function<bool(qint64, qint64)>& progress) {
    if (m_options.workDir.isEmpty()) {
        m_tempDir =
            std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("swarmscope-run-XXXXXX")));
        if (!m_tempDir->isValid()) {
            ContentPrepResult r;
            r.error = QStringLiteral("cannot create a temporary directory: %1").arg(m_tempDir->errorString());
            return r;
        }
        m_workDir = m_tempDir->path();
    } else {
        m_workDir = m_options.workDir;
        QDir().mkpath(m_workDir);
    }
    ContentPrepRequest request;
    if (m_scenario.content.source == ContentSource::Generated)
        request.size = m_scenario.content.size;
    else
        request.path = m_scenario.content.path;
    request.pieceSize = m_scenario.content.pieceSize;
    request.workDir = m_workDir;
    request.createdBy = m_options.createdBy;
    request.progress = progress;
    ContentPrepResult r = prepareContent(request);
    if (r.ok())
        m_content = r.content;
    return r;
}

bool ScenarioRun::start() {
    if (!m_content) {
        m_error = QStringLiteral("the content is not prepared");
        return false;
    }
    const int peers = m_scenario.peerCount();
    SwarmLabConfig config;
    config.timeMode = m_timeMode;
    config.seed = m_seed;
    config.labDir = QDir(m_workDir).filePath(QStringLiteral("lab"));
    config.keepLabDir = true; // the work directory decides
    config.snapshotConnections = m_scenario.measure.connectionBytes || m_options.connections;
    config.client = SwarmLabConfig::clientConfigForPeers(peers);
    config.plannedPeers = peers;
    config.sampleIntervalMs = m_scenario.measure.sampleIntervalMs;
    m_lab = std::make_unique<SwarmLab>(config);
    if (!m_lab->start()) {
        m_error = m_lab->errorString();
        return false;
    }
    m_lab->setEventKinds({});
    m_lab->setSnapshotRate(4);
    connect(m_lab.get(), &SwarmLab::sampleReady, this, &ScenarioRun::onSample);
    connect(m_lab.get(), &SwarmLab::verificationFinished, this, &ScenarioRun::onVerified);
    connect(m_lab.get(), &SwarmLab::errorOccurred, this,
            [this](const QString& error) { finishRun(ScenarioStopReason::Failed, error); });
    connect(m_lab.get(), &SwarmLab::peerFailed, this, [this](int peer, const QString& error) {
        finishRun(ScenarioStopReason::Failed, QStringLiteral("peer %1: %2").arg(peer).arg(error));
    });
    const std::optional<qint64> limit = m_scenario.stop.timeLimitMs;
    if (limit && m_timeMode == TimeMode::Simulated && *limit % m_scenario.measure.sampleIntervalMs != 0) {
        // The clock stops at the limit, between two samples: one more sample there ends the run.
        connect(m_lab.get(), &SwarmLab::clockChanged, this, [this, limit](qint64 labMs, bool paused) {
            if (paused && labMs >= *limit && !m_stopping)
                m_lab->sampleNow();
        });
    }

    m_torrent = m_lab->addTorrent(m_content->metainfo, m_content->servedDir, true);
    m_result.timeMode = m_timeMode;
    m_result.seed = m_seed;
    m_result.fileSize = m_content->metainfo.totalSize;
    m_result.pieceSize = m_content->metainfo.pieceLength;
    m_result.pieceCount = m_content->metainfo.pieceCount();
    m_result.actionTimesMs = QList<qint64>(m_scenario.actions.size(), -1);
    m_fired = QList<bool>(m_scenario.actions.size(), false);
    addGroups();
    scheduleActions();

    if (m_timeMode == TimeMode::Simulated) {
        m_lab->setHoldAfterSamples(true);
        if (limit)
            m_lab->setClockLimit(*limit);
        m_lab->setSpeed(m_options.speed);
        if (!m_options.startPaused)
            m_lab->resumeAll();
    }
    return true;
}

void ScenarioRun::addGroups() {
    SwarmCapacities capacities;
    capacities.fileSize = m_result.fileSize;
    for (int g = 0; g < m_scenario.groups.size(); ++g) {
        const ScenarioGroup& group = m_scenario.groups.at(g);
        LabPeerOptions options;
        options.picker = group.picker;
        options.choker = group.choker;
        options.seeding = group.seeding;
        options.pipelineDepth = group.pipelineDepth;
        options.freeRider = group.behaviour.kind == PeerBehaviour::FreeRider;
        options.corrupt = group.behaviour.kind == PeerBehaviour::Corrupt;
        options.leaveWhenDone = group.behaviour.kind == PeerBehaviour::LeavesWhenDone;
        const QList<qint64> times = joinTimes(group, g, m_seed);
        QList<int>& ids = m_groupPeers[group.name];
        for (int i = 0; i < times.size(); ++i) {
            options.joinAtMs = times.at(i);
            const QList<int> added = m_lab->addPeers(m_torrent, group.role, 1, group.link, options);
            if (added.isEmpty())
                continue;
            const int id = added.first();
            ids.append(id);
            ScenarioPeer peer;
            peer.id = id;
            peer.group = group.name;
            peer.index = i;
            peer.role = group.role;
            peer.behaviour = group.behaviour.kind;
            peer.joinMs = m_lab->peerInfo(id) ? m_lab->peerInfo(id)->addedAtMs : times.at(i);
            m_peerIndex.insert(id, int(m_result.peers.size()));
            m_result.peers.append(peer);
            if (group.behaviour.kind == PeerBehaviour::LeavesAfter) {
                LabCommand leave;
                leave.kind = LabCommand::Kind::Leave;
                m_lab->command(id, leave, peer.joinMs + group.behaviour.stayMs);
            }
            if (group.role == TorrentRole::Seeder) {
                capacities.seederUploads.append(group.link.uploadRate);
            } else {
                // A free-rider gives nothing: as good as no upload capacity (0 would mean unlimited).
                capacities.leecherUploads.append(options.freeRider ? 1 : group.link.uploadRate);
                capacities.leecherDownloads.append(group.link.downloadRate);
            }
        }
    }
    m_result.boundSeconds = kumarRossBoundSeconds(capacities);
}

QList<int> ScenarioRun::resolve(const ScenarioTarget& target) const {
    switch (target.kind) {
    case ScenarioTarget::Kind::All: {
        QList<int> all;
        for (const ScenarioPeer& p : m_result.peers)
            all.append(p.id);
        return all;
    }
    case ScenarioTarget::Kind::Group:
        return m_groupPeers.value(target.group);
    case ScenarioTarget::Kind::Peer: {
        const QList<int> ids = m_groupPeers.value(target.group);
        if (target.index >= 0 && target.index < ids.size())
            return {ids.at(target.index)};
        return {};
    }
    }
    return {};
}

void ScenarioRun::issue(const ScenarioAction& action, const QList<int>& peers, qint64 atMs) {
    const LabCommand command = labCommandFor(action);
    for (int id : peers) {
        qint64 at = atMs;
        const ScenarioPeer& peer = m_result.peers.at(m_peerIndex.value(id));
        if (isSetting(action.kind) && peer.joinMs > at)
            at = peer.joinMs; // joins with it, right after it appears
        m_lab->command(id, command, at);
    }
}

void ScenarioRun::scheduleActions() {
    for (int i = 0; i < m_scenario.actions.size(); ++i) {
        const ScenarioAction& action = m_scenario.actions.at(i);
        if (action.atMs)
            issue(action, resolve(action.target), *action.atMs);
    }
}

bool ScenarioRun::conditionHolds(const ScenarioCondition& condition, const ScenarioAction& action,
                                 const SwarmSnapshot& sample) const {
    switch (condition.kind) {
    case ConditionKind::UploadedCopies: {
        qint64 uploaded = 0;
        for (int id : resolve(condition.subject.value_or(action.target)))
            uploaded += m_uploadBase.value(id) + m_lastUploaded.value(id);
        return double(uploaded) >= condition.value * double(m_result.fileSize);
    }
    case ConditionKind::CompletedFraction: {
        const QList<int> subject = resolve(condition.subject.value_or(ScenarioTarget{}));
        int leechers = 0;
        int completed = 0;
        for (int id : subject) {
            const ScenarioPeer& peer = m_result.peers.at(m_peerIndex.value(id));
            if (peer.role != TorrentRole::Leecher)
                continue;
            ++leechers;
            if (peer.completedAtMs >= 0 && peer.completedAtMs <= sample.timeMs)
                ++completed;
        }
        return leechers > 0 && double(completed) >= condition.value * double(leechers) - 1e-9;
    }
    }
    return false;
}

bool ScenarioRun::leechersDone(const SwarmSnapshot& sample) const {
    for (const ScenarioPeer& peer : m_result.peers) {
        if (peer.role != TorrentRole::Leecher || peer.completedAtMs >= 0)
            continue;
        const LabPeerSnapshot* p = sample.peer(peer.id);
        if (!p || p->state != LabPeerState::Stopped)
            return false; // not joined yet, or still at it
        // Stopped (killed or left) counts as gone for good unless an action will restart it.
        for (int i = 0; i < m_scenario.actions.size(); ++i) {
            const ScenarioAction& action = m_scenario.actions.at(i);
            if (action.kind != ActionKind::Restart || m_fired.at(i))
                continue;
            if (action.atMs && *action.atMs <= sample.timeMs)
                continue;
            if (resolve(action.target).contains(peer.id))
                return false;
        }
    }
    return true;
}

void ScenarioRun::recordSample(const SwarmSnapshot& sample) {
    ScenarioSample s;
    s.timeMs = sample.timeMs;
    const int pieces = m_result.pieceCount;
    QList<int> copies(pieces, 0);
    for (const LabPeerSnapshot& p : sample.peers) {
        const auto index = m_peerIndex.constFind(p.id);
        if (index == m_peerIndex.cend())
            continue;
        ScenarioPeer& peer = m_result.peers[*index];
        if (peer.completedAtMs < 0 && p.completedAtMs >= 0 && peer.role == TorrentRole::Leecher)
            peer.completedAtMs = p.completedAtMs;
        if (peer.completedAtMs >= 0)
            ++s.completedLeechers;
        // Counters start again from zero when a peer restarts; what it sent before still counts.
        const qint64 last = m_lastUploaded.value(p.id);
        if (p.uploaded < last)
            m_uploadBase[p.id] += last;
        m_lastUploaded[p.id] = p.uploaded;
        if (!isPresent(p.state) || p.have.size() != pieces)
            continue;
        ++s.peersPresent;
        p.have.forEachSet([&](int i) { ++copies[i]; });
    }
    if (pieces > 0) {
        qint64 total = 0;
        s.minCopies = copies.first();
        for (int c : std::as_const(copies)) {
            s.minCopies = qMin(s.minCopies, c);
            total += c;
            if (c == 0)
                ++s.piecesNowhere;
        }
        s.meanCopies = double(total) / pieces;
    }
    m_result.samples.append(s);
}

void ScenarioRun::onSample(const SwarmSnapshotPtr& sample) {
    if (m_stopping)
        return;
    emit sampled(sample);
    recordSample(*sample);
    for (int i = 0; i < m_scenario.actions.size(); ++i) {
        const ScenarioAction& action = m_scenario.actions.at(i);
        if (action.atMs && *action.atMs <= sample->timeMs && m_result.actionTimesMs.at(i) < 0) {
            m_result.actionTimesMs[i] = *action.atMs;
            emit actionTaken(i, *action.atMs);
        }
        if (!action.when || m_fired.at(i) || !conditionHolds(*action.when, action, *sample))
            continue;
        m_fired[i] = true;
        m_result.actionTimesMs[i] = sample->timeMs;
        // Now: in simulated time the clock waits for this sample, so the command lands at its instant.
        issue(action, resolve(action.target), 0);
        emit actionTaken(i, sample->timeMs);
    }
    const std::optional<qint64> limit = m_scenario.stop.timeLimitMs;
    if (m_stopRequested) {
        finishRun(ScenarioStopReason::Interrupted);
        return;
    }
    if (m_scenario.stop.leechersComplete && leechersDone(*sample)) {
        finishRun(ScenarioStopReason::LeechersComplete);
        return;
    }
    if (limit && sample->timeMs >= *limit) {
        finishRun(ScenarioStopReason::TimeLimit);
        return;
    }
    if (m_timeMode == TimeMode::Simulated)
        m_lab->continueAfterSample();
}

void ScenarioRun::stop() {
    if (m_stopping || !m_lab)
        return;
    m_stopRequested = true;
    finishRun(ScenarioStopReason::Interrupted);
}

void ScenarioRun::finishRun(ScenarioStopReason reason, const QString& error) {
    if (m_stopping)
        return;
    m_stopping = true;
    m_result.stopReason = reason;
    m_result.error = error;
    m_result.endMs = m_result.samples.isEmpty() || reason == ScenarioStopReason::Interrupted ||
                             reason == ScenarioStopReason::Failed
                         ? m_lab->nowMs()
                         : m_result.samples.last().timeMs;
    if (m_timeMode == TimeMode::Simulated)
        m_lab->pauseAll();
    // The lab's own record of completions is exact; samples may not have seen the last ones yet.
    QList<int> completed;
    for (ScenarioPeer& peer : m_result.peers) {
        if (peer.role != TorrentRole::Leecher)
            continue;
        if (const std::optional<LabPeerInfo> info = m_lab->peerInfo(peer.id);
            info && info->completedAtMs >= 0 && info->completedAtMs <= m_result.endMs &&
            (peer.completedAtMs < 0 || info->completedAtMs < peer.completedAtMs))
            peer.completedAtMs = info->completedAtMs;
        if (peer.completedAtMs >= 0)
            completed.append(peer.id);
    }
    if (m_options.verify && !completed.isEmpty() && reason != ScenarioStopReason::Failed) {
        m_result.verificationRan = true;
        m_lab->verifyLeechers(completed);
        return;
    }
    complete();
}

void ScenarioRun::onVerified(const QList<LeecherVerification>& results) {
    if (m_finished || !m_stopping)
        return;
    m_result.verifiedCount = 0;
    for (const LeecherVerification& v : results)
        if (v.verified && m_peerIndex.contains(v.peer))
            ++m_result.verifiedCount;
    complete();
}

void ScenarioRun::complete() {
    if (m_finished)
        return;
    m_finished = true;
    emit finished();
}

} // namespace swarmscope
