// MSE/PE against libtorrent (Debian's python3-libtorrent through lt_peer.py) with encryption forced on its
// side: RC4 only, both directions (out_enc_policy and in_enc_policy forced, allowed_enc_level rc4). Our
// leecher dials a libtorrent seeder (we initiate the MSE handshake), and a libtorrent leecher dials our
// seeder (we respond). Each shows from our peer's connection log that RC4 was negotiated, from libtorrent's
// peer list that it was RC4 on its side too, and compares the files. Peers meet through our tracker.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

qint64 number(const QJsonObject& o, const char* key) {
    return qint64(o.value(QLatin1String(key)).toDouble());
}

// Whether a status line of libtorrent's shows an RC4 connection to one of our peers.
bool ltSawRc4(ChildProcess& lt) {
    for (const QJsonObject& o : jsonEvents(lt))
        for (const QJsonValue& value : o.value(QStringLiteral("peers")).toArray()) {
            const QJsonObject p = value.toObject();
            if (p.value(QStringLiteral("pid")).toString().startsWith(u"-SS") &&
                p.value(QStringLiteral("rc4")).toBool())
                return true;
        }
    return false;
}

} // namespace

class LibtorrentMseTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(!pythonWithLibtorrent(&error).isEmpty(), qPrintable(error));
        QVERIFY2(!testsupport::swarmscopeExecutable().isEmpty(),
                 "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
    }

    // We initiate: our leecher (--encryption prefer, the default) dials libtorrent's forced-RC4 seeder.
    void ourLeecher_initiatesRc4WithLibtorrentSeeder() {
        InteropLab lab;
        QVERIFY(lab.isValid());
        const QString seedDir = lab.makeDir(QStringLiteral("seed"));
        const QString name = QStringLiteral("mse-from-libtorrent.bin");
        const qint64 size = 4 * 1024 * 1024 + 333;
        QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 41));
        QString announceUrl;
        QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl), qPrintable(lab.error()));
        const QString torrent = lab.path(QStringLiteral("mse1.torrent"));
        QString error;
        const std::optional<QByteArray> infoHash =
            createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), announceUrl, &error);
        QVERIFY2(infoHash, qPrintable(error));
        quint16 ltPort = 0;
        ChildProcess* seeder =
            lab.startLibtorrentPeer(QStringLiteral("lt-seeder"), QStringLiteral("seed"),
                                    {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"),
                                     seedDir, QStringLiteral("--force-encryption"),
                                     QStringLiteral("--status-interval"), QStringLiteral("0.005")},
                                    &ltPort);
        QVERIFY2(seeder, qPrintable(lab.error()));
        QString scraped;
        QVERIFY2(waitForScrape(
                     announceUrl, QByteArray::fromHex(*infoHash),
                     [](const ScrapeCounts& c) { return c.complete >= 1; }, 15000, &scraped),
                 qPrintable(QStringLiteral("libtorrent's seeder never reached our tracker: ") + scraped));

        const QString outDir = lab.path(QStringLiteral("ours"));
        // The tracker gives it libtorrent's address; libtorrent announced before we did, so it does not
        // know us: we dial.
        ChildProcess* leecher = lab.startOurPeer(
            QStringLiteral("leecher"),
            {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"), torrent,
             QStringLiteral("--dir"), outDir, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--encryption"), QStringLiteral("prefer"), QStringLiteral("--exit-when-done")});
        QVERIFY2(leecher, qPrintable(lab.error()));
        QVERIFY2(leecher->waitForExit(60000), "our leecher did not finish in 60 s");
        QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
        QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
        const QByteArray log = leecher->output(ChildProcess::Channel::Err);
        QVERIFY2(log.contains(QByteArray("127.0.0.1:%1: connected outgoing, rc4;")
                                  .replace("%1", QByteArray::number(ltPort))),
                 log.constData());
        QVERIFY2(!log.contains("connected outgoing, plaintext"), log.constData());
        QTRY_VERIFY_WITH_TIMEOUT(ltSawRc4(*seeder), 5000);
    }

    // We respond: libtorrent's forced-RC4 leecher dials our seeder (--encryption require).
    void libtorrentLeecher_dialsOurRequireSeeder() {
        InteropLab lab;
        QVERIFY(lab.isValid());
        const QString seedDir = lab.makeDir(QStringLiteral("seed"));
        const QString name = QStringLiteral("mse-to-libtorrent.bin");
        const qint64 size = 4 * 1024 * 1024 + 999;
        QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, size, 42));
        QString announceUrl;
        QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &announceUrl), qPrintable(lab.error()));
        const QString torrent = lab.path(QStringLiteral("mse2.torrent"));
        QString error;
        const std::optional<QByteArray> infoHash =
            createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("256KiB"), announceUrl, &error);
        QVERIFY2(infoHash, qPrintable(error));
        ChildProcess* ours = lab.startOurPeer(
            QStringLiteral("our-seeder"),
            {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"), torrent,
             QStringLiteral("--dir"), seedDir, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
             QStringLiteral("--encryption"), QStringLiteral("require")});
        QVERIFY2(ours, qPrintable(lab.error()));
        QVERIFY2(lab.waitUntilSeeding(*ours, 30000), qPrintable(lab.error()));
        const std::optional<QByteArray> listening =
            ours->waitForLine(ChildProcess::Channel::Err,
                              QRegularExpression(QStringLiteral("peer port 127\\.0\\.0\\.1:\\d+")), 5000);
        QVERIFY2(listening, ours->output(ChildProcess::Channel::Err).constData());
        const QString port = QRegularExpression(QStringLiteral("peer port 127\\.0\\.0\\.1:(\\d+)"))
                                 .match(QString::fromUtf8(*listening))
                                 .captured(1);
        const QString ltDir = lab.makeDir(QStringLiteral("lt"));
        ChildProcess* lt =
            lab.startLibtorrentPeer(QStringLiteral("lt-leecher"), QStringLiteral("leech"),
                                    {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"),
                                     ltDir, QStringLiteral("--force-encryption"),
                                     // Often enough to see the connection in libtorrent's peer list: the
                                     // transfer takes a few tens of milliseconds.
                                     QStringLiteral("--status-interval"), QStringLiteral("0.005"),
                                     QStringLiteral("--connect"), QStringLiteral("127.0.0.1:") + port});
        QVERIFY2(lt, qPrintable(lab.error()));
        const std::optional<QJsonObject> done = waitForJsonEvent(
            *lt,
            [](const QJsonObject& o) { return o.value(QStringLiteral("event")).toString() == u"finished"; },
            60000);
        QVERIFY2(done, "libtorrent's leecher did not finish in 60 s");
        QCOMPARE(number(*done, "total_failed_bytes"), 0);
        QCOMPARE(fileSha1(ltDir + u'/' + name), fileSha1(seedDir + u'/' + name));
        QVERIFY(ltSawRc4(*lt));
        const QByteArray log = ours->output(ChildProcess::Channel::Err);
        QVERIFY2(log.contains(": connected incoming, rc4;"), log.constData());
    }
};

QTEST_GUILESS_MAIN(LibtorrentMseTest)
#include "tst_libtorrent_mse.moc"
