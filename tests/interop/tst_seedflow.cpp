// DESIGN.md's seed flow, end to end with three of our processes: `swarmscope tracker`; `swarmscope peer
// --role seeder --file sample.txt` hashes the file, publishes the torrent to the tracker's catalogue and
// seeds; `swarmscope peer --role leecher --file sample.txt --exit-when-done` fetches the torrent by name and
// downloads it. Then SIGTERM stops the seeder cleanly: exit code 0 and a "stopped" announce, after which
// the tracker's scrape no longer counts it. A second test checks the tracker heard the leecher's
// "completed" (BEP 3) although --exit-when-done stops it at that very moment.

#include "InteropLab.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::interop;

namespace {

struct SeedFlow {
    QString announceUrl;
    QByteArray infoHash; // 20 raw bytes, from the seeder's "info-hash:" line
    QByteArray text;     // sample.txt's bytes
    ChildProcess* seeder = nullptr;
};

} // namespace

class SeedFlowTest : public QObject {
    Q_OBJECT
private slots:
    void seedFlow_leecherFetchesByNameThenSeederLeavesOnSigterm();
    void exitWhenDone_trackerHearsCompletedBeforeStopped();

private:
    // Tracker and seeder of sample.txt (a text file of a little over 1.5 MiB), until the tracker lists the
    // seeder. Fails the test (check QTest::currentTestFailed()) when a step does not happen.
    void startTrackerAndSeeder(InteropLab& lab, SeedFlow& flow);
    ChildProcess* startLeecher(InteropLab& lab, const SeedFlow& flow, const QString& outDir);
};

void SeedFlowTest::startTrackerAndSeeder(InteropLab& lab, SeedFlow& flow) {
    QVERIFY(lab.isValid());
    QVERIFY2(lab.startOurTracker(QStringLiteral("tracker"), &flow.announceUrl), qPrintable(lab.error()));

    const QString seedDir = lab.makeDir(QStringLiteral("seed"));
    for (int line = 0; flow.text.size() < 1'600'000; ++line)
        flow.text += "line " + QByteArray::number(line) + ": the quick brown fox jumps over the lazy dog\n";
    QFile sample(seedDir + QStringLiteral("/sample.txt"));
    QVERIFY(sample.open(QIODevice::WriteOnly));
    QCOMPARE(sample.write(flow.text), flow.text.size());
    sample.close();

    // Run from the file's folder with the bare name, as a user would type it.
    flow.seeder =
        lab.startOurPeer(QStringLiteral("seeder"),
                         {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--file"),
                          QStringLiteral("sample.txt"), QStringLiteral("--tracker"), flow.announceUrl,
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")},
                         seedDir);
    QVERIFY2(flow.seeder, qPrintable(lab.error()));
    QVERIFY2(lab.waitUntilSeeding(*flow.seeder, 30000), qPrintable(lab.error()));
    const QRegularExpression hashLine(QStringLiteral("^info-hash: ([0-9a-f]{40})$"));
    const std::optional<QByteArray> line =
        flow.seeder->waitForLine(ChildProcess::Channel::Out, hashLine, 1000);
    QVERIFY2(line, qPrintable(flow.seeder->status()));
    flow.infoHash = QByteArray::fromHex(hashLine.match(QString::fromUtf8(*line)).captured(1).toLatin1());
    QVERIFY2(flow.seeder->output(ChildProcess::Channel::Err).contains("published sample.txt"),
             qPrintable(flow.seeder->status()));
    QString scraped;
    QVERIFY2(waitForScrape(
                 flow.announceUrl, flow.infoHash, [](const ScrapeCounts& c) { return c.complete == 1; },
                 10000, &scraped),
             qPrintable(QStringLiteral("the tracker never listed the seeder: ") + scraped));
}

ChildProcess* SeedFlowTest::startLeecher(InteropLab& lab, const SeedFlow& flow, const QString& outDir) {
    return lab.startOurPeer(QStringLiteral("leecher"),
                            {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--file"),
                             QStringLiteral("sample.txt"), QStringLiteral("--dir"), outDir,
                             QStringLiteral("--tracker"), flow.announceUrl, QStringLiteral("--listen"),
                             QStringLiteral("127.0.0.1:0"), QStringLiteral("--exit-when-done")});
}

void SeedFlowTest::seedFlow_leecherFetchesByNameThenSeederLeavesOnSigterm() {
    InteropLab lab;
    SeedFlow flow;
    startTrackerAndSeeder(lab, flow);
    if (QTest::currentTestFailed())
        return;

    const QString outDir = lab.path(QStringLiteral("download"));
    QElapsedTimer clock;
    clock.start();
    ChildProcess* leecher = startLeecher(lab, flow, outDir);
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(60000), "the leecher did not finish in 60 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    qInfo("the leecher fetched sample.txt by name and downloaded it in %.2f s (process start to exit)",
          clock.elapsed() / 1000.0);
    QVERIFY2(leecher->output(ChildProcess::Channel::Out)
                 .contains(QByteArray(QByteArray("info-hash: ") + flow.infoHash.toHex())),
             qPrintable(leecher->status()));
    QVERIFY(testsupport::readAll(outDir + QStringLiteral("/sample.txt")) == flow.text);

    // The leecher said "stopped" on its way out.
    QString scraped;
    QVERIFY2(waitForScrape(
                 flow.announceUrl, flow.infoHash,
                 [](const ScrapeCounts& c) { return c.complete == 1 && c.incomplete == 0; }, 5000, &scraped),
             qPrintable(QStringLiteral("after the leecher left: ") + scraped));

    QElapsedTimer stopping;
    stopping.start();
    flow.seeder->terminate();
    QVERIFY2(flow.seeder->waitForExit(15000), "the seeder did not stop within 15 s of SIGTERM");
    QVERIFY2(flow.seeder->exitedNormally() && flow.seeder->exitCode() == 0,
             qPrintable(flow.seeder->status()));
    qInfo("the seeder stopped %.2f s after SIGTERM", stopping.elapsed() / 1000.0);
    // It said "stopped" before it went, so the tracker drops it now, not two intervals later.
    QVERIFY2(waitForScrape(
                 flow.announceUrl, flow.infoHash,
                 [](const ScrapeCounts& c) { return c.complete == 0 && c.incomplete == 0; }, 2000, &scraped),
             qPrintable(QStringLiteral("after SIGTERM the tracker still counts the seeder: ") + scraped));
}

void SeedFlowTest::exitWhenDone_trackerHearsCompletedBeforeStopped() {
    InteropLab lab;
    SeedFlow flow;
    startTrackerAndSeeder(lab, flow);
    if (QTest::currentTestFailed())
        return;
    const QString outDir = lab.path(QStringLiteral("download"));
    ChildProcess* leecher = startLeecher(lab, flow, outDir);
    QVERIFY2(leecher, qPrintable(lab.error()));
    QVERIFY2(leecher->waitForExit(60000), "the leecher did not finish in 60 s");
    QVERIFY2(leecher->exitedNormally() && leecher->exitCode() == 0, qPrintable(leecher->status()));
    QVERIFY(testsupport::readAll(outDir + QStringLiteral("/sample.txt")) == flow.text);

    // BEP 3: a client that finishes announces "completed"; the tracker counts it in scrape's "downloaded".
    // A leecher that exits once done must still send it, before its "stopped".
    QString scraped;
    QVERIFY2(waitForScrape(
                 flow.announceUrl, flow.infoHash,
                 [](const ScrapeCounts& c) { return c.incomplete == 0 && c.downloaded == 1; }, 5000,
                 &scraped),
             qPrintable(QStringLiteral("the tracker never heard the leecher's \"completed\": ") + scraped));
}

QTEST_GUILESS_MAIN(SeedFlowTest)
#include "tst_seedflow.moc"
