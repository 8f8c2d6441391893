#include "swarm/LabClock.h"

namespace swarmscope {

LabClock::LabClock() : m_start(LabClock::now()) {}

SimTime LabClock::now() const {
    return std::chrono::duration_cast<SimTime>(std::chrono::steady_clock::now().time_since_epoch());
}

} // namespace swarmscope
