#pragma once

#include "tracker/AnnounceRequest.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/ScrapeResponse.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

// BEP 15, the UDP tracker protocol: every packet as pure encode and decode functions, no sockets. All
// integers are big-endian. A parser checks every length before it reads; it accepts a packet longer than
// its fixed part where BEP 15 allows extensions (connect and announce requests, connect responses), but a
// list (info-hashes, peers, scrape counts) must fill its packet exactly.
namespace udptracker {

constexpr quint64 kProtocolId = 0x41727101980ULL;
constexpr qsizetype kConnectRequestSize = 16;
constexpr qsizetype kConnectResponseSize = 16;
constexpr qsizetype kAnnounceRequestSize = 98;
constexpr qsizetype kAnnounceResponseHeaderSize = 20;
constexpr qsizetype kScrapeRequestHeaderSize = 16;
constexpr qsizetype kScrapeResponseHeaderSize = 8;
constexpr qsizetype kErrorResponseHeaderSize = 8;
constexpr qsizetype kScrapeEntrySize = 12;
// "Up to about 74 torrents can be scraped at once": 16 + 74 x 20 bytes still fits one unfragmented packet.
constexpr int kMaxScrapeHashes = 74;
// The largest datagram either side reads; anything bigger is not a BEP 15 packet.
constexpr qsizetype kMaxPacketSize = 8192;
// An error message is cut to this many bytes.
constexpr qsizetype kMaxErrorMessageSize = 512;

} // namespace udptracker

enum class UdpTrackerAction : quint32 { Connect = 0, Announce = 1, Scrape = 2, Error = 3 };

// The announce request's fields as they travel; AnnounceRequest is the tracker's common form.
struct UdpAnnounceFields {
    QByteArray infoHash; // 20 bytes
    QByteArray peerId;   // 20 bytes
    qint64 downloaded = 0;
    qint64 left = 0;
    qint64 uploaded = 0;
    AnnounceEvent event = AnnounceEvent::None;
    quint32 ipv4 = 0; // 0: the packet's source address
    quint32 key = 0;
    qint32 numWant = -1; // -1: the tracker's default
    quint16 port = 0;
};

// One request a tracker received.
struct UdpTrackerRequest {
    UdpTrackerAction action = UdpTrackerAction::Connect;
    quint64 connectionId = 0; // announce and scrape; the protocol id for connect
    quint32 transactionId = 0;
    UdpAnnounceFields announce;   // Announce
    QList<QByteArray> infoHashes; // Scrape: 1 to kMaxScrapeHashes, 20 bytes each
};

struct UdpTrackerRequestParseResult {
    std::optional<UdpTrackerRequest> request;
    QString error; // why the packet is not a request, e.g. "announce request of 60 bytes (98 needed)"
    // The packet's transaction id, when it had one (at least 16 bytes): an error reply can name it.
    std::optional<quint32> transactionId;
    // Its action and first 8 bytes when the action is a request's (connect, announce or scrape), even when
    // the rest is malformed: a tracker checks the connection id before it says more.
    std::optional<UdpTrackerAction> action;
    quint64 connectionId = 0;

    bool ok() const { return request.has_value(); }
};

// Decodes a datagram that reached a tracker. Shorter than 16 bytes, an unknown action, a connect without the
// protocol id, an announce under 98 bytes, an unknown event, a scrape with no info-hash, more than
// kMaxScrapeHashes or a partial one: all refused with a reason.
UdpTrackerRequestParseResult parseUdpTrackerRequest(const QByteArray& packet);

QByteArray encodeUdpConnectRequest(quint32 transactionId);
QByteArray encodeUdpAnnounceRequest(quint64 connectionId, quint32 transactionId,
                                    const UdpAnnounceFields& fields);
// Sends at most kMaxScrapeHashes; each hash must be 20 bytes.
QByteArray encodeUdpScrapeRequest(quint64 connectionId, quint32 transactionId,
                                  const QList<QByteArray>& infoHashes);

// One response a client received.
struct UdpTrackerResponse {
    UdpTrackerAction action = UdpTrackerAction::Connect;
    quint32 transactionId = 0;
    quint64 connectionId = 0;   // Connect
    AnnounceResponse announce;  // Announce: interval, incomplete (leechers), complete (seeders), peers
    QList<ScrapeCounts> scrape; // Scrape: in request order (seeders, completed, leechers)
    QString errorMessage;       // Error
};

struct UdpTrackerResponseParseResult {
    std::optional<UdpTrackerResponse> response;
    QString error;

    bool ok() const { return response.has_value(); }
};

// Decodes a datagram that reached a client. ipv6 picks the announce response's peer stride (18 bytes
// instead of 6), which follows the address family the request went over. At most maxPeers peers are kept;
// a peer with port 0 or an unspecified address is dropped, as in HTTP responses.
UdpTrackerResponseParseResult parseUdpTrackerResponse(const QByteArray& packet, bool ipv6 = false,
                                                      int maxPeers = 1000);

QByteArray encodeUdpConnectResponse(quint32 transactionId, quint64 connectionId);
// Writes the peers of the packet's family only (IPv4 ones as 6 bytes, or IPv6 ones as 18), at most maxPeers.
QByteArray encodeUdpAnnounceResponse(quint32 transactionId, qint64 interval, qint64 leechers, qint64 seeders,
                                     const QList<TrackerPeer>& peers, bool ipv6 = false, int maxPeers = 200);
QByteArray encodeUdpScrapeResponse(quint32 transactionId, const QList<ScrapeCounts>& counts);
QByteArray encodeUdpErrorResponse(quint32 transactionId, const QString& message);

// BEP 15's event numbers: 0 none, 1 completed, 2 started, 3 stopped.
quint32 udpEventNumber(AnnounceEvent event);
std::optional<AnnounceEvent> udpEventFromNumber(quint32 number);

} // namespace swarmscope
