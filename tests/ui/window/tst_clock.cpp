// The lab's clock in the window, driven through the real window and a real lab: a simulated lab's demo
// that stops dead on Pause (not one more byte, not one more millisecond of lab time), steps by exactly the
// step, and changes speed; a real-time lab whose speed and step are greyed with the reason and whose Pause
// pauses every peer; the clock that changes only while the lab holds no torrent; and `--time` / `--seed` on
// the command line.
#include "charts/ChartsPanel.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/PeerSelection.h"
#include "window/ClockBar.h"
#include "window/MainWindow.h"

#include "WindowDriver.h"

#include "swarm/SwarmLab.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

qint64 bytesMoved(const SwarmSnapshotPtr& s) {
    qint64 total = 0;
    for (const LabPeerSnapshot& p : s->peers)
        total += p.downloaded + p.uploaded + p.wasted;
    return total;
}

QString clockLabel(MainWindow& window) {
    return window.clockBar()->findChild<QLabel*>(QStringLiteral("labClock"))->text();
}

// Waits for a snapshot assembled after this call (snapshots keep coming while the clock stands still).
SwarmSnapshotPtr nextSnapshot(MainWindow& window) {
    QSignalSpy spy(window.controller(), &LabController::snapshotReady);
    if (!spy.wait(5000))
        return {};
    return window.currentSnapshot();
}

} // namespace

class TestClock : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void simulatedDemo_pauseStopsEverything_stepIsExact_speedPaces() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 7;
        MainWindow window(config);
        window.show();
        ClockBar* clock = window.clockBar();
        QVERIFY(clock->simulatedTimeAction()->isChecked());
        QVERIFY(clock->speedBox()->isEnabled());
        QVERIFY(startDemoAndWait(window, slowDemo(4)));
        QVERIFY(clockLabel(window).contains(QStringLiteral("simulated, seed 7")));
        // The clock runs at 1x from the start: bytes flow.
        QVERIFY(QTest::qWaitFor([&]() { return bytesMoved(window.currentSnapshot()) > 256 * 1024; }, 20000));

        QVERIFY(!clock->stepAction()->isEnabled()); // a running clock cannot be stepped
        // A slow-motion demo: about a minute of wall time.
        QCOMPARE(window.controller()->lab()->speed(), LabController::demoSpeed(slowDemo(4)));
        QVERIFY(clock->speedBox()->currentData().toDouble() == window.controller()->lab()->speed());
        // Space, with no peer selected, pauses the lab.
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.selection()->setPeers({});
        auto* pieceMap = window.findChild<PieceMapWidget*>();
        pieceMap->setFocus();
        QTest::keyClick(pieceMap, Qt::Key_Space);
        QVERIFY(window.controller()->lab()->isPausedAll());
        QVERIFY(clock->stepAction()->isEnabled());
        // The pause takes effect on the workers' clock: the first snapshot after it holds still from then on.
        QVERIFY(
            QTest::qWaitFor([&]() { return clockLabel(window).endsWith(QStringLiteral("paused")); }, 5000));
        nextSnapshot(window);
        const SwarmSnapshotPtr paused = nextSnapshot(window);
        QVERIFY(paused);
        QTest::qWait(1500);
        const SwarmSnapshotPtr later = nextSnapshot(window);
        QVERIFY(later && later->sequence > paused->sequence);
        QCOMPARE(later->timeMs, paused->timeMs);
        QCOMPARE(bytesMoved(later), bytesMoved(paused));
        for (const LabPeerSnapshot& p : later->peers)
            QCOMPARE(p.have.count(), paused->peer(p.id)->have.count());

        // A step of 1 s advances lab time by exactly 1 s and stays paused.
        clock->setStepMs(1000);
        QVERIFY(clock->stepAction()->text().contains(QStringLiteral("1 s")));
        clock->stepAction()->trigger();
        QVERIFY(QTest::qWaitFor(
            [&]() {
                const SwarmSnapshotPtr s = window.currentSnapshot();
                return s && s->timeMs == paused->timeMs + 1000;
            },
            5000));
        QTest::qWait(500);
        QCOMPARE(nextSnapshot(window)->timeMs, paused->timeMs + 1000);
        QVERIFY(window.controller()->lab()->isPausedAll());

        // Speed: picked in the box, applied to the lab; Run starts the clock again.
        const int half = clock->speedBox()->findData(0.5);
        QVERIFY(half >= 0);
        clock->speedBox()->setCurrentIndex(half);
        emit clock->speedBox()->activated(half);
        QCOMPARE(window.controller()->lab()->speed(), 0.5);
        clock->pauseAction()->trigger();
        QVERIFY(!window.controller()->lab()->isPausedAll());
        QVERIFY(QTest::qWaitFor([&]() { return window.currentSnapshot()->timeMs > paused->timeMs + 1300; },
                                10000));
        QVERIFY(clockLabel(window).contains(QStringLiteral("0.5\u00d7")));
        // No choosing another clock while the demo's torrent is in the lab.
        QVERIFY(!clock->realTimeAction()->isEnabled());
    }

    // The first user's trial: every peer capped at 20 KiB/s, and the upload chart ran at 1.5-2x the download,
    // above the sum of the caps. In simulated time at 10x, the charted upload and download agree within the
    // bytes in flight, and neither beats the sum of the upload caps. With SWARMSCOPE_SCREENSHOT_DIR set, the
    // window is saved there as clock-20kibps.png, paused mid-run.
    void twentyKiBPerSecond_chartsShowUploadEqualToDownload_belowTheCaps() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 20;
        MainWindow window(config);
        window.show();
        DemoSettings demo;
        demo.fileSize = 2 * 1024 * 1024;
        demo.pieceLength = 32 * 1024;
        demo.leechers = 8;
        demo.seederUploadRate = 20 * 1024;
        demo.leecherUploadRate = 20 * 1024;
        QVERIFY(startDemoAndWait(window, demo));
        QVERIFY(window.clockBar()->setSpeed(10.0));
        auto* charts = window.findChild<ChartsPanel*>();
        QVERIFY(charts);
        // 40 s of lab time: the seeder's first pieces have spread and every peer uploads.
        QVERIFY(QTest::qWaitFor([&]() { return window.currentSnapshot()->timeMs > 40000; }, 30000));
        window.clockBar()->pauseAction()->trigger();
        QVERIFY(QTest::qWaitFor([&]() { return window.controller()->lab()->isPausedAll(); }, 5000));
        nextSnapshot(window);
        charts->refreshNow();
        const auto mean = [&](QLineSeries* series, double seconds) {
            double sum = 0;
            int n = 0;
            for (const QPointF& p : series->points())
                if (p.x() >= -seconds) {
                    sum += p.y();
                    ++n;
                }
            return n > 0 ? sum / n * charts->rateUnitBytes() : 0.0;
        };
        const double up = mean(charts->uploadSeries(), 20);
        const double down = mean(charts->downloadSeries(), 20);
        const double caps = 9 * 20 * 1024.0;
        QVERIFY2(up <= caps * 1.02 + 16 * 1024,
                 qPrintable(QStringLiteral("up %1 > caps %2").arg(up).arg(caps)));
        QVERIFY2(down <= caps * 1.02 + 16 * 1024, qPrintable(QStringLiteral("down %1").arg(down)));
        // What crossed a link arrives: over 20 s they differ by at most the blocks in flight (one 16 KiB
        // block per connection at most here, i.e. well under a fifth of the caps per second).
        QVERIFY2(std::abs(up - down) <= 0.1 * caps,
                 qPrintable(QStringLiteral("up %1 down %2").arg(up).arg(down)));
        // And the swarm is moving data. (A swarm this slow uses under half its upload overall: each 32 KiB
        // piece takes 1.6 s at 20 KiB/s before it can be passed on. Sending whole pieces in turn finishes it
        // 1.7 times sooner than sharing every link block by block, and moves its busiest stretch earlier.)
        QVERIFY2(up > 0.3 * caps, qPrintable(QStringLiteral("up %1 caps %2").arg(up).arg(caps)));
        const QString shots = qEnvironmentVariable("SWARMSCOPE_SCREENSHOT_DIR");
        if (!shots.isEmpty())
            QVERIFY(window.grab().save(QDir(shots).filePath(QStringLiteral("clock-20kibps.png")), "PNG"));
    }

    void realTime_speedAndStepAreGreyedWithTheReason_pausePausesEveryPeer() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        ClockBar* clock = window.clockBar();
        QVERIFY(clock->realTimeAction()->isChecked());
        QVERIFY(!clock->speedBox()->isEnabled());
        QVERIFY(!clock->stepAction()->isEnabled());
        const QString reason = window.controller()->lab()->clockControlUnavailableReason();
        QVERIFY(!reason.isEmpty());
        QVERIFY(clock->speedBox()->toolTip().contains(reason));
        QVERIFY(clock->stepAction()->toolTip().contains(reason));
        QVERIFY(!clock->setSpeed(2.0));
        QVERIFY(!clock->step());

        QVERIFY(startDemoAndWait(window, slowDemo(3)));
        clock->pauseAction()->trigger();
        QVERIFY(QTest::qWaitFor(
            [&]() {
                for (const LabPeerSnapshot& p : window.currentSnapshot()->peers)
                    if (p.state != LabPeerState::Paused)
                        return false;
                return true;
            },
            5000));
        QVERIFY(clockLabel(window).contains(QStringLiteral("every peer paused")));
        clock->pauseAction()->trigger();
        QVERIFY(QTest::qWaitFor(
            [&]() {
                for (const LabPeerSnapshot& p : window.currentSnapshot()->peers)
                    if (p.state == LabPeerState::Paused)
                        return false;
                return true;
            },
            5000));
    }

    void theClockChangesOnlyWhileTheLabIsEmpty() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        ClockBar* clock = window.clockBar();
        QSignalSpy replaced(window.controller(), &LabController::labReplaced);
        clock->simulatedTimeAction()->trigger();
        QCOMPARE(window.controller()->timeMode(), TimeMode::Simulated);
        QCOMPARE(replaced.size(), 1);
        QVERIFY(window.controller()->lab()->controlsClock());
        QVERIFY(clock->simulatedTimeAction()->isChecked());
        QVERIFY(clock->speedBox()->isEnabled());
        // Its tracker comes up on the simulated network, and a demo runs on it.
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        QVERIFY(!clock->realTimeAction()->isEnabled());
        QVERIFY(clock->realTimeAction()->toolTip().contains(QStringLiteral("holds no torrent")));
        // Closing the torrent empties the lab; the clock may then change back.
        QVERIFY(window.closeTorrent(window.controller()->activeTorrent(), false));
        QVERIFY(QTest::qWaitFor([&]() { return clock->realTimeAction()->isEnabled(); }, 10000));
        clock->realTimeAction()->trigger();
        QCOMPARE(window.controller()->timeMode(), TimeMode::Real);
        QVERIFY(!clock->speedBox()->isEnabled());
    }

    void commandLine_timeAndSeed_badValuesExitTwo_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("time") << QStringList{QStringLiteral("--time"), QStringLiteral("virtual")}
                              << QStringLiteral("'virtual' is not real or simulated (--time)");
        QTest::newRow("seed zero") << QStringList{QStringLiteral("--time"), QStringLiteral("simulated"),
                                                  QStringLiteral("--seed"), QStringLiteral("0")}
                                   << QStringLiteral("'0' is not a seed from 1 to 4294967295 (--seed)");
        QTest::newRow("seed text") << QStringList{QStringLiteral("--seed"), QStringLiteral("x")}
                                   << QStringLiteral("'x' is not a seed from 1 to 4294967295 (--seed)");
    }

    void commandLine_timeAndSeed_badValuesExitTwo() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QProcess gui;
        gui.start(qEnvironmentVariable("SWARMSCOPE_EXECUTABLE"), args);
        QVERIFY(gui.waitForFinished(20000));
        QCOMPARE(gui.exitCode(), 2);
        QVERIFY2(QString::fromUtf8(gui.readAllStandardError()).contains(message),
                 qPrintable(QString::fromUtf8(gui.readAllStandardError())));
    }

    void commandLine_simulatedDemoScreenshot() {
        QTemporaryDir dir;
        const QString png = dir.filePath(QStringLiteral("sim.png"));
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
        gui.setProcessEnvironment(env);
        gui.start(qEnvironmentVariable("SWARMSCOPE_EXECUTABLE"),
                  {QStringLiteral("--demo"), QStringLiteral("--time"), QStringLiteral("simulated"),
                   QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--screenshot"), png,
                   QStringLiteral("--after"), QStringLiteral("3")});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 0);
        QVERIFY(QImage(png).width() > 0);
    }
};

QTEST_MAIN(TestClock)
#include "tst_clock.moc"
