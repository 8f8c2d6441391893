#include "matrix/TransferMatrixWidget.h"

#include "shared/SizeFormat.h"

#include <QHelpEvent>
#include <QLinearGradient>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <cmath>

namespace swarmscope::ui {

namespace {

// Cells stop growing here, so that two peers do not make two slabs; a picture aims at a grid this wide.
constexpr int kMaxCell = 100;
constexpr int kExportGrid = 800;
constexpr int kLegendTicks = 4;

// A sequential heat ramp, pale to dark: more bytes is always darker, and it reads in grey print too.
const QColor kRamp[] = {QColor(0xff, 0xf3, 0xc4), QColor(0xfd, 0xb8, 0x63), QColor(0xe8, 0x55, 0x3b),
                        QColor(0x9e, 0x1a, 0x3a), QColor(0x3d, 0x0a, 0x2b)};

QColor ramp(double t) {
    const int stops = int(std::size(kRamp)) - 1;
    const double x = qBound(0.0, t, 1.0) * stops;
    const int i = qMin(stops - 1, int(x));
    const double f = x - i;
    const QColor& a = kRamp[i];
    const QColor& b = kRamp[i + 1];
    return QColor(int(a.red() + (b.red() - a.red()) * f), int(a.green() + (b.green() - a.green()) * f),
                  int(a.blue() + (b.blue() - a.blue()) * f));
}

QString exactBytes(qint64 bytes) {
    return QLocale::system().toString(bytes);
}

} // namespace

TransferMatrixWidget::TransferMatrixWidget(QWidget* parent) : QWidget(parent) {
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_ownSelection = new PeerSelection(this);
    setSelection(nullptr);
}

void TransferMatrixWidget::setSelection(PeerSelection* selection) {
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection ? selection : m_ownSelection;
    connect(m_selection, &PeerSelection::changed, this, qOverload<>(&QWidget::update));
    update();
}

void TransferMatrixWidget::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    if (snapshot)
        m_matrix.add(*snapshot);
    update();
}

void TransferMatrixWidget::showPast(const TransferMatrix* past) {
    m_past = past;
    update();
}

void TransferMatrixWidget::setWindowSeconds(int seconds) {
    m_matrix.setWindowSeconds(seconds);
    update();
}

void TransferMatrixWidget::clear() {
    m_matrix.clear();
    update();
}

double TransferMatrixWidget::level(qint64 bytes) const {
    const qint64 largest = matrix().largestCell();
    if (bytes <= 0 || largest <= 0)
        return 0.0;
    return qBound(0.0, double(bytes) / double(largest), 1.0);
}

QColor TransferMatrixWidget::heatColour(qint64 bytes) const {
    // Nothing at all is not "a little": it stays the background.
    if (bytes <= 0)
        return palette().color(QPalette::Base);
    return ramp(0.05 + 0.95 * level(bytes));
}

QString TransferMatrixWidget::windowText() const {
    const int seconds = matrix().windowSeconds();
    if (seconds == 0)
        return tr("the whole run");
    if (seconds % 60 == 0)
        return tr("the last %n min", nullptr, seconds / 60);
    return tr("the last %n s", nullptr, seconds);
}

namespace {

// The parts of the matrix's layout that do not depend on its size.
struct Margins {
    int label = 0;       // the row labels' width, and the column labels' height
    int top = 0;         // above the grid: two lines of title, then the column labels
    int legendWidth = 0; // right of the grid: the scale and its figures
    int bottom = 0;      // under the grid: "to →"
};

Margins marginsFor(const QFontMetrics& metrics) {
    Margins m;
    m.label = metrics.horizontalAdvance(QStringLiteral("#9999")) + 8;
    m.top = 2 * metrics.height() + 8 + m.label;
    m.legendWidth = metrics.horizontalAdvance(QStringLiteral("999.9 MiB")) + 28;
    m.bottom = metrics.height() + 8;
    return m;
}

} // namespace

int TransferMatrixWidget::maxCell() const {
    // Cells grow with the font, so a zoomed matrix is as readable as the rest.
    return kMaxCell * qMax(1, fontMetrics().height() / 16);
}

QSize TransferMatrixWidget::exportSize() const {
    const QFontMetrics metrics = fontMetrics();
    const Margins m = marginsFor(metrics);
    const int n = qMax(1, int(matrix().peers().size()));
    const int cell = qBound(4, kExportGrid / n, maxCell());
    const int grid = n * cell;
    // The legend's bar is at least 60 pixels tall, with the "none" swatch under it.
    const int legendHeight = qMax(60, qMin(grid, 240)) + 8 + 2 * metrics.height();
    const int width = m.label + m.legendWidth + 12 + grid + 8;
    const int height = m.top + qMax(grid + m.bottom, legendHeight) + 8;
    // Wide enough for the two lines of title.
    return {qMax(width, 560), height};
}

TransferMatrixWidget::Layout TransferMatrixWidget::layout() const {
    Layout l;
    const QFontMetrics metrics = fontMetrics();
    const Margins m = marginsFor(metrics);
    const int n = qMax(1, int(matrix().peers().size()));
    const int label = m.label;
    const int top = m.top;
    const int availableW = width() - label - m.legendWidth - 12;
    const int availableH = height() - top - m.bottom;
    l.cell = qBound(2, qMin(availableW, availableH) / n, maxCell());
    l.grid = QRect(label + 4, top, l.cell * n, l.cell * n);
    // Labels every so many rows, so they never overlap.
    l.labelStep = qMax(1, int(std::ceil(double(metrics.height()) / qMax(1, l.cell))));
    l.legend = QRect(l.grid.right() + 16, l.grid.top(), 12, qMax(60, qMin(l.grid.height(), 240)));
    return l;
}

QRect TransferMatrixWidget::cellRect(int sender, int receiver) const {
    const QList<int> peers = matrix().peers();
    const qsizetype row = peers.indexOf(sender);
    const qsizetype column = peers.indexOf(receiver);
    if (row < 0 || column < 0)
        return {};
    const Layout l = layout();
    return QRect(l.grid.left() + int(column) * l.cell, l.grid.top() + int(row) * l.cell, l.cell, l.cell);
}

std::pair<int, int> TransferMatrixWidget::cellAt(const QPoint& pos) const {
    const Layout l = layout();
    if (!l.grid.contains(pos) || l.cell <= 0)
        return {0, 0};
    const QList<int> peers = matrix().peers();
    const int row = (pos.y() - l.grid.top()) / l.cell;
    const int column = (pos.x() - l.grid.left()) / l.cell;
    if (row >= peers.size() || column >= peers.size())
        return {0, 0};
    return {peers[row], peers[column]};
}

QString TransferMatrixWidget::cellToolTip(int sender, int receiver) const {
    if (sender == receiver)
        return tr("#%1 does not send to itself").arg(sender);
    const qint64 bytes = matrix().bytes(sender, receiver);
    const double seconds = matrix().spanMs() / 1000.0;
    QString text = tr("#%1 → #%2: %3 (%4 bytes) in %5")
                       .arg(sender)
                       .arg(receiver)
                       .arg(formatSize(bytes), exactBytes(bytes), windowText());
    if (seconds > 0)
        text +=
            tr("\non average %1/s over %2 s").arg(formatSize(qint64(bytes / seconds))).arg(qRound(seconds));
    const qint64 back = matrix().bytes(receiver, sender);
    text += tr("\nthe other way, #%1 → #%2: %3").arg(receiver).arg(sender).arg(formatSize(back));
    text += tr("\nclick to select the pair");
    return text;
}

void TransferMatrixWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const QFontMetrics metrics = fontMetrics();
    const QList<int> peers = matrix().peers();
    painter.setPen(palette().color(QPalette::Text));
    const QRect title(6, 4, width() - 12, metrics.height());
    painter.drawText(
        title, Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(tr("Bytes sent in %1: a row per sender, a column per receiver").arg(windowText()),
                           Qt::ElideRight, title.width()));
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(
        title.translated(0, metrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(tr("%1 moved between %2 peers; hover a cell for its figures, click it to "
                              "select the pair")
                               .arg(formatSize(matrix().total()))
                               .arg(peers.size()),
                           Qt::ElideRight, title.width()));
    if (peers.isEmpty())
        return;

    const Layout l = layout();
    const int n = int(peers.size());
    for (int r = 0; r < n; ++r) {
        for (int c = 0; c < n; ++c) {
            const QRect cell(l.grid.left() + c * l.cell, l.grid.top() + r * l.cell, l.cell, l.cell);
            if (r == c) {
                painter.fillRect(cell, QBrush(palette().color(QPalette::Mid), Qt::BDiagPattern));
                continue;
            }
            painter.fillRect(cell, heatColour(matrix().bytes(peers[r], peers[c])));
        }
    }
    // The grid's lines only while cells are big enough for them not to drown the colours.
    if (l.cell >= 8) {
        QColor line = palette().color(QPalette::Mid);
        line.setAlpha(90);
        painter.setPen(line);
        for (int i = 0; i <= n; ++i) {
            painter.drawLine(l.grid.left(), l.grid.top() + i * l.cell, l.grid.left() + n * l.cell,
                             l.grid.top() + i * l.cell);
            painter.drawLine(l.grid.left() + i * l.cell, l.grid.top(), l.grid.left() + i * l.cell,
                             l.grid.top() + n * l.cell);
        }
    }
    // Selected peers: their row and column framed, so a selected pair's two cells stand out.
    painter.setPen(QPen(QColor(0x1d, 0x4e, 0xd8), 2));
    painter.setBrush(Qt::NoBrush);
    for (int i = 0; i < n; ++i) {
        if (!m_selection->contains(peers[i]))
            continue;
        painter.drawRect(QRect(l.grid.left(), l.grid.top() + i * l.cell, n * l.cell, l.cell));
        painter.drawRect(QRect(l.grid.left() + i * l.cell, l.grid.top(), l.cell, n * l.cell));
    }

    // Labels: senders down the left, receivers across the top (turned, to fit narrow columns).
    painter.setPen(palette().color(QPalette::Text));
    for (int i = 0; i < n; i += l.labelStep) {
        const QString label = QStringLiteral("#%1").arg(peers[i]);
        const QRect left(0, l.grid.top() + i * l.cell, l.grid.left() - 4, l.cell);
        painter.drawText(left.adjusted(0, -metrics.height(), 0, metrics.height()),
                         Qt::AlignRight | Qt::AlignVCenter, label);
        painter.save();
        painter.translate(l.grid.left() + i * l.cell + l.cell / 2.0, l.grid.top() - 4);
        painter.rotate(-90);
        painter.drawText(QRect(0, -metrics.height() / 2, l.grid.top(), metrics.height()),
                         Qt::AlignLeft | Qt::AlignVCenter, label);
        painter.restore();
    }
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QRect(0, l.grid.top() - 2 * metrics.height() - 8, l.grid.left() - 4, metrics.height()),
                     Qt::AlignRight | Qt::AlignVCenter, tr("from ↓"));
    painter.drawText(QRect(l.grid.left(), l.grid.bottom() + 4, l.grid.width(), metrics.height()),
                     Qt::AlignLeft | Qt::AlignVCenter, tr("to →"));

    // The legend: the heat scale with its figures, in proportion from nothing to the largest cell.
    const qint64 largest = matrix().largestCell();
    QLinearGradient gradient(0, l.legend.bottom(), 0, l.legend.top());
    for (int i = 0; i <= 8; ++i)
        gradient.setColorAt(i / 8.0, ramp(0.05 + 0.95 * i / 8.0));
    painter.fillRect(l.legend, gradient);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(l.legend.adjusted(0, 0, -1, -1));
    painter.setPen(palette().color(QPalette::Text));
    if (largest > 0) {
        for (int d = 0; d <= kLegendTicks; ++d) {
            const double t = 1.0 - double(d) / kLegendTicks;
            const int y = l.legend.top() + int((1.0 - t) * (l.legend.height() - 1));
            const qint64 value = qint64(double(largest) * t);
            painter.drawLine(l.legend.right() + 1, y, l.legend.right() + 4, y);
            painter.drawText(QRect(l.legend.right() + 6, y - metrics.height() / 2, width() - l.legend.right(),
                                   metrics.height()),
                             Qt::AlignLeft | Qt::AlignVCenter, formatSize(value));
        }
        const QRect none(l.legend.left(), l.legend.bottom() + 8, l.legend.width(), l.legend.width());
        painter.fillRect(none, heatColour(0));
        painter.setPen(palette().color(QPalette::Mid));
        painter.drawRect(none.adjusted(0, 0, -1, -1));
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRect(none.right() + 6, none.top() - 2, width(), metrics.height()), Qt::AlignLeft,
                         tr("none"));
    } else {
        painter.drawText(QRect(l.legend.right() + 6, l.legend.top(), width(), metrics.height()),
                         Qt::AlignLeft, tr("nothing yet"));
    }
}

void TransferMatrixWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    const auto [sender, receiver] = cellAt(event->position().toPoint());
    if (sender <= 0)
        return;
    if (sender == receiver) {
        m_selection->selectOnly(sender);
        return;
    }
    m_selection->setPeers({sender, receiver}, sender);
    emit pairSelected(sender, receiver);
}

bool TransferMatrixWidget::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const auto [sender, receiver] = cellAt(help->pos());
        if (sender > 0) {
            QToolTip::showText(help->globalPos(), cellToolTip(sender, receiver), this,
                               cellRect(sender, receiver));
            return true;
        }
    }
    return QWidget::event(event);
}

} // namespace swarmscope::ui
