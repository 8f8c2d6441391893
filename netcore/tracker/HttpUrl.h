#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace swarmscope {

// The parts of an http:// URL that a minimal client needs to connect and send a request line.
struct HttpUrl {
    QString host; // a name or an address, without IPv6 brackets
    quint16 port = 80;
    QByteArray target;    // path and query exactly as given ("/announce?passkey=x"), never empty
    QByteArray authority; // "host:port" as written in the URL, for the Host header
};

// Parses "http://host[:port][/path][?query][#fragment]". https, udp, user info and non-ASCII bytes are
// refused with a reason in *error, since this client speaks plain HTTP only.
std::optional<HttpUrl> parseHttpUrl(const QString& url, QString* error = nullptr);

// Appends an encoded query to a URL that may already have one (private trackers put a passkey there):
// "http://t/a" -> "http://t/a?q", "http://t/a?k=1" -> "http://t/a?k=1&q". A fragment is dropped.
QString appendQuery(const QString& url, const QByteArray& query);

// BEP 48: the scrape URL replaces the last "announce" of the announce URL's path with "scrape";
// nothing when the path's last component does not start with "announce".
std::optional<QString> scrapeUrlFor(const QString& announceUrl);

// "http://host:port" of any http URL (for the catalogue, which lives beside /announce), or nothing.
std::optional<QString> urlOrigin(const QString& url);

} // namespace swarmscope
