#pragma once

#include "storage/PieceStore.h"
#include "storage/SharedContent.h"

#include <QBitArray>

#include <memory>
#include <mutex>
#include <vector>

namespace swarmscope {

// A simulated peer's storage: which 16 KiB blocks it holds, with the bytes themselves read from the
// torrent's SharedContent. A block written equal to the shared copy is held intact; one written otherwise
// (a corrupt peer's) is held as damaged, and its piece fails every check, as the damaged bytes would on disk.
// Memory is a few bits per block, whatever the size of the file.
//
// Thread-safe (a lock), so the lab can check a peer's data from another thread.
class SharedContentStore final : public PieceStore {
public:
    static constexpr qint64 kBlock = 16 * 1024;

    // complete: a seeder's, holding every block from the start.
    SharedContentStore(std::shared_ptr<const SharedContent> content, bool complete);

    const StorageStatus& layoutStatus() const override { return m_layoutStatus; }
    const PieceLayout& layout() const override { return m_layout; }
    const Metainfo& metainfo() const override { return m_content->metainfo(); }

    StorageStatus open(OpenMode mode) override;
    bool hasExistingData() const override;
    StorageStatus readBlockInto(int piece, qint64 offset, qint64 length, char* out) const override;
    StorageStatus writeBlock(int piece, qint64 offset, const char* data, qint64 length) override;
    PieceState checkPiece(int piece) const override;
    QBitArray verifyPieces(const QBitArray& which, const VerifyProgress& progress = {},
                           const std::atomic<bool>* cancel = nullptr, int threads = 0) const override;

private:
    enum Block : char { Empty = 0, Intact = 1, Damaged = 2 };
    bool inRange(int piece, qint64 offset, qint64 length) const;
    PieceState stateLocked(int piece) const;

    std::shared_ptr<const SharedContent> m_content;
    PieceLayout m_layout;
    StorageStatus m_layoutStatus;
    mutable std::mutex m_mutex;
    std::vector<char> m_blocks; // per 16 KiB block of the whole torrent
};

} // namespace swarmscope
