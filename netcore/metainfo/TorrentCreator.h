#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace swarmscope {

struct TorrentCreateOptions {
    // A regular file makes a single-file torrent, a directory a multi-file one (even when it holds one file).
    // A symlink given here is followed, because the user named it.
    QString path;
    qint64 pieceLength = 0; // 0 = automaticPieceLength(total size); else a power of two, 16 KiB to 512 MiB
    // The first tracker becomes "announce". With more than one, "announce-list" holds one tier per tracker in
    // this order, which is what mktorrent writes for repeated -a options.
    QStringList trackers;
    bool isPrivate = false;
    QString comment;
    // Without a date the whole file depends only on the content and these options.
    bool includeDate = true;
    QString createdBy; // empty = no "created by" key
    int threads = 0;   // hashing threads; 0 = automatic: one per core, plus one
};

enum class TorrentCreateError {
    None,
    InvalidOptions,      // bad piece size, thread count or tracker URL
    PathNotFound,        // the input path does not exist
    UnsupportedPath,     // not a regular file or directory, a name that is not UTF-8, or no usable name
    Unreadable,          // a file that cannot be opened or a directory that cannot be listed
    NoData,              // no regular files, or all of them empty
    TooLarge,            // the torrent would exceed the metainfo size limit
    ChangedWhileHashing, // a file changed size between the scan and the end of hashing
    ReadFailed,          // an I/O error while hashing
};

struct TorrentCreateResult {
    QByteArray torrent;  // the complete .torrent file
    QByteArray infoHash; // 20 raw bytes: SHA-1 of the info dictionary as it appears in torrent
    QString name;
    qint64 totalSize = 0;
    qint64 pieceLength = 0;
    int pieceCount = 0;
    int fileCount = 0;
    // Relative paths ('/' separated) of directory entries left out: symlinks and special files.
    QStringList skipped;

    TorrentCreateError errorKind = TorrentCreateError::None;
    QString error; // "what (where)", e.g. "no such file or directory (/data/x.iso)"
    bool cancelled = false;

    bool ok() const { return errorKind == TorrentCreateError::None && !cancelled; }
    // True for errors caused by the request itself (exit code 2 on the command line); false for failures
    // while running, such as a read error (exit code 1).
    bool isInputError() const;
    QString infoHashHex() const { return QString::fromLatin1(infoHash.toHex()); }
};

// Called with the bytes hashed so far and the total; the values never decrease, and a successful run ends
// with hashedBytes == totalBytes.
using TorrentCreateProgress = std::function<void(qint64 hashedBytes, qint64 totalBytes)>;

// Builds a v1 .torrent from a file or a directory.
//
// A directory's regular files are listed in the byte order of their full relative UTF-8 paths, hidden ones
// included and empty ones kept, as mktorrent does; with the same piece size and private flag the info
// dictionary is byte-identical to mktorrent's. Symlinks inside the directory and special files (fifos,
// sockets, devices) are left out and reported in TorrentCreateResult::skipped, so that a torrent never
// reaches outside the tree it was made from and cannot loop.
//
// Pieces are hashed on worker threads; run() blocks until they finish and calls the progress callback on
// its own thread, so a GUI runs it on a worker thread and forwards progress with a queued signal.
class TorrentCreator {
public:
    explicit TorrentCreator(TorrentCreateOptions options);
    TorrentCreator(const TorrentCreator&) = delete;
    TorrentCreator& operator=(const TorrentCreator&) = delete;

    // Scans, hashes and encodes. The callback may call cancel().
    TorrentCreateResult run(const TorrentCreateProgress& progress = {});

    // Thread-safe. Stops a running run() within a few milliseconds; it returns with cancelled set. A cancel
    // that comes before run() makes run() return at once: the request was withdrawn.
    void cancel();
    bool isCancelled() const { return m_cancelled.load(); }

    const TorrentCreateOptions& options() const { return m_options; }

private:
    TorrentCreateOptions m_options;
    std::atomic<bool> m_cancelled{false};
    std::mutex m_mutex;
    std::condition_variable m_wake; // wakes run() when a worker finishes or cancel() is called
};

} // namespace swarmscope
