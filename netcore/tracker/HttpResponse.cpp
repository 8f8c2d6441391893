#include "tracker/HttpResponse.h"

#include "bencode/Bencode.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace swarmscope {

QByteArray httpReasonPhrase(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    case 507:
        return "Insufficient Storage";
    default:
        return "Unknown";
    }
}

QByteArray HttpResponse::serialize(bool keepAlive) const {
    QByteArray out;
    out.reserve(body.size() + 160);
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + httpReasonPhrase(status) + "\r\n";
    out += "Content-Type: " + contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto& header : extraHeaders)
        out += header.first + ": " + header.second + "\r\n";
    out += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "\r\n";
    out += body;
    return out;
}

HttpResponse HttpResponse::bencoded(int status, const QByteArray& body) {
    return {status, "text/plain", body, {}};
}

HttpResponse HttpResponse::trackerFailure(int status, const QString& reason) {
    BencodeValue dict = BencodeValue::dictionary();
    dict.insert("failure reason", reason.toUtf8());
    return bencoded(status, bencodeEncode(dict));
}

HttpResponse HttpResponse::json(int status, const QByteArray& body) {
    return {status, "application/json", body, {}};
}

HttpResponse HttpResponse::jsonError(int status, const QString& reason) {
    QJsonObject object;
    object.insert(QStringLiteral("error"), reason);
    return json(status, QJsonDocument(object).toJson(QJsonDocument::Compact));
}

HttpResponse HttpResponse::text(int status, const QString& text) {
    return {status, "text/plain; charset=utf-8", text.toUtf8() + '\n', {}};
}

} // namespace swarmscope
