#include "cli/ScenarioCommand.h"

#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/OptionValues.h"
#include "cli/ProgressReporter.h"
#include "cli/StopSignals.h"
#include "cli/SwarmRecorder.h"
#include "cli/SwarmReport.h"
#include "cli/SwarmTimeline.h"

#include "Version.h"
#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioRun.h"
#include "scenario/Units.h"
#include "swarm/SwarmLab.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>
#include <cstdio>
#include <optional>

namespace swarmscope::cli {

namespace {

// What the file describes; a flag for the same thing would leave it unclear which one holds.
const char* const kSwarmShapeOptions[] = {"seeders", "leechers", "size", "file",   "piece-size", "latency",
                                          "seed-up", "up",       "down", "picker", "no-choker",  "timeout"};

QJsonObject scenarioJson(const ScenarioRun& run) {
    const Scenario& scenario = run.scenario();
    const ScenarioResult& result = run.result();
    QJsonObject extra;
    extra.insert(QStringLiteral("scenario"), scenario.name);
    extra.insert(QStringLiteral("stop"), scenarioStopReasonName(result.stopReason));
    extra.insert(QStringLiteral("end_s"), double(result.endMs) / 1000.0);
    QJsonArray groups;
    for (const ScenarioGroup& g : scenario.groups) {
        QJsonObject group;
        group.insert(QStringLiteral("name"), g.name);
        group.insert(QStringLiteral("role"),
                     g.role == TorrentRole::Seeder ? QStringLiteral("seeder") : QStringLiteral("leecher"));
        group.insert(QStringLiteral("behaviour"), peerBehaviourName(g.behaviour.kind));
        QJsonArray completions;
        QJsonArray joins;
        for (const ScenarioPeer& p : result.peers) {
            if (p.group != g.name)
                continue;
            joins.append(double(p.joinMs) / 1000.0);
            if (p.role == TorrentRole::Leecher)
                completions.append(p.completedAtMs >= 0
                                       ? QJsonValue(std::round(p.completionSeconds() * 1000) / 1000)
                                       : QJsonValue(QJsonValue::Null));
        }
        group.insert(QStringLiteral("join_s"), joins);
        if (g.role == TorrentRole::Leecher)
            group.insert(QStringLiteral("completion_s"), completions);
        groups.append(group);
    }
    extra.insert(QStringLiteral("groups"), groups);
    QJsonArray actions;
    for (int i = 0; i < scenario.actions.size(); ++i) {
        const ScenarioAction& a = scenario.actions.at(i);
        QJsonObject action;
        action.insert(QStringLiteral("do"), actionKindName(a.kind));
        action.insert(QStringLiteral("target"), scenarioTargetText(a.target));
        const qint64 at = result.actionTimesMs.value(i, -1);
        action.insert(QStringLiteral("at_s"), at >= 0 ? QJsonValue(double(at) / 1000.0) : QJsonValue());
        actions.append(action);
    }
    extra.insert(QStringLiteral("actions"), actions);
    return extra;
}

} // namespace

int runSwarmScenario(const CommandLine& cl) {
    for (const char* name : kSwarmShapeOptions)
        if (cl.isSet(QLatin1String(name)))
            throw BadInput(QStringLiteral("--%1 does not go with --scenario: the scenario file describes the "
                                          "whole swarm")
                               .arg(QLatin1String(name)),
                           QStringLiteral("--") + QLatin1String(name));
    const QString path = cl.value(QStringLiteral("scenario"));
    const ScenarioParseResult parsed = readScenarioFile(path);
    if (!parsed.ok())
        throw BadInput(parsed.what, parsed.where);
    const Scenario& scenario = *parsed.scenario;
    const SwarmOutputFiles files = swarmOutputFiles(cl);

    ScenarioRunOptions options;
    options.timeMode = timeModeOption(cl);
    options.seed = seedOption(cl);
    options.createdBy = QStringLiteral("Swarmscope " SWARMSCOPE_VERSION);
    const TimeMode mode = options.timeMode.value_or(scenario.time.mode);
    if (const std::optional<double> speed = speedOption(cl)) {
        if (mode != TimeMode::Simulated)
            throw BadInput(
                QStringLiteral("a real-time swarm runs at the speed of the wall clock; --speed needs "
                               "simulated time"),
                QStringLiteral("--speed"));
        options.speed = *speed;
    }
    options.connections = !files.record.isEmpty();
    const bool keep = cl.isSet(QStringLiteral("keep"));

    QTemporaryDir work(QDir::temp().filePath(QStringLiteral("swarmscope-swarm-XXXXXX")));
    if (!work.isValid())
        throw RuntimeFailure(
            QStringLiteral("cannot create a temporary directory: %1").arg(work.errorString()));
    work.setAutoRemove(!keep);
    options.workDir = work.path();

    const StopSignals stopSignals;
    ScenarioRun run(scenario, options);
    {
        const bool showProgress = scenario.content.source != ContentSource::Generated;
        ProgressReporter progress(QStringLiteral("hashing"));
        const ContentPrepResult prepared = run.prepare([&](qint64 done, qint64 total) {
            if (showProgress)
                progress.update(done, total);
            return !StopSignals::stopRequested();
        });
        progress.finish();
        if (prepared.cancelled) {
            std::fprintf(stderr, "swarm: interrupted before the swarm started; stopped cleanly\n");
            return ExitOk;
        }
        if (!prepared.ok()) {
            if (prepared.inputError)
                throw BadInput(prepared.error, prepared.where.isEmpty() ? path : prepared.where);
            throw RuntimeFailure(prepared.error, prepared.where);
        }
    }
    const Metainfo& metainfo = run.content()->metainfo;
    int seeders = 0;
    int leechers = 0;
    for (const ScenarioGroup& g : scenario.groups)
        (g.role == TorrentRole::Seeder ? seeders : leechers) += g.count;
    std::fprintf(stderr, "swarm: scenario '%s': %d seeder(s), %d leecher(s), %s in %d pieces of %s\n",
                 scenario.name.toUtf8().constData(), seeders, leechers,
                 formatSize(metainfo.totalSize).toUtf8().constData(), metainfo.pieceCount(),
                 formatSize(metainfo.pieceLength).toUtf8().constData());

    std::optional<SwarmTimeline> timeline;
    if (!files.timeline.isEmpty())
        timeline.emplace(files.timeline, scenario.measure.sampleIntervalMs);
    std::optional<SwarmRecorder> recorder;
    if (!files.record.isEmpty())
        recorder.emplace(files.record);
    SwarmProgressLine line;
    QObject::connect(&run, &ScenarioRun::sampled, [&](const SwarmSnapshotPtr& sample) {
        if (timeline)
            timeline->record(*sample, true); // every sample is on the scenario's grid, or its last instant
        if (recorder)
            recorder->record(*sample);
        int completed = 0;
        qint64 have = 0;
        qint64 needed = 0;
        qint64 rate = 0;
        for (const LabPeerSnapshot& p : sample->peers) {
            if (p.role != TorrentRole::Leecher)
                continue;
            completed += p.completedAtMs >= 0 ? 1 : 0;
            have += p.have.count();
            needed += p.pieceCount;
            rate += p.downloadRate;
        }
        line.show(completed, leechers, needed > 0 ? double(have) / double(needed) : 0.0, rate,
                  sample->timeMs / 1000.0);
    });

    QElapsedTimer clock;
    clock.start();
    if (!run.start())
        throw RuntimeFailure(run.errorString());
    if (run.timeMode() == TimeMode::Simulated)
        std::fprintf(stderr, "swarm: simulated time, seed %u\n", run.seed());
    QEventLoop loop;
    QObject::connect(&run, &ScenarioRun::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        if (StopSignals::stopRequested())
            run.stop();
    });
    poll.start(50);
    if (!run.isFinished())
        loop.exec();
    poll.stop();
    line.finish();
    const double wall = clock.elapsed() / 1000.0;
    const ProcessUsage usage = ProcessUsage::current();
    if (timeline)
        timeline->finish();
    SwarmLab& lab = *run.lab();
    if (recorder)
        recorder->finish(lab);
    shutdownLab(lab);

    const ScenarioResult& result = run.result();
    const bool timedOut =
        scenario.stop.leechersComplete && result.stopReason == ScenarioStopReason::TimeLimit;
    SwarmReport report;
    report.fileSize = result.fileSize;
    report.pieceSize = result.pieceSize;
    report.seeders = result.seeders();
    for (const ScenarioPeer* p : result.leechers())
        report.leechers.append({p->id, p->completionSeconds()});
    report.boundSeconds = result.boundSeconds;
    report.verified = result.verified();
    report.verifiedCount = result.verifiedCount;
    report.timedOut = timedOut;
    report.interrupted = result.stopReason == ScenarioStopReason::Interrupted;
    report.time = result.timeMode;
    report.seed = result.seed;
    report.labSeconds = result.endMs / 1000.0;
    report.wallSeconds = wall;
    report.usage = usage;
    report.connectionsPerPeer = lab.connectionsPerPeer();
    report.connectionsFitted = lab.connectionsFittedToFileLimit();
    report.openFileLimit = lab.openFileLimit();
    if (keep)
        report.keptDirectory = work.path();
    report.extra = scenarioJson(run);
    printSwarmReport(report);
    std::printf("stopped: %s at %.3f s\n", scenarioStopReasonName(result.stopReason).toUtf8().constData(),
                result.endMs / 1000.0);
    std::fflush(stdout);
    if (!files.json.isEmpty())
        writeSwarmJson(report, files.json);

    switch (result.stopReason) {
    case ScenarioStopReason::Interrupted:
        std::fprintf(stderr, "swarm: interrupted; stopped cleanly\n");
        return ExitOk;
    case ScenarioStopReason::Failed:
        throw RuntimeFailure(result.error);
    case ScenarioStopReason::TimeLimit:
    case ScenarioStopReason::LeechersComplete:
        break;
    }
    if (result.verificationRan && result.verifiedCount < result.completedLeechers())
        throw RuntimeFailure(QStringLiteral("%1 of %2 completed leechers' data failed the check against the "
                                            "piece hashes")
                                 .arg(result.completedLeechers() - result.verifiedCount)
                                 .arg(result.completedLeechers()));
    if (timedOut)
        throw RuntimeFailure(QStringLiteral("%1 of %2 leechers completed within the time limit")
                                 .arg(result.completedLeechers())
                                 .arg(result.leechers().size()),
                             path + QStringLiteral(": stop.time-limit"));
    return ExitOk;
}

} // namespace swarmscope::cli
