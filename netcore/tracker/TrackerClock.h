#pragma once

#include <functional>

#include <QtGlobal>

namespace swarmscope {

// Monotonic milliseconds. Tracker expiry, announce intervals and retry backoff read time through one of
// these, so their tests advance a counter instead of sleeping.
using TrackerClock = std::function<qint64()>;

// The process's steady clock (QElapsedTimer's monotonic source).
TrackerClock steadyTrackerClock();

} // namespace swarmscope
