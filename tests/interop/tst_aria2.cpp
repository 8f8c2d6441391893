// aria2c, a real client, downloads from our seeder through our tracker: `swarmscope tracker`, `swarmscope
// peer --role seeder --torrent T`, then aria2c with the same .torrent. A control runs the same aria2c
// command against a libtorrent seeder instead, so a failure of the first with a pass of the second points
// at our seeder, not at the set-up. aria2c (or libtorrent) is missing -> the test fails.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QStringList>
#include <QTest>

#include <cstdio>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

// The last of aria2's log lines worth reading on a failure: wire messages both ways (but the many
// requests and pieces), errors and notices.
QString aria2LogExcerpt(const QString& path, int maxLines = 40) {
    QStringList picked;
    for (const QByteArray& line : testsupport::readAll(path).split('\n')) {
        const bool wire = line.contains(" To: ") || line.contains(" From: ");
        const bool bulk = line.contains(" request index=") || line.contains(" piece index=") ||
                          line.contains(" cancel index=");
        if ((wire && !bulk) || line.contains("Exception") || line.contains("[NOTICE]") ||
            line.contains("[ERROR]") || line.contains("Retry"))
            picked.append(QString::fromUtf8(line));
    }
    if (picked.size() > maxLines)
        picked = picked.mid(picked.size() - maxLines);
    return picked.join(u'\n');
}

enum class Seeder { Ours, Libtorrent };

} // namespace

class Aria2InteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void aria2_downloadsFromOurSeederThroughOurTracker();
    void control_aria2DownloadsFromLibtorrentSeederThroughOurTracker();
    void aria2_announcesToOurUdpTracker();

private:
    void downloadWithAria2(Seeder kind);
    QString m_aria2;
};

void Aria2InteropTest::initTestCase() {
    m_aria2 = testsupport::requiredTool(QStringLiteral("aria2c"));
    QVERIFY2(!m_aria2.isEmpty(), "aria2c is not installed: the set-up installs the Debian package 'aria2'");
}

void Aria2InteropTest::aria2_downloadsFromOurSeederThroughOurTracker() {
    downloadWithAria2(Seeder::Ours);
}

void Aria2InteropTest::control_aria2DownloadsFromLibtorrentSeederThroughOurTracker() {
    downloadWithAria2(Seeder::Libtorrent);
}

void Aria2InteropTest::downloadWithAria2(Seeder kind) {
    InteropLab lab;
    QVERIFY(lab.isValid());
    QString announceUrl;
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl), qPrintable(lab.error()));

    // Not a multiple of the piece size: the short last piece crosses the wire too.
    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const QString name = QStringLiteral("aria2-interop.bin");
    const qint64 size = 5 * 1024 * 1024 + 12345;
    QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 11));
    const QString torrent = lab.path(QStringLiteral("aria2-interop.torrent"));
    QString error;
    const std::optional<QByteArray> infoHash =
        createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), announceUrl, &error);
    QVERIFY2(infoHash, qPrintable(error));

    ChildProcess* seeder = nullptr;
    if (kind == Seeder::Ours) {
        seeder = lab.startOurPeer(QStringLiteral("seeder"),
                                  {QStringLiteral("--role"), QStringLiteral("seeder"),
                                   QStringLiteral("--torrent"), torrent, QStringLiteral("--dir"), seedDir,
                                   QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        QVERIFY2(seeder, qPrintable(lab.error()));
        QVERIFY2(lab.waitUntilSeeding(*seeder, 30000), qPrintable(lab.error()));
    } else {
        seeder = lab.startLibtorrentPeer(
            QStringLiteral("lt-seeder"), QStringLiteral("seed"),
            {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"), seedDir});
        QVERIFY2(seeder, qPrintable(lab.error()));
    }
    // aria2 announces once at start: the tracker must already list the seeder.
    QString scraped;
    QVERIFY2(waitForScrape(
                 announceUrl, QByteArray::fromHex(*infoHash),
                 [](const ScrapeCounts& c) { return c.complete >= 1; }, 15000, &scraped),
             qPrintable(QStringLiteral("the tracker never listed the seeder: ") + scraped));

    // aria2's sockets are bound to 127.0.0.1 (--interface). The .torrent names our tracker and no other, so
    // that is the only way aria2 finds the seeder: DHT, local discovery and peer exchange are off. aria2 has
    // no rule against loopback peers. It opens every outgoing connection with an MSE (obfuscation)
    // handshake and, when our plain BEP 3 peer drops that, retries with the legacy handshake about a second
    // later; no option makes it go plain first. It also re-sends a whole BITFIELD mid-connection instead of
    // HAVEs whenever that is shorter (already after its first piece, for a torrent this size): a peer has to
    // accept that, as libtorrent does.
    const QString outDir = lab.makeDir(QStringLiteral("aria2"));
    const quint16 aria2Port = freeTcpPort();
    QElapsedTimer clock;
    clock.start();
    ChildProcess* client = lab.spawn(
        QStringLiteral("aria2c"), m_aria2,
        {QStringLiteral("--no-conf"), QStringLiteral("--dir=") + outDir,
         QStringLiteral("--interface=127.0.0.1"), QStringLiteral("--enable-dht=false"),
         QStringLiteral("--enable-dht6=false"), QStringLiteral("--bt-enable-lpd=false"),
         QStringLiteral("--enable-peer-exchange=false"), QStringLiteral("--disable-ipv6=true"),
         QStringLiteral("--listen-port=") + QString::number(aria2Port), QStringLiteral("--seed-time=0"),
         QStringLiteral("--file-allocation=none"), QStringLiteral("--bt-stop-timeout=20"),
         QStringLiteral("--stop=120"), QStringLiteral("--summary-interval=0"),
         QStringLiteral("--show-console-readout=false"), QStringLiteral("--console-log-level=warn"),
         QStringLiteral("--log=") + lab.path(QStringLiteral("aria2.log")), QStringLiteral("--log-level=info"),
         torrent});
    QVERIFY2(client, qPrintable(lab.error()));
    QVERIFY2(client->waitForExit(120000), "aria2c did not finish in 120 s");
    const qint64 elapsed = clock.elapsed();
    if (!client->exitedNormally() || client->exitCode() != 0) {
        // Qt Test cuts long failure messages; the wire log goes to stderr whole.
        std::fprintf(stderr, "=== aria2.log, wire messages and errors:\n%s\n",
                     qPrintable(aria2LogExcerpt(lab.path(QStringLiteral("aria2.log")))));
        QFAIL(qPrintable(client->status() + QStringLiteral(" (its wire log is printed above)")));
    }
    qInfo("aria2c downloaded %lld bytes from %s seeder in %.2f s (process start to exit)", size,
          kind == Seeder::Ours ? "our" : "libtorrent's", elapsed / 1000.0);

    QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
    if (kind == Seeder::Ours)
        InteropLab::reportNegotiated(QStringLiteral("aria2"), QStringLiteral("it downloads from us"),
                                     *seeder);
    // aria2 told the tracker it left ("stopped" with left=0; with --seed-time=0 it sends no "completed"),
    // and the seeder is still there.
    QVERIFY2(waitForScrape(
                 announceUrl, QByteArray::fromHex(*infoHash),
                 [](const ScrapeCounts& c) { return c.complete == 1 && c.incomplete == 0; }, 5000, &scraped),
             qPrintable(scraped));
    QVERIFY2(seeder->isRunning(), qPrintable(seeder->status()));
}

// The torrent names only our tracker's udp:// URL, so aria2 can find our seeder (which announces over HTTP)
// only through a BEP 15 announce; our tracker must list it as a leecher while it downloads, hand it the
// seeder, and hear its "stopped" at the end. aria2 speaks UDP to trackers only through its DHT socket
// ("udp is not supported yet" otherwise), so DHT is on here, with no bootstrap node and a DHT file of the
// lab's own: it finds nobody that way.
void Aria2InteropTest::aria2_announcesToOurUdpTracker() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    QString announceUrl;
    QString udpUrl;
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl, &udpUrl), qPrintable(lab.error()));

    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const QString name = QStringLiteral("aria2-udp.bin");
    const qint64 size = 3 * 1024 * 1024 + 321;
    QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 12));
    const QString torrent = lab.path(QStringLiteral("aria2-udp.torrent"));
    QString error;
    const std::optional<QByteArray> infoHash =
        createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), udpUrl, &error);
    QVERIFY2(infoHash, qPrintable(error));
    const QByteArray rawHash = QByteArray::fromHex(*infoHash);

    // Capped, so that the download lasts long enough to see aria2 in the swarm table.
    ChildProcess* seeder =
        lab.startOurPeer(QStringLiteral("seeder"),
                         {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                          torrent, QStringLiteral("--dir"), seedDir, QStringLiteral("--tracker"), announceUrl,
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--up"),
                          QStringLiteral("512KiB/s")});
    QVERIFY2(seeder, qPrintable(lab.error()));
    QVERIFY2(lab.waitUntilSeeding(*seeder, 30000), qPrintable(lab.error()));
    QString scraped;
    QVERIFY2(
        waitForScrape(
            announceUrl, rawHash, [](const ScrapeCounts& c) { return c.complete == 1; }, 15000, &scraped),
        qPrintable(QStringLiteral("the tracker never listed the seeder: ") + scraped));

    const QString outDir = lab.makeDir(QStringLiteral("aria2"));
    ChildProcess* client =
        lab.spawn(QStringLiteral("aria2c"), m_aria2,
                  {QStringLiteral("--no-conf"),
                   QStringLiteral("--dir=") + outDir,
                   QStringLiteral("--interface=127.0.0.1"),
                   QStringLiteral("--enable-dht=true"),
                   QStringLiteral("--dht-listen-port=") + QString::number(freeUdpPort()),
                   QStringLiteral("--dht-file-path=") + lab.path(QStringLiteral("dht.dat")),
                   QStringLiteral("--enable-dht6=false"),
                   QStringLiteral("--bt-enable-lpd=false"),
                   QStringLiteral("--enable-peer-exchange=false"),
                   QStringLiteral("--disable-ipv6=true"),
                   QStringLiteral("--listen-port=") + QString::number(freeTcpPort()),
                   QStringLiteral("--seed-time=0"),
                   QStringLiteral("--file-allocation=none"),
                   QStringLiteral("--bt-stop-timeout=30"),
                   QStringLiteral("--stop=120"),
                   QStringLiteral("--summary-interval=0"),
                   QStringLiteral("--show-console-readout=false"),
                   QStringLiteral("--console-log-level=warn"),
                   QStringLiteral("--log=") + lab.path(QStringLiteral("aria2.log")),
                   QStringLiteral("--log-level=info"),
                   torrent});
    QVERIFY2(client, qPrintable(lab.error()));
    QVERIFY2(
        waitForScrape(
            announceUrl, rawHash, [](const ScrapeCounts& c) { return c.incomplete == 1; }, 30000, &scraped),
        qPrintable(QStringLiteral("our tracker never listed aria2 (announced over UDP): ") + scraped));
    QVERIFY2(client->waitForExit(120000), "aria2c did not finish in 120 s");
    if (!client->exitedNormally() || client->exitCode() != 0) {
        std::fprintf(stderr, "=== aria2.log, wire messages and errors:\n%s\n",
                     qPrintable(aria2LogExcerpt(lab.path(QStringLiteral("aria2.log")))));
        QFAIL(qPrintable(client->status() + QStringLiteral(" (its wire log is printed above)")));
    }
    QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
    QVERIFY2(waitForScrape(
                 announceUrl, rawHash,
                 [](const ScrapeCounts& c) { return c.complete == 1 && c.incomplete == 0; }, 5000, &scraped),
             qPrintable(QStringLiteral("aria2's UDP \"stopped\" did not reach our tracker: ") + scraped));
    QVERIFY2(seeder->isRunning(), qPrintable(seeder->status()));
}

QTEST_GUILESS_MAIN(Aria2InteropTest)
#include "tst_aria2.moc"
