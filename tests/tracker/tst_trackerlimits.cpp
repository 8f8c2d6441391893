// The tracker's HTTP limits: parse errors, connection cap, slow requests, keep-alive, upload budget.

#include "TrackerServerFixture.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>

#include <sys/socket.h>

using namespace swarmscope;
using namespace swarmscope::trackertest;

class TrackerLimitsTest : public QObject, public TrackerServerFixture {
    Q_OBJECT
private slots:
    void limits_parseErrorsAnswerInTheRouteFormat();
    void limits_connectionCap();
    void limits_slowRequestTimesOutIdleCloses();
    void limits_keepAliveServesUpToCapThenCloses();
    void limits_largeUploadsShareABudget();
    void limits_halfClosedClientStillGetsItsAnswer();
};

void TrackerLimitsTest::limits_parseErrorsAnswerInTheRouteFormat() {
    const auto server = startServer();
    QByteArray headers = "GET /announce HTTP/1.1\r\n";
    for (int i = 0; i < 65; ++i)
        headers += "X-" + QByteArray::number(i) + ": v\r\n";
    QByteArray raw = rawExchange(server->serverPort(), headers + "\r\n");
    QCOMPARE(statusOf(raw), 431);
    QCOMPARE(failureReason(bodyOf(raw)), QByteArray("too many headers"));

    raw = rawExchange(server->serverPort(), "GET /torrents?x=%zz HTTP/1.1\r\n\r\n");
    QCOMPARE(statusOf(raw), 400);
    QCOMPARE(QJsonDocument::fromJson(bodyOf(raw)).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("invalid percent-encoding in query"));

    raw = rawExchange(server->serverPort(), "GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\n\r\n");
    QCOMPARE(statusOf(raw), 414);
    raw = rawExchange(server->serverPort(), "BREW /pot HTCPCP/1.0\r\n\r\n");
    QCOMPARE(statusOf(raw), 400);
    QCOMPARE(bodyOf(raw), QByteArray("invalid HTTP version\n"));
}

void TrackerLimitsTest::limits_connectionCap() {
    TrackerServerConfig config;
    config.maxConnections = 3;
    const auto server = startServer(config);
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        held.back()->connectToHost(QHostAddress::LocalHost, server->serverPort());
        QVERIFY(held.back()->waitForConnected(5000));
    }
    QTRY_COMPARE(server->connectionCount(), 3);
    const QByteArray refused = rawExchange(server->serverPort(), QByteArray());
    QCOMPARE(statusOf(refused), 503);
    QCOMPARE(bodyOf(refused), QByteArray("too many connections\n"));
    QCOMPARE(server->connectionCount(), 3);

    held.pop_back();
    QTRY_COMPARE(server->connectionCount(), 2);
    QCOMPARE(statusOf(rawExchange(server->serverPort(), "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")), 200);
}

void TrackerLimitsTest::limits_slowRequestTimesOutIdleCloses() {
    TrackerServerConfig config;
    config.http.requestTimeoutMs = 300;
    const auto server = startServer(config);
    QElapsedTimer timer;
    timer.start();
    // Sending bytes slowly does not extend the deadline: the whole request must arrive in time.
    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, server->serverPort());
    QVERIFY(slow.waitForConnected(5000));
    QByteArray received;
    for (const char c : QByteArray("GET /announce HTT")) {
        slow.write(&c, 1);
        slow.flush();
        QTest::qWait(25);
        received += slow.readAll();
    }
    QTRY_VERIFY_WITH_TIMEOUT(slow.state() == QAbstractSocket::UnconnectedState, 5000);
    received += slow.readAll();
    QCOMPARE(statusOf(received), 408);
    QVERIFY(timer.elapsed() < 3000);

    const QByteArray idle = rawExchange(server->serverPort(), QByteArray(), 3000);
    QVERIFY(idle.isEmpty()); // closed without a word
    QTRY_COMPARE(server->connectionCount(), 0);
}

void TrackerLimitsTest::limits_keepAliveServesUpToCapThenCloses() {
    TrackerServerConfig config;
    config.http.maxRequestsPerConnection = 3;
    const auto server = startServer(config);
    const QByteArray one = "GET /scrape HTTP/1.1\r\nHost: t\r\n\r\n";
    const QByteArray raw = rawExchange(server->serverPort(), one + one + one + one);
    QCOMPARE(raw.count("HTTP/1.1 200 OK"), 3);
    QCOMPARE(raw.count("Connection: keep-alive"), 2);
    QCOMPARE(raw.count("Connection: close"), 1);
}

void TrackerLimitsTest::limits_largeUploadsShareABudget() {
    TrackerServerConfig config;
    config.maxLargeUploads = 1;
    const auto server = startServer(config);
    const QByteArray head = "POST /torrents HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n";
    QTcpSocket first;
    first.connectToHost(QHostAddress::LocalHost, server->serverPort());
    QVERIFY(first.waitForConnected(5000));
    first.write(head + QByteArray(200'000, 'x'));
    QVERIFY(first.waitForBytesWritten(5000));
    QTest::qWait(100);
    const QByteArray second = rawExchange(server->serverPort(), head + QByteArray(70'000, 'x'));
    QCOMPARE(statusOf(second), 503);
    // The first upload goes on and gets its (negative) answer once complete.
    first.write(QByteArray(800'000, 'x'));
    QTRY_VERIFY_WITH_TIMEOUT(first.bytesAvailable() > 0, 5000);
    QCOMPARE(statusOf(first.readAll()), 400);
}

void TrackerLimitsTest::limits_halfClosedClientStillGetsItsAnswer() {
    // Some clients (nc -N, scripts) shut down their sending side right after the request.
    const auto server = startServer();
    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, server->serverPort());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /scrape HTTP/1.1\r\nHost: t\r\n\r\n");
    QVERIFY(socket.waitForBytesWritten(5000));
    QCOMPARE(::shutdown(int(socket.socketDescriptor()), SHUT_WR), 0);
    QTRY_VERIFY(received.contains("\r\n\r\nd5:filesdee"));
    QCOMPARE(statusOf(received), 200);
}

QTEST_GUILESS_MAIN(TrackerLimitsTest)
#include "tst_trackerlimits.moc"
