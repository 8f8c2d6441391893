#pragma once

#include "sim/Clock.h"

namespace swarmscope {

// A clock that moves only when told to: for tests and for reproducible, faster-than-real-time runs.
class ManualClock final : public Clock {
public:
    explicit ManualClock(SimTime start = SimTime::zero()) : m_now(start) {}
    SimTime now() const override { return m_now; }
    void set(SimTime now) { m_now = now; }
    void advance(SimTime by) { m_now += by; }

private:
    SimTime m_now;
};

} // namespace swarmscope
