#pragma once

#include "metainfo/Metainfo.h"

#include <QString>

namespace swarmscope::cli {

// Reads and parses a .torrent file named on the command line; throws BadInput with a clear message
// (missing file, unreadable, too large, not a valid torrent) naming the path.
Metainfo readTorrentFile(const QString& path);

} // namespace swarmscope::cli
