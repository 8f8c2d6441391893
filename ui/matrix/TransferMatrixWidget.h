#pragma once

#include "matrix/TransferMatrix.h"
#include "shared/PeerSelection.h"

#include "swarm/SwarmSnapshot.h"

#include <QPointer>
#include <QWidget>

namespace swarmscope::ui {

// "Who sent what": a heat map with a row per sender and a column per receiver, each cell the bytes that
// sender sent that receiver in the charts' time window (TransferMatrix), coloured on a heat scale in
// proportion to the largest cell, shown in a legend beside it. Hovering a cell tells its exact figures;
// clicking it selects the pair, the sender as the current peer, so the graph, the piece map and the inspector
// show the two of them.
class TransferMatrixWidget : public QWidget {
    Q_OBJECT
public:
    explicit TransferMatrixWidget(QWidget* parent = nullptr);

    void setSnapshot(const swarmscope::SwarmSnapshotPtr& snapshot);
    // The selection the matrix shows and changes; by default one of its own.
    void setSelection(PeerSelection* selection);
    PeerSelection* selection() const { return m_selection; }
    // Seconds summed; 0: the whole run. The window follows the charts'.
    void setWindowSeconds(int seconds);
    // Forgets everything (another torrent is shown).
    void clear();

    // What the matrix shows: the live one, or the past one given.
    const TransferMatrix& matrix() const { return m_past ? *m_past : m_matrix; }
    // A past moment's sums instead of the live ones (the timeline moved back); null returns to live. The
    // live matrix keeps counting meanwhile.
    void showPast(const TransferMatrix* past);
    bool isShowingPast() const { return m_past != nullptr; }
    // Geometry, for tests and hit testing: a cell's rectangle, and the cell under a point ({0, 0} when none).
    QRect cellRect(int sender, int receiver) const;
    std::pair<int, int> cellAt(const QPoint& pos) const;
    // What hovering a cell says.
    QString cellToolTip(int sender, int receiver) const;
    // The colour a cell of this many bytes gets on the current scale.
    QColor heatColour(qint64 bytes) const;

    // The size of a picture of the matrix: a grid of about 800 pixels (fewer when the cells reach their
    // largest), with room for the labels and the legend and no more.
    QSize exportSize() const;
    QSize sizeHint() const override { return {420, 420}; }
    QSize minimumSizeHint() const override { return {200, 160}; }

signals:
    // A click on a cell selected this pair.
    void pairSelected(int sender, int receiver);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct Layout {
        QRect grid;   // the cells
        int cell = 0; // a cell's side
        int labelStep = 1;
        QRect legend; // the heat scale's bar
    };
    Layout layout() const;
    QString windowText() const;
    int maxCell() const;
    // Position of bytes on the scale, 0..1: in proportion to the largest cell.
    double level(qint64 bytes) const;

    TransferMatrix m_matrix;
    const TransferMatrix* m_past = nullptr;
    QPointer<PeerSelection> m_selection;
    PeerSelection* m_ownSelection = nullptr;
};

} // namespace swarmscope::ui
