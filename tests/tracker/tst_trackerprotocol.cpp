// The tracker protocol without sockets: announce queries and responses, scrape bodies, the swarm
// table and the client's retry timing.

#include "TrackerTestUtil.h"

#include "metainfo/PercentEncoding.h"
#include "tracker/AnnounceRequest.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/ScrapeResponse.h"
#include "tracker/SwarmTable.h"
#include "tracker/TrackerClient.h"

#include <QSet>
#include <QTest>

#include <random>

using namespace swarmscope;
using namespace swarmscope::trackertest;

namespace {

AnnounceRequest announceFor(const QByteArray& infoHash, int peer, qint64 left,
                            AnnounceEvent event = AnnounceEvent::None) {
    AnnounceRequest request;
    request.infoHash = infoHash;
    request.peerId = peerIdFor(peer);
    request.port = quint16(10000 + peer);
    request.left = left;
    request.event = event;
    return request;
}

} // namespace

class TrackerProtocolTest : public QObject {
    Q_OBJECT
private slots:
    void announceRequest_queryRoundTrips();
    void announceRequest_leftOfAMagnetWithoutMetadata_isTaken();
    void announceResponse_rejectsBadInput_data();
    void announceResponse_rejectsBadInput();
    void announceResponse_parsesCompactDictionaryAndPeers6();
    void announceResponse_dropsUnspecifiedAddresses();
    void announceResponse_failureAndWarning();
    void announceResponse_encodeThenParse();
    void scrapeResponse_roundTripsAndRejectsBadInput();
    void swarmTable_randomSelectionReachesEveryPeer();
    void swarmTable_limitsTorrentsAndPeers();
    void swarmTable_expiresAfterTimeout();
    void retryDelay_doublesUpToCap_data();
    void retryDelay_doublesUpToCap();
    void parsers_surviveMutatedInput();
};

void TrackerProtocolTest::announceRequest_queryRoundTrips() {
    AnnounceRequest request;
    request.infoHash = binaryInfoHash(3);
    request.peerId = peerIdFor(7);
    request.port = 51413;
    request.uploaded = 1;
    request.downloaded = 1LL << 40;
    request.left = 0;
    request.event = AnnounceEvent::Completed;
    request.numwant = 30;
    request.compact = true;
    request.key = "k&y";
    request.trackerId = QByteArray("\x00\x01", 2);
    const auto query = parseQueryString(request.toQuery());
    QVERIFY(query);
    const AnnounceRequestParseResult parsed = parseAnnounceRequest(*query);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.request->infoHash, request.infoHash);
    QCOMPARE(parsed.request->peerId, request.peerId);
    QCOMPARE(parsed.request->port, request.port);
    QCOMPARE(parsed.request->downloaded, request.downloaded);
    QCOMPARE(parsed.request->event, AnnounceEvent::Completed);
    QCOMPARE(parsed.request->numwant, std::optional<int>(30));
    QVERIFY(parsed.request->compact);
    QCOMPARE(parsed.request->key, request.key);
    QCOMPARE(parsed.request->trackerId, request.trackerId);
}

// Transmission announces a magnet whose metadata has not arrived with left=INT64_MAX; others send 2^64 - 1.
// Both are taken, as a count saturated at 2^60, and the peer is listed as a leecher.
void TrackerProtocolTest::announceRequest_leftOfAMagnetWithoutMetadata_isTaken() {
    AnnounceRequest request;
    request.infoHash = binaryInfoHash(4);
    request.peerId = peerIdFor(8);
    request.port = 51413;
    for (const QByteArray& left : {QByteArray("9223372036854775807"), QByteArray("18446744073709551615")}) {
        QByteArray query = request.toQuery();
        query.replace(QByteArray("&left=0"), QByteArray(QByteArray("&left=") + left));
        QVERIFY(query.contains(QByteArray(QByteArray("&left=") + left)));
        const auto items = parseQueryString(query);
        QVERIFY(items);
        const AnnounceRequestParseResult parsed = parseAnnounceRequest(*items);
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        QCOMPARE(parsed.request->left, qint64(1) << 60);
    }
}

void TrackerProtocolTest::announceResponse_rejectsBadInput_data() {
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    QTest::newRow("not bencode") << QByteArray("<html>")
                                 << "response is not valid bencode: unexpected character (byte 0)";
    QTest::newRow("truncated")
        << QByteArray("d8:intervali1800e5:peers6:abc")
        << "response is not valid bencode: string length runs past the end of data (byte 24)";
    QTest::newRow("a list") << QByteArray("le") << "response is not a dictionary";
    QTest::newRow("failure reason not a string")
        << QByteArray("d14:failure reasoni1ee") << "failure reason is not a string";
    QTest::newRow("missing interval") << QByteArray("d5:peers0:e") << "missing interval";
    QTest::newRow("negative interval") << QByteArray("d8:intervali-1e5:peers0:e") << "invalid interval";
    QTest::newRow("interval a string") << QByteArray("d8:interval2:105:peers0:e") << "invalid interval";
    QTest::newRow("negative min interval")
        << QByteArray("d8:intervali10e12:min intervali-5e5:peers0:e") << "invalid min interval";
    QTest::newRow("negative complete")
        << QByteArray("d8:completei-1e8:intervali10e5:peers0:e") << "invalid complete";
    QTest::newRow("incomplete a string")
        << QByteArray("d10:incomplete1:18:intervali10e5:peers0:e") << "invalid incomplete";
    QTest::newRow("missing peers") << QByteArray("d8:intervali10ee") << "missing peers";
    QTest::newRow("compact length 5")
        << QByteArray("d8:intervali10e5:peers5:abcdee") << "compact peers length is not a multiple of 6";
    QTest::newRow("compact length 13") << QByteArray("d8:intervali10e5:peers13:abcdefghijklme")
                                       << "compact peers length is not a multiple of 6";
    QTest::newRow("peers an integer")
        << QByteArray("d8:intervali10e5:peersi3ee") << "peers is neither a string nor a list";
    QTest::newRow("peer entry an integer")
        << QByteArray("d8:intervali10e5:peersli1eee") << "peer entry is not a dictionary";
    QTest::newRow("peer entry without ip")
        << QByteArray("d8:intervali10e5:peersld4:porti1eeee") << "peer entry without ip";
    QTest::newRow("peer port 0") << QByteArray("d8:intervali10e5:peersld2:ip9:127.0.0.14:porti0eeee")
                                 << "peer entry with invalid port";
    QTest::newRow("peer port 70000") << QByteArray("d8:intervali10e5:peersld2:ip9:127.0.0.14:porti70000eeee")
                                     << "peer entry with invalid port";
    QTest::newRow("peer without port")
        << QByteArray("d8:intervali10e5:peersld2:ip9:127.0.0.1eee") << "peer entry with invalid port";
    QTest::newRow("short peer id") << QByteArray(
                                          "d8:intervali10e5:peersld2:ip9:127.0.0.17:peer id3:abc4:porti1eeee")
                                   << "peer id must be 20 bytes";
    QTest::newRow("peers6 length 17") << QByteArray("d8:intervali10e6:peers617:abcdefghijklmnopqe")
                                      << "compact peers6 length is not a multiple of 18";
    QTest::newRow("peers6 a list") << QByteArray("d8:intervali10e5:peers0:6:peers6lee")
                                   << "peers6 is not a string";
    QTest::newRow("warning not a string")
        << QByteArray("d8:intervali10e5:peers0:15:warning messagei1ee") << "warning message is not a string";
}

void TrackerProtocolTest::announceResponse_rejectsBadInput() {
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    const AnnounceResponseParseResult result = parseAnnounceResponse(body);
    QVERIFY(!result.ok());
    QCOMPARE(result.error, error);
}

void TrackerProtocolTest::announceResponse_parsesCompactDictionaryAndPeers6() {
    const QByteArray compact = QByteArray::fromHex("7f0000011ae1"
                                                   "0a000002c8d5"
                                                   "7f0000030000");
    const AnnounceResponseParseResult a = parseAnnounceResponse(
        "d8:completei2e10:incompletei3e8:intervali1800e12:min intervali900e5:peers18:" + compact + "e");
    QVERIFY2(a.ok(), qPrintable(a.error));
    QCOMPARE(a.response->interval, 1800);
    QCOMPARE(a.response->minInterval, std::optional<int>(900));
    QCOMPARE(a.response->complete, std::optional<qint64>(2));
    QCOMPARE(a.response->incomplete, std::optional<qint64>(3));
    QCOMPARE(a.response->peers.size(), 2); // the port-0 entry is dropped
    QCOMPARE(a.response->peers.at(0), (TrackerPeer{QHostAddress(QStringLiteral("127.0.0.1")), 6881, {}}));
    QCOMPARE(a.response->peers.at(1), (TrackerPeer{QHostAddress(QStringLiteral("10.0.0.2")), 51413, {}}));

    const QByteArray id = peerIdFor(1);
    const AnnounceResponseParseResult b =
        parseAnnounceResponse("d8:intervali60e5:peersld2:ip3:::17:peer id20:" + id +
                              "4:porti6881eed2:ip12:tracker.test4:porti1eed2:ip8:10.1.2.34:porti2eeee");
    QVERIFY2(b.ok(), qPrintable(b.error));
    QCOMPARE(b.response->peers.size(), 2); // the host name is skipped
    QCOMPARE(b.response->peers.at(0), (TrackerPeer{QHostAddress(QStringLiteral("::1")), 6881, id}));
    QCOMPARE(b.response->peers.at(1).address, QHostAddress(QStringLiteral("10.1.2.3")));

    const QByteArray v6 = QByteArray::fromHex("00000000000000000000000000000001"
                                              "1ae1");
    const AnnounceResponseParseResult c = parseAnnounceResponse("d8:intervali60e6:peers618:" + v6 + "e");
    QVERIFY2(c.ok(), qPrintable(c.error));
    QCOMPARE(c.response->peers, (QList<TrackerPeer>{{QHostAddress(QStringLiteral("::1")), 6881, {}}}));
}

void TrackerProtocolTest::announceResponse_dropsUnspecifiedAddresses() {
    // 0.0.0.0 and :: (also IPv4-mapped) name no host; a peer engine connecting there reaches its own machine.
    const QByteArray v4 = QByteArray::fromHex("000000001ae1"
                                              "7f0000021ae2");
    const QByteArray v6 = QByteArray::fromHex("00000000000000000000000000000000"
                                              "1ae3"
                                              "00000000000000000000ffff00000000"
                                              "1ae4"
                                              "00000000000000000000000000000001"
                                              "1ae5");
    const AnnounceResponseParseResult compact =
        parseAnnounceResponse("d8:intervali60e5:peers12:" + v4 + "6:peers654:" + v6 + "e");
    QVERIFY2(compact.ok(), qPrintable(compact.error));
    QCOMPARE(compact.response->peers,
             (QList<TrackerPeer>{{QHostAddress(QStringLiteral("127.0.0.2")), 6882, {}},
                                 {QHostAddress(QStringLiteral("::1")), 6885, {}}}));

    const AnnounceResponseParseResult dictionary = parseAnnounceResponse(
        "d8:intervali60e5:peersld2:ip7:0.0.0.04:porti1eed2:ip2:::4:porti2eed2:ip14:::ffff:"
        "0.0.0.04:porti3eed2:ip9:127.0.0.34:porti4eeee");
    QVERIFY2(dictionary.ok(), qPrintable(dictionary.error));
    QCOMPARE(dictionary.response->peers,
             (QList<TrackerPeer>{{QHostAddress(QStringLiteral("127.0.0.3")), 4, {}}}));

    // Only unspecified addresses go: every other one survives the encoder and the parser.
    AnnounceResponse response;
    response.interval = 60;
    response.peers = {{QHostAddress(QStringLiteral("0.0.0.0")), 1, peerIdFor(1)},
                      {QHostAddress(QStringLiteral("0.0.0.1")), 2, peerIdFor(2)},
                      {QHostAddress(QStringLiteral("::")), 3, peerIdFor(3)},
                      {QHostAddress(QStringLiteral("::2")), 4, peerIdFor(4)}};
    for (const bool asCompact : {true, false}) {
        const auto parsed = parseAnnounceResponse(encodeAnnounceResponse(response, asCompact, false));
        QVERIFY2(parsed.ok(), qPrintable(parsed.error));
        QCOMPARE(parsed.response->peers.size(), 2);
        QCOMPARE(parsed.response->peers.at(0).address, QHostAddress(QStringLiteral("0.0.0.1")));
        QCOMPARE(parsed.response->peers.at(1).address, QHostAddress(QStringLiteral("::2")));
    }
}

void TrackerProtocolTest::announceResponse_failureAndWarning() {
    const AnnounceResponseParseResult failed =
        parseAnnounceResponse("d14:failure reason9:not today8:intervalxe");
    QVERIFY(!failed.ok()); // still has to be valid bencode
    const AnnounceResponseParseResult refused = parseAnnounceResponse("d14:failure reason9:not todaye");
    QVERIFY(refused.ok());
    QVERIFY(refused.response->failed());
    QCOMPARE(refused.response->failureReason, QStringLiteral("not today"));
    const AnnounceResponseParseResult warned =
        parseAnnounceResponse("d8:intervali5e5:peers0:10:tracker id2:id15:warning message4:slowe");
    QVERIFY(warned.ok());
    QVERIFY(!warned.response->failed());
    QCOMPARE(warned.response->warningMessage, QStringLiteral("slow"));
    QCOMPARE(warned.response->trackerId, QByteArray("id"));
}

void TrackerProtocolTest::announceResponse_encodeThenParse() {
    AnnounceResponse response;
    response.interval = 30;
    response.minInterval = 15;
    response.complete = 1;
    response.incomplete = 2;
    response.peers = {{QHostAddress(QStringLiteral("127.0.0.1")), 7000, peerIdFor(1)},
                      {QHostAddress(QStringLiteral("::ffff:127.0.0.2")), 7001, peerIdFor(2)},
                      {QHostAddress(QStringLiteral("::1")), 7002, peerIdFor(3)}};
    const auto compact = parseAnnounceResponse(encodeAnnounceResponse(response, true, false));
    QVERIFY2(compact.ok(), qPrintable(compact.error));
    QCOMPARE(compact.response->peers.size(), 3);
    QCOMPARE(compact.response->peers.at(1).address, QHostAddress(QStringLiteral("127.0.0.2")));
    QCOMPARE(compact.response->peers.at(2).address, QHostAddress(QStringLiteral("::1")));
    QVERIFY(compact.response->peers.at(0).peerId.isEmpty());

    const auto dictionary = parseAnnounceResponse(encodeAnnounceResponse(response, false, false));
    QVERIFY2(dictionary.ok(), qPrintable(dictionary.error));
    QCOMPARE(dictionary.response->peers.at(0), response.peers.at(0));
    QCOMPARE(dictionary.response->peers.at(2), response.peers.at(2));
    const auto noIds = parseAnnounceResponse(encodeAnnounceResponse(response, false, true));
    QVERIFY(noIds.ok());
    QVERIFY(noIds.response->peers.at(0).peerId.isEmpty());
}

void TrackerProtocolTest::scrapeResponse_roundTripsAndRejectsBadInput() {
    ScrapeResponse response;
    response.files[binaryInfoHash(1)] = {3, 4, 5};
    response.files[binaryInfoHash(2)] = {0, 1, 0};
    const ScrapeResponseParseResult parsed = parseScrapeResponse(encodeScrapeResponse(response));
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->files, response.files);
    QCOMPARE(parseScrapeResponse("de").error, QStringLiteral("missing files dictionary"));
    QCOMPARE(parseScrapeResponse("d5:filesd3:abcdeee").error,
             QStringLiteral("files key is not a 20-byte info-hash"));
    QCOMPARE(parseScrapeResponse("d5:filesd20:" + binaryInfoHash(1) + "d8:completei-1eeee").error,
             QStringLiteral("invalid complete"));
}

void TrackerProtocolTest::swarmTable_randomSelectionReachesEveryPeer() {
    SwarmTable table({}, 42);
    const QByteArray hash = binaryInfoHash(9);
    const QHostAddress loopback(QHostAddress::LocalHost);
    for (int i = 0; i < 30; ++i)
        table.announce(announceFor(hash, i, 100), loopback, 0, 0);
    QSet<QByteArray> seen;
    for (int round = 0; round < 50; ++round) {
        const SwarmAnnounceOutcome outcome = table.announce(announceFor(hash, 0, 100), loopback, 5, 0);
        QCOMPARE(outcome.peers.size(), 5);
        QSet<QByteArray> once;
        for (const TrackerPeer& peer : outcome.peers) {
            QVERIFY(peer.peerId != peerIdFor(0));
            once.insert(peer.peerId);
            seen.insert(peer.peerId);
        }
        QCOMPARE(once.size(), 5); // no duplicates within one answer
    }
    QCOMPARE(seen.size(), 29); // 250 draws from 29 peers reach every one of them
}

void TrackerProtocolTest::swarmTable_limitsTorrentsAndPeers() {
    SwarmTableLimits limits;
    limits.maxTorrents = 2;
    limits.maxPeersPerTorrent = 3;
    SwarmTable table(limits, 1);
    const QHostAddress loopback(QHostAddress::LocalHost);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(table.announce(announceFor(binaryInfoHash(1), i, 1), loopback, 50, 0).update,
                 SwarmUpdate::Added);
    const SwarmAnnounceOutcome full = table.announce(announceFor(binaryInfoHash(1), 3, 1), loopback, 50, 0);
    QCOMPARE(full.update, SwarmUpdate::SwarmFull);
    QCOMPARE(full.peers.size(), 3); // still told about the swarm
    QCOMPARE(table.counts(binaryInfoHash(1)).incomplete, 3);
    QCOMPARE(table.announce(announceFor(binaryInfoHash(2), 0, 1), loopback, 50, 0).update,
             SwarmUpdate::Added);
    QCOMPARE(table.announce(announceFor(binaryInfoHash(3), 0, 1), loopback, 50, 0).update,
             SwarmUpdate::TooManyTorrents);
    // A torrent whose last peer left frees its slot.
    table.announce(announceFor(binaryInfoHash(2), 0, 1, AnnounceEvent::Stopped), loopback, 50, 0);
    QCOMPARE(table.announce(announceFor(binaryInfoHash(3), 0, 1), loopback, 50, 0).update,
             SwarmUpdate::Added);
    QCOMPARE(table.torrentCount(), 2);
    QCOMPARE(table.peerCount(), 4);
}

void TrackerProtocolTest::swarmTable_expiresAfterTimeout() {
    SwarmTable table({}, 1);
    table.setPeerTimeoutMs(20'000);
    const QByteArray hash = binaryInfoHash(4);
    const QHostAddress loopback(QHostAddress::LocalHost);
    table.announce(announceFor(hash, 1, 0), loopback, 50, 0);
    table.announce(announceFor(hash, 2, 5), loopback, 50, 10'000);
    QVERIFY(table.expireAll(19'999).isEmpty());
    const QList<ExpiredPeer> gone = table.expireAll(20'000);
    QCOMPARE(gone.size(), 1);
    QCOMPARE(gone.first().peer.peerId, peerIdFor(1));
    QCOMPARE(table.counts(hash), (ScrapeCounts{0, 1, 0}));
    QCOMPARE(table.expireAll(30'000).size(), 1);
    QVERIFY(!table.contains(hash));
}

void TrackerProtocolTest::retryDelay_doublesUpToCap_data() {
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("delay");
    const qint64 expected[] = {5'000, 10'000, 20'000, 40'000, 80'000, 160'000, 300'000, 300'000};
    for (int i = 0; i < 8; ++i)
        QTest::addRow("failure %d", i + 1) << i + 1 << expected[i];
    QTest::newRow("failure 1000") << 1000 << qint64(300'000);
}

void TrackerProtocolTest::retryDelay_doublesUpToCap() {
    QFETCH(int, failures);
    QFETCH(qint64, delay);
    QCOMPARE(TrackerClient::retryDelayMs(failures, 5'000, 300'000), delay);
}

// A fixed-seed stand-in for a fuzzer over the bencoded bodies a tracker client reads.
void TrackerProtocolTest::parsers_surviveMutatedInput() {
    const QList<QByteArray> bodies = {
        "d8:completei2e10:incompletei3e8:intervali1800e5:peers12:" + QByteArray(12, '\x7f') + "e",
        "d8:intervali60e5:peersld2:ip9:127.0.0.17:peer id20:" + peerIdFor(1) + "4:porti6881eeee",
        "d8:intervali60e6:peers618:" + QByteArray(18, '\x01') + "e",
        "d5:filesd20:" + binaryInfoHash(1) + "d8:completei1e10:downloadedi2e10:incompletei3eeee",
    };
    std::mt19937 random(678);
    for (int i = 0; i < 20'000; ++i) {
        QByteArray body = bodies.at(i % bodies.size());
        const int edits = 1 + int(random() % 3);
        for (int e = 0; e < edits && !body.isEmpty(); ++e) {
            const qsizetype at = qsizetype(random() % quint32(body.size()));
            if (random() % 2)
                body[at] = char(random());
            else
                body.remove(at, 1 + qsizetype(random() % 4));
        }
        const AnnounceResponseParseResult announce = parseAnnounceResponse(body);
        QVERIFY(announce.ok() || !announce.error.isEmpty());
        const ScrapeResponseParseResult scrape = parseScrapeResponse(body);
        QVERIFY(scrape.ok() || !scrape.error.isEmpty());
        if (const auto query = parseQueryString(body))
            (void)parseAnnounceRequest(*query);
    }
}

QTEST_GUILESS_MAIN(TrackerProtocolTest)
#include "tst_trackerprotocol.moc"
