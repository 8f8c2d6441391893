// TrackerClient, HttpClient and CatalogueClient against a real TrackerServer and scripted HTTP servers on
// loopback. Retry and interval timing run on an injected clock.

#include "TrackerTestUtil.h"

#include "tracker/CatalogueClient.h"
#include "tracker/HttpClient.h"
#include "tracker/TrackerClient.h"
#include "tracker/TrackerServer.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace swarmscope;
using namespace swarmscope::trackertest;

namespace {

// Answers each connection with the next canned reply, sent in slices; an empty reply means stay silent.
class ScriptedHttpServer : public QObject {
public:
    explicit ScriptedHttpServer(QList<QByteArray> replies, int sliceBytes = 0)
        : m_replies(std::move(replies)), m_slice(sliceBytes) {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // tiny slices, no Nagle wait
                auto buffer = std::make_shared<QByteArray>();
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    if (!buffer->contains("\r\n\r\n") || socket->property("answered").toBool())
                        return;
                    socket->setProperty("answered", true);
                    requests.append(*buffer);
                    const QByteArray reply = m_replies.isEmpty() ? QByteArray() : m_replies.takeFirst();
                    if (reply.isEmpty())
                        return;
                    const int slice = m_slice > 0 ? m_slice : int(reply.size());
                    for (qsizetype at = 0; at < reply.size(); at += slice) {
                        socket->write(reply.mid(at, slice));
                        socket->flush();
                    }
                    socket->disconnectFromHost();
                });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QString url(const QString& path) const {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
    }
    QList<QByteArray> requests;

private:
    QTcpServer m_server;
    QList<QByteArray> m_replies;
    int m_slice;
};

QString deadUrl() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close(); // nothing listens there now: connections are refused at once
    return QStringLiteral("http://127.0.0.1:%1/announce").arg(port);
}

QByteArray okReply(const QByteArray& bencoded) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + QByteArray::number(bencoded.size()) + "\r\n\r\n" +
           bencoded;
}

TrackerClientConfig clientConfig(const QList<QStringList>& tiers, int peer) {
    TrackerClientConfig config;
    config.tiers = tiers;
    config.infoHash = binaryInfoHash(1);
    config.peerId = peerIdFor(peer);
    config.port = quint16(7000 + peer);
    config.shuffleTiers = false;
    config.randomSeed = 3;
    return config;
}

struct Recorder {
    QList<QList<TrackerPeer>> peers;
    QStringList failures;
    QStringList successes;
    int stopped = 0;

    void attach(TrackerClient& client) {
        QObject::connect(&client, &TrackerClient::peersReceived,
                         [this](const QList<TrackerPeer>& list) { peers.append(list); });
        QObject::connect(
            &client, &TrackerClient::announceFailed,
            [this](const QString& url, const QString& reason) { failures.append(url + u' ' + reason); });
        QObject::connect(&client, &TrackerClient::announced,
                         [this](const QString& url, const AnnounceResponse&) { successes.append(url); });
        QObject::connect(&client, &TrackerClient::stopped, [this] { ++stopped; });
    }
};

} // namespace

class TrackerClientTest : public QObject {
    Q_OBJECT
private slots:
    void endToEnd_startedPeersCompletedStopped();
    void tiers_skipDeadTrackerAndPromoteWorkingOne();
    void backoff_doublesOnInjectedClockUpToFiveMinutes();
    void interval_andMinIntervalHonoured();
    void failureReason_reportedFromTracker();
    void stop_neverHangsOnSilentTracker();
    void stop_withoutStartedAnnounceFinishesAtOnce();
    void httpClient_chunkedReplyAndExistingQuery();
    void httpClient_boundsSizeAndTime();
    void catalogueClient_publishListFetchByName();
    void catalogueClient_reportsErrors();
};

void TrackerClientTest::endToEnd_startedPeersCompletedStopped() {
    TrackerServer server;
    QVERIFY(server.listen());
    QSignalSpy serverCompleted(&server, &TrackerServer::peerCompleted);
    QSignalSpy serverStopped(&server, &TrackerServer::peerStopped);

    TrackerClient seeder(clientConfig({{server.announceUrl()}}, 1));
    seeder.setStatsProvider([] { return TrackerTransferStats{0, 0, 0}; });
    TrackerTransferStats leecherStats{0, 0, 1000};
    TrackerClient leecher(clientConfig({{server.announceUrl()}}, 2));
    leecher.setStatsProvider([&leecherStats] { return leecherStats; });
    Recorder seederLog, leecherLog;
    seederLog.attach(seeder);
    leecherLog.attach(leecher);

    seeder.start();
    QTRY_COMPARE(seederLog.successes.size(), 1);
    QVERIFY(seederLog.peers.first().isEmpty());
    leecher.start();
    QTRY_COMPARE(leecherLog.successes.size(), 1);
    QCOMPARE(leecherLog.peers.first(),
             (QList<TrackerPeer>{{QHostAddress(QHostAddress::LocalHost), 7001, QByteArray()}}));
    QCOMPARE(server.swarms().counts(binaryInfoHash(1)), (ScrapeCounts{1, 1, 0}));

    leecherStats = {0, 1000, 0};
    leecher.complete();
    QTRY_COMPARE(serverCompleted.size(), 1);
    QCOMPARE(serverCompleted.first().at(1).toByteArray(), peerIdFor(2));
    QCOMPARE(server.swarms().counts(binaryInfoHash(1)), (ScrapeCounts{2, 0, 1}));

    leecher.stop();
    QTRY_COMPARE(leecherLog.stopped, 1);
    QCOMPARE(serverStopped.size(), 1);
    seeder.stop();
    QTRY_COMPARE(seederLog.stopped, 1);
    QCOMPARE(serverStopped.size(), 2);
    QCOMPARE(server.swarms().counts(binaryInfoHash(1)), (ScrapeCounts{0, 0, 1}));
    QVERIFY(leecherLog.failures.isEmpty());
}

void TrackerClientTest::tiers_skipDeadTrackerAndPromoteWorkingOne() {
    TrackerServer server;
    QVERIFY(server.listen());
    const QString dead = deadUrl();
    TrackerClient client(clientConfig({{dead, server.announceUrl()}}, 1));
    Recorder log;
    log.attach(client);
    client.start();
    QTRY_COMPARE(log.successes.size(), 1);
    QCOMPARE(log.failures.size(), 1);
    QVERIFY2(log.failures.first().startsWith(dead + QStringLiteral(" connection refused")),
             qPrintable(log.failures.first()));
    QCOMPARE(client.tiers(), (QList<QStringList>{{server.announceUrl(), dead}}));
    QCOMPARE(client.currentUrl(), server.announceUrl());

    // A later tier is tried after the whole first one failed.
    TrackerClient tiered(clientConfig({{deadUrl()}, {deadUrl()}, {server.announceUrl()}}, 2));
    Recorder tieredLog;
    tieredLog.attach(tiered);
    tiered.start();
    QTRY_COMPARE(tieredLog.successes, QStringList{server.announceUrl()});
    QCOMPARE(tieredLog.failures.size(), 2);
    QCOMPARE(tiered.consecutiveFailures(), 0);
    client.stop();
    tiered.stop();
    QTRY_COMPARE(log.stopped + tieredLog.stopped, 2);
}

void TrackerClientTest::backoff_doublesOnInjectedClockUpToFiveMinutes() {
    qint64 now = 50'000;
    TrackerClientConfig config = clientConfig({{deadUrl(), deadUrl()}}, 1);
    config.clock = [&now] { return now; };
    TrackerClient client(config);
    Recorder log;
    log.attach(client);
    client.start();
    const qint64 expected[] = {5'000, 10'000, 20'000, 40'000, 80'000, 160'000, 300'000, 300'000};
    for (int round = 0; round < 8; ++round) {
        // Both trackers of the tier are tried before the round counts as failed.
        QTRY_COMPARE(log.failures.size(), 2 * (round + 1));
        QTRY_VERIFY(!client.isBusy());
        QCOMPARE(client.consecutiveFailures(), round + 1);
        QCOMPARE(client.nextAnnounceAtMs() - now, expected[round]);
        now += expected[round] - 1;
        client.tick(); // not due yet
        QTest::qWait(20);
        QCOMPARE(log.failures.size(), 2 * (round + 1));
        now += 1;
        client.tick();
    }
    client.stop();
    QTRY_COMPARE(log.stopped, 1);
}

void TrackerClientTest::interval_andMinIntervalHonoured() {
    TrackerServerConfig serverConfig;
    serverConfig.intervalSeconds = 60;
    serverConfig.minIntervalSeconds = 30;
    TrackerServer server(serverConfig);
    QVERIFY(server.listen());
    QSignalSpy serverAnnounced(&server, &TrackerServer::peerAnnounced);

    qint64 now = 0;
    TrackerClientConfig config = clientConfig({{server.announceUrl()}}, 1);
    config.clock = [&now] { return now; };
    TrackerClient client(config);
    Recorder log;
    log.attach(client);
    client.start();
    QTRY_COMPARE(log.successes.size(), 1);
    QCOMPARE(client.nextAnnounceAtMs(), 60'000);
    client.announceNow(); // too early: deferred to the min interval
    QCOMPARE(client.nextAnnounceAtMs(), 30'000);
    QTest::qWait(50);
    QCOMPARE(serverAnnounced.size(), 1);
    now = 30'000;
    client.tick();
    QTRY_COMPARE(log.successes.size(), 2);
    QCOMPARE(serverAnnounced.size(), 2);
    QCOMPARE(client.nextAnnounceAtMs(), 90'000);
    QCOMPARE(client.lastResponse()->interval, 60);
    client.stop();
    QTRY_COMPARE(log.stopped, 1);
}

void TrackerClientTest::failureReason_reportedFromTracker() {
    TrackerServer server;
    QVERIFY(server.listen());
    TrackerClientConfig config = clientConfig({{server.announceUrl()}}, 1);
    config.infoHash.chop(1);
    TrackerClient client(config);
    Recorder log;
    log.attach(client);
    client.start();
    QTRY_COMPARE(log.failures.size(), 1);
    QCOMPARE(log.failures.first(), server.announceUrl() + QStringLiteral(" info_hash must be 20 bytes"));
    QCOMPARE(client.consecutiveFailures(), 1);
    client.stop();
    QTRY_COMPARE(log.stopped, 1);
}

void TrackerClientTest::stop_neverHangsOnSilentTracker() {
    // The tracker answers "started", then never answers again.
    ScriptedHttpServer tracker({okReply("d8:intervali1800e5:peers0:e"), QByteArray()});
    TrackerClientConfig config = clientConfig({{tracker.url(QStringLiteral("/announce"))}}, 1);
    config.stopTimeoutMs = 300;
    TrackerClient client(config);
    Recorder log;
    log.attach(client);
    client.start();
    QTRY_COMPARE(log.successes.size(), 1);
    QElapsedTimer timer;
    timer.start();
    client.stop();
    QTRY_COMPARE(log.stopped, 1);
    QVERIFY(timer.elapsed() < 2000);
    QCOMPARE(tracker.requests.size(), 2);
    QVERIFY(tracker.requests.at(1).contains("&event=stopped"));
    QVERIFY(tracker.requests.at(1).contains("&numwant=0"));
}

void TrackerClientTest::stop_withoutStartedAnnounceFinishesAtOnce() {
    TrackerClient never(clientConfig({{deadUrl()}}, 1));
    Recorder log;
    log.attach(never);
    never.stop(); // never started
    QTRY_COMPARE(log.stopped, 1);
    TrackerClient failing(clientConfig({{deadUrl()}}, 2));
    Recorder failingLog;
    failingLog.attach(failing);
    failing.start();
    QTRY_COMPARE(failingLog.failures.size(), 1);
    failing.stop(); // no tracker heard "started", so none needs "stopped"
    QTRY_COMPARE(failingLog.stopped, 1);
    QCOMPARE(failingLog.failures.size(), 1);
}

void TrackerClientTest::httpClient_chunkedReplyAndExistingQuery() {
    const QByteArray body = "d8:intervali900e5:peers6:" + QByteArray::fromHex("7f0000011b58") + "e";
    const QByteArray chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                               QByteArray::number(10, 16) + "\r\n" + body.left(10) + "\r\n" +
                               QByteArray::number(body.size() - 10, 16) + "\r\n" + body.mid(10) +
                               "\r\n0\r\n\r\n";
    ScriptedHttpServer tracker({chunked, okReply("d8:intervali900e5:peers0:e")}, 3); // 3 bytes a write
    TrackerClient client(clientConfig({{tracker.url(QStringLiteral("/announce?passkey=abc"))}}, 1));
    Recorder log;
    log.attach(client);
    client.start();
    QTRY_COMPARE(log.successes.size(), 1);
    QCOMPARE(log.peers.first(), (QList<TrackerPeer>{{QHostAddress(QHostAddress::LocalHost), 7000, {}}}));
    const QByteArray request = tracker.requests.first();
    QVERIFY2(request.startsWith("GET /announce?passkey=abc&info_hash="), request.constData());
    QVERIFY(
        request.contains(QByteArray("\r\nHost: 127.0.0.1:" + QByteArray::number(tracker.port()) + "\r\n")));
    QVERIFY(request.contains("&event=started"));
    QVERIFY(request.contains("&compact=1"));
    QVERIFY(request.contains("&port=7001"));
    client.stop();
    QTRY_COMPARE(log.stopped, 1);
    QCOMPARE(tracker.requests.size(), 2);
    QVERIFY(tracker.requests.at(1).startsWith("GET /announce?passkey=abc&info_hash="));
}

void TrackerClientTest::httpClient_boundsSizeAndTime() {
    ScriptedHttpServer big({"HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n" + QByteArray(1000, 'x')});
    HttpClientResponse response = httpGet(big.url(QStringLiteral("/")), 10'000, 1024 * 1024);
    QVERIFY(!response.ok);
    QCOMPARE(response.error, QStringLiteral("response body too large (127.0.0.1:%1)").arg(big.port()));

    ScriptedHttpServer silent({QByteArray()});
    QElapsedTimer timer;
    timer.start();
    response = httpGet(silent.url(QStringLiteral("/")), 200);
    QVERIFY(!response.ok);
    QCOMPARE(response.error, QStringLiteral("timed out (127.0.0.1:%1)").arg(silent.port()));
    QVERIFY(timer.elapsed() < 2000);

    response = httpGet(QStringLiteral("https://127.0.0.1/"));
    QCOMPARE(response.error, QStringLiteral("https trackers are not supported (https://127.0.0.1/)"));

    ScriptedHttpServer truncated({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"});
    response = httpGet(truncated.url(QStringLiteral("/")));
    QCOMPARE(response.error, QStringLiteral("connection closed before the response body ended (127.0.0.1:%1)")
                                 .arg(truncated.port()));
}

void TrackerClientTest::catalogueClient_publishListFetchByName() {
    TrackerServer server;
    QVERIFY(server.listen());
    CatalogueClient catalogue(server.announceUrl());
    QCOMPARE(catalogue.catalogueUrl(), server.baseUrl() + QStringLiteral("/torrents"));
    const QByteArray first = makeTorrent(QStringLiteral("sample.txt"), 1000);
    const QByteArray second = makeTorrent(QStringLiteral("sample.txt"), 2000); // republished, newer content

    std::optional<CataloguePublishReply> published;
    catalogue.publish(first, [&published](const CataloguePublishReply& reply) { published = reply; });
    QTRY_VERIFY(published.has_value());
    QVERIFY2(published->ok, qPrintable(published->error));
    QCOMPARE(published->name, QStringLiteral("sample.txt"));
    QVERIFY(!published->alreadyPresent);
    published.reset();
    catalogue.publish(first, [&published](const CataloguePublishReply& reply) { published = reply; });
    QTRY_VERIFY(published.has_value());
    QVERIFY(published->alreadyPresent);
    published.reset();
    catalogue.publish(second, [&published](const CataloguePublishReply& reply) { published = reply; });
    QTRY_VERIFY(published.has_value());
    const QByteArray secondHash = published->infoHash;

    std::optional<CatalogueListReply> listed;
    catalogue.list(QStringLiteral("sample.txt"),
                   [&listed](const CatalogueListReply& reply) { listed = reply; });
    QTRY_VERIFY(listed.has_value());
    QVERIFY(listed->ok);
    QCOMPARE(listed->torrents.size(), 2);
    QCOMPARE(listed->torrents.at(1).size, 2000);
    QCOMPARE(listed->torrents.at(1).pieceLength, 16384);

    std::optional<CatalogueFetchReply> fetched;
    catalogue.fetchByName(QStringLiteral("sample.txt"),
                          [&fetched](const CatalogueFetchReply& reply) { fetched = reply; });
    QTRY_VERIFY(fetched.has_value());
    QVERIFY2(fetched->ok, qPrintable(fetched->error));
    QCOMPARE(fetched->torrent, second); // the most recent under that name
    QCOMPARE(fetched->infoHash, secondHash);
}

void TrackerClientTest::catalogueClient_reportsErrors() {
    TrackerServer server;
    QVERIFY(server.listen());
    CatalogueClient catalogue(server.baseUrl());
    std::optional<CatalogueFetchReply> fetched;
    catalogue.fetchByName(QStringLiteral("missing.txt"),
                          [&fetched](const CatalogueFetchReply& reply) { fetched = reply; });
    QTRY_VERIFY(fetched.has_value());
    QVERIFY(!fetched->ok);
    QCOMPARE(fetched->error, QStringLiteral("no torrent named \"missing.txt\" in the tracker's catalogue"));

    std::optional<CataloguePublishReply> published;
    catalogue.publish("not a torrent",
                      [&published](const CataloguePublishReply& reply) { published = reply; });
    QTRY_VERIFY(published.has_value());
    QVERIFY(!published->ok);
    QVERIFY2(published->error.startsWith(QStringLiteral("tracker answered HTTP 400: invalid torrent: ")),
             qPrintable(published->error));

    fetched.reset();
    catalogue.fetch(binaryInfoHash(1), [&fetched](const CatalogueFetchReply& reply) { fetched = reply; });
    QTRY_VERIFY(fetched.has_value());
    QCOMPARE(fetched->error, QStringLiteral("tracker answered HTTP 404: no such torrent"));

    CatalogueClient bad(QStringLiteral("udp://127.0.0.1:6969"));
    std::optional<CatalogueListReply> listed;
    bad.list(QString(), [&listed](const CatalogueListReply& reply) { listed = reply; });
    QTRY_VERIFY(listed.has_value());
    QCOMPARE(listed->error, QStringLiteral("a udp:// tracker has no HTTP interface (udp://127.0.0.1:6969)"));
}

QTEST_GUILESS_MAIN(TrackerClientTest)
#include "tst_trackerclient.moc"
