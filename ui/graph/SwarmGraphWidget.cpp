#include "graph/SwarmGraphWidget.h"

#include "shared/PeerListModel.h"
#include "shared/PeerSelection.h"
#include "shared/SizeFormat.h"

#include <QApplication>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QRubberBand>
#include <QToolTip>

#include <cmath>

namespace swarmscope::ui {

namespace {

constexpr int kFrameMs = 33; // animation frames: about 30 per second
constexpr qreal kMaxNodeRadius = 14.0;
constexpr qreal kLabelGap = 10.0; // from a node's edge to the centre of its label

} // namespace

SwarmGraphWidget::SwarmGraphWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(false);
    m_ownSelection = new PeerSelection(this);
    setSelection(nullptr);
    m_band = new QRubberBand(QRubberBand::Rectangle, this);
    m_animationTimer.setInterval(kFrameMs);
    m_animationTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_animationTimer, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    m_clock.start();
}

SwarmGraphWidget::~SwarmGraphWidget() = default;

QSize SwarmGraphWidget::sizeHint() const {
    return {420, 420};
}

QSize SwarmGraphWidget::minimumSizeHint() const {
    return {160, 160};
}

void SwarmGraphWidget::setSelection(PeerSelection* selection) {
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection ? selection : m_ownSelection;
    connect(m_selection, &PeerSelection::changed, this, [this]() {
        chooseDrawnFlows();
        m_staticDirty = true;
        update();
    });
    m_staticDirty = true;
    update();
}

void SwarmGraphWidget::setSelectedPeer(int peerId) {
    m_selection->selectOnly(peerId);
}

int SwarmGraphWidget::selectedPeer() const {
    return m_selection->current();
}

QList<int> SwarmGraphWidget::peerOrder() const {
    QList<int> order;
    for (const Node& n : m_nodes)
        order.append(n.peer);
    return order;
}

void SwarmGraphWidget::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    const qsizetype count = snapshot ? snapshot->peers.size() : 0;
    bool sameNodes = qsizetype(m_nodes.size()) == count;
    for (qsizetype i = 0; sameNodes && i < count; ++i)
        sameNodes = m_nodes[size_t(i)].peer == snapshot->peers[i].id;
    if (!sameNodes) {
        m_nodes.assign(size_t(count), {});
        m_nodeOfPeer.clear();
        m_nodeOfPeer.reserve(count);
        for (qsizetype i = 0; i < count; ++i) {
            m_nodes[size_t(i)].peer = snapshot->peers[i].id;
            m_nodeOfPeer.insert(snapshot->peers[i].id, int(i));
        }
        layoutNodes();
    }
    for (qsizetype i = 0; i < count; ++i) {
        const LabPeerSnapshot& p = snapshot->peers[i];
        Node& n = m_nodes[size_t(i)];
        n.seeder = p.role == TorrentRole::Seeder;
        n.complete = p.isComplete();
        n.state = p.state;
        n.progress = p.progress();
    }
    if (snapshot)
        m_flows.update(*snapshot);
    else
        m_flows.clear();
    chooseDrawnFlows();
    m_staticDirty = true;
    updateAnimationTimer();
    update();
}

void SwarmGraphWidget::chooseDrawnFlows() {
    m_drawn.clear();
    m_thinned = int(m_nodes.size()) > kThinAbovePeers;
    int others = 0;
    for (const SwarmFlows::Flow& f : m_flows.flows()) {
        const bool selected = m_selection->contains(f.from) || m_selection->contains(f.to);
        // Busiest first: in a crowd the budget goes to the flows that carry most, and a selected peer's
        // flows are always drawn so its story can be followed.
        if (m_thinned && !selected) {
            if (others >= kFlowBudget)
                continue;
            ++others;
        }
        DrawnFlow d;
        d.from = f.from;
        d.to = f.to;
        d.rate = f.shownRate;
        d.width = flowWidth(f.shownRate);
        d.colour = flowColour(f.shownRate);
        d.opacity = f.opacity * (m_selection->isEmpty() || selected ? 1.0 : 0.3);
        m_drawn.append(d);
    }
}

qreal SwarmGraphWidget::flowWidth(qint64 rate) const {
    return (1.0 + 5.0 * m_flows.level(rate)) * qMin(unit(), 1.6);
}

QColor SwarmGraphWidget::flowColour(qint64 rate) const {
    // Pale amber for a trickle, through orange, to deep red for the busiest: a sequential ramp, so a darker
    // arrow always carries more.
    static const QColor stops[] = {QColor(0xf2, 0xc0, 0x6b), QColor(0xe7, 0x6f, 0x51),
                                   QColor(0x9b, 0x1d, 0x3a)};
    const double t = m_flows.level(rate) * 2.0;
    const int i = qMin(1, int(t));
    const double f = t - i;
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return QColor(int(a.red() + (b.red() - a.red()) * f), int(a.green() + (b.green() - a.green()) * f),
                  int(a.blue() + (b.blue() - a.blue()) * f));
}

QString SwarmGraphWidget::summaryText() const {
    if (m_nodes.empty())
        return tr("No peers yet");
    const int flowing = m_flows.flowingCount();
    if (m_thinned) {
        int drawnFlowing = 0;
        for (const DrawnFlow& d : m_drawn)
            drawnFlowing += d.opacity > 0 && d.rate > 0 ? 1 : 0;
        return tr("%1 peers: too many arrows to read, so only the %2 busiest of %3 flows are drawn%4")
            .arg(m_nodes.size())
            .arg(qMin(kFlowBudget, flowing))
            .arg(flowing)
            .arg(m_selection->isEmpty() ? QString() : tr(", plus every flow of the selected peers"));
    }
    return tr("%1 peers, %2 connections; data moves along %3 arrows now")
        .arg(m_nodes.size())
        .arg(connectionCount())
        .arg(flowing);
}

void SwarmGraphWidget::setAnimationEnabled(bool enabled) {
    m_animate = enabled;
    updateAnimationTimer();
    update();
}

qreal SwarmGraphWidget::unit() const {
    return qMax(1.0, fontMetrics().height() / 16.0);
}

QFont SwarmGraphWidget::smallFont() const {
    QFont small = font();
    small.setPointSizeF(qMax(6.0, small.pointSizeF() * 0.85));
    return small;
}

QRectF SwarmGraphWidget::textArea() const {
    return QRectF(rect()).adjusted(6, 3, -6, -3);
}

QRectF SwarmGraphWidget::ringArea() const {
    // Below the summary, above the legend, and far enough from the edges for the labels outside the ring.
    const QFontMetrics metrics(smallFont());
    const QRectF text = textArea();
    const int summaryLines =
        metrics.boundingRect(text.toRect(), Qt::AlignLeft | Qt::TextWordWrap, summaryText()).height();
    const qreal top = text.top() + summaryLines + 2;
    const qreal bottom = text.bottom() - legendHeight() - 2;
    const qreal margin = kMaxNodeRadius * unit() + kLabelGap + metrics.height() / 2.0 + 2;
    QRectF area(0, top, width(), qMax(0.0, bottom - top));
    return area.adjusted(margin, margin, -margin, -margin);
}

qreal SwarmGraphWidget::ringRadius() const {
    const QRectF area = ringArea();
    return qMax(10.0, qMin(area.width(), area.height()) / 2.0);
}

qreal SwarmGraphWidget::nodeRadius() const {
    const qreal ring = ringRadius();
    const int n = qMax(1, int(m_nodes.size()));
    // Neighbours on the circle must not overlap: at most 70 % of the spacing, and never invisible.
    return qBound(2.5, 0.7 * M_PI * ring / n, kMaxNodeRadius * unit());
}

void SwarmGraphWidget::layoutNodes() {
    const QPointF centre = ringArea().center();
    const qreal ring = ringRadius();
    const int n = int(m_nodes.size());
    m_staticDirty = true;
    if (n == 1) {
        // Alone, a peer sits in the middle rather than at the top of an empty ring.
        m_nodes.front().pos = centre;
        return;
    }
    for (int i = 0; i < n; ++i) {
        // The first peer at twelve o'clock, then clockwise.
        const double angle = -M_PI / 2 + 2 * M_PI * i / qMax(1, n);
        m_nodes[size_t(i)].pos = centre + QPointF(ring * std::cos(angle), ring * std::sin(angle));
    }
}

void SwarmGraphWidget::updateAnimationTimer() {
    const bool run = m_animate && isVisible() && m_flows.flowingCount() > 0;
    if (run && !m_animationTimer.isActive())
        m_animationTimer.start();
    else if (!run)
        m_animationTimer.stop();
}

QPointF SwarmGraphWidget::nodePosition(int peerId) const {
    const auto it = m_nodeOfPeer.constFind(peerId);
    return it == m_nodeOfPeer.cend() ? QPointF() : m_nodes[size_t(*it)].pos;
}

int SwarmGraphWidget::peerAt(const QPointF& pos) const {
    // A generous target: small nodes of a dense swarm are still easy to hit.
    const qreal reach = qMax(nodeRadius() + 2.0, 6.0);
    int best = 0;
    qreal bestDistance = reach * reach;
    for (const Node& n : m_nodes) {
        const QPointF d = n.pos - pos;
        const qreal distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = n.peer;
        }
    }
    return best;
}

void SwarmGraphWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    layoutNodes();
}

void SwarmGraphWidget::changeEvent(QEvent* event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        layoutNodes();
        chooseDrawnFlows();
        update();
    }
}

void SwarmGraphWidget::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    updateAnimationTimer();
}

void SwarmGraphWidget::hideEvent(QHideEvent* event) {
    QWidget::hideEvent(event);
    updateAnimationTimer();
}

void SwarmGraphWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_pressPos = event->position().toPoint();
    m_banding = false;
    const int peer = peerAt(event->position());
    m_pressedOnEmpty = peer == 0;
    if (peer > 0) {
        m_selection->click(peer, event->modifiers(), peerOrder());
        if (m_selection->current() == peer)
            emit peerSelected(peer);
    }
}

void SwarmGraphWidget::mouseMoveEvent(QMouseEvent* event) {
    // A drag from empty space draws a rubber band; the nodes inside it are selected.
    if (!(event->buttons() & Qt::LeftButton) || !m_pressedOnEmpty)
        return;
    const QPoint at = event->position().toPoint();
    if (!m_banding && (at - m_pressPos).manhattanLength() < QApplication::startDragDistance())
        return;
    m_banding = true;
    const QRect band = QRect(m_pressPos, at).normalized();
    m_band->setGeometry(band);
    m_band->show();
    QList<int> peers;
    for (const Node& n : m_nodes)
        if (band.contains(n.pos.toPoint()))
            peers.append(n.peer);
    m_selection->band(peers, event->modifiers());
}

void SwarmGraphWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() == Qt::LeftButton && m_pressedOnEmpty && !m_banding &&
        !(event->modifiers() & (Qt::ControlModifier | Qt::ShiftModifier)))
        m_selection->clear(); // a click on empty space lets go of every peer
    m_band->hide();
    m_banding = false;
    m_pressedOnEmpty = false;
}

bool SwarmGraphWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int peer = peerAt(help->pos());
        const LabPeerSnapshot* p = m_snapshot && peer > 0 ? m_snapshot->peer(peer) : nullptr;
        if (!p)
            return QWidget::event(event); // the widget's own tooltip, if it has one
        qint64 sending = 0;
        qint64 receiving = 0;
        QStringList to;
        QStringList from;
        for (const SwarmFlows::Flow& f : m_flows.flows()) {
            if (!f.flowing())
                continue;
            if (f.from == peer) {
                sending += f.rate;
                to.append(QStringLiteral("#%1").arg(f.to));
            } else if (f.to == peer) {
                receiving += f.rate;
                from.append(QStringLiteral("#%1").arg(f.from));
            }
        }
        const QString state = p->state == LabPeerState::Stopped ? tr("killed") : labPeerStateName(p->state);
        QString text = tr("%1 — %2\n%3 % complete\n%4 connections")
                           .arg(PeerListModel::peerName(*p), state)
                           .arg(p->progress() * 100.0, 0, 'f', 1)
                           .arg(p->connectionCount);
        if (!to.isEmpty())
            text += tr("\nsends %1/s to %2").arg(formatSize(sending), to.join(QStringLiteral(", ")));
        if (!from.isEmpty())
            text += tr("\nreceives %1/s from %2").arg(formatSize(receiving), from.join(QStringLiteral(", ")));
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace swarmscope::ui
