// The swarm graph, offscreen: who sends to whom drawn as arrows whose width and colour follow the rate,
// only while data flows and with a fade, thinned in a crowd with a line saying so, nodes clicked and boxed
// to select several peers, and a killed peer drawn as killed.
#include "graph/SwarmFlows.h"
#include "graph/SwarmGraphWidget.h"
#include "shared/PeerSelection.h"

#include "SnapshotFixtures.h"

#include <QImage>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testsupport;
using namespace swarmscope::ui;

namespace {

// A ring of n leechers, each sending to the next at rate(i), with both ends reporting the connection.
SwarmSnapshotPtr ring(int n, qint64 timeMs, const std::function<qint64(int)>& rate) {
    QList<LabPeerSnapshot> peers;
    for (int id = 1; id <= n; ++id)
        peers.append(peer(id, TorrentRole::Leecher, "1100"));
    for (int i = 0; i < n; ++i) {
        const int next = (i + 1) % n;
        peers[i].connections.append(link(next + 1, false, rate(i)));
        peers[next].connections.append(link(i + 1, true, 0, false, rate(i)));
    }
    for (LabPeerSnapshot& p : peers)
        p.connectionCount = int(p.connections.size());
    return snapshot(timeMs, peers);
}

// The flow drawn from one peer to another in flows (which must outlive the pointer), or null.
const SwarmGraphWidget::DrawnFlow* drawn(const QList<SwarmGraphWidget::DrawnFlow>& flows, int from, int to) {
    for (const SwarmGraphWidget::DrawnFlow& f : flows)
        if (f.from == from && f.to == to)
            return &f;
    return nullptr;
}

} // namespace

class TestGraph : public QObject {
    Q_OBJECT
private slots:
    void clickOnNodeSelectsThatPeer() {
        SwarmGraphWidget graph;
        graph.resize(320, 320);
        graph.show();
        QVERIFY(QTest::qWaitForWindowExposed(&graph));
        LabPeerSnapshot seeder = peer(1, TorrentRole::Seeder, "1111");
        LabPeerSnapshot a = peer(2, TorrentRole::Leecher, "1000");
        LabPeerSnapshot b = peer(3, TorrentRole::Leecher, "0000");
        // The seeder sends to 2; 2 and 3 are connected but idle.
        seeder.connections = {link(2, false, 50000), link(3, true, 0)};
        a.connections = {link(1, true, 0, false, 50000), link(3, true, 0)};
        b.connections = {link(1, true, 0), link(2, true, 0)};
        graph.setSnapshot(snapshot(0, {seeder, a, b}));
        QCOMPARE(graph.connectionCount(), 3);
        QCOMPARE(graph.flowingCount(), 1);

        QSignalSpy selected(&graph, &SwarmGraphWidget::peerSelected);
        for (int id : {3, 1, 2}) {
            const QPointF at = graph.nodePosition(id);
            QVERIFY(!at.isNull());
            QTest::mouseClick(&graph, Qt::LeftButton, {}, at.toPoint());
            QCOMPARE(selected.last()[0].toInt(), id);
            QCOMPARE(graph.selectedPeer(), id);
            QCOMPARE(graph.selection()->peers(), QList<int>{id});
        }
        // The centre of the circle is empty: a click there lets go.
        QTest::mouseClick(&graph, Qt::LeftButton, {}, QPoint(160, 160));
        QVERIFY(graph.selection()->isEmpty());
        QVERIFY(!graph.grab().isNull());
    }

    void widthAndColourFollowTheRateOfEachDirection() {
        SwarmGraphWidget graph;
        graph.resize(400, 400);
        // 1 -> 2 at 20 KiB/s, 2 -> 3 at 100 KiB/s, 3 -> 1 at 400 KiB/s.
        const qint64 rates[] = {20 * 1024, 100 * 1024, 400 * 1024};
        graph.setSnapshot(ring(3, 0, [&](int i) { return rates[i]; }));
        const QList<SwarmGraphWidget::DrawnFlow> keep = graph.drawnFlows();
        const auto* slow = drawn(keep, 1, 2);
        const auto* middle = drawn(keep, 2, 3);
        const auto* fast = drawn(keep, 3, 1);
        QVERIFY(slow && middle && fast);
        QCOMPARE(keep.size(), 3); // one arrow per direction that carries data; none back
        QCOMPARE(fast->rate, rates[2]);
        QVERIFY(slow->width < middle->width && middle->width < fast->width);
        // Darker carries more.
        QVERIFY(slow->colour.lightness() > middle->colour.lightness());
        QVERIFY(middle->colour.lightness() > fast->colour.lightness());
        // In proportion: a flow a quarter of the busiest sits a quarter along the scale.
        QCOMPARE(graph.flows().scaleMax(), rates[2]);
        QCOMPARE(graph.flows().level(rates[1]), 0.25);
        QCOMPARE(graph.flowWidth(rates[2]), fast->width);
    }

    void onlyFlowingConnectionsAreDrawnAndAStoppedFlowFades() {
        SwarmGraphWidget graph;
        graph.resize(400, 400);
        graph.setSnapshot(ring(4, 1000, [](int i) { return i == 0 ? qint64(64 * 1024) : 0; }));
        QCOMPARE(graph.connectionCount(), 4);
        QCOMPARE(graph.flowingCount(), 1);
        QCOMPARE(graph.drawnFlows().size(), 1); // the three idle connections are not drawn at all
        QCOMPARE(graph.drawnFlows().first().opacity, 1.0);

        // The flow stops: it stays a moment, fading, so a choke round does not make it blink.
        graph.setSnapshot(ring(4, 1500, [](int) { return qint64(0); }));
        QCOMPARE(graph.flowingCount(), 0);
        QCOMPARE(graph.drawnFlows().size(), 1);
        const double fading = graph.drawnFlows().first().opacity;
        QVERIFY2(fading > 0.0 && fading < 1.0, qPrintable(QString::number(fading)));
        QCOMPARE(graph.drawnFlows().first().rate, qint64(64 * 1024)); // drawn as it was
        // It comes back before it is gone: full strength at once.
        graph.setSnapshot(ring(4, 1800, [](int i) { return i == 0 ? qint64(64 * 1024) : 0; }));
        QCOMPARE(graph.drawnFlows().first().opacity, 1.0);
        graph.setSnapshot(ring(4, 2000, [](int) { return qint64(0); }));
        graph.setSnapshot(ring(4, 2000 + SwarmFlows::kFadeMs, [](int) { return qint64(0); }));
        QCOMPARE(graph.drawnFlows().size(), 0);
        // A trickle below the threshold is idle too.
        graph.setSnapshot(ring(4, 9000, [](int) { return SwarmFlows::kMinRate - 1; }));
        QCOMPARE(graph.drawnFlows().size(), 0);
    }

    void aCrowdIsThinnedToTheBusiestFlowsAndSaysSo() {
        SwarmGraphWidget graph;
        graph.resize(600, 600);
        // Small enough to draw every arrow: the line says how many flows there are.
        graph.setSnapshot(ring(SwarmGraphWidget::kThinAbovePeers, 0, [](int i) { return 1024 * (i + 1); }));
        QVERIFY(!graph.isThinned());
        QCOMPARE(graph.drawnFlows().size(), SwarmGraphWidget::kThinAbovePeers);
        QVERIFY2(graph.summaryText().contains(QStringLiteral("arrows now")), qPrintable(graph.summaryText()));

        const int n = 80;
        graph.setSnapshot(ring(n, 100, [](int i) { return 1024 * (i + 1); }));
        QVERIFY(graph.isThinned());
        QCOMPARE(graph.flowingCount(), n);
        const QList<SwarmGraphWidget::DrawnFlow> shown = graph.drawnFlows();
        QCOMPARE(shown.size(), SwarmGraphWidget::kFlowBudget);
        // The busiest: peer i sends (i) KiB/s, so the drawn ones are the last kFlowBudget senders.
        for (const SwarmGraphWidget::DrawnFlow& f : shown)
            QVERIFY2(f.from > n - SwarmGraphWidget::kFlowBudget, qPrintable(QString::number(f.from)));
        const QString line = graph.summaryText();
        QVERIFY2(
            line.contains(
                QStringLiteral("only the %1 busiest of %2 flows").arg(SwarmGraphWidget::kFlowBudget).arg(n)),
            qPrintable(line));

        // A selected peer's flows are drawn however quiet they are.
        graph.setSelectedPeer(2);
        bool quiet = false;
        for (const SwarmGraphWidget::DrawnFlow& f : graph.drawnFlows())
            quiet = quiet || (f.from == 2 && f.to == 3);
        QVERIFY(quiet);
        QVERIFY(graph.summaryText().contains(QStringLiteral("selected")));
        QVERIFY(!graph.grab().isNull());
    }

    void ctrlClickShiftClickAndARubberBandSelectSeveralPeers() {
        SwarmGraphWidget graph;
        graph.resize(400, 400);
        graph.show();
        QVERIFY(QTest::qWaitForWindowExposed(&graph));
        graph.setSnapshot(ring(8, 0, [](int) { return qint64(0); }));
        auto click = [&](int id, Qt::KeyboardModifiers mods) {
            QTest::mouseClick(&graph, Qt::LeftButton, mods, graph.nodePosition(id).toPoint());
        };
        click(2, {});
        click(5, Qt::ControlModifier);
        QCOMPARE(graph.selection()->peers(), (QList<int>{2, 5}));
        QCOMPARE(graph.selectedPeer(), 5);
        click(2, Qt::ControlModifier); // toggles off
        QCOMPARE(graph.selection()->peers(), QList<int>{5});
        click(7, Qt::ShiftModifier); // the run from the selected peer clicked last
        QCOMPARE(graph.selection()->peers(), (QList<int>{5, 6, 7}));
        click(3, Qt::ShiftModifier); // the other way, from the same place
        QCOMPARE(graph.selection()->peers(), (QList<int>{3, 4, 5}));

        // A box around the nodes of the right half of the ring (peers 2..4 sit right of the centre).
        const QPointF centre = (graph.nodePosition(1) + graph.nodePosition(5)) / 2;
        const QPoint from(int(centre.x()) + 20, 2);
        const QPoint to(graph.width() - 2, graph.height() - 2);
        QTest::mousePress(&graph, Qt::LeftButton, {}, from);
        QTest::mouseMove(&graph, from + QPoint(10, 10));
        QTest::mouseMove(&graph, to);
        QTest::mouseRelease(&graph, Qt::LeftButton, {}, to);
        QList<int> expected;
        for (int id = 1; id <= 8; ++id)
            if (graph.nodePosition(id).x() > from.x())
                expected.append(id);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(graph.selection()->peers(), expected);
    }

    void aKilledPeerIsGreyWithACrossNotFinished() {
        SwarmGraphWidget graph;
        graph.resize(300, 300);
        graph.setAnimationEnabled(false);
        LabPeerSnapshot done = peer(1, TorrentRole::Leecher, "1111");
        LabPeerSnapshot killed = peer(2, TorrentRole::Leecher, "1111");
        killed.state = LabPeerState::Stopped;
        graph.setSnapshot(snapshot(0, {done, killed}));
        const QImage image = graph.grab().toImage();
        auto colourNear = [&](int id) {
            // Off the centre, clear of the cross's strokes.
            const QPointF at = graph.nodePosition(id) + QPointF(0, graph.nodeRadius() * 0.6);
            return QColor(image.pixel(at.toPoint()));
        };
        const QColor finished = colourNear(1);
        const QColor dead = colourNear(2);
        QVERIFY2(finished.saturation() > 100, qPrintable(finished.name())); // teal: has it all
        QVERIFY2(dead.saturation() < 40, qPrintable(dead.name()));          // grey: serves nothing
    }

    void staysUsableWithFiveHundredPeers() {
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
        QVERIFY(graph.connectionCount() > 2000);
        QVERIFY(graph.flowingCount() > 0);
        QVERIFY(graph.drawnFlows().size() <= SwarmGraphWidget::kFlowBudget);
        const QPointF at = graph.nodePosition(250);
        QCOMPARE(graph.peerAt(at), 250);
        QVERIFY(!graph.grab().isNull());
    }
};

QTEST_MAIN(TestGraph)
#include "tst_graph.moc"
