#include "piecemap/PieceMapWidget.h"

#include "shared/PeerListModel.h"
#include "shared/PeerSelection.h"
#include "shared/ViewExport.h"

#include <QPaintEvent>
#include <QPainter>
#include <QRubberBand>
#include <QScrollBar>
#include <QStaticText>

namespace swarmscope::ui {

namespace {

constexpr int kBarMargin = 6; // right of the bitmap
constexpr int kLabelPadding = 6;
constexpr int kColumnGap = 8; // between the label column's parts

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

bool sameBits(const Bitfield& a, const Bitfield& b) {
    // Snapshots share unchanged bitfields with the engine, so most rows are decided by the pointer alone.
    return a.size() == b.size() && (a.toWire().constData() == b.toWire().constData() || a == b);
}

bool isRunning(LabPeerState state) {
    return state == LabPeerState::Downloading || state == LabPeerState::Seeding;
}

// A killed peer's pieces are still on its disk, but nobody can get them: the colours go grey.
void greyOut(QImage& image) {
    auto* pixels = reinterpret_cast<QRgb*>(image.scanLine(0));
    for (int x = 0; x < image.width(); ++x) {
        const int grey = qGray(pixels[x]);
        const int light = 150 + grey * 90 / 255;
        pixels[x] = qRgb(light, light, light);
    }
}

} // namespace

PieceMapWidget::PieceMapWidget(QWidget* parent) : QAbstractScrollArea(parent) {
    setFrameShape(QFrame::NoFrame); // a canvas, like the swarm graph beside it
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setMouseTracking(false);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    m_ownSelection = new PeerSelection(this);
    setSelection(nullptr);
    m_band = new QRubberBand(QRubberBand::Rectangle, viewport());

    m_header = new QWidget(this);
    m_header->setMouseTracking(true);
    m_header->installEventFilter(this);
    updateColumns();
}

PieceMapWidget::~PieceMapWidget() = default;

void PieceMapWidget::setSelection(PeerSelection* selection) {
    if (m_selection)
        disconnect(m_selection, nullptr, this, nullptr);
    m_selection = selection ? selection : m_ownSelection;
    connect(m_selection, &PeerSelection::changed, this, [this]() {
        // A peer picked in another view is brought into sight here.
        scrollToPeer(m_selection->current());
        viewport()->update();
        m_header->update();
    });
    viewport()->update();
}

void PieceMapWidget::setSelectedPeer(int peerId) {
    m_selection->selectOnly(peerId);
}

int PieceMapWidget::selectedPeer() const {
    return m_selection->current();
}

QList<int> PieceMapWidget::peerOrder() const {
    QList<int> order;
    order.reserve(qsizetype(m_rows.size()));
    for (const Row& row : m_rows)
        order.append(row.peer);
    return order;
}

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
        row.dirty |= haveChanged || hadArrivals || !sameBits(row.inFlight, p.inFlight) ||
                     (row.state == LabPeerState::Stopped) != (p.state == LabPeerState::Stopped);

        row.torrent = p.torrent;
        row.seeder = p.role == TorrentRole::Seeder;
        row.complete = p.isComplete();
        row.state = p.state;
        row.progress = p.progress();
        row.downloadRate = p.downloadRate;
        row.uploadRate = p.uploadRate;
        row.have = p.have;
        row.inFlight = p.inFlight;
        if (row.name.isEmpty() || row.freeRider != p.freeRider) {
            row.name = PeerListModel::peerName(p);
            row.freeRider = p.freeRider;
            row.dirty = true;
        }
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
    if (m_files.isMultiFile())
        m_header->update(); // the current peer's share of each file
}

void PieceMapWidget::appendEvents(const QList<SwarmEvent>& events) {
    for (const SwarmEvent& e : events) {
        if (e.event.kind == PeerEventKind::PieceVerified && e.event.piece >= 0 && e.remotePeer > 0)
            m_senders[e.peer].insert(e.event.piece, e.remotePeer);
        else if (e.event.kind == PeerEventKind::HashFailed && e.event.piece >= 0)
            m_senders[e.peer].remove(e.event.piece);
    }
}

void PieceMapWidget::setFileLayout(const TorrentFileLayout& layout) {
    m_files = layout;
    updateHeader();
    viewport()->update();
    m_header->update();
}

void PieceMapWidget::setArrivalHighlightMs(int ms) {
    m_arrivalMs = qMax(0, ms);
}

int PieceMapWidget::barWidth() const {
    return qMax(1, viewport()->width() - m_columns.labelWidth - kBarMargin);
}

QRect PieceMapWidget::rowRect(int index) const {
    return QRect(0, index * m_rowHeight - verticalScrollBar()->value(), viewport()->width(), m_rowHeight);
}

int PieceMapWidget::rowAt(int y) const {
    if (y < 0)
        return -1;
    const int index = (y + verticalScrollBar()->value()) / m_rowHeight;
    return index < int(m_rows.size()) ? index : -1;
}

QRect PieceMapWidget::pieceBarRect(int peerId) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend())
        return {};
    const QRect row = rowRect(*it);
    const int inset = qMax(3, m_rowHeight / 6);
    return QRect(m_columns.labelWidth, row.top() + inset, barWidth(), m_rowHeight - 2 * inset);
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

QList<int> PieceMapWidget::fileBoundaryXs() const {
    QList<int> xs;
    if (!m_files.isMultiFile())
        return xs;
    const int width = barWidth();
    for (int i = 1; i < m_files.fileCount(); ++i)
        xs.append(m_columns.labelWidth + int(m_files.startFraction(i) * width + 0.5));
    return xs;
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

void PieceMapWidget::scrollToPeer(int peerId) {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend())
        return;
    const int top = *it * m_rowHeight;
    QScrollBar* bar = verticalScrollBar();
    if (top < bar->value())
        bar->setValue(top);
    else if (top + m_rowHeight > bar->value() + viewport()->height())
        bar->setValue(top + m_rowHeight - viewport()->height());
}

void PieceMapWidget::updateScrollBars() {
    const int content = int(m_rows.size()) * m_rowHeight;
    verticalScrollBar()->setSingleStep(m_rowHeight);
    verticalScrollBar()->setPageStep(viewport()->height());
    verticalScrollBar()->setRange(0, qMax(0, content - viewport()->height()));
}

QSize PieceMapWidget::exportSize() const {
    const QMargins margins = viewportMargins();
    const int rows = qMax(1, int(m_rows.size()));
    return QSize(1600, qMin(8000, margins.top() + rows * m_rowHeight + 4));
}

void PieceMapWidget::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    updateHeader();
    updateScrollBars();
}

void PieceMapWidget::scrollContentsBy(int, int) {
    viewport()->update();
}

void PieceMapWidget::ensureImage(Row& row, int pixels) const {
    if (!row.dirty && row.image.width() == pixels)
        return;
    row.image = m_renderer.renderRow(row.have, row.inFlight, {}, pixels);
    const qint64 now = m_snapshot ? m_snapshot->timeMs : 0;
    const QRgb arrived = m_renderer.palette().arrived.rgb();
    const QRgb have = m_renderer.palette().have.rgb();
    // Oldest first, so a piece in two groups shows its newest, brightest highlight.
    for (const Arrival& a : row.arrivals) {
        const double age = m_arrivalMs > 0 ? qBound(0.0, double(now - a.timeMs) / m_arrivalMs, 1.0) : 1.0;
        PieceMapRenderer::overlayPieces(row.image, a.pieces, blend(arrived, have, age));
    }
    if (row.state == LabPeerState::Stopped)
        greyOut(row.image);
    row.dirty = false;
}

void PieceMapWidget::paintEvent(QPaintEvent* event) {
    QPainter painter(viewport());
    const qreal scale = paintScale(painter);
    const QRect dirty = event->rect();
    // Filled in strips of at most one row's height: Qt's raster engine hands taller fills to its thread pool
    // and waits for it, which on a busy machine costs more than the fill.
    for (int y = dirty.top(); y <= dirty.bottom(); y += m_rowHeight)
        painter.fillRect(QRect(dirty.left(), y, dirty.width(), qMin(m_rowHeight, dirty.bottom() + 1 - y)),
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
    const int last = qMin(int(m_rows.size()) - 1, (dirty.bottom() + scroll) / m_rowHeight);
    for (int i = first; i <= last; ++i)
        paintBar(painter, m_rows[size_t(i)], rowRect(i), scale);
    // Labels are clipped to their column, however wide the font makes them.
    painter.setClipRect(QRect(0, dirty.top(), m_columns.labelWidth - 2, dirty.height()));
    for (int i = first; i <= last; ++i)
        paintLabel(painter, m_rows[size_t(i)], rowRect(i));
}

QString PieceMapWidget::stateOverlayText(int peerId) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    if (it == m_rowOfPeer.cend())
        return {};
    switch (m_rows[size_t(*it)].state) {
    case LabPeerState::Stopped:
        return tr("killed — Restart brings it back");
    case LabPeerState::Paused:
        return tr("paused");
    case LabPeerState::Error:
        return tr("failed");
    case LabPeerState::Starting:
        return tr("starting…");
    case LabPeerState::Checking:
        return tr("checking its data…");
    case LabPeerState::Stopping:
        return tr("leaving…");
    case LabPeerState::Downloading:
    case LabPeerState::Seeding:
        break;
    }
    return {};
}

void PieceMapWidget::paintBar(QPainter& painter, Row& row, const QRect& rect, qreal scale) {
    const bool selected = m_selection->contains(row.peer);
    const bool current = row.peer == m_selection->current();
    if (selected)
        painter.fillRect(rect, palette().color(QPalette::Highlight).lighter(current ? 170 : 185));

    const int width = barWidth();
    ensureImage(row, qMax(1, int(width * scale + 0.5)));
    const int inset = qMax(3, m_rowHeight / 6);
    const QRect bar(m_columns.labelWidth, rect.top() + inset, width, rect.height() - 2 * inset);
    painter.drawImage(bar, row.image);

    // Where one file ends and the next begins, through every bitmap.
    if (m_files.isMultiFile()) {
        QColor line = palette().color(QPalette::Text);
        line.setAlpha(150);
        painter.setPen(line);
        for (int x : fileBoundaryXs())
            painter.drawLine(x, bar.top() - 1, x, bar.bottom() + 1);
    }

    if (!isRunning(row.state)) {
        if (row.state == LabPeerState::Stopped) {
            painter.fillRect(bar, QBrush(QColor(0x70, 0x70, 0x70), Qt::BDiagPattern));
        } else {
            QColor veil =
                row.state == LabPeerState::Error ? QColor(0xd6, 0x28, 0x28, 70) : QColor(255, 255, 255, 130);
            painter.fillRect(bar, veil);
        }
        const QString text = stateOverlayText(row.peer);
        const QFontMetrics metrics = fontMetrics();
        const int w = metrics.horizontalAdvance(text) + 12;
        const QRect pill(bar.left() + 8, bar.center().y() - metrics.height() / 2, qMin(w, bar.width() - 16),
                         metrics.height());
        painter.fillRect(pill, palette().color(QPalette::Base));
        painter.setPen(row.state == LabPeerState::Error ? QColor(0xb0, 0x20, 0x20)
                                                        : palette().color(QPalette::Text));
        painter.drawText(pill, Qt::AlignCenter, metrics.elidedText(text, Qt::ElideRight, pill.width() - 4));
    }
    if (current) {
        painter.setPen(palette().color(QPalette::Highlight));
        painter.drawRect(bar.adjusted(-1, -1, 0, 0));
    }
}

void PieceMapWidget::paintStateMark(QPainter& painter, const Row& row, const QRect& badge) {
    const QColor have = m_renderer.palette().have.darker(130);
    switch (row.state) {
    case LabPeerState::Stopped:
        // A cross: killed, whatever it had.
        painter.setPen(QPen(QColor(0x80, 0x80, 0x80), 2));
        painter.drawLine(badge.topLeft() + QPoint(2, 2), badge.bottomRight() - QPoint(2, 2));
        painter.drawLine(badge.topRight() + QPoint(-2, 2), badge.bottomLeft() + QPoint(2, -2));
        return;
    case LabPeerState::Paused: {
        const int w = qMax(2, badge.width() / 4);
        painter.fillRect(QRect(badge.left() + w / 2, badge.top() + 1, w, badge.height() - 2),
                         QColor(0x80, 0x80, 0x80));
        painter.fillRect(QRect(badge.right() - w - w / 2 + 1, badge.top() + 1, w, badge.height() - 2),
                         QColor(0x80, 0x80, 0x80));
        return;
    }
    case LabPeerState::Error:
        painter.fillRect(badge, QColor(0xc0, 0x30, 0x30));
        painter.setPen(Qt::white);
        painter.drawText(badge, Qt::AlignCenter, QStringLiteral("!"));
        return;
    default:
        break;
    }
    // The seeder mark: a filled badge, visible at a glance even in a long list.
    if (row.seeder) {
        painter.fillRect(badge, have);
        painter.setPen(Qt::white);
        painter.drawText(badge, Qt::AlignCenter, QStringLiteral("S"));
    } else if (row.complete) {
        painter.setPen(have);
        painter.drawRect(badge.adjusted(0, 0, -1, -1));
    }
}

void PieceMapWidget::paintLabel(QPainter& painter, const Row& row, const QRect& rect) {
    const int badge = m_rowHeight - 6;
    paintStateMark(painter, row, QRect(kLabelPadding, rect.top() + 3, badge, badge));

    // Every label text is laid out once and kept (names never change, and figures repeat): a visible row
    // changes its figures ten times a second, and laying out text is most of what a label costs.
    painter.setPen(palette().color(isRunning(row.state) ? QPalette::Text : QPalette::PlaceholderText));
    const qreal top = rect.top() + (rect.height() - m_textAscent - m_textDescent) / 2.0;
    painter.drawStaticText(QPointF(m_columns.nameX, top), staticText(row.name));
    // Figures right-aligned in their own columns, so they line up from row to row.
    auto right = [&](int rightEdge, const QString& text) {
        const QStaticText& laidOut = staticText(text);
        painter.drawStaticText(QPointF(rightEdge - laidOut.size().width(), top), laidOut);
    };
    right(m_columns.doneRight,
          QString::number(row.progress * 100.0, 'f', row.progress < 1.0 ? 1 : 0) + QLatin1Char('%'));
    // A killed peer moves nothing: a dash, not a zero that looks like an idle peer.
    const bool stopped = row.state == LabPeerState::Stopped;
    right(m_columns.downRight,
          stopped ? QStringLiteral("—") : QStringLiteral("↓") + compactRate(row.downloadRate));
    right(m_columns.upRight,
          stopped ? QStringLiteral("—") : QStringLiteral("↑") + compactRate(row.uploadRate));
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
    // Rows grow with the font, so a zoomed map stays legible and its bitmaps keep their share of the row.
    m_rowHeight = qMax(kRowHeight, metrics.height() + 4);
    Columns c;
    const int badge = m_rowHeight - 6;
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
    updateScrollBars();
    viewport()->update();
}

void PieceMapWidget::changeEvent(QEvent* event) {
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
        m_textCache.clear();
        updateColumns();
    }
}

double PieceMapWidget::shownProgress(int peerId) const {
    const auto it = m_rowOfPeer.constFind(peerId);
    return it == m_rowOfPeer.cend() ? -1.0 : m_rows[size_t(*it)].progress;
}

} // namespace swarmscope::ui
