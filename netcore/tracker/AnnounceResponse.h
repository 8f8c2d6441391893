#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

// A peer a tracker handed out. peerId is empty when the tracker sent a compact list or omitted it.
struct TrackerPeer {
    QHostAddress address;
    quint16 port = 0;
    QByteArray peerId;

    bool operator==(const TrackerPeer& other) const {
        return address == other.address && port == other.port && peerId == other.peerId;
    }
};

// A decoded announce response. A response with a failure reason is well-formed; it simply carries no peers.
struct AnnounceResponse {
    QString failureReason;
    QString warningMessage;
    int interval = 0; // seconds
    std::optional<int> minInterval;
    std::optional<qint64> complete;
    std::optional<qint64> incomplete;
    std::optional<qint64> downloaded;
    QByteArray trackerId;
    QList<TrackerPeer> peers; // IPv4 and IPv6 (BEP 7's peers6) together

    bool failed() const { return !failureReason.isEmpty(); }
};

struct AnnounceResponseParseResult {
    std::optional<AnnounceResponse> response;
    QString error; // why the body is not a usable announce response, e.g. "missing interval"

    bool ok() const { return response.has_value(); }
};

// Decodes a tracker's bencoded answer. Peers come as BEP 23 compact strings (6 bytes per IPv4 peer, 18 per
// BEP 7 IPv6 peer) or as BEP 3 dictionaries; a dictionary peer whose ip is a host name rather than an
// address is skipped, because the peer engine connects to addresses. Entries with port 0 or an unspecified
// address (0.0.0.0, ::) are dropped too: there is nothing to connect to.
AnnounceResponseParseResult parseAnnounceResponse(const QByteArray& body);

// Encodes a response. compact puts IPv4 peers in a "peers" string and IPv6 peers in "peers6"; otherwise
// "peers" is a list of {"peer id", "ip", "port"} dictionaries, without "peer id" when noPeerId is set.
QByteArray encodeAnnounceResponse(const AnnounceResponse& response, bool compact, bool noPeerId);

// 6 bytes for an IPv4 peer, 18 for an IPv6 one: address then port, both in network order.
QByteArray compactPeerEntry(const QHostAddress& address, quint16 port);

} // namespace swarmscope
