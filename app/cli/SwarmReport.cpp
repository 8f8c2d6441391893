#include "cli/SwarmReport.h"

#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/ProgressReporter.h"

#include "scenario/Units.h"
#include "swarm/SwarmLab.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <cstdio>

namespace swarmscope::cli {

namespace {

QJsonValue number(double value) {
    return std::isfinite(value) ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

double rounded(double seconds) {
    return std::round(seconds * 1000.0) / 1000.0;
}

// The last completion over the bound; NaN unless every leecher completed and the bound is defined.
double boundRatio(const SwarmReport& r, double maxCompletion) {
    return r.allCompleted() && std::isfinite(r.boundSeconds) && r.boundSeconds > 0
               ? maxCompletion / r.boundSeconds
               : std::nan("");
}

qint64 residentPerPeer(const SwarmReport& r) {
    const qint64 peers = qMax<qint64>(1, qint64(r.seeders) + r.leechers.size());
    return r.usage.peakResidentBytes > 0 ? r.usage.peakResidentBytes / peers : -1;
}

} // namespace

int SwarmReport::completedCount() const {
    int n = 0;
    for (const Leecher& l : leechers)
        if (l.seconds >= 0)
            ++n;
    return n;
}

void printSwarmReport(const SwarmReport& r) {
    double maxCompletion = 0;
    std::printf("%-8s %-6s %s\n", "leecher", "peer", "completion_s");
    for (int i = 0; i < r.leechers.size(); ++i) {
        const SwarmReport::Leecher& l = r.leechers.at(i);
        if (l.seconds >= 0) {
            maxCompletion = qMax(maxCompletion, l.seconds);
            std::printf("%-8d %-6d %.3f\n", i + 1, l.peer, l.seconds);
        } else {
            std::printf("%-8d %-6d %s\n", i + 1, l.peer, "-");
        }
    }
    const bool allDone = r.allCompleted();
    const double ratio = boundRatio(r, maxCompletion);
    const qint64 rssPerPeer = residentPerPeer(r);

    std::printf("completed: %d of %d leechers\n", r.completedCount(), int(r.leechers.size()));
    if (allDone)
        std::printf("max completion: %.3f s\n", maxCompletion);
    if (std::isfinite(r.boundSeconds))
        std::printf("Kumar-Ross bound: %.3f s\n", r.boundSeconds);
    else
        std::printf("Kumar-Ross bound: undefined (no capacity is limited)\n");
    if (std::isfinite(ratio))
        std::printf("ratio: %.3f\n", ratio);
    std::printf("verified: %s (%d of %d leechers checked against the piece hashes)\n",
                r.verified ? "yes" : "no", r.verifiedCount, int(r.leechers.size()));
    std::printf("connections: at most %d per peer%s\n", r.connectionsPerPeer,
                r.connectionsFitted ? qPrintable(QStringLiteral(" to fit %1 open files").arg(r.openFileLimit))
                                    : "");
    std::printf("memory: %s peak, %s per peer; cpu: %.2f s; wall: %.2f s\n",
                formatSize(r.usage.peakResidentBytes).toUtf8().constData(),
                formatSize(rssPerPeer).toUtf8().constData(), r.usage.cpuSeconds, r.wallSeconds);
    if (r.time == TimeMode::Simulated)
        std::printf("time: %.3f s simulated in %.2f s of wall time (%.1fx); seed %u\n", r.labSeconds,
                    r.wallSeconds, r.wallSeconds > 0 ? r.labSeconds / r.wallSeconds : 0.0, r.seed);
    if (!r.keptDirectory.isEmpty())
        std::printf("lab directory: %s\n", r.keptDirectory.toUtf8().constData());
    std::fflush(stdout);
}

void writeSwarmJson(const SwarmReport& r, const QString& path) {
    QJsonArray completions;
    double maxCompletion = 0;
    for (const SwarmReport::Leecher& l : r.leechers) {
        if (l.seconds >= 0) {
            maxCompletion = qMax(maxCompletion, l.seconds);
            completions.append(rounded(l.seconds));
        } else {
            completions.append(QJsonValue(QJsonValue::Null));
        }
    }
    const bool allDone = r.allCompleted();
    const double ratio = boundRatio(r, maxCompletion);
    const qint64 rssPerPeer = residentPerPeer(r);

    QJsonObject json;
    json.insert(QStringLiteral("file_size"), double(r.fileSize));
    json.insert(QStringLiteral("piece_size"), double(r.pieceSize));
    json.insert(QStringLiteral("seeders"), r.seeders);
    json.insert(QStringLiteral("leechers"), int(r.leechers.size()));
    json.insert(QStringLiteral("completion_s"), completions);
    json.insert(QStringLiteral("max_completion_s"), number(allDone ? rounded(maxCompletion) : std::nan("")));
    json.insert(QStringLiteral("bound_s"),
                number(std::isfinite(r.boundSeconds) ? rounded(r.boundSeconds) : r.boundSeconds));
    json.insert(QStringLiteral("ratio"), number(std::round(ratio * 10000.0) / 10000.0));
    json.insert(QStringLiteral("verified"), r.verified);
    json.insert(QStringLiteral("completed"), r.completedCount());
    json.insert(QStringLiteral("timed_out"), r.timedOut);
    json.insert(QStringLiteral("interrupted"), r.interrupted);
    json.insert(QStringLiteral("time"), timeModeName(r.time));
    json.insert(QStringLiteral("connections_per_peer"), r.connectionsPerPeer);
    if (r.time == TimeMode::Simulated) {
        // Only what the seed determines, so the same command and seed give the same file; the machine's
        // figures (wall, CPU, memory) are in the summary on stdout.
        json.insert(QStringLiteral("seed"), double(r.seed));
        json.insert(QStringLiteral("simulated_s"), rounded(r.labSeconds));
    } else {
        json.insert(QStringLiteral("wall_s"), rounded(r.wallSeconds));
        json.insert(QStringLiteral("cpu_s"), rounded(r.usage.cpuSeconds));
        json.insert(QStringLiteral("peak_rss_bytes"), double(r.usage.peakResidentBytes));
        json.insert(QStringLiteral("rss_per_peer_bytes"), double(rssPerPeer));
    }
    for (auto it = r.extra.begin(); it != r.extra.end(); ++it)
        json.insert(it.key(), it.value());

    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(json).toJson(QJsonDocument::Indented);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        throw RuntimeFailure(QStringLiteral("cannot write the results: %1").arg(file.errorString()), path);
}

namespace {

// A file the run will write: a name in a folder that exists. Found out now rather than after the whole run.
QString outputFileOption(const CommandLine& cl, const QString& name) {
    if (!cl.isSet(name))
        return {};
    const QString path = cl.value(name);
    const QString where = QStringLiteral("--") + name + u' ' + path;
    if (path.isEmpty() || QFileInfo(path).isDir())
        throw BadInput(QStringLiteral("not a file name"), where);
    if (!QFileInfo(QFileInfo(path).absolutePath()).isDir())
        throw BadInput(QStringLiteral("no such directory"), where);
    return path;
}

} // namespace

SwarmOutputFiles swarmOutputFiles(const CommandLine& cl) {
    SwarmOutputFiles o;
    o.json = outputFileOption(cl, QStringLiteral("json"));
    o.timeline = outputFileOption(cl, QStringLiteral("timeline"));
    o.record = outputFileOption(cl, QStringLiteral("record"));
    const auto same = [](const QString& a, const QString& b) {
        return !a.isEmpty() && !b.isEmpty() &&
               QFileInfo(a).absoluteFilePath() == QFileInfo(b).absoluteFilePath();
    };
    if (same(o.json, o.timeline))
        throw BadInput(QStringLiteral("the timeline and the JSON results need two files"),
                       QStringLiteral("--timeline ") + o.timeline);
    if (same(o.record, o.json) || same(o.record, o.timeline))
        throw BadInput(QStringLiteral("the recording needs a file of its own"),
                       QStringLiteral("--record ") + o.record);
    return o;
}

void shutdownLab(SwarmLab& lab) {
    QEventLoop loop;
    QObject::connect(&lab, &SwarmLab::shutdownFinished, &loop, &QEventLoop::quit);
    lab.shutdown();
    if (lab.isShuttingDown())
        loop.exec();
}

SwarmProgressLine::SwarmProgressLine() : m_terminal(ProgressReporter::stderrIsTerminal()) {}

void SwarmProgressLine::show(int completed, int leechers, double fraction, qint64 downloadRate,
                             double labSeconds) {
    const int percent = int(fraction * 100);
    const QString line = QStringLiteral("swarm: %1/%2 leechers done, %3%, %4/s, %5 s")
                             .arg(completed)
                             .arg(leechers)
                             .arg(percent)
                             .arg(formatSize(downloadRate))
                             .arg(labSeconds, 0, 'f', 1);
    if (m_terminal) {
        std::fprintf(stderr, "\r%s   ", line.toUtf8().constData());
        m_drewLine = true;
    } else if (percent / 10 != m_lastDecile) {
        m_lastDecile = percent / 10;
        std::fprintf(stderr, "%s\n", line.toUtf8().constData());
    }
    std::fflush(stderr);
}

void SwarmProgressLine::finish() {
    if (m_drewLine)
        std::fputs("\n", stderr);
    m_drewLine = false;
}

} // namespace swarmscope::cli
