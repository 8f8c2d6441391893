// libFuzzer target for the tracker's request side: parseHttpRequest on the raw bytes, then
// parseAnnounceRequest on the decoded query of a complete request.
//
// Invariants beyond "no crash":
// - the parser is a pure function of a stream prefix: a complete request parses the same from exactly its own
//   bytes, and every shorter prefix of it is Incomplete (never an error a later byte could not have
//   changed); an error stays the same error when more bytes follow;
// - the query items are the decoding of the raw query;
// - an accepted announce written back with AnnounceRequest::toQuery() parses to the same announce.

#include "FuzzCheck.h"

#include "tracker/AnnounceRequest.h"
#include "tracker/HttpRequestParser.h"
#include "metainfo/PercentEncoding.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

bool sameRequest(const HttpRequest& a, const HttpRequest& b) {
    if (a.method != b.method || a.target != b.target || a.path != b.path || a.rawQuery != b.rawQuery ||
        a.query != b.query || a.versionMinor != b.versionMinor || a.body != b.body ||
        a.headers.size() != b.headers.size())
        return false;
    for (qsizetype i = 0; i < a.headers.size(); ++i)
        if (a.headers[i].name != b.headers[i].name || a.headers[i].value != b.headers[i].value)
            return false;
    return true;
}

bool sameAnnounce(const AnnounceRequest& a, const AnnounceRequest& b) {
    return a.infoHash == b.infoHash && a.peerId == b.peerId && a.port == b.port && a.uploaded == b.uploaded &&
           a.downloaded == b.downloaded && a.left == b.left && a.event == b.event && a.numwant == b.numwant &&
           a.compact == b.compact && a.noPeerId == b.noPeerId && a.ip == b.ip && a.key == b.key &&
           a.trackerId == b.trackerId;
}

void checkAnnounce(const HttpRequest& request) {
    const AnnounceRequestParseResult announce = parseAnnounceRequest(request.query);
    if (!announce.ok()) {
        FUZZ_CHECK(!announce.error.isEmpty(), QString());
        return;
    }
    const AnnounceRequest& a = *announce.request;
    FUZZ_CHECK(a.infoHash.size() == 20 && a.peerId.size() == 20 && a.port > 0, QString());
    FUZZ_CHECK(a.uploaded >= 0 && a.downloaded >= 0 && a.left >= 0, QString());
    FUZZ_CHECK(!a.numwant || *a.numwant >= 0, QStringLiteral("numwant %1").arg(*a.numwant));

    const QByteArray query = a.toQuery();
    const std::optional<QList<QueryItem>> items = parseQueryString(query);
    FUZZ_CHECK(items.has_value(), QString::fromLatin1(query));
    const AnnounceRequestParseResult again = parseAnnounceRequest(*items);
    FUZZ_CHECK(again.ok(), again.error + QStringLiteral(" for ") + QString::fromLatin1(query));
    FUZZ_CHECK(sameAnnounce(a, *again.request), QString::fromLatin1(query));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    const HttpRequestParseResult result = parseHttpRequest(input);

    switch (result.status) {
    case HttpParseStatus::Error: {
        const int s = result.httpStatus;
        FUZZ_CHECK(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505,
                   QStringLiteral("status %1").arg(s));
        FUZZ_CHECK(!result.error.isEmpty(), QString());
        const HttpRequestParseResult longer = parseHttpRequest(input + "\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        FUZZ_CHECK(longer.status == HttpParseStatus::Error && longer.httpStatus == s &&
                       longer.error == result.error,
                   QStringLiteral("'%1' (%2) became '%3' (%4) with more bytes")
                       .arg(result.error)
                       .arg(s)
                       .arg(longer.error)
                       .arg(longer.httpStatus));
        return 0;
    }
    case HttpParseStatus::Incomplete:
        FUZZ_CHECK(result.bytesNeeded == 0 || result.bytesNeeded > input.size(),
                   QStringLiteral("needs %1 of %2 bytes").arg(result.bytesNeeded).arg(input.size()));
        return 0;
    case HttpParseStatus::Complete:
        break;
    }

    FUZZ_CHECK(result.consumed > 0 && result.consumed <= input.size(),
               QStringLiteral("consumed %1 of %2").arg(result.consumed).arg(input.size()));
    const HttpRequest& request = result.request;
    const HttpRequestParseResult exact = parseHttpRequest(input.left(result.consumed));
    FUZZ_CHECK(exact.ok() && exact.consumed == result.consumed && sameRequest(exact.request, request),
               exact.error);
    for (const qsizetype cut :
         {result.consumed - 1, result.consumed / 2, result.consumed - 2, qsizetype(4)}) {
        if (cut <= 0 || cut >= result.consumed)
            continue;
        const HttpRequestParseResult part = parseHttpRequest(input.left(cut));
        FUZZ_CHECK(part.status == HttpParseStatus::Incomplete,
                   QStringLiteral("the first %1 of %2 bytes give '%3' (%4)")
                       .arg(cut)
                       .arg(result.consumed)
                       .arg(part.error)
                       .arg(part.httpStatus));
    }

    const std::optional<QList<QueryItem>> items = parseQueryString(request.rawQuery);
    FUZZ_CHECK(items && *items == request.query, QString::fromLatin1(request.rawQuery));
    for (const HttpHeader& header : request.headers) {
        FUZZ_CHECK(header.name == header.name.toLower(), QString::fromLatin1(header.name));
        FUZZ_CHECK(request.header(header.name.toUpper()).has_value(), QString::fromLatin1(header.name));
    }
    (void)request.keepAlive();
    for (const QueryItem& item : request.query)
        FUZZ_CHECK(request.queryCount(item.first) >= 1 && request.queryValue(item.first).has_value(),
                   QString());

    checkAnnounce(request);
    return 0;
}
