// BEP 15 end to end on 127.0.0.1: our TrackerClient and UdpTrackerClient against our TrackerServer's UDP side
// (announce, peers, scrape, one swarm table shared with HTTP), connection ids bound to the sender and
// expiring on the server's injected clock, hostile datagrams, and a scripted tracker for retransmission and
// transaction-id checks. On a simulated network udp:// fails with a reason and opens no socket.

#include "TrackerServerFixture.h"
#include "TrackerTestUtil.h"

#include "clock/SimScheduler.h"
#include "sim/SimulatedLink.h"
#include "tracker/TrackerClient.h"
#include "tracker/TrackerServer.h"
#include "tracker/UdpConnectionIds.h"
#include "tracker/UdpTrackerClient.h"
#include "tracker/UdpTrackerPacket.h"
#include "transport/SimNetwork.h"
#include "transport/TcpNode.h"

#include <QNetworkDatagram>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>

#include <memory>

using namespace swarmscope;
using namespace swarmscope::trackertest;

namespace {

const QHostAddress kLoopback(QHostAddress::LocalHost);

UdpAnnounceFields announceFields(const QByteArray& infoHash, int peer, qint64 left,
                                 AnnounceEvent event = AnnounceEvent::Started) {
    UdpAnnounceFields a;
    a.infoHash = infoHash;
    a.peerId = peerIdFor(peer);
    a.left = left;
    a.event = event;
    a.port = quint16(20000 + peer);
    return a;
}

// A raw UDP socket for one request and its answer.
class RawUdp {
public:
    RawUdp() { m_socket.bind(kLoopback, 0); }
    quint16 port() const { return m_socket.localPort(); }
    // Sends packet to port and returns the first datagram back within timeoutMs (empty: none).
    QByteArray exchange(quint16 to, const QByteArray& packet, int timeoutMs = 3000) {
        m_socket.writeDatagram(packet, kLoopback, to);
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            if (m_socket.hasPendingDatagrams())
                return m_socket.receiveDatagram().data();
            QTest::qWait(5);
        }
        return {};
    }
    void send(quint16 to, const QByteArray& packet) { m_socket.writeDatagram(packet, kLoopback, to); }

private:
    QUdpSocket m_socket;
};

quint64 connectionIdOf(const QByteArray& reply) {
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(reply);
    return parsed.ok() && parsed.response->action == UdpTrackerAction::Connect ? parsed.response->connectionId
                                                                               : 0;
}

TrackerClientConfig udpClientConfig(const QString& url, const QByteArray& infoHash, int peer) {
    TrackerClientConfig config;
    config.tiers = {{url}};
    config.infoHash = infoHash;
    config.peerId = peerIdFor(peer);
    config.port = quint16(20000 + peer);
    config.requestTimeoutMs = 5000;
    config.randomSeed = quint32(100 + peer);
    return config;
}

// Waits for one result of a UdpTrackerClient exchange.
bool waitFor(const std::optional<UdpTrackerResult>& slot, int timeoutMs = 10'000) {
    return QTest::qWaitFor([&slot] { return slot.has_value(); }, timeoutMs);
}

} // namespace

class UdpTrackerTest : public QObject, public TrackerServerFixture {
    Q_OBJECT
private Q_SLOTS:
    void connectionIdsAreBoundAndExpire();
    void datagramsInProcess();
    void hostileDatagramsInProcess();
    void clientAnnouncesOverUdp();
    void udpAndHttpShareTheSwarm();
    void scrapeOverUdp();
    void expiredAndForeignIdsRejectedOnTheWire();
    void garbageOnTheWireIsIgnored();
    void retransmitsAndChecksTransactions();
    void givesUpAtTheTimeout();
    void badUrls();
    void simulatedNetworkRefusesUdp();
};

void UdpTrackerTest::connectionIdsAreBoundAndExpire() {
    const UdpConnectionIds ids(QByteArray(32, 's'));
    const QHostAddress a(QStringLiteral("10.0.0.1"));
    const QHostAddress b(QStringLiteral("10.0.0.2"));
    const qint64 t = 10'000'000;
    const quint64 id = ids.issue(a, 6881, t);
    QVERIFY(ids.verify(id, a, 6881, t));
    QVERIFY(ids.verify(id, QHostAddress(QStringLiteral("::ffff:10.0.0.1")), 6881, t)); // the same client
    QVERIFY(!ids.verify(id, a, 6882, t));
    QVERIFY(!ids.verify(id, b, 6881, t));
    QVERIFY(!ids.verify(id ^ 1, a, 6881, t));
    // Two minutes after it was sent, always accepted; after two and a half, never.
    QVERIFY(ids.verify(id, a, 6881, t + 120'000));
    QVERIFY(!ids.verify(id, a, 6881, t + 150'000));
    QVERIFY(!ids.verify(id, a, 6881, t + 30'000 * 256)); // the bucket byte wrapped around
    QVERIFY(!ids.verify(id, a, 6881, t - 30'000));       // from the future
    // Another tracker's secret gives other ids.
    QVERIFY(!UdpConnectionIds(QByteArray(32, 'x')).verify(id, a, 6881, t));
    QVERIFY(UdpConnectionIds().issue(a, 1, t) != UdpConnectionIds().issue(a, 1, t));
}

void UdpTrackerTest::datagramsInProcess() {
    TrackerServerConfig config;
    config.intervalSeconds = 60;
    const auto server = startServer(config);
    const QHostAddress a(QStringLiteral("10.0.0.1"));
    const QByteArray hash = binaryInfoHash(3);

    const quint64 id = connectionIdOf(server->handleUdpDatagram(encodeUdpConnectRequest(11), a, 5000));
    QVERIFY(id != 0);

    const UdpTrackerResponseParseResult first = parseUdpTrackerResponse(
        server->handleUdpDatagram(encodeUdpAnnounceRequest(id, 12, announceFields(hash, 1, 0)), a, 5000));
    QVERIFY2(first.ok(), qPrintable(first.error));
    QCOMPARE(first.response->action, UdpTrackerAction::Announce);
    QCOMPARE(first.response->transactionId, 12u);
    QCOMPARE(first.response->announce.interval, 60);
    QCOMPARE(first.response->announce.complete, std::optional<qint64>(1));
    QVERIFY(first.response->announce.peers.isEmpty()); // never itself

    const UdpTrackerResponseParseResult second = parseUdpTrackerResponse(
        server->handleUdpDatagram(encodeUdpAnnounceRequest(id, 13, announceFields(hash, 2, 100)), a, 5000));
    QVERIFY(second.ok());
    QCOMPARE(second.response->announce.incomplete, std::optional<qint64>(1));
    QCOMPARE(second.response->announce.peers, (QList<TrackerPeer>{{a, 20001, {}}}));
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{1, 1, 0}));

    // numwant 0 gets no peers, stopped removes the peer.
    UdpAnnounceFields none = announceFields(hash, 3, 100);
    none.numWant = 0;
    const UdpTrackerResponseParseResult third =
        parseUdpTrackerResponse(server->handleUdpDatagram(encodeUdpAnnounceRequest(id, 14, none), a, 5000));
    QVERIFY(third.ok());
    QVERIFY(third.response->announce.peers.isEmpty());
    server->handleUdpDatagram(
        encodeUdpAnnounceRequest(id, 15, announceFields(hash, 3, 100, AnnounceEvent::Stopped)), a, 5000);
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{1, 1, 0}));

    // Scrape: counts in request order, zeros for an unknown torrent.
    const UdpTrackerResponseParseResult scraped = parseUdpTrackerResponse(
        server->handleUdpDatagram(encodeUdpScrapeRequest(id, 16, {binaryInfoHash(9), hash}), a, 5000));
    QVERIFY(scraped.ok());
    QCOMPARE(scraped.response->scrape, (QList<ScrapeCounts>{{0, 0, 0}, {1, 1, 0}}));

    // The loopback sender may name another address in the IP field (as HTTP's ip parameter).
    UdpAnnounceFields named = announceFields(hash, 4, 0);
    named.ipv4 = QHostAddress(QStringLiteral("10.9.9.9")).toIPv4Address();
    const quint64 local = connectionIdOf(server->handleUdpDatagram(encodeUdpConnectRequest(1), kLoopback, 7));
    server->handleUdpDatagram(encodeUdpAnnounceRequest(local, 17, named), kLoopback, 7);
    named.peerId = peerIdFor(5);
    server->handleUdpDatagram(encodeUdpAnnounceRequest(id, 18, named), a, 5000); // not from 10.0.0.1
    QList<QHostAddress> addresses;
    for (const SwarmPeer& peer : server->swarms().peers(hash))
        addresses.append(peer.address);
    QVERIFY(addresses.contains(QHostAddress(QStringLiteral("10.9.9.9"))));
    QCOMPARE(addresses.count(QHostAddress(QStringLiteral("10.9.9.9"))), 1);
}

void UdpTrackerTest::hostileDatagramsInProcess() {
    TrackerServerConfig config;
    config.swarmLimits.maxTorrents = 10;
    const auto server = startServer(config);
    const QHostAddress a(QStringLiteral("10.0.0.1"));
    const quint64 id = connectionIdOf(server->handleUdpDatagram(encodeUdpConnectRequest(1), a, 5000));

    // Not BEP 15: no reply at all.
    for (const QByteArray& junk :
         {QByteArray(), QByteArray("x"), QByteArray(15, '\0'), QByteArray("GET /announce HTTP/1.1\r\n\r\n"),
          QByteArray(9000, '\xff'), encodeUdpConnectRequest(1).replace(0, 1, "\x01")})
        QVERIFY(server->handleUdpDatagram(junk, a, 5000).isEmpty());
    QCOMPARE(server->udpDropped(), 6);

    auto errorOf = [](const QByteArray& reply) -> QString {
        const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(reply);
        if (!parsed.ok() || parsed.response->action != UdpTrackerAction::Error)
            return QStringLiteral("(not an error packet)");
        return parsed.response->errorMessage;
    };
    const QString badId = QStringLiteral("connection id expired or not issued to this address");
    const QByteArray announce = encodeUdpAnnounceRequest(id, 2, announceFields(binaryInfoHash(1), 1, 0));
    QCOMPARE(errorOf(server->handleUdpDatagram(announce, a, 5001)), badId);
    QCOMPARE(errorOf(server->handleUdpDatagram(announce, QHostAddress(QStringLiteral("10.0.0.2")), 5000)),
             badId);
    QCOMPARE(errorOf(server->handleUdpDatagram(
                 encodeUdpAnnounceRequest(id + 1, 2, announceFields(binaryInfoHash(1), 1, 0)), a, 5000)),
             badId);
    // A short announce with a forged id learns nothing more; with a good one it hears what is wrong.
    QCOMPARE(errorOf(server->handleUdpDatagram(announce.left(60).replace(0, 1, "\x55"), a, 5000)), badId);
    QCOMPARE(errorOf(server->handleUdpDatagram(announce.left(60), a, 5000)),
             QStringLiteral("announce request of 60 bytes (98 needed)"));
    QCOMPARE(errorOf(server->handleUdpDatagram(encodeUdpScrapeRequest(id, 3, {}) + QByteArray(75 * 20, 'h'),
                                               a, 5000)),
             QStringLiteral("too many info-hashes (at most 74)"));
    QVERIFY(server->udpErrors() >= 6);

    // Thousands of torrents from one client stay within the table's limit, with an error past it.
    QString last;
    for (int i = 0; i < 40; ++i) {
        UdpAnnounceFields f = announceFields(QByteArray(20, char(i + 1)), 1, 0);
        last = errorOf(server->handleUdpDatagram(encodeUdpAnnounceRequest(id, 4, f), a, 5000));
    }
    QCOMPARE(last, QStringLiteral("tracker is tracking too many torrents"));
    QVERIFY(server->swarms().torrentCount() <= 10);
    QCOMPARE(server->swarms().peerCount(), 10);
}

void UdpTrackerTest::clientAnnouncesOverUdp() {
    const auto server = startServer();
    QVERIFY2(server->listenUdp(kLoopback, 0), qPrintable(server->errorString()));
    QVERIFY(server->udpAnnounceUrl().startsWith(QStringLiteral("udp://127.0.0.1:")));
    QVERIFY(server->udpAnnounceUrl().endsWith(QStringLiteral("/announce")));
    const QByteArray hash = binaryInfoHash(5);

    TrackerClient seeder(udpClientConfig(server->udpAnnounceUrl(), hash, 1));
    seeder.setStatsProvider([] { return TrackerTransferStats{0, 0, 0}; });
    QSignalSpy seederAnnounced(&seeder, &TrackerClient::announced);
    QSignalSpy seederFailed(&seeder, &TrackerClient::announceFailed);
    seeder.start();
    QTRY_COMPARE_WITH_TIMEOUT(seederAnnounced.size() + seederFailed.size(), 1, 10'000);
    QVERIFY2(seederFailed.isEmpty(), qPrintable(seederFailed.value(0).value(1).toString()));

    TrackerClient leecher(udpClientConfig(server->udpAnnounceUrl(), hash, 2));
    leecher.setStatsProvider([] { return TrackerTransferStats{0, 10, 1000}; });
    QList<QList<TrackerPeer>> peers;
    connect(&leecher, &TrackerClient::peersReceived, this,
            [&peers](const QList<TrackerPeer>& p) { peers.append(p); });
    QSignalSpy leecherFailed(&leecher, &TrackerClient::announceFailed);
    leecher.start();
    QTRY_COMPARE_WITH_TIMEOUT(peers.size() + leecherFailed.size(), 1, 10'000);
    QVERIFY2(leecherFailed.isEmpty(), qPrintable(leecherFailed.value(0).value(1).toString()));
    QCOMPARE(peers.at(0), (QList<TrackerPeer>{{kLoopback, 20001, {}}}));
    const AnnounceResponse response = *leecher.lastResponse();
    QCOMPARE(response.interval, server->interval());
    QCOMPARE(response.complete, std::optional<qint64>(1));
    QCOMPARE(response.incomplete, std::optional<qint64>(1));
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{1, 1, 0}));

    // "completed" then "stopped" over UDP.
    leecher.setStatsProvider([] { return TrackerTransferStats{0, 1010, 0}; });
    leecher.complete();
    QTRY_COMPARE_WITH_TIMEOUT(server->swarms().counts(hash), (ScrapeCounts{2, 0, 1}), 10'000);
    QSignalSpy stopped(&leecher, &TrackerClient::stopped);
    leecher.stop();
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10'000);
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{1, 0, 1}));
    QSignalSpy seederStopped(&seeder, &TrackerClient::stopped);
    seeder.stop();
    QTRY_COMPARE_WITH_TIMEOUT(seederStopped.size(), 1, 10'000);
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{0, 0, 1}));
}

void UdpTrackerTest::udpAndHttpShareTheSwarm() {
    const auto server = startServer();
    QVERIFY(server->listenUdp(kLoopback, 0));
    const QByteArray hash = binaryInfoHash(6);

    // Peer 1 over HTTP, peer 2 over UDP: each is handed the other.
    QVERIFY(announceOk(announceParams(hash, 1, 0, "started")).peers.isEmpty());
    TrackerClient udp(udpClientConfig(server->udpAnnounceUrl(), hash, 2));
    udp.setStatsProvider([] { return TrackerTransferStats{0, 0, 500}; });
    QList<QList<TrackerPeer>> peers;
    connect(&udp, &TrackerClient::peersReceived, this,
            [&peers](const QList<TrackerPeer>& p) { peers.append(p); });
    udp.start();
    QTRY_COMPARE_WITH_TIMEOUT(peers.size(), 1, 10'000);
    QCOMPARE(peers.at(0), (QList<TrackerPeer>{{kLoopback, 20001, {}}}));
    const AnnounceResponse http = announceOk(announceParams(hash, 3, 0, "started"));
    QCOMPARE(http.peers, (QList<TrackerPeer>{{kLoopback, 20002, {}}})); // a seeder gets the leecher only
    QSignalSpy stopped(&udp, &TrackerClient::stopped);
    udp.stop();
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, 10'000);
}

void UdpTrackerTest::scrapeOverUdp() {
    const auto server = startServer();
    QVERIFY(server->listenUdp(kLoopback, 0));
    const QByteArray a = binaryInfoHash(7);
    const QByteArray b = binaryInfoHash(8);
    announceOk(announceParams(a, 1, 0, "started"));
    announceOk(announceParams(a, 2, 10, "started"));
    announceOk(announceParams(b, 3, 10, "started"));

    TcpNode node;
    UdpTrackerClient client(node.network(), {}, 1);
    std::optional<UdpTrackerResult> result;
    client.scrape(server->udpAnnounceUrl(), {a, b, binaryInfoHash(99)}, 5000,
                  [&result](const UdpTrackerResult& r) { result = r; });
    QVERIFY(client.isBusy());
    QVERIFY(waitFor(result));
    QVERIFY2(result->ok, qPrintable(result->error));
    QCOMPARE(result->scrape, (QList<ScrapeCounts>{{1, 1, 0}, {0, 1, 0}, {0, 0, 0}}));
    QVERIFY(!client.isBusy());
    QCOMPARE(client.datagramsSent(), 2); // connect, scrape

    // The connection id is cached: the next exchange skips connect.
    result.reset();
    client.scrape(server->udpAnnounceUrl(), {b}, 5000, [&result](const UdpTrackerResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(result->ok);
    QCOMPARE(client.datagramsSent(), 3);
}

void UdpTrackerTest::expiredAndForeignIdsRejectedOnTheWire() {
    const auto server = startServer();
    QVERIFY(server->listenUdp(kLoopback, 0));
    const quint16 port = server->udpPort();

    // A connection id obtained from one port is refused from another.
    RawUdp first;
    RawUdp second;
    const quint64 id = connectionIdOf(first.exchange(port, encodeUdpConnectRequest(1)));
    QVERIFY(id != 0);
    const QByteArray announce = encodeUdpAnnounceRequest(id, 2, announceFields(binaryInfoHash(1), 1, 0));
    const UdpTrackerResponseParseResult foreign = parseUdpTrackerResponse(second.exchange(port, announce));
    QVERIFY(foreign.ok());
    QCOMPARE(foreign.response->action, UdpTrackerAction::Error);
    QCOMPARE(foreign.response->transactionId, 2u);
    const UdpTrackerResponseParseResult own = parseUdpTrackerResponse(first.exchange(port, announce));
    QVERIFY(own.ok());
    QCOMPARE(own.response->action, UdpTrackerAction::Announce);

    // Three minutes later on the server's clock the id is refused.
    m_now += 180'000;
    const UdpTrackerResponseParseResult expired = parseUdpTrackerResponse(first.exchange(port, announce));
    QVERIFY(expired.ok());
    QCOMPARE(expired.response->action, UdpTrackerAction::Error);
    QCOMPARE(expired.response->errorMessage,
             QStringLiteral("connection id expired or not issued to this address"));

    // A client whose cached id the server no longer takes fails once with the tracker's error, forgets the
    // id, and connects afresh next time.
    qint64 clientNow = 0;
    TcpNode node;
    UdpTrackerClient client(
        node.network(), [&clientNow] { return clientNow; }, 2);
    std::optional<UdpTrackerResult> result;
    const auto store = [&result](const UdpTrackerResult& r) { result = r; };
    client.scrape(server->udpAnnounceUrl(), {binaryInfoHash(1)}, 5000, store);
    QVERIFY(waitFor(result) && result->ok);
    m_now += 180'000; // the server moves on; the client's clock says its id is fresh
    result.reset();
    client.scrape(server->udpAnnounceUrl(), {binaryInfoHash(1)}, 5000, store);
    QVERIFY(waitFor(result));
    QVERIFY(!result->ok);
    QCOMPARE(result->error,
             QStringLiteral("tracker error: connection id expired or not issued to this address"));
    result.reset();
    client.scrape(server->udpAnnounceUrl(), {binaryInfoHash(1)}, 5000, store);
    QVERIFY(waitFor(result) && result->ok);
    QCOMPARE(client.datagramsSent(), 5); // connect, scrape; scrape; connect, scrape

    // And a client's own clock retires its id after a minute.
    clientNow += 61'000;
    result.reset();
    client.scrape(server->udpAnnounceUrl(), {binaryInfoHash(1)}, 5000, store);
    QVERIFY(waitFor(result) && result->ok);
    QCOMPARE(client.datagramsSent(), 7);
}

void UdpTrackerTest::garbageOnTheWireIsIgnored() {
    const auto server = startServer();
    QVERIFY(server->listenUdp(kLoopback, 0));
    const quint16 port = server->udpPort();
    RawUdp raw;
    QVERIFY(raw.exchange(port, QByteArray("tiny"), 300).isEmpty());
    QVERIFY(raw.exchange(port, QByteArray(15, '\0'), 300).isEmpty());
    for (int i = 0; i < 500; ++i) {
        QByteArray junk(i % 120, char(i * 37));
        raw.send(port, junk);
    }
    raw.send(port, QByteArray(60'000, 'z')); // far over any BEP 15 packet
    QTest::qWait(200);
    // Still answering, and nothing was registered.
    QVERIFY(connectionIdOf(raw.exchange(port, encodeUdpConnectRequest(5))) != 0);
    QCOMPARE(server->swarms().peerCount(), 0);
    // The kernel may drop some of a burst; what arrived was dropped by the tracker, unanswered.
    QVERIFY2(server->udpDropped() >= 100, qPrintable(QString::number(server->udpDropped())));
    QCOMPARE(server->udpErrors(), 0);
}

void UdpTrackerTest::retransmitsAndChecksTransactions() {
    // A scripted tracker: ignores the first connect, answers the second after a reply with the wrong
    // transaction id and one from another port, then answers the announce.
    QUdpSocket tracker;
    QVERIFY(tracker.bind(kLoopback, 0));
    QUdpSocket stranger;
    QVERIFY(stranger.bind(kLoopback, 0));
    int connects = 0;
    QList<QByteArray> received;
    connect(&tracker, &QUdpSocket::readyRead, &tracker, [&] {
        while (tracker.hasPendingDatagrams()) {
            const QNetworkDatagram d = tracker.receiveDatagram();
            received.append(d.data());
            const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(d.data());
            if (!parsed.ok())
                continue;
            const quint32 tid = parsed.request->transactionId;
            const quint16 to = quint16(d.senderPort());
            if (parsed.request->action == UdpTrackerAction::Connect) {
                if (++connects == 1)
                    continue;
                tracker.writeDatagram(encodeUdpConnectResponse(tid + 1, 1), kLoopback, to);
                stranger.writeDatagram(encodeUdpConnectResponse(tid, 2), kLoopback, to);
                tracker.writeDatagram(QByteArray("junk"), kLoopback, to);
                tracker.writeDatagram(encodeUdpConnectResponse(tid, 0x77), kLoopback, to);
            } else if (parsed.request->action == UdpTrackerAction::Announce) {
                QCOMPARE(parsed.request->connectionId, 0x77u);
                tracker.writeDatagram(encodeUdpScrapeResponse(tid, {}), kLoopback, to); // wrong action
                tracker.writeDatagram(
                    encodeUdpAnnounceResponse(tid, 900, 4, 5,
                                              {{QHostAddress(QStringLiteral("10.1.1.1")), 99, {}}}),
                    kLoopback, to);
            }
        }
    });

    TcpNode node;
    UdpTrackerClient client(node.network(), {}, 3);
    AnnounceRequest request;
    request.infoHash = binaryInfoHash(1);
    request.peerId = peerIdFor(1);
    request.port = 6881;
    request.left = 5;
    request.event = AnnounceEvent::Started;
    request.numwant = 30;
    std::optional<UdpTrackerResult> result;
    QElapsedTimer timer;
    timer.start();
    client.announce(QStringLiteral("udp://localhost:%1/announce").arg(tracker.localPort()), request, 0xabcd,
                    4000, [&result](const UdpTrackerResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY2(result->ok, qPrintable(result->error));
    QVERIFY(timer.elapsed() >= 900); // the first retransmission comes after a quarter of the timeout
    QCOMPARE(connects, 2);
    QCOMPARE(result->announce.interval, 900);
    QCOMPARE(result->announce.incomplete, std::optional<qint64>(4));
    QCOMPARE(result->announce.complete, std::optional<qint64>(5));
    QCOMPARE(result->announce.peers,
             (QList<TrackerPeer>{{QHostAddress(QStringLiteral("10.1.1.1")), 99, {}}}));
    const UdpTrackerRequestParseResult sent = parseUdpTrackerRequest(received.last());
    QVERIFY(sent.ok());
    QCOMPARE(sent.request->announce.key, 0xabcdu);
    QCOMPARE(sent.request->announce.numWant, 30);
    QCOMPARE(sent.request->announce.event, AnnounceEvent::Started);
    QCOMPARE(sent.request->announce.left, 5);
}

void UdpTrackerTest::givesUpAtTheTimeout() {
    QUdpSocket silent;
    QVERIFY(silent.bind(kLoopback, 0));
    TcpNode node;
    UdpTrackerClient client(node.network(), {}, 4);
    std::optional<UdpTrackerResult> result;
    QElapsedTimer timer;
    timer.start();
    client.scrape(QStringLiteral("udp://127.0.0.1:%1").arg(silent.localPort()), {binaryInfoHash(1)}, 1200,
                  [&result](const UdpTrackerResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(!result->ok);
    QCOMPARE(result->error, QStringLiteral("no answer from the UDP tracker within 1200 ms"));
    QVERIFY(timer.elapsed() >= 1100);
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(client.datagramsSent(), 3); // at 0, 300 and 900 ms

    // Through TrackerClient, the failure is an ordinary announce failure.
    TrackerClientConfig config =
        udpClientConfig(QStringLiteral("udp://127.0.0.1:%1").arg(silent.localPort()), binaryInfoHash(1), 1);
    config.requestTimeoutMs = 500;
    TrackerClient tc(config);
    QSignalSpy failed(&tc, &TrackerClient::announceFailed);
    tc.start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("no answer from the UDP tracker within 500 ms"));
    QCOMPARE(tc.consecutiveFailures(), 1);
}

void UdpTrackerTest::badUrls() {
    QString why;
    QVERIFY(!parseUdpTrackerUrl(QStringLiteral("udp://tracker.example"), &why));
    QCOMPARE(why, QStringLiteral("udp:// URL without a port"));
    QVERIFY(!parseUdpTrackerUrl(QStringLiteral("udp://:80/announce"), &why));
    QCOMPARE(why, QStringLiteral("URL has no host"));
    QVERIFY(!parseUdpTrackerUrl(QStringLiteral("udp://h:0"), &why));
    QCOMPARE(why, QStringLiteral("invalid port in URL"));
    QVERIFY(!parseUdpTrackerUrl(QStringLiteral("http://h:1/announce"), &why));
    QCOMPARE(why, QStringLiteral("not a udp:// URL"));
    const auto v6 = parseUdpTrackerUrl(QStringLiteral("UDP://[::1]:6969/announce?x=1"));
    QVERIFY(v6);
    QCOMPARE(v6->host, QStringLiteral("::1"));
    QCOMPARE(v6->port, quint16(6969));

    TcpNode node;
    UdpTrackerClient client(node.network(), {}, 5);
    std::optional<UdpTrackerResult> result;
    client.scrape(QStringLiteral("udp://nosuchhost.invalid:6969"), {binaryInfoHash(1)}, 5000,
                  [&result](const UdpTrackerResult& r) { result = r; });
    QVERIFY(waitFor(result));
    QVERIFY(!result->ok);
    QVERIFY2(result->error.startsWith(QStringLiteral("cannot resolve nosuchhost.invalid")),
             qPrintable(result->error));
}

void UdpTrackerTest::simulatedNetworkRefusesUdp() {
    SimScheduler clock;
    SimNetwork network(clock);
    SimulatedLink link(clock);
    const std::unique_ptr<SimHost> host = network.addHost(QHostAddress(QStringLiteral("10.0.0.1")), link);

    TrackerServerConfig serverConfig;
    serverConfig.network = host.get();
    TrackerServer server(serverConfig);
    QVERIFY(!server.listenUdp(kLoopback, 0));
    QCOMPARE(server.errorString(),
             QStringLiteral("UDP needs the host's network; this tracker runs on a simulated one"));
    QVERIFY(server.udpAnnounceUrl().isEmpty());

    TrackerClientConfig config =
        udpClientConfig(QStringLiteral("udp://127.0.0.1:6969/announce"), binaryInfoHash(1), 1);
    config.network = host.get();
    TrackerClient client(config);
    QSignalSpy failed(&client, &TrackerClient::announceFailed);
    client.start();
    clock.runUntil(clock.now() + std::chrono::seconds(1));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(1).toString(),
             QStringLiteral("udp:// trackers need the host's network; this client runs on a simulated one"));
}

QTEST_GUILESS_MAIN(UdpTrackerTest)
#include "tst_udptracker.moc"
