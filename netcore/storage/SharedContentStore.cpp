#include "storage/SharedContentStore.h"

#include <cstring>

namespace swarmscope {

SharedContentStore::SharedContentStore(std::shared_ptr<const SharedContent> content, bool complete)
    : m_content(std::move(content)), m_layout(PieceLayout::fromMetainfo(m_content->metainfo())) {
    if (!m_layout.isValid() || m_layout.pieceCount() != m_content->metainfo().pieceCount())
        m_layoutStatus = StorageStatus::failure(StorageError::BadLayout,
                                                QStringLiteral("the torrent's layout is invalid"));
    else
        m_blocks.assign(size_t((m_layout.totalSize() + kBlock - 1) / kBlock), complete ? Intact : Empty);
}

StorageStatus SharedContentStore::open(OpenMode) {
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    return m_content->load();
}

bool SharedContentStore::hasExistingData() const {
    const std::lock_guard lock(m_mutex);
    for (char b : m_blocks)
        if (b != Empty)
            return true;
    return false;
}

bool SharedContentStore::inRange(int piece, qint64 offset, qint64 length) const {
    return piece >= 0 && piece < m_layout.pieceCount() && offset >= 0 && length > 0 &&
           offset + length <= m_layout.pieceSize(piece);
}

StorageStatus SharedContentStore::readBlockInto(int piece, qint64 offset, qint64 length, char* out) const {
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    if (!inRange(piece, offset, length))
        return StorageStatus::failure(StorageError::OutOfRange,
                                      QStringLiteral("block out of range (piece %1, offset %2, length %3)")
                                          .arg(piece)
                                          .arg(offset)
                                          .arg(length));
    const StorageStatus loaded = m_content->load();
    if (!loaded.ok())
        return loaded;
    const qint64 at = qint64(piece) * m_layout.pieceLength() + offset;
    std::memcpy(out, m_content->at(at), size_t(length));
    // Blocks not held intact read as what a fresh file holds: zeros.
    const std::lock_guard lock(m_mutex);
    for (qint64 b = at / kBlock; b * kBlock < at + length; ++b) {
        if (m_blocks[size_t(b)] == Intact)
            continue;
        const qint64 from = qMax(at, b * kBlock);
        const qint64 to = qMin(at + length, (b + 1) * kBlock);
        std::memset(out + (from - at), 0, size_t(to - from));
    }
    return {};
}

StorageStatus SharedContentStore::writeBlock(int piece, qint64 offset, const char* data, qint64 length) {
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    if (!inRange(piece, offset, length))
        return StorageStatus::failure(StorageError::OutOfRange,
                                      QStringLiteral("block out of range (piece %1, offset %2, length %3)")
                                          .arg(piece)
                                          .arg(offset)
                                          .arg(length));
    const StorageStatus loaded = m_content->load();
    if (!loaded.ok())
        return loaded;
    const qint64 at = qint64(piece) * m_layout.pieceLength() + offset;
    const qint64 end = qMin(at + length, m_layout.totalSize());
    const std::lock_guard lock(m_mutex);
    for (qint64 b = at / kBlock; b * kBlock < end; ++b) {
        const qint64 blockStart = b * kBlock;
        const qint64 blockEnd = qMin(blockStart + kBlock, m_layout.totalSize());
        const qint64 from = qMax(at, blockStart);
        const qint64 to = qMin(end, blockEnd);
        const bool same = std::memcmp(data + (from - at), m_content->at(from), size_t(to - from)) == 0;
        char& state = m_blocks[size_t(b)];
        if (!same)
            state = Damaged;
        else if (from == blockStart && to == blockEnd)
            state = Intact; // the whole block, as the source has it
        else if (state == Empty)
            state = Damaged; // part of a block: the rest of it is not what the source holds
    }
    return {};
}

SharedContentStore::PieceState SharedContentStore::stateLocked(int piece) const {
    const qint64 start = qint64(piece) * m_layout.pieceLength();
    const qint64 end = start + m_layout.pieceSize(piece);
    bool any = false;
    bool all = true;
    for (qint64 b = start / kBlock; b * kBlock < end; ++b) {
        any = any || m_blocks[size_t(b)] != Empty;
        all = all && m_blocks[size_t(b)] == Intact;
    }
    if (all)
        return PieceState::Valid;
    return any ? PieceState::HashMismatch : PieceState::Missing;
}

SharedContentStore::PieceState SharedContentStore::checkPiece(int piece) const {
    if (!m_layoutStatus.ok() || piece < 0 || piece >= m_layout.pieceCount() || !m_content->load().ok())
        return PieceState::Missing;
    const std::lock_guard lock(m_mutex);
    return stateLocked(piece);
}

QBitArray SharedContentStore::verifyPieces(const QBitArray& which, const VerifyProgress& progress,
                                           const std::atomic<bool>* cancel, int) const {
    QBitArray result(m_layout.pieceCount());
    if (!m_layoutStatus.ok() || !m_content->load().ok())
        return result;
    int checked = 0;
    {
        const std::lock_guard lock(m_mutex);
        for (int piece = 0; piece < m_layout.pieceCount() && piece < which.size(); ++piece) {
            if (cancel && cancel->load(std::memory_order_relaxed))
                break;
            if (!which.testBit(piece))
                continue;
            ++checked;
            if (stateLocked(piece) == PieceState::Valid)
                result.setBit(piece);
        }
    }
    if (progress)
        progress(checked, checked);
    return result;
}

} // namespace swarmscope
