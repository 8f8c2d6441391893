#pragma once

#include <QString>

#include <optional>

namespace swarmscope {

// The units people write on the command line and in scenario files. Every parser returns nothing for text it
// does not understand, including negative values, so that the caller can name the option or key.

// "16KiB", "256KiB", "64MiB", "1GiB", "1000", "2kB", "1.5MiB" -> bytes. Binary suffixes are powers of 1024,
// decimal ones (kB, MB, GB) powers of 1000.
std::optional<qint64> parseSize(const QString& text);

// "1MiB/s", "512KiB/s", "0" (unlimited) -> bytes per second. The "/s" is optional.
std::optional<qint64> parseRate(const QString& text);

// "250ms", "30s", "1.5s", "2min", "1h" -> milliseconds. A unit is required ("0" alone is allowed), a result
// finer than a millisecond is refused, and so is anything over kMaxDurationMs.
std::optional<qint64> parseDuration(const QString& text);
inline constexpr qint64 kMaxDurationMs = 366LL * 24 * 3600 * 1000;

// "90%" -> 0.9, "12.5%" -> 0.125. Returns nothing without the percent sign.
std::optional<double> parsePercentage(const QString& text);

// 1536 -> "1.5 KiB": for people, rounded.
QString formatSize(qint64 bytes);

// Exact forms that parse back to the same value, for files people read: 262144 -> "256KiB", 1000 -> "1000".
QString formatSizeExact(qint64 bytes);
// 1048576 -> "1MiB/s", 0 -> "0".
QString formatRateExact(qint64 bytesPerSecond);
// 250 -> "250ms", 30000 -> "30s", 120000 -> "2min", 1500 -> "1500ms", 0 -> "0s".
QString formatDuration(qint64 milliseconds);

} // namespace swarmscope
