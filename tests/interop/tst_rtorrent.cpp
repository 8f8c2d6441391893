// rtorrent 0.9.8 (Debian's rtorrent, on libtorrent-rakshasa 0.13.8, an implementation of its own): it
// downloads from our seeder, and our leecher downloads from it as a seeder. rtorrent runs headless
// (system.daemon.set = true) from a generated rtorrent.rc (-n -o import=...): a download folder, a session
// folder, one fixed port, DHT, peer exchange and UDP trackers off, and a watch folder that load.start
// picks .torrent files up from every second. Like ctorrent it will not connect to a peer with its own IP
// address, so it binds to 127.0.0.2 (still the loopback interface) while ours are on 127.0.0.1.
// Completion is read from the file's contents.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QFile>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

class RtorrentInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void rtorrent_downloadsFromOurSeeder();
    void we_downloadFromRtorrentSeeder();

private:
    ChildProcess* startRtorrent(InteropLab& lab, const QString& downloadDir, const QString& torrent);
    QString m_rtorrent;
    QString m_error;
};

void RtorrentInteropTest::initTestCase() {
    m_rtorrent = testsupport::requiredTool(QStringLiteral("rtorrent"));
    QVERIFY2(!m_rtorrent.isEmpty(),
             "rtorrent is not installed: the set-up installs the Debian package 'rtorrent'");
}

ChildProcess* RtorrentInteropTest::startRtorrent(InteropLab& lab, const QString& downloadDir,
                                                 const QString& torrent) {
    const QString watch = lab.makeDir(QStringLiteral("rtorrent-watch"));
    const QString port = QString::number(freeTcpPort());
    QFile rc(lab.path(QStringLiteral("rtorrent.rc")));
    if (!rc.open(QIODevice::WriteOnly) || !QFile::copy(torrent, watch + QStringLiteral("/lab.torrent"))) {
        m_error = QStringLiteral("cannot write rtorrent's config or watch folder");
        return nullptr;
    }
    rc.write(QStringLiteral("directory.default.set = %1\nsession.path.set = %2\n"
                            "network.port_range.set = %3-%3\nnetwork.port_random.set = no\n"
                            "network.bind_address.set = 127.0.0.2\ndht.mode.set = disable\n"
                            "protocol.pex.set = no\ntrackers.use_udp.set = no\nsystem.daemon.set = true\n"
                            "schedule2 = watch_start, 1, 1, ((load.start, (cat, \"%4/\", \"*.torrent\")))\n")
                 .arg(downloadDir, lab.makeDir(QStringLiteral("rtorrent-session")), port, watch)
                 .toUtf8());
    rc.close();
    ChildProcess* client =
        lab.spawn(QStringLiteral("rtorrent"), m_rtorrent,
                  {QStringLiteral("-n"), QStringLiteral("-o"), QStringLiteral("import=") + rc.fileName()});
    if (!client)
        m_error = lab.error();
    return client;
}

void RtorrentInteropTest::rtorrent_downloadsFromOurSeeder() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("rtorrent-in.bin"), 3 * 1024 * 1024 + 17, 51, &t),
             qPrintable(lab.error()));
    ChildProcess* seeder = lab.startOurSeeder(t);
    QVERIFY2(seeder, qPrintable(lab.error()));
    const QString outDir = lab.makeDir(QStringLiteral("rtorrent-out"));
    ChildProcess* client = startRtorrent(lab, outDir, t.torrent);
    QVERIFY2(client, qPrintable(m_error));
    QVERIFY2(lab.waitForFileContents(outDir + u'/' + t.name, fileSha1(t.dataPath), 60000),
             qPrintable(lab.error()));
    InteropLab::reportNegotiated(QStringLiteral("rtorrent"), QStringLiteral("it downloads from us"), *seeder);
    QVERIFY2(client->isRunning(), qPrintable(client->status()));
}

void RtorrentInteropTest::we_downloadFromRtorrentSeeder() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("rtorrent-out.bin"), 2 * 1024 * 1024 + 3, 52, &t),
             qPrintable(lab.error()));
    // rtorrent hashes the file already in its download folder and, finding it whole, seeds it.
    ChildProcess* client = startRtorrent(lab, t.dataDir, t.torrent);
    QVERIFY2(client, qPrintable(m_error));
    QVERIFY2(lab.waitForSwarm(
                 t, [](const ScrapeCounts& c) { return c.complete >= 1; }, 30000,
                 QStringLiteral("the tracker never listed rtorrent as a seeder")),
             qPrintable(lab.error()));
    ChildProcess* leecher = lab.startOurLeecher(t, QStringLiteral("leech"));
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(60000), "our leecher did not finish in 60 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    QCOMPARE(fileSha1(lab.path(QStringLiteral("leech/")) + t.name), fileSha1(t.dataPath));
    InteropLab::reportNegotiated(QStringLiteral("rtorrent"), QStringLiteral("we download from it"), *leecher);
}

QTEST_GUILESS_MAIN(RtorrentInteropTest)
#include "tst_rtorrent.moc"
