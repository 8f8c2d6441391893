// Transmission (Debian's transmission-daemon 3.00), both ways, with .torrent files and with magnets. It
// treats 127.0.0.0/8 peers as invalid, so every program runs on a host of its own: network namespaces
// cabled to one bridge (HostNetwork), host 0 our tracker, host 1 our peer, host 2 Transmission. The
// tracker is the only way the two meet: Transmission's DHT, local discovery and uTP are off.
//
// Both sides keep their default encryption policy, which is "prefer encrypted" for each: every connection,
// whichever side dials, must come up with RC4 (MSE/PE), as our log tells.
// transmission-daemon or transmission-remote missing -> the tests fail.

#include "ChildProcess.h"
#include "InteropSupport.h"
#include "MultiHostLab.h"
#include "TestSupport.h"
#include "TransmissionDaemon.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;
using namespace swarmscope::multihost;

namespace {

constexpr int kTracker = 0;
constexpr int kOurs = 1;
constexpr int kTransmission = 2;
constexpr qint64 kSize = 6 * 1024 * 1024 + 4321; // not a multiple of the piece size

// What our peer's log says of Transmission's connections: the handshake's line ("connected incoming, rc4;
// peer id -TR3000-") and the BEP 10 one ("client ..."), joined by " | ".
QByteArray negotiatedLine(const ChildProcess& ours, const QString& address) {
    const QByteArray prefix = "peer " + address.toUtf8() + ':';
    QByteArray connected, extensions;
    for (const QByteArray& line : ours.output(ChildProcess::Channel::Err).split('\n')) {
        if (!line.startsWith(prefix))
            continue;
        if (line.contains(": connected ") && connected.isEmpty())
            connected = line;
        if (line.contains("client") && extensions.isEmpty())
            extensions = line;
    }
    return extensions.isEmpty() ? QByteArray() : connected + " | " + extensions;
}

} // namespace

class TransmissionInteropTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void transmission_downloadsFromOurSeeder();
    void ourLeecher_downloadsFromTransmission();
    void transmission_fetchesMagnetFromOurSeeder();
    void ourMagnet_fetchesFromTransmission();

private:
    enum class Direction { TheyFromUs, WeFromThem };
    void transfer(Direction direction, bool magnet);
};

void TransmissionInteropTest::initTestCase() {
    QVERIFY2(
        !testsupport::requiredTool(QStringLiteral("transmission-daemon")).isEmpty(),
        "transmission-daemon is not installed: the set-up installs the Debian package 'transmission-daemon'");
    QVERIFY2(
        !testsupport::requiredTool(QStringLiteral("transmission-remote")).isEmpty(),
        "transmission-remote is not installed: the set-up installs the Debian package 'transmission-daemon'");
}

void TransmissionInteropTest::transmission_downloadsFromOurSeeder() {
    transfer(Direction::TheyFromUs, false);
}

void TransmissionInteropTest::ourLeecher_downloadsFromTransmission() {
    transfer(Direction::WeFromThem, false);
}

void TransmissionInteropTest::transmission_fetchesMagnetFromOurSeeder() {
    transfer(Direction::TheyFromUs, true);
}

void TransmissionInteropTest::ourMagnet_fetchesFromTransmission() {
    transfer(Direction::WeFromThem, true);
}

void TransmissionInteropTest::transfer(Direction direction, bool magnet) {
    MultiHostLab mh(3);
    QVERIFY2(mh.isValid(), qPrintable(mh.error()));
    QString announceUrl;
    QVERIFY2(mh.startTracker(kTracker, &announceUrl), qPrintable(mh.error()));

    const QString name = QStringLiteral("transmission-interop.bin");
    QString torrent;
    const std::optional<QByteArray> infoHash =
        mh.makeTorrent(QStringLiteral("source"), name, kSize, 31, announceUrl, &torrent);
    QVERIFY2(infoHash, qPrintable(mh.error()));
    const QString source = mh.lab().path(QStringLiteral("source/") + name);
    const QByteArray expected = fileSha1(source);
    const QString uri = MultiHostLab::magnetLink(*infoHash, name, announceUrl);

    TransmissionDaemon transmission(mh.lab(), mh.network(), kTransmission, QStringLiteral("transmission"));
    QVERIFY2(transmission.start(), qPrintable(transmission.error()));

    QElapsedTimer clock;
    clock.start();
    QString copy;
    ChildProcess* ours = nullptr;
    if (direction == Direction::TheyFromUs) {
        ours = mh.startPeer(kOurs, QStringLiteral("our-seeder"),
                            {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                             torrent, QStringLiteral("--dir"), mh.lab().path(QStringLiteral("source"))});
        QVERIFY2(ours, qPrintable(mh.error()));
        QVERIFY2(mh.lab().waitUntilSeeding(*ours, 30000), qPrintable(mh.lab().error()));
        const QString into = mh.lab().makeDir(QStringLiteral("transmission-copy"));
        const std::optional<int> id = transmission.add(magnet ? uri : torrent, into);
        QVERIFY2(id, qPrintable(transmission.error()));
        QVERIFY2(transmission.waitUntilDone(*id, 90000), qPrintable(transmission.error()));
        copy = into + u'/' + name;
    } else {
        // Transmission checks the data it is given and seeds it.
        const std::optional<int> id = transmission.add(torrent, mh.lab().path(QStringLiteral("source")));
        QVERIFY2(id, qPrintable(transmission.error()));
        QVERIFY2(transmission.waitUntilDone(*id, 30000), qPrintable(transmission.error()));
        const QString into = mh.lab().makeDir(QStringLiteral("our-copy"));
        QStringList arguments = magnet ? QStringList{QStringLiteral("--magnet"), uri}
                                       : QStringList{QStringLiteral("--role"), QStringLiteral("leecher"),
                                                     QStringLiteral("--torrent"), torrent};
        arguments += {QStringLiteral("--dir"), into, QStringLiteral("--exit-when-done")};
        ours = mh.startPeer(kOurs, QStringLiteral("our-leecher"), arguments);
        QVERIFY2(ours, qPrintable(mh.error()));
        if (!ours->waitForExit(90000) || !ours->exitedNormally() || ours->exitCode() != 0)
            QFAIL(qPrintable(ours->status() + QStringLiteral("; Transmission's peers:\n") +
                             QString::fromUtf8(transmission.peers(*id))));
        copy = into + u'/' + name;
    }
    const double seconds = clock.elapsed() / 1000.0;

    QCOMPARE(fileSha1(copy), expected);
    // The files match, and the two really met: our log names Transmission's handshake.
    const QByteArray line = negotiatedLine(*ours, mh.address(kTransmission));
    QVERIFY2(!line.isEmpty() && line.contains("Transmission"),
             "our peer's log has no BEP 10 handshake from the Transmission host");
    QVERIFY2(line.contains(", rc4;"), line.constData());
    qInfo("%s %s %s in %.2f s; negotiated: %s",
          direction == Direction::TheyFromUs ? "Transmission fetched" : "we fetched",
          magnet ? "a magnet" : "a .torrent",
          direction == Direction::TheyFromUs ? "from our seeder" : "from Transmission", seconds,
          line.constData());
}

QTEST_GUILESS_MAIN(TransmissionInteropTest)
#include "tst_transmission.moc"
