// libFuzzer target for the tracker client's response side: parseAnnounceResponse on the input as a body,
// and HttpResponseParser on the input as a whole HTTP response (whose body, once complete, goes to
// parseAnnounceResponse too).
//
// Invariants beyond "no crash":
// - no parsed peer has port 0 or an unspecified address (0.0.0.0, ::, ::ffff:0.0.0.0);
// - a parsed response written back with encodeAnnounceResponse (both the dictionary and the compact form)
//   parses to the same response;
// - HttpResponseParser gives the same status, headers, body and error whether the bytes come at once, in
//   chunks (sizes taken from the input's own bytes) or one at a time, and never returns a body over its
//   limit.

#include "FuzzCheck.h"

#include "tracker/AnnounceResponse.h"
#include "tracker/HttpResponseParser.h"

#include <QList>

#include <algorithm>

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

bool samePeers(QList<TrackerPeer> a, QList<TrackerPeer> b, bool compareIds, bool v4First) {
    if (a.size() != b.size())
        return false;
    if (v4First) {
        // The compact form carries IPv4 peers in "peers" and IPv6 ones in "peers6". "IPv4" as the encoder and
        // Qt's tolerant comparison see it: IPv4-mapped addresses and "::" (which Qt converts to 0.0.0.0) too.
        auto isV4 = [](const TrackerPeer& p) {
            bool v4 = false;
            p.address.toIPv4Address(&v4);
            return v4;
        };
        std::stable_partition(a.begin(), a.end(), isV4);
        std::stable_partition(b.begin(), b.end(), isV4);
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a[i].address.isEqual(b[i].address, QHostAddress::TolerantConversion) || a[i].port != b[i].port)
            return false;
        if (compareIds && a[i].peerId != b[i].peerId)
            return false;
    }
    return true;
}

void checkResponse(const QByteArray& body) {
    const AnnounceResponseParseResult parsed = parseAnnounceResponse(body);
    if (!parsed.ok()) {
        FUZZ_CHECK(!parsed.error.isEmpty(), QString());
        return;
    }
    const AnnounceResponse& r = *parsed.response;
    if (r.failed()) {
        const AnnounceResponseParseResult again =
            parseAnnounceResponse(encodeAnnounceResponse(r, false, false));
        FUZZ_CHECK(again.ok() && again.response->failureReason == r.failureReason, r.failureReason);
        return;
    }
    FUZZ_CHECK(r.interval >= 0, QString());
    bool anyWithoutId = false;
    for (const TrackerPeer& peer : r.peers) {
        // Nothing to connect to is never handed on: port 0, no address, or an unspecified one (0.0.0.0, ::).
        FUZZ_CHECK(peer.port != 0 && !peer.address.isNull() &&
                       !peer.address.isEqual(QHostAddress::AnyIPv4, QHostAddress::ConvertUnspecifiedAddress |
                                                                        QHostAddress::ConvertV4MappedToIPv4),
                   peer.address.toString());
        FUZZ_CHECK(peer.peerId.isEmpty() || peer.peerId.size() == 20, QString());
        anyWithoutId = anyWithoutId || peer.peerId.isEmpty();
    }
    for (const bool compact : {false, true}) {
        const bool noPeerId = compact || anyWithoutId;
        const QByteArray encoded = encodeAnnounceResponse(r, compact, noPeerId);
        const AnnounceResponseParseResult again = parseAnnounceResponse(encoded);
        const QString where = QStringLiteral("%1 form: %2")
                                  .arg(compact ? QStringLiteral("compact") : QStringLiteral("dictionary"),
                                       QString::fromLatin1(encoded.toPercentEncoding()));
        FUZZ_CHECK(again.ok(), again.error + QStringLiteral(" in the ") + where);
        const AnnounceResponse& b = *again.response;
        FUZZ_CHECK(b.interval == r.interval && b.minInterval == r.minInterval && b.complete == r.complete &&
                       b.incomplete == r.incomplete && b.downloaded == r.downloaded &&
                       b.trackerId == r.trackerId && b.warningMessage == r.warningMessage && !b.failed(),
                   where);
        FUZZ_CHECK(samePeers(r.peers, b.peers, !noPeerId, compact), where);
    }
}

struct HttpOutcome {
    HttpResponseParser::State state;
    int status;
    QList<HttpHeader> headers;
    QByteArray body;
    QString error;
};

HttpOutcome parseHttp(const QByteArray& input, const QList<qsizetype>& chunks) {
    HttpResponseParser parser;
    qsizetype pos = 0;
    int i = 0;
    while (pos < input.size()) {
        qsizetype n = chunks.isEmpty() ? input.size() - pos : chunks[i++ % chunks.size()];
        n = qMin(n, input.size() - pos);
        parser.feed(input.mid(pos, n));
        pos += n;
        FUZZ_CHECK(parser.body().size() <= HttpResponseLimits().maxBodyBytes,
                   QStringLiteral("body of %1 bytes").arg(parser.body().size()));
    }
    const HttpResponseParser::State state = parser.finish();
    FUZZ_CHECK(state == parser.state() && state != HttpResponseParser::State::Incomplete, QString());
    FUZZ_CHECK((state == HttpResponseParser::State::Error) == !parser.error().isEmpty(), parser.error());
    return {state, parser.status(), parser.headers(), parser.body(), parser.error()};
}

bool sameOutcome(const HttpOutcome& a, const HttpOutcome& b) {
    if (a.state != b.state || a.status != b.status || a.body != b.body || a.error != b.error ||
        a.headers.size() != b.headers.size())
        return false;
    for (qsizetype i = 0; i < a.headers.size(); ++i)
        if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value)
            return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    checkResponse(input);

    QList<qsizetype> chunks;
    for (qsizetype i = 0; i < qMin<qsizetype>(input.size(), 16); ++i)
        chunks.append(1 + uchar(input[(i * 31) % input.size()]) % 23);
    const HttpOutcome whole = parseHttp(input, {});
    const HttpOutcome chunked = parseHttp(input, chunks);
    FUZZ_CHECK(sameOutcome(whole, chunked), QStringLiteral("whole: %1 '%2', chunked: %3 '%4'")
                                                .arg(int(whole.state))
                                                .arg(whole.error)
                                                .arg(int(chunked.state))
                                                .arg(chunked.error));
    if (input.size() <= 4096) {
        const HttpOutcome bytewise = parseHttp(input, {1});
        FUZZ_CHECK(sameOutcome(whole, bytewise), QStringLiteral("whole: %1 '%2', byte by byte: %3 '%4'")
                                                     .arg(int(whole.state))
                                                     .arg(whole.error)
                                                     .arg(int(bytewise.state))
                                                     .arg(bytewise.error));
    }
    if (whole.state == HttpResponseParser::State::Done)
        checkResponse(whole.body);
    return 0;
}
