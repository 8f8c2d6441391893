// qBittorrent (Debian's qbittorrent-nox 4.5.2, on libtorrent-rasterbar 2.0), driven headless through its Web
// API on 127.0.0.1: it downloads from our seeder, our leecher downloads from it, and each side fetches a
// magnet (BEP 9) from the other. Every qbittorrent-nox gets a profile folder of its own in the lab, with a
// qBittorrent.conf written before it starts: legal notice accepted, Web UI on 127.0.0.1 without a login for
// localhost, BitTorrent on 127.0.0.1 only, DHT, peer exchange, local discovery and UPnP off, so our tracker
// is the only way it finds a peer. qBittorrent treats loopback peers like any other.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

// One qbittorrent-nox in the lab and its Web API.
class Qbittorrent {
public:
    bool start(InteropLab& lab, const QString& program, QString* error) {
        const QString profile = lab.makeDir(QStringLiteral("qbt-profile"));
        QDir(profile).mkpath(QStringLiteral("qBittorrent/config"));
        m_webPort = freeTcpPort();
        const quint16 peerPort = freeTcpPort();
        QFile conf(profile + QStringLiteral("/qBittorrent/config/qBittorrent.conf"));
        if (!conf.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write %1").arg(conf.fileName());
            return false;
        }
        conf.write(QStringLiteral("[LegalNotice]\nAccepted=true\n\n"
                                  "[BitTorrent]\nSession\\Interface=lo\nSession\\InterfaceAddress=127.0.0.1\n"
                                  "Session\\Port=%1\nSession\\DHTEnabled=false\nSession\\PeXEnabled=false\n"
                                  "Session\\LSDEnabled=false\nSession\\DefaultSavePath=%2\n\n"
                                  "[Preferences]\nWebUI\\Address=127.0.0.1\nWebUI\\Port=%3\n"
                                  "WebUI\\LocalHostAuth=false\nWebUI\\CSRFProtection=false\n"
                                  "WebUI\\HostHeaderValidation=false\nWebUI\\UseUPnP=false\n"
                                  "Connection\\UPnP=false\nConnection\\ResolvePeerCountries=false\n")
                       .arg(peerPort)
                       .arg(lab.makeDir(QStringLiteral("qbt-downloads")))
                       .arg(m_webPort)
                       .toUtf8());
        conf.close();
        ChildProcess* process = lab.spawn(QStringLiteral("qbittorrent-nox"), program,
                                          {QStringLiteral("--profile=") + profile,
                                           QStringLiteral("--webui-port=") + QString::number(m_webPort)});
        if (!process) {
            *error = lab.error();
            return false;
        }
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 20000) {
            const HttpClientResponse r = httpGet(api(QStringLiteral("app/version")), 1000);
            if (r.ok && r.status == 200)
                return true;
            if (!process->isRunning())
                break;
            QTest::qWait(200);
        }
        *error = QStringLiteral("qBittorrent's Web API never answered (%1)").arg(process->status());
        return false;
    }

    QString api(const QString& method) const {
        return QStringLiteral("http://127.0.0.1:%1/api/v2/%2").arg(m_webPort).arg(method);
    }

    // POST /api/v2/torrents/add, with a .torrent file (field "torrents") or a magnet ("urls"), through curl.
    bool add(const QString& field, const QString& value, const QString& savePath, QString* error) const {
        const QString curl = testsupport::requiredTool(QStringLiteral("curl"));
        if (curl.isEmpty()) {
            *error = QStringLiteral("curl is not installed: the set-up installs the Debian package 'curl'");
            return false;
        }
        QProcess p;
        p.start(curl, {QStringLiteral("-sS"), QStringLiteral("-F"),
                       field + (field == u"torrents" ? QStringLiteral("=@") : QStringLiteral("=")) + value,
                       QStringLiteral("-F"), QStringLiteral("savepath=") + savePath,
                       api(QStringLiteral("torrents/add"))});
        if (!p.waitForFinished(10000) || p.exitCode() != 0) {
            *error = QStringLiteral("curl failed: ") + QString::fromUtf8(p.readAllStandardError());
            return false;
        }
        const QByteArray body = p.readAllStandardOutput().trimmed();
        if (body != "Ok.") {
            *error = QStringLiteral("qBittorrent refused the torrent: ") + QString::fromUtf8(body);
            return false;
        }
        return true;
    }

    // The torrent's "state" in /api/v2/torrents/info ("stalledUP", "downloading", ...), empty if unknown.
    QString state(const QByteArray& infoHashHex) const {
        const HttpClientResponse r =
            httpGet(api(QStringLiteral("torrents/info?hashes=")) + QString::fromLatin1(infoHashHex), 2000);
        const QJsonArray list = QJsonDocument::fromJson(r.body).array();
        return list.isEmpty() ? QString() : list.first().toObject().value(QStringLiteral("state")).toString();
    }

    bool waitUntilSeeding(const QByteArray& infoHashHex, int timeoutMs, QString* error) const {
        QElapsedTimer clock;
        clock.start();
        QString last;
        while (clock.elapsed() < timeoutMs) {
            last = state(infoHashHex);
            if (last == u"stalledUP" || last == u"uploading" || last == u"forcedUP")
                return true;
            QTest::qWait(200);
        }
        *error = QStringLiteral("qBittorrent never seeded the torrent (state \"%1\")").arg(last);
        return false;
    }

private:
    quint16 m_webPort = 0;
};

} // namespace

class QbittorrentInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void qbittorrent_downloadsFromOurSeeder();
    void qbittorrent_fetchesMagnetFromOurSeeder();
    void we_downloadFromQbittorrentSeeder();
    void we_fetchMagnetFromQbittorrentSeeder();

private:
    void theyDownload(bool magnet);
    void weDownload(bool magnet);
    QString m_qbittorrent;
};

void QbittorrentInteropTest::initTestCase() {
    m_qbittorrent = testsupport::requiredTool(QStringLiteral("qbittorrent-nox"));
    QVERIFY2(!m_qbittorrent.isEmpty(),
             "qbittorrent-nox is not installed: the set-up installs the Debian package 'qbittorrent-nox'");
}

void QbittorrentInteropTest::qbittorrent_downloadsFromOurSeeder() {
    theyDownload(false);
}

void QbittorrentInteropTest::qbittorrent_fetchesMagnetFromOurSeeder() {
    theyDownload(true);
}

void QbittorrentInteropTest::we_downloadFromQbittorrentSeeder() {
    weDownload(false);
}

void QbittorrentInteropTest::we_fetchMagnetFromQbittorrentSeeder() {
    weDownload(true);
}

void QbittorrentInteropTest::theyDownload(bool magnet) {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("qbt-in.bin"), 3 * 1024 * 1024 + 999, magnet ? 31 : 32, &t),
             qPrintable(lab.error()));
    ChildProcess* seeder = lab.startOurSeeder(t);
    QVERIFY2(seeder, qPrintable(lab.error()));
    Qbittorrent qbt;
    QString error;
    QVERIFY2(qbt.start(lab, m_qbittorrent, &error), qPrintable(error));
    const QString outDir = lab.makeDir(QStringLiteral("qbt-out"));
    QVERIFY2(magnet ? qbt.add(QStringLiteral("urls"), t.magnetUri(), outDir, &error)
                    : qbt.add(QStringLiteral("torrents"), t.torrent, outDir, &error),
             qPrintable(error));
    QVERIFY2(lab.waitForFileContents(outDir + u'/' + t.name, fileSha1(t.dataPath), 60000),
             qPrintable(lab.error()));
    QVERIFY2(qbt.waitUntilSeeding(t.infoHashHex, 10000, &error), qPrintable(error));
    InteropLab::reportNegotiated(
        QStringLiteral("qBittorrent"),
        magnet ? QStringLiteral("it fetches our magnet") : QStringLiteral("it downloads from us"), *seeder);
    QVERIFY2(seeder->isRunning(), qPrintable(seeder->status()));
}

void QbittorrentInteropTest::weDownload(bool magnet) {
    InteropLab lab;
    QVERIFY(lab.isValid());
    LabTorrent t;
    QVERIFY2(lab.prepareTorrent(QStringLiteral("qbt-out.bin"), 2 * 1024 * 1024 + 555, magnet ? 33 : 34, &t),
             qPrintable(lab.error()));
    Qbittorrent qbt;
    QString error;
    QVERIFY2(qbt.start(lab, m_qbittorrent, &error), qPrintable(error));
    // qBittorrent checks the file already in the save path and, finding it whole, seeds it.
    QVERIFY2(qbt.add(QStringLiteral("torrents"), t.torrent, t.dataDir, &error), qPrintable(error));
    QVERIFY2(qbt.waitUntilSeeding(t.infoHashHex, 30000, &error), qPrintable(error));
    QVERIFY2(lab.waitForSwarm(
                 t, [](const ScrapeCounts& c) { return c.complete >= 1; }, 20000,
                 QStringLiteral("the tracker never listed qBittorrent as a seeder")),
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
        QStringLiteral("qBittorrent"),
        magnet ? QStringLiteral("we fetch its magnet") : QStringLiteral("we download from it"), *leecher);
}

QTEST_GUILESS_MAIN(QbittorrentInteropTest)
#include "tst_qbittorrent.moc"
