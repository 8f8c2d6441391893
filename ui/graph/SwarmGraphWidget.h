#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QElapsedTimer>
#include <QHash>
#include <QImage>
#include <QPointF>
#include <QTimer>
#include <QWidget>

#include <vector>

namespace swarmscope::ui {

// The swarm as a graph: every lab peer a node on a circle (seeders drawn as squares marked "S"), its
// completion as an arc around it, its connections to other lab peers as edges. An edge where one side
// unchokes the other and data flows is drawn active, with dots running from sender to receiver at a speed
// that grows with the rate. The quiet part (nodes and idle edges) is drawn once per snapshot into a cached
// layer, and the thousands of idle edges into one more below it that changes only when connections come or
// go; animation frames only add the moving dots on top, so hundreds of peers stay cheap to animate.
class SwarmGraphWidget : public QWidget {
    Q_OBJECT
public:
    explicit SwarmGraphWidget(QWidget* parent = nullptr);
    ~SwarmGraphWidget() override;

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // 0: none.
    void setSelectedPeer(int peerId);
    int selectedPeer() const { return m_selectedPeer; }

    // Moving dots on active edges (on by default); off, active edges are still drawn thick and coloured.
    void setAnimationEnabled(bool enabled);
    bool isAnimationEnabled() const { return m_animate; }

    // Geometry, for tests and hit testing: where a peer's node is drawn (invalid point when not shown), and
    // the peer whose node is under a point (0 when none).
    QPointF nodePosition(int peerId) const;
    int peerAt(const QPointF& pos) const;
    qreal nodeRadius() const;
    // How many edges are drawn, and how many of them are active.
    int edgeCount() const { return int(m_edges.size()); }
    int activeEdgeCount() const { return m_activeEdges; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void peerSelected(int peerId);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    struct Node {
        int peer = 0;
        bool seeder = false;   // added as a seeder
        bool complete = false; // has every piece (a finished leecher too)
        bool running = true;   // not stopped, failed or starting
        double progress = 0.0;
        QPointF pos;
    };
    struct Edge {
        int a = 0; // node indices, a < b
        int b = 0;
        qint64 rateAtoB = 0; // payload bytes per second flowing from a to b, while b is unchoked by a
        qint64 rateBtoA = 0;
    };

    QFont smallFont() const;
    QString legendText() const;
    // The widget less a small padding: where the count line and the legend go.
    QRectF textArea() const;
    int legendHeight() const;
    // The square the ring of nodes is centred in, clear of the text and with room for labels outside it.
    QRectF ringArea() const;
    qreal ringRadius() const;
    void layoutNodes();
    void rebuildEdges();
    void renderEdgeLayer(const QSize& pixels, qreal dpr);
    void renderStaticLayer();
    void updateAnimationTimer();
    void paintActiveEdges(QPainter& painter) const;

    SwarmSnapshotPtr m_snapshot;
    std::vector<Node> m_nodes;
    QHash<int, int> m_nodeOfPeer;
    std::vector<Edge> m_edges;
    int m_activeEdges = 0;
    int m_selectedPeer = 0;
    bool m_animate = true;
    QImage m_edgeLayer;   // background and idle edges: redrawn only when the set of edges or the size changes
    QImage m_staticLayer; // the edge layer plus active edges, nodes and labels: redrawn per snapshot
    size_t m_edgeSetHash = 0;
    bool m_edgeLayerDirty = true;
    bool m_staticDirty = true;
    QTimer m_animationTimer;
    QElapsedTimer m_clock;
};

} // namespace swarmscope::ui
