#pragma once

#include "storage/StorageStatus.h"

#include <QBitArray>
#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

class TorrentStorage;
struct ResumeDecodeResult;
struct ResumeLoadResult;

// What a file looked like when its pieces were last known good. size -1 means the file did not exist.
struct FileStamp {
    qint64 size = -1;
    qint64 mtimeNs = 0; // modification time, nanoseconds since the epoch

    bool operator==(const FileStamp& other) const = default;
};

// Lets a client restart without re-hashing everything: which pieces were verified, and the size and mtime of
// every file at that moment. A file whose size or mtime differs on load may have been touched by someone
// else, so every piece holding any of its bytes must be verified again. Stored as a small bencoded
// dictionary:
//
//   d 5:files l d 5:mtime i<ns>e 4:size i<bytes>e e ... e
//     9:info hash 20:<raw>  11:piece count i<n>e  6:pieces <bitfield, BEP 3 bit order>  7:version i1e e
//
// Where the file lives is the caller's choice. Save it after writes have stopped (on pause, on exit): a block
// written after the snapshot changes its file's mtime and costs that file's pieces a re-check on the next
// load, which is safe but slower than trusting them.
//
// A write in the same tick of a coarse file system clock as the snapshot would leave the mtime as it was, so
// capture() moves the mtime of a file modified in the last few seconds back by one step of the file
// system's time granularity: every later write, whoever makes it, then gives the file a different mtime.
class ResumeData {
public:
    QByteArray infoHash;
    QBitArray pieces;
    QList<FileStamp> files;

    // The storage's files as they are now, with the pieces the caller has verified. Moves back the mtime of
    // recently written files (see above); call it only while nothing writes to them.
    static ResumeData capture(const TorrentStorage& storage, const QBitArray& verified);
    static FileStamp stampOf(const QString& path);
    // stampOf() after moving back the mtime of a file modified within the last kRacyWindowSeconds (whole
    // seconds, so file systems with timestamps as coarse as two seconds are covered too).
    static constexpr qint64 kRacyWindowSeconds = 3;
    static FileStamp settledStampOf(const QString& path);

    QByteArray encode() const;
    // Strict: wrong types, a bitfield of the wrong length or with spare bits set, and unknown versions fail.
    static ResumeDecodeResult decode(const QByteArray& bytes, qsizetype maxTokens = 4'000'000);

    // Atomic (QSaveFile): a crash mid-save leaves the previous file intact.
    StorageStatus save(const QString& path) const;

    // Reads path and checks it against storage: the info-hash, the piece and file counts must match, and
    // pieces in any file whose size or mtime changed are dropped; every piece holding bytes of such a file
    // is listed for a check on disk (it may have been verified after the snapshot, or damaged since).
    static ResumeLoadResult load(const QString& path, const TorrentStorage& storage);
};

struct ResumeDecodeResult {
    std::optional<ResumeData> data;
    StorageStatus status;
};

struct ResumeLoadResult {
    QBitArray pieces;     // verified pieces still to be trusted; all false when status is not ok
    QBitArray recheck;    // pieces of files changed since, to verify on disk; all false when status is not ok
    StorageStatus status; // BadResumeData, or FileMissing for no file: treat as "no resume data" and verify
    int droppedPieces = 0; // pieces the file claimed but whose files changed since
};

} // namespace swarmscope
