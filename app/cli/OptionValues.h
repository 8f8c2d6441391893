#pragma once

#include "cli/CommandLine.h"

#include "swarm/TimeMode.h"
#include "wire/Mse.h"

#include <QString>

#include <optional>

namespace swarmscope::cli {

// Option values shared by several commands. Each returns its default when the option is not given and throws
// BadInput naming the option when its value is not valid.

// --piece-size: a power of two within the limits of metainfo/PieceSize.h; 0 (automatic) when not given.
qint64 pieceSizeOption(const CommandLine& cl);

// --NAME: a rate such as 1MiB/s; 0 (unlimited) when not given.
qint64 rateOption(const CommandLine& cl, const QString& name);

// --latency: one-way latency in milliseconds, 0 to 60000; 0 when not given.
qint64 latencyOption(const CommandLine& cl);

// --encryption: plaintext, prefer or require (MSE/PE); fallback when not given.
mse::Policy encryptionOption(const CommandLine& cl, mse::Policy fallback = mse::Policy::Prefer);
// --NAME on|off; fallback when not given.
bool onOffOption(const CommandLine& cl, const QString& name, bool fallback);

// --time: real or simulated; nothing when not given.
// The text of --time and --seed; BadInput when it is not one.
TimeMode parseTimeMode(const QString& text);
quint32 parseSeed(const QString& text);
std::optional<TimeMode> timeModeOption(const CommandLine& cl);

// --seed: 1 to 4294967295; nothing when not given.
std::optional<quint32> seedOption(const CommandLine& cl);

// A tracker announce URL given as option: http://, https:// or udp:// with a host (and, for udp, a port);
// returns whether it is udp://. example names a good one in the error.
bool checkTrackerUrl(const QString& url, const QString& option, const QString& example);

// --speed: simulated seconds per wall second, 0.1 to 100; nothing when not given.
std::optional<double> speedOption(const CommandLine& cl);

} // namespace swarmscope::cli
