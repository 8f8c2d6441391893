// Drawing the swarm graph: the cached layer of flows, nodes, labels and legend, and the moving dots over it.
#include "graph/SwarmGraphWidget.h"

#include "shared/PeerSelection.h"
#include "shared/SizeFormat.h"
#include "shared/ViewExport.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace swarmscope::ui {

namespace {

constexpr int kStripLines = 64; // blits stay under the height at which Qt hands them to its thread pool
constexpr int kLabelLimit = 48; // above this many nodes only the selected ones are labelled
constexpr qreal kLabelGap = 10.0;
const QColor kSeederColor(0x26, 0x46, 0x53);
const QColor kHaveColor(0x2a, 0x9d, 0x8f);
const QColor kMissingColor(0xd8, 0xdd, 0xe3);
const QColor kKilledColor(0xc4, 0xc8, 0xcc);
const QColor kDotColor(0x5a, 0x0f, 0x24);
const QColor kSelectedColor(0x1d, 0x4e, 0xd8);

// How fast a dot crosses a flow, in lengths per second: it grows with the logarithm of the rate, so a
// 100 KiB/s flow and a 100 MiB/s flow both stay legible.
double dotSpeed(qint64 rate) {
    const double kib = qMax(1.0, double(rate) / 1024.0);
    return qBound(0.15, 0.15 + 0.25 * std::log10(kib), 1.6);
}

bool isRunning(LabPeerState state) {
    return state == LabPeerState::Downloading || state == LabPeerState::Seeding ||
           state == LabPeerState::Checking;
}

} // namespace

int SwarmGraphWidget::legendHeight() const {
    if (m_nodes.empty())
        return 0;
    return 2 * QFontMetrics(smallFont()).height() + 4;
}

std::pair<QPointF, QPointF> SwarmGraphWidget::flowLine(const DrawnFlow& flow) const {
    const QPointF a = nodePosition(flow.from);
    const QPointF b = nodePosition(flow.to);
    const QPointF d = b - a;
    const qreal length = std::hypot(d.x(), d.y());
    if (length < 1e-6)
        return {a, b};
    const QPointF u = d / length;
    // To the right of the direction of travel: the pair's two directions never overlap.
    const QPointF side(-u.y(), u.x());
    const qreal r = nodeRadius();
    const QPointF offset = side * (1.5 + flow.width / 2.0);
    return {a + u * (r + 1.0) + offset, b - u * (r + 2.0) + offset};
}

void SwarmGraphWidget::paintFlows(QPainter& painter) const {
    painter.setRenderHint(QPainter::Antialiasing, true);
    // The quietest first, so the busiest arrows lie on top.
    for (qsizetype i = m_drawn.size() - 1; i >= 0; --i) {
        const DrawnFlow& f = m_drawn[i];
        if (f.opacity <= 0.0)
            continue;
        const auto [from, to] = flowLine(f);
        QColor colour = f.colour;
        colour.setAlphaF(float(qBound(0.0, f.opacity, 1.0)));
        painter.setPen(QPen(colour, f.width, Qt::SolidLine, Qt::FlatCap));
        const QPointF d = to - from;
        const qreal length = std::hypot(d.x(), d.y());
        if (length < 2.0)
            continue;
        const QPointF u = d / length;
        const qreal head = qMin(length / 2.0, 4.0 + 1.5 * f.width);
        painter.drawLine(from, to - u * head * 0.8);
        // The arrowhead at the receiver.
        const QPointF side(-u.y(), u.x());
        QPainterPath arrow;
        arrow.moveTo(to);
        arrow.lineTo(to - u * head + side * head * 0.55);
        arrow.lineTo(to - u * head - side * head * 0.55);
        arrow.closeSubpath();
        painter.fillPath(arrow, colour);
    }
}

void SwarmGraphWidget::paintNodes(QPainter& painter) const {
    painter.setRenderHint(QPainter::Antialiasing, true);
    const qreal r = nodeRadius();
    const bool labels = int(m_nodes.size()) <= kLabelLimit;
    painter.setFont(smallFont());
    const QFontMetricsF metrics(smallFont());
    const QPointF centre = ringArea().center();
    for (const Node& n : m_nodes) {
        const QRectF box(n.pos.x() - r, n.pos.y() - r, 2 * r, 2 * r);
        const bool running = isRunning(n.state);
        const bool killed = n.state == LabPeerState::Stopped;
        const QColor outline = running ? QColor(0x55, 0x5f, 0x6a) : QColor(0x90, 0x98, 0xa0);
        QPen pen(outline, r > 5 ? 1.0 : 0.6);
        if (!running)
            pen.setStyle(Qt::DashLine);
        painter.setPen(pen);
        if (killed) {
            // Killed: grey, whatever it had, with a cross; it serves nobody until it is restarted.
            painter.setBrush(kKilledColor);
            if (n.seeder)
                painter.drawRect(box);
            else
                painter.drawEllipse(box);
            painter.setPen(QPen(QColor(0x6a, 0x6a, 0x6a), qMax(1.0, r / 6.0)));
            const qreal k = r * 0.55;
            painter.drawLine(n.pos + QPointF(-k, -k), n.pos + QPointF(k, k));
            painter.drawLine(n.pos + QPointF(k, -k), n.pos + QPointF(-k, k));
        } else if (n.seeder) {
            painter.setBrush(running ? kSeederColor : kSeederColor.lighter(220));
            painter.drawRect(box);
            if (r >= 5) {
                painter.setPen(Qt::white);
                painter.drawText(box, Qt::AlignCenter, QStringLiteral("S"));
            }
        } else {
            painter.setBrush(kMissingColor);
            painter.drawEllipse(box);
            if (n.progress > 0.0) {
                painter.setPen(Qt::NoPen);
                painter.setBrush(running ? kHaveColor : kHaveColor.lighter(150));
                if (n.complete)
                    painter.drawEllipse(box);
                else
                    painter.drawPie(box, 90 * 16, -int(n.progress * 360 * 16));
            }
        }
        if (n.state == LabPeerState::Paused && r >= 5) {
            // Two bars: paused, connections kept.
            const qreal w = r / 3.5;
            painter.setPen(Qt::NoPen);
            painter.setBrush(QColor(0x40, 0x40, 0x40));
            painter.drawRect(QRectF(n.pos.x() - 1.6 * w, n.pos.y() - r * 0.5, w, r));
            painter.drawRect(QRectF(n.pos.x() + 0.6 * w, n.pos.y() - r * 0.5, w, r));
        }
        const bool selected = m_selection->contains(n.peer);
        const bool current = n.peer == m_selection->current();
        if (selected) {
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(kSelectedColor, current ? 2.5 : 1.5));
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
            painter.setPen(selected ? kSelectedColor
                                    : palette().color(killed ? QPalette::PlaceholderText : QPalette::Text));
            painter.drawText(text, Qt::AlignCenter, label);
        }
    }
}

void SwarmGraphWidget::paintLegend(QPainter& painter) const {
    if (m_nodes.empty())
        return;
    const QFont font = smallFont();
    const QFontMetricsF metrics(font);
    painter.setFont(font);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    const QRectF area = textArea();
    const qreal line = metrics.height();
    const qreal top = area.bottom() - 2 * line - 2;
    painter.drawText(QRectF(area.left(), top, area.width(), line), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("■ seeder   ● leecher, filled as far as it has got   ✕ killed"));

    // The rate scale: what a thin pale arrow and a thick dark one mean, in numbers.
    const qreal y = top + line + 2;
    const QString left = tr("arrow sender → receiver, width ∝ rate:");
    qreal x = area.left();
    painter.drawText(QPointF(x, y + metrics.ascent()), left);
    x += metrics.horizontalAdvance(left) + 6;
    const QString low = QStringLiteral("0");
    const QString high = formatSize(m_flows.scaleMax()) + QStringLiteral("/s");
    painter.drawText(QPointF(x, y + metrics.ascent()), low);
    x += metrics.horizontalAdvance(low) + 4;
    const qreal barWidth = qBound(24.0, area.right() - x - metrics.horizontalAdvance(high) - 6, 90.0);
    QLinearGradient gradient(x, 0, x + barWidth, 0);
    for (int i = 0; i <= 4; ++i)
        gradient.setColorAt(i / 4.0, flowColour(qint64(double(m_flows.scaleMax()) * i / 4.0)));
    // A wedge, thin to thick, as the arrows are.
    QPainterPath wedge;
    const qreal mid = y + line / 2.0;
    const qreal thick = qMin(line * 0.35, flowWidth(m_flows.scaleMax()) / 2.0 + 0.5);
    wedge.moveTo(x, mid - 0.5);
    wedge.lineTo(x + barWidth, mid - thick);
    wedge.lineTo(x + barWidth, mid + thick);
    wedge.lineTo(x, mid + 0.5);
    wedge.closeSubpath();
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.fillPath(wedge, gradient);
    x += barWidth + 4;
    painter.drawText(QPointF(x, y + metrics.ascent()), high);
}

void SwarmGraphWidget::renderStaticLayer(qreal scale) {
    const QSize pixels = (QSizeF(size()) * scale).toSize();
    if (m_staticLayer.size() != pixels)
        m_staticLayer = QImage(pixels, QImage::Format_RGB32);
    m_staticLayer.setDevicePixelRatio(scale);
    m_staticLayer.fill(palette().color(QPalette::Base));
    QPainter painter(&m_staticLayer);
    paintFlows(painter);
    paintNodes(painter);
    painter.setFont(smallFont());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(textArea(), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, summaryText());
    paintLegend(painter);
    m_staticDirty = false;
}

void SwarmGraphWidget::paintDots(QPainter& painter) const {
    if (!m_animate || m_flows.flowingCount() == 0)
        return;
    const double seconds = m_clock.elapsed() / 1000.0;
    QList<QRectF> dots;
    dots.reserve(m_drawn.size() * 2);
    for (const DrawnFlow& f : m_drawn) {
        if (f.rate <= 0 || f.opacity < 1.0)
            continue;
        const auto [from, to] = flowLine(f);
        const qreal size = qMax(3.0, f.width + 1.5);
        // Two dots per arrow, half a length apart; the salt keeps neighbouring arrows out of step.
        const double phase = seconds * dotSpeed(f.rate) + ((f.from * 31 + f.to) % 97) / 97.0;
        for (double k : {0.0, 0.5}) {
            const double t = std::fmod(phase + k, 1.0);
            const QPointF at = from + (to - from) * t;
            dots.append(QRectF(at.x() - size / 2, at.y() - size / 2, size, size));
        }
    }
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setPen(Qt::NoPen);
    painter.setBrush(kDotColor);
    painter.drawRects(dots);
}

void SwarmGraphWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const qreal scale = paintScale(painter);
    if (m_staticDirty || m_staticLayer.deviceIndependentSize().toSize() != size() ||
        m_staticLayer.devicePixelRatio() != scale)
        renderStaticLayer(scale);
    // In strips: Qt's raster engine hands any blit taller than about 96 lines to its thread pool and waits,
    // which on a busy machine costs more than the copy itself.
    const qreal dpr = m_staticLayer.devicePixelRatio();
    for (int y = 0; y < height(); y += kStripLines) {
        const int h = qMin(kStripLines, height() - y);
        painter.drawImage(QRectF(0, y, width(), h), m_staticLayer,
                          QRectF(0, y * dpr, m_staticLayer.width(), h * dpr));
    }
    paintDots(painter);
}

} // namespace swarmscope::ui
