#pragma once

#include "storage/StorageStatus.h"

#include <QByteArray>
#include <QHash>

#include <list>
#include <memory>

namespace swarmscope {

class PieceStore;

// Whole pieces kept in memory for serving. Peers ask for a piece 16 KiB at a time, usually block after
// block; reading the piece once with one pread and answering the rest from memory turns 64 system calls for
// a 1 MiB piece into one. Freshly verified pieces go in too: other leechers tend to want them next.
// Least recently used pieces leave first. Pieces larger than half the budget, or of a single block, are never
// cached; their blocks are read one by one.
//
// Not thread-safe: it lives on the thread that serves the torrent's connections.
class PieceReadCache {
public:
    PieceReadCache(std::shared_ptr<const PieceStore> storage, qint64 capacityBytes);

    // Copies length bytes at offset of piece into out. The range must be inside the piece.
    StorageStatus copyBlock(int piece, qint64 offset, qint64 length, char* out);
    // A verified piece's data, shared rather than copied.
    void insert(int piece, const QByteArray& data);
    void clear();

    qint64 bytes() const { return m_bytes; }
    qint64 capacity() const { return m_capacity; }
    qint64 hits() const { return m_hits; }
    qint64 misses() const { return m_misses; }

private:
    struct Entry {
        int piece;
        QByteArray data;
    };
    // A piece of one block gains nothing: reading it is reading the block.
    bool cacheable(qint64 size) const { return size > 16 * 1024 && size * 2 <= m_capacity; }
    const QByteArray* find(int piece);
    void makeRoom(qint64 size);

    std::shared_ptr<const PieceStore> m_storage;
    qint64 m_capacity;
    qint64 m_bytes = 0;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
    std::list<Entry> m_lru; // most recently used first
    QHash<int, std::list<Entry>::iterator> m_index;
};

} // namespace swarmscope
