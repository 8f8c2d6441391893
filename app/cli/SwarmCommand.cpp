#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/OptionValues.h"
#include "cli/ProgressReporter.h"
#include "cli/ScenarioCommand.h"
#include "cli/StopSignals.h"
#include "cli/SwarmRecorder.h"
#include "cli/SwarmReport.h"
#include "cli/SwarmTimeline.h"

#include "Version.h"
#include "scenario/ScenarioContentPrep.h"
#include "scenario/Units.h"
#include "swarm/KumarRossBound.h"
#include "swarm/ProcessUsage.h"
#include "swarm/SwarmExperiment.h"
#include "swarm/SwarmLab.h"
#include "swarm/TimeMode.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <optional>

namespace swarmscope::cli {

namespace {

// SIGINT or SIGTERM before the swarm ran: nothing to report, a clean stop all the same.
struct Interrupted {};

// Real time: each loopback connection costs two of the process's open files, and the lab sizes the
// connections per peer to fit them. Simulated time holds no sockets: its bound is memory, about 1 MiB a peer.
constexpr int kMaxRealPeers = 1000;
constexpr int kMaxSimulatedPeers = 10000;

struct SwarmOptions {
    int seeders = 1;
    int leechers = 8;
    qint64 size = 16LL * 1024 * 1024;
    QString file;
    qint64 pieceSize = 0; // 0: automatic
    qint64 latencyMs = 0;
    qint64 seedUp = 0;
    qint64 up = 0;
    qint64 down = 0;
    QString json;
    QString timeline;
    QString record;
    double timeoutS = 0; // 0: none
    bool keep = false;
    PickerStrategy picker = PickerStrategy::RarestFirst;
    bool chokerOff = false;
    // MSE/PE between the lab's peers; plaintext by default, as the lab always ran.
    mse::Policy encryption = mse::Policy::Plaintext;
    bool trackerless = false; // --trackerless (--dht): peers find each other through the DHT
    TimeMode time = TimeMode::Real;
    quint32 seed = 0; // 0: pick one (simulated time prints it)
    double speed = 0; // simulated time: 0 as fast as possible
    bool speedGiven = false;
    bool pex = true; // --pex on|off
};

int parseCount(const CommandLine& cl, const QString& name, int fallback, int most) {
    if (!cl.isSet(name))
        return fallback;
    const QString text = cl.value(name);
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 1 || n > most)
        throw BadInput(QStringLiteral("'%1' is not a count from 1 to %2").arg(text).arg(most),
                       QStringLiteral("--") + name);
    return n;
}

SwarmOptions parseOptions(const CommandLine& cl) {
    SwarmOptions o;
    o.time = timeModeOption(cl).value_or(o.time);
    const int most = o.time == TimeMode::Simulated ? kMaxSimulatedPeers : kMaxRealPeers;
    o.seeders = parseCount(cl, QStringLiteral("seeders"), o.seeders, most);
    o.leechers = parseCount(cl, QStringLiteral("leechers"), o.leechers, most);
    if (o.seeders + o.leechers > most)
        throw BadInput(o.time == TimeMode::Simulated
                           ? QStringLiteral("at most %1 peers in one simulated lab").arg(most)
                           : QStringLiteral("at most %1 peers in one real-time lab (up to %2 with --time "
                                            "simulated)")
                                 .arg(most)
                                 .arg(kMaxSimulatedPeers),
                       QStringLiteral("--leechers"));

    if (cl.isSet(QStringLiteral("size")) && cl.isSet(QStringLiteral("file")))
        throw BadInput(QStringLiteral("give either --size or --file, not both"), QStringLiteral("--file"));
    if (cl.isSet(QStringLiteral("size"))) {
        const QString text = cl.value(QStringLiteral("size"));
        const std::optional<qint64> size = parseSize(text);
        if (!size || *size <= 0)
            throw BadInput(QStringLiteral("'%1' is not a size such as 16MiB").arg(text),
                           QStringLiteral("--size"));
        o.size = *size;
    }
    if (cl.isSet(QStringLiteral("file"))) {
        o.file = cl.value(QStringLiteral("file"));
        const QFileInfo info(o.file);
        if (!info.exists())
            throw BadInput(QStringLiteral("no such file or directory"), o.file);
        if (!info.isReadable() || (!info.isFile() && !info.isDir()))
            throw BadInput(QStringLiteral("cannot read the file"), o.file);
        if (info.isFile()) {
            QFile probe(o.file);
            if (!probe.open(QIODevice::ReadOnly))
                throw BadInput(QStringLiteral("cannot read the file: %1").arg(probe.errorString()), o.file);
            if (info.size() == 0)
                throw BadInput(QStringLiteral("the file is empty"), o.file);
        }
    }
    o.pieceSize = pieceSizeOption(cl);
    o.latencyMs = latencyOption(cl);
    o.seedUp = rateOption(cl, QStringLiteral("seed-up"));
    o.up = rateOption(cl, QStringLiteral("up"));
    o.down = rateOption(cl, QStringLiteral("down"));
    const SwarmOutputFiles files = swarmOutputFiles(cl);
    o.json = files.json;
    o.timeline = files.timeline;
    o.record = files.record;
    if (cl.isSet(QStringLiteral("timeout"))) {
        const QString text = cl.value(QStringLiteral("timeout"));
        bool ok = false;
        o.timeoutS = text.toDouble(&ok);
        if (!ok || !(o.timeoutS > 0) || o.timeoutS > 1e6)
            throw BadInput(QStringLiteral("'%1' is not a number of seconds above 0").arg(text),
                           QStringLiteral("--timeout"));
    }
    if (cl.isSet(QStringLiteral("picker"))) {
        const std::optional<PickerStrategy> picker =
            pickerStrategyFromName(cl.value(QStringLiteral("picker")));
        if (!picker)
            throw BadInput(QStringLiteral("'%1' is not rarest-first, random or sequential")
                               .arg(cl.value(QStringLiteral("picker"))),
                           QStringLiteral("--picker"));
        o.picker = *picker;
    }
    o.chokerOff = cl.isSet(QStringLiteral("no-choker"));
    o.encryption = encryptionOption(cl, mse::Policy::Plaintext);
    o.trackerless = cl.isSet(QStringLiteral("trackerless")) || cl.isSet(QStringLiteral("dht"));
    o.keep = cl.isSet(QStringLiteral("keep"));
    o.seed = seedOption(cl).value_or(o.seed);
    if (const std::optional<double> speed = speedOption(cl)) {
        if (o.time != TimeMode::Simulated)
            throw BadInput(
                QStringLiteral("a real-time swarm runs at the speed of the wall clock; --speed needs "
                               "--time simulated"),
                QStringLiteral("--speed"));
        o.speed = *speed;
        o.speedGiven = true;
    }
    o.pex = onOffOption(cl, QStringLiteral("pex"), true);
    return o;
}

void addOptions(CommandLine& cl) {
    const auto option = [&cl](const QString& name, const QString& help, const QString& value = {}) {
        cl.addOption(QCommandLineOption(name, help, value));
    };
    option(QStringLiteral("seeders"), QStringLiteral("Seeders (default: 1)."), QStringLiteral("N"));
    option(QStringLiteral("leechers"), QStringLiteral("Leechers (default: 8)."), QStringLiteral("N"));
    option(QStringLiteral("size"),
           QStringLiteral("Generate a file of SIZE pseudo-random bytes (default: 16MiB)."),
           QStringLiteral("SIZE"));
    option(QStringLiteral("file"), QStringLiteral("Share this file or directory instead."),
           QStringLiteral("PATH"));
    option(QStringLiteral("piece-size"), QStringLiteral("Piece size, a power of two (default: automatic)."),
           QStringLiteral("SIZE"));
    option(QStringLiteral("latency"), QStringLiteral("One-way latency of every peer, in milliseconds."),
           QStringLiteral("MS"));
    option(QStringLiteral("seed-up"), QStringLiteral("Upload cap of each seeder (0: unlimited)."),
           QStringLiteral("RATE"));
    option(QStringLiteral("up"), QStringLiteral("Upload cap of each leecher (0: unlimited)."),
           QStringLiteral("RATE"));
    option(QStringLiteral("down"), QStringLiteral("Download cap of each leecher (0: unlimited)."),
           QStringLiteral("RATE"));
    option(QStringLiteral("json"), QStringLiteral("Write the results to FILE as JSON."),
           QStringLiteral("FILE"));
    option(QStringLiteral("timeline"),
           QStringLiteral("Write every peer's pieces, bytes and rates every 0.25 s to FILE as CSV."),
           QStringLiteral("FILE"));
    option(
        QStringLiteral("record"),
        QStringLiteral("Record the run to FILE (every peer every 0.25 s of lab time, and every control), for "
                       "swarmscope --replay FILE and the window's File > Open Recording."),
        QStringLiteral("FILE"));
    option(QStringLiteral("timeout"), QStringLiteral("Give up after S seconds (exit code 1)."),
           QStringLiteral("S"));
    option(QStringLiteral("picker"), QStringLiteral("rarest-first (default), random or sequential."),
           QStringLiteral("STRATEGY"));
    option(QStringLiteral("no-choker"), QStringLiteral("Unchoke every peer (the choker off)."));
    option(QStringLiteral("encryption"),
           QStringLiteral("MSE/PE between the peers: plaintext (default), prefer (RC4 offered, plaintext "
                          "accepted) or require (RC4 only)."),
           QStringLiteral("POLICY"));
    option(
        QStringLiteral("trackerless"),
        QStringLiteral("No tracker: the peers run DHT nodes (BEP 5) and find each other by the info-hash."));
    option(QStringLiteral("dht"), QStringLiteral("The same as --trackerless."));
    option(QStringLiteral("pex"),
           QStringLiteral("on (default) or off: peers exchange peers over ut_pex (BEP 11)."),
           QStringLiteral("on|off"));
    option(QStringLiteral("keep"),
           QStringLiteral("Keep the lab directory (data and downloads) and print it."));
    option(
        QStringLiteral("time"),
        QStringLiteral("real (default: real TCP on 127.0.0.1, wall-clock time) or simulated (the simulated "
                       "network on a virtual clock: deterministic, as fast as the CPU allows)."),
        QStringLiteral("MODE"));
    option(
        QStringLiteral("seed"),
        QStringLiteral("Seed every random choice (peer ids, pickers, chokers, tracker, jitter): with --time "
                       "simulated the same seed gives the same run, byte for byte."),
        QStringLiteral("N"));
    option(
        QStringLiteral("scenario"),
        QStringLiteral("Run the swarm this scenario file describes (docs/SCENARIOS.md); --json, --timeline, "
                       "--record, --time, --seed, --speed and --keep still apply."),
        QStringLiteral("FILE"));
    option(QStringLiteral("speed"),
           QStringLiteral("Simulated time: virtual seconds per wall second, 0.1 to 100 (default: as fast as "
                          "possible)."),
           QStringLiteral("X"));
}

// The data to share (the user's, or a generated file) hashed into a torrent, and where seeders serve it.
PreparedContent prepareSwarmContent(const SwarmOptions& o, const QString& workDir) {
    ContentPrepRequest request;
    request.path = o.file;
    request.size = o.size;
    request.pieceSize = o.pieceSize;
    request.workDir = workDir;
    request.createdBy = QStringLiteral("Swarmscope " SWARMSCOPE_VERSION);
    const bool showProgress = !o.file.isEmpty();
    ProgressReporter progress(QStringLiteral("hashing"));
    request.progress = [&](qint64 done, qint64 total) {
        if (showProgress)
            progress.update(done, total);
        return !StopSignals::stopRequested();
    };
    const ContentPrepResult result = prepareContent(request);
    progress.finish();
    if (result.cancelled)
        throw Interrupted();
    if (!result.ok()) {
        if (result.inputError)
            throw BadInput(result.error, result.where);
        throw RuntimeFailure(result.error, result.where);
    }
    return *result.content;
}

SwarmLabConfig labConfig(const SwarmOptions& o, const QString& labDir) {
    SwarmLabConfig config;
    config.labDir = labDir;
    config.keepLabDir = true;                         // the command's own temporary directory decides
    config.snapshotConnections = !o.record.isEmpty(); // the graph and the matrix of a replay need them
    config.client = SwarmLabConfig::clientConfigForPeers(o.seeders + o.leechers);
    config.client.encryption = o.encryption;
    config.client.pex = o.pex;
    config.timeMode = o.time;
    config.seed = o.seed;
    config.trackerless = o.trackerless;
    config.plannedPeers = o.seeders + o.leechers;
    if (!o.timeline.isEmpty())
        config.sampleIntervalMs = SwarmTimeline::kDefaultIntervalMs;
    if (!o.record.isEmpty())
        config.sampleIntervalMs = SwarmRecorder::kIntervalMs;
    return config;
}

enum class Outcome { Complete, TimedOut, Interrupted, Failed };

// Runs the experiment until it finishes, fails, times out or a signal asks to stop.
Outcome runExperiment(SwarmExperiment& experiment, SwarmLab& lab, const SwarmOptions& o, QElapsedTimer& clock,
                      QString* failure) {
    QEventLoop loop;
    Outcome outcome = Outcome::Failed;
    bool done = false;
    const auto finish = [&](Outcome result) {
        if (done)
            return;
        done = true;
        outcome = result;
        loop.quit();
    };
    SwarmProgressLine line;
    QObject::connect(&experiment, &SwarmExperiment::progress, [&](const SwarmExperimentProgress& p) {
        line.show(p.completed, p.leechers, p.fraction, p.downloadRate, lab.nowMs() / 1000.0);
    });
    QObject::connect(&experiment, &SwarmExperiment::finished, [&] { finish(Outcome::Complete); });
    QObject::connect(&experiment, &SwarmExperiment::failed, [&](const QString& error) {
        *failure = error;
        finish(Outcome::Failed);
    });
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        // The time limit is lab time: wall-clock seconds in real time, virtual seconds in simulated time.
        if (StopSignals::stopRequested())
            finish(Outcome::Interrupted);
        else if (o.timeoutS > 0 && lab.nowMs() >= qint64(o.timeoutS * 1000))
            finish(Outcome::TimedOut);
    });
    poll.start(50);
    Q_UNUSED(clock);
    experiment.start();
    // A simulated clock starts paused: everything above is set up at time zero, then time runs.
    lab.setHoldClockWhenDone(true);
    if (o.timeoutS > 0)
        lab.setClockLimit(qint64(o.timeoutS * 1000));
    if (lab.controlsClock()) {
        lab.setSpeed(o.speedGiven ? o.speed : 0);
        lab.resumeAll();
    }
    if (!done)
        loop.exec();
    line.finish();
    return outcome;
}

} // namespace

int runSwarm(const QStringList& args) {
    CommandLine cl(
        QStringLiteral("swarm"),
        QStringLiteral("swarmscope swarm [--seeders N] [--leechers N] [--size SIZE | --file PATH] "
                       "[--piece-size SIZE] [--latency MS] [--seed-up RATE] [--up RATE] [--down RATE] "
                       "[--json FILE] [--timeline FILE] [--record FILE] [--timeout S] [--time "
                       "real|simulated] [--seed N] "
                       "[--speed X] [--scenario FILE]"));
    addOptions(cl);
    cl.parse(args, 0, 0);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    if (cl.isSet(QStringLiteral("scenario")))
        return runSwarmScenario(cl);
    const SwarmOptions o = parseOptions(cl);

    QTemporaryDir work(QDir::temp().filePath(QStringLiteral("swarmscope-swarm-XXXXXX")));
    if (!work.isValid())
        throw RuntimeFailure(
            QStringLiteral("cannot create a temporary directory: %1").arg(work.errorString()));
    work.setAutoRemove(!o.keep);

    const StopSignals stopSignals;

    std::optional<PreparedContent> content;
    try {
        content = prepareSwarmContent(o, work.path());
    } catch (const Interrupted&) {
        std::fprintf(stderr, "swarm: interrupted before the swarm started; stopped cleanly\n");
        return ExitOk;
    }
    const Metainfo& metainfo = content->metainfo;
    const QString servedDir = content->servedDir;

    const double bound =
        kumarRossBoundSeconds(metainfo.totalSize, o.seeders, o.seedUp, o.leechers, o.up, o.down);
    std::fprintf(stderr, "swarm: %d seeder(s), %d leecher(s), %s in %d pieces of %s\n", o.seeders, o.leechers,
                 formatSize(metainfo.totalSize).toUtf8().constData(), metainfo.pieceCount(),
                 formatSize(metainfo.pieceLength).toUtf8().constData());

    SwarmLab lab(labConfig(o, QDir(work.path()).filePath(QStringLiteral("lab"))));
    if (!lab.start())
        throw RuntimeFailure(lab.errorString());
    lab.setEventKinds({});
    lab.setSnapshotRate(4); // the progress line needs no more
    SwarmExperimentSetup setup;
    setup.seeders = o.seeders;
    setup.leechers = o.leechers;
    setup.seederConditions.latencyMs = o.latencyMs;
    setup.seederConditions.uploadRate = o.seedUp;
    setup.leecherConditions.latencyMs = o.latencyMs;
    setup.leecherConditions.uploadRate = o.up;
    setup.leecherConditions.downloadRate = o.down;
    setup.strategy = o.picker;
    setup.chokerEnabled = !o.chokerOff;
    setup.waitForSeeders = false; // hashed just now: the seeders serve at once
    SwarmExperiment run(lab, lab.addTorrent(metainfo, servedDir, true), setup);
    std::optional<SwarmTimeline> timeline;
    if (!o.timeline.isEmpty()) {
        timeline.emplace(o.timeline);
        // Samples on the lab's grid of lab time: in simulated time the same rows in every run.
        QObject::connect(&lab, &SwarmLab::sampleReady, &lab,
                         [&](const SwarmSnapshotPtr& sample) { timeline->record(*sample); });
    }
    std::optional<SwarmRecorder> recorder;
    if (!o.record.isEmpty()) {
        recorder.emplace(o.record);
        QObject::connect(&lab, &SwarmLab::sampleReady, &lab,
                         [&](const SwarmSnapshotPtr& sample) { recorder->record(*sample); });
    }
    if (lab.timeMode() == TimeMode::Simulated)
        std::fprintf(stderr, "swarm: simulated time, seed %u\n", lab.seed());
    else if (lab.connectionsFittedToFileLimit())
        std::fprintf(stderr, "swarm: %d connections per peer to fit %lld open files\n",
                     lab.connectionsPerPeer(), lab.openFileLimit());

    QElapsedTimer clock;
    clock.start();
    QString failure;
    const Outcome outcome = runExperiment(run, lab, o, clock, &failure);
    const double wall = clock.elapsed() / 1000.0;
    const double labSeconds = lab.nowMs() / 1000.0;
    const ProcessUsage usage = ProcessUsage::current();
    if (timeline || recorder) {
        // The last state: one more sample, taken where the run ended (in simulated time the clock is held
        // there, at the last completion).
        QObject::disconnect(&lab, &SwarmLab::sampleReady, nullptr, nullptr);
        QEventLoop loop;
        QObject::connect(&lab, &SwarmLab::sampleReady, &loop, [&](const SwarmSnapshotPtr& sample) {
            if (timeline)
                timeline->record(*sample, true);
            if (recorder)
                recorder->record(*sample);
            loop.quit();
        });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        lab.sampleNow();
        loop.exec();
        QObject::disconnect(&lab, &SwarmLab::sampleReady, nullptr, nullptr);
        if (timeline)
            timeline->finish();
        if (recorder)
            recorder->finish(lab);
    }
    shutdownLab(lab);

    SwarmReport report;
    report.fileSize = metainfo.totalSize;
    report.pieceSize = metainfo.pieceLength;
    report.seeders = o.seeders;
    for (int peer : run.leechers())
        report.leechers.append({peer, run.completionSeconds(peer)});
    const bool allDone = o.leechers > 0 && run.completedCount() == o.leechers;
    const bool verified = allDone && run.isVerified();
    report.boundSeconds = bound;
    report.verified = verified;
    report.verifiedCount = run.verifiedCount();
    report.timedOut = outcome == Outcome::TimedOut;
    report.interrupted = outcome == Outcome::Interrupted;
    report.time = lab.timeMode();
    report.seed = lab.seed();
    report.labSeconds = labSeconds;
    report.wallSeconds = wall;
    report.usage = usage;
    report.connectionsPerPeer = lab.connectionsPerPeer();
    report.connectionsFitted = lab.connectionsFittedToFileLimit();
    report.openFileLimit = lab.openFileLimit();
    if (o.keep)
        report.keptDirectory = work.path();
    printSwarmReport(report);
    if (!o.json.isEmpty())
        writeSwarmJson(report, o.json);

    switch (outcome) {
    case Outcome::Interrupted:
        std::fprintf(stderr, "swarm: interrupted; stopped cleanly\n");
        return ExitOk;
    case Outcome::TimedOut:
        throw RuntimeFailure(QStringLiteral("%1 of %2 leechers completed within %3 s")
                                 .arg(run.completedCount())
                                 .arg(o.leechers)
                                 .arg(o.timeoutS),
                             QStringLiteral("--timeout"));
    case Outcome::Failed:
        throw RuntimeFailure(failure);
    case Outcome::Complete:
        break;
    }
    if (!verified)
        throw RuntimeFailure(
            QStringLiteral("%1 of %2 leechers' data failed the check against the piece hashes")
                .arg(o.leechers - run.verifiedCount())
                .arg(o.leechers));
    return ExitOk;
}

} // namespace swarmscope::cli
