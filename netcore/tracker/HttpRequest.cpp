#include "tracker/HttpRequest.h"

namespace swarmscope {

namespace {

// True when a comma-separated header value such as "keep-alive, Upgrade" lists token.
bool listsToken(const QByteArray& value, const QByteArray& token) {
    for (const QByteArray& part : value.split(','))
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

} // namespace

std::optional<QByteArray> HttpRequest::header(const QByteArray& name) const {
    const QByteArray lower = name.toLower();
    for (const HttpHeader& h : headers)
        if (h.name == lower)
            return h.value;
    return std::nullopt;
}

QList<QByteArray> HttpRequest::queryValues(const QByteArray& key) const {
    QList<QByteArray> values;
    for (const QueryItem& item : query)
        if (item.first == key)
            values.append(item.second);
    return values;
}

std::optional<QByteArray> HttpRequest::queryValue(const QByteArray& key) const {
    for (const QueryItem& item : query)
        if (item.first == key)
            return item.second;
    return std::nullopt;
}

int HttpRequest::queryCount(const QByteArray& key) const {
    int count = 0;
    for (const QueryItem& item : query)
        if (item.first == key)
            ++count;
    return count;
}

bool HttpRequest::keepAlive() const {
    const QByteArray connection = header("connection").value_or(QByteArray());
    if (versionMinor >= 1)
        return !listsToken(connection, "close");
    return listsToken(connection, "keep-alive");
}

} // namespace swarmscope
