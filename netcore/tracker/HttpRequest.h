#pragma once

#include "metainfo/PercentEncoding.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace swarmscope {

struct HttpHeader {
    QByteArray name; // lower-case, so lookups need no case folding
    QByteArray value;
};

// One parsed HTTP/1.x request, with the query already split and percent-decoded into raw bytes.
struct HttpRequest {
    QByteArray method;
    QByteArray target;   // the request target exactly as sent
    QByteArray path;     // percent-decoded path, without the query
    QByteArray rawQuery; // the query as sent, without '?'
    QList<QueryItem> query;
    int versionMinor = 1; // HTTP/1.0 or HTTP/1.1
    QList<HttpHeader> headers;
    QByteArray body;

    // The first header of that (case-insensitive) name, or nothing.
    std::optional<QByteArray> header(const QByteArray& name) const;
    // Every value given for a query key, in order.
    QList<QByteArray> queryValues(const QByteArray& key) const;
    std::optional<QByteArray> queryValue(const QByteArray& key) const;
    int queryCount(const QByteArray& key) const;
    // HTTP/1.1 keeps the connection unless told "close"; HTTP/1.0 closes unless told "keep-alive".
    bool keepAlive() const;
};

} // namespace swarmscope
