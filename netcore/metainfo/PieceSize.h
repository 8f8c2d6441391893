#pragma once

#include <QString>

namespace swarmscope {

// A block is the unit peers request; a piece smaller than one block cannot be transferred sensibly.
inline constexpr qint64 kMinPieceLength = 16 * 1024;
// The largest piece size accepted from a user and by the metainfo parser (MetainfoLimits::maxPieceLength).
inline constexpr qint64 kMaxPieceLength = 512LL * 1024 * 1024;
// Automatic choices stop here: larger pieces make a lab swarm coarse and slow to start.
inline constexpr qint64 kMaxAutomaticPieceLength = 16LL * 1024 * 1024;
// Automatic choices aim at no more than this many pieces (and so, above the minimum size, at least half of
// it).
inline constexpr qint64 kAutomaticPieceCountTarget = 2000;

// The piece size used when the user gives none: the smallest power of two from 16 KiB to 16 MiB that keeps
// the piece count at or below 2000, which puts it between about 1000 and 2000 unless a bound is reached.
qint64 automaticPieceLength(qint64 totalSize);

// True when length is a power of two from 16 KiB to 512 MiB. Otherwise sets *why (when given) to one
// sentence such as "piece size must be a power of two, not 100000 bytes".
bool isValidPieceLength(qint64 length, QString* why = nullptr);

// "16 KiB", "4 MiB", or "100000 bytes" when the size is not a whole number of a binary unit.
QString formatByteSize(qint64 bytes);

} // namespace swarmscope
