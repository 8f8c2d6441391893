#pragma once

#include "storage/PieceStore.h"

namespace swarmscope {

// The store of a client that holds none of a torrent's data and never will: an observer, which joins a swarm
// to watch it. Every piece is missing; reads and writes fail without touching any file, so watching a swarm
// creates nothing on disk.
class NoDataStore final : public PieceStore {
public:
    explicit NoDataStore(const Metainfo& metainfo);

    const StorageStatus& layoutStatus() const override { return m_layoutStatus; }
    const PieceLayout& layout() const override { return m_layout; }
    const Metainfo& metainfo() const override { return m_metainfo; }
    StorageStatus open(OpenMode mode) override;
    bool hasExistingData() const override { return false; }
    StorageStatus readBlockInto(int piece, qint64 offset, qint64 length, char* out) const override;
    StorageStatus writeBlock(int piece, qint64 offset, const char* data, qint64 length) override;
    PieceState checkPiece(int) const override { return PieceState::Missing; }
    QBitArray verifyPieces(const QBitArray& which, const VerifyProgress& progress = {},
                           const std::atomic<bool>* cancel = nullptr, int threads = 0) const override;

private:
    Metainfo m_metainfo;
    PieceLayout m_layout;
    StorageStatus m_layoutStatus;
};

} // namespace swarmscope
