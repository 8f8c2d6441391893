#pragma once

#include <QByteArray>
#include <QHash>
#include <QSet>

namespace swarmscope {

// Where the blocks of pieces being downloaded wait until the piece is complete. In memory, a complete piece
// is hashed straight from its buffer and written with one pwrite off the network thread, and a corrupt
// piece never reaches the disk. The memory is bounded: a piece that would not fit the budget is assembled
// on disk instead (its blocks written as they come, the piece read back to hash), and stays there until it
// is finished.
//
// Not thread-safe: it lives on the thread of the torrent's connections.
class PieceAssembler {
public:
    explicit PieceAssembler(qint64 capacityBytes) : m_capacity(qMax<qint64>(capacityBytes, 0)) {}

    // Copies a block of piece (pieceSize bytes in all) into memory and returns true, or returns false when
    // the piece is assembled on disk: the caller writes the block to storage.
    bool add(int piece, qint64 pieceSize, qint64 offset, const char* data, qint64 length);
    bool inMemory(int piece) const { return m_buffers.contains(piece); }
    bool onDisk(int piece) const { return m_onDisk.contains(piece); }
    // The complete piece's buffer (null when it was assembled on disk); the piece is forgotten either way.
    QByteArray take(int piece);
    // Forgets the piece's blocks (it failed its hash, or the torrent stops).
    void drop(int piece);
    void clear();

    qint64 bytes() const { return m_bytes; }
    int piecesInMemory() const { return int(m_buffers.size()); }

private:
    qint64 m_capacity;
    qint64 m_bytes = 0;
    QHash<int, QByteArray> m_buffers;
    QSet<int> m_onDisk;
};

} // namespace swarmscope
