#pragma once

#include "metainfo/Metainfo.h"
#include "storage/PieceLayout.h"
#include "storage/StorageStatus.h"

#include <QBitArray>
#include <QByteArray>

#include <atomic>
#include <functional>

namespace swarmscope {

class TorrentStorage;

// Where a torrent's pieces live for a client: blocks in and out by (piece, offset), and checks of whole
// pieces against their hashes. TorrentStorage keeps them in the torrent's files on disk; SharedContentStore,
// for simulated time, keeps only which blocks arrived intact and reads them from one shared copy of the
// content, so a thousand peers need not each hold the file.
//
// Threads: reads, writes and checks may run concurrently from any number of threads; open() must not overlap
// other calls.
class PieceStore {
public:
    enum class OpenMode { ReadOnly, ReadWrite };
    enum class PieceState { Valid, HashMismatch, Missing, IoError };
    // Called on the thread that called verifyAll, about every 100 ms and once at the end.
    using VerifyProgress = std::function<void(int checked, int total)>;

    virtual ~PieceStore();

    virtual const StorageStatus& layoutStatus() const = 0;
    virtual const PieceLayout& layout() const = 0;
    virtual const Metainfo& metainfo() const = 0;
    int pieceCount() const { return layout().pieceCount(); }

    // ReadOnly: a seeder's data must all be there. ReadWrite: ready to take a leecher's blocks.
    virtual StorageStatus open(OpenMode mode) = 0;
    // Data of this torrent is there already (a restarted leecher's): it is checked before it counts.
    virtual bool hasExistingData() const = 0;

    // A block is any non-empty range inside one piece.
    virtual StorageStatus readBlockInto(int piece, qint64 offset, qint64 length, char* out) const = 0;
    virtual StorageStatus writeBlock(int piece, qint64 offset, const char* data, qint64 length) = 0;
    StorageStatus writeBlock(int piece, qint64 offset, const QByteArray& data) {
        return writeBlock(piece, offset, data.constData(), data.size());
    }

    // Whether what is stored for piece is the piece the torrent describes.
    virtual PieceState checkPiece(int piece) const = 0;
    bool verifyPiece(int piece) const { return checkPiece(piece) == PieceState::Valid; }
    // The pieces set in which (pieceCount() bits) that check out, on up to threads threads (0: one per core);
    // cancel stops it early, leaving the rest false.
    virtual QBitArray verifyPieces(const QBitArray& which, const VerifyProgress& progress = {},
                                   const std::atomic<bool>* cancel = nullptr, int threads = 0) const = 0;
    QBitArray verifyAll(const VerifyProgress& progress = {}, const std::atomic<bool>* cancel = nullptr,
                        int threads = 0) const {
        return verifyPieces(QBitArray(pieceCount(), true), progress, cancel, threads);
    }

    // The files behind this store, when it has files (resume data is about files); null otherwise.
    virtual const TorrentStorage* files() const { return nullptr; }
};

} // namespace swarmscope
