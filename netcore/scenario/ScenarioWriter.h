#pragma once

#include "scenario/Scenario.h"

#include <QByteArray>

namespace swarmscope {

// A commented, human-readable scenario file (UTF-8 TOML) that parseScenario() reads back to an equal
// Scenario, given the same base folder. Content paths are written as pathText when it is set, else as the
// absolute path. Every group key is written, defaults too, so that a saved file shows what the run used.
QByteArray writeScenario(const Scenario& scenario);

} // namespace swarmscope
