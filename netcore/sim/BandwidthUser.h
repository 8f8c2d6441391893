#pragma once

#include <QtGlobal>

namespace swarmscope {

enum class Direction { Upload, Download };

// Something that moves bytes under a client's cap (a ShapedSocket), as the BandwidthQueue sees it.
class BandwidthUser {
public:
    virtual ~BandwidthUser() = default;
    // Bytes it could move in this direction right now; 0 takes it out of the line.
    virtual qint64 bandwidthWanted(Direction direction) const = 0;
    // Moves exactly bytes (never more than it wanted).
    virtual void bandwidthGranted(Direction direction, qint64 bytes) = 0;
};

} // namespace swarmscope
