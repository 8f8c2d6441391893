#pragma once

#include "clock/Scheduler.h"

#include <vector>

namespace swarmscope {

// The callbacks of a scheduler, ordered by (time, sequence): the sequence grows with every callAt, so
// callbacks due at the same instant come out in the order they were scheduled, except that those pushed as
// `first` come before every other one of their instant (among themselves, in order).
//
// A callback lives in a slot of a table, reused through a free list, and its id carries both its sequence
// and its slot: scheduling, cancelling and running are O(log n) heap work plus O(1) table work, with no
// allocation once the table has grown, which matters at millions of events per run. A cancelled entry leaves
// the heap when it reaches the top, or when stale entries outnumber live ones and the heap is rebuilt.
class EventQueue {
public:
    Scheduler::Id push(SimTime at, Scheduler::Callback callback, bool first = false);
    void cancel(Scheduler::Id id);

    bool isEmpty() const { return m_live == 0; }
    qsizetype size() const { return m_live; }
    // The time of the next live entry; SimTime::max() when the queue is empty.
    SimTime nextTime();
    // The sequence number of the next live entry (0 when empty); see lastSequence().
    quint64 nextSequence();
    // Removes the next live entry and returns its callback (empty when the queue is empty).
    Scheduler::Callback takeNext(SimTime* at = nullptr);
    // The sequence number of the most recent push.
    quint64 lastSequence() const { return m_lastSequence; }
    // The id of the next live entry (0 when empty), and of the most recent push.
    Scheduler::Id nextId();
    Scheduler::Id lastId() const { return m_lastId; }

private:
    static constexpr int kSlotBits = 24;
    static constexpr quint64 kSlotMask = (quint64(1) << kSlotBits) - 1;

    struct Entry {
        SimTime at;
        quint64 sequence;
        quint32 slot;
        bool first;
    };
    struct Slot {
        quint64 sequence = 0; // of the callback it holds; 0 when free
        Scheduler::Callback callback;
    };
    static bool later(const Entry& a, const Entry& b) {
        if (a.at != b.at)
            return a.at > b.at;
        if (a.first != b.first)
            return b.first;
        return a.sequence > b.sequence;
    }
    bool isLive(const Entry& e) const { return m_slots[e.slot].sequence == e.sequence; }
    void dropStaleTop();
    void compact();
    void freeSlot(quint32 slot);

    std::vector<Entry> m_heap;
    std::vector<Slot> m_slots;
    std::vector<quint32> m_free;
    qsizetype m_live = 0;
    quint64 m_lastSequence = 0;
    Scheduler::Id m_lastId = 0;
};

} // namespace swarmscope
