#include "storage/SharedContent.h"

#include "metainfo/Sha1.h"
#include "storage/TorrentStorage.h"

namespace swarmscope {

SharedContent::SharedContent(const Metainfo& metainfo, const QString& sourceDir)
    : m_metainfo(metainfo), m_sourceDir(sourceDir) {}

const StorageStatus& SharedContent::load() const {
    std::call_once(m_once, [this] {
        const TorrentStorage files(m_metainfo, m_sourceDir);
        if (!files.layoutStatus().ok()) {
            m_status = files.layoutStatus();
            return;
        }
        const PieceLayout& layout = files.layout();
        QByteArray bytes(qsizetype(layout.totalSize()), Qt::Uninitialized);
        for (int piece = 0; piece < layout.pieceCount(); ++piece) {
            const qint64 offset = qint64(piece) * layout.pieceLength();
            const StorageStatus status =
                files.readBlockInto(piece, 0, layout.pieceSize(piece), bytes.data() + offset);
            if (!status.ok()) {
                m_status = status;
                return;
            }
        }
        // Checked once here; every peer's blocks are then compared with these bytes.
        int wrong = 0;
        for (int piece = 0; piece < layout.pieceCount(); ++piece) {
            const qint64 offset = qint64(piece) * layout.pieceLength();
            if (sha1(bytes.constData() + offset, layout.pieceSize(piece)) != m_metainfo.pieceHash(piece))
                ++wrong;
        }
        if (wrong > 0) {
            m_status = StorageStatus::failure(
                StorageError::Io,
                QStringLiteral("the data does not match the torrent: %1 of %2 pieces are wrong (%3)")
                    .arg(wrong)
                    .arg(layout.pieceCount())
                    .arg(m_sourceDir));
            return;
        }
        m_bytes = std::move(bytes);
    });
    return m_status;
}

} // namespace swarmscope
