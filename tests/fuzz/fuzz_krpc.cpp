// libFuzzer target for KRPC (BEP 5): the input is one datagram, parsed as the DHT node parses it, and fed to
// a node on the simulated network, which must answer within its bounds.
//
// Invariants beyond "no crash":
// - a refused datagram has a reason; an answerable refusal (a query with a transaction id) carries a BEP 5
//   code, 203 or 204;
// - an accepted message encodes to a datagram that parses to the same fields, and stays within the bounds
//   (ids of 20 bytes, at most 16 nodes and 100 values, no peer of port 0);
// - the node's stores stay within their bounds, and it answers with at most one datagram.

#include "FuzzCheck.h"

#include "clock/SimScheduler.h"
#include "dht/DhtNode.h"
#include "dht/Krpc.h"
#include "sim/SimulatedLink.h"
#include "transport/SimNetwork.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

void checkParse(const QByteArray& input) {
    const KrpcParseResult parsed = parseKrpc(input);
    if (!parsed.ok()) {
        FUZZ_CHECK(!parsed.error.isEmpty(), QString());
        FUZZ_CHECK(parsed.errorCode == krpc::kProtocolError || parsed.errorCode == krpc::kMethodUnknown,
                   parsed.error);
        FUZZ_CHECK(parsed.transactionId.size() <= krpc::kMaxTransactionId, parsed.error);
        return;
    }
    const KrpcMessage& m = *parsed.message;
    FUZZ_CHECK(!m.transactionId.isEmpty() && m.transactionId.size() <= krpc::kMaxTransactionId, QString());
    FUZZ_CHECK(m.kind == KrpcKind::Error || m.id.size() == krpc::kIdSize, QString());
    FUZZ_CHECK(m.nodes.size() <= krpc::kMaxNodes && m.values.size() <= krpc::kMaxValues, QString());
    for (const DhtEndpoint& peer : m.values)
        FUZZ_CHECK(peer.port != 0, QString());
    for (const CompactNode& node : m.nodes)
        FUZZ_CHECK(node.id.size() == krpc::kIdSize && node.endpoint.port != 0, QString());
    const KrpcParseResult again = parseKrpc(encodeKrpc(m));
    FUZZ_CHECK(again.ok(), again.error);
    const KrpcMessage& b = *again.message;
    FUZZ_CHECK(b.kind == m.kind && b.transactionId == m.transactionId && b.id == m.id, QString());
    if (m.kind == KrpcKind::Query)
        FUZZ_CHECK(b.method == m.method && b.target == m.target && b.infoHash == m.infoHash &&
                       b.port == m.port && b.impliedPort == m.impliedPort && b.token == m.token,
                   QString());
    if (m.kind == KrpcKind::Response)
        FUZZ_CHECK(b.nodes.size() == m.nodes.size() && b.values == m.values && b.token == m.token, QString());
    if (m.kind == KrpcKind::Error)
        FUZZ_CHECK(b.errorCode == m.errorCode && b.errorMessage == m.errorMessage, QString());
}

void checkNode(const QByteArray& input) {
    SimScheduler clock;
    SimNetwork network(clock);
    SimulatedLink linkA(clock, 1);
    SimulatedLink linkB(clock, 2);
    auto hostA = network.addHost(QHostAddress(QStringLiteral("10.0.0.1")), linkA);
    auto hostB = network.addHost(QHostAddress(QStringLiteral("10.0.0.2")), linkB);
    QString error;
    DhtNode::Config config;
    config.seed = 1;
    {
        DhtNode node(clock, hostA->bindDatagram(hostA->address(), 6881, &error), config);
        auto probe = hostB->bindDatagram(hostB->address(), 7000, &error);
        int answers = 0;
        probe->setReceiver([&](const QByteArray& data, const QHostAddress&, quint16) {
            ++answers;
            FUZZ_CHECK(parseKrpc(data).ok(), QString());
        });
        probe->send(input, hostA->address(), 6881);
        clock.runUntil(clock.now() + fromMs(10));
        FUZZ_CHECK(answers <= 1, QString());
        const DhtNode::Stats s = node.stats();
        FUZZ_CHECK(s.routingTableSize <= 1 && s.storedPeers <= 1 && s.pendingQueries == 0, QString());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    checkParse(input);
    checkNode(input);
    return 0;
}
