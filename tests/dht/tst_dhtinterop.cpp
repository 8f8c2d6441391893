// aria2c and libtorrent find our seeder through our DHT node alone: the torrent names no tracker, and each is
// given only our seeder's DHT address (aria2c --dht-entry-point, libtorrent dht_bootstrap_nodes), on
// 127.0.0.1. aria2c or Debian's python3-libtorrent missing -> the test fails (cmake/setup-debian.sh installs
// both).
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

using namespace swarmscope::testsupport;

namespace {

quint16 freeUdpPort() {
    QUdpSocket probe;
    return probe.bind(QHostAddress::LocalHost, 0) ? probe.localPort() : 0;
}

quint16 freeTcpPort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace

class TestDhtInterop : public QObject {
    Q_OBJECT
private slots:
    void libtorrentFindsOurSeederThroughOurDht() {
        const QString exe = swarmscopeExecutable();
        QVERIFY2(!exe.isEmpty(), "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        const QString python = QStringLiteral("/usr/bin/python3");
        const ProcessResult check =
            runProcess(python, {QStringLiteral("-c"), QStringLiteral("import libtorrent")}, 20000);
        QVERIFY2(check.exitCode == 0, "Debian's python3-libtorrent is missing: the set-up installs it");

        QTemporaryDir dir;
        const QString seedDir = dir.filePath(QStringLiteral("seed"));
        const QString leechDir = dir.filePath(QStringLiteral("leech"));
        QDir().mkpath(seedDir);
        QDir().mkpath(leechDir);
        const QString file = QDir(seedDir).filePath(QStringLiteral("dht-lt.bin"));
        QVERIFY(writeRandomFile(file, 2 * 1024 * 1024 + 321, 6));
        const QString torrent = dir.filePath(QStringLiteral("dht-lt.torrent"));
        const ProcessResult created =
            runProcess(exe, {QStringLiteral("create"), file, QStringLiteral("-o"), torrent});
        QVERIFY2(created.exitCode == 0, created.err.constData());

        const quint16 dhtPort = freeUdpPort();
        QVERIFY(dhtPort != 0);
        QProcess seeder;
        seeder.setProcessChannelMode(QProcess::MergedChannels);
        seeder.start(exe, {QStringLiteral("peer"), QStringLiteral("--role"), QStringLiteral("seeder"),
                           QStringLiteral("--torrent"), torrent, QStringLiteral("--dir"), seedDir,
                           QStringLiteral("--dht"), QStringLiteral("on"), QStringLiteral("--dht-port"),
                           QString::number(dhtPort)});
        QVERIFY(seeder.waitForStarted(5000));
        QByteArray seederLog;
        QVERIFY(QTest::qWaitFor(
            [&] {
                seederLog += seeder.readAll();
                return seederLog.contains("DHT node on UDP");
            },
            10000));
        const ProcessResult leecher =
            runProcess(python,
                       {QStringLiteral(SWARMSCOPE_SOURCE_DIR "/tests/dht/lt_dht_leecher.py"), torrent,
                        leechDir, QStringLiteral("127.0.0.1:%1").arg(dhtPort), QStringLiteral("50")},
                       60000);
        seeder.terminate();
        seeder.waitForFinished(10000);
        seederLog += seeder.readAll();
        const QByteArray failure =
            leecher.out + leecher.err.right(3000) + "\n--- seeder:\n" + seederLog.right(2000);
        QVERIFY2(leecher.exitCode == 0, failure.constData());
        const ProcessResult verified = runProcess(exe, {QStringLiteral("verify"), torrent, leechDir}, 30000);
        QVERIFY2(verified.exitCode == 0, verified.out.constData());
        qInfo("libtorrent: %s", leecher.out.trimmed().constData());
    }

    void aria2FindsOurSeederThroughOurDht() {
        const QString exe = swarmscopeExecutable();
        QVERIFY2(!exe.isEmpty(), "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        const QString aria2 = requiredTool(QStringLiteral("aria2c"));
        QVERIFY2(!aria2.isEmpty(), "aria2c is not installed: the set-up installs the Debian package 'aria2'");

        QTemporaryDir dir;
        const QString seedDir = dir.filePath(QStringLiteral("seed"));
        const QString leechDir = dir.filePath(QStringLiteral("leech"));
        QDir().mkpath(seedDir);
        QDir().mkpath(leechDir);
        const QString file = QDir(seedDir).filePath(QStringLiteral("dht-interop.bin"));
        QVERIFY(writeRandomFile(file, 2 * 1024 * 1024 + 999, 5));
        const QString torrent = dir.filePath(QStringLiteral("dht-interop.torrent"));
        const ProcessResult created =
            runProcess(exe, {QStringLiteral("create"), file, QStringLiteral("-o"), torrent});
        QVERIFY2(created.exitCode == 0, created.err.constData());

        const quint16 dhtPort = freeUdpPort();
        QVERIFY(dhtPort != 0);
        QProcess seeder;
        seeder.setProcessChannelMode(QProcess::MergedChannels);
        seeder.start(exe, {QStringLiteral("peer"), QStringLiteral("--role"), QStringLiteral("seeder"),
                           QStringLiteral("--torrent"), torrent, QStringLiteral("--dir"), seedDir,
                           QStringLiteral("--dht"), QStringLiteral("on"), QStringLiteral("--dht-port"),
                           QString::number(dhtPort)});
        QVERIFY(seeder.waitForStarted(5000));
        QByteArray seederLog;
        QVERIFY(QTest::qWaitFor(
            [&] {
                seederLog += seeder.readAll();
                return seederLog.contains("DHT node on UDP");
            },
            10000));

        const quint16 ariaDht = freeUdpPort();
        const quint16 ariaPort = freeTcpPort();
        QElapsedTimer clock;
        clock.start();
        const ProcessResult leecher = runProcess(
            aria2,
            {QStringLiteral("--dir=") + leechDir, QStringLiteral("--seed-time=0"),
             QStringLiteral("--enable-dht=true"), QStringLiteral("--dht-listen-port=%1").arg(ariaDht),
             QStringLiteral("--dht-entry-point=127.0.0.1:%1").arg(dhtPort),
             QStringLiteral("--dht-file-path=") + dir.filePath(QStringLiteral("aria2-dht.dat")),
             QStringLiteral("--listen-port=%1").arg(ariaPort), QStringLiteral("--bt-enable-lpd=false"),
             QStringLiteral("--enable-peer-exchange=false"), QStringLiteral("--disable-ipv6=true"),
             QStringLiteral("--check-integrity=false"), QStringLiteral("--bt-stop-timeout=50"),
             QStringLiteral("--summary-interval=0"), QStringLiteral("--console-log-level=warn"), torrent},
            60000);
        const qint64 tookMs = clock.elapsed();
        seeder.terminate();
        seeder.waitForFinished(10000);
        seederLog += seeder.readAll();
        const QByteArray failure =
            leecher.out.right(2000) + leecher.err.right(1000) + "\n--- seeder:\n" + seederLog.right(2000);
        QVERIFY2(leecher.exitCode == 0, failure.constData());
        const ProcessResult verified = runProcess(exe, {QStringLiteral("verify"), torrent, leechDir}, 30000);
        QVERIFY2(verified.exitCode == 0, verified.out.constData());
        qInfo("aria2c found our seeder through our DHT node and downloaded 2 MiB in %lld ms", tookMs);
    }
};

QTEST_GUILESS_MAIN(TestDhtInterop)
#include "tst_dhtinterop.moc"
