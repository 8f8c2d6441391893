// The swarm graph, offscreen: clicked where its nodes are drawn, and fed a swarm of hundreds.
#include "SnapshotFixtures.h"
#include "graph/SwarmGraphWidget.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

class TestGraph : public QObject {
    Q_OBJECT
private slots:
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
};

QTEST_MAIN(TestGraph)
#include "tst_graph.moc"
