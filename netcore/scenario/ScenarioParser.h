#pragma once

#include "scenario/Scenario.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace swarmscope {

// Bounds on what a scenario file may ask for, so that no input can make the parser (or the run) use
// unbounded memory. toml++ itself limits nesting to 256 levels.
struct ScenarioLimits {
    qint64 maxFileBytes = 1024 * 1024;
    int maxActions = 10'000;
    int maxPeers = kMaxScenarioPeers;
};

// Either a scenario or one error. The error follows the command line's contract: the CLI prints
// "swarmscope: error: <what> (<where>)" and exits with 2.
struct ScenarioParseResult {
    std::optional<Scenario> scenario;
    QString what; // one sentence, e.g. "'1MB/sec' is not a rate such as \"1MiB/s\" (0: unlimited)"
    QString
        where;    // "scenario.toml:12: groups.leechers.up"; the line or the key path is left out when unknown
    int line = 0; // from 1; 0 when the problem has no line (a missing table, a file too large)
    QString keyPath; // "groups.leechers.up", "actions[2].target"; empty for a TOML syntax error

    bool ok() const { return scenario.has_value(); }
    QString message() const { return what + QStringLiteral(" (") + where + u')'; }
};

// Parses and checks a scenario. fileName names the file in error locations ("scenario.toml"); relative
// content paths are resolved against baseDir, and the file or folder they name must exist.
ScenarioParseResult parseScenario(const QByteArray& toml, const QString& fileName, const QString& baseDir,
                                  const ScenarioLimits& limits = {});

// Reads the file at path (refusing one over limits.maxFileBytes before reading it) and parses it, with
// its own name in error locations and its own folder as the base of content paths.
ScenarioParseResult readScenarioFile(const QString& path, const ScenarioLimits& limits = {});

} // namespace swarmscope
