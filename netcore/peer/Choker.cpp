#include "peer/Choker.h"

#include <algorithm>

namespace swarmscope {

Choker::Choker(quint32 seed, const ChokerConfig& config) : m_rng(seed) {
    setConfig(config);
}

void Choker::setConfig(const ChokerConfig& config) {
    m_config = config;
    m_config.regularSlots = qMax(0, m_config.regularSlots);
    m_config.seedingSlots = qMax(0, m_config.seedingSlots);
    m_config.seedingRechokeIntervalMs = qMax<qint64>(1, m_config.seedingRechokeIntervalMs);
    m_config.optimisticSlots = qMax(0, m_config.optimisticSlots);
    m_config.rechokeIntervalMs = qMax<qint64>(1, m_config.rechokeIntervalMs);
    m_config.optimisticIntervalMs = qMax<qint64>(1, m_config.optimisticIntervalMs);
    m_config.newPeerWeight = qMax(1, m_config.newPeerWeight);
}

void Choker::setEnabled(bool enabled) {
    if (enabled == m_enabled)
        return;
    m_enabled = enabled;
    if (enabled) {
        m_roundPending = true;
        m_optimisticDue = true;
    }
}

quint32 Choker::randomBelow(quint32 bound) {
    // Multiply-shift rather than std::uniform_int_distribution, whose output differs between standard
    // libraries: a seeded lab run must make the same choices everywhere.
    return quint32((quint64(m_rng()) * bound) >> 32);
}

ChokeDecisions Choker::tick(qint64 nowMs, const QList<ChokerPeer>& peers, bool seeding) {
    observe(nowMs, peers, seeding);
    m_lastNowMs = nowMs;
    const bool due = m_roundPending || nowMs >= m_nextRoundMs;
    if (due) {
        m_roundPending = false;
        const bool fewestFirst = seeding && m_config.seedingPolicy == SeedingPolicy::FewestPiecesFirst;
        m_nextRoundMs =
            nowMs + (fewestFirst ? m_config.seedingRechokeIntervalMs : m_config.rechokeIntervalMs);
    }
    if (!m_enabled) {
        if (due)
            sampleRates(nowMs, peers);
        QHash<PeerId, UnchokeReason> next;
        for (const ChokerPeer& peer : peers)
            next.insert(peer.id, UnchokeReason::ChokerOff);
        return apply(peers, next, false);
    }
    if (!due)
        return {};
    sampleRates(nowMs, peers);
    return apply(peers, runRound(nowMs, peers, seeding), true);
}

void Choker::observe(qint64 nowMs, const QList<ChokerPeer>& peers, bool seeding) {
    ++m_generation;
    for (const ChokerPeer& peer : peers) {
        auto it = m_peers.find(peer.id);
        if (it == m_peers.end()) {
            PeerState fresh;
            // Counters start at zero when the connection opens, so the first window starts there too.
            fresh.markMs = peer.connectedAtMs;
            // Seen interested at first sight: take it as interested since the connection opened. The caller
            // ticks at least every round, so that is at most one round early.
            fresh.interestedSinceMs = peer.connectedAtMs;
            it = m_peers.insert(peer.id, fresh);
        } else if (peer.amInterested && !it->amInterested) {
            it->interestedSinceMs = nowMs;
        }
        PeerState& state = *it;
        state.seen = m_generation;
        state.amInterested = peer.amInterested;
        // Data owed is counted from the latest of: the connection, the last block, our becoming interested.
        const qint64 waitingSince = std::max({peer.connectedAtMs, peer.lastBlockMs, state.interestedSinceMs});
        state.snubbed = !seeding && peer.amInterested && nowMs - waitingSince >= m_config.snubTimeoutMs;
    }
    // A peer left out has disconnected: forget it, which also frees its slot for the next round.
    m_peers.removeIf(
        [this](const QHash<PeerId, PeerState>::iterator it) { return it->seen != m_generation; });
}

void Choker::sampleRates(qint64 nowMs, const QList<ChokerPeer>& peers) {
    for (const ChokerPeer& peer : peers) {
        PeerState& state = m_peers[peer.id];
        const qint64 window = nowMs - state.markMs;
        // A round brought forward (a slot freed, a peer's interest changed) soon after the last one keeps the
        // rates of the longer window: a rate over a few milliseconds says nothing.
        if (window < kMinRateWindowMs && state.rated)
            continue;
        state.rated = true;
        // A counter below its mark means the caller restarted it (a reconnection under the same id).
        const quint64 down = peer.downloaded >= state.downloadedMark ? peer.downloaded - state.downloadedMark
                                                                     : peer.downloaded;
        const quint64 up =
            peer.uploaded >= state.uploadedMark ? peer.uploaded - state.uploadedMark : peer.uploaded;
        state.downloadRate = window > 0 ? qint64(double(down) * 1000.0 / double(window)) : 0;
        state.uploadRate = window > 0 ? qint64(double(up) * 1000.0 / double(window)) : 0;
        state.downloadedMark = peer.downloaded;
        state.uploadedMark = peer.uploaded;
        state.markMs = nowMs;
    }
}

QHash<PeerId, UnchokeReason> Choker::runRound(qint64 nowMs, const QList<ChokerPeer>& peers, bool seeding) {
    QHash<PeerId, UnchokeReason> next;

    // Regular slots, the way BEP 3 describes them: walk the peers from the best rate down, unchoking each,
    // until regularSlots interested ones are unchoked. Uninterested peers met on the way are unchoked too.
    // Seeding with FewestPiecesFirst, the "rate" is minus the peer's piece count: the poorest come first.
    const bool fewestFirst = seeding && m_config.seedingPolicy == SeedingPolicy::FewestPiecesFirst;
    const int slotCount = fewestFirst ? m_config.seedingSlots : m_config.regularSlots;
    struct Ranked {
        const ChokerPeer* peer;
        qint64 rate;
        bool wasUnchoked;
        quint32 tieBreak;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(peers.size());
    for (const ChokerPeer& peer : peers) {
        const PeerState& state = m_peers[peer.id];
        if (state.snubbed || (!peer.interested && !m_config.unchokeUninterested))
            continue;
        const qint64 rate = fewestFirst ? -qint64(peer.pieces)
                            : seeding   ? state.uploadRate
                                        : state.downloadRate;
        ranked.push_back({&peer, rate, state.reason != UnchokeReason::Choked, quint32(m_rng())});
    }
    // Ties go to interested peers, then to peers already unchoked (no needless choke/unchoke churn), then
    // to chance.
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        if (a.rate != b.rate)
            return a.rate > b.rate;
        if (a.peer->interested != b.peer->interested)
            return a.peer->interested;
        if (a.wasUnchoked != b.wasUnchoked)
            return a.wasUnchoked;
        return a.tieBreak < b.tieBreak;
    });
    int regular = 0;
    for (const Ranked& r : ranked) {
        if (regular >= slotCount)
            break;
        if (r.peer->interested) {
            next.insert(r.peer->id, UnchokeReason::Regular);
            ++regular;
        } else {
            next.insert(r.peer->id, UnchokeReason::Uninterested);
        }
    }

    // Optimistic slots: a holder keeps its slot for optimisticIntervalMs unless it lost interest or earned
    // a regular slot; free slots are drawn among the interested peers still choked.
    std::vector<PeerId> keep;
    std::vector<PeerId> rotatedOut;
    for (const ChokerPeer& peer : peers) {
        const PeerState& state = m_peers[peer.id];
        if (state.reason != UnchokeReason::Optimistic || next.contains(peer.id))
            continue;
        const bool expired =
            m_optimisticDue || nowMs - state.optimisticSinceMs >= m_config.optimisticIntervalMs;
        if (peer.interested && !expired && int(keep.size()) < m_config.optimisticSlots)
            keep.push_back(peer.id);
        else
            rotatedOut.push_back(peer.id);
    }
    m_optimisticDue = false;
    for (PeerId id : keep)
        next.insert(id, UnchokeReason::Optimistic);

    auto eligible = [&](const ChokerPeer& peer, bool allowRotatedOut) {
        if (!peer.interested || next.contains(peer.id))
            return false;
        return allowRotatedOut ||
               std::find(rotatedOut.begin(), rotatedOut.end(), peer.id) == rotatedOut.end();
    };
    auto weight = [&](const ChokerPeer& peer) {
        return nowMs - peer.connectedAtMs < m_config.newPeerWindowMs ? quint32(m_config.newPeerWeight) : 1u;
    };
    int freeSlots = m_config.optimisticSlots - int(keep.size());
    // Rotation means someone else gets the turn; the peers just rotated out come back only when nobody
    // else is waiting.
    for (bool allowRotatedOut : {false, true}) {
        while (freeSlots > 0) {
            quint64 total = 0;
            for (const ChokerPeer& peer : peers)
                if (eligible(peer, allowRotatedOut))
                    total += weight(peer);
            if (total == 0)
                break;
            quint64 draw = randomBelow(quint32(total));
            for (const ChokerPeer& peer : peers) {
                if (!eligible(peer, allowRotatedOut))
                    continue;
                const quint32 w = weight(peer);
                if (draw < w) {
                    next.insert(peer.id, UnchokeReason::Optimistic);
                    m_peers[peer.id].optimisticSinceMs = nowMs;
                    --freeSlots;
                    break;
                }
                draw -= w;
            }
        }
    }
    return next;
}

ChokeDecisions Choker::apply(const QList<ChokerPeer>& peers, const QHash<PeerId, UnchokeReason>& next,
                             bool rechoked) {
    ChokeDecisions out;
    out.rechoked = rechoked;
    // Peer-list order, not hash order: QHash iteration differs between processes, and a seeded run must not.
    for (const ChokerPeer& peer : peers) {
        PeerState& state = m_peers[peer.id];
        const UnchokeReason reason = next.value(peer.id, UnchokeReason::Choked);
        const bool was = state.reason != UnchokeReason::Choked;
        const bool now = reason != UnchokeReason::Choked;
        if (was != now)
            (now ? out.unchoke : out.choke).append(peer.id);
        state.reason = reason;
    }
    return out;
}

UnchokeReason Choker::reason(PeerId peer) const {
    auto it = m_peers.constFind(peer);
    return it == m_peers.cend() ? UnchokeReason::Choked : it->reason;
}

QList<PeerId> Choker::unchoked() const {
    QList<PeerId> result;
    for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it)
        if (it->reason != UnchokeReason::Choked)
            result.append(it.key());
    std::sort(result.begin(), result.end());
    return result;
}

QList<PeerId> Choker::optimistic() const {
    QList<PeerId> result;
    for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it)
        if (it->reason == UnchokeReason::Optimistic)
            result.append(it.key());
    std::sort(result.begin(), result.end());
    return result;
}

bool Choker::isSnubbed(PeerId peer) const {
    auto it = m_peers.constFind(peer);
    return it != m_peers.cend() && it->snubbed;
}

qint64 Choker::downloadRate(PeerId peer) const {
    auto it = m_peers.constFind(peer);
    return it == m_peers.cend() ? 0 : it->downloadRate;
}

qint64 Choker::uploadRate(PeerId peer) const {
    auto it = m_peers.constFind(peer);
    return it == m_peers.cend() ? 0 : it->uploadRate;
}

} // namespace swarmscope
