#pragma once

#include <QtGlobal>

namespace swarmscope {

struct Metainfo;

// The shape of a torrent's data as the wire protocol sees it: how many pieces, and how long each is. Enough
// to check every index, begin and length a peer sends, without the rest of the metainfo.
struct TorrentGeometry {
    int pieceCount = 0;
    qint64 pieceLength = 0; // every piece but the last
    qint64 totalSize = 0;

    static TorrentGeometry fromMetainfo(const Metainfo& metainfo);
    // pieceCount = ceil(totalSize / pieceLength).
    static TorrentGeometry fromSizes(qint64 totalSize, qint64 pieceLength);

    bool isValid() const { return pieceCount > 0 && pieceLength > 0 && totalSize > 0; }
    // 0 for an index out of range; the last piece may be shorter.
    qint64 pieceSize(qint64 index) const {
        if (index < 0 || index >= pieceCount)
            return 0;
        return index == pieceCount - 1 ? totalSize - index * pieceLength : pieceLength;
    }
    qsizetype bitfieldBytes() const { return (qsizetype(pieceCount) + 7) / 8; }
    // The largest message a peer of this torrent may send: a piece with a full block, or the bitfield when
    // the torrent has so many pieces that the bitfield is longer.
    quint32 maxMessageLength() const;

    friend bool operator==(const TorrentGeometry&, const TorrentGeometry&) = default;
};

} // namespace swarmscope
