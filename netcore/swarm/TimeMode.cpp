#include "swarm/TimeMode.h"

namespace swarmscope {

QString timeModeName(TimeMode mode) {
    return mode == TimeMode::Simulated ? QStringLiteral("simulated") : QStringLiteral("real");
}

std::optional<TimeMode> timeModeFromName(const QString& name) {
    if (name == QLatin1String("real"))
        return TimeMode::Real;
    if (name == QLatin1String("simulated") || name == QLatin1String("sim"))
        return TimeMode::Simulated;
    return std::nullopt;
}

} // namespace swarmscope
