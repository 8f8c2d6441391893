// libtorrent (Debian's python3-libtorrent, driven by lt_peer.py) and our peers in one swarm, through our
// tracker: our leecher downloads from a libtorrent seeder; and a mixed swarm in which our seeder feeds a
// libtorrent leecher that in turn feeds our second leecher. libtorrent runs TCP-only (uTP off) with its
// default encryption policy, as a user's client would. A missing libtorrent is a failure, never a skip.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

QString eventOf(const QJsonObject& o) {
    return o.value(QStringLiteral("event")).toString();
}

qint64 number(const QJsonObject& o, const char* key) {
    return qint64(o.value(QLatin1String(key)).toDouble());
}

// Peers libtorrent sees: "ip:port client down/up" for failure messages and the log.
QString peersOf(const QJsonObject& status) {
    QStringList peers;
    for (const QJsonValue& value : status.value(QStringLiteral("peers")).toArray()) {
        const QJsonObject p = value.toObject();
        peers.append(
            QStringLiteral("%1:%2 %3 %4 down/%5 up%6")
                .arg(p.value(QStringLiteral("ip")).toString())
                .arg(p.value(QStringLiteral("port")).toInt())
                .arg(p.value(QStringLiteral("client")).toString())
                .arg(number(p, "total_download"))
                .arg(number(p, "total_upload"))
                .arg(p.value(QStringLiteral("seed")).toBool() ? QStringLiteral(" seed") : QString()));
    }
    return peers.join(QStringLiteral("; "));
}

} // namespace

class LibtorrentInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void ourLeecher_downloadsFromLibtorrentSeeder();
    void mixedSwarm_oursFeedsLibtorrentWhichFeedsOurs();
    void udpTracker_libtorrentSeederAndOurLeecherMeetOverUdp();
};

void LibtorrentInteropTest::initTestCase() {
    QString error;
    QVERIFY2(!pythonWithLibtorrent(&error).isEmpty(), qPrintable(error));
    QVERIFY2(!testsupport::swarmscopeExecutable().isEmpty(),
             "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
}

void LibtorrentInteropTest::ourLeecher_downloadsFromLibtorrentSeeder() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    QString announceUrl;
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl), qPrintable(lab.error()));

    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const QString name = QStringLiteral("from-libtorrent.bin");
    const qint64 size = 6 * 1024 * 1024 + 777;
    QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 21));
    const QString torrent = lab.path(QStringLiteral("from-libtorrent.torrent"));
    QString error;
    const std::optional<QByteArray> infoHash =
        createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), announceUrl, &error);
    QVERIFY2(infoHash, qPrintable(error));

    ChildProcess* seeder = lab.startLibtorrentPeer(
        QStringLiteral("lt-seeder"), QStringLiteral("seed"),
        {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"), seedDir});
    QVERIFY2(seeder, qPrintable(lab.error()));
    QString scraped;
    QVERIFY2(waitForScrape(
                 announceUrl, QByteArray::fromHex(*infoHash),
                 [](const ScrapeCounts& c) { return c.complete >= 1; }, 15000, &scraped),
             qPrintable(QStringLiteral("libtorrent's seeder never reached our tracker: ") + scraped));

    const QString outDir = lab.path(QStringLiteral("ours"));
    QElapsedTimer clock;
    clock.start();
    ChildProcess* leecher =
        lab.startOurPeer(QStringLiteral("leecher"),
                         {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"),
                          torrent, QStringLiteral("--dir"), outDir, QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:0"), QStringLiteral("--exit-when-done")});
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(90000), "our leecher did not finish in 90 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    qInfo("our leecher downloaded %lld bytes from libtorrent in %.2f s (process start to exit)", size,
          clock.elapsed() / 1000.0);
    QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
    InteropLab::reportNegotiated(QStringLiteral("libtorrent (python3-libtorrent)"),
                                 QStringLiteral("we download from it"), *leecher);

    // Every byte came from libtorrent: it is the only other peer.
    const std::optional<QJsonObject> served = waitForJsonEvent(
        *seeder, [=](const QJsonObject& o) { return number(o, "total_payload_upload") >= size; }, 5000);
    QVERIFY2(served, qPrintable(seeder->status()));
}

void LibtorrentInteropTest::mixedSwarm_oursFeedsLibtorrentWhichFeedsOurs() {
    // Our seeder A (upload capped so the swarm lasts a few seconds), libtorrent's leecher L, then our
    // leecher B once L holds pieces. A is a seeder and never interested, so whatever L uploads goes to B:
    // L's payload upload > 0 shows data flowing A -> L -> B.
    InteropLab lab;
    QVERIFY(lab.isValid());
    QString announceUrl;
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl), qPrintable(lab.error()));

    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const QString name = QStringLiteral("mixed-swarm.bin");
    const qint64 size = 6 * 1024 * 1024 + 4321;
    QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 31));
    const QByteArray original = fileSha1(seedDir + u'/' + name);
    const QString torrent = lab.path(QStringLiteral("mixed-swarm.torrent"));
    QString error;
    const std::optional<QByteArray> infoHash =
        createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("128KiB"), announceUrl, &error);
    QVERIFY2(infoHash, qPrintable(error));
    const QByteArray rawHash = QByteArray::fromHex(*infoHash);

    ChildProcess* ourSeeder =
        lab.startOurPeer(QStringLiteral("A-our-seeder"),
                         {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                          torrent, QStringLiteral("--dir"), seedDir, QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:0"), QStringLiteral("--up"), QStringLiteral("1MiB/s")});
    QVERIFY2(ourSeeder, qPrintable(lab.error()));
    QVERIFY2(lab.waitUntilSeeding(*ourSeeder, 30000), qPrintable(lab.error()));
    QString scraped;
    QVERIFY2(
        waitForScrape(
            announceUrl, rawHash, [](const ScrapeCounts& c) { return c.complete >= 1; }, 10000, &scraped),
        qPrintable(QStringLiteral("the tracker never listed our seeder: ") + scraped));

    QElapsedTimer clock;
    clock.start();
    const QString ltDir = lab.makeDir(QStringLiteral("L-libtorrent"));
    ChildProcess* lt =
        lab.startLibtorrentPeer(QStringLiteral("L-libtorrent-leecher"), QStringLiteral("leech"),
                                {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"), ltDir});
    QVERIFY2(lt, qPrintable(lab.error()));
    // A -> L: before B exists, every piece L has came from our seeder.
    const std::optional<QJsonObject> fed = waitForJsonEvent(
        *lt, [](const QJsonObject& o) { return eventOf(o) == u"status" && number(o, "num_pieces") >= 8; },
        30000);
    QVERIFY2(fed, "libtorrent's leecher got no 8 pieces from our seeder in 30 s");
    qInfo("A -> L: libtorrent had %lld of %lld pieces after %.2f s, all from our seeder",
          number(*fed, "num_pieces"), number(*fed, "pieces_total"), clock.elapsed() / 1000.0);
    QVERIFY2(number(*fed, "num_pieces") < number(*fed, "pieces_total"),
             "libtorrent already has everything; our seeder's cap did not hold it back");

    const QString ourDir = lab.path(QStringLiteral("B-ours"));
    ChildProcess* ourLeecher =
        lab.startOurPeer(QStringLiteral("B-our-leecher"),
                         {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"),
                          torrent, QStringLiteral("--dir"), ourDir, QStringLiteral("--listen"),
                          QStringLiteral("127.0.0.1:0"), QStringLiteral("--exit-when-done")});
    QVERIFY2(ourLeecher, qPrintable(lab.error()));
    QVERIFY2(ourLeecher->waitForExit(90000), "our leecher did not finish in 90 s");
    QVERIFY2(ourLeecher->exitedNormally() && ourLeecher->exitCode() == 0, qPrintable(ourLeecher->status()));
    const std::optional<QJsonObject> ltDone = waitForJsonEvent(
        *lt, [](const QJsonObject& o) { return eventOf(o) == u"finished"; }, 60000);
    QVERIFY2(ltDone, "libtorrent's leecher did not finish in 60 s");
    qInfo("swarm complete after %.2f s", clock.elapsed() / 1000.0);

    // What L got from B while B was leeching, for the record (B's direction of the exchange): the most
    // that any status line shows for a non-seed peer with our peer-id prefix.
    qint64 fromOurs = 0;
    for (const QJsonObject& o : jsonEvents(*lt)) {
        for (const QJsonValue& value : o.value(QStringLiteral("peers")).toArray()) {
            const QJsonObject p = value.toObject();
            if (!p.value(QStringLiteral("seed")).toBool() &&
                p.value(QStringLiteral("pid")).toString().startsWith(u"-SS"))
                fromOurs = qMax(fromOurs, number(p, "total_download"));
        }
    }

    lt->terminate();
    QVERIFY2(lt->waitForExit(15000), "libtorrent's leecher did not stop on SIGTERM");
    const std::optional<QJsonObject> final = lastJsonEvent(*lt, QStringLiteral("stopped"));
    QVERIFY2(final, qPrintable(lt->status()));
    const qint64 ltUp = number(*final, "total_payload_upload");
    const qint64 ltDown = number(*final, "total_payload_download");
    qInfo("libtorrent downloaded %lld bytes (from A and B), uploaded %lld bytes to B; it downloaded at least "
          "%lld bytes from our leecher B while B was leeching",
          ltDown, ltUp, fromOurs);
    QVERIFY2(ltUp > 0, qPrintable(QStringLiteral("libtorrent's leecher uploaded nothing to our leecher; "
                                                 "last peers: ") +
                                  peersOf(*final)));
    QCOMPARE(number(*final, "total_failed_bytes"), 0);

    QCOMPARE(fileSha1(ourDir + u'/' + name), original);
    QCOMPARE(fileSha1(ltDir + u'/' + name), original);
    QVERIFY2(ourSeeder->isRunning(), qPrintable(ourSeeder->status()));
}

// BEP 15 both ways: the torrent names only our tracker's udp:// URL. libtorrent's seeder announces to it over
// UDP (our tracker must list it), and our leecher, given the same udp:// URL, finds it there and downloads.
void LibtorrentInteropTest::udpTracker_libtorrentSeederAndOurLeecherMeetOverUdp() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    QString announceUrl;
    QString udpUrl;
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl, &udpUrl), qPrintable(lab.error()));

    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    const QString name = QStringLiteral("udp-libtorrent.bin");
    const qint64 size = 3 * 1024 * 1024 + 55;
    QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 51));
    const QString torrent = lab.path(QStringLiteral("udp-libtorrent.torrent"));
    QString error;
    const std::optional<QByteArray> infoHash =
        createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), udpUrl, &error);
    QVERIFY2(infoHash, qPrintable(error));
    const QByteArray rawHash = QByteArray::fromHex(*infoHash);

    ChildProcess* seeder = lab.startLibtorrentPeer(
        QStringLiteral("lt-seeder"), QStringLiteral("seed"),
        {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"), seedDir});
    QVERIFY2(seeder, qPrintable(lab.error()));
    QString scraped;
    QVERIFY2(
        waitForScrape(
            announceUrl, rawHash, [](const ScrapeCounts& c) { return c.complete == 1; }, 20000, &scraped),
        qPrintable(QStringLiteral("libtorrent's UDP announce never reached our tracker: ") + scraped));

    const QString outDir = lab.path(QStringLiteral("ours"));
    ChildProcess* leecher = lab.startOurPeer(
        QStringLiteral("leecher"),
        {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"), torrent,
         QStringLiteral("--dir"), outDir, QStringLiteral("--tracker"), udpUrl, QStringLiteral("--listen"),
         QStringLiteral("127.0.0.1:0"), QStringLiteral("--exit-when-done")});
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(90000), "our leecher did not finish in 90 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
    // Our leecher's "stopped" went over UDP too: the libtorrent seeder is the only peer left.
    QVERIFY2(waitForScrape(
                 announceUrl, rawHash,
                 [](const ScrapeCounts& c) { return c.complete == 1 && c.incomplete == 0; }, 5000, &scraped),
             qPrintable(scraped));
}

QTEST_GUILESS_MAIN(LibtorrentInteropTest)
#include "tst_libtorrent.moc"
