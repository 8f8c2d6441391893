// BEP 9 magnets between libtorrent (Debian's python3-libtorrent, driven by lt_peer.py) and our peer: a
// libtorrent seeder serves the metadata and the data to `swarmscope peer --magnet`, and our seeder serves a
// magnet to a libtorrent leecher. Peers meet through the link's x.pe address (libtorrent: --connect), so no
// tracker is needed. A missing libtorrent is a failure, never a skip.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

QString magnetFor(const QByteArray& infoHashHex, quint16 peerPort) {
    return QStringLiteral("magnet:?xt=urn:btih:%1&dn=interop&x.pe=127.0.0.1:%2")
        .arg(QString::fromLatin1(infoHashHex))
        .arg(peerPort);
}

} // namespace

class MagnetInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(!pythonWithLibtorrent(&error).isEmpty(), qPrintable(error));
        QVERIFY2(!testsupport::swarmscopeExecutable().isEmpty(),
                 "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
    }

    void ourMagnetLeecher_downloadsFromLibtorrentSeeder() {
        InteropLab lab;
        QVERIFY(lab.isValid());
        const QString seedDir = lab.makeDir(QStringLiteral("seed"));
        const QString name = QStringLiteral("magnet-from-libtorrent.bin");
        QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, 14 * 1024 * 1024 + 555, 41));
        const QString torrent = lab.path(QStringLiteral("m.torrent"));
        QString error;
        // 897 pieces: the info dictionary takes two 16 KiB metadata pieces.
        const std::optional<QByteArray> infoHash =
            createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("16KiB"), {}, &error);
        QVERIFY2(infoHash, qPrintable(error));
        quint16 ltPort = 0;
        ChildProcess* seeder = lab.startLibtorrentPeer(
            QStringLiteral("lt-seeder"), QStringLiteral("seed"),
            {QStringLiteral("--torrent"), torrent, QStringLiteral("--save-path"), seedDir}, &ltPort);
        QVERIFY2(seeder && ltPort != 0, qPrintable(lab.error()));

        const QString outDir = lab.path(QStringLiteral("ours"));
        ChildProcess* leecher =
            lab.startOurPeer(QStringLiteral("magnet-leecher"),
                             {QStringLiteral("--magnet"), magnetFor(*infoHash, ltPort),
                              QStringLiteral("--dir"), outDir, QStringLiteral("--exit-when-done")});
        QVERIFY2(leecher, qPrintable(lab.error()));
        QVERIFY2(leecher->waitForExit(60000), qPrintable(leecher->describe()));
        QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->describe()));
        QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
        const QString log = QString::fromUtf8(leecher->output(ChildProcess::Channel::Err));
        QVERIFY2(log.contains(QStringLiteral("matches the info-hash")), qPrintable(log));
        InteropLab::reportNegotiated(QStringLiteral("libtorrent (python3-libtorrent)"),
                                     QStringLiteral("we fetch its magnet"), *leecher);
        // What libtorrent told us in its extended handshake, as our log shows it.
        const QRegularExpression negotiated(
            QStringLiteral("client \"libtorrent[^\"]*\", ut_metadata id [1-9]"));
        QVERIFY2(log.contains(negotiated), qPrintable(log));
        for (const QString& line : log.split(u'\n'))
            if (line.contains(QStringLiteral("libtorrent")))
                qInfo("%s", qPrintable(line));
    }

    void libtorrentMagnetLeecher_downloadsFromOurSeeder() {
        InteropLab lab;
        QVERIFY(lab.isValid());
        const QString seedDir = lab.makeDir(QStringLiteral("seed"));
        const QString name = QStringLiteral("magnet-from-us.bin");
        QVERIFY(testsupport::writeRandomFile(seedDir + u'/' + name, 2 * 1024 * 1024 + 99, 43));
        const QString torrent = lab.path(QStringLiteral("m.torrent"));
        QString error;
        const std::optional<QByteArray> infoHash =
            createTorrent(seedDir + u'/' + name, torrent, QStringLiteral("16KiB"), {}, &error);
        QVERIFY2(infoHash, qPrintable(error));
        const quint16 ourPort = freeTcpPort();
        ChildProcess* seeder =
            lab.startOurPeer(QStringLiteral("our-seeder"),
                             {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                              torrent, QStringLiteral("--dir"), seedDir, QStringLiteral("--tracker"),
                              QStringLiteral("http://127.0.0.1:%1/announce").arg(freeTcpPort()),
                              QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(ourPort)});
        QVERIFY2(seeder, qPrintable(lab.error()));
        QVERIFY2(lab.waitUntilSeeding(*seeder, 30000), qPrintable(lab.error()));

        const QString outDir = lab.makeDir(QStringLiteral("lt"));
        ChildProcess* leecher = lab.startLibtorrentPeer(
            QStringLiteral("lt-magnet-leecher"), QStringLiteral("leech"),
            {QStringLiteral("--magnet"), magnetFor(*infoHash, ourPort), QStringLiteral("--save-path"), outDir,
             QStringLiteral("--connect"), QStringLiteral("127.0.0.1:%1").arg(ourPort),
             QStringLiteral("--exit-when-done")});
        QVERIFY2(leecher, qPrintable(lab.error()));
        QVERIFY2(leecher->waitForExit(60000), qPrintable(leecher->describe()));
        QVERIFY2(lastJsonEvent(*leecher, QStringLiteral("finished")), qPrintable(leecher->describe()));
        QCOMPARE(fileSha1(outDir + u'/' + name), fileSha1(seedDir + u'/' + name));
        // Our seeder's log names the client and the extensions libtorrent negotiated.
        QTRY_VERIFY_WITH_TIMEOUT(QString::fromUtf8(seeder->output(ChildProcess::Channel::Err))
                                     .contains(QStringLiteral("extensions:")),
                                 3000);
        for (const QString& line : QString::fromUtf8(seeder->output(ChildProcess::Channel::Err)).split(u'\n'))
            if (line.contains(QStringLiteral("extensions:")))
                qInfo("%s", qPrintable(line));
        InteropLab::reportNegotiated(QStringLiteral("libtorrent (python3-libtorrent)"),
                                     QStringLiteral("it fetches our magnet"), *seeder);
    }
};

QTEST_GUILESS_MAIN(MagnetInteropTest)
#include "tst_magnet.moc"
