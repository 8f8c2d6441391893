// Deluge (Debian's deluged 2.0.3 and deluge-console, on libtorrent-rasterbar 2.0): it downloads from our
// seeder, our leecher downloads from it, and each side fetches a magnet (BEP 9) from the other. deluged
// runs in the foreground (-d) with a config folder of the lab's own (-c): an auth file for one console
// user, and a core.conf that listens on 127.0.0.1 at a port found free, with DHT, local discovery, UPnP
// and NAT-PMP off, so our tracker is the only way it finds a peer. deluge-console adds each torrent.
// Deluge treats loopback peers like any other. (On Debian 12's Python 3.11, deluge 2.0.3 logs a stream
// of harmless "findCaller() takes from 1 to 2 positional arguments" tracebacks; they are not failures.
// Binding its outgoing connections to the device "lo" (outgoing_interface) stops it from reaching any
// peer, so that is left unset.)

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

const QString kUser = QStringLiteral("swarmscope");
const QString kPassword = QStringLiteral("interop");

class Deluge {
public:
    bool start(InteropLab& lab, const QString& deluged, const QString& console, QString* error) {
        m_lab = &lab;
        m_console = console;
        m_config = lab.makeDir(QStringLiteral("deluge-config"));
        m_daemonPort = freeTcpPort();
        const quint16 peerPort = freeTcpPort();
        QFile auth(m_config + QStringLiteral("/auth"));
        QFile core(m_config + QStringLiteral("/core.conf"));
        if (!auth.open(QIODevice::WriteOnly) || !core.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write deluge's config in %1").arg(m_config);
            return false;
        }
        auth.write((kUser + u':' + kPassword + QStringLiteral(":10\n")).toUtf8());
        auth.close();
        core.write(QStringLiteral("{\"file\": 1, \"format\": 1}{\"listen_interface\": \"127.0.0.1\", "
                                  "\"listen_ports\": [%1, %1], \"random_port\": false, \"dht\": false, "
                                  "\"upnp\": false, \"natpmp\": false, \"lsd\": false, \"utpex\": true, "
                                  "\"new_release_check\": false, \"download_location\": \"%2\"}\n")
                       .arg(peerPort)
                       .arg(lab.makeDir(QStringLiteral("deluge-downloads")))
                       .toUtf8());
        core.close();
        ChildProcess* daemon =
            lab.spawn(QStringLiteral("deluged"), deluged,
                      {QStringLiteral("-c"), m_config, QStringLiteral("-d"), QStringLiteral("-p"),
                       QString::number(m_daemonPort), QStringLiteral("-u"), QStringLiteral("127.0.0.1"),
                       QStringLiteral("-L"), QStringLiteral("info"), QStringLiteral("-l"),
                       lab.path(QStringLiteral("deluged.log"))});
        if (!daemon) {
            *error = lab.error();
            return false;
        }
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 20000 && daemon->isRunning()) {
            QTcpSocket probe;
            probe.connectToHost(QStringLiteral("127.0.0.1"), m_daemonPort);
            if (probe.waitForConnected(500))
                return true;
            QTest::qWait(200);
        }
        *error = QStringLiteral("deluged never listened on its daemon port (%1)").arg(daemon->status());
        return false;
    }

    // deluge-console "connect ...; add -p SAVE_PATH WHAT" (WHAT: a .torrent's path or a magnet).
    bool add(const QString& what, const QString& savePath, QString* error) {
        const QString command = QStringLiteral("connect 127.0.0.1:%1 %2 %3; add -p %4 %5")
                                    .arg(m_daemonPort)
                                    .arg(kUser, kPassword, savePath, what);
        ChildProcess* console = m_lab->spawn(QStringLiteral("deluge-console-%1").arg(++m_calls), m_console,
                                             {QStringLiteral("-c"), m_config, command});
        if (!console) {
            *error = m_lab->error();
            return false;
        }
        if (!console->waitForExit(30000)) {
            *error = QStringLiteral("deluge-console did not finish in 30 s");
            return false;
        }
        if (!console->output(ChildProcess::Channel::Out).contains("Torrent added!")) {
            *error = QStringLiteral("deluge-console did not add the torrent (%1): %2")
                         .arg(console->status(),
                              QString::fromUtf8(console->output(ChildProcess::Channel::Out).right(500)));
            return false;
        }
        return true;
    }

private:
    InteropLab* m_lab = nullptr;
    QString m_console;
    QString m_config;
    quint16 m_daemonPort = 0;
    int m_calls = 0;
};

} // namespace

class DelugeInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void deluge_downloadsFromOurSeeder();
    void deluge_fetchesMagnetFromOurSeeder();
    void we_downloadFromDelugeSeeder();
    void we_fetchMagnetFromDelugeSeeder();

private:
    void theyDownload(bool magnet);
    void weDownload(bool magnet);
    QString m_deluged;
    QString m_console;
};

void DelugeInteropTest::initTestCase() {
    m_deluged = testsupport::requiredTool(QStringLiteral("deluged"));
    QVERIFY2(!m_deluged.isEmpty(),
             "deluged is not installed: the set-up installs the Debian package 'deluged'");
    m_console = testsupport::requiredTool(QStringLiteral("deluge-console"));
    QVERIFY2(!m_console.isEmpty(),
             "deluge-console is not installed: the set-up installs the Debian package 'deluge-console'");
}

void DelugeInteropTest::deluge_downloadsFromOurSeeder() {
    theyDownload(false);
}

void DelugeInteropTest::deluge_fetchesMagnetFromOurSeeder() {
    theyDownload(true);
}

void DelugeInteropTest::we_downloadFromDelugeSeeder() {
    weDownload(false);
}

void DelugeInteropTest::we_fetchMagnetFromDelugeSeeder() {
    weDownload(true);
}

void DelugeInteropTest::theyDownload(bool magnet) {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("deluge-in.bin"), 3 * 1024 * 1024 + 99, magnet ? 41 : 42, &t),
             qPrintable(lab.error()));
    ChildProcess* seeder = lab.startOurSeeder(t);
    QVERIFY2(seeder, qPrintable(lab.error()));
    Deluge deluge;
    QString error;
    QVERIFY2(deluge.start(lab, m_deluged, m_console, &error), qPrintable(error));
    const QString outDir = lab.makeDir(QStringLiteral("deluge-out"));
    QVERIFY2(deluge.add(magnet ? t.magnetUri() : t.torrent, outDir, &error), qPrintable(error));
    QVERIFY2(lab.waitForFileContents(outDir + u'/' + t.name, fileSha1(t.dataPath), 60000),
             qPrintable(lab.error()));
    InteropLab::reportNegotiated(
        QStringLiteral("Deluge"),
        magnet ? QStringLiteral("it fetches our magnet") : QStringLiteral("it downloads from us"), *seeder);
    QVERIFY2(seeder->isRunning(), qPrintable(seeder->status()));
}

void DelugeInteropTest::weDownload(bool magnet) {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("deluge-out.bin"), 2 * 1024 * 1024 + 5, magnet ? 43 : 44, &t),
             qPrintable(lab.error()));
    Deluge deluge;
    QString error;
    QVERIFY2(deluge.start(lab, m_deluged, m_console, &error), qPrintable(error));
    // Deluge checks the file already in the save path and, finding it whole, seeds it.
    QVERIFY2(deluge.add(t.torrent, t.dataDir, &error), qPrintable(error));
    QVERIFY2(lab.waitForSwarm(
                 t, [](const ScrapeCounts& c) { return c.complete >= 1; }, 30000,
                 QStringLiteral("the tracker never listed Deluge as a seeder")),
             qPrintable(lab.error()));

    const QString dir = lab.makeDir(QStringLiteral("leech"));
    ChildProcess* leecher =
        magnet ? lab.startOurPeer(QStringLiteral("leecher"),
                                  {QStringLiteral("--magnet"), t.magnetUri(), QStringLiteral("--dir"), dir,
                                   QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                   QStringLiteral("--exit-when-done")})
               : lab.startOurLeecher(t, QStringLiteral("leech"));
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(60000), "our leecher did not finish in 60 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    QCOMPARE(fileSha1(dir + u'/' + t.name), fileSha1(t.dataPath));
    InteropLab::reportNegotiated(
        QStringLiteral("Deluge"),
        magnet ? QStringLiteral("we fetch its magnet") : QStringLiteral("we download from it"), *leecher);
}

QTEST_GUILESS_MAIN(DelugeInteropTest)
#include "tst_deluge.moc"
