#include "storage/NoDataStore.h"

namespace swarmscope {

NoDataStore::NoDataStore(const Metainfo& metainfo)
    : m_metainfo(metainfo), m_layout(PieceLayout::fromMetainfo(metainfo)) {
    if (!m_layout.isValid() || m_layout.pieceCount() != metainfo.pieceCount())
        m_layoutStatus = StorageStatus::failure(StorageError::BadLayout,
                                                QStringLiteral("the torrent's layout is invalid"));
}

StorageStatus NoDataStore::open(OpenMode mode) {
    if (!m_layoutStatus.ok())
        return m_layoutStatus;
    if (mode == OpenMode::ReadOnly)
        return StorageStatus::failure(
            StorageError::FileMissing,
            QStringLiteral("an observer holds no data to seed (%1)").arg(m_metainfo.name));
    return StorageStatus::success();
}

StorageStatus NoDataStore::readBlockInto(int, qint64, qint64, char*) const {
    return StorageStatus::failure(StorageError::FileMissing,
                                  QStringLiteral("an observer holds no data (%1)").arg(m_metainfo.name));
}

StorageStatus NoDataStore::writeBlock(int, qint64, const char*, qint64) {
    return StorageStatus::failure(StorageError::NotWritable,
                                  QStringLiteral("an observer keeps no data (%1)").arg(m_metainfo.name));
}

QBitArray NoDataStore::verifyPieces(const QBitArray& which, const VerifyProgress& progress,
                                    const std::atomic<bool>*, int) const {
    if (progress)
        progress(which.count(true), which.count(true));
    return QBitArray(pieceCount(), false);
}

} // namespace swarmscope
