// The window in a classroom, driven through the real window and a real lab: several peers selected and
// paused at once, a restart that comes back running, a killed peer that looks killed everywhere, the
// who-sent-what matrix against the snapshots it sums, a cap whose unit changes and whose value does not,
// Close Torrent, the event log following the shown torrent, and the notes for students.
#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "help/HelpPanel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "inspector/PeerInspector.h"
#include "matrix/TransferMatrixWidget.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/LabController.h"
#include "shared/PeerSelection.h"
#include "shared/RateEdit.h"
#include "shared/ViewExport.h"
#include "window/ControlPanel.h"
#include "window/MainWindow.h"
#include "window/PeerActions.h"

#include "WindowDriver.h"

#include "swarm/SwarmLab.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestClassroom : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init() { QSettings().clear(); }

    void selectingSeveralPeersAndPausingPausesEveryOne() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(3)));
        const int a = leecherAt(window, 0);
        const int b = leecherAt(window, 1);
        const int c = leecherAt(window, 2);
        auto* map = window.findChild<PieceMapWidget*>();
        QTRY_VERIFY(map->pieceBarRect(c).isValid());
        // Click one row, Ctrl+click another, as a user does.
        QTest::mouseClick(map->viewport(), Qt::LeftButton, {}, map->pieceBarRect(a).center());
        QTest::mouseClick(map->viewport(), Qt::LeftButton, Qt::ControlModifier,
                          map->pieceBarRect(b).center());
        QCOMPARE(window.selectedPeers(), (QList<int>{a, b}));
        // Every view shares it: the graph frames both, the toolbar names both.
        QCOMPARE(window.findChild<SwarmGraphWidget*>()->selection()->peers(), (QList<int>{a, b}));
        QVERIFY(window.findChild<QLabel*>(QStringLiteral("peerBarLabel"))
                    ->text()
                    .contains(QStringLiteral("#%1, #%2").arg(a).arg(b)));
        QAction* pause = window.peerActions()->pauseResumeAction();
        QTRY_VERIFY(pause->isEnabled());
        QCOMPARE(pause->text().remove(u'&'), QStringLiteral("Pause 2 Peers"));
        pause->trigger();
        // The lab's next snapshots: both paused, the third untouched.
        QTRY_VERIFY_WITH_TIMEOUT(
            stateOf(window, a) == LabPeerState::Paused && stateOf(window, b) == LabPeerState::Paused, 2000);
        QCOMPARE(stateOf(window, c), LabPeerState::Downloading);
        QCOMPARE(map->stateOverlayText(a), QStringLiteral("paused"));
        QTRY_COMPARE(pause->text().remove(u'&'), QStringLiteral("Resume 2 Peers"));
        pause->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(stateOf(window, a) == LabPeerState::Downloading &&
                                     stateOf(window, b) == LabPeerState::Downloading,
                                 2000);

        // Ctrl+A in the piece map selects every peer; a drag across rows selects those rows.
        map->setFocus();
        QTest::keyClick(map, Qt::Key_A, Qt::ControlModifier);
        QCOMPARE(window.selectedPeers().size(), 4);
        QTest::mousePress(map->viewport(), Qt::LeftButton, {}, map->pieceBarRect(b).center());
        QTest::mouseMove(map->viewport(), map->pieceBarRect(c).center());
        QTest::mouseRelease(map->viewport(), Qt::LeftButton, {}, map->pieceBarRect(c).center());
        QCOMPARE(window.selectedPeers(), (QList<int>{b, c}));
        window.peerActions()->killAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(
            stateOf(window, b) == LabPeerState::Stopped && stateOf(window, c) == LabPeerState::Stopped, 3000);
        QCOMPARE(stateOf(window, a), LabPeerState::Downloading);
    }

    void aPeerPausedThenKilledComesBackRunningAndLooksKilledMeanwhile() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        const int peer = leecherAt(window, 0);
        window.selectPeer(peer);
        window.peerActions()->pauseResumeAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(window, peer), LabPeerState::Paused, 2000);
        window.peerActions()->killAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(window, peer), LabPeerState::Stopped, 3000);

        // Killed looks killed in the piece map, the graph and the inspector, not finished or idle.
        auto* map = window.findChild<PieceMapWidget*>();
        auto* inspector = window.findChild<PeerInspector*>();
        QTRY_VERIFY(map->stateOverlayText(peer).startsWith(QStringLiteral("killed")));
        QTRY_VERIFY(inspector->summaryText().contains(QStringLiteral("killed")));
        auto* graph = window.findChild<SwarmGraphWidget*>();
        for (const SwarmGraphWidget::DrawnFlow& f : graph->drawnFlows())
            QVERIFY(f.rate == 0 || (f.from != peer && f.to != peer)); // nothing flows to or from it

        window.peerActions()->restartAction()->trigger();
        // Running, not paused: the GUI resumes the peer it restarts.
        QTRY_VERIFY2_WITH_TIMEOUT(stateOf(window, peer) == LabPeerState::Downloading ||
                                      stateOf(window, peer) == LabPeerState::Seeding,
                                  qPrintable(labPeerStateName(stateOf(window, peer))), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(peerIn(window, peer)->restarts, 1, 3000);
        QTest::qWait(500);
        QVERIFY(stateOf(window, peer) != LabPeerState::Paused);
        QTRY_VERIFY(map->stateOverlayText(peer).isEmpty());
    }

    void theInspectorsHeaderAgreesWithThePeersRow() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        const int peer = leecherAt(window, 0);
        window.selectPeer(peer);
        auto* map = window.findChild<PieceMapWidget*>();
        auto* inspector = window.findChild<PeerInspector*>();
        for (int i = 0; i < 10; ++i) {
            QSignalSpy snapshots(window.controller(), &LabController::snapshotReady);
            QVERIFY(snapshots.wait(2000));
            // Both read the same snapshot, so they say the same share.
            QCOMPARE(inspector->summarySequence(), map->shownSequence());
            const QString share =
                QString::number(map->shownProgress(peer) * 100.0, 'f', 1) + QStringLiteral(" %");
            QVERIFY2(inspector->summaryText().contains(share),
                     qPrintable(inspector->summaryText() + QStringLiteral(" / ") + share));
        }
    }

    void theMatrixSumsWhatTheSnapshotsCountedAndSelectsAPair() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(3)));
        window.showView(QStringLiteral("matrix"));
        auto* matrix = window.findChild<TransferMatrixWidget*>(QStringLiteral("transferMatrix"));
        QTRY_VERIFY(matrix->isVisible());
        // The matrix sums the span the charts show; the user picks the whole run there.
        auto* span = window.findChild<QComboBox*>(QStringLiteral("timeWindowBox"));
        span->setCurrentIndex(span->findData(0));
        QCOMPARE(matrix->matrix().windowSeconds(), 0);

        // From a fresh start, every snapshot the window gets is recorded beside it: the first is the
        // baseline, and each connection then adds what its sender's counter grew by.
        matrix->clear();
        QList<SwarmSnapshotPtr> seen;
        connect(window.controller(), &LabController::snapshotReady, this,
                [&seen](const SwarmSnapshotPtr& s) { seen.append(s); });
        QTRY_VERIFY_WITH_TIMEOUT(seen.size() >= 30 && matrix->matrix().total() > 256 * 1024, 20000);
        disconnect(window.controller(), &LabController::snapshotReady, this, nullptr);

        QHash<QPair<int, quint64>, qint64> first;   // (sender, connection) -> counter when first seen
        QHash<QPair<int, quint64>, qint64> last;    // ... when last seen
        QHash<QPair<int, quint64>, int> receiverOf; // ... and who is at its other end
        for (int i = 0; i < seen.size(); ++i) {
            for (const LabPeerSnapshot& p : seen[i]->peers) {
                for (const LabConnectionSnapshot& c : p.connections) {
                    const QPair<int, quint64> key(p.id, c.info.id);
                    if (!first.contains(key))
                        first.insert(key, i == 0 ? c.info.uploaded : 0); // new since the baseline: all of it
                    last.insert(key, c.info.uploaded);
                    receiverOf.insert(key, c.remotePeer);
                }
            }
        }
        QHash<QPair<int, int>, qint64> expected;
        for (auto it = last.cbegin(); it != last.cend(); ++it)
            if (receiverOf.value(it.key()) > 0)
                expected[{it.key().first, receiverOf.value(it.key())}] += it.value() - first.value(it.key());
        const QList<int> peers = matrix->matrix().peers();
        QCOMPARE(peers.size(), 4);
        qint64 sum = 0;
        for (int from : peers) {
            for (int to : peers) {
                QCOMPARE(matrix->matrix().bytes(from, to), expected.value({from, to}));
                sum += matrix->matrix().bytes(from, to);
            }
        }
        QCOMPARE(matrix->matrix().total(), sum);
        // And the engine agrees: a sender's row is what it uploaded meanwhile, while its connections lasted.
        for (const LabPeerSnapshot& p : seen.last()->peers) {
            const LabPeerSnapshot* before = seen.first()->peer(p.id);
            QVERIFY(before);
            QCOMPARE(matrix->matrix().sentBy(p.id), p.uploaded - before->uploaded);
        }

        // Hovering tells the exact figure; a click selects the pair in every view.
        const int seeder = peers.first();
        const int leecher = peers.at(1);
        const qint64 bytes = matrix->matrix().bytes(seeder, leecher);
        QVERIFY(bytes > 0);
        QVERIFY2(matrix->cellToolTip(seeder, leecher).contains(QLocale::system().toString(bytes)),
                 qPrintable(matrix->cellToolTip(seeder, leecher)));
        QTest::mouseClick(matrix, Qt::LeftButton, {}, matrix->cellRect(seeder, leecher).center());
        QCOMPARE(window.selectedPeers(), (QList<int>{seeder, leecher}));
        QCOMPARE(window.findChild<SwarmGraphWidget*>()->selection()->peers(), (QList<int>{seeder, leecher}));
        QCOMPARE(window.findChild<PeerInspector*>()->selectedPeer(), seeder);
    }

    void aCapsUnitChangeKeepsTheCapInTheLab() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        auto* cap = window.findChild<RateEdit*>(QStringLiteral("uploadCap"));
        auto* spin = cap->findChild<QDoubleSpinBox*>();
        auto capsInLab = [&window]() {
            QSet<qint64> caps;
            for (const LabPeerSnapshot& p : window.currentSnapshot()->peers)
                caps.insert(p.conditions.uploadRate);
            return caps;
        };
        // Typed as a user does, in KiB/s, for every peer.
        QVERIFY(!window.controlPanel()->isSelectedPeerOnly());
        cap->unitBox()->setCurrentIndex(cap->unitBox()->findText(QStringLiteral("KiB/s")));
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("96"));
        QTest::keyClick(spin, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(capsInLab(), QSet<qint64>{96 * 1024}, 3000);
        QCOMPARE(cap->unitText(), QStringLiteral("KiB/s"));
        QCOMPARE(cap->shownValue(), 96.0);

        // The trial: switching to MiB/s turned 96 KiB/s into 96 MiB/s. Now the number converts and the cap
        // stays, in the control and in the lab.
        cap->unitBox()->setCurrentIndex(cap->unitBox()->findText(QStringLiteral("MiB/s")));
        QCOMPARE(cap->bytesPerSecond(), qint64(96 * 1024));
        QVERIFY2(qAbs(cap->shownValue() - 0.094) < 0.001, qPrintable(QString::number(cap->shownValue())));
        QSignalSpy snapshots(window.controller(), &LabController::snapshotReady);
        QVERIFY(snapshots.wait(2000) && snapshots.wait(2000));
        QCOMPARE(capsInLab(), QSet<qint64>{96 * 1024});
        cap->unitBox()->setCurrentIndex(cap->unitBox()->findText(QStringLiteral("KiB/s")));
        QCOMPARE(cap->shownValue(), 96.0);
        QCOMPARE(cap->bytesPerSecond(), qint64(96 * 1024));
    }

    void closeTorrentRemovesItsPeersAndForgetsIt() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(2)));
        const int first = window.controller()->activeTorrent();
        QVERIFY(startDemoAndWait(window, slowDemo(1)));
        const int second = window.controller()->activeTorrent();
        QVERIFY(second != first);
        auto* selector = window.findChild<QComboBox*>(QStringLiteral("torrentSelector"));
        QCOMPARE(selector->count(), 2);

        // The menu's action, with its question answered.
        whenModal<QMessageBox>([](QMessageBox* box) { box->button(QMessageBox::Yes)->click(); });
        window.findChild<QAction*>(QStringLiteral("closeTorrentAction"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lab()->peerIds(second).isEmpty(), 10000);
        QCOMPARE(window.controller()->torrentIds(), QList<int>{first});
        QCOMPARE(selector->count(), 1);
        QCOMPARE(window.controller()->activeTorrent(), first);
        QTRY_COMPARE(window.currentSnapshot()->peers.size(), 3);
        // The other torrent's peers are untouched.
        QCOMPARE(window.controller()->lab()->peerIds(first).size(), 3);

        QVERIFY(window.closeTorrent(first, false));
        QTRY_VERIFY_WITH_TIMEOUT(window.controller()->lab()->peerIds().isEmpty(), 10000);
        QCOMPARE(selector->count(), 0);
        QCOMPARE(window.controller()->activeTorrent(), 0);
        QCOMPARE(window.windowTitle(), QStringLiteral("Swarmscope"));
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("closeTorrentAction"))->isEnabled());
    }

    void theEventLogFollowsTheShownTorrent() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(startDemoAndWait(window, slowDemo(1)));
        const int first = window.controller()->activeTorrent();
        QVERIFY(startDemoAndWait(window, slowDemo(1)));
        const int second = window.controller()->activeTorrent();
        auto* inspector = window.findChild<PeerInspector*>();
        inspector->setShowAllPeers(true);
        auto torrentsShown = [&]() {
            inspector->flush();
            QSet<int> torrents;
            EventLogFilterModel* log = inspector->eventLogFilter();
            for (int row = 0; row < log->rowCount(); ++row)
                torrents.insert(log->index(row, 0).data(EventLogModel::TorrentRole).toInt());
            return torrents;
        };
        QTRY_VERIFY_WITH_TIMEOUT(!torrentsShown().isEmpty(), 10000);
        QCOMPARE(torrentsShown(), QSet<int>{second});
        auto* selector = window.findChild<QComboBox*>(QStringLiteral("torrentSelector"));
        selector->setCurrentIndex(selector->findData(first));
        emit selector->activated(selector->currentIndex());
        QCOMPARE(window.controller()->activeTorrent(), first);
        QCOMPARE(torrentsShown(), QSet<int>{first});
    }

    void helpExplainsBesideTheLiveViews() {
        QTemporaryDir labDir;
        MainWindow window(labIn(labDir));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        DemoSettings demo = slowDemo(2);
        QVERIFY(startDemoAndWait(window, demo));
        QVERIFY(!window.helpDock()->isVisible());
        window.findChild<QAction*>(QStringLiteral("helpAction"))->trigger();
        QVERIFY(window.helpDock()->isVisible());
        // Beside it, the live views are still on screen.
        QVERIFY(window.findChild<PieceMapWidget*>()->isVisible());
        QVERIFY(window.findChild<SwarmGraphWidget*>()->isVisible());
        const QStringList titles = window.helpPanel()->sectionTitles();
        for (const char* topic :
             {"Pieces and blocks", "Have, interested, choke", "Rarest first",
              "Tit-for-tat and the optimistic unchoke", "Endgame", "The Kumar–Ross bound"})
            QVERIFY2(titles.contains(QString::fromUtf8(topic)), topic);
        // The bound of the swarm on screen: 4 MiB from one seeder at 128 KiB/s is 32 s at least.
        QTRY_VERIFY_WITH_TIMEOUT(window.helpPanel()->boundText().contains(QStringLiteral("bound 32 s")),
                                 3000);
        QVERIFY2(qAbs(window.helpPanel()->boundSeconds() - 32.0) < 0.01,
                 qPrintable(QString::number(window.helpPanel()->boundSeconds())));
        // Each live control says what it changes and what to watch.
        for (const char* name : {"latencySlider", "jitterSpin", "uploadCap", "downloadCap", "pickerBox",
                                 "chokerCheck", "selectedPeerOnly"}) {
            auto* control = window.findChild<QWidget*>(QString::fromLatin1(name));
            QVERIFY2(control, name);
            QVERIFY2(control->toolTip().contains(QStringLiteral("atch")), name); // "Watch ..."/"watch ..."
        }
        // So does each peer action, and each action that changes the swarm.
        PeerActions* peer = window.peerActions();
        for (QAction* action :
             {peer->pauseResumeAction(), peer->killAction(), peer->restartAction(), peer->conditionsAction(),
              peer->removeAction(), window.findChild<QAction*>(QStringLiteral("addSeedersAction")),
              window.findChild<QAction*>(QStringLiteral("addLeechersAction")),
              window.findChild<QAction*>(QStringLiteral("demoAction"))}) {
            QVERIFY(action);
            QVERIFY2(action->toolTip().contains(QStringLiteral("atch")), qPrintable(action->text()));
        }
    }
};

QTEST_MAIN(TestClassroom)
#include "tst_classroom.moc"
