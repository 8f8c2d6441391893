#include "piecemap/PieceMapWidget.h"

#include "shared/PeerListModel.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStaticText>
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

constexpr int kColumnGap = 8; // between the label column's parts

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

    m_header = new QWidget(this);
    m_header->setToolTip(tr("Rates are payload bytes per second: K = KiB/s, M = MiB/s. A filled S marks a "
                            "seeder; an outlined box, a leecher that has finished."));
    m_header->installEventFilter(this);
    updateColumns();
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
    return qMax(1, viewport()->width() - m_columns.labelWidth - kBarMargin);
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
    return QRect(m_columns.labelWidth, row.top() + kBarInset, barWidth(), kRowHeight - 2 * kBarInset);
}

int PieceMapWidget::peerAt(const QPoint& viewportPos) const {
    const int index = rowAt(viewportPos.y());
    return index >= 0 ? m_rows[size_t(index)].peer : 0;
}

int PieceMapWidget::pieceAt(const QPoint& viewportPos) const {
    const int index = rowAt(viewportPos.y());
    if (index < 0)
        return -1;
    const int x = viewportPos.x() - m_columns.labelWidth;
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
    updateHeader();
    updateScrollBars();
}

void PieceMapWidget::updateHeader() {
    const QRect area = contentsRect();
    const bool ownLine = m_columns.labelWidth + legendWidth() > area.width() - kBarMargin;
    const int height = ownLine ? 2 * kLegendHeight - 4 : kLegendHeight;
    if (ownLine != m_legendOnOwnLine || viewportMargins().top() != height) {
        m_legendOnOwnLine = ownLine;
        setViewportMargins(0, height, 0, 0);
    }
    m_header->setGeometry(area.left(), area.top(), area.width(), height);
    m_header->update();
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
    const int first = qMax(0, rowAt(dirty.top()));
    const int scroll = verticalScrollBar()->value();
    const int last = qMin(int(m_rows.size()) - 1, (dirty.bottom() + scroll) / kRowHeight);
    for (int i = first; i <= last; ++i)
        paintBar(painter, m_rows[size_t(i)], rowRect(i));
    // Labels are clipped to their column, however wide the font makes them.
    painter.setClipRect(QRect(0, dirty.top(), m_columns.labelWidth - 2, dirty.height()));
    for (int i = first; i <= last; ++i)
        paintLabel(painter, m_rows[size_t(i)], rowRect(i));
}

void PieceMapWidget::paintBar(QPainter& painter, Row& row, const QRect& rect) {
    const bool selected = row.peer == m_selectedPeer;
    if (selected)
        painter.fillRect(rect, palette().color(QPalette::Highlight).lighter(170));

    const int width = barWidth();
    ensureImage(row, width);
    const QRect bar(m_columns.labelWidth, rect.top() + kBarInset, width, rect.height() - 2 * kBarInset);
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

    // Every label text is laid out once and kept (names never change, and figures repeat): a visible row
    // changes its figures ten times a second, and laying out text is most of what a label costs.
    const bool running = row.state == LabPeerState::Downloading || row.state == LabPeerState::Seeding;
    painter.setPen(palette().color(running ? QPalette::Text : QPalette::PlaceholderText));
    const qreal top = rect.top() + (rect.height() - m_textAscent - m_textDescent) / 2.0;
    painter.drawStaticText(QPointF(m_columns.nameX, top), staticText(row.name));
    // Figures right-aligned in their own columns, so they line up from row to row.
    auto right = [&](int rightEdge, const QString& text) {
        const QStaticText& laidOut = staticText(text);
        painter.drawStaticText(QPointF(rightEdge - laidOut.size().width(), top), laidOut);
    };
    right(m_columns.doneRight,
          QString::number(row.progress * 100.0, 'f', row.progress < 1.0 ? 1 : 0) + QLatin1Char('%'));
    right(m_columns.downRight, QStringLiteral("↓") + compactRate(row.downloadRate));
    right(m_columns.upRight, QStringLiteral("↑") + compactRate(row.uploadRate));
}

const QStaticText& PieceMapWidget::staticText(const QString& text) {
    auto it = m_textCache.find(text);
    if (it == m_textCache.end()) {
        // Bounded: rates take many values over a long run; starting afresh now and then costs little.
        if (m_textCache.size() > 4000)
            m_textCache.clear();
        QStaticText laidOut(text);
        laidOut.setTextFormat(Qt::PlainText);
        laidOut.prepare(QTransform(), font());
        it = m_textCache.insert(text, laidOut);
    }
    return *it;
}

void PieceMapWidget::updateColumns() {
    const QFontMetrics metrics = fontMetrics();
    Columns c;
    const int badge = kRowHeight - 6;
    c.nameX = kLabelPadding + badge + 5;
    const int name = metrics.horizontalAdvance(QStringLiteral("#9999 leecher"));
    c.doneRight = c.nameX + name + kColumnGap + metrics.horizontalAdvance(QStringLiteral("100.0%"));
    c.downRight = c.doneRight + kColumnGap + metrics.horizontalAdvance(QStringLiteral("↓999.9K"));
    c.upRight = c.downRight + kColumnGap + metrics.horizontalAdvance(QStringLiteral("↑999.9K"));
    c.labelWidth = c.upRight + kLabelPadding + 2;
    const bool changed = c.labelWidth != m_columns.labelWidth;
    m_columns = c;
    if (changed)
        for (Row& row : m_rows)
            row.dirty = true;
    updateHeader();
    viewport()->update();
}

void PieceMapWidget::changeEvent(QEvent* event) {
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        m_textCache.clear();
        updateColumns();
    }
}

bool PieceMapWidget::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_header && event->type() == QEvent::Paint) {
        QPainter painter(m_header);
        paintHeader(painter);
        return true;
    }
    return QAbstractScrollArea::eventFilter(watched, event);
}

namespace {

struct LegendItem {
    QColor colour;
    QString text;
};

} // namespace

int PieceMapWidget::legendWidth() const {
    const QFontMetrics metrics = fontMetrics();
    const int box = metrics.ascent() - 2;
    int width = 0;
    for (const QString& text : {tr("have"), tr("downloading"), tr("missing"), tr("just arrived")})
        width += box + 4 + metrics.horizontalAdvance(text) + kColumnGap + 4;
    return width;
}

void PieceMapWidget::paintHeader(QPainter& painter) {
    const QFontMetrics metrics = fontMetrics();
    const qreal baseline = (kLegendHeight + metrics.ascent() - metrics.descent()) / 2.0;
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
    const qreal line = m_legendOnOwnLine ? baseline + kLegendHeight - 4 : baseline;
    for (const LegendItem& item : items) {
        const int width = box + 4 + metrics.horizontalAdvance(item.text);
        const QRect swatch(x, int(line) - box + 1, box, box);
        painter.fillRect(swatch, item.colour);
        painter.setPen(item.colour.darker(140));
        painter.drawRect(swatch.adjusted(0, 0, -1, -1));
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QPointF(x + box + 4, line), item.text);
        x += width + kColumnGap + 4;
    }
}

double PieceMapWidget::shownProgress(int peerId) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    return it == m_rowOfPeer.cend() ? -1.0 : m_rows[size_t(*it)].progress;
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
