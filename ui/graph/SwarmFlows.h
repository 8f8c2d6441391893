#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QHash>
#include <QList>

#include <vector>

namespace swarmscope::ui {

// Who sends to whom right now, from the snapshots' per-connection rates: one flow per direction of a
// connection between two lab peers while payload moves along it. A flow that stops is kept a little while
// longer, fading, so that a choke round or a gap between requests does not make the graph flicker. The scale
// the graph draws rates on follows the busiest flow: it rises at once and falls slowly.
class SwarmFlows {
public:
    struct Flow {
        int from = 0; // lab peer ids
        int to = 0;
        qint64 rate = 0;      // payload bytes per second now; 0 while fading out
        qint64 shownRate = 0; // what it is drawn at: the rate, or the last one while it fades
        double opacity = 1.0; // 1 while flowing, down to 0 at the end of the fade
        bool flowing() const { return rate > 0; }
    };

    // Below this a connection counts as idle: a few requests' worth of trickle is not a flow.
    static constexpr qint64 kMinRate = 512;
    // How long a flow stays on screen after it stopped, in lab milliseconds.
    static constexpr qint64 kFadeMs = 1500;
    // The scale never goes below this, so an idle swarm does not magnify a trickle to full width.
    static constexpr qint64 kMinScale = 16 * 1024;

    void update(const SwarmSnapshot& snapshot);
    void clear();

    // Flowing and fading flows, busiest first.
    const std::vector<Flow>& flows() const { return m_flows; }
    int flowingCount() const { return m_flowing; }
    // Connected pairs of lab peers, flowing or not.
    int connectionCount() const { return m_connections; }
    // The top of the scale, bytes per second, and where a rate sits on it, 0..1, in proportion: a flow half
    // as busy as the busiest is drawn half as far along the scale, so the eye can compare them.
    qint64 scaleMax() const { return m_scaleMax; }
    double level(qint64 rate) const;

private:
    struct State {
        qint64 rate = 0;
        qint64 lastFlowingMs = 0;
    };
    QHash<quint64, State> m_state; // (from << 32 | to) -> what it did last
    std::vector<Flow> m_flows;
    qint64 m_scaleMax = kMinScale;
    qint64 m_lastTimeMs = -1;
    int m_flowing = 0;
    int m_connections = 0;
};

} // namespace swarmscope::ui
