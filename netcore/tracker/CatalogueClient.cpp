#include "tracker/CatalogueClient.h"

#include "metainfo/Metainfo.h"
#include "metainfo/PercentEncoding.h"
#include "tracker/HttpClient.h"
#include "tracker/HttpUrl.h"
#include "transport/Network.h"
#include "transport/TcpNode.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace swarmscope {

namespace {

constexpr qsizetype kMaxTorrentBytes = 8 * 1024 * 1024;
constexpr qsizetype kMaxListBytes = 16 * 1024 * 1024;

// The tracker's {"error": "..."} text when there is one, else the HTTP status or transport error.
QString describeFailure(const HttpClientResponse& response) {
    if (!response.ok)
        return response.error;
    const QJsonDocument doc = QJsonDocument::fromJson(response.body);
    const QString error = doc.object().value(QStringLiteral("error")).toString();
    if (!error.isEmpty())
        return QStringLiteral("tracker answered HTTP %1: %2").arg(response.status).arg(error);
    return QStringLiteral("tracker answered HTTP %1").arg(response.status);
}

// Reports a failure that is known before any request, still asynchronously as the API promises.
template <typename Reply>
void failLater(Network& network, QObject* context, std::function<void(const Reply&)> done,
               const QString& error) {
    network.scheduler().post(context, [done = std::move(done), error] {
        Reply reply;
        reply.error = error;
        done(reply);
    });
}

} // namespace

CatalogueClient::CatalogueClient(const QString& trackerUrl, Network* network, QObject* parent)
    : QObject(parent), m_ownNetwork(network ? nullptr : std::make_unique<TcpNode>()),
      m_network(network ? network : &m_ownNetwork->network()) {
    QString error;
    if (!parseHttpUrl(trackerUrl, &error)) {
        m_urlError = error + QStringLiteral(" (") + trackerUrl + QLatin1Char(')');
        return;
    }
    m_catalogueUrl = *urlOrigin(trackerUrl) + QStringLiteral("/torrents");
}

CatalogueClient::~CatalogueClient() {
    // Requests in flight read the network's link: they go before the network this client may own.
    qDeleteAll(findChildren<QObject*>(Qt::FindDirectChildrenOnly));
}

void CatalogueClient::publish(const QByteArray& torrent,
                              std::function<void(const CataloguePublishReply&)> done) {
    if (m_catalogueUrl.isEmpty())
        return failLater(*m_network, this, std::move(done), m_urlError);
    HttpClientRequest request;
    request.method = "POST";
    request.url = m_catalogueUrl;
    request.body = torrent;
    request.contentType = "application/x-bittorrent";
    request.timeoutMs = m_timeoutMs;
    HttpClient::fetch(
        *m_network, request, this, [done = std::move(done)](const HttpClientResponse& response) {
            CataloguePublishReply reply;
            if (!response.ok || (response.status != 200 && response.status != 201)) {
                reply.error = describeFailure(response);
                return done(reply);
            }
            const QJsonObject object = QJsonDocument::fromJson(response.body).object();
            reply.infoHash =
                QByteArray::fromHex(object.value(QStringLiteral("info_hash")).toString().toLatin1());
            reply.name = object.value(QStringLiteral("name")).toString();
            reply.alreadyPresent = response.status == 200;
            reply.ok = reply.infoHash.size() == 20;
            if (!reply.ok)
                reply.error = QStringLiteral("tracker's publish answer has no info_hash");
            done(reply);
        });
}

void CatalogueClient::list(const QString& name, std::function<void(const CatalogueListReply&)> done) {
    if (m_catalogueUrl.isEmpty())
        return failLater(*m_network, this, std::move(done), m_urlError);
    HttpClientRequest request;
    request.url = m_catalogueUrl;
    if (!name.isEmpty())
        request.url = appendQuery(request.url, "name=" + percentEncode(name.toUtf8()));
    request.timeoutMs = m_timeoutMs;
    request.maxResponseBytes = kMaxListBytes;
    HttpClient::fetch(
        *m_network, request, this, [done = std::move(done)](const HttpClientResponse& response) {
            CatalogueListReply reply;
            if (!response.ok || response.status != 200) {
                reply.error = describeFailure(response);
                return done(reply);
            }
            const QJsonDocument doc = QJsonDocument::fromJson(response.body);
            if (!doc.isArray()) {
                reply.error = QStringLiteral("tracker's catalogue answer is not a JSON array");
                return done(reply);
            }
            for (const QJsonValue& value : doc.array()) {
                const QJsonObject o = value.toObject();
                CatalogueTorrentInfo info;
                info.name = o.value(QStringLiteral("name")).toString();
                info.infoHash =
                    QByteArray::fromHex(o.value(QStringLiteral("info_hash")).toString().toLatin1());
                info.size = qint64(o.value(QStringLiteral("size")).toDouble());
                info.seeders = qint64(o.value(QStringLiteral("seeders")).toDouble());
                info.leechers = qint64(o.value(QStringLiteral("leechers")).toDouble());
                info.pieces = o.value(QStringLiteral("pieces")).toInt();
                info.pieceLength = qint64(o.value(QStringLiteral("piece_length")).toDouble());
                if (info.infoHash.size() == 20)
                    reply.torrents.append(info);
            }
            reply.ok = true;
            done(reply);
        });
}

void CatalogueClient::fetch(const QByteArray& infoHash,
                            std::function<void(const CatalogueFetchReply&)> done) {
    if (m_catalogueUrl.isEmpty())
        return failLater(*m_network, this, std::move(done), m_urlError);
    HttpClientRequest request;
    request.url = m_catalogueUrl + QLatin1Char('/') + QString::fromLatin1(infoHash.toHex()) +
                  QStringLiteral(".torrent");
    request.timeoutMs = m_timeoutMs;
    request.maxResponseBytes = kMaxTorrentBytes;
    HttpClient::fetch(
        *m_network, request, this, [infoHash, done = std::move(done)](const HttpClientResponse& response) {
            CatalogueFetchReply reply;
            reply.infoHash = infoHash;
            if (!response.ok || response.status != 200) {
                reply.error = describeFailure(response);
                return done(reply);
            }
            // The bytes must be the torrent asked for; a confused or hostile tracker must not swap content.
            const MetainfoParseResult parsed = parseMetainfo(response.body);
            if (!parsed.ok()) {
                reply.error = QStringLiteral("tracker sent an invalid torrent: ") + parsed.message;
                return done(reply);
            }
            if (parsed.metainfo->infoHash != infoHash) {
                reply.error = QStringLiteral("tracker sent a torrent with a different info-hash");
                return done(reply);
            }
            reply.ok = true;
            reply.torrent = response.body;
            done(reply);
        });
}

void CatalogueClient::fetchByName(const QString& name, std::function<void(const CatalogueFetchReply&)> done) {
    list(name, [this, name, done = std::move(done)](const CatalogueListReply& listed) mutable {
        if (!listed.ok) {
            CatalogueFetchReply reply;
            reply.error = listed.error;
            return done(reply);
        }
        if (listed.torrents.isEmpty()) {
            CatalogueFetchReply reply;
            reply.error = QStringLiteral("no torrent named \"%1\" in the tracker's catalogue").arg(name);
            return done(reply);
        }
        fetch(listed.torrents.last().infoHash, std::move(done));
    });
}

} // namespace swarmscope
