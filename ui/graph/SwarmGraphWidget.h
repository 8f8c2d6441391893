#pragma once

#include "graph/SwarmFlows.h"
#include "shared/PeerSelection.h"

#include "swarm/SwarmSnapshot.h"

#include <QColor>
#include <QElapsedTimer>
#include <QHash>
#include <QImage>
#include <QPointF>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <vector>

class QRubberBand;

namespace swarmscope::ui {

// The swarm as a graph: every lab peer a node on a circle (seeders drawn as squares marked "S"), its
// completion as a pie inside it, a killed peer greyed with a cross. Between two peers an arrow is drawn
// for each direction payload moves in now, from sender to receiver, its width and colour telling the rate
// (SwarmFlows: a log scale two decades deep under the busiest flow, shown in the legend); idle connections
// are not drawn, and a flow that stops fades out over a second and a half instead of blinking. Dots run
// along the arrows at a speed that grows with the rate.
//
// A crowd cannot be read arrow by arrow: above kThinAbovePeers peers only the kFlowBudget busiest flows are
// drawn, plus every flow of a selected peer, and the line at the top says so. While peers are selected,
// the flows of the others recede.
//
// The quiet part (flows, nodes and labels) is drawn once per snapshot into a cached layer; animation
// frames only add the moving dots on top.
class SwarmGraphWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kThinAbovePeers = 30;
    static constexpr int kFlowBudget = 40;

    explicit SwarmGraphWidget(QWidget* parent = nullptr);
    ~SwarmGraphWidget() override;

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    quint64 shownSequence() const { return m_snapshot ? m_snapshot->sequence : 0; }
    // The selection the graph shows and changes; by default one of its own.
    void setSelection(PeerSelection* selection);
    PeerSelection* selection() const { return m_selection; }
    void setSelectedPeer(int peerId); // just this one; 0: none
    int selectedPeer() const;         // the current one

    // Moving dots on flows (on by default).
    void setAnimationEnabled(bool enabled);
    bool isAnimationEnabled() const { return m_animate; }

    // Geometry, for tests and hit testing: where a peer's node is drawn (invalid point when not shown), and
    // the peer whose node is under a point (0 when none).
    QPointF nodePosition(int peerId) const;
    int peerAt(const QPointF& pos) const;
    qreal nodeRadius() const;

    // What is drawn: one entry per arrow, with the width and colour it has on screen.
    struct DrawnFlow {
        int from = 0;
        int to = 0;
        qint64 rate = 0; // the rate drawn (the last one while it fades)
        qreal width = 0;
        QColor colour;
        double opacity = 1.0;
    };
    QList<DrawnFlow> drawnFlows() const { return m_drawn; }
    const SwarmFlows& flows() const { return m_flows; }
    // Connected pairs of lab peers, and flows moving data now (drawn or not).
    int connectionCount() const { return m_flows.connectionCount(); }
    int flowingCount() const { return m_flows.flowingCount(); }
    // Whether only the busiest flows are drawn, and the line at the top that says what is drawn.
    bool isThinned() const { return m_thinned; }
    QString summaryText() const;
    // The width and colour a flow of this rate gets on the current scale.
    qreal flowWidth(qint64 rate) const;
    QColor flowColour(qint64 rate) const;
    // A picture's size for export.
    QSize exportSize() const { return {1000, 1000}; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    // A click made peerId the current peer.
    void peerSelected(int peerId);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    struct Node {
        int peer = 0;
        bool seeder = false;   // added as a seeder
        bool complete = false; // has every piece (a finished leecher too)
        LabPeerState state = LabPeerState::Starting;
        double progress = 0.0;
        QPointF pos;
    };

    // Grows with the font, so a zoomed graph has bigger nodes and labels.
    qreal unit() const;
    QFont smallFont() const;
    QRectF textArea() const;
    int legendHeight() const;
    QRectF ringArea() const;
    qreal ringRadius() const;
    void layoutNodes();
    void chooseDrawnFlows();
    // The line of one direction of a flow: beside the pair's centre line, so the two directions of a pair
    // sit side by side.
    std::pair<QPointF, QPointF> flowLine(const DrawnFlow& flow) const;
    void renderStaticLayer(qreal scale);
    void paintFlows(QPainter& painter) const;
    void paintNodes(QPainter& painter) const;
    void paintLegend(QPainter& painter) const;
    void paintDots(QPainter& painter) const;
    void updateAnimationTimer();
    QList<int> peerOrder() const;

    SwarmSnapshotPtr m_snapshot;
    SwarmFlows m_flows;
    std::vector<Node> m_nodes;
    QHash<int, int> m_nodeOfPeer;
    QList<DrawnFlow> m_drawn;
    bool m_thinned = false;
    QPointer<PeerSelection> m_selection;
    PeerSelection* m_ownSelection = nullptr;
    bool m_animate = true;
    QImage m_staticLayer; // flows, nodes, labels and text: redrawn per snapshot
    bool m_staticDirty = true;
    QTimer m_animationTimer;
    QElapsedTimer m_clock;
    QRubberBand* m_band = nullptr;
    QPoint m_pressPos;
    bool m_pressedOnEmpty = false;
    bool m_banding = false;
};

} // namespace swarmscope::ui
