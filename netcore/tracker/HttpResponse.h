#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace swarmscope {

// A response the tracker sends: status, one content type, a body, and whether the connection stays open.
struct HttpResponse {
    int status = 200;
    QByteArray contentType = "text/plain";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> extraHeaders;

    // "HTTP/1.1 <status> <reason>" with Content-Type, Content-Length and Connection headers, then the body.
    QByteArray serialize(bool keepAlive) const;

    static HttpResponse bencoded(int status, const QByteArray& body);
    // A bencoded {"failure reason": reason}: what BitTorrent clients read from announce and scrape errors.
    static HttpResponse trackerFailure(int status, const QString& reason);
    static HttpResponse json(int status, const QByteArray& body);
    // A JSON {"error": reason}, for the catalogue's routes.
    static HttpResponse jsonError(int status, const QString& reason);
    static HttpResponse text(int status, const QString& text);
};

// The standard reason phrase of a status code ("Not Found"), or "Unknown".
QByteArray httpReasonPhrase(int status);

} // namespace swarmscope
