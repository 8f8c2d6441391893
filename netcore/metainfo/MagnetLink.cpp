#include "metainfo/MagnetLink.h"

#include "metainfo/PercentEncoding.h"

#include <QByteArrayView>

namespace swarmscope {

namespace {

// RFC 4648 base32, the older spelling of a btih info-hash: 32 digits make exactly 20 bytes.
std::optional<QByteArray> base32Decode(QByteArrayView text) {
    QByteArray out;
    quint32 buffer = 0;
    int bits = 0;
    for (const char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z')
            value = c - 'A';
        else if (c >= 'a' && c <= 'z')
            value = c - 'a';
        else if (c >= '2' && c <= '7')
            value = c - '2' + 26;
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 5) | quint32(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::optional<QByteArray> decodeBtih(QByteArrayView digits, QString* why) {
    if (digits.size() == 40) {
        for (const char c : digits) {
            if (hexDigitValue(c) < 0) {
                *why = QStringLiteral("the btih info-hash has 40 characters but they are not all hex digits");
                return std::nullopt;
            }
        }
        return QByteArray::fromHex(digits.toByteArray());
    }
    if (digits.size() == 32) {
        if (std::optional<QByteArray> hash = base32Decode(digits))
            return hash;
        *why = QStringLiteral("the btih info-hash has 32 characters but they are not all base32 digits");
        return std::nullopt;
    }
    *why =
        QStringLiteral("the btih info-hash must have 40 hex or 32 base32 digits, not %1").arg(digits.size());
    return std::nullopt;
}

// "xt", "xt.1", "xt.2", ...: the magnet URI scheme numbers repeated topics this way.
bool isParameter(QByteArrayView key, QByteArrayView name) {
    if (!key.startsWith(name))
        return false;
    if (key.size() == name.size())
        return true;
    if (key[name.size()] != '.' || key.size() == name.size() + 1)
        return false;
    for (const char c : key.sliced(name.size() + 1))
        if (c < '0' || c > '9')
            return false;
    return true;
}

} // namespace

std::optional<MagnetLink> parseMagnetLink(const QString& uri, QString* error) {
    auto fail = [error](const QString& why) -> std::optional<MagnetLink> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QByteArray text = uri.trimmed().toUtf8();
    const QByteArrayView prefix("magnet:?");
    if (text.size() < prefix.size() ||
        QByteArrayView(text).first(prefix.size()).compare(prefix, Qt::CaseInsensitive) != 0)
        return fail(QStringLiteral("a magnet link must start with 'magnet:?'"));

    QByteArray query = text.sliced(prefix.size());
    if (const qsizetype fragment = query.indexOf('#'); fragment >= 0)
        query.truncate(fragment);

    MagnetLink link;
    bool haveName = false;
    bool sawV2 = false;
    for (const QByteArray& parameter : query.split('&')) {
        if (parameter.isEmpty())
            continue;
        const qsizetype equals = parameter.indexOf('=');
        const QByteArray key = (equals < 0 ? parameter : parameter.first(equals)).toLower();
        const QByteArrayView rawValue =
            equals < 0 ? QByteArrayView() : QByteArrayView(parameter).sliced(equals + 1);
        const bool isTopic = isParameter(key, "xt");
        const bool isName = isParameter(key, "dn");
        const bool isTracker = isParameter(key, "tr");
        const bool isPeer = key == "x.pe";
        if (!isTopic && !isName && !isTracker && !isPeer)
            continue;
        // Form encoding writes spaces in names as '+'; in URNs and tracker URLs a '+' is meant literally. An
        // escaped "%2B" stays a '+' either way, since the swap happens before decoding.
        QByteArray encoded = rawValue.toByteArray();
        if (isName)
            encoded.replace('+', ' ');
        // Strict: a '%' not followed by two hex digits is an error, so a mangled link never names another
        // torrent.
        const std::optional<QByteArray> value = percentDecode(encoded);
        if (!value)
            return fail(QStringLiteral("the %1 parameter has a '%' that is not followed by two hex digits")
                            .arg(QString::fromUtf8(key)));

        if (isTopic) {
            const QByteArrayView urn(*value);
            if (urn.size() >= 9 && urn.first(9).compare("urn:btih:", Qt::CaseInsensitive) == 0) {
                QString why;
                const std::optional<QByteArray> hash = decodeBtih(urn.sliced(9), &why);
                if (!hash)
                    return fail(QStringLiteral("%1 (%2)").arg(why, QString::fromUtf8(key)));
                if (!link.infoHash.isEmpty() && link.infoHash != *hash)
                    return fail(QStringLiteral("the link names two different btih info-hashes, %1 and %2")
                                    .arg(QString::fromLatin1(link.infoHash.toHex()),
                                         QString::fromLatin1(hash->toHex())));
                link.infoHash = *hash;
            } else if (urn.size() >= 9 && urn.first(9).compare("urn:btmh:", Qt::CaseInsensitive) == 0) {
                sawV2 = true;
            }
        } else if (isName) {
            // Only the first dn counts: a link with several names is ambiguous, and the order is all there
            // is.
            if (!haveName) {
                link.displayName = QString::fromUtf8(*value);
                haveName = true;
            }
        } else if (isPeer) {
            const QString peer = QString::fromUtf8(*value).trimmed();
            const qsizetype colon = peer.lastIndexOf(u':');
            bool portOk = false;
            const uint port = colon > 0 ? peer.sliced(colon + 1).toUInt(&portOk) : 0;
            if (!portOk || port == 0 || port > 65535)
                return fail(QStringLiteral("the x.pe peer address '%1' is not host:port").arg(peer));
            if (!link.peers.contains(peer))
                link.peers.append(peer);
        } else {
            const QString tracker = QString::fromUtf8(*value).trimmed();
            if (!tracker.isEmpty() && !link.trackers.contains(tracker))
                link.trackers.append(tracker);
        }
    }

    if (link.infoHash.isEmpty()) {
        if (sawV2)
            return fail(
                QStringLiteral("BitTorrent v2 magnet links (urn:btmh) are not supported; the link has no "
                               "v1 info-hash (urn:btih)"));
        return fail(QStringLiteral("the link has no info-hash: it needs an xt=urn:btih:... parameter"));
    }
    return link;
}

std::optional<QList<std::pair<QHostAddress, quint16>>> magnetPeerAddresses(const MagnetLink& link,
                                                                           QString* badPeer) {
    QList<std::pair<QHostAddress, quint16>> out;
    // The parser checked the port; the host must be an address.
    for (const QString& peer : link.peers) {
        const qsizetype colon = peer.lastIndexOf(u':');
        QString host = peer.first(colon);
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.sliced(1, host.size() - 2);
        const QHostAddress address(host);
        if (address.isNull()) {
            if (badPeer)
                *badPeer = peer;
            return std::nullopt;
        }
        out.append({address, quint16(peer.sliced(colon + 1).toUInt())});
    }
    return out;
}

} // namespace swarmscope
