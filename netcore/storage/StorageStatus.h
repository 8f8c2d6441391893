#pragma once

#include <QString>

namespace swarmscope {

// What went wrong in a storage operation. A closed set, so callers (the peer engine, the CLI) can decide
// between "re-download", "stop the torrent" and "tell the user" without parsing messages.
enum class StorageError {
    None,
    BadLayout,    // the metainfo's files, sizes and piece count do not agree
    OutOfRange,   // a piece index, offset or length outside the torrent
    NotWritable,  // a write on storage that was not opened with OpenMode::ReadWrite
    FileMissing,  // a file that should exist does not
    WrongSize,    // a file exists with a size other than the torrent says
    UnsafePath,   // the path would leave the download directory (a symbolic link pointing outside, "..")
    DiskFull,     // ENOSPC or EDQUOT
    FileTooLarge, // EFBIG: the file system's or the process's file size limit
    Io,           // any other system call failure
    BadResumeData // a resume file that is unreadable, corrupt or for another torrent
};

// The outcome of one storage operation: ok, or an error kind with one clear sentence in the project's
// "<what> (<where>)" form, e.g. "no space left on device while writing (/dl/movie/part1.mkv)".
struct StorageStatus {
    StorageError error = StorageError::None;
    QString message;

    bool ok() const { return error == StorageError::None; }

    static StorageStatus success() { return {}; }
    static StorageStatus failure(StorageError error, const QString& message) { return {error, message}; }
};

// A full disk or a file size limit: what is on disk is intact, only more could not be written.
inline bool isOutOfSpace(StorageError error) {
    return error == StorageError::DiskFull || error == StorageError::FileTooLarge;
}

// Turns a failed system call's errno into a status: ENOSPC and EDQUOT become DiskFull, EFBIG FileTooLarge,
// ENOENT FileMissing, anything else Io. action is a verb phrase such as "writing"; path says where.
StorageStatus systemFailure(int errnum, const QString& action, const QString& path);

} // namespace swarmscope
