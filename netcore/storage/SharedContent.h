#pragma once

#include "metainfo/Metainfo.h"
#include "storage/StorageStatus.h"

#include <QByteArray>
#include <QString>

#include <mutex>

namespace swarmscope {

// One read-only copy of a torrent's content in memory, in piece order, shared by every simulated peer of that
// torrent. Read from the seeders' files once, on first use, and checked against the piece hashes then, so a
// block equal to this copy is, by its hash, the block the torrent describes.
//
// Thread-safe.
class SharedContent {
public:
    // sourceDir: the directory that contains the torrent's file or top-level folder.
    SharedContent(const Metainfo& metainfo, const QString& sourceDir);

    const Metainfo& metainfo() const { return m_metainfo; }
    // Loads (the first caller waits) and tells whether the content is there and hashes right.
    const StorageStatus& load() const;
    // The content from offset in piece space; valid after load() succeeded.
    const char* at(qint64 offset) const { return m_bytes.constData() + offset; }
    qint64 size() const { return m_bytes.size(); }

private:
    Metainfo m_metainfo;
    QString m_sourceDir;
    mutable std::once_flag m_once;
    mutable QByteArray m_bytes;
    mutable StorageStatus m_status;
};

} // namespace swarmscope
