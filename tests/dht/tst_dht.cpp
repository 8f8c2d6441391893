#include "dht/DhtNode.h"
#include "dht/Krpc.h"
#include "dht/RoutingTable.h"

#include "bencode/Bencode.h"
#include "clock/RealScheduler.h"
#include "clock/SimScheduler.h"
#include "sim/SimulatedLink.h"
#include "transport/SimNetwork.h"
#include "transport/UdpDatagramSocket.h"

#include <QElapsedTimer>
#include <QTest>

#include <memory>

using namespace swarmscope;

namespace {

QByteArray idOf(int n) {
    QByteArray id(20, '\0');
    for (int i = 0; i < 20; ++i)
        id[i] = char((n * 37 + i * 11) & 0xff);
    id[0] = char(n * 13);
    return id;
}

QHostAddress hostAddress(int n) {
    return QHostAddress(QStringLiteral("10.0.%1.%2").arg(n / 200).arg(n % 200 + 1));
}

// A simulated network of hosts, each with a link of 20 ms one way.
struct SimDht {
    SimScheduler clock;
    SimNetwork network{clock};
    std::vector<std::unique_ptr<SimulatedLink>> links;
    std::vector<std::unique_ptr<SimHost>> hosts;
    std::vector<std::unique_ptr<DhtNode>> nodes;

    SimHost& addHost() {
        links.push_back(std::make_unique<SimulatedLink>(clock, links.size() + 1));
        links.back()->setLatency(std::chrono::milliseconds(20));
        hosts.push_back(network.addHost(hostAddress(int(hosts.size())), *links.back()));
        return *hosts.back();
    }
    DhtNode& addNode(const QList<DhtEndpoint>& bootstrap, quint32 seed) {
        SimHost& host = addHost();
        QString error;
        auto socket = host.bindDatagram(host.address(), 6881, &error);
        DhtNode::Config config;
        config.seed = seed;
        config.bootstrap = bootstrap;
        nodes.push_back(std::make_unique<DhtNode>(clock, std::move(socket), config));
        nodes.back()->start();
        return *nodes.back();
    }
    void runFor(qint64 ms) { clock.runUntil(clock.now() + fromMs(ms)); }
    ~SimDht() {
        nodes.clear();
        hosts.clear();
    }
};

// A raw socket on a host of the network: what a hostile peer sends and hears back.
struct Probe {
    std::unique_ptr<DatagramSocket> socket;
    QList<QByteArray> received;
    explicit Probe(SimHost& host) {
        QString error;
        socket = host.bindDatagram(host.address(), 7000, &error);
        socket->setReceiver(
            [this](const QByteArray& data, const QHostAddress&, quint16) { received.append(data); });
    }
};

KrpcMessage parsed(const QByteArray& data) {
    const KrpcParseResult r = parseKrpc(data);
    if (!r.ok())
        qWarning() << r.error;
    return r.message.value_or(KrpcMessage{});
}

} // namespace

class TestDht : public QObject {
    Q_OBJECT
private slots:
    void queriesRoundTrip();
    void responsesAndErrorsRoundTrip();
    void refusalsNameTheProblem_data();
    void refusalsNameTheProblem();
    void routingTableSplitsAndBounds();
    void lookupFindsAnnouncedPeerInSimulatedTime();
    void twoNodesSeederFoundByItsOwnNode();
    void hostileDatagramsAreAnsweredAndBounded();
    void nodeDestroyedWithWorkPending();
    void realUdpOnLoopback();
};

void TestDht::queriesRoundTrip() {
    for (KrpcMethod method :
         {KrpcMethod::Ping, KrpcMethod::FindNode, KrpcMethod::GetPeers, KrpcMethod::AnnouncePeer}) {
        KrpcMessage q;
        q.kind = KrpcKind::Query;
        q.transactionId = "aa";
        q.method = method;
        q.id = idOf(1);
        q.target = method == KrpcMethod::FindNode ? idOf(2) : QByteArray();
        q.infoHash =
            method == KrpcMethod::GetPeers || method == KrpcMethod::AnnouncePeer ? idOf(3) : QByteArray();
        if (method == KrpcMethod::AnnouncePeer) {
            q.port = 6881;
            q.token = "tok";
        }
        const QByteArray wire = encodeKrpc(q);
        const KrpcParseResult r = parseKrpc(wire);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.message->method, method);
        QCOMPARE(r.message->id, idOf(1));
        QCOMPARE(r.message->target, q.target);
        QCOMPARE(r.message->infoHash, q.infoHash);
        QCOMPARE(r.message->port, q.port);
        QCOMPARE(r.message->token, q.token);
    }
    // BEP 5's own example.
    const KrpcParseResult ping = parseKrpc("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe");
    QVERIFY(ping.ok());
    QCOMPARE(ping.message->id, QByteArray("abcdefghij0123456789"));
}

void TestDht::responsesAndErrorsRoundTrip() {
    KrpcMessage r;
    r.kind = KrpcKind::Response;
    r.transactionId = "zz";
    r.id = idOf(9);
    r.token = "secret";
    r.nodes = {CompactNode{idOf(4), {QHostAddress(QStringLiteral("10.1.2.3")), 1234}},
               CompactNode{idOf(5), {QHostAddress(QStringLiteral("127.0.0.1")), 65535}}};
    r.values = {{QHostAddress(QStringLiteral("192.168.0.7")), 51413}};
    const KrpcMessage back = parsed(encodeKrpc(r));
    QCOMPARE(back.kind, KrpcKind::Response);
    QCOMPARE(back.nodes.size(), 2);
    QCOMPARE(back.nodes.at(1).endpoint.address, QHostAddress(QStringLiteral("127.0.0.1")));
    QCOMPARE(back.nodes.at(1).endpoint.port, quint16(65535));
    QCOMPARE(back.values.size(), 1);
    QCOMPARE(back.values.at(0).port, quint16(51413));
    QCOMPARE(encodeCompactNodes(r.nodes).size(), 52);
    QCOMPARE(encodeCompactPeer(r.values.at(0)), QByteArray::fromHex("c0a80007c8d5"));

    const KrpcMessage e = parsed(encodeKrpcError("xy", 201, "A Generic Error Ocurred"));
    QCOMPARE(e.kind, KrpcKind::Error);
    QCOMPARE(e.errorCode, 201);
    QCOMPARE(e.errorMessage, QByteArray("A Generic Error Ocurred"));
}

void TestDht::refusalsNameTheProblem_data() {
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("needle");
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("answerable");
    const QByteArray id = "2:id20:abcdefghij0123456789";
    QTest::newRow("not bencode") << QByteArray("hello") << "not bencoded" << 203 << false;
    QTest::newRow("not a dict") << QByteArray("li1ee") << "not a dictionary" << 203 << false;
    QTest::newRow("no t") << QByteArray("d1:y1:qe") << "transaction id" << 203 << false;
    QTest::newRow("long t") << QByteArray("d1:t17:aaaaaaaaaaaaaaaaa1:y1:qe") << "transaction id of 17" << 203
                            << false;
    QTest::newRow("wrong y") << QByteArray("d1:t2:aa1:y1:xe") << "not q, r or e" << 203 << false;
    QTest::newRow("y integer") << QByteArray("d1:t2:aa1:yi1ee") << "\"y\"" << 203 << false;
    QTest::newRow("unknown method") << QByteArray("d1:ad" + id + "e1:q4:vote1:t2:aa1:y1:qe")
                                    << "unknown query" << 204 << true;
    QTest::newRow("a not dict") << QByteArray("d1:ai1e1:q4:ping1:t2:aa1:y1:qe") << "argument dictionary"
                                << 203 << true;
    QTest::newRow("short id") << QByteArray("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe") << "not 20 bytes" << 203
                              << true;
    QTest::newRow("find_node no target")
        << QByteArray("d1:ad" + id + "e1:q9:find_node1:t2:aa1:y1:qe") << "target" << 203 << true;
    QTest::newRow("announce bad port")
        << QByteArray(
               "d1:ad" + id +
               "9:info_hash20:abcdefghij01234567894:porti0e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe")
        << "port" << 203 << true;
    QTest::newRow("nodes 25 bytes") << QByteArray("d1:rd" + id + "5:nodes25:" + QByteArray(25, 'n') +
                                                  "e1:t2:aa1:y1:re")
                                    << "multiple of 26" << 203 << false;
    QTest::newRow("value 5 bytes") << QByteArray("d1:rd" + id + "6:valuesl5:abcdeee1:t2:aa1:y1:re") << "not 6"
                                   << 203 << false;
    QTest::newRow("too many nodes") << QByteArray("d1:rd" + id + "5:nodes442:" + QByteArray(442, 'n') +
                                                  "e1:t2:aa1:y1:re")
                                    << "more than 16" << 203 << false;
    QTest::newRow("oversize") << QByteArray("d1:t2:aa1:y1:q1:x1500:" + QByteArray(1500, 'x') + "e")
                              << "more than" << 203 << false;
    QTest::newRow("error not list") << QByteArray("d1:ei201e1:t2:aa1:y1:ee") << "\"e\"" << 203 << false;
}

void TestDht::refusalsNameTheProblem() {
    QFETCH(QByteArray, datagram);
    QFETCH(QString, needle);
    QFETCH(int, code);
    QFETCH(bool, answerable);
    const KrpcParseResult r = parseKrpc(datagram);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(needle), qPrintable(r.error));
    QCOMPARE(r.errorCode, code);
    QCOMPARE(r.wasQuery && !r.transactionId.isEmpty(), answerable);
}

void TestDht::routingTableSplitsAndBounds() {
    const QByteArray own(20, '\0');
    RoutingTable table(own);
    // Thousands of distinct ids: every bucket stays at 8 or fewer, and far buckets fill first.
    for (int i = 0; i < 5000; ++i) {
        QByteArray id = idOf(i + 1);
        id[1] = char(i >> 8);
        id[2] = char(i);
        table.heard(id, DhtEndpoint{hostAddress(i), 6881}, 0, true);
    }
    QVERIFY(table.bucketCount() > 1);
    QVERIFY(table.bucketCount() <= RoutingTable::kMaxBuckets);
    for (int b = 0; b < table.bucketCount(); ++b)
        QVERIFY(table.bucketSize(b) <= RoutingTable::kBucketSize);
    QVERIFY(table.size() <= table.bucketCount() * RoutingTable::kBucketSize);
    // The half of the id space away from us holds exactly one full bucket.
    QCOMPARE(table.bucketSize(0), 8);

    // A bad node gives its place to a newcomer.
    RoutingTable small(own);
    QByteArray far(20, '\x80');
    QList<DhtEndpoint> endpoints;
    for (int i = 0; i < 8; ++i) {
        far[19] = char(i);
        endpoints.append({hostAddress(i), 6881});
        QVERIFY(small.heard(far, endpoints.last(), 0, true));
    }
    // A bucket can split only while it holds our own range; force splits down to where bucket 0 is fixed.
    far[19] = char(100);
    const DhtEndpoint newcomer{hostAddress(100), 6881};
    small.heard(far, newcomer, 0, true);
    QCOMPARE(small.bucketSize(0), 8);
    small.failed(endpoints.at(3));
    small.failed(endpoints.at(3)); // bad now: the newcomer held in reserve takes its place
    bool found = false;
    for (const CompactNode& n : small.closest(far, 8))
        found = found || n.endpoint == newcomer;
    QVERIFY(found);
}

void TestDht::lookupFindsAnnouncedPeerInSimulatedTime() {
    SimDht net;
    DhtNode& first = net.addNode({}, 1);
    const DhtEndpoint firstEndpoint{first.address(), first.port()};
    for (int i = 1; i < 30; ++i)
        net.addNode({firstEndpoint}, quint32(i + 1));
    net.runFor(10'000);
    for (const auto& node : net.nodes)
        QVERIFY2(node->stats().routingTableSize >= 3,
                 qPrintable(QString::number(node->stats().routingTableSize)));

    const QByteArray infoHash = idOf(777);
    bool announced = false;
    QVERIFY(net.nodes.at(7)->lookup(infoHash, 51413, {}, [&] { announced = true; }) != 0);
    net.runFor(10'000);
    QVERIFY(announced);
    QVERIFY(net.nodes.at(7)->stats().announcesSent > 0);

    QList<DhtEndpoint> found;
    bool done = false;
    const qint64 startedMs = net.clock.nowMs();
    qint64 firstPeerMs = -1;
    net.nodes.at(23)->lookup(
        infoHash, 0,
        [&](const QList<DhtEndpoint>& peers) {
            found.append(peers);
            if (firstPeerMs < 0)
                firstPeerMs = net.clock.nowMs() - startedMs;
        },
        [&] { done = true; });
    net.runFor(10'000);
    QVERIFY(done);
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.at(0).address, net.nodes.at(7)->address());
    QCOMPARE(found.at(0).port, quint16(51413));
    QCOMPARE(net.nodes.at(23)->stats().peersFound, qint64(1));
    qInfo("30 nodes: peer found %lld ms after the lookup began (simulated, 40 ms round trips)", firstPeerMs);
    for (const auto& node : net.nodes) {
        QCOMPARE(node->stats().lookupsInFlight, 0);
        // What may still be out: the pings of questionable nodes, one per bucket at most.
        QVERIFY(node->stats().pendingQueries <= node->stats().buckets);
    }
}

// A seeder's node and one leecher bootstrapped from it: the seeder's node holds its own announce.
void TestDht::twoNodesSeederFoundByItsOwnNode() {
    SimDht net;
    DhtNode& seeder = net.addNode({}, 1);
    DhtNode& leecher = net.addNode({DhtEndpoint{seeder.address(), seeder.port()}}, 2);
    net.runFor(1000);
    const QByteArray infoHash = idOf(42);
    seeder.lookup(infoHash, 6000, {});
    net.runFor(1000);
    QCOMPARE(seeder.storedPeers(infoHash).size(), 1);
    QList<DhtEndpoint> found;
    leecher.lookup(infoHash, 0, [&](const QList<DhtEndpoint>& peers) { found += peers; });
    net.runFor(1000);
    QCOMPARE(found.size(), 1);
    QCOMPARE(found.at(0).address, seeder.address());
    QCOMPARE(found.at(0).port, quint16(6000));
}

void TestDht::hostileDatagramsAreAnsweredAndBounded() {
    SimDht net;
    DhtNode& node = net.addNode({}, 5);
    Probe probe(net.addHost());
    const QHostAddress to = node.address();
    const quint16 port = node.port();
    auto send = [&](const QByteArray& data) {
        probe.socket->send(data, to, port);
        net.runFor(100);
    };
    const QByteArray id = "2:id20:abcdefghij0123456789";

    send("d1:ad" + id + "e1:q4:vote1:t2:aa1:y1:qe");
    QCOMPARE(probe.received.size(), 1);
    KrpcMessage e = parsed(probe.received.last());
    QCOMPARE(e.kind, KrpcKind::Error);
    QCOMPARE(e.errorCode, 204);
    QCOMPARE(e.transactionId, QByteArray("aa"));

    send("d1:ad2:id3:abce1:q4:ping1:t2:ab1:y1:qe");
    e = parsed(probe.received.last());
    QCOMPARE(e.errorCode, 203);
    QCOMPARE(e.transactionId, QByteArray("ab"));

    // Not queries, or past the bounds: dropped without an answer.
    const int answered = int(probe.received.size());
    send("garbage");
    send(QByteArray(3000, 'd'));
    send("d1:rd" + id + "5:nodes25:" + QByteArray(25, 'n') + "e1:t2:aa1:y1:re");
    send("d1:rd" + id + "e1:t2:zz1:y1:re"); // a response to nothing we asked
    send("d1:t2:aa1:y1:xe");
    QCOMPARE(int(probe.received.size()), answered);

    // announce_peer with a wrong token: 203; with the right one: stored.
    const QByteArray infoHash = "abcdefghij0123456789";
    send("d1:ad" + id + "9:info_hash20:" + infoHash +
         "4:porti6000e5:token3:bade1:q13:announce_peer1:t2:ac1:y1:qe");
    e = parsed(probe.received.last());
    QCOMPARE(e.kind, KrpcKind::Error);
    QCOMPARE(e.errorCode, 203);
    QVERIFY(e.errorMessage.contains("token"));
    QVERIFY(node.storedPeers(infoHash).isEmpty());
    const QByteArray token = node.tokenFor(probe.socket->localAddress());
    KrpcMessage announce;
    announce.kind = KrpcKind::Query;
    announce.method = KrpcMethod::AnnouncePeer;
    announce.transactionId = "ad";
    announce.id = "abcdefghij0123456789";
    announce.infoHash = infoHash;
    announce.port = 6000;
    announce.token = token;
    send(encodeKrpc(announce));
    QCOMPARE(parsed(probe.received.last()).kind, KrpcKind::Response);
    QCOMPARE(node.storedPeers(infoHash).size(), 1);
    QCOMPARE(node.storedPeers(infoHash).at(0).port, quint16(6000));

    // A flood: thousands of node ids and info-hashes from one address; every store stays within its bound.
    net.clock.runUntil(net.clock.now()); // nothing pending
    for (int i = 0; i < 3000; ++i) {
        KrpcMessage q = announce;
        q.transactionId = QByteArray::number(i);
        q.id = idOf(i + 1000);
        q.id[5] = char(i >> 8);
        q.id[6] = char(i);
        q.infoHash = idOf(i);
        q.infoHash[7] = char(i >> 8);
        q.infoHash[8] = char(i);
        probe.socket->send(encodeKrpc(q), to, port);
    }
    net.runFor(1000);
    const DhtNode::Stats s = node.stats();
    QVERIFY(s.storedInfoHashes <= DhtNode::kMaxStoredInfoHashes);
    QVERIFY(s.storedPeers <= DhtNode::kMaxStoredInfoHashes * DhtNode::kMaxPeersPerInfoHash);
    QVERIFY(s.routingTableSize <= s.buckets * RoutingTable::kBucketSize);
    QVERIFY(s.pendingQueries <= DhtNode::kMaxPendingQueries);
    // The node still answers.
    const qsizetype before = probe.received.size();
    send("d1:ad" + id + "e1:q4:ping1:t2:zz1:y1:qe");
    QCOMPARE(probe.received.size(), before + 1);
    QCOMPARE(parsed(probe.received.last()).kind, KrpcKind::Response);
    qInfo("after 3000 announces: %d info-hashes, %d peers, table %d in %d buckets, %lld errors sent",
          s.storedInfoHashes, s.storedPeers, s.routingTableSize, s.buckets, s.errorsSent);
}

// A node destroyed right after starting lookups and queries: nothing it scheduled runs afterwards.
void TestDht::nodeDestroyedWithWorkPending() {
    SimDht net;
    DhtNode& first = net.addNode({}, 1);
    net.addNode({DhtEndpoint{first.address(), first.port()}}, 2);
    net.runFor(500);
    bool called = false;
    net.nodes.back()->lookup(
        idOf(5), 6000, [&](const QList<DhtEndpoint>&) { called = true; }, [&] { called = true; });
    net.nodes.back()->addNode(DhtEndpoint{QHostAddress(QStringLiteral("10.9.9.9")), 6881}); // never answers
    net.nodes.pop_back();
    net.runFor(10'000);
    QVERIFY(!called);
    QCOMPARE(first.stats().routingTableSize, 1);
}

void TestDht::realUdpOnLoopback() {
    RealScheduler clock;
    QString error;
    auto socketA = UdpDatagramSocket::bind(QHostAddress::LocalHost, 0, &error);
    QVERIFY2(socketA, qPrintable(error));
    auto socketB = UdpDatagramSocket::bind(QHostAddress::LocalHost, 0, &error);
    QVERIFY2(socketB, qPrintable(error));
    DhtNode::Config config;
    config.seed = 3;
    DhtNode a(clock, std::move(socketA), config);
    a.start();
    config.seed = 4;
    config.bootstrap = {DhtEndpoint{QHostAddress::LocalHost, a.port()}};
    DhtNode b(clock, std::move(socketB), config);
    b.start();
    QTRY_COMPARE_WITH_TIMEOUT(b.stats().routingTableSize, 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(a.stats().routingTableSize, 1, 5000);
    QCOMPARE(b.table().closest(a.id(), 1).at(0).endpoint.port, a.port());
}

QTEST_GUILESS_MAIN(TestDht)
#include "tst_dht.moc"
