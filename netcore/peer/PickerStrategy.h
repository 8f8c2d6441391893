#pragma once

#include <QString>
#include <QStringView>

#include <optional>

namespace swarmscope {

// Which fresh piece the picker starts next. The lab switches between them live to show why rarest-first
// matters; partially downloaded pieces are finished first under every strategy.
enum class PickerStrategy {
    RarestFirst, // random pieces until the first few complete, then the rarest among the peer's pieces
    Random,      // any piece the peer has, uniformly
    Sequential,  // lowest index first, the order a media player would want
};

// Stable lower-case names for the command line, settings and snapshots.
inline QString pickerStrategyName(PickerStrategy strategy) {
    switch (strategy) {
    case PickerStrategy::RarestFirst:
        return QStringLiteral("rarest-first");
    case PickerStrategy::Random:
        return QStringLiteral("random");
    case PickerStrategy::Sequential:
        return QStringLiteral("sequential");
    }
    return {};
}

inline std::optional<PickerStrategy> pickerStrategyFromName(QStringView name) {
    for (PickerStrategy s : {PickerStrategy::RarestFirst, PickerStrategy::Random, PickerStrategy::Sequential})
        if (name.compare(pickerStrategyName(s), Qt::CaseInsensitive) == 0)
            return s;
    return std::nullopt;
}

} // namespace swarmscope
