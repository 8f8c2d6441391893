#pragma once

#include "metainfo/Metainfo.h"
#include "storage/FileHandleCache.h"
#include "storage/PathConfinement.h"
#include "storage/PieceLayout.h"
#include "storage/PieceStore.h"
#include "storage/StorageStatus.h"

#include <QBitArray>
#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace swarmscope {

// A torrent's data on disk: blocks in and out by (piece, offset), piece verification, whole-torrent checks.
//
// Where files live: file i is at downloadDir + "/" + metainfo.files[i].path. Metainfo paths already start
// with the torrent's name, so a single-file torrent "a.iso" is downloadDir/a.iso and a multi-file torrent
// "album" holding "album/cd1/01.flac" is downloadDir/album/cd1/01.flac. downloadDir is the directory that
// CONTAINS the torrent's top-level file or folder, like every BitTorrent client's "save path".
//
// Reads and verification work in any state: files are opened on demand, and a missing or short file simply
// fails the pieces it holds. open() is the up-front step: ReadOnly checks that a seeder has every file at its
// exact size; ReadWrite creates what a leecher needs and is required before writeBlock().
//
// Threads: readBlock, writeBlock, checkPiece and verifyPiece may run concurrently from any number of threads
// (positional I/O, a locked handle cache). open() and close() must not overlap other calls.
//
// Writes go straight to the kernel with pwrite; there is no user-space buffer to flush on exit.
class TorrentStorage final : public PieceStore {
public:
    struct BlockRead {
        QByteArray data;
        StorageStatus status;
        bool ok() const { return status.ok(); }
    };

    // handles: a cache to share with other storages (say, every torrent of one client), or null for a private
    // cache of FileHandleCache::DefaultCapacity descriptors.
    TorrentStorage(const Metainfo& metainfo, const QString& downloadDir,
                   std::shared_ptr<FileHandleCache> handles = {});
    ~TorrentStorage() override;
    TorrentStorage(const TorrentStorage&) = delete;
    TorrentStorage& operator=(const TorrentStorage&) = delete;

    // Not ok when the metainfo's files, total size and piece hashes disagree (a parser bug or a hand-built
    // Metainfo); every operation then fails with the same status.
    const StorageStatus& layoutStatus() const override { return m_layoutStatus; }
    const PieceLayout& layout() const override { return m_layout; }
    const Metainfo& metainfo() const override { return m_metainfo; }
    int pieceCount() const { return m_layout.pieceCount(); }
    const TorrentStorage* files() const override { return this; }
    // A file of the torrent exists and is not empty.
    bool hasExistingData() const override;
    QString downloadDir() const { return m_downloadDir; }
    // Absolute path of file i, whether or not it exists.
    QString filePath(int file) const;

    // ReadOnly: every file must exist as a regular file of its exact length; the error names the first that
    // does not. ReadWrite: creates the download directory, missing folders and files, and sets every file to
    // its exact length (sparse when growing; a longer file is cut to the torrent's length). Refuses any path
    // that a symbolic link would lead outside the download directory.
    StorageStatus open(OpenMode mode) override;
    // Releases this storage's descriptors. Reads still work afterwards; writes need open(ReadWrite) again.
    void close();
    bool isOpen() const { return m_open; }
    OpenMode mode() const { return m_mode; }

    // A block is any non-empty range inside one piece (peers ask for 16 KiB, the engine may read whole
    // pieces). Out-of-range requests come back as OutOfRange errors, never as a crash.
    BlockRead readBlock(int piece, qint64 offset, qint64 length) const;
    StorageStatus readBlockInto(int piece, qint64 offset, qint64 length, char* out) const override;
    StorageStatus writeBlock(int piece, qint64 offset, const QByteArray& data);
    StorageStatus writeBlock(int piece, qint64 offset, const char* data, qint64 length) override;

    // Reads the piece back from disk and compares its SHA-1 with the torrent's. Call it after the last block
    // of the piece was written: a piece counts as had only once what is on disk hashes right.
    PieceState checkPiece(int piece) const override;

    // Checks every piece on up to threads threads (0: one per core). Missing and short files make their
    // pieces false rather than failing the call. When cancel becomes true the workers stop soon after and the
    // pieces not checked yet stay false.
    QBitArray verifyAll(const VerifyProgress& progress = {}, const std::atomic<bool>* cancel = nullptr,
                        int threads = 0) const;
    // The same for the pieces set in which only (a bitfield of pieceCount() bits); the others stay false.
    QBitArray verifyPieces(const QBitArray& which, const VerifyProgress& progress = {},
                           const std::atomic<bool>* cancel = nullptr, int threads = 0) const override;

private:
    StorageStatus checkLayout() const;
    StorageStatus openReadOnly();
    StorageStatus openReadWrite();
    StorageStatus outOfRange(int piece, qint64 offset, qint64 length) const;
    FileHandleCache::Handle handleFor(int file, bool forWriting, StorageStatus* status) const;
    PieceState hashPiece(int piece, QByteArray& buffer) const;

    Metainfo m_metainfo;
    PieceLayout m_layout;
    QString m_downloadDir;
    PathConfinement m_confinement;
    std::shared_ptr<FileHandleCache> m_handles;
    StorageStatus m_layoutStatus;
    OpenMode m_mode = OpenMode::ReadOnly;
    bool m_open = false;
};

} // namespace swarmscope
