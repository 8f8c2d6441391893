// Event-dispatcher cost with many sockets on one worker thread, as a lab with hundreds of clients has them.
// One worker thread holds N idle loopback TCP pairs, and then either
//   pingpong: one more pair does request/response with MESSAGE-byte messages (16 KiB by default), or
//   trickle:  all N pairs trickle: every 10 ms a tenth of the clients each send 1 KiB, echoed back,
// for SECONDS. It reports the worker thread's CPU time (user + system, CLOCK_THREAD_CPUTIME_ID) per round
// trip and per MiB moved (both directions), and how long opening the pairs took.
//
// Qt chooses its default dispatcher once per process: glib, or the UNIX one when QT_NO_GLIB=1 is set before
// QCoreApplication exists. tests/bench/dispatcher.sh runs this program three ways and prints one table.
//
//   bench_dispatcher [--dispatcher default|epoll] [--pairs 100,1000,5000] [--modes pingpong,trickle]
//                    [--seconds 3] [--message 16384]
//
// Prints one line per run: "result dispatcher=... mode=... pairs=... setup_s=... round_trips=...
// mib=... cpu_s=... wall_s=... cpu_us_per_rt=... cpu_ms_per_mib=...".
#include "transport/EpollEventDispatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <vector>

#include <sys/resource.h>

using namespace swarmscope;

namespace {

constexpr double MiB = 1024.0 * 1024.0;
constexpr qint64 trickleMessage = 1024;
constexpr int trickleTickMs = 10;
constexpr int trickleShare = 10; // each tick, one client in this many sends

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// A lab raises its open-file limit at start (DESIGN.md); so does this program, and reports it.
rlim_t raiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur;
}

QString dispatcherName(QAbstractEventDispatcher* dispatcher) {
    const QByteArray name = dispatcher->metaObject()->className();
    if (name.contains("Epoll"))
        return QStringLiteral("epoll");
    if (name.contains("Glib"))
        return QStringLiteral("glib");
    if (name.contains("UNIX"))
        return QStringLiteral("unix");
    return QString::fromLatin1(name);
}

struct Pair {
    std::unique_ptr<QTcpSocket> client;
    std::unique_ptr<QTcpSocket> server;
};

// Opens count loopback pairs, one at a time, in the calling thread.
std::optional<std::vector<Pair>> openPairs(QTcpServer& listener, int count) {
    std::vector<Pair> pairs;
    pairs.reserve(std::size_t(count));
    for (int i = 0; i < count; ++i) {
        Pair pair;
        pair.client = std::make_unique<QTcpSocket>();
        pair.client->connectToHost(QHostAddress::LocalHost, listener.serverPort());
        if (!pair.client->waitForConnected(5000))
            return std::nullopt;
        if (!listener.hasPendingConnections() && !listener.waitForNewConnection(5000))
            return std::nullopt;
        pair.server.reset(listener.nextPendingConnection());
        if (!pair.server)
            return std::nullopt;
        pair.server->setParent(nullptr);
        pairs.push_back(std::move(pair));
    }
    return pairs;
}

struct Result {
    bool ok = false;
    QString error;
    QString dispatcher;
    double setupSeconds = 0;
    qint64 roundTrips = 0;
    qint64 bytes = 0;
    double cpuSeconds = 0;
    double wallSeconds = 0;
};

// The measured window: starts after a warm-up, ends after `seconds` of wall time.
struct Window {
    QElapsedTimer wall;
    double cpuAtStart = 0;
    bool started = false;
    void start() {
        started = true;
        cpuAtStart = threadCpuSeconds();
        wall.start();
    }
};

void runPingPong(Pair& active, qint64 messageSize, double seconds, Result& result) {
    QEventLoop loop;
    Window window;
    const QByteArray message(messageSize, 'm');
    QTcpSocket* ping = active.client.get();
    QTcpSocket* pong = active.server.get();
    qint64 warmUp = 200;
    QObject::connect(pong, &QTcpSocket::readyRead, &loop, [pong, messageSize] {
        while (pong->bytesAvailable() >= messageSize)
            pong->write(pong->read(messageSize));
    });
    QObject::connect(ping, &QTcpSocket::readyRead, &loop, [&] {
        while (ping->bytesAvailable() >= messageSize) {
            ping->read(messageSize);
            if (!window.started) {
                if (--warmUp == 0)
                    window.start();
            } else {
                ++result.roundTrips;
                if (window.wall.nsecsElapsed() >= qint64(seconds * 1e9)) {
                    result.cpuSeconds = threadCpuSeconds() - window.cpuAtStart;
                    result.wallSeconds = double(window.wall.nsecsElapsed()) / 1e9;
                    loop.quit();
                    return;
                }
            }
            ping->write(message);
        }
    });
    QTimer::singleShot(int(seconds * 1000) + 60000, &loop, [&] {
        result.error = QStringLiteral("ping-pong stalled");
        loop.quit();
    });
    ping->write(message);
    loop.exec();
    result.bytes = result.roundTrips * messageSize * 2;
    result.ok = result.error.isEmpty();
}

void runTrickle(std::vector<Pair>& pairs, double seconds, Result& result) {
    QEventLoop loop;
    Window window;
    const QByteArray message(trickleMessage, 't');
    qint64 moved = 0;
    for (Pair& pair : pairs) {
        QTcpSocket* server = pair.server.get();
        QTcpSocket* client = pair.client.get();
        QObject::connect(server, &QTcpSocket::readyRead, &loop, [server, &moved] {
            const QByteArray data = server->readAll();
            moved += data.size();
            server->write(data);
        });
        QObject::connect(client, &QTcpSocket::readyRead, &loop,
                         [client, &moved] { moved += client->readAll().size(); });
    }
    std::size_t next = 0;
    const std::size_t perTick = std::max<std::size_t>(1, pairs.size() / trickleShare);
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        for (std::size_t i = 0; i < perTick; ++i) {
            pairs[next].client->write(message);
            next = (next + 1) % pairs.size();
        }
    });
    QTimer phases;
    phases.setSingleShot(true);
    phases.setTimerType(Qt::PreciseTimer);
    QObject::connect(&phases, &QTimer::timeout, &loop, [&] {
        if (!window.started) { // after half a second of warm-up
            window.start();
            moved = 0;
            phases.start(int(seconds * 1000));
            return;
        }
        result.cpuSeconds = threadCpuSeconds() - window.cpuAtStart;
        result.wallSeconds = double(window.wall.nsecsElapsed()) / 1e9;
        result.bytes = moved;
        loop.quit();
    });
    tick.start(trickleTickMs);
    phases.start(500);
    loop.exec();
    // What each client sent and got back counts once each way, as in ping-pong.
    result.roundTrips = result.bytes / (2 * trickleMessage);
    result.ok = true;
}

Result runOnce(bool epoll, const QString& mode, int idlePairs, qint64 messageSize, double seconds) {
    QThread thread;
    if (epoll)
        thread.setEventDispatcher(new EpollEventDispatcher);
    thread.start();
    QObject context;
    context.moveToThread(&thread);
    Result result;
    QMetaObject::invokeMethod(
        &context,
        [&] {
            result.dispatcher = dispatcherName(QAbstractEventDispatcher::instance());
            QTcpServer listener;
            listener.setListenBacklogSize(1024);
            if (!listener.listen(QHostAddress::LocalHost, 0)) {
                result.error = listener.errorString();
                return;
            }
            QElapsedTimer setup;
            setup.start();
            const bool pingPong = mode == QLatin1String("pingpong");
            std::optional<std::vector<Pair>> pairs = openPairs(listener, idlePairs + (pingPong ? 1 : 0));
            result.setupSeconds = double(setup.nsecsElapsed()) / 1e9;
            if (!pairs) {
                result.error = QStringLiteral("could not open the pairs");
                return;
            }
            if (pingPong) {
                Pair& active = pairs->back();
                active.client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                active.server->setSocketOption(QAbstractSocket::LowDelayOption, 1);
                runPingPong(active, messageSize, seconds, result);
            } else {
                runTrickle(*pairs, seconds, result);
            }
        },
        Qt::BlockingQueuedConnection);
    QMetaObject::invokeMethod(
        &context, [&] { context.moveToThread(QCoreApplication::instance()->thread()); },
        Qt::BlockingQueuedConnection);
    thread.quit();
    thread.wait();
    return result;
}

QList<int> parseList(const QString& text) {
    QList<int> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out.append(part.toInt());
    return out;
}

} // namespace

int main(int argc, char** argv) {
    const rlim_t openFiles = raiseOpenFileLimit();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Event-dispatcher CPU cost with many idle sockets"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("dispatcher"), QStringLiteral("default (Qt's choice) or epoll"),
                      QStringLiteral("NAME"), QStringLiteral("default")});
    parser.addOption({QStringLiteral("pairs"), QStringLiteral("idle pair counts, comma-separated"),
                      QStringLiteral("LIST"), QStringLiteral("100,1000,5000")});
    parser.addOption({QStringLiteral("modes"), QStringLiteral("pingpong and/or trickle"),
                      QStringLiteral("LIST"), QStringLiteral("pingpong,trickle")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("measured seconds per run"),
                      QStringLiteral("S"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("message"), QStringLiteral("ping-pong message size in bytes"),
                      QStringLiteral("BYTES"), QStringLiteral("16384")});
    parser.process(app);

    const QString dispatcher = parser.value(QStringLiteral("dispatcher"));
    if (dispatcher != QLatin1String("default") && dispatcher != QLatin1String("epoll")) {
        std::fprintf(stderr, "bench_dispatcher: error: --dispatcher is default or epoll\n");
        return 2;
    }
    const double seconds = parser.value(QStringLiteral("seconds")).toDouble();
    const qint64 messageSize = parser.value(QStringLiteral("message")).toLongLong();
    const QList<int> pairCounts = parseList(parser.value(QStringLiteral("pairs")));
    const QStringList modes =
        parser.value(QStringLiteral("modes")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (seconds <= 0 || messageSize <= 0 || pairCounts.isEmpty() || modes.isEmpty()) {
        std::fprintf(stderr, "bench_dispatcher: error: bad --seconds, --message, --pairs or --modes\n");
        return 2;
    }
    std::printf("open-file limit %llu, QT_NO_GLIB=%s\n", static_cast<unsigned long long>(openFiles),
                qEnvironmentVariableIsSet("QT_NO_GLIB") ? qPrintable(qEnvironmentVariable("QT_NO_GLIB"))
                                                        : "");

    int failures = 0;
    for (const QString& mode : modes) {
        if (mode != QLatin1String("pingpong") && mode != QLatin1String("trickle")) {
            std::fprintf(stderr, "bench_dispatcher: error: unknown mode %s\n", qPrintable(mode));
            return 2;
        }
        for (int pairs : pairCounts) {
            // Two descriptors per pair, the active pair, the listener and some slack for the process.
            if (rlim_t(2 * pairs + 64) > openFiles) {
                std::printf("skip mode=%s pairs=%d: needs about %d open files\n", qPrintable(mode), pairs,
                            2 * pairs + 64);
                continue;
            }
            const Result r = runOnce(dispatcher == QLatin1String("epoll"), mode, pairs, messageSize, seconds);
            if (!r.ok) {
                std::printf("error dispatcher=%s mode=%s pairs=%d: %s\n", qPrintable(r.dispatcher),
                            qPrintable(mode), pairs, qPrintable(r.error));
                ++failures;
                continue;
            }
            const double mib = double(r.bytes) / MiB;
            std::printf("result dispatcher=%s mode=%s pairs=%d setup_s=%.2f round_trips=%lld mib=%.1f "
                        "cpu_s=%.3f wall_s=%.3f cpu_us_per_rt=%.1f cpu_ms_per_mib=%.2f\n",
                        qPrintable(r.dispatcher), qPrintable(mode), pairs, r.setupSeconds,
                        static_cast<long long>(r.roundTrips), mib, r.cpuSeconds, r.wallSeconds,
                        r.roundTrips ? r.cpuSeconds * 1e6 / double(r.roundTrips) : 0.0,
                        mib > 0 ? r.cpuSeconds * 1e3 / mib : 0.0);
            std::fflush(stdout);
        }
    }
    return failures ? 1 : 0;
}
