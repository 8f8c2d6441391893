// Third-party interop on loopback, both ways. TrackerClient against Debian's opentracker (whose Debian
// build serves only whitelisted info-hashes, so the test writes a whitelist first), and aria2c announcing
// to our TrackerServer. A missing program is a failure, not a skip: the project's set-up installs both.

#include "TestSupport.h"
#include "TrackerTestUtil.h"

#include "tracker/HttpUrl.h"
#include "metainfo/PercentEncoding.h"
#include "tracker/ScrapeResponse.h"
#include "tracker/TrackerClient.h"
#include "tracker/TrackerServer.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

#include <memory>

using namespace swarmscope;
using namespace swarmscope::trackertest;

namespace {

quint16 freeTcpPort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

quint16 freeUdpPort() {
    QUdpSocket probe;
    probe.bind(QHostAddress::LocalHost, 0);
    return probe.localPort();
}

bool acceptsConnections(quint16 port) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(200);
}

struct Log {
    QList<QList<TrackerPeer>> peers;
    QList<AnnounceResponse> responses;
    QStringList failures;
    int stopped = 0;

    void attach(TrackerClient& client) {
        QObject::connect(&client, &TrackerClient::peersReceived,
                         [this](const QList<TrackerPeer>& list) { peers.append(list); });
        QObject::connect(
            &client, &TrackerClient::announced,
            [this](const QString&, const AnnounceResponse& response) { responses.append(response); });
        QObject::connect(&client, &TrackerClient::announceFailed,
                         [this](const QString&, const QString& reason) { failures.append(reason); });
        QObject::connect(&client, &TrackerClient::stopped, [this] { ++stopped; });
    }
};

} // namespace

class TrackerInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void opentracker_givesEachClientTheOther();
    void opentracker_refusalReachesTheClient();
    void opentracker_scrapeParses();
    void aria2_announcesToOurTrackerAndDialsThePeerItGot();

private:
    QTemporaryDir m_dir;
    QProcess m_tracker;
    QString m_announceUrl;
    QByteArray m_whitelisted = binaryInfoHash(42);
};

void TrackerInteropTest::initTestCase() {
    const QString program = testsupport::requiredTool(QStringLiteral("opentracker"));
    QVERIFY2(!program.isEmpty(), "opentracker is not installed: the set-up installs the Debian package "
                                 "'opentracker'");
    QVERIFY(m_dir.isValid());
    // Run as root, opentracker chroots into -d and drops to user nobody, who must still read the whitelist.
    QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                            QFileDevice::ExeOther);
    QFile whitelist(m_dir.filePath(QStringLiteral("whitelist.txt")));
    QVERIFY(whitelist.open(QIODevice::WriteOnly));
    whitelist.write(m_whitelisted.toHex() + '\n');
    whitelist.close();
    whitelist.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                             QFileDevice::ReadOther);

    // A free port can be taken by someone else between the probe and opentracker's bind; try a few.
    for (int attempt = 0; attempt < 5 && m_announceUrl.isEmpty(); ++attempt) {
        const quint16 tcp = freeTcpPort();
        const quint16 udp = freeUdpPort();
        m_tracker.setWorkingDirectory(m_dir.path());
        m_tracker.setProcessChannelMode(QProcess::MergedChannels);
        // The whitelist path is relative because opentracker opens it after the chroot.
        m_tracker.start(program, {QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                  QString::number(tcp), QStringLiteral("-P"), QString::number(udp),
                                  QStringLiteral("-d"), m_dir.path(), QStringLiteral("-w"),
                                  QStringLiteral("whitelist.txt")});
        QVERIFY2(m_tracker.waitForStarted(5000), qPrintable(m_tracker.errorString()));
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired() && m_tracker.state() == QProcess::Running && !acceptsConnections(tcp))
            QTest::qWait(50);
        if (m_tracker.state() == QProcess::Running && acceptsConnections(tcp)) {
            m_announceUrl = QStringLiteral("http://127.0.0.1:%1/announce").arg(tcp);
            break;
        }
        m_tracker.kill();
        m_tracker.waitForFinished(2000);
        qWarning() << "opentracker did not come up:" << m_tracker.readAll();
    }
    QVERIFY2(!m_announceUrl.isEmpty(), "opentracker never accepted connections");
    // Its whitelist loads on a thread of its own shortly after start; wait until a whitelisted announce
    // works.
    QDeadlineTimer ready(5000);
    bool accepted = false;
    while (!accepted && !ready.hasExpired()) {
        AnnounceRequest probe;
        probe.infoHash = m_whitelisted;
        probe.peerId = peerIdFor(999);
        probe.port = 9;
        probe.event = AnnounceEvent::Stopped;
        const HttpClientResponse response = httpGet(appendQuery(m_announceUrl, probe.toQuery()), 2000);
        accepted = response.ok && !response.body.contains("failure reason");
        if (!accepted)
            QTest::qWait(100);
    }
    QVERIFY2(accepted, "opentracker never accepted the whitelisted info-hash");
}

void TrackerInteropTest::cleanupTestCase() {
    if (m_tracker.state() != QProcess::NotRunning) {
        m_tracker.kill();
        m_tracker.waitForFinished(5000);
    }
}

void TrackerInteropTest::opentracker_givesEachClientTheOther() {
    TrackerClientConfig seederConfig;
    seederConfig.tiers = {{m_announceUrl}};
    seederConfig.infoHash = m_whitelisted;
    seederConfig.peerId = peerIdFor(1);
    seederConfig.port = 7101;
    TrackerClientConfig leecherConfig = seederConfig;
    leecherConfig.peerId = peerIdFor(2);
    leecherConfig.port = 7102;

    TrackerClient seeder(seederConfig);
    seeder.setStatsProvider([] { return TrackerTransferStats{0, 0, 0}; });
    TrackerClient leecher(leecherConfig);
    leecher.setStatsProvider([] { return TrackerTransferStats{0, 0, 5000}; });
    Log seederLog, leecherLog;
    seederLog.attach(seeder);
    leecherLog.attach(leecher);

    seeder.start();
    QTRY_COMPARE_WITH_TIMEOUT(seederLog.responses.size(), 1, 10000);
    leecher.start();
    QTRY_COMPARE_WITH_TIMEOUT(leecherLog.responses.size(), 1, 10000);
    QVERIFY2(seederLog.failures.isEmpty() && leecherLog.failures.isEmpty(),
             qPrintable((seederLog.failures + leecherLog.failures).join(u'\n')));

    // opentracker may include the asker itself in its list; the other peer must be there.
    const QList<TrackerPeer>& got = leecherLog.peers.first();
    QVERIFY2(got.contains(TrackerPeer{QHostAddress(QHostAddress::LocalHost), 7101, {}}),
             qPrintable(QStringLiteral("%1 peers").arg(got.size())));
    const AnnounceResponse& counts = leecherLog.responses.first();
    QCOMPARE(counts.complete, std::optional<qint64>(1));
    QCOMPARE(counts.incomplete, std::optional<qint64>(1));
    QVERIFY(counts.interval > 0);

    // The seeder asks again (the lab's "refresh"); it is allowed to, past opentracker's min interval only,
    // so ask the tracker directly the way a second client instance would.
    TrackerClientConfig probeConfig = seederConfig;
    probeConfig.peerId = peerIdFor(3);
    probeConfig.port = 7103;
    TrackerClient probe(probeConfig);
    Log probeLog;
    probeLog.attach(probe);
    probe.start();
    QTRY_COMPARE_WITH_TIMEOUT(probeLog.peers.size(), 1, 10000);
    QVERIFY(probeLog.peers.first().contains(TrackerPeer{QHostAddress(QHostAddress::LocalHost), 7102, {}}));

    seeder.stop();
    leecher.stop();
    probe.stop();
    QTRY_COMPARE_WITH_TIMEOUT(seederLog.stopped + leecherLog.stopped + probeLog.stopped, 3, 10000);
}

void TrackerInteropTest::opentracker_refusalReachesTheClient() {
    TrackerClientConfig config;
    config.tiers = {{m_announceUrl}};
    config.infoHash = binaryInfoHash(43); // not on the whitelist
    config.peerId = peerIdFor(4);
    config.port = 7104;
    TrackerClient client(config);
    Log log;
    log.attach(client);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(log.failures.size(), 1, 10000);
    QCOMPARE(log.failures.first(),
             QStringLiteral("Requested download is not authorized for use with this tracker."));
    QCOMPARE(client.consecutiveFailures(), 1);
    client.stop();
    QTRY_COMPARE(log.stopped, 1);
}

void TrackerInteropTest::opentracker_scrapeParses() {
    const auto scrapeUrl = scrapeUrlFor(m_announceUrl);
    QVERIFY(scrapeUrl);
    const HttpClientResponse response =
        httpGet(appendQuery(*scrapeUrl, "info_hash=" + percentEncode(m_whitelisted)));
    QVERIFY2(response.ok, qPrintable(response.error));
    QCOMPARE(response.status, 200);
    const ScrapeResponseParseResult parsed = parseScrapeResponse(response.body);
    QVERIFY2(parsed.ok(),
             qPrintable(parsed.error + QStringLiteral(": ") + QString::fromLatin1(response.body.toHex())));
    QVERIFY(parsed.response->files.count(m_whitelisted) == 1);
}

void TrackerInteropTest::aria2_announcesToOurTrackerAndDialsThePeerItGot() {
    const QString aria2 = testsupport::requiredTool(QStringLiteral("aria2c"));
    QVERIFY2(!aria2.isEmpty(), "aria2c is not installed: the set-up installs the Debian package 'aria2'");
    TrackerServer server;
    QVERIFY(server.listen());
    QSignalSpy started(&server, &TrackerServer::peerStarted);

    // A stand-in seeder: registered with the tracker, and listening so we can see aria2 dial it.
    QTcpServer seeder;
    QVERIFY(seeder.listen(QHostAddress::LocalHost, 0));
    QByteArray firstBytes;
    QTcpSocket* dialled = nullptr;
    connect(&seeder, &QTcpServer::newConnection, this, [&] {
        dialled = seeder.nextPendingConnection();
        connect(dialled, &QTcpSocket::readyRead, this, [&] { firstBytes += dialled->readAll(); });
    });
    const QByteArray torrent =
        makeTorrent(QStringLiteral("interop.bin"), 100'000, 16384, server.announceUrl());
    server.catalogue().publish(torrent);
    const QByteArray infoHash = server.catalogue().entries().value(0).infoHash;
    QCOMPARE(infoHash.size(), 20);
    AnnounceRequest seed;
    seed.infoHash = infoHash;
    seed.peerId = peerIdFor(1);
    seed.port = seeder.serverPort();
    seed.left = 0;
    seed.event = AnnounceEvent::Started;
    QCOMPARE(httpGet(appendQuery(server.announceUrl(), seed.toQuery())).status, 200);

    const quint16 aria2Port = freeTcpPort();
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("interop.torrent")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(torrent);
    file.close();
    QProcess client;
    client.setProcessChannelMode(QProcess::MergedChannels);
    client.setWorkingDirectory(dir.path());
    client.start(aria2, {QStringLiteral("--dir=") + dir.path(), QStringLiteral("--enable-dht=false"),
                         QStringLiteral("--enable-dht6=false"), QStringLiteral("--bt-enable-lpd=false"),
                         QStringLiteral("--enable-peer-exchange=false"), QStringLiteral("--seed-time=0"),
                         QStringLiteral("--summary-interval=0"), QStringLiteral("--console-log-level=warn"),
                         QStringLiteral("--listen-port=") + QString::number(aria2Port), file.fileName()});
    QVERIFY2(client.waitForStarted(5000), qPrintable(client.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(firstBytes.size() >= 20, 20000);
    client.kill();
    client.waitForFinished(5000);

    // aria2 announced itself (peer ids "A2-...") and read our compact answer well enough to dial the
    // seeder. It opens with an obfuscated (MSE) firstBytes by default, so the bytes are not checked here.
    QVERIFY(started.size() >= 2);
    QVERIFY2(started.at(1).at(1).toByteArray().startsWith("A2-"),
             started.at(1).at(1).toByteArray().constData());
    QCOMPARE(started.at(1).at(3).value<quint16>(), aria2Port);
    QVERIFY(dialled);
}

QTEST_GUILESS_MAIN(TrackerInteropTest)
#include "tst_trackerinterop.moc"
