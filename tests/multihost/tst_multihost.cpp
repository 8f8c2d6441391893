// A swarm over four hosts, as on separate machines: each host is a network namespace with an address of
// its own on one bridge (HostNetwork), and BitTorrent with our HTTP tracker is the only protocol between
// them.
//   host 0 (10.77.0.1): `swarmscope tracker`, and `swarmscope observe`, which downloads nothing
//   host 1 (10.77.0.2): `swarmscope peer --role seeder`, its upload capped by the kernel (tc tbf)
//   host 2 (10.77.0.3): `swarmscope peer --role leecher`
//   host 3 (10.77.0.4): Transmission (transmission-daemon), leeching
// The seeder's link is slower than the others', so the two leechers also trade pieces with each other.
// Every copy must equal the source, and the observer must have seen Transmission's progress. The namespaces
// go when the test ends, passed or failed.

#include "ChildProcess.h"
#include "InteropSupport.h"
#include "MultiHostLab.h"
#include "TestSupport.h"
#include "TransmissionDaemon.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;
using namespace swarmscope::multihost;

namespace {

// Whether our peer's log names a peer at address: its lines "peer ADDR:PORT: ..." say the two met.
bool logNames(const ChildProcess& peer, const QString& address) {
    const QByteArray prefix = "peer " + address.toUtf8() + ':';
    for (const QByteArray& line : peer.output(ChildProcess::Channel::Err).split('\n'))
        if (line.startsWith(prefix))
            return true;
    return false;
}

struct ObservedProgress {
    QString client;
    int pieces = 0;
    int partWay = 0;    // reports that show it with some pieces but not all
    int firstHave = -1; // its piece count in the first report that shows it
    bool complete = false;
};

// What `swarmscope observe --json` has reported so far of the peer at address.
ObservedProgress transmissionAsObserved(const ChildProcess& observer, const QString& address) {
    ObservedProgress seen;
    for (const QByteArray& line : observer.output(ChildProcess::Channel::Out).split('\n')) {
        const QJsonObject report = QJsonDocument::fromJson(line).object();
        if (report.isEmpty())
            continue;
        seen.pieces = report.value(QStringLiteral("pieces")).toInt();
        for (const QJsonValue& value : report.value(QStringLiteral("peers")).toArray()) {
            const QJsonObject peer = value.toObject();
            if (peer.value(QStringLiteral("address")).toString() != address ||
                !peer.value(QStringLiteral("connected")).toBool())
                continue;
            const int have = peer.value(QStringLiteral("have")).toInt();
            seen.client = peer.value(QStringLiteral("client")).toString();
            if (seen.firstHave < 0)
                seen.firstHave = have;
            if (have > 0 && have < seen.pieces)
                ++seen.partWay;
            if (seen.pieces > 0 && have == seen.pieces)
                seen.complete = true;
        }
    }
    return seen;
}

} // namespace

class MultiHostTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void fourHosts_trackerSeederLeecherAndTransmission_allComplete();
};

void MultiHostTest::initTestCase() {
    QVERIFY2(
        !testsupport::requiredTool(QStringLiteral("transmission-daemon")).isEmpty(),
        "transmission-daemon is not installed: the set-up installs the Debian package 'transmission-daemon'");
}

void MultiHostTest::fourHosts_trackerSeederLeecherAndTransmission_allComplete() {
    // SWARMSCOPE_OBSERVER_SCREENSHOT=FILE: the window's observer (File > Observe Swarm…) joins too, from a
    // fifth host (Transmission takes one connection per address), and saves a picture of itself
    // (docs/observer-multihost.png).
    const QString screenshot = qEnvironmentVariable("SWARMSCOPE_OBSERVER_SCREENSHOT");
    MultiHostLab mh(screenshot.isEmpty() ? 4 : 5);
    QVERIFY2(mh.isValid(), qPrintable(mh.error()));
    constexpr int tracker = 0, seeder = 1, leecher = 2, transmissionHost = 3;

    QString announceUrl;
    QVERIFY2(mh.startTracker(tracker, &announceUrl, 5), qPrintable(mh.error()));
    const QString name = QStringLiteral("multihost.bin");
    const qint64 size = 16 * 1024 * 1024 + 777;
    QString torrent;
    const std::optional<QByteArray> infoHash =
        mh.makeTorrent(QStringLiteral("seed"), name, size, 41, announceUrl, &torrent);
    QVERIFY2(infoHash, qPrintable(mh.error()));
    const QByteArray expected = fileSha1(mh.lab().path(QStringLiteral("seed/") + name));

    // 8 Mbit/s out of the seeder's host: about 17 s for the whole file to leave it once. Transmission sends
    // HAVE messages to a peer that asks for nothing in batches about 10 s apart, so an observer sees its
    // progress in steps that far apart: its download must last long enough to show one.
    QVERIFY2(mh.network().capUpload(seeder, QStringLiteral("8mbit")), qPrintable(mh.network().error()));
    ChildProcess* seed =
        mh.startPeer(seeder, QStringLiteral("seeder"),
                     {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                      torrent, QStringLiteral("--dir"), mh.lab().path(QStringLiteral("seed"))});
    QVERIFY2(seed, qPrintable(mh.error()));
    QVERIFY2(mh.lab().waitUntilSeeding(*seed, 30000), qPrintable(mh.lab().error()));

    // The observer, on the tracker's host: a peer that downloads nothing and reports what it sees.
    ChildProcess* observer =
        mh.spawnInHost(tracker, QStringLiteral("observer"), testsupport::swarmscopeExecutable(),
                       {QStringLiteral("observe"), QStringLiteral("--torrent"), torrent,
                        QStringLiteral("--listen"), mh.address(tracker) + QStringLiteral(":6881"),
                        QStringLiteral("--json"), QStringLiteral("--interval"), QStringLiteral("0.5")});
    QVERIFY2(observer, qPrintable(mh.error()));

    QElapsedTimer clock;
    clock.start();
    TransmissionDaemon transmission(mh.lab(), mh.network(), transmissionHost, QStringLiteral("transmission"));
    QVERIFY2(transmission.start(), qPrintable(transmission.error()));
    const QString transmissionDir = mh.lab().makeDir(QStringLiteral("transmission-copy"));
    const std::optional<int> id = transmission.add(torrent, transmissionDir);
    QVERIFY2(id, qPrintable(transmission.error()));
    // Our leecher joins once the observer has seen Transmission part-way, from its HAVEs alone.
    QTRY_VERIFY2_WITH_TIMEOUT(transmissionAsObserved(*observer, mh.address(transmissionHost)).partWay > 0,
                              "the observer never saw Transmission part-way", 60000);

    ChildProcess* window = nullptr;
    if (!screenshot.isEmpty()) {
        window = mh.spawnInHost(4, QStringLiteral("observer-window"), testsupport::swarmscopeExecutable(),
                                {QStringLiteral("--observe"), torrent, QStringLiteral("--observe-listen"),
                                 mh.address(4) + QStringLiteral(":6881"), QStringLiteral("--screenshot"),
                                 screenshot, QStringLiteral("--after"), QStringLiteral("6"),
                                 QStringLiteral("--size"), QStringLiteral("1100x400")});
        QVERIFY2(window, qPrintable(mh.error()));
    }

    const QString leechDir = mh.lab().makeDir(QStringLiteral("leech"));
    ChildProcess* leech =
        mh.startPeer(leecher, QStringLiteral("leecher"),
                     {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"),
                      torrent, QStringLiteral("--dir"), leechDir});
    QVERIFY2(leech, qPrintable(mh.error()));

    QVERIFY2(transmission.waitUntilDone(*id, 120000), qPrintable(transmission.error()));
    const double transmissionSeconds = clock.elapsed() / 1000.0;
    // Our leecher stays in the swarm once complete, as a seed, like Transmission.
    QVERIFY2(leech->waitForLine(ChildProcess::Channel::Err,
                                QRegularExpression(QStringLiteral("^downloaded ")), 120000),
             "our leecher did not complete in 120 s");
    const double leecherSeconds = clock.elapsed() / 1000.0;

    if (window)
        QVERIFY2(window->waitForExit(30000) && window->exitCode() == 0, qPrintable(window->describe()));
    QCOMPARE(fileSha1(leechDir + u'/' + name), expected);
    QCOMPARE(fileSha1(transmissionDir + u'/' + name), expected);
    // Everyone met across the hosts: the seeder served both leechers, and our leecher met Transmission.
    QVERIFY2(logNames(*seed, mh.address(leecher)), "the seeder's log never names the leecher's host");
    QVERIFY2(logNames(*seed, mh.address(transmissionHost)),
             "the seeder's log never names Transmission's host");
    // Our leecher and Transmission meet too, through the tracker's answers to their announces every 5 s
    // (if one finished before the other found it, they meet as seeds, and part at once).
    QTRY_VERIFY2_WITH_TIMEOUT(logNames(*leech, mh.address(transmissionHost)),
                              "our leecher's log never names Transmission's host", 20000);
    // The observer saw Transmission's progress: part-way in some report, complete in a later one, from its
    // BITFIELD and HAVE messages alone.
    QTRY_VERIFY2_WITH_TIMEOUT(transmissionAsObserved(*observer, mh.address(transmissionHost)).complete,
                              "the observer never saw Transmission complete", 15000);
    const ObservedProgress seen = transmissionAsObserved(*observer, mh.address(transmissionHost));
    qInfo("the observer saw Transmission (%s) part-way in %d reports, first at %d of %d pieces",
          qPrintable(seen.client), seen.partWay, seen.firstHave, seen.pieces);
    qInfo("four hosts: Transmission complete after %.2f s, our leecher after %.2f s", transmissionSeconds,
          leecherSeconds);
}

QTEST_GUILESS_MAIN(MultiHostTest)
#include "tst_multihost.moc"
