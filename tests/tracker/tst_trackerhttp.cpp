// The tracker's HTTP layer without sockets: request and response parsing at every split, query
// percent-encoding and http URLs.

#include "TrackerTestUtil.h"

#include "tracker/HttpRequestParser.h"
#include "tracker/HttpResponseParser.h"
#include "tracker/HttpUrl.h"
#include "metainfo/PercentEncoding.h"

#include <QTest>

#include <random>

using namespace swarmscope;
using namespace swarmscope::trackertest;

class TrackerHttpTest : public QObject {
    Q_OBJECT
private slots:
    void requestParser_rejectsBadInput_data();
    void requestParser_rejectsBadInput();
    void requestParser_waitsForIncompleteInput_data();
    void requestParser_waitsForIncompleteInput();
    void requestParser_sameResultAtEverySplit();
    void requestParser_decodesBinaryQueryAndRepeatedKeys();
    void requestParser_keepAliveFollowsVersionAndHeader();
    void percentEncoding_roundTripsEveryByte();
    void responseParser_rejectsBadInput_data();
    void responseParser_rejectsBadInput();
    void responseParser_sameBodyAtEverySplit_data();
    void responseParser_sameBodyAtEverySplit();
    void httpUrl_parses_data();
    void httpUrl_parses();
    void httpUrl_appendQueryAndScrapeUrl();
    void parsers_surviveMutatedInput();
};

void TrackerHttpTest::requestParser_rejectsBadInput_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("reason");

    const QByteArray end = "\r\n\r\n";
    QTest::newRow("extra word in request line")
        << ("GET /announce HTTP/1.1 extra" + end) << 400 << "malformed request line";
    QTest::newRow("double space") << ("GET  /announce HTTP/1.1" + end) << 400 << "malformed request line";
    QTest::newRow("no version (HTTP/0.9)") << ("GET /announce" + end) << 400 << "malformed request line";
    QTest::newRow("empty request line") << QByteArray("\r\n\r\nX\r\n\r\n") << 400 << "malformed request line";
    QTest::newRow("method with separator") << ("G(T /announce HTTP/1.1" + end) << 400 << "invalid method";
    QTest::newRow("method too long") << (QByteArray(17, 'G') + " / HTTP/1.1" + end) << 400
                                     << "invalid method";
    QTest::newRow("relative target") << ("GET announce HTTP/1.1" + end) << 400 << "invalid request target";
    QTest::newRow("absolute-form target")
        << ("GET http://t/announce HTTP/1.1" + end) << 400 << "invalid request target";
    QTest::newRow("control byte in target")
        << ("GET /a\x01z HTTP/1.1" + end) << 400 << "invalid request target";
    QTest::newRow("fragment in target") << ("GET /a#b HTTP/1.1" + end) << 400 << "invalid request target";
    QTest::newRow("HTTP/2.0") << ("GET /announce HTTP/2.0" + end) << 505 << "unsupported HTTP version";
    QTest::newRow("garbled version") << ("GET /announce HTTQ/1.1" + end) << 400 << "invalid HTTP version";
    QTest::newRow("lower-case version") << ("GET /announce http/1.1" + end) << 400 << "invalid HTTP version";
    QTest::newRow("bad escape in path")
        << ("GET /ann%zzounce HTTP/1.1" + end) << 400 << "invalid percent-encoding in path";
    QTest::newRow("truncated escape in query")
        << ("GET /announce?info_hash=%4 HTTP/1.1" + end) << 400 << "invalid percent-encoding in query";
    QByteArray manyItems = "GET /scrape?";
    for (int i = 0; i < 513; ++i)
        manyItems += "a=1&";
    QTest::newRow("too many query parameters")
        << (manyItems + " HTTP/1.1" + end) << 400 << "too many query parameters";
    QTest::newRow("request line too long, unterminated")
        << ("GET /" + QByteArray(9000, 'a')) << 414 << "request line too long";
    QTest::newRow("header too large")
        << ("GET / HTTP/1.1\r\nX: " + QByteArray(17000, 'a') + end) << 431 << "request headers too large";
    QByteArray manyHeaders = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 65; ++i)
        manyHeaders += "X-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("too many headers") << (manyHeaders + "\r\n") << 431 << "too many headers";
    QTest::newRow("obsolete folding")
        << ("GET / HTTP/1.1\r\nA: b\r\n  folded" + end) << 400 << "obsolete header line folding";
    QTest::newRow("header without colon")
        << ("GET / HTTP/1.1\r\nNoColon" + end) << 400 << "header line without a colon";
    QTest::newRow("space in header name")
        << ("GET / HTTP/1.1\r\nBad Name: x" + end) << 400 << "invalid header name";
    QTest::newRow("empty header name") << ("GET / HTTP/1.1\r\n: x" + end) << 400 << "invalid header name";
    QTest::newRow("control byte in value")
        << ("GET / HTTP/1.1\r\nX: a\x01z" + end) << 400 << "invalid header value";
    QTest::newRow("Content-Length not a number")
        << ("POST /torrents HTTP/1.1\r\nContent-Length: abc" + end) << 400 << "invalid Content-Length";
    QTest::newRow("negative Content-Length")
        << ("POST /torrents HTTP/1.1\r\nContent-Length: -1" + end) << 400 << "invalid Content-Length";
    QTest::newRow("conflicting Content-Length")
        << ("POST /torrents HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6" + end) << 400
        << "conflicting Content-Length headers";
    QTest::newRow("body too large") << ("POST /torrents HTTP/1.1\r\nContent-Length: 8388609" + end) << 413
                                    << "request body too large";
    QTest::newRow("chunked request body") << ("POST /torrents HTTP/1.1\r\nTransfer-Encoding: chunked" + end)
                                          << 501 << "Transfer-Encoding is not supported";
}

void TrackerHttpTest::requestParser_rejectsBadInput() {
    QFETCH(QByteArray, input);
    QFETCH(int, status);
    QFETCH(QString, reason);
    const HttpRequestParseResult result = parseHttpRequest(input);
    QCOMPARE(result.status, HttpParseStatus::Error);
    QCOMPARE(result.error, reason);
    QCOMPARE(result.httpStatus, status);
}

void TrackerHttpTest::requestParser_waitsForIncompleteInput_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qsizetype>("bytesNeeded");
    QTest::newRow("nothing") << QByteArray() << qsizetype(0);
    QTest::newRow("blank lines only") << QByteArray("\r\n\r\n") << qsizetype(0);
    QTest::newRow("half a request line") << QByteArray("GET /annou") << qsizetype(0);
    QTest::newRow("headers not ended") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << qsizetype(0);
    const QByteArray head = "POST /torrents HTTP/1.1\r\nContent-Length: 10\r\n\r\n";
    QTest::newRow("body short") << (head + "abc") << qsizetype(head.size() + 10);
}

void TrackerHttpTest::requestParser_waitsForIncompleteInput() {
    QFETCH(QByteArray, input);
    QFETCH(qsizetype, bytesNeeded);
    const HttpRequestParseResult result = parseHttpRequest(input);
    QCOMPARE(result.status, HttpParseStatus::Incomplete);
    QCOMPARE(result.bytesNeeded, bytesNeeded);
}

void TrackerHttpTest::requestParser_sameResultAtEverySplit() {
    const QByteArray first = "POST /torrents?x=1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello";
    const QByteArray second = "GET /scrape HTTP/1.0\n\n";
    const QByteArray stream = first + second;
    for (qsizetype cut = 0; cut < stream.size(); ++cut) {
        const HttpRequestParseResult result = parseHttpRequest(stream.left(cut));
        if (cut < first.size()) {
            QVERIFY2(result.status == HttpParseStatus::Incomplete, qPrintable(QString::number(cut)));
        } else {
            QVERIFY(result.ok());
            QCOMPARE(result.consumed, first.size());
            QCOMPARE(result.request.body, QByteArray("hello"));
        }
    }
    const HttpRequestParseResult whole = parseHttpRequest(stream);
    QVERIFY(whole.ok());
    QCOMPARE(whole.request.method, QByteArray("POST"));
    QCOMPARE(whole.request.path, QByteArray("/torrents"));
    QCOMPARE(whole.request.header("HOST"), std::optional<QByteArray>("t"));
    const HttpRequestParseResult next = parseHttpRequest(stream.mid(whole.consumed));
    QVERIFY(next.ok());
    QCOMPARE(next.request.versionMinor, 0);
    QCOMPARE(next.request.path, QByteArray("/scrape"));
}

void TrackerHttpTest::requestParser_decodesBinaryQueryAndRepeatedKeys() {
    const QByteArray a = binaryInfoHash(1);
    const QByteArray b = binaryInfoHash(2);
    const QByteArray target =
        "/scrape?info_hash=" + percentEncode(a) + "&&info_hash=" + percentEncode(b) + "&plus=a+b&flag&empty=";
    const HttpRequestParseResult result = parseHttpRequest("GET " + target + " HTTP/1.1\r\n\r\n");
    QVERIFY(result.ok());
    QCOMPARE(result.request.queryValues("info_hash"), (QList<QByteArray>{a, b}));
    QCOMPARE(result.request.queryValue("plus"), std::optional<QByteArray>("a+b"));
    QCOMPARE(result.request.queryValue("flag"), std::optional<QByteArray>(QByteArray()));
    QCOMPARE(result.request.queryCount("empty"), 1);
    QCOMPARE(result.request.rawQuery, target.mid(target.indexOf('?') + 1));
}

void TrackerHttpTest::requestParser_keepAliveFollowsVersionAndHeader() {
    auto keepAlive = [](const QByteArray& raw) { return parseHttpRequest(raw).request.keepAlive(); };
    QVERIFY(keepAlive("GET / HTTP/1.1\r\n\r\n"));
    QVERIFY(!keepAlive("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
    QVERIFY(!keepAlive("GET / HTTP/1.0\r\n\r\n"));
    QVERIFY(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
}

void TrackerHttpTest::percentEncoding_roundTripsEveryByte() {
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    const QByteArray encoded = percentEncode(all);
    for (const char c : encoded)
        QVERIFY(c > 0x20 && c < 0x7F && c != '&' && c != '=' && c != '+' && c != '#');
    QCOMPARE(percentDecode(encoded), std::optional<QByteArray>(all));
    QCOMPARE(percentDecode("%2b%2B"), std::optional<QByteArray>("++"));
    QVERIFY(!percentDecode("%g0"));
    QVERIFY(!percentDecode("abc%"));
}

void TrackerHttpTest::responseParser_rejectsBadInput_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<QString>("error");
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH\r\n") << false << "malformed status line";
    QTest::newRow("letters in status")
        << QByteArray("HTTP/1.1 2OO OK\r\n") << false << "malformed status line";
    QTest::newRow("HTTP/2") << QByteArray("HTTP/2.0 200 OK\r\n") << false << "malformed status line";
    QTest::newRow("status glued to reason")
        << QByteArray("HTTP/1.1 200OK\r\n") << false << "malformed status line";
    QTest::newRow("header without colon")
        << QByteArray("HTTP/1.1 200 OK\r\nNoColon\r\n") << false << "malformed header line";
    QTest::newRow("folded header") << QByteArray("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n") << false
                                   << "malformed header line";
    QByteArray manyHeaders = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 101; ++i)
        manyHeaders += "X: y\r\n";
    QTest::newRow("too many headers") << manyHeaders << false << "too many response headers";
    QTest::newRow("headers too large")
        << ("HTTP/1.1 200 OK\r\nX: " + QByteArray(20000, 'a')) << false << "response headers too large";
    QTest::newRow("Content-Length not a number")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n") << false << "invalid Content-Length";
    QTest::newRow("conflicting Content-Length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") << false
        << "conflicting Content-Length headers";
    QTest::newRow("Content-Length over limit")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1048577\r\n\r\n") << false
        << "response body too large";
    QTest::newRow("gzip coding") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n") << false
                                 << "unsupported Transfer-Encoding";
    QTest::newRow("bad chunk size") << QByteArray(
                                           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                                    << false << "malformed chunk size";
    QTest::newRow("chunk longer than its size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n") << false
        << "malformed chunk: data longer than its size";
    QTest::newRow("chunk over limit")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n") << false
        << "response body too large";
    QTest::newRow("body past limit when delimited by close")
        << ("HTTP/1.1 200 OK\r\n\r\n" + QByteArray(1024 * 1024 + 1, 'x')) << false
        << "response body too large";
    QTest::newRow("closed in headers") << QByteArray("HTTP/1.1 200 OK\r\nContent-Le") << true
                                       << "connection closed before the response headers ended";
    QTest::newRow("closed in body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc") << true
                                    << "connection closed before the response body ended";
    QTest::newRow("closed in chunk") << QByteArray(
                                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
                                     << true << "connection closed before the response body ended";
}

void TrackerHttpTest::responseParser_rejectsBadInput() {
    QFETCH(QByteArray, input);
    QFETCH(bool, closeAfter);
    QFETCH(QString, error);
    HttpResponseParser parser;
    HttpResponseParser::State state = parser.feed(input);
    if (closeAfter) {
        QCOMPARE(state, HttpResponseParser::State::Incomplete);
        state = parser.finish();
    }
    QCOMPARE(state, HttpResponseParser::State::Error);
    QCOMPARE(parser.error(), error);
}

void TrackerHttpTest::responseParser_sameBodyAtEverySplit_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("needsClose");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("Content-Length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world")
                                    << false << 200 << QByteArray("hello world");
    QTest::newRow("chunked with extension and trailer")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n"
                      "0\r\nX-Trailer: 1\r\n\r\n")
        << false << 200 << QByteArray("hello world");
    QTest::newRow("delimited by close, bare LF")
        << QByteArray("HTTP/1.0 404 Not Found\nServer: x\n\nmissing") << true << 404 << QByteArray("missing");
    QTest::newRow("interim 100 first")
        << QByteArray("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        << false << 201 << QByteArray("ok");
    QTest::newRow("204 without body")
        << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << 204 << QByteArray();
    QTest::newRow("empty reason phrase")
        << QByteArray("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") << false << 200 << QByteArray();
}

void TrackerHttpTest::responseParser_sameBodyAtEverySplit() {
    QFETCH(QByteArray, input);
    QFETCH(bool, needsClose);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    for (int step : {1, 7, int(input.size())}) {
        HttpResponseParser parser;
        HttpResponseParser::State state = HttpResponseParser::State::Incomplete;
        for (qsizetype at = 0; at < input.size(); at += step)
            state = parser.feed(input.mid(at, step));
        if (needsClose) {
            QCOMPARE(state, HttpResponseParser::State::Incomplete);
            state = parser.finish();
        }
        QVERIFY2(state == HttpResponseParser::State::Done, qPrintable(parser.error()));
        QCOMPARE(parser.status(), status);
        QCOMPARE(parser.body(), body);
    }
}

void TrackerHttpTest::httpUrl_parses_data() {
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("error");
    QTest::newRow("plain") << "http://127.0.0.1:6969/announce"
                           << "127.0.0.1" << 6969 << QByteArray("/announce") << "";
    QTest::newRow("default port, no path") << "http://tracker.test"
                                           << "tracker.test" << 80 << QByteArray("/") << "";
    QTest::newRow("query without path") << "HTTP://t?x=1"
                                        << "t" << 80 << QByteArray("/?x=1") << "";
    QTest::newRow("passkey query and fragment") << "http://t:1/a/announce?pk=%41#frag"
                                                << "t" << 1 << QByteArray("/a/announce?pk=%41") << "";
    QTest::newRow("IPv6") << "http://[::1]:6881/announce"
                          << "::1" << 6881 << QByteArray("/announce") << "";
    QTest::newRow("https") << "https://t/announce"
                           << "" << 0 << QByteArray() << "https trackers are not supported";
    QTest::newRow("udp") << "udp://t:6969"
                         << "" << 0 << QByteArray() << "a udp:// tracker has no HTTP interface";
    QTest::newRow("no scheme") << "t:6969/announce"
                               << "" << 0 << QByteArray() << "not an http:// URL";
    QTest::newRow("user info") << "http://u:p@t/announce"
                               << "" << 0 << QByteArray() << "user info in URLs is not supported";
    QTest::newRow("port 0") << "http://t:0/"
                            << "" << 0 << QByteArray() << "invalid port in URL";
    QTest::newRow("port 65536") << "http://t:65536/"
                                << "" << 0 << QByteArray() << "invalid port in URL";
    QTest::newRow("port letters") << "http://t:http/"
                                  << "" << 0 << QByteArray() << "invalid port in URL";
    QTest::newRow("no host") << "http://:80/"
                             << "" << 0 << QByteArray() << "URL has no host";
    QTest::newRow("unterminated IPv6") << "http://[::1/"
                                       << "" << 0 << QByteArray() << "unterminated IPv6 address in URL";
    QTest::newRow("space") << "http://t/a b"
                           << "" << 0 << QByteArray()
                           << "URL contains spaces, control or non-ASCII characters";
}

void TrackerHttpTest::httpUrl_parses() {
    QFETCH(QString, url);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QByteArray, target);
    QFETCH(QString, error);
    QString why;
    const auto parsed = parseHttpUrl(url, &why);
    if (!error.isEmpty()) {
        QVERIFY(!parsed);
        QCOMPARE(why, error);
        return;
    }
    QVERIFY2(parsed, qPrintable(why));
    QCOMPARE(parsed->host, host);
    QCOMPARE(int(parsed->port), port);
    QCOMPARE(parsed->target, target);
}

void TrackerHttpTest::httpUrl_appendQueryAndScrapeUrl() {
    QCOMPARE(appendQuery(QStringLiteral("http://t/announce"), "a=1"),
             QStringLiteral("http://t/announce?a=1"));
    QCOMPARE(appendQuery(QStringLiteral("http://t/announce?pk=x"), "a=1"),
             QStringLiteral("http://t/announce?pk=x&a=1"));
    QCOMPARE(appendQuery(QStringLiteral("http://t/announce?"), "a=1"),
             QStringLiteral("http://t/announce?a=1"));
    QCOMPARE(appendQuery(QStringLiteral("http://t/announce?pk=x&"), "a=1"),
             QStringLiteral("http://t/announce?pk=x&a=1"));
    QCOMPARE(appendQuery(QStringLiteral("http://t/announce#f"), "a=1"),
             QStringLiteral("http://t/announce?a=1"));

    QCOMPARE(scrapeUrlFor(QStringLiteral("http://t/announce")),
             std::optional<QString>(QStringLiteral("http://t/scrape")));
    QCOMPARE(scrapeUrlFor(QStringLiteral("http://t/x/announce.php?pk=1")),
             std::optional<QString>(QStringLiteral("http://t/x/scrape.php?pk=1")));
    QCOMPARE(scrapeUrlFor(QStringLiteral("http://t/a")), std::nullopt);
    QCOMPARE(scrapeUrlFor(QStringLiteral("http://t/announce/x")), std::nullopt);
    QCOMPARE(urlOrigin(QStringLiteral("http://127.0.0.1:7/announce?x")),
             std::optional<QString>(QStringLiteral("http://127.0.0.1:7")));
}

// A fixed-seed stand-in for a fuzzer: flipped, dropped and repeated bytes of valid messages must give a
// result or an error, never a crash (run it under the sanitizer build to catch memory errors).
void TrackerHttpTest::parsers_surviveMutatedInput() {
    const QList<QByteArray> requests = {
        "GET /announce?info_hash=%01%02&peer_id=x&port=1 HTTP/1.1\r\nHost: t\r\n\r\n",
        "POST /torrents HTTP/1.1\r\nContent-Length: 4\r\nContent-Type: a/b\r\n\r\nd1:e",
    };
    const QList<QByteArray> responses = {
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    };
    std::mt19937 random(12345);
    auto mutate = [&random](QByteArray data) {
        const int edits = 1 + int(random() % 4);
        for (int e = 0; e < edits && !data.isEmpty(); ++e) {
            const qsizetype at = qsizetype(random() % quint32(data.size()));
            switch (random() % 4) {
            case 0:
                data[at] = char(random());
                break;
            case 1:
                data.remove(at, 1 + qsizetype(random() % 8));
                break;
            case 2:
                data.insert(at, data.mid(at, 1 + qsizetype(random() % 16)));
                break;
            default:
                data.truncate(at);
                break;
            }
        }
        return data;
    };
    HttpRequestLimits small;
    small.maxBodyBytes = 64;
    small.maxHeaderBytes = 128;
    HttpResponseLimits smallResponse;
    smallResponse.maxBodyBytes = 64;
    smallResponse.maxHeaderBytes = 128;
    for (int i = 0; i < 20'000; ++i) {
        const QByteArray request = mutate(requests.at(i % requests.size()));
        const HttpRequestParseResult parsed = parseHttpRequest(request, small);
        if (parsed.ok())
            QVERIFY(parsed.consumed <= request.size());
        const QByteArray response = mutate(responses.at(i % responses.size()));
        HttpResponseParser parser(smallResponse);
        for (qsizetype at = 0; at < response.size(); at += 5)
            parser.feed(response.mid(at, 5));
        parser.finish();
        QVERIFY(parser.body().size() <= 64);
        (void)parseQueryString(request);
        (void)parseHttpUrl(QString::fromLatin1(request));
    }
}

QTEST_GUILESS_MAIN(TrackerHttpTest)
#include "tst_trackerhttp.moc"
