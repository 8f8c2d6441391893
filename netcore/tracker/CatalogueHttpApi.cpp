#include "tracker/CatalogueHttpApi.h"

#include "tracker/SwarmTable.h"
#include "tracker/TorrentCatalogue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace swarmscope {

namespace {

const QByteArray kPrefix = "/torrents/";
const QByteArray kSuffix = ".torrent";

bool isHex40(const QByteArray& s) {
    if (s.size() != 40)
        return false;
    for (const char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}

} // namespace

CatalogueHttpApi::CatalogueHttpApi(TorrentCatalogue& catalogue, const SwarmTable& swarms)
    : m_catalogue(catalogue), m_swarms(swarms) {}

bool CatalogueHttpApi::handles(const QByteArray& path) {
    return path == "/torrents" || path == "/torrents/" || path.startsWith(kPrefix);
}

HttpResponse CatalogueHttpApi::handle(const HttpRequest& request) {
    if (request.path == "/torrents" || request.path == "/torrents/") {
        if (request.method == "POST")
            return publish(request);
        if (request.method == "GET")
            return list(request);
        HttpResponse response = HttpResponse::jsonError(405, QStringLiteral("use GET or POST on /torrents"));
        response.extraHeaders.append(qMakePair(QByteArray("Allow"), QByteArray("GET, POST")));
        return response;
    }
    if (request.method != "GET") {
        HttpResponse response = HttpResponse::jsonError(405, QStringLiteral("use GET to download a torrent"));
        response.extraHeaders.append(qMakePair(QByteArray("Allow"), QByteArray("GET")));
        return response;
    }
    return download(request.path);
}

HttpResponse CatalogueHttpApi::publish(const HttpRequest& request) {
    QByteArray type = request.header("content-type").value_or(QByteArray());
    if (const qsizetype semicolon = type.indexOf(';'); semicolon >= 0)
        type.truncate(semicolon); // parameters such as charset do not matter
    type = type.trimmed().toLower();
    if (!type.isEmpty() && type != "application/x-bittorrent" && type != "application/octet-stream")
        return HttpResponse::jsonError(415, QStringLiteral("Content-Type must be application/x-bittorrent"));
    if (request.body.isEmpty())
        return HttpResponse::jsonError(400, QStringLiteral("empty body: send the .torrent file's bytes"));

    const CataloguePublishResult result = m_catalogue.publish(request.body);
    switch (result.status) {
    case CataloguePublishStatus::Added:
    case CataloguePublishStatus::AlreadyPresent: {
        QJsonObject object;
        object.insert(QStringLiteral("info_hash"), result.entry.infoHashHex());
        object.insert(QStringLiteral("name"), result.entry.name);
        const bool added = result.status == CataloguePublishStatus::Added;
        if (added && m_published)
            m_published(result.entry);
        return HttpResponse::json(added ? 201 : 200, QJsonDocument(object).toJson(QJsonDocument::Compact));
    }
    case CataloguePublishStatus::TooLarge:
        return HttpResponse::jsonError(413, result.error);
    case CataloguePublishStatus::Full:
        return HttpResponse::jsonError(507, result.error);
    case CataloguePublishStatus::Invalid:
        break;
    }
    return HttpResponse::jsonError(400, result.error);
}

HttpResponse CatalogueHttpApi::list(const HttpRequest& request) const {
    if (request.queryCount("name") > 1)
        return HttpResponse::jsonError(400, QStringLiteral("name given more than once"));
    const auto name = request.queryValue("name");
    const QList<CatalogueEntry> entries =
        name ? m_catalogue.findByName(QString::fromUtf8(*name)) : m_catalogue.entries();
    QJsonArray array;
    for (const CatalogueEntry& entry : entries) {
        const ScrapeCounts counts = m_swarms.counts(entry.infoHash);
        QJsonObject object;
        object.insert(QStringLiteral("name"), entry.name);
        object.insert(QStringLiteral("info_hash"), entry.infoHashHex());
        object.insert(QStringLiteral("size"), double(entry.totalSize));
        object.insert(QStringLiteral("seeders"), double(counts.complete));
        object.insert(QStringLiteral("leechers"), double(counts.incomplete));
        object.insert(QStringLiteral("pieces"), entry.pieceCount);
        object.insert(QStringLiteral("piece_length"), double(entry.pieceLength));
        array.append(object);
    }
    return HttpResponse::json(200, QJsonDocument(array).toJson(QJsonDocument::Compact));
}

HttpResponse CatalogueHttpApi::download(const QByteArray& path) const {
    const QByteArray hex = path.mid(kPrefix.size());
    if (!hex.endsWith(kSuffix) || !isHex40(hex.chopped(kSuffix.size())))
        return HttpResponse::jsonError(404,
                                       QStringLiteral("no such torrent (use /torrents/<40 hex>.torrent)"));
    const CatalogueEntry* entry = m_catalogue.find(QByteArray::fromHex(hex.chopped(kSuffix.size())));
    if (!entry)
        return HttpResponse::jsonError(404, QStringLiteral("no such torrent"));
    HttpResponse response{200, "application/x-bittorrent", entry->torrent, {}};
    response.extraHeaders.append(
        {"Content-Disposition", "attachment; filename=\"" + entry->infoHashHex().toLatin1() + ".torrent\""});
    return response;
}

} // namespace swarmscope
