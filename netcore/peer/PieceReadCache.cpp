#include "peer/PieceReadCache.h"

#include "storage/PieceStore.h"

#include <cstring>

namespace swarmscope {

PieceReadCache::PieceReadCache(std::shared_ptr<const PieceStore> storage, qint64 capacityBytes)
    : m_storage(std::move(storage)), m_capacity(qMax<qint64>(capacityBytes, 0)) {}

const QByteArray* PieceReadCache::find(int piece) {
    const auto it = m_index.constFind(piece);
    if (it == m_index.constEnd())
        return nullptr;
    // Move to the front: splice keeps iterators valid.
    m_lru.splice(m_lru.begin(), m_lru, *it);
    return &m_lru.front().data;
}

void PieceReadCache::makeRoom(qint64 size) {
    while (!m_lru.empty() && m_bytes + size > m_capacity) {
        m_bytes -= m_lru.back().data.size();
        m_index.remove(m_lru.back().piece);
        m_lru.pop_back();
    }
}

StorageStatus PieceReadCache::copyBlock(int piece, qint64 offset, qint64 length, char* out) {
    if (const QByteArray* data = find(piece)) {
        if (offset < 0 || length < 0 || offset + length > data->size())
            return StorageStatus::failure(StorageError::OutOfRange,
                                          QStringLiteral("block outside its piece"));
        ++m_hits;
        std::memcpy(out, data->constData() + offset, size_t(length));
        return {};
    }
    ++m_misses;
    const qint64 size = m_storage->layout().pieceSize(piece);
    if (!cacheable(size) || offset < 0 || length < 0 || offset + length > size)
        return m_storage->readBlockInto(piece, offset, length, out);
    QByteArray data(size, Qt::Uninitialized);
    const StorageStatus status = m_storage->readBlockInto(piece, 0, size, data.data());
    if (!status.ok())
        return status;
    std::memcpy(out, data.constData() + offset, size_t(length));
    insert(piece, data);
    return {};
}

void PieceReadCache::insert(int piece, const QByteArray& data) {
    if (!cacheable(data.size()))
        return;
    if (const auto it = m_index.constFind(piece); it != m_index.constEnd()) {
        m_bytes -= (*it)->data.size();
        m_lru.erase(*it);
        m_index.remove(piece);
    }
    makeRoom(data.size());
    m_lru.push_front({piece, data});
    m_index.insert(piece, m_lru.begin());
    m_bytes += data.size();
}

void PieceReadCache::clear() {
    m_lru.clear();
    m_index.clear();
    m_bytes = 0;
}

} // namespace swarmscope
