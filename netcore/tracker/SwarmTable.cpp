#include "tracker/SwarmTable.h"

#include <algorithm>

namespace swarmscope {

SwarmTable::SwarmTable(const SwarmTableLimits& limits, quint32 seed)
    : m_limits(limits), m_random(seed != 0 ? seed : std::random_device{}()) {}

void SwarmTable::setPeerTimeoutMs(qint64 timeoutMs) {
    m_peerTimeoutMs = timeoutMs;
    // Each swarm's next expiry was computed with the old timeout; have them all look again.
    for (Swarm& swarm : m_swarms)
        swarm.nextExpiryMs = 0;
}

SwarmTable::Swarm* SwarmTable::swarmForAnnounce(const QByteArray& infoHash, SwarmAnnounceOutcome& outcome) {
    auto it = m_swarms.find(infoHash);
    if (it != m_swarms.end())
        return &it.value();
    if (m_swarms.size() >= m_limits.maxTorrents) {
        if (m_emptySwarms.isEmpty()) {
            outcome.update = SwarmUpdate::TooManyTorrents;
            return nullptr;
        }
        const QByteArray victim = *m_emptySwarms.constBegin();
        m_emptySwarms.remove(victim);
        m_swarms.remove(victim);
    }
    return &m_swarms.insert(infoHash, Swarm{}).value();
}

SwarmAnnounceOutcome SwarmTable::announce(const AnnounceRequest& request, const QHostAddress& address,
                                          int numwant, qint64 nowMs) {
    SwarmAnnounceOutcome outcome;
    const QByteArray& infoHash = request.infoHash;

    if (request.event == AnnounceEvent::Stopped) {
        auto it = m_swarms.find(infoHash);
        if (it == m_swarms.end())
            return outcome;
        expireSwarm(infoHash, it.value(), nowMs, outcome.expired);
        const auto position = it->index.constFind(request.peerId);
        if (position != it->index.constEnd()) {
            removeAt(it.value(), position.value());
            outcome.update = SwarmUpdate::Removed;
        }
        outcome.counts = counts(infoHash);
        noteEmptiness(infoHash, it.value());
        return outcome;
    }

    Swarm* swarm = swarmForAnnounce(infoHash, outcome);
    if (!swarm)
        return outcome;
    expireSwarm(infoHash, *swarm, nowMs, outcome.expired);

    SwarmPeer* peer = nullptr;
    const auto position = swarm->index.constFind(request.peerId);
    if (position != swarm->index.constEnd()) {
        peer = &swarm->peers[position.value()];
        if (peer->isSeeder())
            --swarm->seeders;
        outcome.update = SwarmUpdate::Updated;
    } else if (swarm->peers.size() >= m_limits.maxPeersPerTorrent || m_peerCount >= m_limits.maxPeersTotal) {
        outcome.update = SwarmUpdate::SwarmFull;
    } else {
        swarm->index.insert(request.peerId, swarm->peers.size());
        swarm->peers.append(SwarmPeer{});
        peer = &swarm->peers.last();
        peer->peerId = request.peerId;
        ++m_peerCount;
        m_emptySwarms.remove(infoHash);
        outcome.update = SwarmUpdate::Added;
    }

    if (peer) {
        peer->address = address;
        peer->port = request.port;
        peer->uploaded = request.uploaded;
        peer->downloaded = request.downloaded;
        peer->left = request.left;
        peer->lastSeenMs = nowMs;
        if (peer->isSeeder())
            ++swarm->seeders;
        if (request.event == AnnounceEvent::Completed && !peer->completedCounted) {
            peer->completedCounted = true;
            ++swarm->downloaded;
            outcome.countedCompletion = true;
        }
        if (swarm->peers.size() == 1)
            swarm->nextExpiryMs = nowMs + m_peerTimeoutMs;
    }

    // A seeder has nothing to gain from other seeders, so it only hears of leechers.
    outcome.peers = pickPeers(*swarm, request.peerId, request.left == 0, numwant);
    outcome.counts = counts(infoHash);
    noteEmptiness(infoHash, *swarm);
    return outcome;
}

QList<TrackerPeer> SwarmTable::pickPeers(const Swarm& swarm, const QByteArray& exclude, bool leechersOnly,
                                         int numwant) {
    QList<TrackerPeer> out;
    if (numwant <= 0)
        return out;
    std::vector<qsizetype> candidates;
    candidates.reserve(size_t(swarm.peers.size()));
    for (qsizetype i = 0; i < swarm.peers.size(); ++i) {
        const SwarmPeer& p = swarm.peers.at(i);
        if (p.peerId != exclude && !(leechersOnly && p.isSeeder()))
            candidates.push_back(i);
    }
    const size_t take = std::min(candidates.size(), size_t(numwant));
    // Partial Fisher-Yates: the first take slots end up a uniform random sample.
    for (size_t i = 0; i < take; ++i) {
        std::uniform_int_distribution<size_t> pick(i, candidates.size() - 1);
        std::swap(candidates[i], candidates[pick(m_random)]);
        const SwarmPeer& p = swarm.peers.at(candidates[i]);
        out.append(TrackerPeer{p.address, p.port, p.peerId});
    }
    return out;
}

void SwarmTable::removeAt(Swarm& swarm, qsizetype position) {
    const SwarmPeer& gone = swarm.peers.at(position);
    if (gone.isSeeder())
        --swarm.seeders;
    swarm.index.remove(gone.peerId);
    const qsizetype last = swarm.peers.size() - 1;
    if (position != last) {
        swarm.peers[position] = std::move(swarm.peers[last]);
        swarm.index[swarm.peers.at(position).peerId] = position;
    }
    swarm.peers.removeLast();
    --m_peerCount;
}

void SwarmTable::expireSwarm(const QByteArray& infoHash, Swarm& swarm, qint64 nowMs,
                             QList<ExpiredPeer>& out) {
    if (swarm.peers.isEmpty() || nowMs < swarm.nextExpiryMs)
        return;
    qint64 oldest = nowMs;
    for (qsizetype i = swarm.peers.size() - 1; i >= 0; --i) {
        const SwarmPeer& p = swarm.peers.at(i);
        if (nowMs - p.lastSeenMs >= m_peerTimeoutMs) {
            out.append(ExpiredPeer{infoHash, p});
            removeAt(swarm, i);
        }
    }
    for (const SwarmPeer& p : std::as_const(swarm.peers))
        oldest = std::min(oldest, p.lastSeenMs);
    swarm.nextExpiryMs = oldest + m_peerTimeoutMs;
}

void SwarmTable::noteEmptiness(const QByteArray& infoHash, const Swarm& swarm) {
    if (!swarm.peers.isEmpty())
        return;
    // An empty swarm is only worth keeping for its completion count.
    if (swarm.downloaded == 0) {
        m_emptySwarms.remove(infoHash);
        m_swarms.remove(infoHash);
    } else {
        m_emptySwarms.insert(infoHash);
    }
}

QList<ExpiredPeer> SwarmTable::expireTorrent(const QByteArray& infoHash, qint64 nowMs) {
    QList<ExpiredPeer> out;
    auto it = m_swarms.find(infoHash);
    if (it == m_swarms.end())
        return out;
    expireSwarm(infoHash, it.value(), nowMs, out);
    noteEmptiness(infoHash, it.value());
    return out;
}

QList<ExpiredPeer> SwarmTable::expireAll(qint64 nowMs) {
    QList<ExpiredPeer> out;
    QList<QByteArray> emptied;
    for (auto it = m_swarms.begin(); it != m_swarms.end(); ++it) {
        expireSwarm(it.key(), it.value(), nowMs, out);
        if (it->peers.isEmpty())
            emptied.append(it.key());
    }
    for (const QByteArray& infoHash : std::as_const(emptied)) {
        const auto it = m_swarms.constFind(infoHash);
        if (it != m_swarms.constEnd())
            noteEmptiness(infoHash, it.value());
    }
    return out;
}

ScrapeCounts SwarmTable::counts(const QByteArray& infoHash) const {
    const auto it = m_swarms.constFind(infoHash);
    if (it == m_swarms.constEnd())
        return {};
    return ScrapeCounts{it->seeders, it->peers.size() - it->seeders, it->downloaded};
}

QList<QByteArray> SwarmTable::infoHashes(int max) const {
    QList<QByteArray> out;
    for (auto it = m_swarms.constBegin(); it != m_swarms.constEnd() && out.size() < max; ++it)
        out.append(it.key());
    return out;
}

QList<SwarmPeer> SwarmTable::peers(const QByteArray& infoHash) const {
    const auto it = m_swarms.constFind(infoHash);
    return it == m_swarms.constEnd() ? QList<SwarmPeer>() : it->peers;
}

} // namespace swarmscope
