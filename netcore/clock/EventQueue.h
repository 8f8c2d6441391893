#pragma once

#include "clock/Scheduler.h"

#include <unordered_map>
#include <vector>

namespace swarmscope {

// The callbacks of a scheduler, ordered by (time, id): ids grow with every callAt, so callbacks due at the
// same instant come out in the order they were scheduled. Cancelling is O(1); a cancelled entry leaves the
// heap when it reaches the top, or when stale entries outnumber live ones and the heap is rebuilt.
class EventQueue {
public:
    Scheduler::Id push(SimTime at, Scheduler::Callback callback);
    void cancel(Scheduler::Id id);

    bool isEmpty() const { return m_callbacks.empty(); }
    qsizetype size() const { return qsizetype(m_callbacks.size()); }
    // The time of the next live entry; only valid when !isEmpty().
    SimTime nextTime();
    Scheduler::Id nextId();
    // Removes the next live entry and returns its callback (empty when the queue is empty).
    Scheduler::Callback takeNext(SimTime* at = nullptr);
    Scheduler::Id lastId() const { return m_lastId; }

private:
    struct Entry {
        SimTime at;
        Scheduler::Id id;
    };
    static bool later(const Entry& a, const Entry& b) { return a.at != b.at ? a.at > b.at : a.id > b.id; }
    void dropStaleTop();
    void compact();

    std::vector<Entry> m_heap;
    std::unordered_map<Scheduler::Id, Scheduler::Callback> m_callbacks;
    Scheduler::Id m_lastId = 0;
};

} // namespace swarmscope
