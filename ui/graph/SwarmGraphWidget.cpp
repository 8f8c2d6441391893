#include "graph/SwarmGraphWidget.h"

#include "shared/PeerListModel.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>

namespace swarmscope::ui {

namespace {

constexpr int kFrameMs = 33;    // animation frames: about 30 per second
constexpr int kStripLines = 64; // blits stay under the height at which Qt hands them to its thread pool
constexpr int kLabelLimit = 48; // above this many nodes only the selected one is labelled
constexpr qreal kMaxNodeRadius = 14.0;
constexpr qreal kLabelGap = 10.0; // from a node's edge to the centre of its label
const QColor kSeederColor(0x26, 0x46, 0x53);
const QColor kHaveColor(0x2a, 0x9d, 0x8f);
const QColor kMissingColor(0xd8, 0xdd, 0xe3);
const QColor kIdleEdgeColor(0xb8, 0xc0, 0xc8);
const QColor kActiveEdgeColor(0xe7, 0x6f, 0x51);
const QColor kDotColor(0xc0, 0x39, 0x2b);
const QColor kSelectedColor(0x1d, 0x4e, 0xd8);

// How fast a dot crosses an edge, in edges per second: it grows with the logarithm of the rate, so a
// 100 KiB/s edge and a 100 MiB/s edge both stay legible.
double dotSpeed(qint64 rate) {
    const double kib = qMax(1.0, double(rate) / 1024.0);
    return qBound(0.15, 0.15 + 0.25 * std::log10(kib), 1.6);
}

// Plots an aliased one-pixel line straight into an RGB32 image, blending colour at alpha (0..256). QPainter
// hands every long line's spans to its thread pool, which made a few thousand edges cost tens of
// milliseconds (hundreds on a busy machine); plotting the pixels ourselves costs a few nanoseconds each.
void plotLine(QImage& image, QPoint from, QPoint to, QRgb colour, int alpha) {
    const int w = image.width();
    const int h = image.height();
    auto* bits = reinterpret_cast<QRgb*>(image.bits());
    const qsizetype stride = image.bytesPerLine() / 4;
    const uint rb = (colour & 0xff00ff) * uint(alpha);
    const uint g = (colour & 0x00ff00) * uint(alpha);
    const uint keep = 256 - uint(alpha);
    int x = from.x();
    int y = from.y();
    const int dx = qAbs(to.x() - x);
    const int dy = -qAbs(to.y() - y);
    const int sx = x < to.x() ? 1 : -1;
    const int sy = y < to.y() ? 1 : -1;
    int error = dx + dy;
    for (;;) {
        if (uint(x) < uint(w) && uint(y) < uint(h)) {
            QRgb& p = bits[y * stride + x];
            if (keep == 0) {
                p = colour | 0xff000000;
            } else {
                const uint prb = (((p & 0xff00ff) * keep + rb) >> 8) & 0xff00ff;
                const uint pg = (((p & 0x00ff00) * keep + g) >> 8) & 0x00ff00;
                p = 0xff000000 | prb | pg;
            }
        }
        if (x == to.x() && y == to.y())
            break;
        const int e2 = 2 * error;
        if (e2 >= dy) {
            error += dy;
            x += sx;
        }
        if (e2 <= dx) {
            error += dx;
            y += sy;
        }
    }
}

// Two pixels wide: the line and its neighbour across the minor axis.
void plotThickLine(QImage& image, QPoint from, QPoint to, QRgb colour, int alpha) {
    plotLine(image, from, to, colour, alpha);
    const QPoint step = qAbs(to.x() - from.x()) >= qAbs(to.y() - from.y()) ? QPoint(0, 1) : QPoint(1, 0);
    plotLine(image, from + step, to + step, colour, alpha);
}

} // namespace

SwarmGraphWidget::SwarmGraphWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(false);
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
        n.running = p.state == LabPeerState::Downloading || p.state == LabPeerState::Seeding ||
                    p.state == LabPeerState::Checking;
        n.progress = p.progress();
    }
    rebuildEdges();
    m_staticDirty = true;
    updateAnimationTimer();
    update();
}

void SwarmGraphWidget::setSelectedPeer(int peerId) {
    if (peerId == m_selectedPeer)
        return;
    m_selectedPeer = peerId;
    m_staticDirty = true;
    update();
}

void SwarmGraphWidget::setAnimationEnabled(bool enabled) {
    m_animate = enabled;
    updateAnimationTimer();
    update();
}

QFont SwarmGraphWidget::smallFont() const {
    QFont small = font();
    small.setPointSizeF(qMax(6.0, small.pointSizeF() * 0.85));
    return small;
}

QString SwarmGraphWidget::legendText() const {
    return tr("■ seeder   ● leecher, filled as far as it has got   orange edge: data flowing, dots run from "
              "sender to receiver");
}

QRectF SwarmGraphWidget::textArea() const {
    return QRectF(rect()).adjusted(6, 3, -6, -3);
}

int SwarmGraphWidget::legendHeight() const {
    if (m_nodes.empty())
        return 0;
    const QFontMetrics metrics(smallFont());
    return metrics.boundingRect(textArea().toRect(), Qt::AlignLeft | Qt::TextWordWrap, legendText()).height();
}

QRectF SwarmGraphWidget::ringArea() const {
    // Below the count line, above the legend, and far enough from the edges for the labels outside the ring.
    const QFontMetrics metrics(smallFont());
    const qreal top = textArea().top() + metrics.height() + 2;
    const qreal bottom = textArea().bottom() - legendHeight() - 2;
    const qreal margin = kMaxNodeRadius + kLabelGap + metrics.height() / 2.0 + 2;
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
    return qBound(2.5, 0.7 * M_PI * ring / n, kMaxNodeRadius);
}

void SwarmGraphWidget::layoutNodes() {
    const QPointF centre = ringArea().center();
    const qreal ring = ringRadius();
    const int n = int(m_nodes.size());
    if (n == 1) {
        // Alone, a peer sits in the middle rather than at the top of an empty ring.
        m_nodes.front().pos = centre;
        m_staticDirty = true;
        m_edgeLayerDirty = true;
        return;
    }
    for (int i = 0; i < n; ++i) {
        // The first peer at twelve o'clock, then clockwise.
        const double angle = -M_PI / 2 + 2 * M_PI * i / qMax(1, n);
        m_nodes[size_t(i)].pos = centre + QPointF(ring * std::cos(angle), ring * std::sin(angle));
    }
    m_staticDirty = true;
    m_edgeLayerDirty = true;
}

void SwarmGraphWidget::rebuildEdges() {
    m_edges.clear();
    m_activeEdges = 0;
    if (!m_snapshot)
        return;
    // Both ends report the same connection; the edge keeps the larger rate each way from either report.
    QHash<quint64, int> edgeOf;
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        const LabPeerSnapshot& p = m_snapshot->peers[qsizetype(i)];
        for (const LabConnectionSnapshot& c : p.connections) {
            const auto other = m_nodeOfPeer.constFind(c.remotePeer);
            if (c.remotePeer <= 0 || other == m_nodeOfPeer.cend() || *other == int(i))
                continue;
            const int a = qMin(int(i), *other);
            const int b = qMax(int(i), *other);
            const quint64 key = (quint64(quint32(a)) << 32) | quint32(b);
            auto it = edgeOf.find(key);
            if (it == edgeOf.end()) {
                it = edgeOf.insert(key, int(m_edges.size()));
                m_edges.push_back({a, b, 0, 0});
            }
            Edge& e = m_edges[size_t(*it)];
            // We send to them when we unchoke them; they send to us when they unchoke us.
            const qint64 sent = c.info.amChoking ? 0 : c.info.uploadRate;
            const qint64 received = c.info.peerChoking ? 0 : c.info.downloadRate;
            const bool iIsA = int(i) == a;
            qint64& outgoing = iIsA ? e.rateAtoB : e.rateBtoA;
            qint64& incoming = iIsA ? e.rateBtoA : e.rateAtoB;
            outgoing = qMax(outgoing, sent);
            incoming = qMax(incoming, received);
        }
    }
    // The idle layer depends only on which pairs are connected.
    size_t hash = m_edges.size();
    for (const Edge& e : m_edges) {
        m_activeEdges += (e.rateAtoB > 0 || e.rateBtoA > 0) ? 1 : 0;
        hash = qHashMulti(hash, e.a, e.b);
    }
    if (hash != m_edgeSetHash) {
        m_edgeSetHash = hash;
        m_edgeLayerDirty = true;
    }
}

void SwarmGraphWidget::updateAnimationTimer() {
    const bool run = m_animate && isVisible() && m_activeEdges > 0;
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

void SwarmGraphWidget::renderEdgeLayer(const QSize& pixels, qreal dpr) {
    if (m_edgeLayer.size() != pixels)
        m_edgeLayer = QImage(pixels, QImage::Format_RGB32);
    m_edgeLayer.fill(palette().color(QPalette::Base));
    // Idle edges are context, not content: faint, and fainter the more there are.
    const int alpha = m_edges.size() > 1500 ? 70 : m_edges.size() > 300 ? 110 : 170;
    const QRgb colour = kIdleEdgeColor.rgb();
    // Busy edges are drawn here too and covered later, so this layer survives choke changes.
    for (const Edge& e : m_edges) {
        plotLine(m_edgeLayer, (m_nodes[size_t(e.a)].pos * dpr).toPoint(),
                 (m_nodes[size_t(e.b)].pos * dpr).toPoint(), colour, alpha);
    }
    m_edgeLayerDirty = false;
}

void SwarmGraphWidget::renderStaticLayer() {
    const qreal dpr = devicePixelRatioF();
    const QSize pixels = (QSizeF(size()) * dpr).toSize();
    if (m_edgeLayerDirty || m_edgeLayer.size() != pixels)
        renderEdgeLayer(pixels, dpr);
    m_staticLayer = m_edgeLayer.copy();
    // Busy edges are thick while few; in a crowd one opaque pixel already stands out from the faint idle
    // ones.
    const QRgb active = kActiveEdgeColor.rgb();
    const bool thick = m_activeEdges <= 400;
    for (const Edge& e : m_edges) {
        if (e.rateAtoB <= 0 && e.rateBtoA <= 0)
            continue;
        const QPoint a = (m_nodes[size_t(e.a)].pos * dpr).toPoint();
        const QPoint b = (m_nodes[size_t(e.b)].pos * dpr).toPoint();
        if (thick)
            plotThickLine(m_staticLayer, a, b, active, 256);
        else
            plotLine(m_staticLayer, a, b, active, 256);
    }
    m_staticLayer.setDevicePixelRatio(dpr);
    QPainter painter(&m_staticLayer);

    painter.setRenderHint(QPainter::Antialiasing, true);
    const qreal r = nodeRadius();
    const bool labels = int(m_nodes.size()) <= kLabelLimit;
    painter.setFont(smallFont());
    const QFontMetricsF metrics(smallFont());
    const QPointF centre = ringArea().center();
    for (const Node& n : m_nodes) {
        const QRectF box(n.pos.x() - r, n.pos.y() - r, 2 * r, 2 * r);
        const QColor outline = n.running ? QColor(0x55, 0x5f, 0x6a) : QColor(0xa0, 0xa8, 0xb0);
        painter.setPen(QPen(outline, r > 5 ? 1.0 : 0.6));
        if (n.seeder) {
            painter.setBrush(n.running ? kSeederColor : kMissingColor);
            painter.drawRect(box);
        } else {
            painter.setBrush(kMissingColor);
            painter.drawEllipse(box);
            if (n.progress > 0.0) {
                painter.setPen(Qt::NoPen);
                painter.setBrush(n.running ? kHaveColor : kHaveColor.lighter(150));
                if (n.complete)
                    painter.drawEllipse(box);
                else
                    painter.drawPie(box, 90 * 16, -int(n.progress * 360 * 16));
            }
        }
        if (n.seeder && r >= 5) {
            painter.setPen(Qt::white);
            painter.drawText(box, Qt::AlignCenter, QStringLiteral("S"));
        }
        const bool selected = n.peer == m_selectedPeer;
        if (selected) {
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(kSelectedColor, 2.5));
            painter.drawEllipse(box.adjusted(-4, -4, 4, 4));
        }
        if (labels || selected) {
            // Labels sit outside the circle, pushed away from the centre.
            QPointF out = n.pos - centre;
            const qreal length = std::hypot(out.x(), out.y());
            // A lone peer in the middle is labelled above itself.
            out = length > 0 ? out / length : QPointF(0, -1);
            // Clear of the selection ring, which is drawn 4 px outside the node.
            const QPointF at = n.pos + out * (r + kLabelGap + (selected ? 5 : 0));
            const QString label = QStringLiteral("#%1").arg(n.peer);
            const qreal w = metrics.horizontalAdvance(label) + 4;
            const QRectF text(at.x() - w / 2, at.y() - metrics.height() / 2, w, metrics.height());
            painter.setPen(selected ? kSelectedColor : palette().color(QPalette::Text));
            painter.drawText(text, Qt::AlignCenter, label);
        }
    }

    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(textArea(), Qt::AlignLeft | Qt::AlignTop,
                     m_nodes.empty() ? tr("No peers yet")
                                     : tr("%1 peers, %2 connections, %3 transferring")
                                           .arg(m_nodes.size())
                                           .arg(m_edges.size())
                                           .arg(m_activeEdges));
    if (!m_nodes.empty())
        painter.drawText(textArea(), Qt::AlignLeft | Qt::AlignBottom | Qt::TextWordWrap, legendText());
    m_staticDirty = false;
}

void SwarmGraphWidget::paintActiveEdges(QPainter& painter) const {
    if (!m_animate || m_activeEdges == 0)
        return;
    const double seconds = m_clock.elapsed() / 1000.0;
    const qreal size = m_edges.size() > 1500 ? 3.0 : 4.0;
    QList<QRectF> dots;
    dots.reserve(m_activeEdges * 2);
    auto addDots = [&](const QPointF& from, const QPointF& to, qint64 rate, int salt) {
        // Two dots per direction, half an edge apart; the salt keeps neighbouring edges out of step.
        const double phase = seconds * dotSpeed(rate) + (salt % 97) / 97.0;
        for (double k : {0.0, 0.5}) {
            const double t = std::fmod(phase + k, 1.0);
            const QPointF at = from + (to - from) * t;
            dots.append(QRectF(at.x() - size / 2, at.y() - size / 2, size, size));
        }
    };
    for (const Edge& e : m_edges) {
        const QPointF& a = m_nodes[size_t(e.a)].pos;
        const QPointF& b = m_nodes[size_t(e.b)].pos;
        if (e.rateAtoB > 0)
            addDots(a, b, e.rateAtoB, e.a * 31 + e.b);
        if (e.rateBtoA > 0)
            addDots(b, a, e.rateBtoA, e.b * 31 + e.a);
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kDotColor);
    painter.drawRects(dots);
}

void SwarmGraphWidget::paintEvent(QPaintEvent*) {
    if (m_staticDirty || m_staticLayer.deviceIndependentSize().toSize() != size())
        renderStaticLayer();
    QPainter painter(this);
    // In strips: Qt's raster engine hands any blit taller than about 96 lines to its thread pool and waits,
    // which on a busy machine costs more than the copy itself.
    const int strip = kStripLines;
    const qreal dpr = m_staticLayer.devicePixelRatio();
    for (int y = 0; y < height(); y += strip) {
        const int h = qMin(strip, height() - y);
        painter.drawImage(QRectF(0, y, width(), h), m_staticLayer,
                          QRectF(0, y * dpr, m_staticLayer.width(), h * dpr));
    }
    paintActiveEdges(painter);
}

void SwarmGraphWidget::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    layoutNodes();
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
    const int peer = peerAt(event->position());
    if (peer > 0) {
        setSelectedPeer(peer);
        emit peerSelected(peer);
    }
}

bool SwarmGraphWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int peer = peerAt(help->pos());
        const LabPeerSnapshot* p = m_snapshot && peer > 0 ? m_snapshot->peer(peer) : nullptr;
        if (!p)
            return QWidget::event(event); // the widget's own tooltip, if it has one
        int transferring = 0;
        for (const LabConnectionSnapshot& c : p->connections)
            transferring += (!c.info.amChoking && c.info.uploadRate > 0) ||
                                    (!c.info.peerChoking && c.info.downloadRate > 0)
                                ? 1
                                : 0;
        QToolTip::showText(help->globalPos(),
                           tr("%1 — %2\n%3 % complete\n%4 connections, %5 transferring")
                               .arg(PeerListModel::peerName(*p), labPeerStateName(p->state))
                               .arg(p->progress() * 100.0, 0, 'f', 1)
                               .arg(p->connectionCount)
                               .arg(transferring),
                           this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace swarmscope::ui
