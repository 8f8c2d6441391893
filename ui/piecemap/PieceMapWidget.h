#pragma once

#include "piecemap/PieceMapRenderer.h"
#include "shared/PeerSelection.h"
#include "shared/TorrentFileLayout.h"

#include "swarm/SwarmEvent.h"
#include "swarm/SwarmSnapshot.h"

#include <QAbstractScrollArea>
#include <QHash>
#include <QImage>
#include <QList>
#include <QPointer>
#include <QStaticText>

#include <deque>
#include <vector>

class QRubberBand;

namespace swarmscope::ui {

// Every lab peer as one row: a label column (state mark, name, share complete, rates) and the peer's piece
// bitmap. Rows are painted from cached one-pixel-high images that are re-rendered only when the peer's
// bitfields, its state or the bitmap width change, and only the rows in view are painted, so 500 peers of
// 10,000 pieces cost no more per frame than the few dozen rows on screen. Pieces that arrived in the last
// second are highlighted, fading out. A killed peer's row is greyed and hatched and says so; a paused one is
// veiled. A multi-file torrent gets a strip over the bitmaps naming each file, with the current peer's share
// of it, and a line through every bitmap where one file ends and the next begins.
//
// Selection: click, Ctrl+click, Shift+click and a rubber band (drag across rows) change the shared
// PeerSelection; every selected row is highlighted, the current one framed.
class PieceMapWidget : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit PieceMapWidget(QWidget* parent = nullptr);
    ~PieceMapWidget() override;

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    const swarmscope::SwarmSnapshotPtr& snapshot() const { return m_snapshot; }
    // The snapshot on screen, by its sequence number (0 before the first).
    quint64 shownSequence() const { return m_snapshot ? m_snapshot->sequence : 0; }
    // The selection the map shows and changes; by default one of its own.
    void setSelection(PeerSelection* selection);
    PeerSelection* selection() const { return m_selection; }
    // Selects just this peer (0: none); the current selected peer.
    void setSelectedPeer(int peerId);
    int selectedPeer() const;
    // Remembers which lab peer delivered each verified piece, for the tooltip, when the events say so.
    void appendEvents(const QList<swarmscope::SwarmEvent>& events);
    // The shown torrent's files; an empty layout (or one file) draws no boundaries.
    void setFileLayout(const TorrentFileLayout& layout);
    const TorrentFileLayout& fileLayout() const { return m_files; }

    // How long a piece stays highlighted after it arrived, in lab milliseconds (default 1000).
    void setArrivalHighlightMs(int ms);
    int arrivalHighlightMs() const { return m_arrivalMs; }

    // Geometry, for tests and for scrolling to a peer: the viewport rectangle of a peer's bitmap (empty when
    // the peer is not shown), and the peer and piece under a viewport point (0 and -1 when none).
    QRect pieceBarRect(int peerId) const;
    int peerAt(const QPoint& viewportPos) const;
    int pieceAt(const QPoint& viewportPos) const;
    // The viewport x of every boundary between two files, left to right.
    QList<int> fileBoundaryXs() const;
    // The tooltip text for a piece of a peer's row: index, availability, who sent it, its file.
    QString pieceToolTip(int peerId, int piece) const;
    // What the file strip says over file index: its name and the current peer's share of it.
    QString fileStripText(int index) const;
    // How many lab peers of the peer's torrent have the piece.
    int availability(int torrent, int piece) const;
    void scrollToPeer(int peerId);

    static constexpr int kRowHeight = 18; // at the default font; rows grow with a larger font (zoom)
    int rowHeight() const { return m_rowHeight; }
    // Width of the label column left of the bitmaps: wide enough for "#9999 leecher 100.0% ↓999.9K ↑999.9K"
    // in the widget's font.
    int labelWidth() const { return m_columns.labelWidth; }
    // The share complete a row shows for a peer, 0..1; -1 when the peer has no row.
    double shownProgress(int peerId) const;
    // The word over a row's bitmap for a peer that is not running ("killed", "paused", ...); empty otherwise.
    QString stateOverlayText(int peerId) const;
    // A picture's size: every row, at a width where each piece has room.
    QSize exportSize() const;

signals:
    // A click in the map made peerId the current peer.
    void peerSelected(int peerId);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    struct Arrival {
        qint64 timeMs = 0;
        Bitfield pieces;
    };
    struct Row {
        int peer = 0;
        int torrent = 0;
        bool seeder = false;    // added as a seeder
        bool complete = false;  // has every piece
        bool freeRider = false; // named so: it uploads nothing
        LabPeerState state = LabPeerState::Starting;
        double progress = 0.0;
        qint64 downloadRate = 0;
        qint64 uploadRate = 0;
        QString name; // "#3 leecher"
        Bitfield have;
        Bitfield inFlight;
        std::deque<Arrival> arrivals; // newest last, none older than the highlight
        QImage image;                 // the rendered bitmap, one pixel high
        bool dirty = true;
    };

    // Where the label column's parts go, from the font: the name left-aligned, the figures right-aligned.
    struct Columns {
        int nameX = 0;
        int doneRight = 0;
        int downRight = 0;
        int upRight = 0;
        int labelWidth = 230;
    };

    void updateColumns();
    // Lays the header out for the current width: a line of titles and the colour legend (two when the
    // legend does not fit over the bitmaps), and the file strip for a multi-file torrent.
    void updateHeader();
    int lineHeight() const;
    int legendWidth() const;
    void paintHeader(QPainter& painter);
    void paintFileStrip(QPainter& painter, int top);
    QRect fileStripRect(int index, int top) const;
    int fileStripTop() const;
    void updateScrollBars();
    int barWidth() const;
    QRect rowRect(int index) const;
    void paintBar(QPainter& painter, Row& row, const QRect& rect, qreal scale);
    void paintLabel(QPainter& painter, const Row& row, const QRect& rect);
    void paintStateMark(QPainter& painter, const Row& row, const QRect& badge);
    const QStaticText& staticText(const QString& text);
    int rowAt(int y) const;
    void ensureImage(Row& row, int pixels) const;
    QList<int> peerOrder() const;
    QString headerToolTip(const QPoint& pos) const;

    PieceMapRenderer m_renderer;
    SwarmSnapshotPtr m_snapshot;
    std::vector<Row> m_rows;     // in snapshot order (ascending peer id)
    QHash<int, int> m_rowOfPeer; // peer id -> index in m_rows
    // receiving peer -> (piece -> the lab peer that delivered it), filled only when events name the sender.
    QHash<int, QHash<int, int>> m_senders;
    QWidget* m_header = nullptr; // column titles over the labels, the colour legend over the bitmaps
    Columns m_columns;
    TorrentFileLayout m_files;
    QHash<QString, QStaticText> m_textCache; // label texts, laid out in the widget's font
    bool m_legendOnOwnLine = false;
    QPointer<PeerSelection> m_selection;
    PeerSelection* m_ownSelection = nullptr;
    QRubberBand* m_band = nullptr;
    QPoint m_pressPos;
    bool m_banding = false;
    int m_arrivalMs = 1000;
    int m_rowHeight = kRowHeight;
    int m_textAscent = 0; // of the font, refreshed each paint
    int m_textDescent = 0;
};

} // namespace swarmscope::ui
