#include "wire/TorrentGeometry.h"

#include "metainfo/Metainfo.h"
#include "wire/WireMessage.h"

#include <limits>

namespace swarmscope {

TorrentGeometry TorrentGeometry::fromMetainfo(const Metainfo& metainfo) {
    return {metainfo.pieceCount(), metainfo.pieceLength, metainfo.totalSize};
}

TorrentGeometry TorrentGeometry::fromSizes(qint64 totalSize, qint64 pieceLength) {
    if (totalSize <= 0 || pieceLength <= 0)
        return {};
    // Not (totalSize + pieceLength - 1) / pieceLength: that sum overflows for sizes near INT64_MAX.
    const qint64 count = totalSize / pieceLength + (totalSize % pieceLength != 0 ? 1 : 0);
    if (count > std::numeric_limits<int>::max())
        return {};
    return {int(count), pieceLength, totalSize};
}

quint32 TorrentGeometry::maxMessageLength() const {
    return qMax(wire::kMaxPieceMessageLength, quint32(1 + bitfieldBytes()));
}

} // namespace swarmscope
