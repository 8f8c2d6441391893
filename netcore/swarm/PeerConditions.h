#pragma once

#include <QtGlobal>

namespace swarmscope {

// One lab peer's simulated network: what its SimulatedLink applies to every connection. 0 means off.
struct PeerConditions {
    qint64 latencyMs = 0; // one way, applied in both directions
    qint64 jitterMs = 0;
    qint64 uploadRate = 0;   // bytes per second; 0: unlimited
    qint64 downloadRate = 0; // bytes per second; 0: unlimited

    friend bool operator==(const PeerConditions&, const PeerConditions&) = default;
};

} // namespace swarmscope
