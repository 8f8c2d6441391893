// libFuzzer target for BEP 15 packets: the input is one datagram, decoded as a request (what the tracker
// reads) and as a response over IPv4 and IPv6 (what the client reads).
//
// Invariants beyond "no crash":
// - a refused packet has a reason, and a request refused after its first 16 bytes names its transaction id;
// - an accepted request encodes back to its own first bytes (the fixed part BEP 15 defines), and parses the
//   same again; a scrape carries 1 to 74 info-hashes of 20 bytes;
// - an accepted response encodes back to a packet that parses to the same response; no parsed peer has
//   port 0 or an unspecified address, and there are never more peers than the packet holds.

#include "FuzzCheck.h"

#include "tracker/UdpTrackerPacket.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

bool sameFields(const UdpAnnounceFields& a, const UdpAnnounceFields& b) {
    return a.infoHash == b.infoHash && a.peerId == b.peerId && a.downloaded == b.downloaded &&
           a.left == b.left && a.uploaded == b.uploaded && a.event == b.event && a.ipv4 == b.ipv4 &&
           a.key == b.key && a.numWant == b.numWant && a.port == b.port;
}

void checkRequest(const QByteArray& input) {
    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(input);
    if (!parsed.ok()) {
        FUZZ_CHECK(!parsed.error.isEmpty(), QString());
        FUZZ_CHECK(parsed.transactionId.has_value() == (input.size() >= 16 && input.size() <= 8192),
                   parsed.error);
        return;
    }
    const UdpTrackerRequest& r = *parsed.request;
    FUZZ_CHECK(parsed.transactionId == r.transactionId, QString());
    QByteArray again;
    switch (r.action) {
    case UdpTrackerAction::Connect:
        again = encodeUdpConnectRequest(r.transactionId);
        break;
    case UdpTrackerAction::Announce:
        FUZZ_CHECK(r.announce.infoHash.size() == 20 && r.announce.peerId.size() == 20 && r.announce.port != 0,
                   QString());
        FUZZ_CHECK(r.announce.left >= 0 && r.announce.downloaded >= 0 && r.announce.uploaded >= 0, QString());
        again = encodeUdpAnnounceRequest(r.connectionId, r.transactionId, r.announce);
        break;
    case UdpTrackerAction::Scrape:
        FUZZ_CHECK(!r.infoHashes.isEmpty() && r.infoHashes.size() <= udptracker::kMaxScrapeHashes,
                   QString::number(r.infoHashes.size()));
        for (const QByteArray& hash : r.infoHashes)
            FUZZ_CHECK(hash.size() == 20, QString());
        again = encodeUdpScrapeRequest(r.connectionId, r.transactionId, r.infoHashes);
        FUZZ_CHECK(again.size() == input.size(), QString());
        break;
    case UdpTrackerAction::Error:
        FUZZ_CHECK(false, QStringLiteral("an error packet accepted as a request"));
    }
    FUZZ_CHECK(input.startsWith(again), QStringLiteral("re-encoded request differs"));
    const UdpTrackerRequestParseResult twice = parseUdpTrackerRequest(again);
    FUZZ_CHECK(twice.ok() && twice.request->action == r.action &&
                   twice.request->transactionId == r.transactionId,
               twice.error);
    if (r.action == UdpTrackerAction::Announce)
        FUZZ_CHECK(sameFields(twice.request->announce, r.announce), QString());
    if (r.action == UdpTrackerAction::Scrape)
        FUZZ_CHECK(twice.request->infoHashes == r.infoHashes, QString());
}

void checkResponse(const QByteArray& input, bool ipv6) {
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(input, ipv6, 100);
    if (!parsed.ok()) {
        FUZZ_CHECK(!parsed.error.isEmpty(), QString());
        return;
    }
    const UdpTrackerResponse& r = *parsed.response;
    QByteArray again;
    switch (r.action) {
    case UdpTrackerAction::Connect:
        again = encodeUdpConnectResponse(r.transactionId, r.connectionId);
        break;
    case UdpTrackerAction::Announce: {
        const AnnounceResponse& a = r.announce;
        FUZZ_CHECK(a.peers.size() <= 100 && a.peers.size() <= (input.size() - 20) / (ipv6 ? 18 : 6),
                   QString());
        for (const TrackerPeer& peer : a.peers)
            FUZZ_CHECK(peer.port != 0 && !peer.address.isNull() &&
                           !peer.address.isEqual(QHostAddress::AnyIPv4) &&
                           !peer.address.isEqual(QHostAddress::AnyIPv6),
                       peer.address.toString());
        again = encodeUdpAnnounceResponse(r.transactionId, a.interval, a.incomplete.value_or(-1),
                                          a.complete.value_or(-1), a.peers, ipv6, 100);
        break;
    }
    case UdpTrackerAction::Scrape:
        again = encodeUdpScrapeResponse(r.transactionId, r.scrape);
        FUZZ_CHECK(again.size() == input.size(),
                   QStringLiteral("re-encoded scrape response differs in size"));
        break;
    case UdpTrackerAction::Error:
        FUZZ_CHECK(!r.errorMessage.isEmpty() && r.errorMessage.size() <= udptracker::kMaxErrorMessageSize,
                   QString());
        for (const QChar c : r.errorMessage)
            FUZZ_CHECK(c.unicode() >= 0x20 && c.unicode() != 0x7f, QString());
        again = encodeUdpErrorResponse(r.transactionId, r.errorMessage);
        break;
    }
    const UdpTrackerResponseParseResult twice = parseUdpTrackerResponse(again, ipv6, 100);
    FUZZ_CHECK(twice.ok(), twice.error);
    const UdpTrackerResponse& t = *twice.response;
    FUZZ_CHECK(t.action == r.action && t.transactionId == r.transactionId &&
                   t.connectionId == r.connectionId && t.scrape == r.scrape &&
                   t.errorMessage == r.errorMessage,
               QString());
    FUZZ_CHECK(t.announce.interval == r.announce.interval && t.announce.complete == r.announce.complete &&
                   t.announce.incomplete == r.announce.incomplete && t.announce.peers == r.announce.peers,
               QString());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    checkRequest(input);
    checkResponse(input, false);
    checkResponse(input, true);
    return 0;
}
