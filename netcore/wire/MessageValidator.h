#pragma once

#include "wire/TorrentGeometry.h"
#include "wire/WireError.h"
#include "wire/WireMessage.h"

#include <QString>

namespace swarmscope {

struct MessageCheck {
    WireError error = WireError::None;
    QString detail; // the offending values, e.g. "index 12 of 12 pieces"

    bool ok() const { return error == WireError::None; }
    // "piece index out of range (index 12 of 12 pieces)"
    QString errorString() const;
};

// Checks a well-framed message against the torrent: indices in range, blocks of 1..16 KiB inside their
// piece, a bitfield of exactly the right length with no spare bits. The MessageFramer runs this on every
// message once it knows the geometry; it is separate so the connection can re-check what it builds.
MessageCheck validateMessage(const WireMessage& message, const TorrentGeometry& geometry);

// The geometry-free part: block lengths of request, cancel and piece within 1..16 KiB.
MessageCheck validateBlockLength(const WireMessage& message);

} // namespace swarmscope
