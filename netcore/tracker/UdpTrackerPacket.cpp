#include "tracker/UdpTrackerPacket.h"

#include <QtEndian>

#include <algorithm>

namespace swarmscope {

namespace {

using namespace udptracker;

quint32 read32(const QByteArray& packet, qsizetype at) {
    return qFromBigEndian<quint32>(packet.constData() + at);
}

quint64 read64(const QByteArray& packet, qsizetype at) {
    return qFromBigEndian<quint64>(packet.constData() + at);
}

void append16(QByteArray& out, quint16 value) {
    char bytes[2];
    qToBigEndian<quint16>(value, bytes);
    out.append(bytes, 2);
}

void append32(QByteArray& out, quint32 value) {
    char bytes[4];
    qToBigEndian<quint32>(value, bytes);
    out.append(bytes, 4);
}

void append64(QByteArray& out, quint64 value) {
    char bytes[8];
    qToBigEndian<quint64>(value, bytes);
    out.append(bytes, 8);
}

// A counter in a 32-bit field: negative as 0, too large as the largest signed value (most readers take the
// field as signed). The parser reads with the same clamp, so a counter survives a round trip.
quint32 counter32(qint64 value) {
    return quint32(std::clamp<qint64>(value, 0, 0x7fffffff));
}

qint64 readCounter(const QByteArray& packet, qsizetype at) {
    return qint64(counter32(qint64(read32(packet, at))));
}

UdpTrackerRequestParseResult requestError(const QString& error, std::optional<quint32> transactionId) {
    UdpTrackerRequestParseResult out;
    out.error = error;
    out.transactionId = transactionId;
    return out;
}

UdpTrackerResponseParseResult responseError(const QString& error) {
    UdpTrackerResponseParseResult out;
    out.error = error;
    return out;
}

} // namespace

quint32 udpEventNumber(AnnounceEvent event) {
    switch (event) {
    case AnnounceEvent::None:
        return 0;
    case AnnounceEvent::Completed:
        return 1;
    case AnnounceEvent::Started:
        return 2;
    case AnnounceEvent::Stopped:
        return 3;
    }
    return 0;
}

std::optional<AnnounceEvent> udpEventFromNumber(quint32 number) {
    switch (number) {
    case 0:
        return AnnounceEvent::None;
    case 1:
        return AnnounceEvent::Completed;
    case 2:
        return AnnounceEvent::Started;
    case 3:
        return AnnounceEvent::Stopped;
    default:
        return std::nullopt;
    }
}

namespace {

UdpTrackerRequestParseResult parseRequest(const QByteArray& packet);

} // namespace

UdpTrackerRequestParseResult parseUdpTrackerRequest(const QByteArray& packet) {
    UdpTrackerRequestParseResult out = parseRequest(packet);
    if (out.transactionId) {
        const quint32 action = read32(packet, 8);
        if (action <= quint32(UdpTrackerAction::Scrape)) {
            out.action = UdpTrackerAction(action);
            out.connectionId = read64(packet, 0);
        }
    }
    return out;
}

namespace {

UdpTrackerRequestParseResult parseRequest(const QByteArray& packet) {
    const qsizetype size = packet.size();
    if (size < kConnectRequestSize)
        return requestError(QStringLiteral("packet of %1 bytes (at least 16 needed)").arg(size),
                            std::nullopt);
    if (size > kMaxPacketSize)
        return requestError(QStringLiteral("packet of %1 bytes (at most %2)").arg(size).arg(kMaxPacketSize),
                            std::nullopt);
    UdpTrackerRequest request;
    request.connectionId = read64(packet, 0);
    const quint32 action = read32(packet, 8);
    request.transactionId = read32(packet, 12);
    const quint32 tid = request.transactionId;

    switch (action) {
    case quint32(UdpTrackerAction::Connect):
        if (request.connectionId != kProtocolId)
            return requestError(QStringLiteral("connect request without the protocol id"), tid);
        request.action = UdpTrackerAction::Connect;
        break;
    case quint32(UdpTrackerAction::Announce): {
        if (size < kAnnounceRequestSize)
            return requestError(QStringLiteral("announce request of %1 bytes (98 needed)").arg(size), tid);
        request.action = UdpTrackerAction::Announce;
        UdpAnnounceFields& a = request.announce;
        a.infoHash = packet.mid(16, 20);
        a.peerId = packet.mid(36, 20);
        a.downloaded = qint64(read64(packet, 56));
        a.left = qint64(read64(packet, 64));
        a.uploaded = qint64(read64(packet, 72));
        const std::optional<AnnounceEvent> event = udpEventFromNumber(read32(packet, 80));
        if (!event)
            return requestError(QStringLiteral("unknown event %1").arg(read32(packet, 80)), tid);
        a.event = *event;
        a.ipv4 = read32(packet, 84);
        a.key = read32(packet, 88);
        a.numWant = qint32(read32(packet, 92));
        a.port = qFromBigEndian<quint16>(packet.constData() + 96);
        if (a.downloaded < 0 || a.left < 0 || a.uploaded < 0)
            return requestError(QStringLiteral("negative downloaded, left or uploaded"), tid);
        if (a.port == 0)
            return requestError(QStringLiteral("port 0"), tid);
        break;
    }
    case quint32(UdpTrackerAction::Scrape): {
        const qsizetype body = size - kScrapeRequestHeaderSize;
        if (body == 0)
            return requestError(QStringLiteral("scrape request without an info-hash"), tid);
        if (body % 20 != 0)
            return requestError(QStringLiteral("scrape request with a partial info-hash"), tid);
        if (body / 20 > kMaxScrapeHashes)
            return requestError(QStringLiteral("too many info-hashes (at most %1)").arg(kMaxScrapeHashes),
                                tid);
        request.action = UdpTrackerAction::Scrape;
        for (qsizetype at = kScrapeRequestHeaderSize; at < size; at += 20)
            request.infoHashes.append(packet.mid(at, 20));
        break;
    }
    default:
        return requestError(QStringLiteral("unknown action %1").arg(action), tid);
    }
    UdpTrackerRequestParseResult out;
    out.request = std::move(request);
    out.transactionId = tid;
    return out;
}

} // namespace

QByteArray encodeUdpConnectRequest(quint32 transactionId) {
    QByteArray out;
    out.reserve(kConnectRequestSize);
    append64(out, kProtocolId);
    append32(out, quint32(UdpTrackerAction::Connect));
    append32(out, transactionId);
    return out;
}

QByteArray encodeUdpAnnounceRequest(quint64 connectionId, quint32 transactionId, const UdpAnnounceFields& a) {
    QByteArray out;
    out.reserve(kAnnounceRequestSize);
    append64(out, connectionId);
    append32(out, quint32(UdpTrackerAction::Announce));
    append32(out, transactionId);
    out.append(a.infoHash.left(20).leftJustified(20, '\0'));
    out.append(a.peerId.left(20).leftJustified(20, '\0'));
    append64(out, quint64(a.downloaded));
    append64(out, quint64(a.left));
    append64(out, quint64(a.uploaded));
    append32(out, udpEventNumber(a.event));
    append32(out, a.ipv4);
    append32(out, a.key);
    append32(out, quint32(a.numWant));
    append16(out, a.port);
    return out;
}

QByteArray encodeUdpScrapeRequest(quint64 connectionId, quint32 transactionId,
                                  const QList<QByteArray>& infoHashes) {
    QByteArray out;
    const qsizetype count = std::min<qsizetype>(infoHashes.size(), kMaxScrapeHashes);
    out.reserve(kScrapeRequestHeaderSize + 20 * count);
    append64(out, connectionId);
    append32(out, quint32(UdpTrackerAction::Scrape));
    append32(out, transactionId);
    for (qsizetype i = 0; i < count; ++i)
        out.append(infoHashes.at(i).left(20).leftJustified(20, '\0'));
    return out;
}

UdpTrackerResponseParseResult parseUdpTrackerResponse(const QByteArray& packet, bool ipv6, int maxPeers) {
    const qsizetype size = packet.size();
    if (size < 8)
        return responseError(QStringLiteral("packet of %1 bytes (at least 8 needed)").arg(size));
    if (size > kMaxPacketSize)
        return responseError(QStringLiteral("packet of %1 bytes (at most %2)").arg(size).arg(kMaxPacketSize));
    UdpTrackerResponse response;
    const quint32 action = read32(packet, 0);
    response.transactionId = read32(packet, 4);

    switch (action) {
    case quint32(UdpTrackerAction::Connect):
        if (size < kConnectResponseSize)
            return responseError(QStringLiteral("connect response of %1 bytes (16 needed)").arg(size));
        response.action = UdpTrackerAction::Connect;
        response.connectionId = read64(packet, 8);
        break;
    case quint32(UdpTrackerAction::Announce): {
        if (size < kAnnounceResponseHeaderSize)
            return responseError(QStringLiteral("announce response of %1 bytes (20 needed)").arg(size));
        const qsizetype stride = ipv6 ? 18 : 6;
        const qsizetype body = size - kAnnounceResponseHeaderSize;
        if (body % stride != 0)
            return responseError(QStringLiteral("announce response with a partial peer"));
        response.action = UdpTrackerAction::Announce;
        AnnounceResponse& a = response.announce;
        const quint32 interval = read32(packet, 8);
        if (interval > 0x7fffffff)
            return responseError(QStringLiteral("announce response with a negative interval"));
        a.interval = int(interval);
        a.incomplete = readCounter(packet, 12);
        a.complete = readCounter(packet, 16);
        for (qsizetype at = kAnnounceResponseHeaderSize; at < size && a.peers.size() < maxPeers;
             at += stride) {
            TrackerPeer peer;
            if (ipv6) {
                Q_IPV6ADDR v6;
                for (int i = 0; i < 16; ++i)
                    v6[i] = quint8(packet.at(at + i));
                peer.address = QHostAddress(v6);
                peer.port = qFromBigEndian<quint16>(packet.constData() + at + 16);
            } else {
                peer.address = QHostAddress(read32(packet, at));
                peer.port = qFromBigEndian<quint16>(packet.constData() + at + 4);
            }
            if (peer.port == 0 || peer.address.isEqual(QHostAddress::AnyIPv4) ||
                peer.address.isEqual(QHostAddress::AnyIPv6))
                continue;
            a.peers.append(peer);
        }
        break;
    }
    case quint32(UdpTrackerAction::Scrape): {
        const qsizetype body = size - kScrapeResponseHeaderSize;
        if (body % kScrapeEntrySize != 0)
            return responseError(QStringLiteral("scrape response with a partial entry"));
        response.action = UdpTrackerAction::Scrape;
        for (qsizetype at = kScrapeResponseHeaderSize; at < size; at += kScrapeEntrySize) {
            ScrapeCounts counts;
            counts.complete = readCounter(packet, at);
            counts.downloaded = readCounter(packet, at + 4);
            counts.incomplete = readCounter(packet, at + 8);
            response.scrape.append(counts);
        }
        break;
    }
    case quint32(UdpTrackerAction::Error): {
        response.action = UdpTrackerAction::Error;
        const QByteArray text = packet.mid(kErrorResponseHeaderSize, kMaxErrorMessageSize);
        QString message = QString::fromUtf8(text);
        // Control characters would let a tracker rewrite a terminal line.
        for (QChar& c : message)
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                c = QLatin1Char(' ');
        message = message.trimmed();
        // Invalid UTF-8 decodes to wider replacement characters; keep the message within its bound.
        while (message.toUtf8().size() > kMaxErrorMessageSize)
            message.chop(1);
        response.errorMessage = message.trimmed();
        if (response.errorMessage.isEmpty())
            response.errorMessage = QStringLiteral("tracker sent an error without a message");
        break;
    }
    default:
        return responseError(QStringLiteral("unknown action %1").arg(action));
    }
    UdpTrackerResponseParseResult out;
    out.response = std::move(response);
    return out;
}

QByteArray encodeUdpConnectResponse(quint32 transactionId, quint64 connectionId) {
    QByteArray out;
    out.reserve(kConnectResponseSize);
    append32(out, quint32(UdpTrackerAction::Connect));
    append32(out, transactionId);
    append64(out, connectionId);
    return out;
}

QByteArray encodeUdpAnnounceResponse(quint32 transactionId, qint64 interval, qint64 leechers, qint64 seeders,
                                     const QList<TrackerPeer>& peers, bool ipv6, int maxPeers) {
    QByteArray out;
    const qsizetype stride = ipv6 ? 18 : 6;
    out.reserve(kAnnounceResponseHeaderSize + stride * std::min<qsizetype>(peers.size(), maxPeers));
    append32(out, quint32(UdpTrackerAction::Announce));
    append32(out, transactionId);
    append32(out, counter32(interval));
    append32(out, counter32(leechers));
    append32(out, counter32(seeders));
    int written = 0;
    const QAbstractSocket::NetworkLayerProtocol family =
        ipv6 ? QAbstractSocket::IPv6Protocol : QAbstractSocket::IPv4Protocol;
    for (const TrackerPeer& peer : peers) {
        if (written >= maxPeers)
            break;
        if (peer.address.protocol() != family)
            continue;
        if (ipv6) {
            const Q_IPV6ADDR v6 = peer.address.toIPv6Address();
            out.append(reinterpret_cast<const char*>(v6.c), 16);
        } else {
            append32(out, peer.address.toIPv4Address());
        }
        append16(out, peer.port);
        ++written;
    }
    return out;
}

QByteArray encodeUdpScrapeResponse(quint32 transactionId, const QList<ScrapeCounts>& counts) {
    QByteArray out;
    out.reserve(kScrapeResponseHeaderSize + kScrapeEntrySize * counts.size());
    append32(out, quint32(UdpTrackerAction::Scrape));
    append32(out, transactionId);
    for (const ScrapeCounts& c : counts) {
        append32(out, counter32(c.complete));
        append32(out, counter32(c.downloaded));
        append32(out, counter32(c.incomplete));
    }
    return out;
}

QByteArray encodeUdpErrorResponse(quint32 transactionId, const QString& message) {
    QByteArray out;
    append32(out, quint32(UdpTrackerAction::Error));
    append32(out, transactionId);
    out.append(message.toUtf8().left(kMaxErrorMessageSize));
    return out;
}

} // namespace swarmscope
