#include "NetworkTests.h"
#include "SimLab.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::nettest;
using namespace std::chrono_literals;

// Listening and connecting on the simulated network, all in virtual time.
class TestSimConnect : public QObject {
    Q_OBJECT
private slots:
    void connect_isConnectedAfterOneRoundTrip_data() {
        QTest::addColumn<qint64>("latencyAMs");
        QTest::addColumn<qint64>("latencyBMs");
        QTest::newRow("no latency") << qint64(0) << qint64(0);
        QTest::newRow("30 + 20 ms") << qint64(30) << qint64(20);
        QTest::newRow("only the server's") << qint64(0) << qint64(75);
    }
    void connect_isConnectedAfterOneRoundTrip() {
        QFETCH(qint64, latencyAMs);
        QFETCH(qint64, latencyBMs);
        SimPair lab;
        lab.clock.runUntil(1s);                        // not from zero: times below are relative
        lab.linkA.setLatency(fromMs(latencyAMs), 5ms); // jitter delays data, not the handshake
        lab.linkB.setLatency(fromMs(latencyBMs));
        SimTime acceptedAt = SimTime::min();
        QObject::connect(lab.listener.get(), &Listener::newConnection, lab.listener.get(),
                         [&] { acceptedAt = lab.clock.now(); });
        const SimTime start = lab.clock.now();
        const SimTime oneWay = fromMs(latencyAMs + latencyBMs);
        lab.a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        QCOMPARE(lab.a->state(), ByteStream::State::Connecting);
        QVERIFY(lab.runUntil([&] { return lab.a.connected; }));
        QCOMPARE(lab.a.connectedAt, start + 2 * oneWay);
        QCOMPARE(acceptedAt, start + oneWay); // the SYN's one way
        QCOMPARE(lab.a->state(), ByteStream::State::Connected);
        QVERIFY(lab.listener->hasPendingConnections());
        lab.b.attach(lab.listener->nextPendingConnection(), lab.clock);
        QVERIFY(lab.b);
        QVERIFY(!lab.listener->hasPendingConnections());
        QCOMPARE(lab.b->state(), ByteStream::State::Connected);
        QCOMPARE(lab.a->peerAddress(), addressB());
        QCOMPARE(lab.a->peerPort(), kPort);
        QCOMPARE(lab.b->peerAddress(), addressA());
        QVERIFY(lab.b->peerPort() != 0);
        QVERIFY(lab.a->errorString().isEmpty());
        QCOMPARE(lab.network.connectionCount(), 1);
        QVERIFY(!lab.b.connected); // connected() is the connecting side's signal
        QCOMPARE(lab.a.reentered, 0);
    }

    void connect_refusedWhenNobodyListens() {
        SimLab lab;
        lab.linkA.setLatency(10ms);
        lab.linkB.setLatency(15ms);
        End a;
        a.attach(lab.hostA->connectTo(addressB(), kPort + 1), lab.clock);
        QVERIFY(lab.runUntil([&] { return a.closed; }));
        QCOMPARE(a.closedAt, SimTime(50ms)); // the refusal comes back after one round trip
        QCOMPARE(a.closeError, QStringLiteral("connection refused"));
        QVERIFY(!a.connected);
        QCOMPARE(a->state(), ByteStream::State::Closed);
        QCOMPARE(a->write("late"), quint64(0)); // takes no data any more
        QCOMPARE(lab.network.connectionCount(), 0);
    }

    void connect_refusedWhenTheBacklogIsFull() {
        SimLab lab;
        QString error;
        std::unique_ptr<Listener> small(lab.hostB->listen(addressB(), 7000, 2, &error));
        QVERIFY2(small, qPrintable(error));
        End first, second, third;
        first.attach(lab.hostA->connectTo(addressB(), 7000), lab.clock);
        second.attach(lab.hostA->connectTo(addressB(), 7000), lab.clock);
        third.attach(lab.hostA->connectTo(addressB(), 7000), lab.clock);
        QVERIFY(lab.runUntil([&] { return first.connected && second.connected && third.closed; }));
        QCOMPARE(third.closeError, QStringLiteral("connection refused"));
        QVERIFY(!third.connected);
        // Taking one from the backlog makes room for the next.
        std::unique_ptr<ByteStream> taken(small->nextPendingConnection());
        QVERIFY(taken);
        End fourth;
        fourth.attach(lab.hostA->connectTo(addressB(), 7000), lab.clock);
        QVERIFY(lab.runUntil([&] { return fourth.connected || fourth.closed; }));
        QVERIFY(fourth.connected);
        QCOMPARE(lab.network.connectionCount(), 3);
    }

    void connect_toAnUnknownHostFails_data() {
        QTest::addColumn<QString>("host");
        QTest::addColumn<bool>("byName");
        QTest::newRow("address nobody has") << QStringLiteral("10.9.9.9") << false;
        QTest::newRow("address nobody has, as text") << QStringLiteral("10.9.9.9") << true;
        QTest::newRow("a name") << QStringLiteral("tracker.example.org") << true;
        QTest::newRow("garbage") << QStringLiteral("not an address") << true;
    }
    void connect_toAnUnknownHostFails() {
        QFETCH(QString, host);
        QFETCH(bool, byName);
        SimLab lab;
        lab.linkA.setLatency(20ms);
        End a;
        a.attach(byName ? lab.hostA->connectToHost(host, kPort)
                        : lab.hostA->connectTo(QHostAddress(host), kPort),
                 lab.clock);
        QVERIFY(a);
        QCOMPARE(a->state(), ByteStream::State::Connecting);
        QVERIFY(lab.runUntil([&] { return a.closed; }));
        QVERIFY(!a.connected);
        QVERIFY(!a.closeError.isEmpty());
        QCOMPARE(a->state(), ByteStream::State::Closed);
    }

    void connectToHost_withAnAddressAsText_connects() {
        SimPair lab;
        lab.a.attach(lab.hostA->connectToHost(QStringLiteral("10.0.0.2"), kPort), lab.clock);
        QVERIFY(lab.runUntil([&] { return lab.a.connected || lab.a.closed; }));
        QVERIFY(lab.a.connected);
    }

    void writeWhileConnecting_goesOutOnceConnected() {
        SimPair lab;
        lab.linkA.setLatency(10ms);
        QObject::connect(lab.listener.get(), &Listener::newConnection, lab.listener.get(),
                         [&] { lab.b.attach(lab.listener->nextPendingConnection(), lab.clock); });
        lab.a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        QVERIFY(lab.a.write("early") > 0);
        QCOMPARE(lab.a->bytesToWrite(), 5);
        QVERIFY(lab.runUntil([&] { return lab.b && lab.b.received.size() == 5; }));
        QCOMPARE(lab.b.received, QByteArray("early"));
        QCOMPARE(lab.b.arrivals.first().first, SimTime(30ms)); // sent on connecting (20 ms), 10 ms on the way
    }

    void listen_errorsAndFreePorts() {
        SimLab lab;
        QString error;
        QVERIFY(!lab.hostB->listen(addressA(), 7000, 5, &error));
        QVERIFY2(error.contains(QStringLiteral("not this host")), qPrintable(error));
        error.clear();
        QVERIFY(!lab.hostB->listen(addressB(), kPort, 5, &error)); // SimLab listens there already
        QCOMPARE(error, QStringLiteral("the address is already in use"));
        // Port 0: the first free one from 6881 up.
        std::unique_ptr<Listener> free1(lab.hostB->listen(QHostAddress::AnyIPv4, 0, 5, &error));
        std::unique_ptr<Listener> free2(lab.hostB->listen(QHostAddress(), 0, 5, &error));
        QVERIFY(free1 && free2);
        QCOMPARE(free1->port(), quint16(kPort + 1));
        QCOMPARE(free2->port(), quint16(kPort + 2));
        QCOMPARE(free1->address(), addressB());
        // The same port on another host is another address.
        std::unique_ptr<Listener> onA(lab.hostA->listen(addressA(), kPort, 5, &error));
        QVERIFY(onA);
    }

    void closedListener_refusesAndFreesItsPort() {
        SimLab lab;
        lab.listener->close();
        End a;
        a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        QVERIFY(lab.runUntil([&] { return a.closed; }));
        QCOMPARE(a.closeError, QStringLiteral("connection refused"));
        QString error;
        std::unique_ptr<Listener> again(lab.hostB->listen(addressB(), kPort, 5, &error));
        QVERIFY2(again, qPrintable(error));
    }

    void destroyedListener_resetsTheConnectionsItHeld() {
        SimLab lab;
        lab.linkA.setLatency(5ms);
        End a;
        a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        QVERIFY(lab.runUntil([&] { return a.connected; }));
        lab.listener.reset(); // never taken: the pending stream goes with it
        QVERIFY(lab.runUntil([&] { return a.closed; }));
        QCOMPARE(a.closeError, QStringLiteral("connection reset by peer"));
        a.stream.reset();
        QCOMPARE(lab.network.connectionCount(), 0);
    }

    void addHost_refusesATakenAddress() {
        SimLab lab;
        SimulatedLink other(lab.clock);
        QVERIFY(!lab.network.addHost(addressA(), other));
        QCOMPARE(lab.network.host(addressA()), lab.hostA.get());
        auto third = lab.network.addHost(QHostAddress(QStringLiteral("10.0.0.3")), other);
        QVERIFY(third);
        QCOMPARE(lab.network.host(QHostAddress(QStringLiteral("10.0.0.3"))), third.get());
        third.reset();
        QVERIFY(!lab.network.host(QHostAddress(QStringLiteral("10.0.0.3"))));
    }

    void closeWhileConnecting_endsTheAttempt() {
        SimLab lab;
        lab.linkA.setLatency(10ms);
        End a;
        a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        a.close();
        QVERIFY(!a.closed); // not from inside close()
        QVERIFY(lab.runUntil([&] { return a.closed; }));
        QVERIFY(!a.connected);
        QCOMPARE(a->state(), ByteStream::State::Closed);
        lab.clock.runAll();
        QVERIFY(!lab.listener->hasPendingConnections()); // the SYN found the attempt given up
        QCOMPARE(a.reentered, 0);
    }

    // The SYN reached the server and the server accepted; then the client gives up before the SYN-ACK is
    // back. The server's end must learn that the connection is gone, as a reset would tell it on TCP.
    void giveUpWhileTheHandshakeIsOnItsWay_endsTheServersEndToo_data() {
        QTest::addColumn<bool>("abort");
        QTest::newRow("close()") << false;
        QTest::newRow("abort()") << true;
    }
    void giveUpWhileTheHandshakeIsOnItsWay_endsTheServersEndToo() {
        QFETCH(bool, abort);
        SimPair lab;
        lab.linkA.setLatency(10ms);
        lab.linkB.setLatency(10ms);
        QObject::connect(lab.listener.get(), &Listener::newConnection, lab.listener.get(),
                         [&] { lab.b.attach(lab.listener->nextPendingConnection(), lab.clock); });
        lab.a.attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
        QVERIFY(lab.runUntil([&] { return bool(lab.b); })); // at 20 ms; the SYN-ACK arrives at 40 ms
        QCOMPARE(lab.b->state(), ByteStream::State::Connected);
        if (abort)
            lab.a.abort();
        else
            lab.a.close();
        lab.b.write("hello?");
        lab.clock.runUntil(lab.clock.now() + 10s);
        QVERIFY(!lab.a.connected);
        QVERIFY2(lab.b.closed, "the server's end is left open for ever");
        QCOMPARE(lab.b->state(), ByteStream::State::Closed);
    }
};

std::unique_ptr<QObject> swarmscope::createSimConnectTests() {
    return std::make_unique<TestSimConnect>();
}

#include "tst_simconnect.moc"
