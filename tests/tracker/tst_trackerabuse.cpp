// A hostile client against the tracker's HTTP server: malformed announces, huge numwant, thousands of
// torrents and peers, oversized requests and slow clients. Each gets its exact answer, and every table and
// buffer stays within its configured limit.

#include "TrackerServerFixture.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace swarmscope;
using namespace swarmscope::trackertest;

namespace {

struct RawResponse {
    int status = 0;
    QByteArray body;
};

// Splits the bytes of pipelined answers (each has a Content-Length) into responses.
QList<RawResponse> splitResponses(const QByteArray& raw) {
    QList<RawResponse> out;
    qsizetype at = 0;
    while (at < raw.size()) {
        const qsizetype end = raw.indexOf("\r\n\r\n", at);
        if (end < 0)
            break;
        qsizetype length = 0;
        for (const QByteArray& line : raw.mid(at, end - at).split('\n'))
            if (line.trimmed().toLower().startsWith("content-length:"))
                length = line.trimmed().mid(15).trimmed().toLongLong();
        out.append(RawResponse{statusOf(raw.mid(at, 12)), raw.mid(end + 4, length)});
        at = end + 4 + length;
    }
    return out;
}

QByteArray get(const QByteArray& target, bool close = true) {
    return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

// Distinct 20-byte info-hashes.
QByteArray hashFor(int n) {
    return "ih-" + QByteArray::number(n).rightJustified(17, '0');
}

// Sends every request on one keep-alive connection (the last one closes it) and returns the answers.
QList<RawResponse> pipelined(quint16 port, const QList<QByteArray>& targets, int timeoutMs = 60'000) {
    QByteArray bytes;
    for (qsizetype i = 0; i < targets.size(); ++i)
        bytes += get(targets.at(i), i == targets.size() - 1);
    return splitResponses(rawExchange(port, bytes, timeoutMs));
}

} // namespace

class TrackerAbuseTest : public QObject, public TrackerServerFixture {
    Q_OBJECT
private slots:
    void malformedAnnounce_data();
    void malformedAnnounce();
    void hugeNumwantIsClampedToTheMaximum();
    void thousandsOfTorrentsStayWithinTheTorrentLimit();
    void thousandsOfTorrentsAllExpire();
    void peerFloodStaysWithinThePeerLimits();
    void scrapeOfTooManyHashesIsRefused();
    void oversizedRequestsAreRefusedWithoutWaitingForThem();
    void slowClientsCannotHoldTheConnectionSlots();
    void clientThatNeverReadsIsNotBuffered();
};

void TrackerAbuseTest::malformedAnnounce_data() {
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");

    const QByteArray hash = binaryInfoHash(3);
    const Params ok = announceParams(hash, 1, 100);
    auto announceTo = [](const QByteArray& rawQuery) { return get("/announce?" + rawQuery); };

    QTest::newRow("no query") << get("/announce") << 400 << QByteArray("missing info_hash");
    QTest::newRow("empty items") << announceTo("&&&=&") << 400 << QByteArray("missing info_hash");
    QTest::newRow("info_hash 19 bytes") << announceTo(query(with(ok, "info_hash", hash.left(19)))) << 400
                                        << QByteArray("info_hash must be 20 bytes");
    QTest::newRow("info_hash 21 bytes") << announceTo(query(with(ok, "info_hash", hash + 'x'))) << 400
                                        << QByteArray("info_hash must be 20 bytes");
    QTest::newRow("info_hash 1 KiB") << announceTo(query(with(ok, "info_hash", QByteArray(1024, '\xff'))))
                                     << 400 << QByteArray("info_hash must be 20 bytes");
    QTest::newRow("info_hash twice") << announceTo(query(ok) + "&info_hash=" + query({{"", hash}}).mid(1))
                                     << 400 << QByteArray("info_hash given more than once");
    QTest::newRow("peer_id empty") << announceTo(query(with(ok, "peer_id", ""))) << 400
                                   << QByteArray("peer_id must be 20 bytes");
    QTest::newRow("port 0") << announceTo(query(with(ok, "port", "0"))) << 400 << QByteArray("invalid port");
    QTest::newRow("port 65536") << announceTo(query(with(ok, "port", "65536"))) << 400
                                << QByteArray("invalid port");
    QTest::newRow("port hex") << announceTo(query(with(ok, "port", "0x1ae1"))) << 400
                              << QByteArray("invalid port");
    QTest::newRow("left 1e3") << announceTo(query(with(ok, "left", "1e3"))) << 400
                              << QByteArray("invalid left");
    QTest::newRow("left plus") << announceTo(query(with(ok, "left", "+5"))) << 400
                               << QByteArray("invalid left");
    QTest::newRow("left 2^64") << announceTo(query(with(ok, "left", "18446744073709551616"))) << 400
                               << QByteArray("invalid left");
    QTest::newRow("numwant over a billion")
        << announceTo(query(with(ok, "numwant", "1000000001"))) << 400 << QByteArray("invalid numwant");
    QTest::newRow("numwant 2^64") << announceTo(query(with(ok, "numwant", "18446744073709551616"))) << 400
                                  << QByteArray("invalid numwant");
    QTest::newRow("ip 0.0.0.0") << announceTo(query(with(ok, "ip", "0.0.0.0"))) << 400
                                << QByteArray("invalid ip");
    QTest::newRow("ip ::") << announceTo(query(with(ok, "ip", "::"))) << 400 << QByteArray("invalid ip");
    QTest::newRow("ip ::ffff:0.0.0.0")
        << announceTo(query(with(ok, "ip", "::ffff:0.0.0.0"))) << 400 << QByteArray("invalid ip");
    QTest::newRow("ip with NUL") << announceTo(query(with(ok, "ip", QByteArray("127.0.0.1\0x", 11)))) << 400
                                 << QByteArray("invalid ip");
    QTest::newRow("truncated escape")
        << announceTo(query(ok) + "&key=%4") << 400 << QByteArray("invalid percent-encoding in query");
    QByteArray manyItems = query(ok);
    for (int i = 0; i < 600; ++i)
        manyItems += "&x" + QByteArray::number(i) + "=1";
    QTest::newRow("600 query items") << announceTo(manyItems) << 400
                                     << QByteArray("too many query parameters");
    QTest::newRow("POST") << QByteArray("POST /announce?" + query(ok) +
                                        " HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                          << 405 << QByteArray("use GET");
    QTest::newRow("HTTP/2.0") << QByteArray("GET /announce?" + query(ok) + " HTTP/2.0\r\n\r\n") << 505
                              << QByteArray("unsupported HTTP version");
    QTest::newRow("NUL in the request line")
        << QByteArray("GET /announce?" + QByteArray(1, '\0') + query(ok) + " HTTP/1.1\r\n\r\n") << 400
        << QByteArray("invalid request target");
    QTest::newRow("chunked body") << QByteArray("GET /announce?" + query(ok) +
                                                " HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                  << 501 << QByteArray("Transfer-Encoding is not supported");
}

void TrackerAbuseTest::malformedAnnounce() {
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    const auto server = startServer();
    const QByteArray raw = rawExchange(server->serverPort(), request);
    QCOMPARE(statusOf(raw), status);
    // Announce errors come bencoded; a request line too broken to name its path gets plain text.
    const QByteArray body = bodyOf(raw);
    if (body.startsWith('d'))
        QCOMPARE(failureReason(body), reason);
    else
        QCOMPARE(body, reason + '\n');
    // Nothing was registered, and the server goes on serving.
    QCOMPARE(server->swarms().torrentCount(), 0);
    QCOMPARE(server->swarms().peerCount(), qint64(0));
    QCOMPARE(announceOk(announceParams(binaryInfoHash(3), 1, 100)).interval, server->interval());
    QCOMPARE(server->swarms().peerCount(), qint64(1));
}

void TrackerAbuseTest::hugeNumwantIsClampedToTheMaximum() {
    TrackerServerConfig config;
    config.http.maxRequestsPerConnection = 1000;
    const auto server = startServer(config);
    const QByteArray hash = binaryInfoHash(4);
    QList<QByteArray> targets;
    for (int peer = 1; peer <= 300; ++peer)
        targets.append("/announce?" + query(with(announceParams(hash, peer, 100), "numwant", "0")));
    for (const RawResponse& r : pipelined(server->serverPort(), targets))
        QCOMPARE(r.status, 200);
    QCOMPARE(server->swarms().peers(hash).size(), 300);

    const QByteArray billion = query(with(announceParams(hash, 301, 100), "numwant", "1000000000"));
    const QList<RawResponse> answers = pipelined(server->serverPort(), {"/announce?" + billion});
    QCOMPARE(answers.size(), 1);
    const AnnounceResponseParseResult parsed = parseAnnounceResponse(answers.at(0).body);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->peers.size(), server->config().maxNumwant);
    // 6 bytes per compact peer plus the counters: the answer's size follows the cap, not the request.
    QVERIFY(answers.at(0).body.size() < server->config().maxNumwant * 6 + 200);
}

void TrackerAbuseTest::thousandsOfTorrentsStayWithinTheTorrentLimit() {
    TrackerServerConfig config;
    config.swarmLimits.maxTorrents = 1000;
    config.maxScrapeAll = 100;
    config.http.maxRequestsPerConnection = 100'000;
    const auto server = startServer(config);
    QList<QByteArray> targets;
    for (int i = 0; i < 3000; ++i)
        targets.append("/announce?" + query(announceParams(hashFor(i), i, 100)));
    const QList<RawResponse> answers = pipelined(server->serverPort(), targets);
    QCOMPARE(answers.size(), 3000);
    int accepted = 0;
    for (const RawResponse& r : answers) {
        if (r.status == 200) {
            ++accepted;
        } else {
            QCOMPARE(r.status, 503);
            QCOMPARE(failureReason(r.body), QByteArray("tracker is tracking too many torrents"));
        }
    }
    QCOMPARE(accepted, 1000);
    QCOMPARE(server->swarms().torrentCount(), 1000);
    QCOMPARE(server->swarms().peerCount(), qint64(1000));

    // An unfiltered scrape lists at most maxScrapeAll torrents.
    const QList<RawResponse> scrape = pipelined(server->serverPort(), {"/scrape"});
    QCOMPARE(scrape.size(), 1);
    QCOMPARE(scrape.at(0).status, 200);
    QCOMPARE(scrape.at(0).body.count("8:completei"), 100);
}

void TrackerAbuseTest::thousandsOfTorrentsAllExpire() {
    TrackerServerConfig config;
    config.intervalSeconds = 60;
    config.http.maxRequestsPerConnection = 100'000;
    const auto server = startServer(config);
    QList<QByteArray> targets;
    for (int i = 0; i < 5000; ++i)
        targets.append("/announce?" + query(announceParams(hashFor(i), i % 7, i % 2 == 0 ? 0 : 100)));
    const QList<RawResponse> answers = pipelined(server->serverPort(), targets);
    QCOMPARE(answers.size(), 5000);
    for (const RawResponse& r : answers)
        QCOMPARE(r.status, 200);
    QCOMPARE(server->swarms().torrentCount(), 5000);
    QCOMPARE(server->swarms().peerCount(), qint64(5000));

    // Two missed intervals later every peer is gone, and so is every torrent that never completed.
    m_now += 2 * 60 * 1000 - 1;
    QCOMPARE(server->expirePeers(), 0);
    m_now += 1;
    QCOMPARE(server->expirePeers(), 5000);
    QCOMPARE(server->swarms().peerCount(), qint64(0));
    QCOMPARE(server->swarms().torrentCount(), 0);
}

void TrackerAbuseTest::peerFloodStaysWithinThePeerLimits() {
    TrackerServerConfig config;
    config.swarmLimits.maxPeersPerTorrent = 50;
    config.swarmLimits.maxPeersTotal = 120;
    config.http.maxRequestsPerConnection = 100'000;
    const auto server = startServer(config);
    QList<QByteArray> targets;
    for (int peer = 0; peer < 200; ++peer)
        targets.append("/announce?" + query(announceParams(hashFor(0), peer, 100)));
    for (int t = 1; t <= 5; ++t)
        for (int peer = 0; peer < 40; ++peer)
            targets.append("/announce?" + query(announceParams(hashFor(t), peer, 100)));
    const QList<RawResponse> answers = pipelined(server->serverPort(), targets);
    QCOMPARE(answers.size(), 400);
    int warned = 0;
    for (const RawResponse& r : answers) {
        QCOMPARE(r.status, 200);
        const AnnounceResponseParseResult parsed = parseAnnounceResponse(r.body);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        if (!parsed.response->warningMessage.isEmpty()) {
            QCOMPARE(parsed.response->warningMessage,
                     QStringLiteral("swarm is full; this peer was not registered"));
            ++warned;
        }
    }
    // 50 in the first torrent, then 40 + 30 more until the tracker holds 120 peers.
    QCOMPARE(server->swarms().peers(hashFor(0)).size(), 50);
    QCOMPARE(server->swarms().peers(hashFor(1)).size(), 40);
    QCOMPARE(server->swarms().peers(hashFor(2)).size(), 30);
    QCOMPARE(server->swarms().peerCount(), qint64(120));
    QCOMPARE(warned, 400 - 120);
    // A known peer is still served when the table is full.
    QCOMPARE(announceOk(announceParams(hashFor(0), 0, 0)).peers.size(), 49);
}

void TrackerAbuseTest::scrapeOfTooManyHashesIsRefused() {
    const auto server = startServer();
    QByteArray target = "/scrape?";
    for (int i = 0; i <= server->config().maxScrapeHashes; ++i)
        target += (i ? "&" : "") + query({{"info_hash", hashFor(i)}});
    const QByteArray raw = rawExchange(server->serverPort(), get(target));
    QCOMPARE(statusOf(raw), 400);
    QCOMPARE(failureReason(bodyOf(raw)), "too many info_hash values (at most " +
                                             QByteArray::number(server->config().maxScrapeHashes) + ")");
    QCOMPARE(server->swarms().torrentCount(), 0);
}

void TrackerAbuseTest::oversizedRequestsAreRefusedWithoutWaitingForThem() {
    const auto server = startServer();
    const HttpRequestLimits limits = server->config().http.limits;
    // Each of these is answered as soon as a limit is passed, long before the client has sent it all: the
    // answer is in while megabytes are still on their way, and the server buffers no more than the limit.
    struct Case {
        QByteArray request;
        int status;
        QByteArray text;
    };
    const QByteArray announce = "/announce?" + query(announceParams(binaryInfoHash(5), 1, 100));
    const std::vector<Case> cases = {
        {"GET /announce?" + QByteArray(16 * 1024 * 1024, 'a'), 414, "request line too long"},
        {"GET " + announce + " HTTP/1.1\r\nX-Pad: " + QByteArray(16 * 1024 * 1024, 'b'), 431,
         "request headers too large"},
        {"GET " + announce + " HTTP/1.1\r\n" + QByteArray("X: y\r\n").repeated(1024 * 1024), 431,
         "too many headers"},
        {"POST /torrents HTTP/1.1\r\nContent-Length: " + QByteArray::number(limits.maxBodyBytes + 1) +
             "\r\n\r\n" + QByteArray(16 * 1024 * 1024, 'c'),
         413, "request body too large"},
        {"POST /torrents HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400,
         "invalid Content-Length"},
    };
    for (const Case& c : cases) {
        QTcpSocket socket;
        QByteArray received;
        connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, server->serverPort());
        QTRY_VERIFY(socket.state() == QAbstractSocket::ConnectedState);
        // Fed in 64 KiB steps, so that "how much had been sent" is known when the answer comes.
        qsizetype sent = 0;
        QElapsedTimer timer;
        timer.start();
        while (received.isEmpty() && sent < c.request.size() && timer.elapsed() < 20'000 &&
               socket.state() == QAbstractSocket::ConnectedState) {
            const qsizetype step = std::min<qsizetype>(64 * 1024, c.request.size() - sent);
            socket.write(c.request.constData() + sent, step);
            sent += step;
            QTRY_VERIFY(socket.bytesToWrite() == 0 || socket.state() != QAbstractSocket::ConnectedState);
            QTest::qWait(0);
        }
        QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 10'000);
        QTRY_VERIFY_WITH_TIMEOUT(received.contains("\r\n\r\n"), 10'000);
        const QByteArray what = c.request.left(40);
        QVERIFY2(statusOf(received) == c.status, what.constData());
        QVERIFY2(bodyOf(received).contains(c.text), what.constData());
        // Answered within the limit (plus what was in flight), not after the whole request.
        QVERIFY2(sent <= 2 * 1024 * 1024 || c.request.size() < 1024 * 1024,
                 qPrintable(QStringLiteral("answered only after %1 bytes").arg(sent)));
        socket.abort();
    }
    QTRY_COMPARE(server->connectionCount(), 0);
    QCOMPARE(server->swarms().torrentCount(), 0);
}

void TrackerAbuseTest::slowClientsCannotHoldTheConnectionSlots() {
    TrackerServerConfig config;
    config.maxConnections = 20;
    config.http.requestTimeoutMs = 3000; // long enough for the 503 below to come first on a slow machine
    config.http.lingerMs = 300;
    const auto server = startServer(config);
    // Twenty clients take every slot and dribble a request one byte at a time.
    std::vector<QByteArray> answers(20);
    std::vector<std::unique_ptr<QTcpSocket>> slow;
    for (int i = 0; i < 20; ++i) {
        slow.push_back(std::make_unique<QTcpSocket>());
        QTcpSocket* socket = slow.back().get();
        connect(socket, &QTcpSocket::readyRead, socket,
                [socket, &answers, i] { answers[size_t(i)] += socket->readAll(); });
        socket->connectToHost(QHostAddress::LocalHost, server->serverPort());
    }
    QTRY_COMPARE(server->connectionCount(), 20);
    const QByteArray dribble = "GET /announce?info_hash=";
    for (int step = 0; step < 8; ++step) {
        for (auto& socket : slow)
            if (socket->state() == QAbstractSocket::ConnectedState)
                socket->write(dribble.mid(step, 1));
        QTest::qWait(50);
    }
    // Meanwhile a well-behaved client is turned away with a clear answer, not left hanging.
    QCOMPARE(statusOf(rawExchange(server->serverPort(), get("/scrape"))), 503);

    // The request deadline does not move with each byte: every slow client gets 408 and is closed.
    for (int i = 0; i < 20; ++i)
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(answers[size_t(i)]) == 408, 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, 10'000);
    QCOMPARE(statusOf(rawExchange(server->serverPort(), get("/scrape"))), 200);
}

void TrackerAbuseTest::clientThatNeverReadsIsNotBuffered() {
    TrackerServerConfig config;
    config.http.maxPendingWriteBytes = 256 * 1024;
    const auto server = startServer(config);
    // A 1.3 MiB torrent in the catalogue (65536 piece hashes; they need not match any data to be published).
    constexpr int kPieces = 65536;
    const QByteArray torrent = "d4:infod6:lengthi" + QByteArray::number(qint64(kPieces) * 16384) +
                               "e4:name5:b.bin12:piece lengthi16384e6:pieces" +
                               QByteArray::number(kPieces * 20) + ':' + QByteArray(kPieces * 20, '\x5a') +
                               "ee";
    const CataloguePublishResult published = server->catalogue().publish(torrent);
    QVERIFY2(published.ok(), qPrintable(published.error));

    // The client asks for it twenty times over (26 MiB of answers) and never reads, then streams 64 MiB.
    QTcpSocket socket;
    socket.setReadBufferSize(4096); // this side stops reading too, so the answers back up in the server
    socket.connectToHost(QHostAddress::LocalHost, server->serverPort());
    QTRY_VERIFY(socket.state() == QAbstractSocket::ConnectedState);
    // A small send buffer on this side, so that the kernel holds little of the flood on the way.
    socket.setSocketOption(QAbstractSocket::SendBufferSizeSocketOption, 64 * 1024);
    const QByteArray fetch = get("/torrents/" + published.entry.infoHash.toHex() + ".torrent", false);
    constexpr qint64 kFlood = 64 * 1024 * 1024;
    socket.write(fetch.repeated(20) + QByteArray(kFlood, 'x'));
    QTest::qWait(1500);
    // Once its answers back up, the server stops reading: the kernel's buffers (a few MiB) fill and TCP
    // pushes back on the client. A server that went on reading would hold all 64 MiB.
    qInfo("the server took %lld of the %lld bytes", kFlood - socket.bytesToWrite(), kFlood);
    QVERIFY2(socket.bytesToWrite() > kFlood / 2,
             qPrintable(QStringLiteral("the server took %1 bytes").arg(kFlood - socket.bytesToWrite())));
    socket.abort();
    QTRY_COMPARE(server->connectionCount(), 0);
}

QTEST_GUILESS_MAIN(TrackerAbuseTest)
#include "tst_trackerabuse.moc"
