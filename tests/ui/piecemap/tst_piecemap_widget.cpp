// The piece map widget, offscreen: checked pixel by pixel on known bitfields, clicked, scrolled.
#include "SnapshotFixtures.h"
#include "piecemap/PieceMapWidget.h"

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
        QCOMPARE(map.pieceBarRect(2).top() - map.pieceBarRect(1).top(), PieceMapWidget::kRowHeight);
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
};

QTEST_MAIN(TestPieceMapWidget)
#include "tst_piecemap_widget.moc"
