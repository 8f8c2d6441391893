// The lab's view widgets, offscreen: the piece map checked pixel by pixel on known bitfields, the swarm graph
// clicked where its nodes are drawn, the charts exported, the inspector following a selected peer.
#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "inspector/ConnectionTableModel.h"
#include "inspector/EventLogFilterModel.h"
#include "inspector/EventLogModel.h"
#include "inspector/PeerInspector.h"
#include "piecemap/PieceMapWidget.h"

#include <QFile>
#include <QImage>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::ui;

namespace {

Bitfield bits(const char* pattern) {
    const int n = int(qstrlen(pattern));
    Bitfield b(n);
    for (int i = 0; i < n; ++i)
        if (pattern[i] == '1')
            b.setBit(i);
    return b;
}

LabPeerSnapshot peer(int id, TorrentRole role, const char* have, const char* inFlight = nullptr) {
    LabPeerSnapshot p;
    p.id = id;
    p.torrent = 1;
    p.role = role;
    p.have = bits(have);
    p.inFlight = inFlight ? bits(inFlight) : Bitfield(p.have.size());
    p.pieceCount = p.have.size();
    p.state = p.isComplete() ? LabPeerState::Seeding : LabPeerState::Downloading;
    return p;
}

// A connection of one side; rates are what that side sees.
LabConnectionSnapshot link(int remote, bool amChoking, qint64 up, bool peerChoking = true, qint64 down = 0) {
    static quint64 next = 1;
    LabConnectionSnapshot c;
    c.remotePeer = remote;
    c.info.id = next++;
    c.info.amChoking = amChoking;
    c.info.uploadRate = up;
    c.info.peerChoking = peerChoking;
    c.info.downloadRate = down;
    return c;
}

SwarmSnapshotPtr snapshot(qint64 timeMs, QList<LabPeerSnapshot> peers) {
    auto s = std::make_shared<SwarmSnapshot>();
    s->timeMs = timeMs;
    s->peers = std::move(peers);
    for (const LabPeerSnapshot& p : s->peers) {
        s->downloadRate += p.downloadRate;
        s->uploadRate += p.uploadRate;
    }
    return s;
}

// The colour at the middle of piece `piece` of peerId's bar, in an 8-piece row drawn 10 pixels a piece.
QRgb pieceColour(PieceMapWidget& map, int peerId, int piece) {
    const QImage image = map.viewport()->grab().toImage();
    const QRect bar = map.pieceBarRect(peerId);
    return image.pixel(bar.left() + piece * 10 + 5, bar.center().y()) & 0xffffff;
}

} // namespace

class TestViewWidgets : public QObject {
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

    void graph_clickOnNodeSelectsThatPeer() {
        SwarmGraphWidget graph;
        graph.resize(320, 320);
        graph.show();
        QVERIFY(QTest::qWaitForWindowExposed(&graph));
        LabPeerSnapshot seeder = peer(1, TorrentRole::Seeder, "1111");
        LabPeerSnapshot a = peer(2, TorrentRole::Leecher, "1000");
        LabPeerSnapshot b = peer(3, TorrentRole::Leecher, "0000");
        // The seeder sends to 2 (it unchokes 2 and data flows); 2 and 3 are connected but idle.
        seeder.connections = {link(2, false, 50000), link(3, true, 0)};
        a.connections = {link(1, true, 0, false, 50000), link(3, true, 0)};
        b.connections = {link(1, true, 0), link(2, true, 0)};
        graph.setSnapshot(snapshot(0, {seeder, a, b}));
        QCOMPARE(graph.edgeCount(), 3);
        QCOMPARE(graph.activeEdgeCount(), 1);

        QSignalSpy selected(&graph, &SwarmGraphWidget::peerSelected);
        for (int id : {3, 1, 2}) {
            const QPointF at = graph.nodePosition(id);
            QVERIFY(!at.isNull());
            QTest::mouseClick(&graph, Qt::LeftButton, {}, at.toPoint());
            QCOMPARE(selected.last()[0].toInt(), id);
            QCOMPARE(graph.selectedPeer(), id);
        }
        // The centre of the circle is empty: no selection.
        const int before = int(selected.count());
        QTest::mouseClick(&graph, Qt::LeftButton, {}, QPoint(160, 160));
        QCOMPARE(int(selected.count()), before);
        QVERIFY(!graph.grab().isNull());
    }

    void graph_staysUsableWithFiveHundredPeers() {
        SwarmGraphWidget graph;
        graph.resize(600, 600);
        graph.show();
        QVERIFY(QTest::qWaitForWindowExposed(&graph));
        QList<LabPeerSnapshot> peers;
        for (int id = 1; id <= 500; ++id) {
            LabPeerSnapshot p = peer(id, id == 1 ? TorrentRole::Seeder : TorrentRole::Leecher, "1010");
            for (int k = 1; k <= 10; ++k)
                p.connections.append(link((id + k * 37) % 500 + 1, k % 3 != 0, 1000 * k));
            peers.append(p);
        }
        graph.setSnapshot(snapshot(0, peers));
        QVERIFY(graph.edgeCount() > 2000);
        QVERIFY(graph.activeEdgeCount() > 0);
        const QPointF at = graph.nodePosition(250);
        QCOMPARE(graph.peerAt(at), 250);
        QVERIFY(!graph.grab().isNull());
    }

    void charts_exportCsvAndPng() {
        ChartsPanel charts;
        charts.resize(600, 700);
        charts.setTimeWindowSeconds(0);
        for (int i = 0; i < 20; ++i) {
            LabPeerSnapshot seeder = peer(1, TorrentRole::Seeder, "1111");
            seeder.uploadRate = 1000;
            LabPeerSnapshot leecher = peer(2, TorrentRole::Leecher, i < 10 ? "1000" : "1100");
            leecher.downloadRate = 1000 + i;
            charts.setSnapshot(snapshot(i * 100, {seeder, leecher}));
        }
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        const QString rates = dir.filePath(QStringLiteral("rates.csv"));
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Rates, rates));
        QFile ratesFile(rates);
        QVERIFY(ratesFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QByteArray> rateLines = ratesFile.readAll().trimmed().split('\n');
        QCOMPARE(rateLines.size(), 21);
        QCOMPARE(rateLines[0], QByteArray("time_s,download_bytes_per_s,upload_bytes_per_s"));
        QCOMPARE(rateLines[1], QByteArray("0.000,1000,1000"));
        QCOMPARE(rateLines[20], QByteArray("1.900,1019,1000"));

        const QString completion = dir.filePath(QStringLiteral("completion.csv"));
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Completion, completion));
        QFile completionFile(completion);
        QVERIFY(completionFile.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QByteArray> completionLines = completionFile.readAll().trimmed().split('\n');
        QCOMPARE(completionLines.size(), 21);
        QCOMPARE(completionLines[0], QByteArray("time_s,peer_1,peer_2"));
        QCOMPARE(completionLines[1], QByteArray("0.000,100.00,25.00"));
        QCOMPARE(completionLines[20], QByteArray("1.900,100.00,50.00"));

        const QString availability = dir.filePath(QStringLiteral("availability.csv"));
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Availability, availability));
        QFile availabilityFile(availability);
        QVERIFY(availabilityFile.open(QIODevice::ReadOnly | QIODevice::Text));
        // Pieces 0 and 1 are on both peers, 2 and 3 on the seeder only.
        QCOMPARE(availabilityFile.readAll(), QByteArray("availability,pieces\n0,0\n1,2\n2,2\n"));

        // A 1-second window keeps the newest second only.
        charts.setTimeWindowSeconds(1);
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Rates, rates));
        QFile windowed(rates);
        QVERIFY(windowed.open(QIODevice::ReadOnly | QIODevice::Text));
        QCOMPARE(windowed.readAll().trimmed().split('\n').size(), 1 + 11);

        for (ChartsPanel::Chart chart :
             {ChartsPanel::Chart::Rates, ChartsPanel::Chart::Completion, ChartsPanel::Chart::Availability}) {
            const QString png = dir.filePath(QStringLiteral("chart-%1.png").arg(int(chart)));
            QVERIFY(charts.exportPng(chart, png));
            const QImage image(png);
            QVERIFY(!image.isNull());
            QVERIFY(image.width() > 50 && image.height() > 50);
        }
        QVERIFY(!charts.exportCsv(ChartsPanel::Chart::Rates, QStringLiteral("/nonexistent/dir/x.csv")));
    }

    void charts_summariseManyPeersAndStayBounded() {
        ChartsPanel charts;
        QList<LabPeerSnapshot> peers;
        for (int id = 1; id <= 200; ++id)
            peers.append(peer(id, TorrentRole::Leecher, "10000000"));
        for (int i = 0; i < ChartsPanel::kMaxSamples + 50; ++i)
            charts.setSnapshot(snapshot(i * 100, peers));
        charts.setSelectedPeer(7);
        charts.refreshNow();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rates.csv"));
        charts.setTimeWindowSeconds(0);
        QVERIFY(charts.exportCsv(ChartsPanel::Chart::Rates, path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const qsizetype rows = file.readAll().trimmed().split('\n').size() - 1;
        QVERIFY2(rows <= ChartsPanel::kMaxSamples + 1, qPrintable(QString::number(rows)));
        QVERIFY(rows > 100);
    }

    void inspector_followsTheSelectedPeer() {
        PeerInspector inspector;
        inspector.setRefreshIntervalMs(0);
        LabPeerSnapshot a = peer(1, TorrentRole::Seeder, "11");
        a.connections = {link(2, false, 100), link(3, true, 0)};
        LabPeerSnapshot b = peer(2, TorrentRole::Leecher, "01");
        b.connections = {link(1, true, 0, false, 100)};
        inspector.setSnapshot(snapshot(0, {a, b}));
        QCOMPARE(inspector.connectionModel()->rowCount(), 0);
        inspector.setSelectedPeer(1);
        QCOMPARE(inspector.connectionModel()->rowCount(), 2);
        inspector.setSelectedPeer(2);
        QCOMPARE(inspector.connectionModel()->rowCount(), 1);

        SwarmEvent e1;
        e1.peer = 1;
        e1.event.kind = PeerEventKind::Unchoked;
        SwarmEvent e2;
        e2.peer = 2;
        e2.event.kind = PeerEventKind::PieceVerified;
        e2.event.piece = 1;
        inspector.appendEvents({e1, e2, e2});
        QCOMPARE(inspector.eventLogModel()->rowCount(), 3);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 2); // peer 2's only
        inspector.setShowAllPeers(true);
        QCOMPARE(inspector.eventLogFilter()->rowCount(), 3);
        inspector.setEventLogCapacity(2);
        QCOMPARE(inspector.eventLogModel()->rowCount(), 2);
    }

    void inspector_refreshesAFewTimesASecond() {
        PeerInspector inspector;
        inspector.setRefreshIntervalMs(100);
        LabPeerSnapshot a = peer(1, TorrentRole::Seeder, "11");
        a.connections = {link(2, false, 100)};
        inspector.setSnapshot(snapshot(0, {a}));
        inspector.setSelectedPeer(1); // selecting applies at once
        QCOMPARE(inspector.connectionModel()->rowCount(), 1);
        a.connections.append(link(3, true, 0));
        inspector.setSnapshot(snapshot(100, {a}));
        SwarmEvent e;
        e.peer = 1;
        inspector.appendEvents({e});
        QCOMPARE(inspector.connectionModel()->rowCount(), 1); // not yet
        QCOMPARE(inspector.eventLogModel()->rowCount(), 0);
        QTRY_COMPARE(inspector.connectionModel()->rowCount(), 2);
        QCOMPARE(inspector.eventLogModel()->rowCount(), 1);
    }
};

QTEST_MAIN(TestViewWidgets)
#include "tst_views_widgets.moc"
