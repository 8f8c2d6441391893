#pragma once

#include <QString>

#include <optional>

namespace swarmscope {

// The two kinds of time a lab runs in, on the same peer code: real time over real TCP (interop, the
// default), or simulated time over the simulated network (deterministic, pausable, any speed).
enum class TimeMode { Real, Simulated };

QString timeModeName(TimeMode mode); // "real", "simulated"
std::optional<TimeMode> timeModeFromName(const QString& name);

} // namespace swarmscope
