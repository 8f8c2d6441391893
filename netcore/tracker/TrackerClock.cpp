#include "tracker/TrackerClock.h"

#include <chrono>

namespace swarmscope {

TrackerClock steadyTrackerClock() {
    return [] {
        using namespace std::chrono;
        return qint64(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
    };
}

} // namespace swarmscope
