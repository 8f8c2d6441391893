// Enhanced CTorrent (Debian's ctorrent, dnh3.3.2), a plain BEP 3 client with no extension protocol: it
// downloads from our seeder through our tracker, and our leecher downloads from it as a seeder. No magnets:
// it speaks neither BEP 9 nor BEP 10.
//
// ctorrent drops every peer whose IP address equals its own ("Connection from duplicate peer"), ports
// aside, so it cannot meet a peer on 127.0.0.1 while it listens there itself. It listens on 127.0.0.2
// instead (-i), still the loopback interface, which Linux answers for the whole of 127.0.0.0/8.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

class CtorrentInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void ctorrent_downloadsFromOurSeeder();
    void we_downloadFromCtorrentSeeder();

private:
    QStringList ctorrentArguments(const QString& savePath, const QString& torrent, int seedHours) const;
    QString m_ctorrent;
};

void CtorrentInteropTest::initTestCase() {
    m_ctorrent = testsupport::requiredTool(QStringLiteral("ctorrent"));
    QVERIFY2(!m_ctorrent.isEmpty(),
             "ctorrent is not installed: the set-up installs the Debian package 'ctorrent'");
}

QStringList CtorrentInteropTest::ctorrentArguments(const QString& savePath, const QString& torrent,
                                                   int seedHours) const {
    // -e 0: exit once complete; -e 1: seed for an hour (the lab ends it first).
    return {QStringLiteral("-e"),
            QString::number(seedHours),
            QStringLiteral("-i"),
            QStringLiteral("127.0.0.2"),
            QStringLiteral("-p"),
            QString::number(freeTcpPort()),
            QStringLiteral("-s"),
            savePath,
            torrent};
}

void CtorrentInteropTest::ctorrent_downloadsFromOurSeeder() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("ctorrent-in.bin"), 3 * 1024 * 1024 + 4321, 21, &t),
             qPrintable(lab.error()));
    ChildProcess* seeder = lab.startOurSeeder(t);
    QVERIFY2(seeder, qPrintable(lab.error()));

    const QString outDir = lab.makeDir(QStringLiteral("ctorrent"));
    ChildProcess* client = lab.spawn(QStringLiteral("ctorrent"), m_ctorrent,
                                     ctorrentArguments(outDir + u'/' + t.name, t.torrent, 0), outDir);
    QVERIFY2(client, qPrintable(lab.error()));
    QVERIFY2(client->waitForExit(60000), "ctorrent did not finish in 60 s");
    QVERIFY2(client->exitedNormally() && client->exitCode() == 0, qPrintable(client->status()));
    QCOMPARE(fileSha1(outDir + u'/' + t.name), fileSha1(t.dataPath));
    InteropLab::reportNegotiated(QStringLiteral("ctorrent"), QStringLiteral("it downloads from us"), *seeder);
    QVERIFY2(seeder->isRunning(), qPrintable(seeder->status()));
}

void CtorrentInteropTest::we_downloadFromCtorrentSeeder() {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("ctorrent-out.bin"), 2 * 1024 * 1024 + 777, 22, &t),
             qPrintable(lab.error()));
    // ctorrent checks the file it is given and, finding it whole, seeds it.
    ChildProcess* client = lab.spawn(QStringLiteral("ctorrent"), m_ctorrent,
                                     ctorrentArguments(t.dataPath, t.torrent, 1), t.dataDir);
    QVERIFY2(client, qPrintable(lab.error()));
    QVERIFY2(lab.waitForSwarm(
                 t, [](const ScrapeCounts& c) { return c.complete >= 1; }, 20000,
                 QStringLiteral("the tracker never listed ctorrent as a seeder")),
             qPrintable(lab.error()));

    ChildProcess* leecher = lab.startOurLeecher(t, QStringLiteral("leech"));
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(60000), "our leecher did not finish in 60 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    QCOMPARE(fileSha1(lab.path(QStringLiteral("leech/")) + t.name), fileSha1(t.dataPath));
    InteropLab::reportNegotiated(QStringLiteral("ctorrent"), QStringLiteral("we download from it"), *leecher);
    QVERIFY2(client->isRunning(), qPrintable(client->status()));
}

QTEST_GUILESS_MAIN(CtorrentInteropTest)
#include "tst_ctorrent.moc"
