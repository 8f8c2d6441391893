#pragma once

// Internal to the scenario parser: timed actions, their targets and conditions, and the link and picker
// fields that groups and set-link/set-picker actions share.

#include "scenario/Scenario.h"
#include "scenario/TomlTableReader.h"

#include <optional>
#include <string_view>

namespace swarmscope {

inline constexpr qint64 kMaxLatencyMs = 60'000; // as the command line's --latency
inline constexpr qint64 kMinCapRate = 1024;     // the link model is accurate from 1 KiB/s
inline constexpr qint64 kMaxCapRate = 1LL << 40;
inline constexpr double kMaxUploadedCopies = 1000;

std::optional<qint64> readLatency(const TomlTableReader& r, std::string_view key); // latency or jitter
std::optional<qint64> readCap(const TomlTableReader& r, std::string_view key);     // up or down
std::optional<PickerStrategy> readPicker(const TomlTableReader& r, std::string_view key);

// Reads [[actions]] entries against the groups already read, so that targets can be checked.
class ScenarioActionParser {
public:
    explicit ScenarioActionParser(const QList<ScenarioGroup>& groups) : m_groups(groups) {}

    ScenarioAction read(const TomlTableReader& action) const;

private:
    ScenarioTarget readTarget(const TomlTableReader& r, std::string_view key) const;
    ScenarioCondition readCondition(const TomlTableReader& when) const;
    const ScenarioGroup* group(const QString& name) const;

    const QList<ScenarioGroup>& m_groups;
};

} // namespace swarmscope
