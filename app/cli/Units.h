#pragma once

#include <QString>

#include <optional>

namespace swarmscope::cli {

// "16KiB", "256KiB", "64MiB", "1GiB", "1000", "2kB", "1.5MiB" -> bytes. Binary suffixes are powers of 1024,
// decimal ones (kB, MB, GB) powers of 1000. Returns nothing for anything else, including negative values.
std::optional<qint64> parseSize(const QString& text);

// "1MiB/s", "512KiB/s", "0" (unlimited) -> bytes per second. The "/s" is optional.
std::optional<qint64> parseRate(const QString& text);

// 1536 -> "1.5 KiB"
QString formatSize(qint64 bytes);

} // namespace swarmscope::cli
