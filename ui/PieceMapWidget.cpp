#include "PieceMapWidget.h"

#include "PeerListModel.h"

#include <QHelpEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>

namespace swarmscope::ui {

namespace {

constexpr int kBarMargin = 6; // right of the bitmap
constexpr int kBarInset = 3;  // above and below the bitmap inside its row
constexpr int kLabelPadding = 6;

QRgb blend(QRgb a, QRgb b, double t) {
    return qRgb(int(qRed(a) + (qRed(b) - qRed(a)) * t + 0.5),
                int(qGreen(a) + (qGreen(b) - qGreen(a)) * t + 0.5),
                int(qBlue(a) + (qBlue(b) - qBlue(a)) * t + 0.5));
}

// "1.2M", "300K", "0": the label column has room for four characters per rate.
QString compactRate(qint64 bytesPerSecond) {
    if (bytesPerSecond <= 0)
        return QStringLiteral("0");
    static const char units[] = {'B', 'K', 'M', 'G', 'T'};
    double value = double(bytesPerSecond);
    int unit = 0;
    while (value >= 1000.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    const int decimals = value < 10.0 && unit > 0 ? 1 : 0;
    return QString::number(value, 'f', decimals) + QLatin1Char(units[unit]);
}

QString swatch(const QColor& color, const QString& text) {
    return QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2").arg(color.name(), text);
}

bool sameBits(const Bitfield& a, const Bitfield& b) {
    // Snapshots share unchanged bitfields with the engine, so most rows are decided by the pointer alone.
    return a.size() == b.size() && (a.toWire().constData() == b.toWire().constData() || a == b);
}

} // namespace

PieceMapWidget::PieceMapWidget(QWidget* parent) : QAbstractScrollArea(parent) {
    setFrameShape(QFrame::NoFrame); // a canvas, like the swarm graph beside it
    setViewportMargins(0, kLegendHeight, 0, 0);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setMouseTracking(false);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    verticalScrollBar()->setSingleStep(kRowHeight);

    const PieceMapPalette& p = m_renderer.palette();
    m_legend = new QLabel(this);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setText(swatch(p.have, tr("have")) + QStringLiteral("&nbsp;&nbsp;") +
                      swatch(p.downloading, tr("downloading")) + QStringLiteral("&nbsp;&nbsp;") +
                      swatch(p.missing, tr("missing")) + QStringLiteral("&nbsp;&nbsp;") +
                      swatch(p.arrived, tr("just arrived")) + QStringLiteral("&nbsp;&nbsp;") +
                      tr("<b>S</b> seeder"));
    m_legend->setContentsMargins(kLabelPadding, 0, 0, 0);
}

PieceMapWidget::~PieceMapWidget() = default;

void PieceMapWidget::setSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    const qint64 now = snapshot ? snapshot->timeMs : 0;
    std::vector<Row> rows;
    const qsizetype peerCount = snapshot ? snapshot->peers.size() : 0;
    rows.reserve(size_t(peerCount));
    QHash<int, int> rowOfPeer;
    rowOfPeer.reserve(peerCount);
    bool layoutChanged = qsizetype(m_rows.size()) != peerCount;

    for (qsizetype i = 0; i < peerCount; ++i) {
        const LabPeerSnapshot& p = snapshot->peers[i];
        const auto previous = m_rowOfPeer.constFind(p.id);
        Row row;
        if (previous != m_rowOfPeer.cend()) {
            row = std::move(m_rows[size_t(*previous)]);
        } else {
            layoutChanged = true;
            row.peer = p.id;
        }
        layoutChanged |= previous != m_rowOfPeer.cend() && *previous != int(i);

        const bool haveChanged = !sameBits(row.have, p.have);
        if (haveChanged && !row.have.isEmpty() && row.have.size() == p.have.size()) {
            Bitfield arrived = p.have.andNot(row.have);
            if (!arrived.none())
                row.arrivals.push_back({now, std::move(arrived)});
        }
        const bool hadArrivals = !row.arrivals.empty();
        while (!row.arrivals.empty() && now - row.arrivals.front().timeMs >= m_arrivalMs)
            row.arrivals.pop_front();
        // A highlight fades with every snapshot, so a row with one is drawn again even when its bits are not.
        row.dirty |= haveChanged || hadArrivals || !sameBits(row.inFlight, p.inFlight);

        row.torrent = p.torrent;
        row.seeder = p.role == TorrentRole::Seeder;
        row.complete = p.isComplete();
        row.state = p.state;
        row.progress = p.progress();
        row.downloadRate = p.downloadRate;
        row.uploadRate = p.uploadRate;
        row.have = p.have;
        row.inFlight = p.inFlight;
        if (row.name.isEmpty())
            row.name = PeerListModel::peerName(p);
        rowOfPeer.insert(p.id, int(i));
        rows.push_back(std::move(row));
    }
    for (auto it = m_senders.begin(); it != m_senders.end();)
        it = rowOfPeer.contains(it.key()) ? std::next(it) : m_senders.erase(it);

    m_rows = std::move(rows);
    m_rowOfPeer = std::move(rowOfPeer);
    if (layoutChanged)
        updateScrollBars();
    viewport()->update();
}

void PieceMapWidget::setSelectedPeer(int peerId) {
    if (peerId == m_selectedPeer)
        return;
    m_selectedPeer = peerId;
    // A peer picked in another view is brought into sight here.
    scrollToPeer(peerId);
    viewport()->update();
}

void PieceMapWidget::appendEvents(const QList<SwarmEvent>& events) {
    for (const SwarmEvent& e : events) {
        if (e.event.kind == PeerEventKind::PieceVerified && e.event.piece >= 0 && e.remotePeer > 0)
            m_senders[e.peer].insert(e.event.piece, e.remotePeer);
        else if (e.event.kind == PeerEventKind::HashFailed && e.event.piece >= 0)
            m_senders[e.peer].remove(e.event.piece);
    }
}

void PieceMapWidget::setArrivalHighlightMs(int ms) {
    m_arrivalMs = qMax(0, ms);
}

int PieceMapWidget::barWidth() const {
    return qMax(1, viewport()->width() - kLabelWidth - kBarMargin);
}

QRect PieceMapWidget::rowRect(int index) const {
    return QRect(0, index * kRowHeight - verticalScrollBar()->value(), viewport()->width(), kRowHeight);
}

int PieceMapWidget::rowAt(int y) const {
    if (y < 0)
        return -1;
    const int index = (y + verticalScrollBar()->value()) / kRowHeight;
    return index < int(m_rows.size()) ? index : -1;
}

QRect PieceMapWidget::pieceBarRect(int peerId) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend())
        return {};
    const QRect row = rowRect(*it);
    return QRect(kLabelWidth, row.top() + kBarInset, barWidth(), kRowHeight - 2 * kBarInset);
}

int PieceMapWidget::peerAt(const QPoint& viewportPos) const {
    const int index = rowAt(viewportPos.y());
    return index >= 0 ? m_rows[size_t(index)].peer : 0;
}

int PieceMapWidget::pieceAt(const QPoint& viewportPos) const {
    const int index = rowAt(viewportPos.y());
    if (index < 0)
        return -1;
    const int x = viewportPos.x() - kLabelWidth;
    const int width = barWidth();
    const int pieces = m_rows[size_t(index)].have.size();
    if (x < 0 || x >= width || pieces <= 0)
        return -1;
    // With fewer pixels than pieces, the first piece under the pixel stands for the pixel.
    return PieceMapRenderer::piecesAt(x, width, pieces).first;
}

int PieceMapWidget::availability(int torrent, int piece) const {
    if (!m_snapshot || piece < 0)
        return 0;
    int count = 0;
    for (const LabPeerSnapshot& p : m_snapshot->peers)
        if (p.torrent == torrent && piece < p.have.size() && p.have.testBit(piece))
            ++count;
    return count;
}

QString PieceMapWidget::pieceToolTip(int peerId, int piece) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend() || piece < 0 || piece >= m_rows[size_t(*it)].have.size())
        return {};
    const Row& row = m_rows[size_t(*it)];
    int peersOfTorrent = 0;
    for (const Row& r : m_rows)
        peersOfTorrent += r.torrent == row.torrent ? 1 : 0;
    QString state;
    if (row.have.testBit(piece))
        state = tr("have");
    else if (piece < row.inFlight.size() && row.inFlight.testBit(piece))
        state = tr("downloading");
    else
        state = tr("missing");
    QString from;
    if (row.seeder && row.have.testBit(piece)) {
        from = tr("seeded");
    } else if (row.have.testBit(piece)) {
        const int sender = m_senders.value(row.peer).value(piece, 0);
        from = sender > 0 ? QStringLiteral("#%1").arg(sender) : tr("unknown");
    } else {
        from = QStringLiteral("—");
    }
    return tr("%1, piece %2 (%3)\navailability: %4 of %5 peers\nfrom: %6")
        .arg(row.name)
        .arg(piece)
        .arg(state)
        .arg(availability(row.torrent, piece))
        .arg(peersOfTorrent)
        .arg(from);
}

void PieceMapWidget::scrollToPeer(int peerId) {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend())
        return;
    const int top = *it * kRowHeight;
    QScrollBar* bar = verticalScrollBar();
    if (top < bar->value())
        bar->setValue(top);
    else if (top + kRowHeight > bar->value() + viewport()->height())
        bar->setValue(top + kRowHeight - viewport()->height());
}

void PieceMapWidget::updateScrollBars() {
    const int content = int(m_rows.size()) * kRowHeight;
    verticalScrollBar()->setPageStep(viewport()->height());
    verticalScrollBar()->setRange(0, qMax(0, content - viewport()->height()));
}

void PieceMapWidget::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    const QRect area = contentsRect();
    m_legend->setGeometry(area.left(), area.top(), area.width(), kLegendHeight);
    updateScrollBars();
}

void PieceMapWidget::scrollContentsBy(int, int) {
    viewport()->update();
}

void PieceMapWidget::ensureImage(Row& row, int width) const {
    if (!row.dirty && row.image.width() == width)
        return;
    row.image = m_renderer.renderRow(row.have, row.inFlight, {}, width);
    const qint64 now = m_snapshot ? m_snapshot->timeMs : 0;
    const QRgb arrived = m_renderer.palette().arrived.rgb();
    const QRgb have = m_renderer.palette().have.rgb();
    // Oldest first, so a piece in two groups shows its newest, brightest highlight.
    for (const Arrival& a : row.arrivals) {
        const double age = m_arrivalMs > 0 ? qBound(0.0, double(now - a.timeMs) / m_arrivalMs, 1.0) : 1.0;
        PieceMapRenderer::overlayPieces(row.image, a.pieces, blend(arrived, have, age));
    }
    row.dirty = false;
}

void PieceMapWidget::paintEvent(QPaintEvent* event) {
    QPainter painter(viewport());
    const QRect dirty = event->rect();
    // Filled in strips of at most one row's height: Qt's raster engine hands taller fills to its thread pool
    // and waits for it, which on a busy machine costs more than the fill.
    for (int y = dirty.top(); y <= dirty.bottom(); y += kRowHeight)
        painter.fillRect(QRect(dirty.left(), y, dirty.width(), qMin(kRowHeight, dirty.bottom() + 1 - y)),
                         palette().base());
    if (m_rows.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(viewport()->rect(), Qt::AlignCenter, tr("No peers yet"));
        return;
    }
    const QFontMetrics metrics = fontMetrics();
    m_textAscent = metrics.ascent();
    m_textDescent = metrics.descent();
    m_numbersX = kLabelPadding + kRowHeight + metrics.horizontalAdvance(QStringLiteral("#0000 leecher "));
    const int first = qMax(0, rowAt(dirty.top()));
    const int scroll = verticalScrollBar()->value();
    const int last = qMin(int(m_rows.size()) - 1, (dirty.bottom() + scroll) / kRowHeight);
    for (int i = first; i <= last; ++i)
        paintBar(painter, m_rows[size_t(i)], rowRect(i));
    // Labels are clipped to their column, however wide the font makes them.
    painter.setClipRect(QRect(0, dirty.top(), kLabelWidth - 2, dirty.height()));
    for (int i = first; i <= last; ++i)
        paintLabel(painter, m_rows[size_t(i)], rowRect(i));
}

void PieceMapWidget::paintBar(QPainter& painter, Row& row, const QRect& rect) {
    const bool selected = row.peer == m_selectedPeer;
    if (selected)
        painter.fillRect(rect, palette().color(QPalette::Highlight).lighter(170));

    const int width = barWidth();
    ensureImage(row, width);
    const QRect bar(kLabelWidth, rect.top() + kBarInset, width, rect.height() - 2 * kBarInset);
    painter.drawImage(bar, row.image);
    if (selected) {
        painter.setPen(palette().color(QPalette::Highlight));
        painter.drawRect(bar.adjusted(-1, -1, 0, 0));
    }
}

void PieceMapWidget::paintLabel(QPainter& painter, const Row& row, const QRect& rect) {
    // The seeder mark: a filled badge, visible at a glance even in a long list.
    const int badge = rect.height() - 6;
    const QRect badgeRect(kLabelPadding, rect.top() + 3, badge, badge);
    if (row.seeder) {
        painter.fillRect(badgeRect, m_renderer.palette().have.darker(130));
        painter.setPen(Qt::white);
        painter.drawText(badgeRect, Qt::AlignCenter, QStringLiteral("S"));
    } else if (row.complete) {
        painter.setPen(m_renderer.palette().have.darker(130));
        painter.drawRect(badgeRect.adjusted(0, 0, -1, -1));
    }

    // Text at fixed columns and baselines: drawing at a point skips the layout pass that aligned text needs,
    // which matters when every visible row changes its numbers ten times a second.
    const bool running = row.state == LabPeerState::Downloading || row.state == LabPeerState::Seeding;
    painter.setPen(palette().color(running ? QPalette::Text : QPalette::PlaceholderText));
    const qreal baseline = rect.top() + (rect.height() + m_textAscent - m_textDescent) / 2.0;
    painter.drawText(QPointF(badgeRect.right() + 5, baseline), row.name);
    const QString numbers = QString::number(row.progress * 100.0, 'f', row.progress < 1.0 ? 1 : 0) +
                            QStringLiteral("%  ↓") + compactRate(row.downloadRate) + QStringLiteral(" ↑") +
                            compactRate(row.uploadRate);
    painter.drawText(QPointF(m_numbersX, baseline), numbers);
}

void PieceMapWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const int peer = peerAt(event->position().toPoint());
    if (peer > 0) {
        setSelectedPeer(peer);
        emit peerSelected(peer);
    }
}

bool PieceMapWidget::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int peer = peerAt(help->pos());
        const int piece = pieceAt(help->pos());
        QString text;
        if (peer > 0 && piece >= 0) {
            text = pieceToolTip(peer, piece);
        } else if (peer > 0) {
            const Row& row = m_rows[size_t(m_rowOfPeer.value(peer))];
            text = row.name + QStringLiteral(" — ") + labPeerStateName(row.state) + QStringLiteral(", ") +
                   tr("%1 of %2 pieces").arg(row.have.count()).arg(row.have.size());
        }
        if (text.isEmpty())
            return QAbstractScrollArea::viewportEvent(event); // the widget's own tooltip, if it has one
        QToolTip::showText(help->globalPos(), text, viewport());
        return true;
    }
    if (event->type() == QEvent::MouseButtonRelease) {
        event->accept(); // the press did the selecting
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

} // namespace swarmscope::ui
