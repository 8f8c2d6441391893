// What several views share: the peer list model, keyed by peer id.
#include "SnapshotFixtures.h"
#include "shared/PeerListModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestShared : public QObject {
    Q_OBJECT
private slots:
    void peerList_keyedByIdWithoutResets() {
        PeerListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSnapshot(
            snapshot(0, {peer(1, TorrentRole::Seeder, "1111"), peer(2, TorrentRole::Leecher, "0000"),
                         peer(3, TorrentRole::Leecher, "0000")}));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, PeerListModel::NameColumn).data().toString(), QStringLiteral("#1 seeder"));
        QCOMPARE(model.index(1, PeerListModel::NameColumn).data().toString(), QStringLiteral("#2 leecher"));
        QCOMPARE(model.index(0, PeerListModel::StateColumn).data().toString(), QStringLiteral("seeding"));

        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setSnapshot(
            snapshot(100, {peer(1, TorrentRole::Seeder, "1111"), peer(2, TorrentRole::Leecher, "0000"),
                           peer(3, TorrentRole::Leecher, "1100")}));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][0].toModelIndex().row(), 2);
        QCOMPARE(model.index(2, PeerListModel::ProgressColumn).data().toString(), QStringLiteral("50.0 %"));

        // Peer 2 removed, peer 4 added.
        model.setSnapshot(
            snapshot(200, {peer(1, TorrentRole::Seeder, "1111"), peer(3, TorrentRole::Leecher, "1100"),
                           peer(4, TorrentRole::Leecher, "0000")}));
        QCOMPARE(reset.count(), 0);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.peerIdAt(1), 3);
        QCOMPARE(model.rowOfPeer(4), 2);
        QCOMPARE(model.rowOfPeer(2), -1);
        model.setSnapshot(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestShared)
#include "tst_shared.moc"
