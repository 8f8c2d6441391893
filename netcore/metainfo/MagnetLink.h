#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace swarmscope {

// What a BEP 9 magnet link says about a v1 torrent. Only the info-hash is certain; the name and trackers are
// hints until the metadata arrives.
struct MagnetLink {
    QByteArray infoHash;  // 20 raw bytes
    QString displayName;  // "dn", percent-decoded; empty when absent
    QStringList trackers; // every "tr", percent-decoded, in order, without duplicates
    // Every "x.pe" (BEP 9 peer address), as "host:port" or "[ipv6]:port", in order, without duplicates.
    QStringList peers;

    QString infoHashHex() const { return QString::fromLatin1(infoHash.toHex()); }
};

// Parses "magnet:?xt=urn:btih:<40 hex or 32 base32 digits>&dn=...&tr=...&x.pe=...". Unknown parameters are
// ignored; an x.pe without a port in 1..65535 is an error.
// On failure returns std::nullopt and sets *error (when given) to one sentence naming the parameter at fault.
// A link with only a v2 hash (urn:btmh) is rejected as unsupported; one that has both hashes is read as v1.
std::optional<MagnetLink> parseMagnetLink(const QString& uri, QString* error);

// The link's x.pe peers as addresses ("1.2.3.4:6881", "[::1]:6881"); nothing, with the first peer that is a
// host name rather than an address in *badPeer, when one is.
std::optional<QList<std::pair<QHostAddress, quint16>>> magnetPeerAddresses(const MagnetLink& link,
                                                                           QString* badPeer);

} // namespace swarmscope
