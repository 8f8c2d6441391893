#include "NetworkTests.h"
#include "SimLab.h"
#include "clock/Timer.h"

#include <QCoreApplication>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::nettest;
using namespace std::chrono_literals;

// Closing, aborting, taking writes back, read limits and destruction on the simulated network.
class TestSimClose : public QObject {
    Q_OBJECT
private slots:
    void close_isDeliveredAfterTheBytesSentBeforeIt_data() {
        QTest::addColumn<qint64>("jitterMs");
        QTest::addColumn<qint64>("upload");
        QTest::addColumn<qint64>("download");
        QTest::newRow("latency only") << qint64(0) << qint64(0) << qint64(0);
        QTest::newRow("jitter") << qint64(30) << qint64(0) << qint64(0);
        QTest::newRow("upload cap") << qint64(10) << 256 * KiB << qint64(0);
        QTest::newRow("download cap") << qint64(10) << qint64(0) << 128 * KiB;
    }
    void close_isDeliveredAfterTheBytesSentBeforeIt() {
        QFETCH(qint64, jitterMs);
        QFETCH(qint64, upload);
        QFETCH(qint64, download);
        SimPair lab;
        lab.linkA.setLatency(15ms, fromMs(jitterMs));
        lab.linkA.setUploadRate(upload);
        lab.linkB.setDownloadRate(download);
        QVERIFY(lab.open());
        const QByteArray data = randomBytes(512 * KiB, 21);
        for (qsizetype at = 0; at < data.size(); at += 10000)
            lab.a.write(data.mid(at, 10000));
        lab.a.close();
        QCOMPARE(lab.a->state(), ByteStream::State::Closing);
        QCOMPARE(lab.a.write("more"), quint64(0)); // this direction is ending: no more data
        QVERIFY(lab.runUntil([&] { return lab.b.closed; }, lab.clock.now() + 60s));
        QCOMPARE(lab.b.receivedAtClose, data.size()); // every byte, announced before closed()
        QCOMPARE(lab.b.availableAtClose, 0);
        QVERIFY(lab.b.received == data);
        QVERIFY(lab.b.closeError.isEmpty());
        QVERIFY(lab.b.closedAt >= lab.b.arrivals.last().first);
        QCOMPARE(lab.b->state(), ByteStream::State::Closed);
        QCOMPARE(lab.a.sent, data.size());
        QVERIFY(!lab.a.closed); // B has not ended its direction
        QCOMPARE(lab.a->state(), ByteStream::State::Closing);
        lab.clock.runUntil(lab.clock.now() + 1s);
        QCOMPARE(lab.b.closedCount, 1);
        QCOMPARE(lab.a.reentered + lab.b.reentered, 0);
    }

    // ByteStream's contract: after A's close() "reading goes on until the peer ends its own direction", and
    // B, told with closed() that A's direction ended, is Closed: it takes no more data (as on TCP, where Qt
    // closes a socket once it reads the peer's end). B's end of the connection then follows, whether B calls
    // close() or not, so A learns it is over.
    void halfClose_afterThePeersEnd_writesAreRefusedAndTheCloserIsClosed_data() {
        QTest::addColumn<bool>("closeToo");
        QTest::newRow("B calls close()") << true;
        QTest::newRow("B does nothing") << false;
    }
    void halfClose_afterThePeersEnd_writesAreRefusedAndTheCloserIsClosed() {
        QFETCH(bool, closeToo);
        SimPair lab;
        lab.linkA.setLatency(10ms);
        lab.linkB.setLatency(10ms);
        QVERIFY(lab.open());
        quint64 lateId = 1;
        lab.b.onClosed = [&] {
            QCOMPARE(lab.b.received, QByteArray("request"));
            QCOMPARE(lab.b->state(), ByteStream::State::Closed);
            lateId = lab.b.write("too late");
            if (closeToo)
                lab.b.close();
        };
        lab.a.write("request");
        lab.a.close();
        const SimTime closedAt = lab.clock.now();
        lab.runUntil([&] { return lab.a.closed; }, lab.clock.now() + 60s);
        QVERIFY(lab.b.closed);
        QCOMPARE(lateId, quint64(0));
        QVERIFY2(lab.a.closed, "A never learns that B ended its direction");
        QCOMPARE(lab.a.closedAt, closedAt + 40ms); // A's end there, B's end back
        QVERIFY(lab.a.received.isEmpty());
        QVERIFY(lab.a.closeError.isEmpty());
        QCOMPARE(lab.a->state(), ByteStream::State::Closed);
    }

    // close() with writes still waiting for the cap, then those writes taken back: nothing is left to send,
    // so the end of this direction must go out now.
    void closeThenCancelTheRest_stillEndsTheDirection() {
        SimPair lab;
        QVERIFY(lab.open());
        lab.linkA.setUploadRate(10 * KiB);
        const qint64 grant = BandwidthQueue::grantSize(lab.linkA.uploadLimiter(), true);
        lab.a.write(QByteArray(grant, 'f'));
        const quint64 rest = lab.a.write(QByteArray(100 * KiB, 'g'));
        lab.a.close();
        QVERIFY(lab.runUntil([&] { return lab.a.sent >= grant; }));
        QVERIFY(lab.a.cancelWrite(rest));
        QCOMPARE(lab.a->bytesToWrite(), 0);
        lab.runUntil([&] { return lab.b.closed; }, lab.clock.now() + 60s);
        QVERIFY2(lab.b.closed, "the end of A's direction never went out");
        QCOMPARE(lab.b.received, QByteArray(grant, 'f'));
    }

    // The usual shape of an HTTP exchange: the request and a half-close, the answer written as the request is
    // read. The answer is larger than B's cap moves at once, so it is still going out when A's end arrives.
    void halfClose_answerWrittenOnReadyRead_arrivesWholeThenTheCloserIsClosed_data() {
        QTest::addColumn<qint64>("upload");
        QTest::newRow("B unlimited") << qint64(0);
        QTest::newRow("B capped") << 256 * KiB;
    }
    void halfClose_answerWrittenOnReadyRead_arrivesWholeThenTheCloserIsClosed() {
        QFETCH(qint64, upload);
        SimPair lab;
        lab.linkA.setLatency(10ms);
        lab.linkB.setLatency(10ms);
        lab.linkB.setUploadRate(upload);
        QVERIFY(lab.open());
        const QByteArray answer = randomBytes(512 * KiB, 22);
        lab.b.onReadyRead = [&] {
            if (lab.b.received == "request")
                lab.b.write(answer);
        };
        lab.b.onClosed = [&] { lab.b.close(); }; // as a server does: the client is done, so are we
        lab.a.write("request");
        lab.a.close();
        lab.runUntil([&] { return lab.a.closed; }, lab.clock.now() + 60s);
        QCOMPARE(lab.a.received.size(), answer.size());
        QVERIFY(lab.a.received == answer);
        QVERIFY2(lab.a.closed, "A never learns that B ended its direction");
        QCOMPARE(lab.a.receivedAtClose, answer.size());
        QVERIFY(lab.a.closeError.isEmpty());
        QCOMPARE(lab.b.sent, answer.size());
    }

    // Closing first and being closed by the peer need not be told apart by the peer: when B closes before
    // A's end reaches it, both ends see closed().
    void closeFromBothEnds_closesBoth() {
        SimPair lab;
        lab.linkA.setLatency(10ms);
        QVERIFY(lab.open());
        lab.a.write("from a");
        lab.b.write("from b");
        lab.a.close();
        lab.b.close();
        QVERIFY(lab.runUntil([&] { return lab.a.closed && lab.b.closed; }));
        QCOMPARE(lab.a.receivedAtClose, 6);
        QCOMPARE(lab.b.receivedAtClose, 6);
        QVERIFY(lab.a.closeError.isEmpty() && lab.b.closeError.isEmpty());
    }

    void abort_peerIsResetAfterTheBytesOnTheirWay() {
        SimPair lab;
        lab.linkA.setLatency(30ms);
        lab.linkB.setLatency(20ms);
        QVERIFY(lab.open());
        const QByteArray data = randomBytes(100 * KiB, 23);
        lab.a.write(data); // across A's unlimited link at once, on its way for 50 ms
        const SimTime sentAt = lab.clock.now();
        lab.a.abort();
        QCOMPARE(lab.a->state(), ByteStream::State::Closed);
        QCOMPARE(lab.a->bytesToWrite(), 0);
        QCOMPARE(lab.a.write("x"), quint64(0));
        QVERIFY(lab.runUntil([&] { return lab.b.closed; }));
        QVERIFY(lab.b.received == data);
        QCOMPARE(lab.b.receivedAtClose, data.size());
        QCOMPARE(lab.b.closeError, QStringLiteral("connection reset by peer"));
        QCOMPARE(lab.b.closedAt, sentAt + 50ms);
        lab.clock.runUntil(lab.clock.now() + 10s);
        QVERIFY(!lab.a.closed);            // abort() emits no closed()
        QCOMPARE(lab.a.sent, data.size()); // the bytes crossed before the abort, and they arrived: counted
    }

    void abort_dropsWhatWaitsForTheCap() {
        SimPair lab;
        lab.linkA.setLatency(5ms);
        QVERIFY(lab.open());
        lab.linkA.setUploadRate(100 * KiB);
        lab.a.write(QByteArray(MiB, 'q'));
        QVERIFY(lab.clock.runUntil(lab.clock.now() + 1s));
        const qint64 across = lab.a.sent;
        QVERIFY(across > 90 * KiB && across <= 100 * KiB);
        lab.a.abort();
        QVERIFY(lab.runUntil([&] { return lab.b.closed; }));
        QCOMPARE(lab.b.received.size(), across);
        QCOMPARE(lab.b.closeError, QStringLiteral("connection reset by peer"));
        QCOMPARE(lab.linkA.uploadQueue().waiting(), 0);
    }

    void cancelWrite_takesBackWritesNotYetAcross() {
        SimPair lab;
        QVERIFY(lab.open());
        lab.linkA.setUploadRate(10 * KiB); // grants of 512 bytes, about every 50 ms
        const QByteArray w1(5000, '1'), w2(5000, '2'), w3(5000, '3');
        const quint64 id1 = lab.a.write(w1);
        const quint64 id2 = lab.a.write(w2);
        const quint64 id3 = lab.a.write(w3);
        QVERIFY(id1 > 0 && id2 > id1 && id3 > id2);
        QCOMPARE(lab.a->bytesToWrite(), 15000);
        QVERIFY(lab.a.cancelWrite(id2)); // not started: comes back whole
        QCOMPARE(lab.a->bytesToWrite(), 10000);
        QVERIFY(!lab.a.cancelWrite(id2));     // once
        QVERIFY(!lab.a.cancelWrite(id3 + 1)); // never written
        QVERIFY(lab.runUntil([&] { return lab.a.sent > 0; }));
        QVERIFY(lab.a.sent < w1.size());
        QVERIFY(!lab.a.cancelWrite(id1)); // partly across: too late
        QVERIFY(lab.runUntil([&] { return lab.b.received.size() == w1.size() + w3.size(); }));
        QVERIFY(!lab.a.cancelWrite(id3)); // all across
        QCOMPARE(lab.b.received, w1 + w3);
        lab.clock.runUntil(lab.clock.now() + 5s);
        QCOMPARE(lab.b.received, w1 + w3); // w2 never arrives
        QCOMPARE(lab.a.sent, w1.size() + w3.size());
        QVERIFY(lab.a->isFlushed());
    }

    void cancelWrite_ofTheOnlyWriteBeforeTheConnectionIsUp() {
        SimPair lab;
        lab.linkA.setLatency(10ms);
        QObject::connect(lab.listener.get(), &Listener::newConnection, lab.listener.get(),
                         [&] { lab.b.attach(lab.listener->nextPendingConnection(), lab.clock); });
        lab.a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        const quint64 id = lab.a.write("never");
        QVERIFY(lab.a.cancelWrite(id));
        QCOMPARE(lab.a->bytesToWrite(), 0);
        lab.a.write("kept");
        QVERIFY(lab.runUntil([&] { return lab.b && !lab.b.received.isEmpty(); }));
        QCOMPARE(lab.b.received, QByteArray("kept"));
    }

    void signals_neverComeFromInsideACall() {
        SimPair lab;
        lab.linkA.setLatency(3ms, 2ms);
        lab.linkB.setUploadRate(64 * KiB);
        lab.linkB.setDownloadRate(256 * KiB);
        QVERIFY(lab.open());
        // A conversation in which every slot calls the stream again: B echoes, A answers the echo.
        int rounds = 0;
        lab.b.onReadyRead = [&] {
            lab.b.write(lab.b.received.right(1000));
            lab.b.read(10); // nothing left: autoRead took it
            lab.b.setReadBufferLimit(rounds % 2 ? 0 : 64 * KiB);
        };
        lab.a.onReadyRead = [&] {
            if (++rounds < 200) {
                const quint64 id = lab.a.write(QByteArray(3000, 'p'));
                if (rounds % 7 == 0)
                    lab.a.cancelWrite(id);
            } else if (rounds == 200) {
                lab.a.close();
            }
        };
        lab.b.onClosed = [&] { lab.b.close(); };
        lab.a.write(QByteArray(3000, 'p'));
        QVERIFY(lab.runUntil([&] { return rounds >= 200 && lab.b.closed; }, lab.clock.now() + 600s));
        QCOMPARE(lab.a.reentered, 0);
        QCOMPARE(lab.b.reentered, 0);
        QVERIFY(lab.a.readyReads >= 200);
    }

    void readBufferLimit_holdsBytesBackAtTheSenderUntilRead() {
        SimPair lab;
        QVERIFY(lab.open());
        constexpr qint64 limit = 64 * KiB;
        // The smallest window: with no latency there is no round trip to cover. (With latency, an unlimited
        // link's window is two round trips at 1 GiB/s: 20 MiB for a 5 ms round trip.)
        constexpr qint64 window = 256 * KiB;
        lab.b.autoRead = false;
        lab.b.setReadBufferLimit(limit);
        const QByteArray data = randomBytes(2 * MiB, 24);
        lab.a.write(data);
        QVERIFY(lab.clock.runUntil(lab.clock.now() + 2s));
        QCOMPARE(lab.b->bytesAvailable(), limit); // exactly up to the limit
        QVERIFY(lab.a.sent <= limit + window);    // the rest of what crossed waits in the window
        QCOMPARE(lab.a->bytesToWrite(), data.size() - lab.a.sent); // and the bulk waits at A
        QVERIFY(lab.a->bytesToWrite() >= data.size() - limit - window);
        QVERIFY(lab.b.readyReads >= 1);
        // Reading makes room: the rest follows, intact, never more than the limit unread.
        QByteArray got;
        while (got.size() < data.size()) {
            QVERIFY(lab.b->bytesAvailable() <= limit);
            got += lab.b.read(16 * KiB);
            if (!lab.clock.runUntil(lab.clock.now() + 1ms) || lab.clock.now() > 1h)
                break;
        }
        QVERIFY(got == data);
        QCOMPARE(lab.a->bytesToWrite(), 0);
    }

    void readBufferLimit_liftedLetsEverythingIn() {
        SimPair lab;
        QVERIFY(lab.open());
        lab.b.autoRead = false;
        lab.b.setReadBufferLimit(1000);
        lab.a.write(QByteArray(100000, 'r'));
        lab.clock.runUntil(lab.clock.now() + 1s);
        QCOMPARE(lab.b->bytesAvailable(), 1000);
        lab.b.setReadBufferLimit(0);
        lab.clock.runUntil(lab.clock.now() + 1s);
        QCOMPARE(lab.b->bytesAvailable(), 100000);
    }

    // A lab peer goes with its link: its stream first, then the link its host ran on. The other end, closed
    // later (aborted, or closed with bytes still to send), must not read the link that is gone.
    void hostGoneWithItsLink_theOtherEndsCloseStillWorks_data() {
        QTest::addColumn<bool>("abortIt");
        QTest::newRow("abort") << true;
        QTest::newRow("close") << false;
    }
    void hostGoneWithItsLink_theOtherEndsCloseStillWorks() {
        QFETCH(bool, abortIt);
        SimLab lab;
        auto link = std::make_unique<SimulatedLink>(lab.clock, 33);
        link->setLatency(25ms, 10ms);
        auto host = lab.network.addHost(QHostAddress(QStringLiteral("10.0.0.3")), *link);
        End c;
        End b;
        lab.linkB.setLatency(5ms, 3ms);
        QObject::connect(lab.listener.get(), &Listener::newConnection, lab.listener.get(), [&] {
            if (!b)
                b.attach(lab.listener->nextPendingConnection(), lab.clock);
        });
        c.attach(host->connectTo(addressB(), kPort), lab.clock);
        QVERIFY(lab.runUntil([&] { return c.connected && bool(b); }, lab.clock.now() + 10s));
        c.write(randomBytes(256 * KiB, 31));
        b.write(randomBytes(256 * KiB, 32));
        lab.clock.runUntil(lab.clock.now() + 40ms);
        c.stream.reset(); // the peer, then its node and link
        host.reset();
        link.reset();
        if (abortIt)
            b.abort();
        else
            b.close();
        for (int i = 0; i < 50 && lab.clock.hasEvents(); ++i)
            lab.clock.runUntil(lab.clock.now() + 100ms);
        QVERIFY(b.closed || abortIt);
        QCOMPARE(b->state(), ByteStream::State::Closed);
    }

    void destroyedWithDataInFlight_doesNotCrashOrLeak_data() {
        QTest::addColumn<QString>("what");
        QTest::newRow("sender") << QStringLiteral("sender");
        QTest::newRow("receiver") << QStringLiteral("receiver");
        QTest::newRow("both") << QStringLiteral("both");
        QTest::newRow("receiver, inside readyRead") << QStringLiteral("in readyRead");
        QTest::newRow("sender, inside bytesSent") << QStringLiteral("in bytesSent");
        QTest::newRow("receiver, inside closed") << QStringLiteral("in closed");
        QTest::newRow("the whole network") << QStringLiteral("network");
    }
    void destroyedWithDataInFlight_doesNotCrashOrLeak() {
        QFETCH(QString, what);
        auto lab = std::make_unique<SimPair>();
        lab->linkA.setLatency(20ms, 5ms);
        lab->linkB.setLatency(10ms);
        QVERIFY(lab->open());
        lab->linkA.setUploadRate(512 * KiB);
        lab->linkB.setDownloadRate(256 * KiB);
        lab->a.write(randomBytes(2 * MiB, 25));
        lab->b.write(randomBytes(64 * KiB, 26));
        const auto deleteLater = [](End& end) {
            if (end.stream)
                end.stream.release()->deleteLater();
        };
        if (what == QStringLiteral("in readyRead"))
            lab->b.onReadyRead = [&] { deleteLater(lab->b); };
        if (what == QStringLiteral("in bytesSent"))
            lab->a.onBytesSent = [&](qint64) {
                if (lab->a.sent > 100 * KiB)
                    deleteLater(lab->a);
            };
        if (what == QStringLiteral("in closed")) {
            lab->b.onClosed = [&] { deleteLater(lab->b); };
            lab->a.onBytesSent = [&](qint64) {
                if (lab->a.sent > 100 * KiB && lab->a->state() == ByteStream::State::Connected)
                    lab->a.close();
            };
        }
        QVERIFY(lab->clock.runUntil(lab->clock.now() + 300ms)); // mid-transfer: bytes on the way both ways
        const qint64 sentBefore = lab->a.sent;
        if (what == QStringLiteral("sender") || what == QStringLiteral("both"))
            lab->a.stream.reset();
        if (what == QStringLiteral("receiver") || what == QStringLiteral("both"))
            lab->b.stream.reset();
        if (what == QStringLiteral("network")) {
            lab.reset(); // streams, listener, hosts, links and the clock with its events
            return;
        }
        for (int i = 0; i < 100 && lab->clock.hasEvents() && lab->clock.now() < 1h; ++i) {
            lab->clock.runUntil(lab->clock.now() + 100ms);
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        }
        if (what == QStringLiteral("sender")) {
            QVERIFY(lab->b.closed);
            QCOMPARE(lab->b.closeError, QStringLiteral("connection reset by peer"));
            QCOMPARE(lab->b.received.size(), sentBefore); // what crossed still arrived
        }
        if (what == QStringLiteral("receiver")) {
            QVERIFY(lab->a.closed);
            QCOMPARE(lab->a.closeError, QStringLiteral("connection reset by peer"));
        }
        // Everything settles: nothing keeps sending into a connection that is gone.
        lab->clock.runAll(lab->clock.now() + 1h);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        QCOMPARE(lab->clock.pendingEvents(), 0);
    }
};

std::unique_ptr<QObject> swarmscope::createSimCloseTests() {
    return std::make_unique<TestSimClose>();
}

#include "tst_simclose.moc"
