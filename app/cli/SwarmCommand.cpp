#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/OptionValues.h"
#include "cli/ProgressReporter.h"
#include "cli/SwarmTimeline.h"

#include "Version.h"
#include "metainfo/TorrentCreator.h"
#include "scenario/Units.h"
#include "swarm/KumarRossBound.h"
#include "swarm/ProcessUsage.h"
#include "swarm/PseudoRandomFile.h"
#include "swarm/SwarmExperiment.h"
#include "swarm/SwarmLab.h"
#include "swarm/TimeMode.h"

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTemporaryDir>
#include <QTimer>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>
#include <unistd.h>

namespace swarmscope::cli {

namespace {

volatile std::sig_atomic_t g_stopRequested = 0;

// SIGINT or SIGTERM before the swarm ran: nothing to report, a clean stop all the same.
struct Interrupted {};

void requestStop(int) {
    g_stopRequested = 1;
}

constexpr int kMaxPeers = 1000;
constexpr quint64 kDataSeed = 1; // the generated file is the same for the same size, run after run

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
    double timeoutS = 0; // 0: none
    bool keep = false;
    PickerStrategy picker = PickerStrategy::RarestFirst;
    bool chokerOff = false;
    TimeMode time = TimeMode::Real;
    quint32 seed = 0; // 0: pick one (simulated time prints it)
    double speed = 0; // simulated time: 0 as fast as possible
    bool speedGiven = false;
};

int parseCount(const CommandLine& cl, const QString& name, int fallback) {
    if (!cl.isSet(name))
        return fallback;
    const QString text = cl.value(name);
    bool ok = false;
    const int n = text.toInt(&ok);
    if (!ok || n < 1 || n > kMaxPeers)
        throw BadInput(QStringLiteral("'%1' is not a count from 1 to %2").arg(text).arg(kMaxPeers),
                       QStringLiteral("--") + name);
    return n;
}

SwarmOptions parseOptions(const CommandLine& cl) {
    SwarmOptions o;
    o.seeders = parseCount(cl, QStringLiteral("seeders"), o.seeders);
    o.leechers = parseCount(cl, QStringLiteral("leechers"), o.leechers);
    if (o.seeders + o.leechers > kMaxPeers)
        throw BadInput(QStringLiteral("at most %1 peers in one lab").arg(kMaxPeers),
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
    if (cl.isSet(QStringLiteral("json"))) {
        o.json = cl.value(QStringLiteral("json"));
        if (o.json.isEmpty() || QFileInfo(o.json).isDir())
            throw BadInput(QStringLiteral("not a file name"), QStringLiteral("--json ") + o.json);
        // Found out now rather than after the whole run.
        if (!QFileInfo(QFileInfo(o.json).absolutePath()).isDir())
            throw BadInput(QStringLiteral("no such directory"), QStringLiteral("--json ") + o.json);
    }
    if (cl.isSet(QStringLiteral("timeline"))) {
        o.timeline = cl.value(QStringLiteral("timeline"));
        if (o.timeline.isEmpty() || QFileInfo(o.timeline).isDir())
            throw BadInput(QStringLiteral("not a file name"), QStringLiteral("--timeline ") + o.timeline);
        if (!QFileInfo(QFileInfo(o.timeline).absolutePath()).isDir())
            throw BadInput(QStringLiteral("no such directory"), QStringLiteral("--timeline ") + o.timeline);
        if (!o.json.isEmpty() &&
            QFileInfo(o.json).absoluteFilePath() == QFileInfo(o.timeline).absoluteFilePath())
            throw BadInput(QStringLiteral("the timeline and the JSON results need two files"),
                           QStringLiteral("--timeline ") + o.timeline);
    }
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
    o.keep = cl.isSet(QStringLiteral("keep"));
    if (cl.isSet(QStringLiteral("time"))) {
        const std::optional<TimeMode> mode = timeModeFromName(cl.value(QStringLiteral("time")));
        if (!mode)
            throw BadInput(
                QStringLiteral("'%1' is not real or simulated").arg(cl.value(QStringLiteral("time"))),
                QStringLiteral("--time"));
        o.time = *mode;
    }
    if (cl.isSet(QStringLiteral("seed"))) {
        const QString text = cl.value(QStringLiteral("seed"));
        bool ok = false;
        const qulonglong seed = text.toULongLong(&ok);
        if (!ok || seed == 0 || seed > 0xffffffffULL)
            throw BadInput(QStringLiteral("'%1' is not a seed from 1 to 4294967295").arg(text),
                           QStringLiteral("--seed"));
        o.seed = quint32(seed);
    }
    if (cl.isSet(QStringLiteral("speed"))) {
        const QString text = cl.value(QStringLiteral("speed"));
        bool ok = false;
        o.speed = text.toDouble(&ok);
        if (!ok || !(o.speed >= 0.1 && o.speed <= 100))
            throw BadInput(QStringLiteral("'%1' is not a speed from 0.1 to 100").arg(text),
                           QStringLiteral("--speed"));
        if (o.time != TimeMode::Simulated)
            throw BadInput(
                QStringLiteral("a real-time swarm runs at the speed of the wall clock; --speed needs "
                               "--time simulated"),
                QStringLiteral("--speed"));
        o.speedGiven = true;
    }
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
    option(QStringLiteral("timeout"), QStringLiteral("Give up after S seconds (exit code 1)."),
           QStringLiteral("S"));
    option(QStringLiteral("picker"), QStringLiteral("rarest-first (default), random or sequential."),
           QStringLiteral("STRATEGY"));
    option(QStringLiteral("no-choker"), QStringLiteral("Unchoke every peer (the choker off)."));
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
    option(QStringLiteral("speed"),
           QStringLiteral("Simulated time: virtual seconds per wall second, 0.1 to 100 (default: as fast as "
                          "possible)."),
           QStringLiteral("X"));
}

// The data to share: the user's, or a generated file. Returns the directory seeders serve from.
QString prepareData(const SwarmOptions& o, const QString& workDir, QString* path) {
    if (!o.file.isEmpty()) {
        const QFileInfo info(QDir::cleanPath(o.file)); // "dir/" names dir, not an empty last component
        *path = info.absoluteFilePath();
        return info.absolutePath();
    }
    const QString sourceDir = QDir(workDir).filePath(QStringLiteral("source"));
    if (!QDir().mkpath(sourceDir))
        throw RuntimeFailure(QStringLiteral("cannot create a directory"), sourceDir);
    *path = QDir(sourceDir).filePath(QStringLiteral("swarm-%1.bin").arg(o.size));
    QString error;
    if (!writePseudoRandomFile(*path, o.size, kDataSeed, &error))
        throw RuntimeFailure(error);
    return sourceDir;
}

Metainfo makeTorrent(const SwarmOptions& o, const QString& path) {
    TorrentCreateOptions options;
    options.path = path;
    options.pieceLength = o.pieceSize;
    options.includeDate = false;
    options.createdBy = QStringLiteral("Swarmscope " SWARMSCOPE_VERSION);
    TorrentCreator creator(options);
    const bool showProgress = !o.file.isEmpty();
    ProgressReporter progress(QStringLiteral("hashing"));
    const TorrentCreateResult result = creator.run([&](qint64 done, qint64 total) {
        if (g_stopRequested)
            creator.cancel();
        if (showProgress)
            progress.update(done, total);
    });
    progress.finish();
    if (result.cancelled)
        throw Interrupted();
    if (!result.ok()) {
        if (result.isInputError())
            throw BadInput(result.error);
        throw RuntimeFailure(result.error);
    }
    MetainfoParseResult parsed = parseMetainfo(result.torrent);
    if (!parsed.ok())
        throw RuntimeFailure(QStringLiteral("the torrent just made does not parse: %1").arg(parsed.message));
    return *parsed.metainfo;
}

// Seeders serve the data in place, under the name the torrent gives it. When sanitising changed that name,
// they get a hard link (or a copy) under the right name in the lab's own directory instead.
QString servedDirectory(const Metainfo& metainfo, const QString& path, const QString& sourceDir,
                        const QString& workDir) {
    if (metainfo.name == QFileInfo(path).fileName())
        return sourceDir;
    if (metainfo.multiFile)
        throw RuntimeFailure(QStringLiteral("the folder's name is not usable as a torrent name"), path);
    const QString dir = QDir(workDir).filePath(QStringLiteral("source"));
    QDir().mkpath(dir);
    const QString target = QDir(dir).filePath(metainfo.name);
    if (::link(QFile::encodeName(path).constData(), QFile::encodeName(target).constData()) != 0 &&
        !QFile::copy(path, target))
        throw RuntimeFailure(QStringLiteral("cannot link or copy the file for the seeders"), target);
    return dir;
}

QJsonValue number(double value) {
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

double rounded(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

SwarmLabConfig labConfig(const SwarmOptions& o, const QString& labDir) {
    SwarmLabConfig config;
    config.labDir = labDir;
    config.keepLabDir = true; // the command's own temporary directory decides
    config.snapshotConnections = false;
    config.client = SwarmLabConfig::clientConfigForPeers(o.seeders + o.leechers);
    config.timeMode = o.time;
    config.seed = o.seed;
    config.plannedPeers = o.seeders + o.leechers;
    if (!o.timeline.isEmpty())
        config.sampleIntervalMs = SwarmTimeline::kDefaultIntervalMs;
    return config;
}

// Progress on stderr: one redrawn line on a terminal, a line per tenth through a pipe.
class SwarmProgressLine {
public:
    void show(const SwarmExperimentProgress& p, double seconds) {
        const int percent = int(p.fraction * 100);
        const QString line = QStringLiteral("swarm: %1/%2 leechers done, %3%, %4/s, %5 s")
                                 .arg(p.completed)
                                 .arg(p.leechers)
                                 .arg(percent)
                                 .arg(formatSize(p.downloadRate))
                                 .arg(seconds, 0, 'f', 1);
        if (m_terminal) {
            std::fprintf(stderr, "\r%s   ", line.toUtf8().constData());
            m_drewLine = true;
        } else if (percent / 10 != m_lastDecile) {
            m_lastDecile = percent / 10;
            std::fprintf(stderr, "%s\n", line.toUtf8().constData());
        }
        std::fflush(stderr);
    }
    void finish() {
        if (m_drewLine)
            std::fputs("\n", stderr);
        m_drewLine = false;
    }

private:
    bool m_terminal = ProgressReporter::stderrIsTerminal();
    bool m_drewLine = false;
    int m_lastDecile = -1;
};

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
    QObject::connect(&experiment, &SwarmExperiment::progress,
                     [&](const SwarmExperimentProgress& p) { line.show(p, lab.nowMs() / 1000.0); });
    QObject::connect(&experiment, &SwarmExperiment::finished, [&] { finish(Outcome::Complete); });
    QObject::connect(&experiment, &SwarmExperiment::failed, [&](const QString& error) {
        *failure = error;
        finish(Outcome::Failed);
    });
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        // The time limit is lab time: wall-clock seconds in real time, virtual seconds in simulated time.
        if (g_stopRequested)
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

// Announces "stopped" for every peer; the lab bounds how long that takes.
void shutdownLab(SwarmLab& lab) {
    QEventLoop loop;
    QObject::connect(&lab, &SwarmLab::shutdownFinished, &loop, &QEventLoop::quit);
    lab.shutdown();
    if (lab.isShuttingDown())
        loop.exec();
}

} // namespace

int runSwarm(const QStringList& args) {
    CommandLine cl(
        QStringLiteral("swarm"),
        QStringLiteral("swarmscope swarm [--seeders N] [--leechers N] [--size SIZE | --file PATH] "
                       "[--piece-size SIZE] [--latency MS] [--seed-up RATE] [--up RATE] [--down RATE] "
                       "[--json FILE] [--timeline FILE] [--timeout S] [--time real|simulated] [--seed N] "
                       "[--speed X]"));
    addOptions(cl);
    cl.parse(args, 0, 0);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    const SwarmOptions o = parseOptions(cl);

    QTemporaryDir work(QDir::temp().filePath(QStringLiteral("swarmscope-swarm-XXXXXX")));
    if (!work.isValid())
        throw RuntimeFailure(
            QStringLiteral("cannot create a temporary directory: %1").arg(work.errorString()));
    work.setAutoRemove(!o.keep);

    g_stopRequested = 0;
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    struct RestoreSignals {
        ~RestoreSignals() {
            std::signal(SIGINT, SIG_DFL);
            std::signal(SIGTERM, SIG_DFL);
        }
    } restoreSignals;

    QString dataPath;
    std::optional<Metainfo> made;
    QString sourceDir;
    try {
        sourceDir = prepareData(o, work.path(), &dataPath);
        made = makeTorrent(o, dataPath);
    } catch (const Interrupted&) {
        std::fprintf(stderr, "swarm: interrupted before the swarm started; stopped cleanly\n");
        return ExitOk;
    }
    const Metainfo& metainfo = *made;
    const QString servedDir = servedDirectory(metainfo, dataPath, sourceDir, work.path());

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
    if (lab.timeMode() == TimeMode::Simulated)
        std::fprintf(stderr, "swarm: simulated time, seed %u\n", lab.seed());
    else if (lab.connectionsFittedToFileLimit())
        std::fprintf(stderr, "swarm: %d connections per peer to fit %lld open files\n", lab.connectionsPerPeer(),
                     lab.openFileLimit());

    QElapsedTimer clock;
    clock.start();
    QString failure;
    const Outcome outcome = runExperiment(run, lab, o, clock, &failure);
    const double wall = clock.elapsed() / 1000.0;
    const double labSeconds = lab.nowMs() / 1000.0;
    const ProcessUsage usage = ProcessUsage::current();
    if (timeline) {
        // The last state: one more sample, taken where the run ended (in simulated time the clock is held
        // there, at the last completion).
        QEventLoop loop;
        QObject::connect(&lab, &SwarmLab::sampleReady, &loop, [&](const SwarmSnapshotPtr& sample) {
            timeline->record(*sample, true);
            loop.quit();
        });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        lab.sampleNow();
        loop.exec();
        QObject::disconnect(&lab, &SwarmLab::sampleReady, nullptr, nullptr);
        timeline->finish();
    }
    shutdownLab(lab);

    // The table: one row per leecher, then the summary.
    QJsonArray completions;
    double maxCompletion = 0;
    std::printf("%-8s %-6s %s\n", "leecher", "peer", "completion_s");
    for (int i = 0; i < run.leechers().size(); ++i) {
        const int peer = run.leechers().at(i);
        const double seconds = run.completionSeconds(peer);
        if (seconds >= 0) {
            maxCompletion = qMax(maxCompletion, seconds);
            completions.append(rounded(seconds));
            std::printf("%-8d %-6d %.3f\n", i + 1, peer, seconds);
        } else {
            completions.append(QJsonValue(QJsonValue::Null));
            std::printf("%-8d %-6d %s\n", i + 1, peer, "-");
        }
    }
    const bool allDone = o.leechers > 0 && run.completedCount() == o.leechers;
    const double maxValue = allDone ? maxCompletion : std::nan("");
    const double ratio = allDone && std::isfinite(bound) && bound > 0 ? maxCompletion / bound : std::nan("");
    const bool verified = allDone && run.isVerified();
    const qint64 peers = qint64(o.seeders) + o.leechers;
    const qint64 rssPerPeer = usage.peakResidentBytes > 0 ? usage.peakResidentBytes / peers : -1;

    std::printf("completed: %d of %d leechers\n", run.completedCount(), o.leechers);
    if (allDone)
        std::printf("max completion: %.3f s\n", maxCompletion);
    if (std::isfinite(bound))
        std::printf("Kumar-Ross bound: %.3f s\n", bound);
    else
        std::printf("Kumar-Ross bound: undefined (no capacity is limited)\n");
    if (std::isfinite(ratio))
        std::printf("ratio: %.3f\n", ratio);
    std::printf("verified: %s (%d of %d leechers checked against the piece hashes)\n",
                verified ? "yes" : "no", run.verifiedCount(), o.leechers);
    std::printf("connections: at most %d per peer%s\n", lab.connectionsPerPeer(),
                lab.connectionsFittedToFileLimit()
                    ? qPrintable(QStringLiteral(" to fit %1 open files").arg(lab.openFileLimit()))
                    : "");
    std::printf("memory: %s peak, %s per peer; cpu: %.2f s; wall: %.2f s\n",
                formatSize(usage.peakResidentBytes).toUtf8().constData(),
                formatSize(rssPerPeer).toUtf8().constData(), usage.cpuSeconds, wall);
    if (lab.timeMode() == TimeMode::Simulated)
        std::printf("time: %.3f s simulated in %.2f s of wall time (%.1fx); seed %u\n", labSeconds, wall,
                    wall > 0 ? labSeconds / wall : 0.0, lab.seed());
    if (o.keep)
        std::printf("lab directory: %s\n", work.path().toUtf8().constData());
    std::fflush(stdout);

    if (!o.json.isEmpty()) {
        QJsonObject json;
        json.insert(QStringLiteral("file_size"), double(metainfo.totalSize));
        json.insert(QStringLiteral("piece_size"), double(metainfo.pieceLength));
        json.insert(QStringLiteral("seeders"), o.seeders);
        json.insert(QStringLiteral("leechers"), o.leechers);
        json.insert(QStringLiteral("completion_s"), completions);
        json.insert(QStringLiteral("max_completion_s"), number(allDone ? rounded(maxValue) : maxValue));
        json.insert(QStringLiteral("bound_s"), number(std::isfinite(bound) ? rounded(bound) : bound));
        json.insert(QStringLiteral("ratio"), number(std::round(ratio * 10000.0) / 10000.0));
        json.insert(QStringLiteral("verified"), verified);
        json.insert(QStringLiteral("completed"), run.completedCount());
        json.insert(QStringLiteral("timed_out"), outcome == Outcome::TimedOut);
        json.insert(QStringLiteral("interrupted"), outcome == Outcome::Interrupted);
        json.insert(QStringLiteral("time"), timeModeName(lab.timeMode()));
        json.insert(QStringLiteral("connections_per_peer"), lab.connectionsPerPeer());
        if (lab.timeMode() == TimeMode::Simulated) {
            // Only what the seed determines, so the same command and seed give the same file; the machine's
            // figures (wall, CPU, memory) are in the summary on stdout.
            json.insert(QStringLiteral("seed"), double(lab.seed()));
            json.insert(QStringLiteral("simulated_s"), rounded(labSeconds));
        } else {
            json.insert(QStringLiteral("wall_s"), rounded(wall));
            json.insert(QStringLiteral("cpu_s"), rounded(usage.cpuSeconds));
            json.insert(QStringLiteral("peak_rss_bytes"), double(usage.peakResidentBytes));
            json.insert(QStringLiteral("rss_per_peer_bytes"), double(rssPerPeer));
        }
        QSaveFile file(o.json);
        const QByteArray bytes = QJsonDocument(json).toJson(QJsonDocument::Indented);
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
            throw RuntimeFailure(QStringLiteral("cannot write the results: %1").arg(file.errorString()),
                                 o.json);
    }

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
