#pragma once

#include "sim/Clock.h"

namespace swarmscope {

// The real monotonic clock.
class SteadyClock final : public Clock {
public:
    SimTime now() const override {
        return std::chrono::duration_cast<SimTime>(std::chrono::steady_clock::now().time_since_epoch());
    }
};

} // namespace swarmscope
