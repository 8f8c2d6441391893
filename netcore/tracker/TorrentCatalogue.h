#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

namespace swarmscope {

struct CatalogueLimits {
    int maxTorrents = 1000;
    qint64 maxTotalBytes = 256LL * 1024 * 1024;
    qint64 maxTorrentBytes = 8LL * 1024 * 1024;
};

// One published torrent: its validated summary and the exact bytes that were uploaded.
struct CatalogueEntry {
    QByteArray infoHash; // 20 raw bytes
    QString name;
    qint64 totalSize = 0;
    int pieceCount = 0;
    qint64 pieceLength = 0;
    QByteArray torrent;

    QString infoHashHex() const { return QString::fromLatin1(infoHash.toHex()); }
};

enum class CataloguePublishStatus {
    Added,
    AlreadyPresent, // the same info-hash was published before; the first upload is kept
    Invalid,        // not a valid torrent
    TooLarge,       // over maxTorrentBytes
    Full,           // the catalogue holds its torrent or byte limit
};

struct CataloguePublishResult {
    CataloguePublishStatus status = CataloguePublishStatus::Invalid;
    CatalogueEntry entry; // when Added or AlreadyPresent
    QString error;        // otherwise, one sentence

    bool ok() const {
        return status == CataloguePublishStatus::Added || status == CataloguePublishStatus::AlreadyPresent;
    }
};

// The .torrent files published to this tracker, so that a leecher can fetch "the torrent published under
// that name". Uploads are validated with the metainfo parser and bounded in count and bytes.
class TorrentCatalogue {
public:
    explicit TorrentCatalogue(const CatalogueLimits& limits = {});

    CataloguePublishResult publish(const QByteArray& torrent);
    bool remove(const QByteArray& infoHash);

    const CatalogueEntry* find(const QByteArray& infoHash) const;
    // Every entry with exactly this name, oldest first.
    QList<CatalogueEntry> findByName(const QString& name) const;
    // Every entry, oldest first.
    QList<CatalogueEntry> entries() const;

    int size() const { return int(m_order.size()); }
    qint64 totalBytes() const { return m_totalBytes; }
    const CatalogueLimits& limits() const { return m_limits; }

private:
    CatalogueLimits m_limits;
    QHash<QByteArray, CatalogueEntry> m_entries;
    QList<QByteArray> m_order;
    qint64 m_totalBytes = 0;
};

} // namespace swarmscope
