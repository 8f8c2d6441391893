#pragma once

#include "clock/SimTime.h"

#include <QByteArray>
#include <QList>

#include <deque>
#include <optional>

namespace swarmscope {

// One direction of one connection's latency: chunks go in with push() and come out with popReady() once
// their delivery time has come.
//
// A chunk pushed at t is due at t + latency + a jitter drawn uniformly from [0, jitter]: latency is the
// floor (the propagation delay), jitter the queueing delay on top of it, so a round trip is never shorter
// than twice the latency. A chunk is never due before the chunk pushed before it, since TCP delivers in
// order: with jitter, or after the latency is lowered, a chunk waits for its predecessor.
//
// The jitter comes from a seeded generator (splitmix64), the same sequence on every platform, so a lab run
// with the same seeds is reproducible.
class DelayLine {
public:
    explicit DelayLine(quint64 seed = 1) : m_rng(seed) {}

    // Applies to chunks pushed from now on; chunks in the line keep their delivery times.
    void setLatency(SimTime latency, SimTime jitter = SimTime::zero());
    SimTime latency() const { return m_latency; }
    SimTime jitter() const { return m_jitter; }

    // No latency, no jitter and nothing queued: the caller may hand data straight through, skipping the
    // line, and stay in order.
    bool isPassThrough() const { return m_latency.count() == 0 && m_jitter.count() == 0 && m_queue.empty(); }

    void push(QByteArray data, SimTime now);
    // The chunks due at or before now, oldest first.
    QList<QByteArray> popReady(SimTime now);
    // When the oldest chunk is due; nothing when empty.
    std::optional<SimTime> nextDeadline() const;

    bool isEmpty() const { return m_queue.empty(); }
    qsizetype queuedBytes() const { return m_queuedBytes; }
    qsizetype queuedChunks() const { return qsizetype(m_queue.size()); }
    void clear();

private:
    struct Entry {
        SimTime due;
        QByteArray data;
    };
    quint64 nextRandom();

    std::deque<Entry> m_queue;
    qsizetype m_queuedBytes = 0;
    SimTime m_latency = SimTime::zero();
    SimTime m_jitter = SimTime::zero();
    quint64 m_rng;
};

} // namespace swarmscope
