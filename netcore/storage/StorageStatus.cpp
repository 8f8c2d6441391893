#include "storage/StorageStatus.h"

#include <cerrno>

namespace swarmscope {

StorageStatus systemFailure(int errnum, const QString& action, const QString& path) {
    const QString where = QStringLiteral(" (") + path + QStringLiteral(")");
    switch (errnum) {
    case ENOSPC:
        return StorageStatus::failure(StorageError::DiskFull,
                                      QStringLiteral("no space left on device while ") + action + where);
    case EDQUOT:
        return StorageStatus::failure(StorageError::DiskFull,
                                      QStringLiteral("disk quota exceeded while ") + action + where);
    case EFBIG:
        return StorageStatus::failure(
            StorageError::FileTooLarge,
            QStringLiteral("file too large (over the file system's or the process's "
                           "file size limit) while ") +
                action + where);
    case ENOENT:
    case ENOTDIR:
        return StorageStatus::failure(StorageError::FileMissing,
                                      QStringLiteral("file is missing while ") + action + where);
    default:
        // qt_error_string is Qt's thread-safe strerror; verification calls this from several threads.
        return StorageStatus::failure(StorageError::Io,
                                      qt_error_string(errnum) + QStringLiteral(" while ") + action + where);
    }
}

} // namespace swarmscope
