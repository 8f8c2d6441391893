// The desktop shell around the lab: the demo swarm reaching 100% in what the window shows, peers added
// through the window, the live controls reaching the lab, selection shared by every view, and the
// per-torrent filtering of snapshots.
#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "inspector/PeerInspector.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/LabController.h"
#include "shared/PeerSelection.h"
#include "window/ControlPanel.h"
#include "window/MainWindow.h"
#include "window/PeerActions.h"

#include "window/TorrentImporter.h"

#include "metainfo/TorrentCreator.h"
#include "swarm/PseudoRandomFile.h"
#include "swarm/SwarmLab.h"

#include <QComboBox>
#include <QFile>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::ui;

namespace {

// Small and uncapped: the tests want the behaviour, not a show.
DemoSettings quickDemo(int leechers) {
    DemoSettings demo;
    demo.fileSize = 1024 * 1024 + 5000;
    demo.pieceLength = 32 * 1024;
    demo.leechers = leechers;
    demo.seederUploadRate = 0;
    demo.leecherUploadRate = 0;
    return demo;
}

int countRole(const SwarmSnapshotPtr& snapshot, TorrentRole role) {
    int n = 0;
    if (snapshot)
        for (const LabPeerSnapshot& peer : snapshot->peers)
            n += peer.role == role ? 1 : 0;
    return n;
}

bool everyLeecherComplete(const SwarmSnapshotPtr& snapshot, int leechers) {
    if (!snapshot || countRole(snapshot, TorrentRole::Leecher) != leechers)
        return false;
    for (const LabPeerSnapshot& peer : snapshot->peers)
        if (peer.role == TorrentRole::Leecher && !peer.isComplete())
            return false;
    return true;
}

bool everyPeerHasLatency(const SwarmSnapshotPtr& snapshot, qint64 ms) {
    if (!snapshot || snapshot->peers.isEmpty())
        return false;
    for (const LabPeerSnapshot& peer : snapshot->peers)
        if (peer.conditions.latencyMs != ms)
            return false;
    return true;
}

SwarmLabConfig labIn(const QTemporaryDir& dir) {
    SwarmLabConfig config;
    config.labDir = dir.path();
    return config;
}

} // namespace

class TestShell : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void demoSwarmReachesCompleteInTheWindowsSnapshot() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MainWindow window(labIn(dir));
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(4));
        QVERIFY(started.wait(30000));
        QCOMPARE(window.currentTorrent()->totalSize, qint64(1024 * 1024 + 5000));

        QTRY_VERIFY_WITH_TIMEOUT(everyLeecherComplete(window.currentSnapshot(), 4), 60000);
        QCOMPARE(countRole(window.currentSnapshot(), TorrentRole::Seeder), 1);
        // The demo opens with a leecher selected in every view.
        QVERIFY(window.selectedPeer() != 0);
        QCOMPARE(window.findChild<PieceMapWidget*>()->selectedPeer(), window.selectedPeer());
    }

    void addLeechersSlotAddsThemToTheShownTorrent() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(0));
        QVERIFY(started.wait(30000));
        const int torrent = window.controller()->activeTorrent();
        QCOMPARE(window.controller()->lab()->peerIds(torrent).size(), 1);

        window.addLeechers(3);
        QCOMPARE(window.controller()->lab()->peerIds(torrent).size(), 4);
        QTRY_COMPARE_WITH_TIMEOUT(countRole(window.currentSnapshot(), TorrentRole::Leecher), 3, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(everyLeecherComplete(window.currentSnapshot(), 3), 60000);

        window.addSeeders(2);
        QTRY_COMPARE_WITH_TIMEOUT(countRole(window.currentSnapshot(), TorrentRole::Seeder), 3, 5000);
    }

    void latencyControlReachesTheLabWithinASecond() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(2));
        QVERIFY(started.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot() ? window.currentSnapshot()->peers.size() : 0, 3,
                                  10000);

        // As a user would: move the slider.
        auto* slider = window.controlPanel()->findChild<QSlider*>(QStringLiteral("latencySlider"));
        QVERIFY(slider);
        slider->setValue(200);
        QTRY_VERIFY_WITH_TIMEOUT(everyPeerHasLatency(window.currentSnapshot(), 200), 1000);
        QCOMPARE(window.controller()->newPeerConditions().latencyMs, qint64(200));

        // Only the selected peer.
        const int chosen = window.currentSnapshot()->peers.last().id;
        window.selectPeer(chosen);
        window.controlPanel()->setSelectedPeerOnly(true);
        window.controlPanel()->setLatencyMs(40);
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot()->peer(chosen)->conditions.latencyMs, qint64(40),
                                  1000);
        for (const LabPeerSnapshot& peer : window.currentSnapshot()->peers)
            if (peer.id != chosen)
                QCOMPARE(peer.conditions.latencyMs, qint64(200));
        // Peers added later start with the every-peer value, not the one peer's.
        window.addLeechers(1);
        const int added = window.controller()->lab()->peerIds().last();
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot()->peer(added) &&
                                     window.currentSnapshot()->peer(added)->conditions.latencyMs == 200,
                                 5000);
    }

    void selectionIsSharedByEveryView() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(2));
        QVERIFY(started.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot() ? window.currentSnapshot()->peers.size() : 0, 3,
                                  10000);

        // A click in the graph changes the selection the window shares; every other view follows.
        auto* graph = window.findChild<SwarmGraphWidget*>();
        QCOMPARE(graph->selection(), window.selection());
        graph->selection()->click(1, {}, {1, 2, 3});
        QCOMPARE(window.selectedPeer(), 1);
        QCOMPARE(window.findChild<PieceMapWidget*>()->selectedPeer(), 1);
        QCOMPARE(window.findChild<ChartsPanel*>()->selectedPeer(), 1);
        QCOMPARE(window.findChild<PeerInspector*>()->selectedPeer(), 1);
        QCOMPARE(window.peerActions()->selection()->current(), 1);
    }

    void peerActionsPauseAndResumeTheSelectedPeer() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(1));
        QVERIFY(started.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot() ? window.currentSnapshot()->peers.size() : 0, 2,
                                  10000);
        window.selectPeer(1);
        QTRY_VERIFY_WITH_TIMEOUT(window.peerActions()->pauseResumeAction()->isEnabled(), 2000);
        window.peerActions()->pauseResumeAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot()->peer(1)->state, LabPeerState::Paused, 2000);
        window.peerActions()->pauseResumeAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot()->peer(1)->state != LabPeerState::Paused, 2000);

        window.peerActions()->removeAction()->trigger();
        QCOMPARE(window.selectedPeer(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!window.currentSnapshot()->peer(1), 5000);
    }

    void spaceInAViewPausesTheSelectedPeer() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(1));
        QVERIFY(started.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot() ? window.currentSnapshot()->peers.size() : 0, 2,
                                  10000);
        window.selectPeer(1);
        auto* pieceMap = window.findChild<PieceMapWidget*>();
        pieceMap->setFocus();
        QTRY_VERIFY_WITH_TIMEOUT(window.peerActions()->pauseResumeAction()->isEnabled(), 2000);
        QTest::keyClick(pieceMap, Qt::Key_Space);
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot()->peer(1)->state, LabPeerState::Paused, 2000);
    }

    void closingStopsThePeersFirst() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        window.show();
        QSignalSpy started(window.controller(), &LabController::demoStarted);
        window.startDemoWith(quickDemo(1));
        QVERIFY(started.wait(30000));
        QTRY_COMPARE_WITH_TIMEOUT(window.currentSnapshot() ? window.currentSnapshot()->peers.size() : 0, 2,
                                  10000);
        QSignalSpy finished(window.controller()->lab(), &SwarmLab::shutdownFinished);
        QVERIFY(!window.close()); // not yet: the peers say goodbye to the tracker first
        QVERIFY(window.controller()->lab()->isShuttingDown());
        QVERIFY(finished.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 5000);
    }

    void theSelectorPicksWhichTorrentTheViewsShow() {
        QTemporaryDir dir;
        MainWindow window(labIn(dir));
        LabController* controller = window.controller();
        QSignalSpy started(controller, &LabController::demoStarted);
        window.startDemoWith(quickDemo(1));
        QVERIFY(started.wait(30000));
        window.startDemoWith(quickDemo(2));
        QVERIFY(started.wait(30000));
        const QList<int> torrents = controller->torrentIds();
        QCOMPARE(torrents.size(), 2);
        QCOMPARE(controller->activeTorrent(), torrents.last()); // a new torrent is shown at once

        auto* selector = window.findChild<QComboBox*>(QStringLiteral("torrentSelector"));
        QVERIFY(selector);
        QCOMPARE(selector->count(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(countRole(window.currentSnapshot(), TorrentRole::Leecher), 2, 10000);
        selector->setCurrentIndex(0);
        emit selector->activated(0);
        QCOMPARE(controller->activeTorrent(), torrents.first());
        // The switch shows at once, from the lab's last snapshot.
        for (const LabPeerSnapshot& peer : window.currentSnapshot()->peers)
            QCOMPARE(peer.torrent, torrents.first());
        QTRY_COMPARE_WITH_TIMEOUT(countRole(window.currentSnapshot(), TorrentRole::Leecher), 1, 5000);
        QCOMPARE(window.currentTorrent()->name, QStringLiteral("demo-1.bin"));
    }

    void anOpenedTorrentIsCheckedThenSeededFromItsFolder() {
        QTemporaryDir data;
        QTemporaryDir lab;
        const QString source = data.filePath(QStringLiteral("lecture.bin"));
        QVERIFY(writePseudoRandomFile(source, 600 * 1024 + 7, 3));
        TorrentCreateOptions options;
        options.path = source;
        options.pieceLength = 64 * 1024;
        TorrentCreator creator(options);
        const TorrentCreateResult made = creator.run();
        QVERIFY2(made.ok(), qPrintable(made.error));
        const QString torrentPath = data.filePath(QStringLiteral("lecture.torrent"));
        QFile file(torrentPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(made.torrent);
        file.close();

        MainWindow window(labIn(lab));
        QString error;
        const int torrent = window.importer()->addTorrentFile(torrentPath, data.path(), &error);
        QVERIFY2(torrent != 0, qPrintable(error));
        QCOMPARE(window.controller()->lab()->peerIds(torrent).size(), 1);
        // Not made here, so the seeder checks every piece before it serves.
        QTRY_VERIFY_WITH_TIMEOUT(window.currentSnapshot() && window.currentSnapshot()->peer(1) &&
                                     window.currentSnapshot()->peer(1)->state == LabPeerState::Seeding,
                                 10000);
        window.addLeechers(1);
        QTRY_VERIFY_WITH_TIMEOUT(everyLeecherComplete(window.currentSnapshot(), 1), 60000);
    }

    void filterKeepsOnlyTheShownTorrentsPeers() {
        auto full = std::make_shared<SwarmSnapshot>();
        full->sequence = 7;
        for (int t : {1, 2}) {
            LabTorrentSnapshot torrent;
            torrent.id = t;
            full->torrents.append(torrent);
        }
        for (int id = 1; id <= 5; ++id) {
            LabPeerSnapshot peer;
            peer.id = id;
            peer.torrent = id % 2 ? 1 : 2;
            peer.downloadRate = id * 100;
            peer.have = Bitfield(8);
            full->peers.append(peer);
        }
        const SwarmSnapshotPtr two = LabController::filterSnapshot(full, 2);
        QCOMPARE(two->sequence, quint64(7));
        QCOMPARE(two->peers.size(), 2);
        QVERIFY(two->peer(2) && two->peer(4) && !two->peer(3));
        QCOMPARE(two->torrents.size(), 1);
        QCOMPARE(two->downloadRate, qint64(600));

        // Nothing to leave out: the same snapshot, not a copy.
        auto single = std::make_shared<SwarmSnapshot>(*two);
        const SwarmSnapshotPtr same = single;
        QCOMPARE(LabController::filterSnapshot(same, 2).get(), same.get());
    }
};

QTEST_MAIN(TestShell)
#include "tst_shell.moc"
