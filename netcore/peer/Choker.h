#pragma once

#include "peer/SeedingPolicy.h"

#include <QHash>
#include <QList>

#include <random>
#include <vector>

namespace swarmscope {

// An opaque connection handle chosen by the caller; the same alias is declared in PiecePicker.h.
using PeerId = quintptr;

// What the choker needs to know about one connected peer of the torrent, sampled by the caller at each tick.
struct ChokerPeer {
    PeerId id = 0;
    bool interested = false;   // the peer is interested in us: only these can use an upload slot
    bool amInterested = false; // we are interested in the peer: only then can it snub us
    // Payload bytes since the connection opened; they never decrease. The choker turns them into rates over
    // its own rating window (the time since the previous round), so callers need no rate estimator.
    quint64 downloaded = 0; // received from the peer
    quint64 uploaded = 0;   // sent to the peer
    qint64 connectedAtMs = 0;
    qint64 lastBlockMs = -1; // when the last block from the peer arrived; -1 for never
    int pieces = 0;          // how many pieces the peer holds (its bitfield and HAVEs)
};

struct ChokerConfig {
    int regularSlots = 4; // by rate; BEP 3's original counts the optimistic one among 4, i.e. 3 + 1
    SeedingPolicy seedingPolicy = SeedingPolicy::FewestPiecesFirst;
    // FewestPiecesFirst: regular slots and round interval while seeding. Eight slots and a round a second
    // measured best of 4-20 slots and 0.25-2 s on tests/bench/swarm-efficiency.sh (docs/BENCHMARKS.md).
    int seedingSlots = 8;
    qint64 seedingRechokeIntervalMs = 1000;
    int optimisticSlots = 1; // rotated regardless of rate
    qint64 rechokeIntervalMs = 10'000;
    qint64 optimisticIntervalMs = 30'000;
    // No block for this long while we are interested: the peer is snubbing us and loses its regular slot.
    qint64 snubTimeoutMs = 60'000;
    // A peer connected this recently is "new" and weighs newPeerWeight times more in the optimistic draw.
    qint64 newPeerWindowMs = 30'000; // three rechoke periods
    int newPeerWeight = 3;
    // BEP 3: peers that are not interested but rank above the worst regular peer are unchoked too, so they
    // can start at once if they become interested. It costs nothing: they send no requests.
    bool unchokeUninterested = true;
};

enum class UnchokeReason {
    Choked,
    Regular,      // a rate-ranked slot
    Uninterested, // not interested, but ranked above the worst regular peer
    Optimistic,
    ChokerOff, // the choker is disabled
};

// The messages to send after a tick: only changes, each peer at most once.
struct ChokeDecisions {
    QList<PeerId> unchoke;
    QList<PeerId> choke;
    bool rechoked = false; // a round ran (the rate-ranked slots were re-evaluated)

    bool isEmpty() const { return unchoke.isEmpty() && choke.isEmpty(); }
};

// Decides which peers we upload to, for one torrent of one client (rates are only comparable within a
// torrent, and seeding is a per-torrent state). It reads no clock: the caller passes now and the peer list.
//
// Every rechokeIntervalMs a round ranks the non-snubbed peers by the rate they send to us and unchokes the
// best regularSlots interested ones; seeding, the rule and the number of slots are the SeedingPolicy's. Each
// optimistic slot is redrawn every optimisticIntervalMs among the interested peers left choked, new peers
// weighing newPeerWeight times more; a snubbed peer may still win it. Between rounds nothing changes, except
// that a disconnected peer's slot is freed (and filled at the next round). The caller brings a round forward
// with rechokeSoon() when slots should change hands at once; such a round keeps the rates of the last window
// of at least kMinRateWindowMs. Disabled, it unchokes every peer.
//
// Not thread-safe: it lives on the thread that owns the client's connections.
class Choker {
public:
    explicit Choker(quint32 seed = 0, const ChokerConfig& config = {});

    void setConfig(const ChokerConfig& config);
    const ChokerConfig& config() const { return m_config; }
    // The lab's "choker off": every connected peer is unchoked at the next tick, and stays so. Enabling it
    // again runs a full round (optimistic draw included) at the next tick.
    void setEnabled(bool enabled);
    bool isEnabled() const { return m_enabled; }

    // peers: every connected peer of the torrent; a peer left out is taken as disconnected and forgotten.
    // Runs a round when nowMs has reached nextDeadlineMs(); otherwise only updates bookkeeping (snub timers,
    // departures) and returns no decisions, unless the choker is off.
    ChokeDecisions tick(qint64 nowMs, const QList<ChokerPeer>& peers, bool seeding);
    // When the next round is due. While a round is pending (before the first tick, after rechokeSoon() or
    // setEnabled(true)) it is the last now passed in (0 before any), so a timer set to fire at
    // max(0, nextDeadlineMs() - now) fires at once.
    qint64 nextDeadlineMs() const { return m_roundPending ? m_lastNowMs : m_nextRoundMs; }
    // Makes the next tick run a round (e.g. an unchoked peer left and its slot should not wait).
    void rechokeSoon() { m_roundPending = true; }

    // --- state for the connection layer and GUI snapshots
    bool isUnchoked(PeerId peer) const { return reason(peer) != UnchokeReason::Choked; }
    UnchokeReason reason(PeerId peer) const;
    QList<PeerId> unchoked() const;
    QList<PeerId> optimistic() const;
    bool isSnubbed(PeerId peer) const;
    // Rates measured at the last round, in bytes per second; 0 for an unknown peer.
    qint64 downloadRate(PeerId peer) const;
    qint64 uploadRate(PeerId peer) const;

private:
    struct PeerState {
        quint64 downloadedMark = 0; // counters at the start of the current rating window
        quint64 uploadedMark = 0;
        qint64 markMs = 0;
        qint64 downloadRate = 0;
        qint64 uploadRate = 0;
        qint64 interestedSinceMs = 0; // when we last became interested in the peer
        bool amInterested = false;
        bool snubbed = false;
        UnchokeReason reason = UnchokeReason::Choked;
        qint64 optimisticSinceMs = 0; // when it won its optimistic slot
        quint64 seen = 0;             // the tick that last listed it
        bool rated = false;           // its rates have been measured at least once
    };
    static constexpr qint64 kMinRateWindowMs = 2000;

    void observe(qint64 nowMs, const QList<ChokerPeer>& peers, bool seeding);
    void sampleRates(qint64 nowMs, const QList<ChokerPeer>& peers);
    QHash<PeerId, UnchokeReason> runRound(qint64 nowMs, const QList<ChokerPeer>& peers, bool seeding);
    ChokeDecisions apply(const QList<ChokerPeer>& peers, const QHash<PeerId, UnchokeReason>& next,
                         bool rechoked);
    quint32 randomBelow(quint32 bound);

    ChokerConfig m_config;
    bool m_enabled = true;
    bool m_optimisticDue = true;
    bool m_roundPending = true;
    qint64 m_nextRoundMs = 0;
    qint64 m_lastNowMs = 0;
    quint64 m_generation = 0;
    QHash<PeerId, PeerState> m_peers;
    std::mt19937 m_rng;
};

} // namespace swarmscope
