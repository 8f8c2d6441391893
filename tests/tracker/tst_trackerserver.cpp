// TrackerServer over real loopback sockets: announce (BEP 3, 23, 7) and scrape (BEP 48).

#include "TrackerServerFixture.h"

#include "metainfo/PercentEncoding.h"
#include "tracker/ScrapeResponse.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::trackertest;

class TrackerServerTest : public QObject, public TrackerServerFixture {
    Q_OBJECT
private slots:
    void init();
    void announce_rejectsBadInput_data();
    void announce_rejectsBadInput();
    void announce_compactAndDictionaryPeers();
    void announce_neverReturnsRequester();
    void announce_hundredLoopbackPeersDistinctByPeerId();
    void announce_numwantDefaultClampAndZero();
    void announce_stoppedRemovesAndCompletedCountsOnce();
    void announce_seederHearsOnlyLeechers();
    void announce_expiresPeersAfterTwoMissedIntervals();
    void announce_ipParameterHonouredFromLoopback();
    void scrape_countsRequestedTorrents();
    void scrape_withoutInfoHashListsAllTorrents();
    void scrape_rejectsBadInput();
};

void TrackerServerTest::init() {
    m_now = 1'000'000;
}

void TrackerServerTest::announce_rejectsBadInput_data() {
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("reason");
    const Params ok = announceParams(binaryInfoHash(1), 1, 10);
    QTest::newRow("missing info_hash") << query(without(ok, "info_hash")) << QByteArray("missing info_hash");
    QTest::newRow("19-byte info_hash")
        << query(with(ok, "info_hash", QByteArray(19, 'a'))) << QByteArray("info_hash must be 20 bytes");
    QTest::newRow("21-byte info_hash")
        << query(with(ok, "info_hash", QByteArray(21, 'a'))) << QByteArray("info_hash must be 20 bytes");
    QTest::newRow("hex info_hash") << query(with(ok, "info_hash", binaryInfoHash(1).toHex()))
                                   << QByteArray("info_hash must be 20 bytes");
    QTest::newRow("empty info_hash") << query(with(ok, "info_hash", ""))
                                     << QByteArray("info_hash must be 20 bytes");
    Params twice = ok;
    twice.append(qMakePair(QByteArray("info_hash"), binaryInfoHash(2)));
    QTest::newRow("two info_hash") << query(twice) << QByteArray("info_hash given more than once");
    QTest::newRow("missing peer_id") << query(without(ok, "peer_id")) << QByteArray("missing peer_id");
    QTest::newRow("short peer_id") << query(with(ok, "peer_id", "-SS0001-"))
                                   << QByteArray("peer_id must be 20 bytes");
    QTest::newRow("missing port") << query(without(ok, "port")) << QByteArray("missing port");
    for (const char* port : {"0", "65536", "-1", "abc", "", " 80", "6881x", "99999999999999999999"})
        QTest::addRow("port \"%s\"", port) << query(with(ok, "port", port)) << QByteArray("invalid port");
    Params twoPorts = ok;
    twoPorts.append(qMakePair(QByteArray("port"), QByteArray("1")));
    QTest::newRow("two ports") << query(twoPorts) << QByteArray("port given more than once");
    for (const char* key : {"uploaded", "downloaded", "left"}) {
        QTest::addRow("missing %s", key) << query(without(ok, key)) << "missing " + QByteArray(key);
        QTest::addRow("negative %s", key) << query(with(ok, key, "-1")) << "invalid " + QByteArray(key);
        QTest::addRow("fractional %s", key) << query(with(ok, key, "1.5")) << "invalid " + QByteArray(key);
        QTest::addRow("huge %s", key)
            << query(with(ok, key, "99999999999999999999")) << "invalid " + QByteArray(key);
    }
    QTest::newRow("event begin") << query(with(ok, "event", "begin")) << QByteArray("invalid event");
    QTest::newRow("event upper case") << query(with(ok, "event", "STARTED")) << QByteArray("invalid event");
    QTest::newRow("negative numwant") << query(with(ok, "numwant", "-1")) << QByteArray("invalid numwant");
    QTest::newRow("numwant words") << query(with(ok, "numwant", "ten")) << QByteArray("invalid numwant");
    QTest::newRow("compact 2") << query(with(ok, "compact", "2")) << QByteArray("invalid compact");
    QTest::newRow("no_peer_id yes") << query(with(ok, "no_peer_id", "yes"))
                                    << QByteArray("invalid no_peer_id");
    QTest::newRow("ip not an address") << query(with(ok, "ip", "peer.example")) << QByteArray("invalid ip");
    QTest::newRow("bad escape") << ("info_hash=%G1&" + query(without(ok, "info_hash")))
                                << QByteArray("invalid percent-encoding in query");
}

void TrackerServerTest::announce_rejectsBadInput() {
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, reason);
    const auto server = startServer();
    const HttpClientResponse http =
        httpGet(server->announceUrl() + QLatin1Char('?') + QString::fromLatin1(query));
    QVERIFY2(http.ok, qPrintable(http.error));
    QCOMPARE(http.status, 400);
    QCOMPARE(failureReason(http.body), reason);
    QCOMPARE(server->swarms().torrentCount(), 0);
}

void TrackerServerTest::announce_compactAndDictionaryPeers() {
    const auto server = startServer();
    const QByteArray hash = binaryInfoHash(1);
    announceOk(announceParams(hash, 1, 10, "started"));
    announceOk(announceParams(hash, 2, 0, "started"));

    const AnnounceResponse compact = announceOk(announceParams(hash, 3, 10, "started"));
    QCOMPARE(compact.interval, 1800);
    QCOMPARE(compact.minInterval, std::optional<int>(900));
    QCOMPARE(compact.complete, std::optional<qint64>(1));
    QCOMPARE(compact.incomplete, std::optional<qint64>(2));
    QCOMPARE(compact.peers.size(), 2);
    QSet<quint16> ports;
    for (const TrackerPeer& peer : compact.peers) {
        QCOMPARE(peer.address, QHostAddress(QHostAddress::LocalHost));
        QVERIFY(peer.peerId.isEmpty()); // compact entries carry no id
        ports.insert(peer.port);
    }
    QCOMPARE(ports, (QSet<quint16>{20001, 20002}));

    const AnnounceResponse dictionary = announceOk(with(announceParams(hash, 3, 10), "compact", "0"));
    QCOMPARE(dictionary.peers.size(), 2);
    QSet<QByteArray> ids;
    for (const TrackerPeer& peer : dictionary.peers)
        ids.insert(peer.peerId);
    QCOMPARE(ids, (QSet<QByteArray>{peerIdFor(1), peerIdFor(2)}));

    const HttpClientResponse raw =
        announce(with(with(announceParams(hash, 3, 10), "compact", "0"), "no_peer_id", "1"));
    QVERIFY(raw.ok);
    QVERIFY(!raw.body.contains("peer id"));
    QVERIFY(raw.body.contains("2:ip9:127.0.0.1"));
}

void TrackerServerTest::announce_neverReturnsRequester() {
    const auto server = startServer();
    const QByteArray hash = binaryInfoHash(2);
    QVERIFY(announceOk(announceParams(hash, 1, 10, "started")).peers.isEmpty());
    for (int round = 0; round < 5; ++round) {
        const AnnounceResponse again = announceOk(with(announceParams(hash, 1, 10), "compact", "0"));
        QVERIFY(again.peers.isEmpty());
    }
    announceOk(announceParams(hash, 2, 10, "started"));
    const AnnounceResponse first = announceOk(with(announceParams(hash, 1, 10), "compact", "0"));
    QCOMPARE(first.peers.size(), 1);
    QCOMPARE(first.peers.first().peerId, peerIdFor(2));
}

void TrackerServerTest::announce_hundredLoopbackPeersDistinctByPeerId() {
    TrackerServerConfig config;
    config.maxNumwant = 200;
    const auto server = startServer(config);
    QSignalSpy started(server.get(), &TrackerServer::peerStarted);
    const QByteArray hash = binaryInfoHash(3);
    for (int i = 0; i < 100; ++i)
        announceOk(announceParams(hash, i, 100, "started"));
    QCOMPARE(started.size(), 100);
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{0, 100, 0}));

    const AnnounceResponse last =
        announceOk(with(with(announceParams(hash, 99, 100), "compact", "0"), "numwant", "200"));
    QCOMPARE(last.peers.size(), 99);
    QSet<QByteArray> ids;
    QSet<quint16> ports;
    for (const TrackerPeer& peer : last.peers) {
        QCOMPARE(peer.address, QHostAddress(QHostAddress::LocalHost));
        ids.insert(peer.peerId);
        ports.insert(peer.port);
    }
    QCOMPARE(ids.size(), 99);
    QCOMPARE(ports.size(), 99);
    QVERIFY(!ids.contains(peerIdFor(99)));
}

void TrackerServerTest::announce_numwantDefaultClampAndZero() {
    TrackerServerConfig config;
    config.maxNumwant = 55;
    const auto server = startServer(config);
    const QByteArray hash = binaryInfoHash(4);
    for (int i = 0; i < 61; ++i)
        announceOk(announceParams(hash, i, 100));
    QCOMPARE(announceOk(announceParams(hash, 0, 100)).peers.size(), 50); // the default
    QCOMPARE(announceOk(with(announceParams(hash, 0, 100), "numwant", "10")).peers.size(), 10);
    QCOMPARE(announceOk(with(announceParams(hash, 0, 100), "numwant", "1000")).peers.size(), 55);
    QCOMPARE(announceOk(with(announceParams(hash, 0, 100), "numwant", "0")).peers.size(), 0);
}

void TrackerServerTest::announce_stoppedRemovesAndCompletedCountsOnce() {
    const auto server = startServer();
    QSignalSpy completed(server.get(), &TrackerServer::peerCompleted);
    QSignalSpy stopped(server.get(), &TrackerServer::peerStopped);
    const QByteArray hash = binaryInfoHash(5);
    announceOk(announceParams(hash, 1, 0, "started"));
    announceOk(announceParams(hash, 2, 50, "started"));
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{1, 1, 0}));

    const AnnounceResponse done = announceOk(announceParams(hash, 2, 0, "completed"));
    QCOMPARE(done.complete, std::optional<qint64>(2));
    QCOMPARE(done.incomplete, std::optional<qint64>(0));
    QCOMPARE(done.downloaded, std::optional<qint64>(1));
    announceOk(announceParams(hash, 2, 0, "completed")); // a repeat must not count again
    QCOMPARE(server->swarms().counts(hash).downloaded, 1);
    QCOMPARE(completed.size(), 1);

    const AnnounceResponse gone = announceOk(announceParams(hash, 1, 0, "stopped"));
    QVERIFY(gone.peers.isEmpty());
    QCOMPARE(gone.complete, std::optional<qint64>(1));
    QCOMPARE(stopped.size(), 1);
    QCOMPARE(stopped.first().at(1).toByteArray(), peerIdFor(1));
    announceOk(announceParams(hash, 2, 0, "stopped"));
    // The swarm is empty but remembers its completion for scrape.
    QCOMPARE(server->swarms().counts(hash), (ScrapeCounts{0, 0, 1}));
    announceOk(announceParams(hash, 3, 0, "stopped")); // unknown peer: harmless
    QCOMPARE(stopped.size(), 2);
}

void TrackerServerTest::announce_seederHearsOnlyLeechers() {
    const auto server = startServer();
    const QByteArray hash = binaryInfoHash(6);
    announceOk(announceParams(hash, 1, 0));
    announceOk(announceParams(hash, 2, 0));
    announceOk(announceParams(hash, 3, 7));
    const AnnounceResponse seeder = announceOk(with(announceParams(hash, 1, 0), "compact", "0"));
    QCOMPARE(seeder.peers.size(), 1);
    QCOMPARE(seeder.peers.first().peerId, peerIdFor(3));
    const AnnounceResponse leecher = announceOk(with(announceParams(hash, 3, 7), "compact", "0"));
    QCOMPARE(leecher.peers.size(), 2);
}

void TrackerServerTest::announce_expiresPeersAfterTwoMissedIntervals() {
    TrackerServerConfig config;
    config.intervalSeconds = 10;
    const auto server = startServer(config);
    QSignalSpy expired(server.get(), &TrackerServer::peerExpired);
    const QByteArray hash = binaryInfoHash(7);
    const qint64 start = m_now;
    const AnnounceResponse first = announceOk(announceParams(hash, 1, 10, "started"));
    QCOMPARE(first.interval, 10);
    QCOMPARE(first.minInterval, std::optional<int>(5));
    m_now = start + 15'000;
    announceOk(announceParams(hash, 2, 10, "started"));
    m_now = start + 19'999;
    QCOMPARE(announceOk(announceParams(hash, 2, 10)).peers.size(), 1);
    QCOMPARE(expired.size(), 0);
    m_now = start + 20'000; // peer 1 has now missed two intervals
    QCOMPARE(announceOk(announceParams(hash, 2, 10)).peers.size(), 0);
    QCOMPARE(expired.size(), 1);
    QCOMPARE(expired.first().at(1).toByteArray(), peerIdFor(1));

    // The sweep removes the rest without any announce.
    server->setInterval(1);
    m_now += 2'000;
    QCOMPARE(server->expirePeers(), 1);
    QCOMPARE(server->swarms().torrentCount(), 0);
}

void TrackerServerTest::announce_ipParameterHonouredFromLoopback() {
    const auto server = startServer();
    const QByteArray hash = binaryInfoHash(8);
    announceOk(with(announceParams(hash, 1, 10), "ip", "127.0.0.9"));
    announceOk(with(announceParams(hash, 2, 10), "ip", "::ffff:127.0.0.10"));
    QSet<QHostAddress> addresses;
    for (const SwarmPeer& peer : server->swarms().peers(hash))
        addresses.insert(peer.address);
    QCOMPARE(addresses, (QSet<QHostAddress>{QHostAddress(QStringLiteral("127.0.0.9")),
                                            QHostAddress(QStringLiteral("127.0.0.10"))}));
}

void TrackerServerTest::scrape_countsRequestedTorrents() {
    const auto server = startServer();
    const QByteArray a = binaryInfoHash(10);
    const QByteArray b = binaryInfoHash(11);
    const QByteArray unknown = binaryInfoHash(12);
    announceOk(announceParams(a, 1, 0));
    announceOk(announceParams(a, 2, 5));
    announceOk(announceParams(a, 2, 0, "completed"));
    announceOk(announceParams(a, 3, 5));
    announceOk(announceParams(b, 1, 5));
    const QString url = server->baseUrl() + QStringLiteral("/scrape?info_hash=") +
                        QString::fromLatin1(percentEncode(a) + "&info_hash=" + percentEncode(b) +
                                            "&info_hash=" + percentEncode(unknown));
    const HttpClientResponse http = httpGet(url);
    QCOMPARE(http.status, 200);
    const ScrapeResponseParseResult parsed = parseScrapeResponse(http.body);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->files.size(), size_t(3));
    QCOMPARE(parsed.response->files.at(a), (ScrapeCounts{2, 1, 1}));
    QCOMPARE(parsed.response->files.at(b), (ScrapeCounts{0, 1, 0}));
    QCOMPARE(parsed.response->files.at(unknown), (ScrapeCounts{0, 0, 0}));
}

void TrackerServerTest::scrape_withoutInfoHashListsAllTorrents() {
    const auto server = startServer();
    for (quint8 i = 0; i < 5; ++i)
        announceOk(announceParams(binaryInfoHash(20 + i), 1, 5));
    const QByteArray published = makeTorrent(QStringLiteral("quiet.bin"), 1000);
    QVERIFY(server->catalogue().publish(published).ok());
    const ScrapeResponseParseResult parsed =
        parseScrapeResponse(httpGet(server->baseUrl() + QStringLiteral("/scrape")).body);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error));
    QCOMPARE(parsed.response->files.size(), size_t(6)); // five swarms and one catalogue torrent without peers
}

void TrackerServerTest::scrape_rejectsBadInput() {
    TrackerServerConfig config;
    config.maxScrapeHashes = 3;
    const auto server = startServer(config);
    HttpClientResponse http = httpGet(server->baseUrl() + QStringLiteral("/scrape?info_hash=short"));
    QCOMPARE(http.status, 400);
    QCOMPARE(failureReason(http.body), QByteArray("info_hash must be 20 bytes"));
    QByteArray many;
    for (quint8 i = 0; i < 4; ++i)
        many += "&info_hash=" + percentEncode(binaryInfoHash(i));
    http = httpGet(server->baseUrl() + QStringLiteral("/scrape?") + QString::fromLatin1(many.mid(1)));
    QCOMPARE(http.status, 400);
    QCOMPARE(failureReason(http.body), QByteArray("too many info_hash values (at most 3)"));
    http = httpPost(server->baseUrl() + QStringLiteral("/scrape"), "x", "text/plain");
    QCOMPARE(http.status, 405);
    QCOMPARE(failureReason(http.body), QByteArray("use GET"));
}

QTEST_GUILESS_MAIN(TrackerServerTest)
#include "tst_trackerserver.moc"
