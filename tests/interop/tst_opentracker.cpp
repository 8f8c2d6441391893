// Our seeder and our leecher meet through a third-party tracker, Debian's opentracker, and the leecher ends
// with the seeder's bytes. Debian builds opentracker with a whitelist (it refuses other info-hashes), so the
// torrent is made first and its info-hash whitelisted; the peers get the tracker with --tracker. opentracker
// is missing -> the test fails.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include "metainfo/PercentEncoding.h"
#include "tracker/TrackerClient.h"
#include "tracker/UdpTrackerClient.h"
#include "transport/TcpNode.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

constexpr auto kReadable =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;
constexpr auto kEnterable = kReadable | QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;

bool acceptsConnections(quint16 port) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(200);
}

// Starts opentracker on free ports, serving only infoHash, and waits until it accepts an announce for it
// (it loads its whitelist on a thread of its own shortly after start). Returns the announce URL, or an
// empty string with the reason in *error. *udpPort gets the port of its UDP (BEP 15) side.
QString startOpentracker(InteropLab& lab, const QByteArray& infoHash, QString* error,
                         quint16* udpPort = nullptr) {
    const QString program = testsupport::requiredTool(QStringLiteral("opentracker"));
    if (program.isEmpty()) {
        *error = QStringLiteral("opentracker is not installed: the set-up installs the Debian package "
                                "'opentracker'");
        return {};
    }
    // Run as root, opentracker chroots into -d and drops to user nobody, who must still read the whitelist;
    // the whitelist path is relative because it is opened after the chroot.
    const QString root = lab.makeDir(QStringLiteral("opentracker"));
    QFile::setPermissions(root, kEnterable);
    QFile whitelist(root + QStringLiteral("/whitelist.txt"));
    if (!whitelist.open(QIODevice::WriteOnly) || whitelist.write(infoHash.toHex() + '\n') <= 0) {
        *error = QStringLiteral("cannot write %1").arg(whitelist.fileName());
        return {};
    }
    whitelist.close();
    whitelist.setPermissions(kReadable);

    // A port found free can be taken before opentracker binds it; try a few times.
    for (int attempt = 0; attempt < 5; ++attempt) {
        const quint16 tcp = freeTcpPort();
        const quint16 udp = freeUdpPort();
        ChildProcess* tracker =
            lab.spawn(QStringLiteral("opentracker-%1").arg(attempt), program,
                      {QStringLiteral("-i"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                       QString::number(tcp), QStringLiteral("-P"), QString::number(udp), QStringLiteral("-d"),
                       root, QStringLiteral("-w"), QStringLiteral("whitelist.txt")},
                      root);
        if (!tracker) {
            *error = lab.error();
            return {};
        }
        QDeadlineTimer up(5000);
        while (!up.hasExpired() && tracker->isRunning() && !acceptsConnections(tcp))
            QTest::qWait(50);
        if (!tracker->isRunning() || !acceptsConnections(tcp)) {
            tracker->stop();
            *error = tracker->status();
            continue;
        }
        const QString announceUrl = QStringLiteral("http://127.0.0.1:%1/announce").arg(tcp);
        const QByteArray probe = "info_hash=" + percentEncode(infoHash) +
                                 "&peer_id=-XX0000-whitelistprb&port=9&uploaded=0&downloaded=0&left=0"
                                 "&compact=1&event=stopped";
        QDeadlineTimer ready(5000);
        while (!ready.hasExpired()) {
            const HttpClientResponse response =
                httpGet(announceUrl + u'?' + QString::fromLatin1(probe), 2000);
            if (response.ok && response.status == 200 && !response.body.contains("failure reason")) {
                if (udpPort)
                    *udpPort = udp;
                return announceUrl;
            }
            *error = QStringLiteral("opentracker refused the whitelisted info-hash: %1 %2")
                         .arg(response.error, QString::fromLatin1(response.body));
            QTest::qWait(100);
        }
        return {};
    }
    *error = QStringLiteral("opentracker never accepted connections:\n") + *error;
    return {};
}

} // namespace

class OpentrackerInteropTest : public QObject {
    Q_OBJECT
private slots:
    void ourSeederAndLeecher_swarmThroughOpentracker();
    void ourTrackerClient_announcesToOpentrackerOverUdp();
};

void OpentrackerInteropTest::ourSeederAndLeecher_swarmThroughOpentracker() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    QVERIFY2(!testsupport::swarmscopeExecutable().isEmpty(),
             "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");

    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const QString name = QStringLiteral("via-opentracker.bin");
    const qint64 size = 8 * 1024 * 1024 + 99;
    QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 41));
    const QString torrent = lab.path(QStringLiteral("via-opentracker.torrent"));
    QString error;
    // No tracker inside: the announce URL is outside the info dictionary, so the info-hash is known before
    // opentracker runs, and both peers are given the tracker on the command line.
    const std::optional<QByteArray> infoHash =
        createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), QString(), &error);
    QVERIFY2(infoHash, qPrintable(error));
    const QByteArray rawHash = QByteArray::fromHex(*infoHash);

    const QString announceUrl = startOpentracker(lab, rawHash, &error);
    QVERIFY2(!announceUrl.isEmpty(), qPrintable(error));

    ChildProcess* seeder =
        lab.startOurPeer(QStringLiteral("seeder"),
                         {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                          torrent, QStringLiteral("--dir"), seedDir, QStringLiteral("--tracker"), announceUrl,
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY2(seeder, qPrintable(lab.error()));
    QVERIFY2(lab.waitUntilSeeding(*seeder, 30000), qPrintable(lab.error()));
    QString scraped;
    QVERIFY2(
        waitForScrape(
            announceUrl, rawHash, [](const ScrapeCounts& c) { return c.complete == 1; }, 10000, &scraped),
        qPrintable(QStringLiteral("opentracker never listed our seeder: ") + scraped));

    const QString outDir = lab.path(QStringLiteral("leecher"));
    QElapsedTimer clock;
    clock.start();
    ChildProcess* leecher = lab.startOurPeer(
        QStringLiteral("leecher"),
        {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"), torrent,
         QStringLiteral("--dir"), outDir, QStringLiteral("--tracker"), announceUrl,
         QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--exit-when-done")});
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(90000), "our leecher did not finish in 90 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    qInfo("our leecher downloaded %lld bytes through opentracker in %.2f s (process start to exit)", size,
          clock.elapsed() / 1000.0);
    QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));

    // The leecher's "stopped" reached opentracker: one seeder, no leecher. (Its "completed" is pinned by
    // test_interop_seedflow, against our own tracker.)
    QVERIFY2(waitForScrape(
                 announceUrl, rawHash,
                 [](const ScrapeCounts& c) { return c.complete == 1 && c.incomplete == 0; }, 5000, &scraped),
             qPrintable(scraped));
    QVERIFY2(seeder->isRunning(), qPrintable(seeder->status()));
}

// Our TrackerClient speaks BEP 15 to opentracker's UDP side: a seeder and a leecher announce over UDP, the
// leecher is handed the seeder, opentracker's HTTP scrape counts both, a UDP scrape agrees, and "stopped"
// over UDP removes them.
void OpentrackerInteropTest::ourTrackerClient_announcesToOpentrackerOverUdp() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    const QByteArray infoHash = QByteArray::fromHex("0123456789abcdef0123456789abcdef01234567");
    QString error;
    quint16 udpPort = 0;
    const QString announceUrl = startOpentracker(lab, infoHash, &error, &udpPort);
    QVERIFY2(!announceUrl.isEmpty(), qPrintable(error));
    const QString udpUrl = QStringLiteral("udp://127.0.0.1:%1/announce").arg(udpPort);

    auto config = [&](const QByteArray& peerId, quint16 port) {
        TrackerClientConfig c;
        c.tiers = {{udpUrl}};
        c.infoHash = infoHash;
        c.peerId = peerId;
        c.port = port;
        c.requestTimeoutMs = 5000;
        return c;
    };
    TrackerClient seeder(config("-SS0001-udpseeder001", 40001));
    seeder.setStatsProvider([] { return TrackerTransferStats{0, 0, 0}; });
    QSignalSpy seederAnnounced(&seeder, &TrackerClient::announced);
    QSignalSpy seederFailed(&seeder, &TrackerClient::announceFailed);
    seeder.start();
    QTRY_VERIFY_WITH_TIMEOUT(seederAnnounced.size() + seederFailed.size() > 0, 10000);
    QVERIFY2(seederFailed.isEmpty(), qPrintable(seederFailed.value(0).value(1).toString()));

    TrackerClient leecher(config("-SS0001-udpleecher01", 40002));
    leecher.setStatsProvider([] { return TrackerTransferStats{0, 0, 1000}; });
    QList<QList<TrackerPeer>> peers;
    connect(&leecher, &TrackerClient::peersReceived, this,
            [&peers](const QList<TrackerPeer>& p) { peers.append(p); });
    QSignalSpy leecherFailed(&leecher, &TrackerClient::announceFailed);
    leecher.start();
    QTRY_VERIFY_WITH_TIMEOUT(!peers.isEmpty() || !leecherFailed.isEmpty(), 10000);
    QVERIFY2(leecherFailed.isEmpty(), qPrintable(leecherFailed.value(0).value(1).toString()));
    // opentracker may hand a peer itself too; the seeder must be there.
    QVERIFY(peers.at(0).contains(TrackerPeer{QHostAddress(QHostAddress::LocalHost), 40001, {}}));
    const AnnounceResponse response = *leecher.lastResponse();
    QVERIFY(response.interval > 0);
    QCOMPARE(response.complete, std::optional<qint64>(1));
    QCOMPARE(response.incomplete, std::optional<qint64>(1));

    QString scraped;
    QVERIFY2(waitForScrape(
                 announceUrl, infoHash,
                 [](const ScrapeCounts& c) { return c.complete == 1 && c.incomplete == 1; }, 5000, &scraped),
             qPrintable(scraped));
    TcpNode node;
    UdpTrackerClient udp(node.network(), {});
    std::optional<UdpTrackerResult> result;
    udp.scrape(udpUrl, {infoHash}, 5000, [&result](const UdpTrackerResult& r) { result = r; });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 10000);
    QVERIFY2(result->ok, qPrintable(result->error));
    QCOMPARE(result->scrape.size(), 1);
    QCOMPARE(result->scrape.at(0).complete, 1);
    QCOMPARE(result->scrape.at(0).incomplete, 1);

    QSignalSpy leecherStopped(&leecher, &TrackerClient::stopped);
    QSignalSpy seederStopped(&seeder, &TrackerClient::stopped);
    leecher.stop();
    seeder.stop();
    QTRY_VERIFY_WITH_TIMEOUT(leecherStopped.size() == 1 && seederStopped.size() == 1, 10000);
    QVERIFY2(
        waitForScrape(
            announceUrl, infoHash, [](const ScrapeCounts& c) { return c.complete == 0 && c.incomplete == 0; },
            5000, &scraped),
        qPrintable(QStringLiteral("opentracker kept our peers after their UDP \"stopped\": ") + scraped));
}

QTEST_GUILESS_MAIN(OpentrackerInteropTest)
#include "tst_opentracker.moc"
