#pragma once

#include <QString>

namespace swarmscope {

// Writes size bytes of deterministic pseudo-random data to path (replacing it): the lab's stand-in for a
// real file. The same size and seed always give the same bytes, so runs and their torrents repeat, and the
// data does not compress, so nothing along the way can shortcut it. About 2 GB/s; false with *error set
// when the file cannot be written.
bool writePseudoRandomFile(const QString& path, qint64 size, quint64 seed = 1, QString* error = nullptr);

} // namespace swarmscope
