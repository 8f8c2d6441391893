#include "dht/DhtNode.h"

#include "metainfo/Sha1.h"
#include "transport/DatagramSocket.h"

#include <QtEndian>

#include <algorithm>

namespace swarmscope {

namespace {

QByteArray randomBytes(QRandomGenerator& random, int size) {
    QByteArray out(size, '\0');
    for (int i = 0; i < size; ++i)
        out[i] = char(random.bounded(256));
    return out;
}

bool privateOrLoopback(const QHostAddress& address) {
    bool ok = false;
    const quint32 v4 = address.toIPv4Address(&ok);
    if (!ok)
        return address.isLoopback();
    const quint8 a = quint8(v4 >> 24);
    const quint8 b = quint8(v4 >> 16);
    return a == 127 || a == 10 || (a == 172 && b >= 16 && b < 32) || (a == 192 && b == 168);
}

QByteArray tidBytes(quint16 tid) {
    QByteArray out(2, '\0');
    qToBigEndian(tid, out.data());
    return out;
}

} // namespace

DhtNode::DhtNode(Scheduler& scheduler, std::unique_ptr<DatagramSocket> socket, Config config)
    : m_scheduler(scheduler), m_socket(std::move(socket)), m_config(std::move(config)),
      m_random(m_config.seed ? QRandomGenerator(m_config.seed)
                             : QRandomGenerator(QRandomGenerator::global()->generate())),
      m_id(m_config.nodeId.size() == krpc::kIdSize ? m_config.nodeId : randomBytes(m_random, krpc::kIdSize)),
      m_table(m_id), m_maintenance(scheduler, [this] { maintain(); }) {
    m_nextTid = quint16(m_random.bounded(65536));
    m_secret = randomBytes(m_random, 16);
    m_previousSecret = m_secret;
    m_secretSinceMs = m_scheduler.nowMs();
    m_socket->setReceiver([this](const QByteArray& data, const QHostAddress& from, quint16 fromPort) {
        receive(data, from, fromPort);
    });
}

DhtNode::~DhtNode() {
    m_socket->setReceiver({});
    for (const Pending& pending : std::as_const(m_pending))
        m_scheduler.cancel(pending.timer);
}

quint16 DhtNode::port() const {
    return m_socket->localPort();
}

QHostAddress DhtNode::address() const {
    return m_socket->localAddress();
}

bool DhtNode::mayContact(const QHostAddress& address) const {
    if (address.isNull() || address == QHostAddress::AnyIPv4)
        return false;
    return m_config.mayContact ? m_config.mayContact(address) : privateOrLoopback(address);
}

void DhtNode::start() {
    for (const DhtEndpoint& endpoint : std::as_const(m_config.bootstrap))
        addNode(endpoint);
    startLookup(m_id, false, 0, {}, {});
    m_maintenance.startRepeatingMs(kMaintenanceMs);
}

void DhtNode::addNode(const DhtEndpoint& endpoint) {
    if (endpoint.port == 0 || (endpoint.address == address() && endpoint.port == port()))
        return;
    KrpcMessage ping;
    ping.method = KrpcMethod::Ping;
    sendQuery(endpoint, ping, 0);
}

quint64 DhtNode::lookup(const QByteArray& infoHash, quint16 announcePort, PeersCallback onPeers,
                        DoneCallback onDone) {
    if (infoHash.size() != krpc::kIdSize)
        return 0;
    return startLookup(infoHash, true, announcePort, std::move(onPeers), std::move(onDone));
}

quint64 DhtNode::startLookup(const QByteArray& target, bool getPeers, quint16 announcePort,
                             PeersCallback onPeers, DoneCallback onDone) {
    if (int(m_lookups.size()) >= kMaxLookups)
        return 0;
    const quint64 id = ++m_lastLookupId;
    Lookup& lookup = m_lookups[id];
    lookup.target = target;
    lookup.getPeers = getPeers;
    lookup.announcePort = announcePort;
    lookup.onPeers = std::move(onPeers);
    lookup.onDone = std::move(onDone);
    addCandidates(lookup, m_table.closest(target, kMaxLookupCandidates));
    // An empty table: start from the bootstrap nodes, whose ids we do not know yet.
    if (lookup.candidates.isEmpty()) {
        for (const DhtEndpoint& endpoint : std::as_const(m_config.bootstrap)) {
            if (lookup.candidates.size() < kMaxLookupCandidates)
                lookup.candidates.append(
                    Candidate{QByteArray(krpc::kIdSize, '\xff'), endpoint, Candidate::State::Fresh, {}});
        }
    }
    // The first step runs from the event loop, after the caller has its id; not at all once this node is
    // gone.
    m_scheduler.post([this, id, alive = std::weak_ptr<int>(m_alive)] {
        if (!alive.expired())
            step(id);
    });
    return id;
}

void DhtNode::cancel(quint64 lookupId) {
    const auto it = m_lookups.find(lookupId);
    if (it == m_lookups.end())
        return;
    it->second.onPeers = {};
    it->second.onDone = {};
}

void DhtNode::addCandidates(Lookup& lookup, const QList<CompactNode>& nodes) {
    for (const CompactNode& node : nodes) {
        if (node.id == m_id || !mayContact(node.endpoint.address))
            continue;
        bool known = false;
        for (const Candidate& c : std::as_const(lookup.candidates)) {
            if (c.id == node.id || c.endpoint == node.endpoint) {
                known = true;
                break;
            }
        }
        if (known)
            continue;
        const auto at = std::lower_bound(lookup.candidates.begin(), lookup.candidates.end(), node.id,
                                         [&](const Candidate& c, const QByteArray& id) {
                                             return nodeid::closer(c.id, id, lookup.target);
                                         });
        const qsizetype index = at - lookup.candidates.begin();
        if (index >= kMaxLookupCandidates)
            continue;
        lookup.candidates.insert(index, Candidate{node.id, node.endpoint, Candidate::State::Fresh, {}});
        // Past the bound, drop the farthest one not waiting on an answer.
        while (lookup.candidates.size() > kMaxLookupCandidates) {
            qsizetype drop = lookup.candidates.size() - 1;
            while (drop > 0 && lookup.candidates.at(drop).state == Candidate::State::Asked)
                --drop;
            lookup.candidates.removeAt(drop);
        }
    }
}

void DhtNode::step(quint64 lookupId) {
    const auto it = m_lookups.find(lookupId);
    if (it == m_lookups.end())
        return;
    Lookup& lookup = it->second;
    int considered = 0;
    bool freshLeft = false;
    for (Candidate& c : lookup.candidates) {
        if (c.state == Candidate::State::Failed)
            continue;
        if (considered++ >= kK)
            break;
        if (c.state != Candidate::State::Fresh)
            continue;
        if (lookup.inFlight >= kAlpha || lookup.queries >= kMaxLookupQueries) {
            freshLeft = lookup.queries < kMaxLookupQueries;
            continue;
        }
        KrpcMessage query;
        if (lookup.getPeers) {
            query.method = KrpcMethod::GetPeers;
            query.infoHash = lookup.target;
        } else {
            query.method = KrpcMethod::FindNode;
            query.target = lookup.target;
        }
        ++lookup.queries;
        if (sendQuery(c.endpoint, query, lookupId)) {
            c.state = Candidate::State::Asked;
            ++lookup.inFlight;
        } else {
            c.state = Candidate::State::Failed;
        }
    }
    if (lookup.inFlight == 0 && !freshLeft)
        finish(lookupId);
}

void DhtNode::finish(quint64 lookupId) {
    const auto it = m_lookups.find(lookupId);
    if (it == m_lookups.end())
        return;
    Lookup lookup = std::move(it->second);
    m_lookups.erase(it);
    ++m_stats.lookupsDone;
    if (lookup.getPeers && lookup.announcePort != 0) {
        // This node is one of those its own get_peers may reach: it holds its own announce as well, so that
        // a DHT of two nodes (a seeder and the leecher bootstrapped from it) still finds the seeder.
        storePeer(lookup.target, DhtEndpoint{address(), lookup.announcePort});
        int announced = 0;
        for (const Candidate& c : std::as_const(lookup.candidates)) {
            if (announced >= kK)
                break;
            if (c.state != Candidate::State::Answered || c.token.isEmpty())
                continue;
            KrpcMessage announce;
            announce.method = KrpcMethod::AnnouncePeer;
            announce.infoHash = lookup.target;
            announce.port = lookup.announcePort;
            announce.token = c.token;
            if (sendQuery(c.endpoint, announce, 0)) {
                ++announced;
                ++m_stats.announcesSent;
            }
        }
    }
    if (lookup.onDone)
        lookup.onDone();
}

bool DhtNode::sendQuery(const DhtEndpoint& to, KrpcMessage query, quint64 lookupId) {
    if (m_pending.size() >= kMaxPendingQueries || !mayContact(to.address) || to.port == 0)
        return false;
    quint16 tid = m_nextTid;
    for (int tries = 0; m_pending.contains(tid) && tries < 65536; ++tries)
        ++tid;
    m_nextTid = quint16(tid + 1);
    query.kind = KrpcKind::Query;
    query.transactionId = tidBytes(tid);
    query.id = m_id;
    Pending pending;
    pending.endpoint = to;
    pending.method = query.method;
    pending.lookupId = lookupId;
    pending.timer = m_scheduler.callAfter(fromMs(kQueryTimeoutMs), [this, tid] { onTimeout(tid); });
    m_pending.insert(tid, pending);
    ++m_stats.queriesSent;
    sendRaw(encodeKrpc(query), to);
    return true;
}

void DhtNode::sendRaw(const QByteArray& data, const DhtEndpoint& to) {
    m_socket->send(data, to.address, to.port);
}

void DhtNode::receive(const QByteArray& data, const QHostAddress& from, quint16 fromPort) {
    ++m_stats.datagramsIn;
    const DhtEndpoint endpoint{from, fromPort};
    const KrpcParseResult parsed = parseKrpc(data);
    if (!parsed.ok()) {
        ++m_stats.datagramsRefused;
        // BEP 5: a query we cannot serve is answered with an error; anything else is dropped silently.
        if (parsed.wasQuery && !parsed.transactionId.isEmpty() && mayContact(from) && fromPort != 0) {
            ++m_stats.errorsSent;
            sendRaw(encodeKrpcError(parsed.transactionId, parsed.errorCode, parsed.error.toUtf8()), endpoint);
        }
        return;
    }
    const KrpcMessage& message = *parsed.message;
    switch (message.kind) {
    case KrpcKind::Query:
        if (mayContact(from) && fromPort != 0)
            answerQuery(message, endpoint);
        break;
    case KrpcKind::Response:
    case KrpcKind::Error:
        onResponse(message, endpoint);
        break;
    }
}

void DhtNode::answerQuery(const KrpcMessage& query, const DhtEndpoint& from) {
    const qint64 now = m_scheduler.nowMs();
    KrpcMessage reply;
    reply.kind = KrpcKind::Response;
    reply.transactionId = query.transactionId;
    reply.id = m_id;
    switch (query.method) {
    case KrpcMethod::Ping:
        break;
    case KrpcMethod::FindNode:
        reply.nodes = m_table.closest(query.target, kK);
        break;
    case KrpcMethod::GetPeers: {
        reply.token = makeToken(m_secret, from.address);
        reply.nodes = m_table.closest(query.infoHash, kK);
        const auto it = m_store.constFind(query.infoHash);
        if (it != m_store.constEnd()) {
            for (const StoredPeer& peer : it.value()) {
                if (peer.expiresMs > now && reply.values.size() < kMaxValuesPerReply)
                    reply.values.append(peer.endpoint);
            }
        }
        break;
    }
    case KrpcMethod::AnnouncePeer: {
        if (query.token != makeToken(m_secret, from.address) &&
            query.token != makeToken(m_previousSecret, from.address)) {
            ++m_stats.errorsSent;
            sendRaw(encodeKrpcError(query.transactionId, krpc::kProtocolError, "bad token"), from);
            return;
        }
        const DhtEndpoint peer{from.address, query.impliedPort ? from.port : query.port};
        if (!storePeer(query.infoHash, peer)) {
            ++m_stats.errorsSent;
            sendRaw(encodeKrpcError(query.transactionId, krpc::kServerError, "peer store full"), from);
            return;
        }
        break;
    }
    }
    sendRaw(encodeKrpc(reply), from);
    m_table.heard(query.id, from, now, false);
}

void DhtNode::onResponse(const KrpcMessage& response, const DhtEndpoint& from) {
    if (response.transactionId.size() != 2)
        return;
    const quint16 tid = qFromBigEndian<quint16>(response.transactionId.constData());
    const auto it = m_pending.find(tid);
    if (it == m_pending.end() || !(it->endpoint == from))
        return; // not ours, or not from whom we asked
    const Pending pending = it.value();
    m_pending.erase(it);
    m_scheduler.cancel(pending.timer);
    if (response.kind == KrpcKind::Error) {
        settle(pending.lookupId, from, Candidate::State::Failed, nullptr);
        return;
    }
    m_table.heard(response.id, from, m_scheduler.nowMs(), true);
    settle(pending.lookupId, from, Candidate::State::Answered, &response);
}

void DhtNode::onTimeout(quint16 tid) {
    const auto it = m_pending.find(tid);
    if (it == m_pending.end())
        return;
    const Pending pending = it.value();
    m_pending.erase(it);
    m_table.failed(pending.endpoint);
    settle(pending.lookupId, pending.endpoint, Candidate::State::Failed, nullptr);
}

void DhtNode::settle(quint64 lookupId, const DhtEndpoint& endpoint, Candidate::State state,
                     const KrpcMessage* response) {
    if (lookupId == 0)
        return;
    const auto it = m_lookups.find(lookupId);
    if (it == m_lookups.end())
        return;
    Lookup& lookup = it->second;
    --lookup.inFlight;
    // The candidate asked at this endpoint; an answer gives its real id (a bootstrap node's was unknown).
    for (Candidate& c : lookup.candidates) {
        if (c.state != Candidate::State::Asked || !(c.endpoint == endpoint))
            continue;
        c.state = state;
        if (response) {
            c.token = response->token;
            if (c.id != response->id) {
                c.id = response->id;
                std::stable_sort(lookup.candidates.begin(), lookup.candidates.end(),
                                 [&](const Candidate& x, const Candidate& y) {
                                     return nodeid::closer(x.id, y.id, lookup.target);
                                 });
            }
        }
        break;
    }
    if (response) {
        addCandidates(lookup, response->nodes);
        QList<DhtEndpoint> fresh;
        for (const DhtEndpoint& peer : response->values) {
            if (lookup.peers.size() >= kMaxLookupPeers)
                break;
            if (!lookup.peers.contains(peer)) {
                lookup.peers.append(peer);
                fresh.append(peer);
            }
        }
        m_stats.peersFound += fresh.size();
        if (!fresh.isEmpty() && lookup.onPeers) {
            const PeersCallback callback = lookup.onPeers; // it may cancel the lookup
            callback(fresh);
        }
    }
    step(lookupId);
}

bool DhtNode::storePeer(const QByteArray& infoHash, const DhtEndpoint& peer) {
    if (peer.port == 0 || peer.address.isNull() || peer.address == QHostAddress::AnyIPv4)
        return false;
    const qint64 now = m_scheduler.nowMs();
    auto it = m_store.find(infoHash);
    if (it == m_store.end()) {
        if (m_store.size() >= kMaxStoredInfoHashes)
            return false;
        it = m_store.insert(infoHash, {});
    }
    QList<StoredPeer>& peers = it.value();
    for (StoredPeer& stored : peers) {
        if (stored.endpoint == peer) {
            stored.expiresMs = now + kPeerTtlMs;
            return true;
        }
    }
    if (peers.size() >= kMaxPeersPerInfoHash) // the one closest to expiry gives way
        peers.removeAt(std::min_element(peers.begin(), peers.end(),
                                        [](const StoredPeer& a, const StoredPeer& b) {
                                            return a.expiresMs < b.expiresMs;
                                        }) -
                       peers.begin());
    peers.append(StoredPeer{peer, now + kPeerTtlMs});
    return true;
}

void DhtNode::maintain() {
    const qint64 now = m_scheduler.nowMs();
    if (now - m_secretSinceMs >= kTokenRotateMs) {
        m_previousSecret = m_secret;
        m_secret = randomBytes(m_random, 16);
        m_secretSinceMs = now;
    }
    for (auto it = m_store.begin(); it != m_store.end();) {
        it.value().removeIf([now](const StoredPeer& peer) { return peer.expiresMs <= now; });
        it = it.value().isEmpty() ? m_store.erase(it) : std::next(it);
    }
    for (const DhtEndpoint& endpoint : m_table.needsPing(now))
        addNode(endpoint);
    if (m_table.size() == 0 && now % 60000 < kMaintenanceMs)
        for (const DhtEndpoint& endpoint : std::as_const(m_config.bootstrap))
            addNode(endpoint);
}

QByteArray DhtNode::makeToken(const QByteArray& secret, const QHostAddress& address) const {
    QByteArray input = secret;
    input += address.toString().toLatin1();
    return sha1(input).left(8);
}

QByteArray DhtNode::tokenFor(const QHostAddress& address) const {
    return makeToken(m_secret, address);
}

DhtNode::Stats DhtNode::stats() const {
    Stats s = m_stats;
    s.routingTableSize = m_table.size();
    s.buckets = m_table.bucketCount();
    s.lookupsInFlight = int(m_lookups.size());
    s.pendingQueries = int(m_pending.size());
    s.storedInfoHashes = int(m_store.size());
    for (const QList<StoredPeer>& peers : m_store)
        s.storedPeers += int(peers.size());
    return s;
}

QList<DhtEndpoint> DhtNode::storedPeers(const QByteArray& infoHash) const {
    QList<DhtEndpoint> out;
    for (const StoredPeer& peer : m_store.value(infoHash))
        out.append(peer.endpoint);
    return out;
}

} // namespace swarmscope
