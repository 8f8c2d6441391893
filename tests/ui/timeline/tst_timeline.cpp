// The timeline under the views and recordings, driven through the real window and a real simulated lab:
// moving the timeline shows every view the moment recorded there, and Live returns; control changes are
// marked on the timeline and the charts and listed in the event log; a saved recording reopens identical,
// with every peer action greyed; `--replay FILE --at S --screenshot` renders that moment; and `swarm
// --record` writes what the window replays.
#include "charts/ChartsPanel.h"
#include "inspector/EventLogModel.h"
#include "matrix/TransferMatrixWidget.h"
#include "piecemap/PieceMapWidget.h"
#include "timeline/TimelineBar.h"
#include "window/ClockBar.h"
#include "window/MainWindow.h"
#include "window/PeerActions.h"

#include "WindowDriver.h"

#include "record/Recording.h"
#include "swarm/SwarmLab.h"

#include <QAction>
#include <QImage>
#include <QLineSeries>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

QString executable() {
    return qEnvironmentVariable("SWARMSCOPE_EXECUTABLE");
}

QHash<int, int> pieceCounts(const SwarmSnapshot& s) {
    QHash<int, int> counts;
    for (const LabPeerSnapshot& p : s.peers)
        counts.insert(p.id, p.have.count());
    return counts;
}

// A simulated demo run to its end and paused there.
bool runDemoToTheEnd(MainWindow& window) {
    if (!startDemoAndWait(window, slowDemo(4)))
        return false;
    window.controller()->lab()->setSpeed(20);
    if (!QTest::qWaitFor([&]() { return everyPeerShownComplete(window, 5); }, 60000))
        return false;
    window.clockBar()->pauseAction()->trigger();
    return window.controller()->lab()->isPausedAll();
}

QStringList logSentences(MainWindow& window) {
    QStringList sentences;
    for (EventLogModel* model : window.findChildren<EventLogModel*>())
        for (int row = 0; row < model->rowCount(); ++row)
            sentences << EventLogModel::sentence(model->eventAt(row));
    return sentences;
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    // Scrubbing to t shows the piece counts recorded at t in every view that reads the snapshot, the charts
    // end at t, and Live returns to the newest moment.
    void scrubbing_showsTheMomentRecordedThere_liveReturns() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 11;
        MainWindow window(config);
        window.show();
        // What the lab showed, snapshot by snapshot, as the window received it.
        QList<SwarmSnapshotPtr> seen;
        connect(window.controller(), &LabController::snapshotReady, this,
                [&](const SwarmSnapshotPtr& s) { seen.append(s); });
        QVERIFY(runDemoToTheEnd(window));
        TimelineBar* timeline = window.timeline();
        QVERIFY(timeline->isLive());
        const Recording& recording = window.controller()->recording();
        QVERIFY(recording.frameCount() > 20);
        QCOMPARE(timeline->endMs(), recording.endMs());

        // Halfway through, where the leechers were downloading.
        const qint64 half = recording.endMs() / 2;
        TimelineTrack* track = timeline->track();
        QTest::mouseClick(track, Qt::LeftButton, {}, QPoint(track->xOf(half), track->height() / 2));
        QVERIFY(window.isShowingPast());
        QVERIFY(!timeline->isLive());
        QVERIFY(timeline->liveButton()->isEnabled());
        const qint64 at = window.momentMs();
        QVERIFY(qAbs(at - half) <= (recording.endMs() / qMax(1, track->width())) + 100);
        const SwarmSnapshotPtr shown = window.currentSnapshot();
        QVERIFY(shown);
        // The recorded frame at or before t, which is the lab's snapshot of that instant.
        const qint64 frameTime = recording.frameTimeMs(recording.frameAt(at));
        QCOMPARE(shown->timeMs, frameTime);
        SwarmSnapshotPtr then;
        for (const SwarmSnapshotPtr& s : std::as_const(seen))
            if (s->timeMs <= frameTime && (!then || s->timeMs >= then->timeMs))
                then = s;
        QVERIFY(then);
        QCOMPARE(pieceCounts(*shown), pieceCounts(*then));
        int partial = 0;
        for (const LabPeerSnapshot& p : shown->peers)
            partial += p.role == TorrentRole::Leecher && !p.isComplete() ? 1 : 0;
        QVERIFY2(partial > 0, "halfway, some leecher is still downloading");
        // The piece map draws that snapshot, the charts end there, the matrix sums up to there.
        auto* pieceMap = window.findChild<PieceMapWidget*>();
        QCOMPARE(pieceMap->snapshot()->timeMs, frameTime);
        auto* charts = window.findChild<ChartsPanel*>();
        QVERIFY(charts->isShowingMoment());
        charts->refreshNow();
        QVERIFY(charts->downloadSeries()->count() > 0);
        QCOMPARE(charts->downloadSeries()->at(charts->downloadSeries()->count() - 1).x(), 0.0);
        auto* matrix = window.findChild<TransferMatrixWidget*>();
        QVERIFY(QTest::qWaitFor([&]() { return matrix->isShowingPast(); }, 3000));
        QVERIFY(matrix->matrix().total() > 0);
        QVERIFY(matrix->matrix().nowMs() <= frameTime);
        // Keys move it: End is the last moment.
        track->setFocus();
        QTest::keyClick(track, Qt::Key_Home);
        QCOMPARE(window.momentMs(), recording.startMs());
        QTest::keyClick(track, Qt::Key_End);
        QCOMPARE(window.momentMs(), recording.endMs());

        // Live: the newest moment again, followed.
        QTest::mouseClick(timeline->liveButton(), Qt::LeftButton);
        QVERIFY(!window.isShowingPast());
        QVERIFY(timeline->isLive());
        QVERIFY(!charts->isShowingMoment());
        QVERIFY(!matrix->isShowingPast());
        QCOMPARE(window.currentSnapshot(), window.controller()->snapshot());
        QVERIFY(timeline->timeText().endsWith(QStringLiteral("live")));
    }

    // Latency, caps, picker, pause and kill are marked where they happened, on the timeline and the rate
    // chart, and the event log says what the lab was told.
    void controlChanges_areMarkedAndLogged() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 12;
        MainWindow window(config);
        window.show();
        QVERIFY(startDemoAndWait(window, slowDemo(3)));
        LabController* controller = window.controller();
        const int leecher = leecherAt(window, 0);
        QVERIFY(leecher > 0);
        // A slider dragged: several latencies within a second are one marker, the last.
        controller->setLatency(0, 50, 0);
        controller->setLatency(0, 120, 0);
        controller->setLatency(0, 200, 0);
        controller->setPickerStrategy(leecher, PickerStrategy::Random);
        controller->lab()->pausePeer(leecher);
        controller->lab()->killPeer(leecherAt(window, 1));
        QVERIFY(QTest::qWaitFor([&]() { return window.timeline()->markers().size() >= 4; }, 5000));
        QStringList labels;
        for (const ChartMarker& m : window.timeline()->markers())
            labels << m.label;
        QVERIFY2(labels.contains(QStringLiteral("latency 200 ms · every peer")),
                 qPrintable(labels.join(u'|')));
        QVERIFY(!labels.contains(QStringLiteral("latency 50 ms · every peer")));
        QVERIFY(labels.contains(QStringLiteral("picker random · #%1").arg(leecher)));
        QVERIFY(labels.contains(QStringLiteral("pause · #%1").arg(leecher)));
        QVERIFY(labels.contains(QStringLiteral("kill · #%1").arg(leecherAt(window, 1))));
        auto* charts = window.findChild<ChartsPanel*>();
        QCOMPARE(charts->markers(), window.timeline()->markers());
        // Drawn once the charts' newest sample has reached the last of them (a slow build lags behind).
        QVERIFY(QTest::qWaitFor(
            [&]() {
                charts->refreshNow();
                return charts->shownMarkerCount() >= 4;
            },
            10000));
        // The event log: sentences that say what the lab was told, for whom.
        QVERIFY(QTest::qWaitFor(
            [&]() {
                const QStringList log = logSentences(window);
                return log.contains(QStringLiteral("Lab: pause for #%1").arg(leecher)) &&
                       log.contains(QStringLiteral("Lab: latency 200 ms for every peer"));
            },
            5000));
        QVERIFY(logSentences(window).contains(QStringLiteral("Lab: kill for #%1").arg(leecherAt(window, 1))));
    }

    // Save Recording, then Open Recording in another window: every frame identical, the peer actions greyed
    // (its peers do not run), the timeline with no Live to return to; a damaged file is refused.
    void savedRecording_reopensIdentical() {
        QTemporaryDir labDir;
        SwarmLabConfig config = labIn(labDir);
        config.timeMode = TimeMode::Simulated;
        config.seed = 13;
        MainWindow window(config);
        window.show();
        QVERIFY(runDemoToTheEnd(window));
        QTemporaryDir out;
        const QString path = out.filePath(QStringLiteral("class.swrec"));
        QString error;
        QVERIFY2(window.saveRecording(path, &error), qPrintable(error));
        const Recording& original = window.controller()->recording();

        QTemporaryDir otherLab;
        MainWindow replay(labIn(otherLab));
        replay.show();
        QVERIFY2(replay.openRecording(path, &error), qPrintable(error));
        QVERIFY(replay.isReplayingRecording());
        QVERIFY(replay.windowTitle().contains(QStringLiteral("class.swrec")));
        QVERIFY(!replay.timeline()->liveButton()->isEnabled());
        QVERIFY(replay.timeline()->timeText().endsWith(QStringLiteral("replay")));
        QCOMPARE(replay.timeline()->endMs(), original.endMs());
        QCOMPARE(replay.timeline()->markers(), window.timeline()->markers());
        for (QAction* action : replay.peerActions()->actions())
            if (action != replay.peerActions()->selectAllAction())
                QVERIFY2(!action->isEnabled(), qPrintable(action->text()));
        QTemporaryDir again;
        const QString copy = again.filePath(QStringLiteral("copy.swrec"));
        QVERIFY(replay.saveRecording(copy, &error));
        std::optional<Recording> a = Recording::load(path, &error);
        std::optional<Recording> b = Recording::load(copy, &error);
        QVERIFY(a && b);
        QCOMPARE(a->toBytes(), b->toBytes());
        // Every moment of the replay shows what the run showed then.
        qint64 lastShown = -1;
        for (int k = 0; k < original.frameCount(); k += 5) {
            replay.showMoment(original.frameTimeMs(k));
            const SwarmSnapshotPtr shown = replay.currentSnapshot();
            QVERIFY(shown);
            const SwarmSnapshotPtr then =
                LabController::filterSnapshot(original.snapshotAt(original.frameTimeMs(k)), 1);
            QCOMPARE(pieceCounts(*shown), pieceCounts(*then));
            lastShown = shown->timeMs;
        }
        // The live lab's snapshots do not show through while replaying.
        QTest::qWait(300);
        QCOMPARE(replay.currentSnapshot()->timeMs, lastShown);
        replay.closeRecording();
        QVERIFY(!replay.isReplayingRecording());
        QVERIFY(replay.timeline()->isLive());

        QFile bad(out.filePath(QStringLiteral("bad.swrec")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write(Recording::load(path, &error)->toBytes().left(200));
        bad.close();
        QVERIFY(!replay.openRecording(bad.fileName(), &error));
        QVERIFY2(error.contains(QStringLiteral("cut short")), qPrintable(error));
        QVERIFY(!replay.isReplayingRecording());
    }

    // The command line: `swarm --record` writes a recording; `--replay FILE --at S --screenshot` renders
    // that moment; bad input exits 2.
    void commandLine_recordsAndRendersAMoment() {
        QVERIFY2(!executable().isEmpty(), "SWARMSCOPE_EXECUTABLE is not set");
        QTemporaryDir dir;
        const QString rec = dir.filePath(QStringLiteral("run.swrec"));
        QProcess swarm;
        swarm.start(executable(),
                    {QStringLiteral("swarm"), QStringLiteral("--time"), QStringLiteral("simulated"),
                     QStringLiteral("--seed"), QStringLiteral("4"), QStringLiteral("--leechers"),
                     QStringLiteral("4"), QStringLiteral("--size"), QStringLiteral("2MiB"),
                     QStringLiteral("--up"), QStringLiteral("256KiB/s"), QStringLiteral("--record"), rec});
        QVERIFY(swarm.waitForFinished(60000));
        QCOMPARE(swarm.exitCode(), 0);
        QString error;
        std::optional<Recording> recording = Recording::load(rec, &error);
        QVERIFY2(recording, qPrintable(error));
        QCOMPARE(recording->meta().timeMode, TimeMode::Simulated);
        QCOMPARE(recording->meta().seed, 4u);
        const SwarmSnapshotPtr last = recording->snapshot(recording->frameCount() - 1);
        QCOMPARE(last->peers.size(), 5);
        for (const LabPeerSnapshot& p : last->peers)
            QVERIFY(p.isComplete());
        // Connections are recorded: the graph of a replay has its arrows.
        const SwarmSnapshotPtr mid = recording->snapshotAt(recording->endMs() / 2);
        QVERIFY(!mid->peers.front().connections.isEmpty());

        const QString png = dir.filePath(QStringLiteral("moment.png"));
        QProcess gui;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        gui.setProcessEnvironment(env);
        gui.start(executable(),
                  {QStringLiteral("--replay"), rec, QStringLiteral("--at"), QStringLiteral("3"),
                   QStringLiteral("--screenshot"), png, QStringLiteral("--after"), QStringLiteral("0.5"),
                   QStringLiteral("--size"), QStringLiteral("1280x720")});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 0);
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1280, 720));

        const auto exitOf = [&](const QStringList& args) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(executable(), args);
            p.waitForFinished(30000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardError()));
        };
        auto [code, text] = exitOf({QStringLiteral("--replay"), dir.filePath(QStringLiteral("none.swrec"))});
        QCOMPARE(code, 2);
        QVERIFY2(text.contains(QStringLiteral("cannot open")), qPrintable(text));
        std::tie(code, text) = exitOf({QStringLiteral("--replay"), png});
        QCOMPARE(code, 2);
        QVERIFY2(text.contains(QStringLiteral("not a Swarmscope recording")), qPrintable(text));
        std::tie(code, text) =
            exitOf({QStringLiteral("--replay"), rec, QStringLiteral("--at"), QStringLiteral("-1")});
        QCOMPARE(code, 2);
        std::tie(code, text) = exitOf({QStringLiteral("--at"), QStringLiteral("3")});
        QCOMPARE(code, 2);
    }
};

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
