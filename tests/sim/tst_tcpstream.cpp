#include "LoopbackPair.h"
#include "SimTests.h"
#include "clock/RealScheduler.h"
#include "transport/TcpStream.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

using namespace swarmscope;
using namespace swarmscope::simtest;
using namespace std::chrono_literals;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

QByteArray randomBytes(qsizetype size, quint32 seed) {
    QByteArray out(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(rng.generate());
    return out;
}

// Both ends of a loopback connection, each with its own client link.
struct Connection {
    LoopbackPair pair = connectLoopbackPair();
    RealScheduler scheduler;
    SimulatedLink linkA{scheduler};
    SimulatedLink linkB{scheduler, 2};
    QTcpSocket* socketA = nullptr; // owned by its stream
    QTcpSocket* socketB = nullptr;
    std::unique_ptr<TcpStream> a;
    std::unique_ptr<TcpStream> b;
    QByteArray receivedByA;
    QByteArray receivedByB;

    bool open() {
        if (!pair.a || !pair.b)
            return false;
        socketA = pair.a.release();
        socketB = pair.b.release();
        a = std::make_unique<TcpStream>(socketA, linkA);
        b = std::make_unique<TcpStream>(socketB, linkB);
        return true;
    }
    void collect() {
        QObject::connect(a.get(), &TcpStream::readyRead, a.get(), [this] { receivedByA += a->readAll(); });
        QObject::connect(b.get(), &TcpStream::readyRead, b.get(), [this] { receivedByB += b->readAll(); });
    }
};

// Milliseconds from now until b has received size bytes, measured in b's readyRead, or -1 on timeout.
qint64 msUntilReceived(Connection& c, qint64 size, const QElapsedTimer& since, int timeoutMs) {
    qint64 doneAt = -1;
    const QMetaObject::Connection watch =
        QObject::connect(c.b.get(), &TcpStream::readyRead, c.b.get(), [&] {
            if (doneAt < 0 && c.receivedByB.size() >= size)
                doneAt = since.elapsed();
        });
    QDeadlineTimer deadline(timeoutMs);
    while (doneAt < 0 && !deadline.hasExpired())
        QTest::qWait(5);
    QObject::disconnect(watch);
    return doneAt;
}

} // namespace

class TestTcpStream : public QObject {
    Q_OBJECT
private slots:
    void transparentLink_handsStraightThrough() {
        Connection c;
        QVERIFY(c.open());
        c.collect();
        c.a->write("hello");
        QCOMPARE(c.a->bytesToWrite(), 0); // handed to the kernel at once: no queue, no pump
        QTRY_COMPARE(c.receivedByB, QByteArray("hello"));
        QVERIFY(!c.a->isTimerActive() && !c.b->isTimerActive());
        QCOMPARE(c.linkA.uploadQueue().waiting(), 0);
        QVERIFY(!c.linkA.uploadQueue().isTimerActive());
    }

    void latency_roundTripIsAtLeastTwiceTheOneWayLatency() {
        Connection c;
        QVERIFY(c.open());
        c.linkA.setLatency(100ms);
        QElapsedTimer clock;
        qint64 rtt = -1;
        QObject::connect(c.b.get(), &TcpStream::readyRead, c.b.get(), [&] { c.b->write(c.b->readAll()); });
        QObject::connect(c.a.get(), &TcpStream::readyRead, c.a.get(), [&] {
            c.receivedByA += c.a->readAll();
            if (c.receivedByA == "ping")
                rtt = clock.elapsed();
        });
        clock.start();
        c.a->write("ping");
        QTRY_VERIFY_WITH_TIMEOUT(rtt >= 0, 3000);
        QVERIFY2(rtt >= 200 && rtt < 400, qPrintable(QString::number(rtt)));
        QTRY_VERIFY(!c.a->isTimerActive());
    }

    void latency_changesLive() {
        Connection c;
        QVERIFY(c.open());
        QObject::connect(c.b.get(), &TcpStream::readyRead, c.b.get(), [&] { c.b->write(c.b->readAll()); });
        const auto roundTrip = [&c]() -> qint64 {
            QElapsedTimer clock;
            qint64 rtt = -1;
            const auto watch = QObject::connect(c.a.get(), &TcpStream::readyRead, c.a.get(), [&] {
                c.a->readAll();
                rtt = clock.elapsed();
            });
            clock.start();
            c.a->write("ping");
            for (int i = 0; i < 300 && rtt < 0; ++i)
                QTest::qWait(5);
            QObject::disconnect(watch);
            return rtt;
        };
        const qint64 fast = roundTrip();
        QVERIFY2(fast >= 0 && fast < 100, qPrintable(QString::number(fast)));
        c.linkA.setLatency(60ms);
        c.linkB.setLatency(40ms); // both ends count: 2 x (60 + 40)
        const qint64 slow = roundTrip();
        QVERIFY2(slow >= 200 && slow < 400, qPrintable(QString::number(slow)));
        c.linkA.setLatency(0us);
        c.linkB.setLatency(0us);
        const qint64 fastAgain = roundTrip();
        QVERIFY2(fastAgain >= 0 && fastAgain < 100, qPrintable(QString::number(fastAgain)));
    }

    void uploadCap_isAccurate() {
        Connection c;
        QVERIFY(c.open());
        c.collect();
        const QByteArray data = randomBytes(2 * MiB, 1);
        QElapsedTimer clock;
        clock.start();
        c.linkA.setUploadRate(MiB); // starts with an empty bucket: no head start
        for (qsizetype at = 0; at < data.size(); at += 16 * KiB)
            c.a->write(data.mid(at, 16 * KiB));
        const qint64 ms = msUntilReceived(c, data.size(), clock, 6000);
        QVERIFY2(ms >= 1800 && ms <= 2200, qPrintable(QString::number(ms)));
        QCOMPARE(c.receivedByB, data);
        QTRY_VERIFY(!c.linkA.uploadQueue().isTimerActive());
        QCOMPARE(c.a->bytesToWrite(), 0);
    }

    void downloadCap_isAccurateAndPushesBack() {
        Connection c;
        QVERIFY(c.open());
        c.collect();
        c.linkB.setDownloadRate(MiB);
        QVERIFY(c.socketB->readBufferSize() > 0); // the kernel holds the rest, and TCP tells the sender
        qint64 mostBuffered = 0;
        QObject::connect(c.pair.b.get(), &QTcpSocket::readyRead, c.b.get(),
                         [&] { mostBuffered = qMax(mostBuffered, c.socketB->bytesAvailable()); });
        const QByteArray data = randomBytes(2 * MiB, 2);
        QElapsedTimer clock;
        clock.start();
        c.a->write(data);
        const qint64 ms = msUntilReceived(c, data.size(), clock, 6000);
        QVERIFY2(ms >= 1800 && ms <= 2200, qPrintable(QString::number(ms)));
        QCOMPARE(c.receivedByB, data);
        QVERIFY2(mostBuffered <= c.socketB->readBufferSize(), qPrintable(QString::number(mostBuffered)));
    }

    void capChangedLive_takesEffect() {
        Connection c;
        QVERIFY(c.open());
        // Counted where the cap applies, at the sender: bytes across the link.
        qint64 sent = 0;
        QObject::connect(c.a.get(), &TcpStream::bytesSent, c.a.get(), [&](qint64 n) { sent += n; });
        struct Mark {
            qint64 ms;
            qint64 sent;
        };
        QList<Mark> marks;
        QElapsedTimer clock;
        const auto mark = [&](int at, qint64 newRate) {
            QTimer::singleShot(at, c.a.get(), [&, newRate] {
                marks.append({clock.elapsed(), sent});
                if (newRate > 0)
                    c.linkA.setUploadRate(newRate);
            });
        };
        // Made before the clock starts: in a slow (sanitizer) build, making 8 MiB takes long enough that the
        // timers below would all fire late, at once, and measure the bucket's start-up burst.
        const QByteArray payload = randomBytes(8 * MiB, 3);
        // Each rate is measured from 100 ms after the change, when the previous rate's last grant is out.
        mark(100, 0);
        mark(500, 4 * MiB);
        mark(600, 0);
        mark(850, 256 * KiB);
        mark(950, 0);
        mark(1700, 0);
        clock.start();
        c.linkA.setUploadRate(512 * KiB);
        c.a->write(payload); // more than the test will send: the sender is always busy
        QTRY_COMPARE_WITH_TIMEOUT(marks.size(), 6, 5000);
        const auto rateBetween = [&](int from, int to) {
            return double(marks[to].sent - marks[from].sent) * 1000.0 / double(marks[to].ms - marks[from].ms);
        };
        const auto near = [](double got, double expected) { return qAbs(got / expected - 1.0) <= 0.15; };
        QVERIFY2(near(rateBetween(0, 1), 512 * KiB), qPrintable(QString::number(rateBetween(0, 1))));
        QVERIFY2(near(rateBetween(2, 3), 4 * MiB), qPrintable(QString::number(rateBetween(2, 3))));
        QVERIFY2(near(rateBetween(4, 5), 256 * KiB), qPrintable(QString::number(rateBetween(4, 5))));
        // Lowering is immediate: within 100 ms of the change, far less than the old rate would have sent.
        const qint64 afterLowering = marks[4].sent - marks[3].sent;
        QVERIFY2(afterLowering < 4 * MiB / 10 / 3, qPrintable(QString::number(afterLowering)));
        c.a->abort();
    }

    void downloadCapLifted_passesTheRestAtOnce() {
        Connection c;
        QVERIFY(c.open());
        c.collect();
        c.linkB.setDownloadRate(256 * KiB);
        const QByteArray data = randomBytes(2 * MiB, 7);
        QElapsedTimer clock;
        clock.start();
        c.a->write(data);
        QTimer::singleShot(300, c.b.get(), [&] { c.linkB.setDownloadRate(0); });
        const qint64 ms = msUntilReceived(c, data.size(), clock, 5000);
        QVERIFY2(ms >= 300 && ms < 1000, qPrintable(QString::number(ms))); // capped, it would take 8 s
        QCOMPARE(c.socketB->readBufferSize(), 0);
        QVERIFY(c.receivedByB == data);
    }

    void shapedBothWays_deliversEveryByteInOrder() {
        Connection c;
        QVERIFY(c.open());
        c.collect();
        c.linkA.setLatency(5ms, 20ms);
        c.linkA.setUploadRate(16 * MiB);
        c.linkA.setDownloadRate(16 * MiB);
        c.linkB.setLatency(3ms, 10ms);
        c.linkB.setUploadRate(16 * MiB);
        c.linkB.setDownloadRate(16 * MiB);
        const QByteArray toB = randomBytes(MiB, 4), toA = randomBytes(256 * KiB, 5);
        QRandomGenerator rng(6);
        for (qsizetype at = 0; at < toB.size();) {
            const qsizetype n = qMin<qsizetype>(1 + rng.bounded(40000), toB.size() - at);
            c.a->write(toB.mid(at, n));
            at += n;
        }
        c.b->write(toA);
        QTRY_COMPARE_WITH_TIMEOUT(c.receivedByB.size(), toB.size(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(c.receivedByA.size(), toA.size(), 5000);
        QVERIFY(c.receivedByB == toB);
        QVERIFY(c.receivedByA == toA);
        // Nothing left to move: no timers.
        QTRY_VERIFY(!c.a->isTimerActive() && !c.b->isTimerActive());
        QTRY_VERIFY(!c.linkA.uploadQueue().isTimerActive() && !c.linkB.downloadQueue().isTimerActive());
    }

    void peerClose_deliversDataInFlightFirst() {
        Connection c;
        QVERIFY(c.open());
        c.linkB.setLatency(100ms);
        QByteArray atDisconnect;
        qint64 disconnectedAt = -1;
        QElapsedTimer clock;
        QObject::connect(c.b.get(), &TcpStream::readyRead, c.b.get(),
                         [&] { c.receivedByB += c.b->readAll(); });
        QObject::connect(c.b.get(), &TcpStream::closed, c.b.get(), [&] {
            atDisconnect = c.receivedByB;
            disconnectedAt = clock.elapsed();
        });
        clock.start();
        c.a->write("bye");
        c.a->close();
        QTRY_VERIFY_WITH_TIMEOUT(disconnectedAt >= 0, 3000);
        QCOMPARE(atDisconnect, QByteArray("bye"));
        QVERIFY(disconnectedAt >= 100);
    }

    void writeWhileConnecting_goesOutOnceConnected() {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        RealScheduler scheduler;
        SimulatedLink link(scheduler);
        link.setUploadRate(MiB);
        link.setLatency(10ms);
        auto* client = new QTcpSocket;
        TcpStream shaped(client, link);
        client->connectToHost(QHostAddress::LocalHost, server.serverPort());
        shaped.write("early");
        QTRY_VERIFY(server.hasPendingConnections());
        std::unique_ptr<QTcpSocket> accepted(server.nextPendingConnection());
        QByteArray got;
        QObject::connect(accepted.get(), &QTcpSocket::readyRead, accepted.get(),
                         [&] { got += accepted->readAll(); });
        QTRY_COMPARE(got, QByteArray("early"));
    }
};

std::unique_ptr<QObject> swarmscope::createTcpStreamTests() {
    return std::make_unique<TestTcpStream>();
}

#include "tst_tcpstream.moc"
