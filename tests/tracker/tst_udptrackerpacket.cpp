// BEP 15 packets, encoded and decoded without sockets: byte layouts against the spec's tables, round trips,
// and every kind of malformed packet refused with a reason.

#include "TrackerTestUtil.h"

#include "tracker/UdpTrackerPacket.h"

#include <QtEndian>
#include <QtTest>

using namespace swarmscope;
using namespace swarmscope::trackertest;

namespace {

QByteArray be32(quint32 value) {
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(value, out.data());
    return out;
}

QByteArray be64(quint64 value) {
    QByteArray out(8, '\0');
    qToBigEndian<quint64>(value, out.data());
    return out;
}

UdpAnnounceFields sampleAnnounce() {
    UdpAnnounceFields a;
    a.infoHash = binaryInfoHash(7);
    a.peerId = peerIdFor(3);
    a.downloaded = 1234;
    a.left = 0x1'0000'0001LL;
    a.uploaded = 99;
    a.event = AnnounceEvent::Started;
    a.ipv4 = 0x7f000001;
    a.key = 0xdeadbeef;
    a.numWant = -1;
    a.port = 6881;
    return a;
}

} // namespace

class UdpTrackerPacketTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void connectRequestLayout();
    void announceRequestLayoutAndRoundTrip();
    void announceRequestMayBeLonger();
    void scrapeRequestRoundTrip();
    void malformedRequests_data();
    void malformedRequests();
    void connectResponseRoundTrip();
    void announceResponseRoundTrip();
    void announceResponseIpv6();
    void announceResponseBounds();
    void scrapeResponseRoundTrip();
    void errorResponse();
    void malformedResponses_data();
    void malformedResponses();
    void eventNumbers();
    void everyPrefixIsHandled();
};

void UdpTrackerPacketTest::connectRequestLayout() {
    const QByteArray packet = encodeUdpConnectRequest(0x01020304);
    QCOMPARE(packet, QByteArray::fromHex("0000041727101980"
                                         "00000000"
                                         "01020304"));
    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.request->action, UdpTrackerAction::Connect);
    QCOMPARE(parsed.request->transactionId, 0x01020304u);
    QCOMPARE(parsed.transactionId, std::optional<quint32>(0x01020304u));
}

void UdpTrackerPacketTest::announceRequestLayoutAndRoundTrip() {
    const UdpAnnounceFields a = sampleAnnounce();
    const QByteArray packet = encodeUdpAnnounceRequest(0x1122334455667788ULL, 42, a);
    QCOMPARE(packet.size(), 98);
    QCOMPARE(packet.left(8), be64(0x1122334455667788ULL));
    QCOMPARE(packet.mid(8, 4), be32(1));
    QCOMPARE(packet.mid(12, 4), be32(42));
    QCOMPARE(packet.mid(16, 20), a.infoHash);
    QCOMPARE(packet.mid(36, 20), a.peerId);
    QCOMPARE(packet.mid(56, 8), be64(1234));
    QCOMPARE(packet.mid(64, 8), be64(0x1'0000'0001ULL));
    QCOMPARE(packet.mid(72, 8), be64(99));
    QCOMPARE(packet.mid(80, 4), be32(2)); // started
    QCOMPARE(packet.mid(84, 4), be32(0x7f000001));
    QCOMPARE(packet.mid(88, 4), be32(0xdeadbeef));
    QCOMPARE(packet.mid(92, 4), be32(0xffffffff));
    QCOMPARE(packet.mid(96, 2), QByteArray::fromHex("1ae1"));

    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    const UdpTrackerRequest& r = *parsed.request;
    QCOMPARE(r.action, UdpTrackerAction::Announce);
    QCOMPARE(r.connectionId, 0x1122334455667788ULL);
    QCOMPARE(r.transactionId, 42u);
    QCOMPARE(r.announce.infoHash, a.infoHash);
    QCOMPARE(r.announce.peerId, a.peerId);
    QCOMPARE(r.announce.downloaded, a.downloaded);
    QCOMPARE(r.announce.left, a.left);
    QCOMPARE(r.announce.uploaded, a.uploaded);
    QCOMPARE(r.announce.event, AnnounceEvent::Started);
    QCOMPARE(r.announce.ipv4, a.ipv4);
    QCOMPARE(r.announce.key, a.key);
    QCOMPARE(r.announce.numWant, -1);
    QCOMPARE(r.announce.port, quint16(6881));
}

void UdpTrackerPacketTest::announceRequestMayBeLonger() {
    // BEP 41 options follow the 98 bytes; the announce itself is still read.
    const QByteArray packet =
        encodeUdpAnnounceRequest(1, 2, sampleAnnounce()) + QByteArray::fromHex("0203616263");
    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.request->announce.port, quint16(6881));
}

void UdpTrackerPacketTest::scrapeRequestRoundTrip() {
    const QList<QByteArray> hashes{binaryInfoHash(1), binaryInfoHash(2), binaryInfoHash(3)};
    const QByteArray packet = encodeUdpScrapeRequest(77, 88, hashes);
    QCOMPARE(packet.size(), 16 + 60);
    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.request->action, UdpTrackerAction::Scrape);
    QCOMPARE(parsed.request->connectionId, 77u);
    QCOMPARE(parsed.request->transactionId, 88u);
    QCOMPARE(parsed.request->infoHashes, hashes);

    // The encoder never writes more than a packet may hold.
    QList<QByteArray> many;
    for (int i = 0; i < 100; ++i)
        many.append(binaryInfoHash(quint8(i)));
    const QByteArray capped = encodeUdpScrapeRequest(1, 1, many);
    QCOMPARE(capped.size(), 16 + 20 * udptracker::kMaxScrapeHashes);
    QVERIFY(parseUdpTrackerRequest(capped).ok());
}

void UdpTrackerPacketTest::malformedRequests_data() {
    QTest::addColumn<QByteArray>("packet");
    QTest::addColumn<bool>("hasTransaction");
    QTest::addColumn<QString>("error");

    const QByteArray announce = encodeUdpAnnounceRequest(5, 6, sampleAnnounce());
    QTest::newRow("empty") << QByteArray() << false << "packet of 0 bytes (at least 16 needed)";
    QTest::newRow("15 bytes") << encodeUdpConnectRequest(1).left(15) << false
                              << "packet of 15 bytes (at least 16 needed)";
    QTest::newRow("huge") << QByteArray(udptracker::kMaxPacketSize + 1, 'x') << false
                          << "packet of 8193 bytes (at most 8192)";
    QTest::newRow("connect without magic")
        << (be64(0x41727101981ULL) + be32(0) + be32(9)) << true << "connect request without the protocol id";
    QTest::newRow("unknown action") << (be64(1) + be32(7) + be32(9)) << true << "unknown action 7";
    QTest::newRow("error action from a client")
        << (be64(1) + be32(3) + be32(9)) << true << "unknown action 3";
    QTest::newRow("announce 97 bytes")
        << announce.left(97) << true << "announce request of 97 bytes (98 needed)";
    QTest::newRow("announce header only")
        << announce.left(16) << true << "announce request of 16 bytes (98 needed)";
    QByteArray badEvent = announce;
    badEvent.replace(80, 4, be32(4));
    QTest::newRow("announce event 4") << badEvent << true << "unknown event 4";
    QByteArray negative = announce;
    negative.replace(64, 8, be64(quint64(-1)));
    QTest::newRow("announce negative left") << negative << true << "negative downloaded, left or uploaded";
    QByteArray portZero = announce;
    portZero.replace(96, 2, QByteArray(2, '\0'));
    QTest::newRow("announce port 0") << portZero << true << "port 0";
    QTest::newRow("scrape without hash")
        << (be64(1) + be32(2) + be32(9)) << true << "scrape request without an info-hash";
    QTest::newRow("scrape partial hash") << (be64(1) + be32(2) + be32(9) + QByteArray(25, 'h')) << true
                                         << "scrape request with a partial info-hash";
    QTest::newRow("scrape 75 hashes") << (be64(1) + be32(2) + be32(9) + QByteArray(75 * 20, 'h')) << true
                                      << "too many info-hashes (at most 74)";
}

void UdpTrackerPacketTest::malformedRequests() {
    QFETCH(QByteArray, packet);
    QFETCH(bool, hasTransaction);
    QFETCH(QString, error);
    const UdpTrackerRequestParseResult parsed = parseUdpTrackerRequest(packet);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error, error);
    QCOMPARE(parsed.transactionId.has_value(), hasTransaction);
    if (hasTransaction)
        QCOMPARE(*parsed.transactionId, qFromBigEndian<quint32>(packet.constData() + 12));
}

void UdpTrackerPacketTest::connectResponseRoundTrip() {
    const QByteArray packet = encodeUdpConnectResponse(0xabcdef01, 0x0102030405060708ULL);
    QCOMPARE(packet, QByteArray::fromHex("00000000"
                                         "abcdef01"
                                         "0102030405060708"));
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->action, UdpTrackerAction::Connect);
    QCOMPARE(parsed.response->transactionId, 0xabcdef01u);
    QCOMPARE(parsed.response->connectionId, 0x0102030405060708ULL);
}

void UdpTrackerPacketTest::announceResponseRoundTrip() {
    const QList<TrackerPeer> peers{{QHostAddress(QStringLiteral("10.0.0.1")), 6881, {}},
                                   {QHostAddress(QStringLiteral("::1")), 7000, {}}, // not in a v4 packet
                                   {QHostAddress(QStringLiteral("192.168.1.2")), 51413, {}}};
    const QByteArray packet = encodeUdpAnnounceResponse(5, 1800, 3, 4, peers);
    QCOMPARE(packet, QByteArray::fromHex("00000001"
                                         "00000005"
                                         "00000708"
                                         "00000003"
                                         "00000004"
                                         "0a000001"
                                         "1ae1"
                                         "c0a80102"
                                         "c8d5"));
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    const AnnounceResponse& a = parsed.response->announce;
    QCOMPARE(parsed.response->action, UdpTrackerAction::Announce);
    QCOMPARE(parsed.response->transactionId, 5u);
    QCOMPARE(a.interval, 1800);
    QCOMPARE(a.incomplete, std::optional<qint64>(3));
    QCOMPARE(a.complete, std::optional<qint64>(4));
    QCOMPARE(a.peers.size(), 2);
    QCOMPARE(a.peers.at(0), peers.at(0));
    QCOMPARE(a.peers.at(1), peers.at(2));
}

void UdpTrackerPacketTest::announceResponseIpv6() {
    const QList<TrackerPeer> peers{{QHostAddress(QStringLiteral("10.0.0.1")), 6881, {}},
                                   {QHostAddress(QStringLiteral("2001:db8::7")), 7000, {}}};
    const QByteArray packet = encodeUdpAnnounceResponse(5, 60, 0, 1, peers, true);
    QCOMPARE(packet.size(), 20 + 18);
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet, true);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->announce.peers, QList<TrackerPeer>{peers.at(1)});
    // Read as IPv4, 18 bytes are 3 peers: the stride follows the address family, not the packet.
    QVERIFY(parseUdpTrackerResponse(packet, false).ok());
}

void UdpTrackerPacketTest::announceResponseBounds() {
    QList<TrackerPeer> peers;
    for (int i = 1; i <= 300; ++i)
        peers.append({QHostAddress(quint32(0x0a000000 + i)), quint16(1000 + i), {}});
    const QByteArray packet = encodeUdpAnnounceResponse(1, 60, 0, 0, peers, false, 200);
    QCOMPARE(packet.size(), 20 + 200 * 6);
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet, false, 50);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.response->announce.peers.size(), 50);

    // Port 0 and 0.0.0.0 name nothing to connect to.
    const QByteArray junk = encodeUdpAnnounceResponse(1, 60, 0, 0, {}) + QByteArray::fromHex("0a0000010000") +
                            QByteArray::fromHex("000000001ae1") + QByteArray::fromHex("0a0000021ae1");
    const UdpTrackerResponseParseResult kept = parseUdpTrackerResponse(junk);
    QVERIFY(kept.ok());
    QCOMPARE(kept.response->announce.peers.size(), 1);
    QCOMPARE(kept.response->announce.peers.at(0).address, QHostAddress(QStringLiteral("10.0.0.2")));

    // Counters beyond 32 bits are clamped, never wrapped.
    const QByteArray big = encodeUdpAnnounceResponse(1, -5, qint64(1) << 40, -1, {});
    const UdpTrackerResponseParseResult clamped = parseUdpTrackerResponse(big);
    QVERIFY(clamped.ok());
    QCOMPARE(clamped.response->announce.interval, 0);
    QCOMPARE(clamped.response->announce.incomplete, std::optional<qint64>(0x7fffffff));
    QCOMPARE(clamped.response->announce.complete, std::optional<qint64>(0));
}

void UdpTrackerPacketTest::scrapeResponseRoundTrip() {
    const QList<ScrapeCounts> counts{{1, 2, 3}, {0, 0, 0}, {10, 20, 30}};
    const QByteArray packet = encodeUdpScrapeResponse(9, counts);
    // seeders, completed, leechers
    QCOMPARE(packet.mid(8, 12), QByteArray::fromHex("00000001"
                                                    "00000003"
                                                    "00000002"));
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->action, UdpTrackerAction::Scrape);
    QCOMPARE(parsed.response->scrape, counts);
}

void UdpTrackerPacketTest::errorResponse() {
    const QByteArray packet = encodeUdpErrorResponse(3, QStringLiteral("connection id expired"));
    QCOMPARE(packet, be32(3) + be32(3) + "connection id expired");
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet);
    QVERIFY(parsed.ok());
    QCOMPARE(parsed.response->action, UdpTrackerAction::Error);
    QCOMPARE(parsed.response->errorMessage, QStringLiteral("connection id expired"));

    const UdpTrackerResponseParseResult bare = parseUdpTrackerResponse(be32(3) + be32(3));
    QVERIFY(bare.ok());
    QCOMPARE(bare.response->errorMessage, QStringLiteral("tracker sent an error without a message"));

    const UdpTrackerResponseParseResult control =
        parseUdpTrackerResponse(be32(3) + be32(3) + "bad\r\x1b[2Kthing\0" + QByteArray(2000, 'x'));
    QVERIFY(control.ok());
    QVERIFY(control.response->errorMessage.startsWith(QStringLiteral("bad  [2Kthing")));
    QVERIFY(control.response->errorMessage.size() <= udptracker::kMaxErrorMessageSize);
}

void UdpTrackerPacketTest::malformedResponses_data() {
    QTest::addColumn<QByteArray>("packet");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QByteArray() << "packet of 0 bytes (at least 8 needed)";
    QTest::newRow("7 bytes") << QByteArray(7, '\0') << "packet of 7 bytes (at least 8 needed)";
    QTest::newRow("connect 15 bytes")
        << encodeUdpConnectResponse(1, 2).left(15) << "connect response of 15 bytes (16 needed)";
    QTest::newRow("announce 19 bytes")
        << encodeUdpAnnounceResponse(1, 2, 3, 4, {}).left(19) << "announce response of 19 bytes (20 needed)";
    QTest::newRow("announce partial peer") << (encodeUdpAnnounceResponse(1, 2, 3, 4, {}) + QByteArray(7, 'p'))
                                           << "announce response with a partial peer";
    QTest::newRow("announce negative interval") << (be32(1) + be32(1) + be32(0x80000000) + be32(0) + be32(0))
                                                << "announce response with a negative interval";
    QTest::newRow("scrape partial") << (encodeUdpScrapeResponse(1, {{1, 2, 3}}) + "xx")
                                    << "scrape response with a partial entry";
    QTest::newRow("unknown action") << (be32(4) + be32(1)) << "unknown action 4";
    QTest::newRow("huge") << QByteArray(udptracker::kMaxPacketSize + 1, '\0')
                          << "packet of 8193 bytes (at most 8192)";
}

void UdpTrackerPacketTest::malformedResponses() {
    QFETCH(QByteArray, packet);
    QFETCH(QString, error);
    const UdpTrackerResponseParseResult parsed = parseUdpTrackerResponse(packet);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error, error);
}

void UdpTrackerPacketTest::eventNumbers() {
    for (const AnnounceEvent event :
         {AnnounceEvent::None, AnnounceEvent::Completed, AnnounceEvent::Started, AnnounceEvent::Stopped})
        QCOMPARE(udpEventFromNumber(udpEventNumber(event)), std::optional<AnnounceEvent>(event));
    QCOMPARE(udpEventNumber(AnnounceEvent::Completed), 1u);
    QCOMPARE(udpEventNumber(AnnounceEvent::Started), 2u);
    QCOMPARE(udpEventNumber(AnnounceEvent::Stopped), 3u);
    QVERIFY(!udpEventFromNumber(4));
}

void UdpTrackerPacketTest::everyPrefixIsHandled() {
    // Every truncation of every valid packet is either a valid packet or refused with a reason.
    const QList<QByteArray> packets{
        encodeUdpConnectRequest(1),
        encodeUdpAnnounceRequest(2, 3, sampleAnnounce()),
        encodeUdpScrapeRequest(4, 5, {binaryInfoHash(1), binaryInfoHash(2)}),
        encodeUdpConnectResponse(1, 2),
        encodeUdpAnnounceResponse(1, 2, 3, 4, {{QHostAddress(QStringLiteral("10.1.2.3")), 80, {}}}),
        encodeUdpScrapeResponse(1, {{1, 2, 3}}),
        encodeUdpErrorResponse(1, QStringLiteral("no")),
    };
    for (const QByteArray& packet : packets) {
        for (qsizetype n = 0; n <= packet.size(); ++n) {
            const UdpTrackerRequestParseResult request = parseUdpTrackerRequest(packet.left(n));
            QVERIFY(request.ok() || !request.error.isEmpty());
            const UdpTrackerResponseParseResult response = parseUdpTrackerResponse(packet.left(n));
            QVERIFY(response.ok() || !response.error.isEmpty());
        }
    }
}

QTEST_GUILESS_MAIN(UdpTrackerPacketTest)
#include "tst_udptrackerpacket.moc"
