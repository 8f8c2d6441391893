// Our seeder and our leecher meet through a third-party tracker, Debian's opentracker, and the leecher ends
// with the seeder's bytes. Debian builds opentracker with a whitelist (it refuses other info-hashes), so the
// torrent is made first and its info-hash whitelisted; the peers get the tracker with --tracker. opentracker
// is missing -> the test fails.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include "metainfo/PercentEncoding.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
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
// empty string with the reason in *error.
QString startOpentracker(InteropLab& lab, const QByteArray& infoHash, QString* error) {
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
            if (response.ok && response.status == 200 && !response.body.contains("failure reason"))
                return announceUrl;
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

QTEST_GUILESS_MAIN(OpentrackerInteropTest)
#include "tst_opentracker.moc"
