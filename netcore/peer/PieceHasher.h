#pragma once

#include "metainfo/Sha1.h"

#include <QByteArray>

#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

namespace swarmscope {

// The SHA-1 of each piece being downloaded, computed as its blocks arrive: the engine writes every block to
// storage at once and hands it here; a block that comes in its turn goes straight into the piece's hash, one
// that comes ahead of its turn (from another peer) waits in memory until the blocks before it are in. So a
// complete piece is checked the moment its last block arrives, without a piece-sized buffer and without
// reading it back. A piece whose waiting blocks would pass the budget stops being hashed here; it is read
// back from storage to check once complete.
//
// Not thread-safe: it lives on the thread of the torrent's connections.
class PieceHasher {
public:
    explicit PieceHasher(qint64 waitingBudgetBytes) : m_budget(qMax<qint64>(waitingBudgetBytes, 0)) {}

    // A block of piece arrived and was stored. Blocks already hashed or waiting are ignored.
    void add(int piece, qint64 offset, const char* data, qint64 length);
    // The piece is complete (pieceSize bytes): its digest, or nothing when it must be read back to check.
    // The piece is forgotten either way.
    std::optional<QByteArray> finish(int piece, qint64 pieceSize);
    // Forgets the piece (its download was abandoned).
    void drop(int piece);
    void clear();

    // Bytes of blocks waiting for their turn, over every piece.
    qint64 waitingBytes() const { return m_waiting; }
    int piecesInProgress() const { return int(m_pieces.size()); }

private:
    struct Piece {
        std::unique_ptr<Sha1Hasher> hasher = std::make_unique<Sha1Hasher>();
        qint64 hashed = 0;                  // bytes from the start of the piece already in the hash
        std::map<qint64, QByteArray> ahead; // blocks past hashed, by offset
        bool readBack = false;              // gave up: check from storage
    };
    void release(Piece& p);

    qint64 m_budget;
    qint64 m_waiting = 0;
    std::unordered_map<int, Piece> m_pieces;
};

} // namespace swarmscope
