#pragma once

#include <chrono>

namespace swarmscope {

// Microseconds since an arbitrary, fixed epoch: both an instant and, as a difference, a duration. One
// microsecond is a small enough step for a 1 GiB/s cap (about 1 KiB per step).
using SimTime = std::chrono::microseconds;

// Where the simulated network reads "now". Rate limiters and delay lines take now as an argument instead,
// so the pure parts are tested without any clock; the sockets read it from here, and a lab can swap in a
// ManualClock for reproducible runs.
class Clock {
public:
    virtual ~Clock();
    virtual SimTime now() const = 0;
};

} // namespace swarmscope
