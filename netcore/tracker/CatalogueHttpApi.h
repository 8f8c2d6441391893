#pragma once

#include "tracker/HttpRequest.h"
#include "tracker/HttpResponse.h"

#include <functional>

namespace swarmscope {

class SwarmTable;
class TorrentCatalogue;
struct CatalogueEntry;

// The tracker's /torrents routes, answered in JSON:
//   POST /torrents                      body: .torrent bytes  -> 201 {"info_hash", "name"} (200 if known)
//   GET  /torrents[?name=NAME]          -> [{"name", "info_hash", "size", "seeders", "leechers", "pieces",
//                                            "piece_length"}], oldest first
//   GET  /torrents/<40 hex>.torrent     -> the torrent's bytes
class CatalogueHttpApi {
public:
    using PublishedCallback = std::function<void(const CatalogueEntry& entry)>;

    CatalogueHttpApi(TorrentCatalogue& catalogue, const SwarmTable& swarms);

    void setPublishedCallback(PublishedCallback callback) { m_published = std::move(callback); }

    // True for any path this API answers, so the server can route errors to JSON.
    static bool handles(const QByteArray& path);
    HttpResponse handle(const HttpRequest& request);

private:
    HttpResponse publish(const HttpRequest& request);
    HttpResponse list(const HttpRequest& request) const;
    HttpResponse download(const QByteArray& path) const;

    TorrentCatalogue& m_catalogue;
    const SwarmTable& m_swarms;
    PublishedCallback m_published;
};

} // namespace swarmscope
