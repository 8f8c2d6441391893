// `swarmscope peer --dht ...`: bad values are refused with exit code 2, and a leecher of a torrent that names
// no tracker finds a seeder through the seeder's DHT node alone, on 127.0.0.1.
#include "TestSupport.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

using namespace swarmscope::testsupport;

class TestDhtCli : public QObject {
    Q_OBJECT
private:
    QString m_exe;

private slots:
    void initTestCase() {
        m_exe = swarmscopeExecutable();
        QVERIFY2(!m_exe.isEmpty(), "SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
    }

    void badValues_data() {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("dht maybe") << QStringList{QStringLiteral("--dht"), QStringLiteral("maybe")}
                                   << QByteArray("'maybe' is not on or off (--dht)");
        QTest::newRow("dht port text") << QStringList{QStringLiteral("--dht"), QStringLiteral("on"),
                                                      QStringLiteral("--dht-port"), QStringLiteral("x")}
                                       << QByteArray("(--dht-port)");
        QTest::newRow("dht port too big")
            << QStringList{QStringLiteral("--dht"), QStringLiteral("on"), QStringLiteral("--dht-port"),
                           QStringLiteral("70000")}
            << QByteArray("not a port from 0 to 65535 (--dht-port)");
        QTest::newRow("bootstrap not host:port")
            << QStringList{QStringLiteral("--dht"), QStringLiteral("on"), QStringLiteral("--dht-bootstrap"),
                           QStringLiteral("nowhere")}
            << QByteArray("is not HOST:PORT such as 127.0.0.1:6969 (--dht-bootstrap)");
        QTest::newRow("bootstrap port 0")
            << QStringList{QStringLiteral("--dht"), QStringLiteral("on"), QStringLiteral("--dht-bootstrap"),
                           QStringLiteral("127.0.0.1:1,127.0.0.1:0")}
            << QByteArray("has port 0 (--dht-bootstrap)");
        QTest::newRow("bootstrap without dht")
            << QStringList{QStringLiteral("--dht-bootstrap"), QStringLiteral("127.0.0.1:6881")}
            << QByteArray("need --dht on");
    }

    void badValues() {
        QFETCH(QStringList, extra);
        QFETCH(QByteArray, expected);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("data.bin"));
        QVERIFY(writeRandomFile(file, 1024));
        ProcessResult created = runProcess(m_exe, {QStringLiteral("create"), file, QStringLiteral("-o"),
                                                   dir.filePath(QStringLiteral("t.torrent"))});
        QCOMPARE(created.exitCode, 0);
        const ProcessResult r =
            runProcess(m_exe,
                       QStringList{QStringLiteral("peer"), QStringLiteral("--role"), QStringLiteral("seeder"),
                                   QStringLiteral("--torrent"), dir.filePath(QStringLiteral("t.torrent")),
                                   QStringLiteral("--dir"), dir.path()} +
                           extra,
                       20000);
        QVERIFY2(!r.crashed, r.err.constData());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(expected), r.err.constData());
        QCOMPARE(r.err.trimmed().split('\n').size(), 1);
    }

    // No tracker anywhere: the torrent names none, and the leecher knows only the seeder's DHT address.
    void leecherFindsSeederThroughDht() {
        QTemporaryDir dir;
        const QString seedDir = dir.filePath(QStringLiteral("seed"));
        const QString leechDir = dir.filePath(QStringLiteral("leech"));
        QDir().mkpath(seedDir);
        QDir().mkpath(leechDir);
        const QString file = QDir(seedDir).filePath(QStringLiteral("data.bin"));
        QVERIFY(writeRandomFile(file, 3 * 1024 * 1024 + 17));
        const QString torrent = dir.filePath(QStringLiteral("t.torrent"));
        const ProcessResult created =
            runProcess(m_exe, {QStringLiteral("create"), file, QStringLiteral("-o"), torrent});
        QVERIFY2(created.exitCode == 0, created.err.constData());

        quint16 dhtPort = 0;
        {
            QUdpSocket probe;
            QVERIFY(probe.bind(QHostAddress::LocalHost, 0));
            dhtPort = probe.localPort();
        }
        QProcess seeder;
        seeder.setProcessChannelMode(QProcess::MergedChannels);
        seeder.start(m_exe, {QStringLiteral("peer"), QStringLiteral("--role"), QStringLiteral("seeder"),
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
            runProcess(m_exe,
                       {QStringLiteral("peer"), QStringLiteral("--role"), QStringLiteral("leecher"),
                        QStringLiteral("--torrent"), torrent, QStringLiteral("--dir"), leechDir,
                        QStringLiteral("--dht"), QStringLiteral("on"), QStringLiteral("--dht-bootstrap"),
                        QStringLiteral("127.0.0.1:%1").arg(dhtPort), QStringLiteral("--exit-when-done")},
                       60000);
        seeder.terminate();
        seeder.waitForFinished(10000);
        QVERIFY2(leecher.exitCode == 0, leecher.err.constData());

        const ProcessResult verified =
            runProcess(m_exe, {QStringLiteral("verify"), torrent, leechDir}, 30000);
        QVERIFY2(verified.exitCode == 0, verified.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestDhtCli)
#include "tst_dhtcli.moc"
