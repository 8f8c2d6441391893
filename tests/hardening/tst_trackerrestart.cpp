// A tracker restart mid-swarm, with real processes: `swarmscope tracker --interval 2`, a seeder and three
// leechers with upload caps so that the transfer lasts several seconds. The tracker is killed with SIGKILL
// once every leecher is under way, and a new one starts on the same port a few seconds later (empty: it
// lost every peer). Checked: the transfer goes on while the tracker is down (the peers' connections do not
// need it), every peer announces itself to the new tracker within a bounded time (its scrape counts them),
// a leecher that joins after the restart finds peers through it and completes, and every leecher's file is
// byte-identical to the original.

#include "FaultLab.h"

#include "InteropSupport.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::hardening;

namespace {

constexpr qint64 MiB = 1024 * 1024;
constexpr int kLeechers = 3;
constexpr int kDownMs = 4000;
// Peers announce every 2 s; one that failed while the tracker was down retries after 5 s, then 10 s.
constexpr int kReannounceBoundMs = 30000;

const QRegularExpression kDone(QStringLiteral("^downloaded .*; all \\d+ pieces verified$"));

int sumOfProgress(const QList<ChildProcess*>& leechers) {
    int sum = 0;
    for (const ChildProcess* leecher : leechers)
        sum += qMax(0, progressPercent(*leecher));
    return sum;
}

} // namespace

class TrackerRestartTest : public QObject {
    Q_OBJECT
private slots:
    void trackerKilledAndRestarted_swarmGoesOnAndLateLeecherCompletes();
};

void TrackerRestartTest::trackerKilledAndRestarted_swarmGoesOnAndLateLeecherCompletes() {
    FaultLab f;
    QVERIFY(f.isValid());
    ChildProcess* tracker = f.startTracker(QStringLiteral("tracker-1"), 2);
    QVERIFY2(tracker, qPrintable(f.error()));
    const quint16 port = f.trackerPort();
    // 6 MiB in 96 pieces; the seeder at 768 KiB/s and three leechers at 256 KiB/s each need about 12 s.
    QVERIFY2(f.makeTorrent(6 * MiB, QStringLiteral("64KiB")), qPrintable(f.error()));
    const QByteArray infoHash = f.metainfo().infoHash;
    ChildProcess* seeder = f.startSeeder(QStringLiteral("seeder"), QStringLiteral("768KiB/s"));
    QVERIFY2(seeder, qPrintable(f.error()));

    QList<ChildProcess*> leechers;
    for (int i = 1; i <= kLeechers; ++i) {
        ChildProcess* leecher =
            f.startLeecher(QStringLiteral("leecher-%1").arg(i), f.path(QStringLiteral("download-%1").arg(i)),
                           {QStringLiteral("--up"), QStringLiteral("256KiB/s")});
        QVERIFY2(leecher, qPrintable(f.error()));
        leechers.append(leecher);
    }
    for (ChildProcess* leecher : std::as_const(leechers))
        QVERIFY2(leecher->waitForLine(ChildProcess::Channel::Err,
                                      QRegularExpression(QStringLiteral("^downloading: [1-9]0%")), 60000),
                 qPrintable(leecher->status()));
    QString scraped;
    QVERIFY2(interop::waitForScrape(
                 f.announceUrl(), infoHash,
                 [](const ScrapeCounts& c) { return c.complete + c.incomplete == 1 + kLeechers; }, 10000,
                 &scraped),
             qPrintable(QStringLiteral("before the restart: ") + scraped));

    // Down: SIGKILL, so the tracker says goodbye to nobody and loses everything it knew.
    const int progressAtKill = sumOfProgress(leechers);
    QVERIFY(killHard(*tracker));
    QElapsedTimer down;
    down.start();
    QTest::qWait(kDownMs);
    const int progressWhileDown = sumOfProgress(leechers) - progressAtKill;
    for (ChildProcess* peer : QList<ChildProcess*>{seeder} + leechers)
        QVERIFY2(peer->isRunning(), qPrintable(peer->status()));

    ChildProcess* restarted = f.startTracker(QStringLiteral("tracker-2"), 2, port);
    QVERIFY2(restarted, qPrintable(f.error()));
    const qint64 downMs = down.elapsed();
    QCOMPARE(f.trackerPort(), port);
    QElapsedTimer back;
    back.start();
    QVERIFY2(interop::waitForScrape(
                 f.announceUrl(), infoHash,
                 [](const ScrapeCounts& c) { return c.complete + c.incomplete == 1 + kLeechers; },
                 kReannounceBoundMs, &scraped),
             qPrintable(QStringLiteral("the peers did not announce to the new tracker: ") + scraped));
    const qint64 reannounceMs = back.elapsed();

    // A leecher that joins now knows of the others only through the new tracker.
    ChildProcess* late =
        f.startLeecher(QStringLiteral("leecher-late"), f.path(QStringLiteral("download-late")),
                       {QStringLiteral("--exit-when-done")});
    QVERIFY2(late, qPrintable(f.error()));
    QVERIFY2(late->waitForExit(90000), "the late leecher did not finish within 90 s");
    QVERIFY2(late->exitedNormally() && late->exitCode() == 0, qPrintable(late->status()));
    QVERIFY2(f.isIdenticalIn(f.path(QStringLiteral("download-late"))), "the late leecher's file differs");
    for (int i = 0; i < kLeechers; ++i) {
        QVERIFY2(leechers[i]->waitForLine(ChildProcess::Channel::Err, kDone, 90000),
                 qPrintable(leechers[i]->status()));
        QVERIFY2(f.isIdenticalIn(f.path(QStringLiteral("download-%1").arg(i + 1))),
                 qPrintable(QStringLiteral("leecher %1's file differs").arg(i + 1)));
    }
    qInfo(
        "tracker down %.1f s; the leechers' progress went on by %d percentage points (summed) meanwhile; all "
        "%d peers announced to the new tracker %.1f s after it started; the late leecher completed; every "
        "file byte-identical",
        downMs / 1000.0, progressWhileDown, 1 + kLeechers, reannounceMs / 1000.0);
    QVERIFY2(progressWhileDown > 0, "no leecher made progress while the tracker was down");
    const QString sanitizers = f.finish();
    QVERIFY2(sanitizers.isEmpty(), qPrintable(sanitizers));
}

QTEST_GUILESS_MAIN(TrackerRestartTest)
#include "tst_trackerrestart.moc"
