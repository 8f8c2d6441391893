// The piece map's header: column titles over the labels, the colour legend over the bitmaps, and for a
// multi-file torrent a strip naming each file over its share of the bitmaps, with the current peer's
// progress in it.
#include "piecemap/PieceMapWidget.h"

#include "shared/PeerSelection.h"
#include "shared/SizeFormat.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

namespace swarmscope::ui {

namespace {

constexpr int kBarMargin = 6;
constexpr int kColumnGap = 8;

struct LegendItem {
    QColor colour;
    QString text;
};

} // namespace

int PieceMapWidget::lineHeight() const {
    return qMax(22, fontMetrics().height() + 6);
}

int PieceMapWidget::legendWidth() const {
    const QFontMetrics metrics = fontMetrics();
    const int box = metrics.ascent() - 2;
    int width = 0;
    for (const QString& text : {tr("have"), tr("downloading"), tr("missing"), tr("just arrived")})
        width += box + 4 + metrics.horizontalAdvance(text) + kColumnGap + 4;
    return width;
}

int PieceMapWidget::fileStripTop() const {
    return m_legendOnOwnLine ? 2 * lineHeight() - 4 : lineHeight();
}

void PieceMapWidget::updateHeader() {
    const QRect area = contentsRect();
    m_legendOnOwnLine = m_columns.labelWidth + legendWidth() > area.width() - kBarMargin;
    int height = fileStripTop();
    if (m_files.isMultiFile())
        height += lineHeight();
    if (viewportMargins().top() != height)
        setViewportMargins(0, height, 0, 0);
    m_header->setGeometry(area.left(), area.top(), area.width(), height);
    m_header->update();
}

QRect PieceMapWidget::fileStripRect(int index, int top) const {
    const int width = barWidth();
    const int left = m_columns.labelWidth + int(m_files.startFraction(index) * width + 0.5);
    const int right = m_columns.labelWidth + int(m_files.endFraction(index) * width + 0.5);
    return QRect(left, top + 2, qMax(1, right - left), lineHeight() - 4);
}

QString PieceMapWidget::fileStripText(int index) const {
    if (index < 0 || index >= m_files.fileCount())
        return {};
    // The last part of the path: the torrent's name starts every one of them.
    const QString name = m_files.file(index).path.section(u'/', -1);
    const LabPeerSnapshot* peer =
        m_snapshot && m_selection->current() ? m_snapshot->peer(m_selection->current()) : nullptr;
    if (!peer || peer->have.size() != m_files.pieceCount())
        return name;
    return QStringLiteral("%1 %2%").arg(name).arg(qRound(m_files.progress(index, peer->have) * 100.0));
}

void PieceMapWidget::paintFileStrip(QPainter& painter, int top) {
    const QFontMetrics metrics = fontMetrics();
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QRect(m_columns.nameX, top, m_columns.labelWidth - m_columns.nameX - 4, lineHeight()),
                     Qt::AlignLeft | Qt::AlignVCenter,
                     m_selection->current() ? tr("files, #%1 has").arg(m_selection->current()) : tr("files"));
    const LabPeerSnapshot* peer =
        m_snapshot && m_selection->current() ? m_snapshot->peer(m_selection->current()) : nullptr;
    const bool progress = peer && peer->have.size() == m_files.pieceCount();
    for (int i = 0; i < m_files.fileCount(); ++i) {
        const QRect box = fileStripRect(i, top);
        const QColor shade =
            i % 2 ? palette().color(QPalette::AlternateBase) : palette().color(QPalette::Base);
        painter.fillRect(box, shade);
        // The share the current peer has fills the box from the left, as in a progress bar.
        if (progress) {
            QColor fill = m_renderer.palette().have;
            fill.setAlpha(90);
            painter.fillRect(QRect(box.left(), box.top(), int(box.width() * m_files.progress(i, peer->have)),
                                   box.height()),
                             fill);
        }
        QColor edge = palette().color(QPalette::Text);
        edge.setAlpha(150);
        painter.setPen(edge);
        painter.drawLine(box.left(), box.top(), box.left(), box.bottom());
        painter.setPen(palette().color(QPalette::Text));
        const QString text = metrics.elidedText(fileStripText(i), Qt::ElideMiddle, box.width() - 6);
        painter.drawText(box.adjusted(3, 0, -3, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
    }
}

void PieceMapWidget::paintHeader(QPainter& painter) {
    const QFontMetrics metrics = fontMetrics();
    const int line = lineHeight();
    painter.fillRect(m_header->rect(), palette().color(QPalette::Window));
    const qreal baseline = (line + metrics.ascent() - metrics.descent()) / 2.0;
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QPointF(m_columns.nameX, baseline), tr("peer"));
    auto right = [&](int rightEdge, const QString& text) {
        painter.drawText(QPointF(rightEdge - metrics.horizontalAdvance(text), baseline), text);
    };
    right(m_columns.doneRight, tr("done"));
    right(m_columns.downRight, tr("↓ in/s"));
    right(m_columns.upRight, tr("↑ out/s"));

    // The colours, over the bitmaps, or on a line of their own under the titles when they do not fit there.
    const PieceMapPalette& p = m_renderer.palette();
    const LegendItem items[] = {{p.have, tr("have")},
                                {p.downloading, tr("downloading")},
                                {p.missing, tr("missing")},
                                {p.arrived, tr("just arrived")}};
    const int box = metrics.ascent() - 2;
    int x = m_legendOnOwnLine ? m_columns.nameX : m_columns.labelWidth;
    const qreal legendLine = m_legendOnOwnLine ? baseline + line - 4 : baseline;
    for (const LegendItem& item : items) {
        const int width = box + 4 + metrics.horizontalAdvance(item.text);
        const QRect swatch(x, int(legendLine) - box + 1, box, box);
        painter.fillRect(swatch, item.colour);
        painter.setPen(item.colour.darker(140));
        painter.drawRect(swatch.adjusted(0, 0, -1, -1));
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QPointF(x + box + 4, legendLine), item.text);
        x += width + kColumnGap + 4;
    }
    if (m_files.isMultiFile())
        paintFileStrip(painter, fileStripTop());
}

QString PieceMapWidget::headerToolTip(const QPoint& pos) const {
    if (m_files.isMultiFile() && pos.y() >= fileStripTop()) {
        for (int i = 0; i < m_files.fileCount(); ++i) {
            if (!fileStripRect(i, fileStripTop()).contains(pos))
                continue;
            const TorrentFileLayout::File& f = m_files.file(i);
            QString text = tr("%1\n%2, pieces %3–%4")
                               .arg(f.path, formatSize(f.length))
                               .arg(f.firstPiece)
                               .arg(qMax(f.firstPiece, f.endPiece - 1));
            const LabPeerSnapshot* peer =
                m_snapshot && m_selection->current() ? m_snapshot->peer(m_selection->current()) : nullptr;
            if (peer && peer->have.size() == m_files.pieceCount())
                text += tr("\n#%1 has %2 of its %3 pieces (%4 %)")
                            .arg(peer->id)
                            .arg(m_files.piecesHad(i, peer->have))
                            .arg(f.endPiece - f.firstPiece)
                            .arg(m_files.progress(i, peer->have) * 100.0, 0, 'f', 1);
            else
                text += tr("\nSelect a peer to see how much of this file it has.");
            return text;
        }
    }
    return tr("Rates are payload bytes per second: K = KiB/s, M = MiB/s. A filled S marks a seeder; an "
              "outlined box, a leecher that has finished; a cross, a killed peer; two bars, a paused one.");
}

bool PieceMapWidget::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_header && event->type() == QEvent::Paint) {
        QPainter painter(m_header);
        paintHeader(painter);
        return true;
    }
    if (watched == m_header && event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        QToolTip::showText(help->globalPos(), headerToolTip(help->pos()), m_header);
        return true;
    }
    return QAbstractScrollArea::eventFilter(watched, event);
}

} // namespace swarmscope::ui
