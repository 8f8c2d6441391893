#pragma once

#include <QtGlobal>

#include <chrono>

namespace swarmscope {

// Microseconds since an arbitrary, fixed epoch: both an instant and, as a difference, a duration. One
// microsecond is a small enough step for a 1 GiB/s cap (about 1 KiB per step). In real time the epoch is the
// steady clock's; in simulated time it is the start of the run.
using SimTime = std::chrono::microseconds;

inline constexpr SimTime fromMs(qint64 ms) {
    return SimTime(ms * 1000);
}

inline constexpr qint64 toMs(SimTime t) {
    return t.count() / 1000;
}

} // namespace swarmscope
