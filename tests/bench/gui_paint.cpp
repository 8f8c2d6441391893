// GUI responsiveness under a big swarm: a synthetic lab of 200 peers x 4096 pieces publishing snapshots at
// 10 Hz (built on a worker thread, as the real lab does) into the piece map, swarm graph, charts and peer
// inspector laid out like the main window. Measures the time of each painted frame (every UpdateRequest of
// the window, which paints all dirty widgets), the time to take each snapshot into the widgets, and
// event-loop stalls (gaps of a 1 ms timer). Target: paint <= 8 ms per frame, no stall > 50 ms.
//
//   QT_QPA_PLATFORM=offscreen bench_gui_paint [--seconds 10] [--peers 200] [--pieces 4096]
//                                            [--connections 30] [--no-have-events]
#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "inspector/PeerInspector.h"
#include "piecemap/PieceMapWidget.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QRandomGenerator>
#include <QSplitter>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace swarmscope;
using namespace swarmscope::ui;

namespace {

// A swarm that behaves like the lab's from the GUI's side: leechers gain a few random pieces per tick, a
// few pieces are in flight, four upload slots per peer rotate every ten seconds, HAVE and verification
// events flow. Bitfields are implicitly shared and detach only when a peer changes, like the engine's.
class SyntheticSwarm : public QObject {
    Q_OBJECT
public:
    SyntheticSwarm(int peers, int pieces, int connections, bool haveEvents)
        : m_pieces(pieces), m_haveEvents(haveEvents), m_random(42) {
        m_peers.resize(size_t(peers));
        for (int i = 0; i < peers; ++i) {
            Peer& p = m_peers[size_t(i)];
            p.id = i + 1;
            p.seeder = i < 4;
            p.have = Bitfield(pieces, p.seeder);
            if (!p.seeder) {
                const int start = int(m_random.bounded(pieces * 9 / 10));
                for (int k = 0; k < start; ++k)
                    p.have.setBit(int(m_random.bounded(pieces)));
            }
        }
        // Symmetric connections to random others, about `connections` each.
        QHash<quint64, bool> linked;
        quint64 nextConnection = 1;
        for (int i = 0; i < peers; ++i) {
            for (int tries = 0; int(m_peers[size_t(i)].links.size()) < connections && tries < connections * 4;
                 ++tries) {
                const int j = int(m_random.bounded(peers));
                const quint64 key = quint64(qMin(i, j)) << 32 | quint64(qMax(i, j));
                if (j == i || linked.contains(key) || int(m_peers[size_t(j)].links.size()) >= connections + 5)
                    continue;
                linked.insert(key, true);
                m_peers[size_t(i)].links.push_back({j, nextConnection++});
                m_peers[size_t(j)].links.push_back({i, nextConnection++});
            }
        }
    }

    void tick() {
        m_timeMs += 100;
        QList<SwarmEvent> events;
        // Upload slots rotate every 10 s: the first four links after an offset are unchoked.
        const int rotation = int(m_timeMs / 10000);
        for (Peer& p : m_peers) {
            p.downloadRate = 0;
            p.uploadRate = 0;
            if (p.seeder || p.have.all())
                continue;
            const int gained = int(m_random.bounded(4));
            for (int k = 0; k < gained; ++k) {
                int piece = p.have.nextClearBit(int(m_random.bounded(m_pieces)));
                if (piece < 0)
                    piece = p.have.nextClearBit(0);
                if (piece < 0)
                    break;
                p.have.setBit(piece);
                events.append(event(p.id, PeerEventKind::PieceVerified, -1, piece));
                if (m_haveEvents)
                    for (const Link& l : p.links)
                        events.append(event(m_peers[size_t(l.peer)].id, PeerEventKind::Have, p.id, piece));
            }
            p.inFlight = Bitfield(m_pieces);
            for (int k = 0; k < 4; ++k) {
                const int piece = p.have.nextClearBit(int(m_random.bounded(m_pieces)));
                if (piece >= 0)
                    p.inFlight.setBit(piece);
            }
            p.downloadRate = gained * 256 * 1024 * 10;
        }

        auto snapshot = std::make_shared<SwarmSnapshot>();
        snapshot->sequence = quint64(m_timeMs / 100);
        snapshot->timeMs = m_timeMs;
        snapshot->peers.reserve(qsizetype(m_peers.size()));
        for (Peer& p : m_peers) {
            LabPeerSnapshot s;
            s.id = p.id;
            s.torrent = 1;
            s.role = p.seeder ? TorrentRole::Seeder : TorrentRole::Leecher;
            s.pieceCount = m_pieces;
            s.have = p.have;
            s.inFlight = p.inFlight;
            s.state = p.have.all() ? LabPeerState::Seeding : LabPeerState::Downloading;
            s.connectionCount = int(p.links.size());
            s.connections.reserve(qsizetype(p.links.size()));
            for (size_t k = 0; k < p.links.size(); ++k) {
                const Link& l = p.links[k];
                const Peer& remote = m_peers[size_t(l.peer)];
                LabConnectionSnapshot c;
                c.remotePeer = remote.id;
                c.info.id = l.connection;
                c.info.address = QHostAddress(QHostAddress::LocalHost);
                c.info.port = quint16(20000 + remote.id);
                const bool slot = (k + size_t(rotation)) % p.links.size() < 4;
                c.info.amChoking = !slot;
                c.info.amInterested = !p.have.all();
                c.info.peerChoking = true;
                c.info.peerInterested = !remote.have.all();
                c.info.uploadRate =
                    slot && !remote.have.all() ? 100'000 + qint64(m_random.bounded(900'000)) : 0;
                c.info.requestsIn = slot ? int(m_random.bounded(8)) : 0;
                c.info.rttMs = 2 + qint64(m_random.bounded(5));
                c.info.pieces = remote.have;
                s.uploadRate += c.info.uploadRate;
                s.connections.append(c);
            }
            s.downloadRate = p.downloadRate;
            snapshot->downloadRate += s.downloadRate;
            snapshot->uploadRate += s.uploadRate;
            snapshot->peers.append(std::move(s));
        }
        // The lab caps events per snapshot the same way.
        if (events.size() > 20000)
            events.resize(20000);
        emit eventsReady(events);
        emit snapshotReady(SwarmSnapshotPtr(std::move(snapshot)));
    }

signals:
    void snapshotReady(const swarmscope::SwarmSnapshotPtr& snapshot);
    void eventsReady(const QList<swarmscope::SwarmEvent>& events);

private:
    struct Link {
        int peer = 0; // index into m_peers
        quint64 connection = 0;
    };
    struct Peer {
        int id = 0;
        bool seeder = false;
        Bitfield have;
        Bitfield inFlight;
        qint64 downloadRate = 0;
        qint64 uploadRate = 0;
        std::vector<Link> links;
    };

    SwarmEvent event(int peer, PeerEventKind kind, int remote, int piece) const {
        SwarmEvent e;
        e.peer = peer;
        e.torrent = 1;
        e.remotePeer = remote;
        e.timeMs = m_timeMs;
        e.event.kind = kind;
        e.event.piece = piece;
        return e;
    }

    int m_pieces;
    bool m_haveEvents;
    QRandomGenerator m_random;
    qint64 m_timeMs = 0;
    std::vector<Peer> m_peers;
};

// CPU time of the calling thread, in ms: unlike wall time, it leaves out the time the thread waited for a
// core, which on a shared machine can dwarf the work itself.
double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// Times every frame the window paints and every paint of each view.
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;
    QWidget* window = nullptr;
    std::vector<double> frames;
    std::vector<double> frameCpu;
    QHash<QString, std::vector<double>> paints;
    QHash<QString, std::vector<double>> paintCpu;

    bool notify(QObject* receiver, QEvent* event) override {
        const QEvent::Type type = event->type();
        const bool frame = type == QEvent::UpdateRequest && receiver == window;
        const bool paint = type == QEvent::Paint && window;
        if (!frame && !paint)
            return QApplication::notify(receiver, event);
        QElapsedTimer timer;
        timer.start();
        const double cpu = threadCpuMs();
        const bool result = QApplication::notify(receiver, event);
        const double ms = timer.nsecsElapsed() / 1e6;
        if (frame) {
            frames.push_back(ms);
            frameCpu.push_back(threadCpuMs() - cpu);
        } else {
            // Charts paint in their viewport; name the view, not the viewport.
            QObject* owner = receiver;
            while (owner && !qobject_cast<PieceMapWidget*>(owner) &&
                   !qobject_cast<SwarmGraphWidget*>(owner) && !qobject_cast<ChartsPanel*>(owner) &&
                   !qobject_cast<PeerInspector*>(owner))
                owner = owner->parent();
            const QString name = owner
                                     ? QString::fromLatin1(owner->metaObject()->className()).section(u':', -1)
                                     : QStringLiteral("other");
            paints[name].push_back(ms);
            paintCpu[name].push_back(threadCpuMs() - cpu);
        }
        return result;
    }
};

QString loadAverage() {
    QFile file(QStringLiteral("/proc/loadavg"));
    return file.open(QIODevice::ReadOnly) ? QString::fromLatin1(file.readAll().trimmed())
                                          : QStringLiteral("?");
}

struct Summary {
    double median = 0, p95 = 0, max = 0, total = 0;
    size_t count = 0;
};

Summary summarise(std::vector<double> values) {
    Summary s;
    s.count = values.size();
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    s.median = values[values.size() / 2];
    s.p95 = values[std::min(values.size() - 1, size_t(values.size() * 0.95))];
    s.max = values.back();
    for (double v : values)
        s.total += v;
    return s;
}

void print(const char* what, const Summary& s) {
    std::printf("%-28s n=%-6zu median %7.2f ms   p95 %7.2f ms   max %7.2f ms\n", what, s.count, s.median,
                s.p95, s.max);
}

} // namespace

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    TimedApplication app(argc, argv);
    qRegisterMetaType<SwarmSnapshotPtr>();
    qRegisterMetaType<QList<SwarmEvent>>();

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("run time"),
                                           QStringLiteral("s"), QStringLiteral("10"));
    const QCommandLineOption peersOption(QStringLiteral("peers"), QStringLiteral("peers"),
                                         QStringLiteral("n"), QStringLiteral("200"));
    const QCommandLineOption piecesOption(QStringLiteral("pieces"), QStringLiteral("pieces"),
                                          QStringLiteral("n"), QStringLiteral("4096"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"),
                                               QStringLiteral("connections per peer"), QStringLiteral("n"),
                                               QStringLiteral("30"));
    const QCommandLineOption noHaveOption(QStringLiteral("no-have-events"),
                                          QStringLiteral("leave HAVE events out of the feed"));
    parser.addOptions({secondsOption, peersOption, piecesOption, connectionsOption, noHaveOption});
    parser.process(app);
    const int seconds = parser.value(secondsOption).toInt();
    const int peers = parser.value(peersOption).toInt();
    const int pieces = parser.value(piecesOption).toInt();
    const int connections = parser.value(connectionsOption).toInt();

    // The main window's arrangement: piece map over inspector on the left, graph over charts on the right.
    QSplitter window(Qt::Horizontal);
    auto* left = new QSplitter(Qt::Vertical, &window);
    auto* right = new QSplitter(Qt::Vertical, &window);
    auto* map = new PieceMapWidget(left);
    auto* inspector = new PeerInspector(left);
    auto* graph = new SwarmGraphWidget(right);
    auto* charts = new ChartsPanel(right);
    left->setSizes({600, 400});
    right->setSizes({500, 500});
    window.setSizes({1000, 600});
    window.resize(1600, 1000);
    window.show();
    app.window = &window;

    auto select = [&](int peer) {
        map->setSelectedPeer(peer);
        graph->setSelectedPeer(peer);
        charts->setSelectedPeer(peer);
        inspector->setSelectedPeer(peer);
    };
    QObject::connect(map, &PieceMapWidget::peerSelected, select);
    QObject::connect(graph, &SwarmGraphWidget::peerSelected, select);
    select(7);

    std::vector<double> updates;
    std::vector<double> eventUpdates;
    QThread feederThread;
    auto* feeder = new SyntheticSwarm(peers, pieces, connections, !parser.isSet(noHaveOption));
    feeder->moveToThread(&feederThread);
    QObject::connect(&feederThread, &QThread::finished, feeder, &QObject::deleteLater);
    QObject::connect(feeder, &SyntheticSwarm::snapshotReady, &app, [&](const SwarmSnapshotPtr& snapshot) {
        QElapsedTimer timer;
        timer.start();
        map->setSnapshot(snapshot);
        graph->setSnapshot(snapshot);
        charts->setSnapshot(snapshot);
        inspector->setSnapshot(snapshot);
        updates.push_back(timer.nsecsElapsed() / 1e6);
    });
    QObject::connect(feeder, &SyntheticSwarm::eventsReady, &app, [&](const QList<SwarmEvent>& events) {
        QElapsedTimer timer;
        timer.start();
        map->appendEvents(events);
        inspector->appendEvents(events);
        eventUpdates.push_back(timer.nsecsElapsed() / 1e6);
    });
    auto* tick = new QTimer;
    tick->setInterval(100);
    tick->setTimerType(Qt::PreciseTimer);
    tick->moveToThread(&feederThread);
    QObject::connect(tick, &QTimer::timeout, feeder, &SyntheticSwarm::tick);
    QObject::connect(&feederThread, &QThread::started, tick, qOverload<>(&QTimer::start));
    QObject::connect(&feederThread, &QThread::finished, tick, &QObject::deleteLater);

    // Event-loop stalls: a 1 ms timer whose gaps are measured.
    QElapsedTimer clock;
    qint64 lastBeat = -1;
    double maxStall = 0;
    int stalls = 0;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(1);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (lastBeat >= 0) {
            const double gap = (now - lastBeat) / 1e6;
            maxStall = std::max(maxStall, gap);
            stalls += gap > 50.0 ? 1 : 0;
        }
        lastBeat = now;
    });

    // A warm-up second (first layouts, fonts) is not measured.
    QTimer::singleShot(1000, [&] {
        app.frames.clear();
        app.frameCpu.clear();
        app.paints.clear();
        app.paintCpu.clear();
        updates.clear();
        eventUpdates.clear();
        clock.start();
        heartbeat.start();
    });
    QTimer::singleShot(1000 + seconds * 1000, &app, &QApplication::quit);
    feederThread.start();
    app.exec();
    heartbeat.stop();
    feederThread.quit();
    feederThread.wait();

    std::printf("bench_gui_paint: %d peers x %d pieces, ~%d connections each, 10 Hz, %d s, platform %s\n",
                peers, pieces, connections, seconds, qPrintable(QGuiApplication::platformName()));
    print("frame paint (whole window)", summarise(app.frames));
    print("  same frames, CPU time", summarise(app.frameCpu));
    const QStringList names = {QStringLiteral("PieceMapWidget"), QStringLiteral("SwarmGraphWidget"),
                               QStringLiteral("ChartsPanel"), QStringLiteral("PeerInspector")};
    for (const QString& name : names) {
        print(qPrintable(QStringLiteral("  paint ") + name), summarise(app.paints.value(name)));
        print("    CPU time", summarise(app.paintCpu.value(name)));
    }
    print("snapshot into widgets", summarise(updates));
    print("events into widgets", summarise(eventUpdates));
    std::printf("event-loop stalls: max gap %.1f ms, gaps > 50 ms: %d\n", maxStall, stalls);
    const Summary frames = summarise(app.frames);
    const bool met = frames.max <= 8.0 && maxStall <= 50.0;
    std::printf(
        "target (paint <= 8 ms per frame, no stall > 50 ms): %s (worst frame %.2f ms wall, %.2f ms CPU)\n",
        met ? "met" : "NOT met", frames.max, summarise(app.frameCpu).max);
    std::printf("load average during the run: %s\n", qPrintable(loadAverage()));
    return 0;
}

#include "gui_paint.moc"
