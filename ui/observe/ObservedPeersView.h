#pragma once

#include "observe/SwarmWatch.h"
#include "piecemap/PieceMapRenderer.h"

#include <QHash>
#include <QWidget>

namespace swarmscope::ui {

// The observed swarm as rows, one per peer: a label (address, client, share, estimated rate) and the peer's
// piece bitmap, pieces it announced since the last observation highlighted. Peers no longer connected keep
// their last bitmap, greyed, and say so. The top row is the swarm's availability: how many connected peers
// hold each piece, darker for more.
class ObservedPeersView : public QWidget {
    Q_OBJECT
public:
    explicit ObservedPeersView(QWidget* parent = nullptr);

    void setObservation(const SwarmObservation& observation);
    // The label a peer's row shows; for tests.
    static QString rowLabel(const ObservedPeer& peer, int pieceCount);

    // The pieces a peer announced between the last two observations (what its row highlights).
    Bitfield arrivedOf(const ObservedPeer& peer) const { return m_arrived.value(keyOf(peer)); }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    static constexpr int kRowHeight = 20;
    static constexpr int kLabelWidth = 420;
    static QString keyOf(const ObservedPeer& peer);

    SwarmObservation m_observation;
    QHash<QString, Bitfield> m_previous; // each peer's pieces at the observation before
    QHash<QString, Bitfield> m_arrived;  // what it announced since
    PieceMapRenderer m_renderer;
};

} // namespace swarmscope::ui
