// The piece map widget, offscreen: checked pixel by pixel on known bitfields, clicked and dragged across to
// select several peers, scrolled; a killed peer's row, and a multi-file torrent's boundaries and per-file
// progress.
#include "SnapshotFixtures.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/PeerSelection.h"

#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

// The colour at the middle of piece `piece` of peerId's bar, in an 8-piece row drawn 10 pixels a piece.
QRgb pieceColour(PieceMapWidget& map, int peerId, int piece) {
    const QImage image = map.viewport()->grab().toImage();
    const QRect bar = map.pieceBarRect(peerId);
    return image.pixel(bar.left() + piece * 10 + 5, bar.center().y()) & 0xffffff;
}

} // namespace

class TestPieceMapWidget : public QObject {
    Q_OBJECT
private slots:
    void pieceMap_drawsHaveMissingAndDownloadingPerPeer() {
        PieceMapWidget map;
        const PieceMapPalette colours;
        // A bar of exactly 80 pixels: 8 pieces at 10 pixels each.
        map.resize(400, 200);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.setSnapshot(snapshot(0, {peer(1, TorrentRole::Seeder, "11111111"),
                                     peer(2, TorrentRole::Leecher, "10100000", "00010001")}));
        map.resize(map.width() - map.viewport()->width() + map.labelWidth() + 6 + 80, 200);
        QTRY_COMPARE(map.pieceBarRect(1).width(), 80);
        const QRgb have = colours.have.rgb() & 0xffffff;
        const QRgb missing = colours.missing.rgb() & 0xffffff;
        const QRgb downloading = colours.downloading.rgb() & 0xffffff;
        for (int piece = 0; piece < 8; ++piece)
            QCOMPARE(pieceColour(map, 1, piece), have);
        const QRgb expected[8] = {have, missing, have, downloading, missing, missing, missing, downloading};
        for (int piece = 0; piece < 8; ++piece)
            QCOMPARE(pieceColour(map, 2, piece), expected[piece]);
        // Rows stack: the second bar is one row below the first.
        QCOMPARE(map.pieceBarRect(2).top() - map.pieceBarRect(1).top(), map.rowHeight());
        QCOMPARE(map.pieceAt(QPoint(map.pieceBarRect(2).left() + 35, map.pieceBarRect(2).center().y())), 3);
    }

    void pieceMap_highlightsArrivalsThenFades() {
        PieceMapWidget map;
        const PieceMapPalette colours;
        map.resize(400, 200);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.setSnapshot(snapshot(1000, {peer(1, TorrentRole::Leecher, "10000000")}));
        map.resize(map.width() - map.viewport()->width() + map.labelWidth() + 6 + 80, 200);
        QTRY_COMPARE(map.pieceBarRect(1).width(), 80);
        map.setSnapshot(snapshot(1100, {peer(1, TorrentRole::Leecher, "11000000")}));
        QCOMPARE(pieceColour(map, 1, 0), colours.have.rgb() & 0xffffff);
        QCOMPARE(pieceColour(map, 1, 1), colours.arrived.rgb() & 0xffffff);
        // Half way through the highlight the colour is between "arrived" and "have".
        map.setSnapshot(snapshot(1600, {peer(1, TorrentRole::Leecher, "11000000")}));
        const QRgb fading = pieceColour(map, 1, 1);
        QVERIFY(fading != (colours.arrived.rgb() & 0xffffff));
        QVERIFY(fading != (colours.have.rgb() & 0xffffff));
        map.setSnapshot(snapshot(2200, {peer(1, TorrentRole::Leecher, "11000000")}));
        QCOMPARE(pieceColour(map, 1, 1), colours.have.rgb() & 0xffffff);
    }

    void pieceMap_clickSelectsPeerAndTooltipNamesPiece() {
        PieceMapWidget map;
        map.resize(500, 300);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        map.setSnapshot(
            snapshot(0, {peer(1, TorrentRole::Seeder, "11111111"), peer(2, TorrentRole::Leecher, "10100000"),
                         peer(3, TorrentRole::Leecher, "00100000")}));
        QSignalSpy selected(&map, &PieceMapWidget::peerSelected);
        QTest::mouseClick(map.viewport(), Qt::LeftButton, {}, map.pieceBarRect(3).center());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected[0][0].toInt(), 3);
        QCOMPARE(map.selectedPeer(), 3);
        QCOMPARE(map.availability(1, 2), 3);
        QCOMPARE(map.availability(1, 1), 1);
        const QString tip = map.pieceToolTip(2, 2);
        QVERIFY2(tip.contains(QStringLiteral("piece 2")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("availability: 3 of 3")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("from: unknown")), qPrintable(tip));
        // When an event names the sender, the tooltip does too.
        SwarmEvent verified;
        verified.peer = 2;
        verified.remotePeer = 1;
        verified.event.kind = PeerEventKind::PieceVerified;
        verified.event.piece = 2;
        map.appendEvents({verified});
        QVERIFY(map.pieceToolTip(2, 2).contains(QStringLiteral("from: #1")));
    }

    void pieceMap_scrollsManyPeers() {
        PieceMapWidget map;
        map.resize(600, 300);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        QList<LabPeerSnapshot> peers;
        for (int id = 1; id <= 500; ++id) {
            LabPeerSnapshot p;
            p.id = id;
            p.torrent = 1;
            p.have = Bitfield(10000);
            for (int i = id; i < 10000; i += 7)
                p.have.setBit(i);
            p.pieceCount = 10000;
            peers.append(p);
        }
        map.setSnapshot(snapshot(0, peers));
        QVERIFY(map.verticalScrollBar()->maximum() > 0);
        map.scrollToPeer(400);
        QVERIFY(map.pieceBarRect(400).top() >= 0);
        QVERIFY(map.pieceBarRect(400).bottom() <= map.viewport()->height());
        QCOMPARE(map.peerAt(map.pieceBarRect(400).center()), 400);
        QVERIFY(!map.viewport()->grab().isNull());
    }

    void pieceMap_ctrlClickShiftClickAndDragSelectSeveralRows() {
        PieceMapWidget map;
        map.resize(500, 300);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        QList<LabPeerSnapshot> peers;
        for (int id = 1; id <= 6; ++id)
            peers.append(peer(id, TorrentRole::Leecher, "10100000"));
        map.setSnapshot(snapshot(0, peers));
        auto rowPoint = [&](int id) { return map.pieceBarRect(id).center(); };
        QTest::mouseClick(map.viewport(), Qt::LeftButton, {}, rowPoint(2));
        QTest::mouseClick(map.viewport(), Qt::LeftButton, Qt::ControlModifier, rowPoint(4));
        QCOMPARE(map.selection()->peers(), (QList<int>{2, 4}));
        QTest::mouseClick(map.viewport(), Qt::LeftButton, Qt::ShiftModifier, rowPoint(6));
        QCOMPARE(map.selection()->peers(), (QList<int>{4, 5, 6}));
        // A drag from row 1 down to row 3 selects the rows it crosses.
        QTest::mousePress(map.viewport(), Qt::LeftButton, {}, rowPoint(1));
        QTest::mouseMove(map.viewport(), rowPoint(2));
        QTest::mouseMove(map.viewport(), rowPoint(3));
        QTest::mouseRelease(map.viewport(), Qt::LeftButton, {}, rowPoint(3));
        QCOMPARE(map.selection()->peers(), (QList<int>{1, 2, 3}));
        // Every selected row is highlighted, not just the current one.
        const QImage image = map.viewport()->grab().toImage();
        const QRgb base = map.palette().color(QPalette::Base).rgb() & 0xffffff;
        for (int id : {1, 2, 3})
            QVERIFY((image.pixel(2, rowPoint(id).y()) & 0xffffff) != base);
        QCOMPARE(image.pixel(2, rowPoint(5).y()) & 0xffffff, base);
    }

    void pieceMap_aKilledPeerLooksKilledNotFinished() {
        PieceMapWidget map;
        map.resize(500, 200);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        LabPeerSnapshot finished = peer(1, TorrentRole::Leecher, "11111111");
        LabPeerSnapshot killed = peer(2, TorrentRole::Leecher, "11111111");
        killed.state = LabPeerState::Stopped;
        map.setSnapshot(snapshot(0, {finished, killed}));
        QCOMPARE(map.stateOverlayText(1), QString());
        QVERIFY(map.stateOverlayText(2).startsWith(QStringLiteral("killed")));
        const QImage image = map.viewport()->grab().toImage();
        const QRect bar = map.pieceBarRect(2);
        // Near the right end, away from the "killed" label: grey, not the teal of a finished peer.
        const QColor alive(image.pixel(map.pieceBarRect(1).right() - 4, map.pieceBarRect(1).center().y()));
        const QColor dead(image.pixel(bar.right() - 4, bar.center().y()));
        QCOMPARE(alive.rgb() & 0xffffff, PieceMapPalette().have.rgb() & 0xffffff);
        QVERIFY2(dead.saturation() < 40, qPrintable(dead.name()));
        QVERIFY(map.pieceToolTip(2, 0).contains(QStringLiteral("killed")));
    }

    void pieceMap_showsFileBoundariesAndEachFilesProgress() {
        PieceMapWidget map;
        map.resize(600, 200);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        Metainfo meta;
        meta.name = QStringLiteral("course");
        meta.multiFile = true;
        meta.pieceLength = 100;
        meta.totalSize = 800;
        meta.pieces = QByteArray(20 * 8, '\0');
        meta.files = {{QStringLiteral("course/slides.pdf"), 200, 0, false},
                      {QStringLiteral("course/video.mp4"), 600, 200, false}};
        map.setFileLayout(TorrentFileLayout(meta));
        map.setSnapshot(snapshot(0, {peer(1, TorrentRole::Leecher, "11000011")}));
        const QRect bar = map.pieceBarRect(1);
        // One boundary, a quarter of the way along (after piece 1 of 8).
        const QList<int> boundaries = map.fileBoundaryXs();
        QCOMPARE(boundaries.size(), 1);
        QVERIFY(qAbs(boundaries.first() - (bar.left() + bar.width() / 4)) <= 1);
        const QImage image = map.viewport()->grab().toImage();
        const QColor line(image.pixel(boundaries.first(), bar.center().y()));
        QVERIFY2(line.rgb() != PieceMapPalette().have.rgb() && line.lightness() < 120,
                 qPrintable(line.name()));
        // The header's strip names the files; with the peer selected, with its share of each.
        QCOMPARE(map.fileStripText(0), QStringLiteral("slides.pdf"));
        map.setSelectedPeer(1);
        QCOMPARE(map.fileStripText(0), QStringLiteral("slides.pdf 100%"));
        QCOMPARE(map.fileStripText(1), QStringLiteral("video.mp4 33%"));
        QVERIFY(map.pieceToolTip(1, 5).contains(
            QStringLiteral("file: course/video.mp4 (#1 leecher has 2 of its 6 pieces")));
        // A single-file torrent draws none.
        map.setFileLayout(TorrentFileLayout());
        QVERIFY(map.fileBoundaryXs().isEmpty());
    }

    void pieceMap_rowsGrowWithTheFont() {
        PieceMapWidget map;
        map.resize(500, 300);
        map.setSnapshot(
            snapshot(0, {peer(1, TorrentRole::Leecher, "1010"), peer(2, TorrentRole::Leecher, "1010")}));
        const int before = map.rowHeight();
        const int label = map.labelWidth();
        QFont big = map.font();
        big.setPointSizeF(big.pointSizeF() * 2);
        map.setFont(big);
        QVERIFY2(map.rowHeight() > before, qPrintable(QString::number(map.rowHeight())));
        QVERIFY(map.labelWidth() > label);
        QCOMPARE(map.pieceBarRect(2).top() - map.pieceBarRect(1).top(), map.rowHeight());
    }
};

QTEST_MAIN(TestPieceMapWidget)
#include "tst_piecemap_widget.moc"
