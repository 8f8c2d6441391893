// What several views share: the peer list model keyed by peer id, the selection of several peers, the rate
// editor whose unit never changes the rate, and where a torrent's files lie among its pieces.
#include "shared/PeerListModel.h"
#include "shared/PeerSelection.h"
#include "shared/RateEdit.h"
#include "shared/TorrentFileLayout.h"

#include "SnapshotFixtures.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestShared : public QObject {
    Q_OBJECT
private slots:
    void selection_clickCtrlClickShiftClickBandAndRetain() {
        PeerSelection selection;
        QSignalSpy changed(&selection, &PeerSelection::changed);
        const QList<int> order = {1, 2, 3, 4, 5, 6};
        selection.click(3, {}, order);
        QCOMPARE(selection.peers(), QList<int>{3});
        QCOMPARE(selection.current(), 3);
        selection.click(5, Qt::ControlModifier, order);
        QCOMPARE(selection.peers(), (QList<int>{3, 5}));
        QCOMPARE(selection.current(), 5);
        selection.click(1, Qt::ShiftModifier, order); // from 5 back to 1
        QCOMPARE(selection.peers(), (QList<int>{1, 2, 3, 4, 5}));
        selection.click(6, Qt::ShiftModifier | Qt::ControlModifier, order); // adds the run 5..6
        QCOMPARE(selection.peers(), (QList<int>{1, 2, 3, 4, 5, 6}));
        selection.click(4, Qt::ControlModifier, order);
        QVERIFY(!selection.contains(4));
        selection.band({2, 3}, {});
        QCOMPARE(selection.peers(), (QList<int>{2, 3}));
        selection.band({5}, Qt::ControlModifier);
        QCOMPARE(selection.peers(), (QList<int>{2, 3, 5}));
        selection.retain({1, 3, 5});
        QCOMPARE(selection.peers(), (QList<int>{3, 5}));
        QCOMPARE(selection.current(), 3); // the current peer went, so the first left is current
        const qsizetype signals_ = changed.count();
        selection.setPeers({5, 3}, 5);
        QCOMPARE(selection.current(), 5);
        QCOMPARE(changed.count(), signals_ + 1); // only the current peer moved
        selection.setPeers({3, 5}, 5);           // the same: nothing to tell
        QCOMPARE(changed.count(), signals_ + 1);
        selection.clear();
        QVERIFY(selection.isEmpty());
        QCOMPARE(selection.current(), 0);
    }

    void rateEdit_aUnitChangeKeepsTheRate() {
        RateEdit edit;
        QSignalSpy edited(&edit, &RateEdit::rateEdited);
        edit.setBytesPerSecond(1024 * 1024);
        QCOMPARE(edit.unitText(), QStringLiteral("MiB/s"));
        QCOMPARE(edit.shownValue(), 1.0);
        // The teacher's complaint: switching the unit turned 1 MiB/s into 1 KiB/s.
        edit.unitBox()->setCurrentIndex(edit.unitBox()->findText(QStringLiteral("KiB/s")));
        QCOMPARE(edit.bytesPerSecond(), qint64(1024 * 1024));
        QCOMPARE(edit.shownValue(), 1024.0);
        edit.unitBox()->setCurrentIndex(edit.unitBox()->findText(QStringLiteral("GiB/s")));
        QCOMPARE(edit.bytesPerSecond(), qint64(1024 * 1024)); // shown rounded, kept exact
        edit.unitBox()->setCurrentIndex(edit.unitBox()->findText(QStringLiteral("MiB/s")));
        QCOMPARE(edit.shownValue(), 1.0);
        QCOMPARE(edited.count(), 0); // the rate never changed, so the lab is not told anything

        // Typing a number is an edit, in the unit shown.
        auto* spin = edit.findChild<QDoubleSpinBox*>();
        spin->setValue(2.5);
        QCOMPARE(edited.count(), 1);
        QCOMPARE(edited.last()[0].toLongLong(), qint64(2.5 * 1024 * 1024));
        // A rate that is no whole number of MiB/s is shown in KiB/s.
        edit.setBytesPerSecond(1536 * 1024);
        QCOMPARE(edit.unitText(), QStringLiteral("KiB/s"));
        QCOMPARE(edit.shownValue(), 1536.0);
        // The lab echoing back a rate typed in KiB/s keeps the unit the user chose, even when a larger
        // one would hold it exactly.
        edit.unitBox()->setCurrentIndex(edit.unitBox()->findText(QStringLiteral("KiB/s")));
        spin->setValue(2048);
        edit.setBytesPerSecond(edited.last()[0].toLongLong());
        QCOMPARE(edit.unitText(), QStringLiteral("KiB/s"));
        QCOMPARE(edit.shownValue(), 2048.0);
        edit.setBytesPerSecond(0);
        QCOMPARE(spin->text(), QStringLiteral("unlimited"));
    }

    void fileLayout_placesFilesAmongPieces() {
        Metainfo meta;
        meta.name = QStringLiteral("course");
        meta.multiFile = true;
        meta.pieceLength = 100;
        meta.totalSize = 1000;
        meta.pieces = QByteArray(20 * 10, '\0');
        meta.files = {{QStringLiteral("course/a.txt"), 250, 0, false},
                      {QStringLiteral("course/pad"), 50, 250, true},
                      {QStringLiteral("course/b.bin"), 700, 300, false}};
        const TorrentFileLayout layout(meta);
        QVERIFY(layout.isMultiFile());
        QCOMPARE(layout.fileCount(), 2); // the padding file is nobody's file
        QCOMPARE(layout.file(0).firstPiece, 0);
        QCOMPARE(layout.file(0).endPiece, 3);
        QCOMPARE(layout.file(1).firstPiece, 3);
        QCOMPARE(layout.file(1).endPiece, 10);
        QCOMPARE(layout.startFraction(1), 0.3);
        QCOMPARE(layout.endFraction(1), 1.0);
        QCOMPARE(layout.filesOfPiece(2), QList<int>{0});
        QCOMPARE(layout.filesOfPiece(5), QList<int>{1});
        const Bitfield have = bits("1101100000");
        QCOMPARE(layout.piecesHad(0, have), 2);
        QCOMPARE(layout.progress(1, have), 2.0 / 7.0);
    }

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
