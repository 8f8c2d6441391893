#include "tracker/TorrentCatalogue.h"

#include "metainfo/Metainfo.h"

namespace swarmscope {

TorrentCatalogue::TorrentCatalogue(const CatalogueLimits& limits) : m_limits(limits) {}

CataloguePublishResult TorrentCatalogue::publish(const QByteArray& torrent) {
    CataloguePublishResult result;
    if (torrent.size() > m_limits.maxTorrentBytes) {
        result.status = CataloguePublishStatus::TooLarge;
        result.error = QStringLiteral("torrent is larger than %1 bytes").arg(m_limits.maxTorrentBytes);
        return result;
    }
    if (torrent.isEmpty()) {
        result.error = QStringLiteral("empty torrent");
        return result;
    }
    MetainfoLimits metainfoLimits;
    metainfoLimits.maxTorrentBytes = m_limits.maxTorrentBytes;
    const MetainfoParseResult parsed = parseMetainfo(torrent, metainfoLimits);
    if (!parsed.ok()) {
        result.error = QStringLiteral("invalid torrent: ") + parsed.message;
        return result;
    }
    const Metainfo& metainfo = *parsed.metainfo;
    if (const CatalogueEntry* existing = find(metainfo.infoHash)) {
        result.status = CataloguePublishStatus::AlreadyPresent;
        result.entry = *existing;
        return result;
    }
    if (m_order.size() >= m_limits.maxTorrents || m_totalBytes + torrent.size() > m_limits.maxTotalBytes) {
        result.status = CataloguePublishStatus::Full;
        result.error = QStringLiteral("the catalogue is full");
        return result;
    }

    CatalogueEntry entry;
    entry.infoHash = metainfo.infoHash;
    entry.name = metainfo.name;
    entry.totalSize = metainfo.totalSize;
    entry.pieceCount = metainfo.pieceCount();
    entry.pieceLength = metainfo.pieceLength;
    entry.torrent = torrent;
    m_entries.insert(entry.infoHash, entry);
    m_order.append(entry.infoHash);
    m_totalBytes += torrent.size();
    result.status = CataloguePublishStatus::Added;
    result.entry = entry;
    return result;
}

bool TorrentCatalogue::remove(const QByteArray& infoHash) {
    const auto it = m_entries.constFind(infoHash);
    if (it == m_entries.constEnd())
        return false;
    m_totalBytes -= it->torrent.size();
    m_entries.erase(it);
    m_order.removeOne(infoHash);
    return true;
}

const CatalogueEntry* TorrentCatalogue::find(const QByteArray& infoHash) const {
    const auto it = m_entries.constFind(infoHash);
    return it == m_entries.constEnd() ? nullptr : &it.value();
}

QList<CatalogueEntry> TorrentCatalogue::findByName(const QString& name) const {
    QList<CatalogueEntry> out;
    for (const QByteArray& infoHash : m_order) {
        const CatalogueEntry& entry = m_entries[infoHash];
        if (entry.name == name)
            out.append(entry);
    }
    return out;
}

QList<CatalogueEntry> TorrentCatalogue::entries() const {
    QList<CatalogueEntry> out;
    out.reserve(m_order.size());
    for (const QByteArray& infoHash : m_order)
        out.append(m_entries[infoHash]);
    return out;
}

} // namespace swarmscope
