#include "tracker/AnnounceResponse.h"

#include "bencode/Bencode.h"

#include <QtEndian>

namespace swarmscope {

namespace {

// Reads an optional non-negative integer field; false when it is present with the wrong type or sign.
bool readCount(const BencodeValue& dict, const QByteArray& key, std::optional<qint64>& out) {
    const BencodeValue* v = dict.find(key);
    if (!v)
        return true;
    if (!v->isInteger() || v->toInteger() < 0)
        return false;
    out = v->toInteger();
    return true;
}

// 0.0.0.0 and :: (also as ::ffff:0.0.0.0) name no host: connecting there reaches this machine instead.
bool isUnspecified(const QHostAddress& address) {
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return v4 == 0;
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    for (int i = 0; i < 16; ++i)
        if (v6[i] != 0)
            return false;
    return true;
}

bool appendCompact(const QByteArray& data, int entrySize, QList<TrackerPeer>& peers) {
    if (data.size() % entrySize != 0)
        return false;
    const int addressSize = entrySize - 2;
    for (qsizetype at = 0; at < data.size(); at += entrySize) {
        const auto* bytes = reinterpret_cast<const uchar*>(data.constData() + at);
        TrackerPeer peer;
        if (addressSize == 4) {
            peer.address = QHostAddress(qFromBigEndian<quint32>(bytes));
        } else {
            Q_IPV6ADDR v6;
            for (int i = 0; i < 16; ++i)
                v6[i] = bytes[i];
            peer.address = QHostAddress(v6);
        }
        peer.port = qFromBigEndian<quint16>(bytes + addressSize);
        // Port 0 and an unspecified address cannot be connected to; such an entry is noise, not an error.
        if (peer.port != 0 && !isUnspecified(peer.address))
            peers.append(peer);
    }
    return true;
}

QString parsePeerDictionaries(const BencodeValue::List& list, QList<TrackerPeer>& peers) {
    for (const BencodeValue& entry : list) {
        if (!entry.isDictionary())
            return QStringLiteral("peer entry is not a dictionary");
        const BencodeValue* ip = entry.find("ip");
        if (!ip || !ip->isString())
            return QStringLiteral("peer entry without ip");
        const BencodeValue* port = entry.find("port");
        if (!port || !port->isInteger() || port->toInteger() < 1 || port->toInteger() > 65535)
            return QStringLiteral("peer entry with invalid port");
        TrackerPeer peer;
        if (const BencodeValue* id = entry.find("peer id")) {
            if (!id->isString() || id->toByteArray().size() != 20)
                return QStringLiteral("peer id must be 20 bytes");
            peer.peerId = id->toByteArray();
        }
        if (!peer.address.setAddress(QString::fromLatin1(ip->toByteArray())) || isUnspecified(peer.address))
            continue;
        peer.port = quint16(port->toInteger());
        peers.append(peer);
    }
    return {};
}

} // namespace

QByteArray compactPeerEntry(const QHostAddress& address, quint16 port) {
    QByteArray out;
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4) {
        out.resize(6);
        qToBigEndian<quint32>(v4, out.data());
        qToBigEndian<quint16>(port, out.data() + 4);
        return out;
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    out.resize(18);
    for (int i = 0; i < 16; ++i)
        out[i] = char(v6[i]);
    qToBigEndian<quint16>(port, out.data() + 16);
    return out;
}

AnnounceResponseParseResult parseAnnounceResponse(const QByteArray& body) {
    AnnounceResponseParseResult result;
    auto fail = [&result](const QString& why) {
        result.error = why;
        return result;
    };
    const BencodeDecodeResult decoded = bencodeDecode(body);
    if (!decoded.ok())
        return fail(QStringLiteral("response is not valid bencode: ") + decoded.errorString());
    const BencodeValue& dict = *decoded.value;
    if (!dict.isDictionary())
        return fail(QStringLiteral("response is not a dictionary"));

    AnnounceResponse response;
    if (const BencodeValue* failure = dict.find("failure reason")) {
        if (!failure->isString())
            return fail(QStringLiteral("failure reason is not a string"));
        response.failureReason = QString::fromUtf8(failure->toByteArray());
        if (response.failureReason.isEmpty())
            response.failureReason = QStringLiteral("tracker failed without a reason");
        result.response = response;
        return result;
    }
    if (const BencodeValue* warning = dict.find("warning message")) {
        if (!warning->isString())
            return fail(QStringLiteral("warning message is not a string"));
        response.warningMessage = QString::fromUtf8(warning->toByteArray());
    }

    const BencodeValue* interval = dict.find("interval");
    if (!interval)
        return fail(QStringLiteral("missing interval"));
    if (!interval->isInteger() || interval->toInteger() < 0 || interval->toInteger() > 1'000'000'000)
        return fail(QStringLiteral("invalid interval"));
    response.interval = int(interval->toInteger());
    if (const BencodeValue* minInterval = dict.find("min interval")) {
        if (!minInterval->isInteger() || minInterval->toInteger() < 0 ||
            minInterval->toInteger() > 1'000'000'000)
            return fail(QStringLiteral("invalid min interval"));
        response.minInterval = int(minInterval->toInteger());
    }
    if (!readCount(dict, "complete", response.complete))
        return fail(QStringLiteral("invalid complete"));
    if (!readCount(dict, "incomplete", response.incomplete))
        return fail(QStringLiteral("invalid incomplete"));
    if (!readCount(dict, "downloaded", response.downloaded))
        return fail(QStringLiteral("invalid downloaded"));
    if (const BencodeValue* trackerId = dict.find("tracker id")) {
        if (!trackerId->isString())
            return fail(QStringLiteral("tracker id is not a string"));
        response.trackerId = trackerId->toByteArray();
    }

    const BencodeValue* peers = dict.find("peers");
    const BencodeValue* peers6 = dict.find("peers6");
    if (!peers && !peers6)
        return fail(QStringLiteral("missing peers"));
    if (peers) {
        if (peers->isString()) {
            if (!appendCompact(peers->toByteArray(), 6, response.peers))
                return fail(QStringLiteral("compact peers length is not a multiple of 6"));
        } else if (peers->isList()) {
            const QString error = parsePeerDictionaries(peers->toList(), response.peers);
            if (!error.isEmpty())
                return fail(error);
        } else {
            return fail(QStringLiteral("peers is neither a string nor a list"));
        }
    }
    if (peers6) {
        if (!peers6->isString())
            return fail(QStringLiteral("peers6 is not a string"));
        if (!appendCompact(peers6->toByteArray(), 18, response.peers))
            return fail(QStringLiteral("compact peers6 length is not a multiple of 18"));
    }
    result.response = response;
    return result;
}

QByteArray encodeAnnounceResponse(const AnnounceResponse& response, bool compact, bool noPeerId) {
    BencodeValue dict = BencodeValue::dictionary();
    if (response.failed()) {
        dict.insert("failure reason", response.failureReason.toUtf8());
        return bencodeEncode(dict);
    }
    dict.insert("interval", qint64(response.interval));
    if (response.minInterval)
        dict.insert("min interval", qint64(*response.minInterval));
    if (response.complete)
        dict.insert("complete", *response.complete);
    if (response.incomplete)
        dict.insert("incomplete", *response.incomplete);
    if (response.downloaded)
        dict.insert("downloaded", *response.downloaded);
    if (!response.warningMessage.isEmpty())
        dict.insert("warning message", response.warningMessage.toUtf8());
    if (!response.trackerId.isEmpty())
        dict.insert("tracker id", response.trackerId);

    if (compact) {
        QByteArray v4;
        QByteArray v6;
        for (const TrackerPeer& peer : response.peers) {
            const QByteArray entry = compactPeerEntry(peer.address, peer.port);
            (entry.size() == 6 ? v4 : v6) += entry;
        }
        dict.insert("peers", v4);
        if (!v6.isEmpty())
            dict.insert("peers6", v6);
    } else {
        BencodeValue::List list;
        list.reserve(response.peers.size());
        for (const TrackerPeer& peer : response.peers) {
            BencodeValue entry = BencodeValue::dictionary();
            bool isV4 = false;
            const quint32 v4 = peer.address.toIPv4Address(&isV4);
            entry.insert("ip", (isV4 ? QHostAddress(v4) : peer.address).toString().toLatin1());
            entry.insert("port", qint64(peer.port));
            if (!noPeerId)
                entry.insert("peer id", peer.peerId);
            list.append(entry);
        }
        dict.insert("peers", BencodeValue(list));
    }
    return bencodeEncode(dict);
}

} // namespace swarmscope
