// The compare view, driven as a user does with real labs in simulated time: rarest-first against random on
// a small swarm, both runs complete and are verified, paused they stand at the same lab time, the second
// run's peers really pick at random, each reports its last leecher against the Kumar–Ross bound; a value out
// of range is refused with the reason; the main window's View and Experiments menus open it set up as the
// experiment says.
#include "compare/CompareClock.h"
#include "compare/CompareCompletionChart.h"
#include "compare/CompareRunPane.h"
#include "compare/CompareSetup.h"
#include "compare/CompareWindow.h"
#include "piecemap/PieceMapWidget.h"
#include "window/MainWindow.h"

#include "scenario/Experiment.h"
#include "scenario/ScenarioRun.h"
#include "swarm/SwarmLab.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>

using namespace swarmscope;
using namespace swarmscope::ui;

namespace {

// 1 MiB in 32 KiB pieces, one seeder and four leechers: the demo's links, small enough to run in a moment.
CompareSetup smallPickerSetup() {
    DemoSettings demo;
    demo.fileSize = 1024 * 1024;
    demo.pieceLength = 32 * 1024;
    demo.leechers = 4;
    CompareSetup s;
    s.base = demoScenario(demo);
    s.baseName = QStringLiteral("a small swarm");
    s.setting = VariantSetting::Picker;
    s.valueA = QStringLiteral("rarest-first");
    s.valueB = QStringLiteral("random");
    return s;
}

QList<const LabPeerSnapshot*> leechersOf(const SwarmSnapshotPtr& s) {
    QList<const LabPeerSnapshot*> out;
    if (s)
        for (const LabPeerSnapshot& p : s->peers)
            if (p.role == TorrentRole::Leecher)
                out.append(&p);
    return out;
}

QString scenarioDir() {
    return QStringLiteral(SWARMSCOPE_SOURCE_DIR "/resources/scenarios");
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void rarestVsRandom_bothCompleteInStep() {
        CompareWindow window;
        window.show();
        window.setSpeed(0); // fastest
        QVERIFY2(window.start(smallPickerSetup()), qPrintable(window.errorText()));
        ScenarioRun* a = window.run(0);
        ScenarioRun* b = window.run(1);
        QVERIFY(a && b);
        QCOMPARE(a->seed(), b->seed());
        QVERIFY(window.differenceText().contains(QStringLiteral("piece picker")));
        QVERIFY(window.differenceText().contains(QStringLiteral("rarest-first")));
        QVERIFY(window.differenceText().contains(QStringLiteral("random")));
        QVERIFY(window.pane(0)->headerText().contains(QStringLiteral("rarest-first")));
        QVERIFY(window.pane(1)->headerText().contains(QStringLiteral("random")));

        // Paused early, the two labs stand at the very same instant, and the leechers are there.
        QTRY_VERIFY_WITH_TIMEOUT(window.clock()->labMs() > 0, 20000);
        window.pause();
        QTRY_VERIFY_WITH_TIMEOUT(window.clock()->isSettled(), 20000);
        QCOMPARE(a->lab()->nowMs(), b->lab()->nowMs());
        QVERIFY(a->lab()->nowMs() > 0);
        const qint64 pausedAt = a->lab()->nowMs();
        QTest::qWait(300);
        QCOMPARE(a->lab()->nowMs(), pausedAt);
        QCOMPARE(b->lab()->nowMs(), pausedAt);

        // The one difference is applied: every peer of run B picks at random, every peer of run A rarest
        // first.
        QTRY_COMPARE_WITH_TIMEOUT(leechersOf(b->lab()->lastSnapshot()).size(), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(leechersOf(a->lab()->lastSnapshot()).size(), 4, 10000);
        for (const LabPeerSnapshot* p : leechersOf(b->lab()->lastSnapshot()))
            QCOMPARE(p->strategy, PickerStrategy::Random);
        for (const LabPeerSnapshot* p : leechersOf(a->lab()->lastSnapshot()))
            QCOMPARE(p->strategy, PickerStrategy::RarestFirst);

        QSignalSpy finished(&window, &CompareWindow::finished);
        window.run();
        QVERIFY(window.clock()->isRunning());
        // While running, the two labs are never more than one step of the shared clock apart.
        qint64 widestGap = 0;
        QTimer watch;
        connect(&watch, &QTimer::timeout, this,
                [&]() { widestGap = std::max(widestGap, std::abs(a->lab()->nowMs() - b->lab()->nowMs())); });
        watch.start(2);
        QVERIFY(finished.wait(120000));
        watch.stop();
        QVERIFY2(widestGap <= CompareClock::quantumMs(0), qPrintable(QString::number(widestGap)));
        QVERIFY(window.clock()->isDone());
        for (ScenarioRun* run : {a, b}) {
            QCOMPARE(run->result().stopReason, ScenarioStopReason::LeechersComplete);
            QCOMPARE(run->result().completedLeechers(), 4);
            QVERIFY(run->result().verified());
        }
        for (int i = 0; i < 2; ++i) {
            const double ratio = window.pane(i)->ratio();
            QVERIFY2(std::isfinite(ratio) && ratio > 0.9, qPrintable(QString::number(ratio)));
            QVERIFY(window.pane(i)->statusText().contains(QString::number(ratio, 'f', 2)));
            QVERIFY(window.pane(i)->statusText().contains(QStringLiteral("Kumar–Ross")));
        }
        // The clock stops once both are done, both labs at one instant past the last completion.
        QTRY_VERIFY_WITH_TIMEOUT(window.clock()->isSettled(), 20000);
        QCOMPARE(a->lab()->nowMs(), b->lab()->nowMs());
        qint64 lastCompletion = 0;
        for (ScenarioRun* run : {a, b})
            for (const ScenarioPeer* p : run->result().leechers())
                lastCompletion = std::max(lastCompletion, p->completedAtMs);
        QVERIFY(a->lab()->nowMs() >= lastCompletion);

        // The chart has every completion of both runs, on one time axis that spans them.
        QTRY_COMPARE_WITH_TIMEOUT(window.chart()->completionTimes(0).size(), 4, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.chart()->completionTimes(1).size(), 4, 5000);
        QVERIFY(window.chart()->xMaxSeconds() * 1000 >= lastCompletion);
        QCOMPARE(window.chart()->leecherCount(0), 4);
    }

    void outOfRangeValue_isRefusedWithTheReason() {
        CompareWindow window;
        CompareSetup s = smallPickerSetup();
        s.setting = VariantSetting::Latency;
        s.valueA = QStringLiteral("20ms");
        s.valueB = QStringLiteral("2min");
        QVERIFY(!window.start(s));
        QVERIFY2(window.errorText().contains(QStringLiteral("'2min'")), qPrintable(window.errorText()));
        QVERIFY(!window.run(0));
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("compareError"))->text().contains(u"latency"));
    }

    void experiments_mapOntoOneSetting() {
        QString error;
        const std::optional<CompareSetup> picker =
            experimentCompareSetup(QStringLiteral("rarest-vs-random"), scenarioDir(), &error);
        QVERIFY2(picker, qPrintable(error));
        QCOMPARE(picker->setting, VariantSetting::Picker);
        const auto pair = compareScenarios(*picker, &error);
        QVERIFY2(pair, qPrintable(error));
        for (const ScenarioGroup& g : pair->first.groups)
            QCOMPARE(g.picker, PickerStrategy::RarestFirst);
        for (const ScenarioGroup& g : pair->second.groups)
            QCOMPARE(g.picker, PickerStrategy::Random);

        const std::optional<CompareSetup> choker =
            experimentCompareSetup(QStringLiteral("free-riders"), scenarioDir(), &error);
        QVERIFY2(choker, qPrintable(error));
        QCOMPARE(choker->setting, VariantSetting::Choker);
        const auto chokerPair = compareScenarios(*choker, &error);
        QVERIFY(chokerPair);
        for (const ScenarioGroup& g : chokerPair->second.groups)
            QVERIFY(!g.choker);

        QVERIFY(!experimentFitsCompare(QStringLiteral("flash-crowd-bound")));
        QVERIFY(!experimentCompareSetup(QStringLiteral("seeder-departure"), scenarioDir(), &error));
        QVERIFY(!error.isEmpty());
    }

    void mainWindow_menusOpenTheCompareView() {
        QTemporaryDir dir;
        SwarmLabConfig config;
        config.labDir = dir.filePath(QStringLiteral("lab"));
        MainWindow window(config);
        window.show();
        auto* experiments = window.findChild<QMenu*>(QStringLiteral("experimentsMenu"));
        QVERIFY(experiments);
        QCOMPARE(experiments->actions().size(), experimentList().size());
        for (const ExperimentInfo& info : experimentList())
            QVERIFY(window.findChild<QAction*>(QStringLiteral("experiment-%1").arg(info.name)));
        auto* compare = window.findChild<QAction*>(QStringLiteral("compareAction"));
        QVERIFY(compare);
        QVERIFY(!window.compareWindow());
        compare->trigger();
        QVERIFY(window.compareWindow());
        QVERIFY(window.compareWindow()->isVisible());
        QVERIFY(window.compareWindow()->isWindow());
        // Again: the same window, not a second one.
        CompareWindow* first = window.compareWindow();
        compare->trigger();
        QCOMPARE(window.compareWindow(), first);

        // Closing the view stops its clock.
        DemoSettings tiny;
        tiny.fileSize = 512 * 1024;
        tiny.pieceLength = 32 * 1024;
        tiny.leechers = 2;
        CompareSetup s = smallPickerSetup();
        s.base = demoScenario(tiny);
        QVERIFY(first->start(s));
        QVERIFY(first->clock()->isRunning());
        first->close();
        QVERIFY(!first->clock()->isRunning());
    }

    // A picture of the view for the docs: SWARMSCOPE_COMPARE_SCREENSHOT=FILE.png, the demo set-up,
    // rarest-first against random (or SWARMSCOPE_COMPARE_EXPERIMENT's); SWARMSCOPE_COMPARE_AT=SECONDS pauses
    // there (default: both finished).
    void screenshot() {
        const QString path = qEnvironmentVariable("SWARMSCOPE_COMPARE_SCREENSHOT");
        if (path.isEmpty())
            QSKIP("set SWARMSCOPE_COMPARE_SCREENSHOT to take the picture");
        CompareWindow window;
        window.resize(1440, 900);
        window.show();
        // SWARMSCOPE_COMPARE_SPEED: the clock's speed (default: as fast as possible).
        window.setSpeed(qEnvironmentVariable("SWARMSCOPE_COMPARE_SPEED").toDouble());
        CompareSetup s;
        s.base = demoScenario();
        s.baseName = QStringLiteral("the demo set-up");
        s.setting = VariantSetting::Picker;
        s.valueA = QStringLiteral("rarest-first");
        s.valueB = QStringLiteral("random");
        // SWARMSCOPE_COMPARE_EXPERIMENT=NAME: that experiment's comparison instead.
        if (const QString name = qEnvironmentVariable("SWARMSCOPE_COMPARE_EXPERIMENT"); !name.isEmpty()) {
            QString error;
            const std::optional<CompareSetup> e = experimentCompareSetup(name, scenarioDir(), &error);
            QVERIFY2(e, qPrintable(error));
            s = *e;
        }
        QVERIFY(window.start(s));
        const double at = qEnvironmentVariable("SWARMSCOPE_COMPARE_AT").toDouble();
        if (at > 0) {
            QTRY_VERIFY_WITH_TIMEOUT(window.clock()->labMs() >= at * 1000, 120000);
            window.pause();
            QTRY_VERIFY_WITH_TIMEOUT(window.clock()->isSettled(), 20000);
        } else {
            QSignalSpy finished(&window, &CompareWindow::finished);
            QVERIFY(finished.wait(300000));
            QTRY_VERIFY_WITH_TIMEOUT(window.clock()->isSettled(), 20000);
        }
        QTest::qWait(600); // a snapshot or two of the final instant
        QVERIFY(window.grab().save(path, "PNG"));
    }
};

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
