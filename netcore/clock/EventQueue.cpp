#include "clock/EventQueue.h"

#include <algorithm>

namespace swarmscope {

Scheduler::Id EventQueue::push(SimTime at, Scheduler::Callback callback) {
    const Scheduler::Id id = ++m_lastId;
    m_callbacks.emplace(id, std::move(callback));
    m_heap.push_back({at, id});
    std::push_heap(m_heap.begin(), m_heap.end(), later);
    return id;
}

void EventQueue::cancel(Scheduler::Id id) {
    if (m_callbacks.erase(id) == 0)
        return;
    // Timers restarted over and over (idle timeouts) leave stale entries behind; keep the heap near the
    // number of live ones.
    if (m_heap.size() > 64 && m_heap.size() > 2 * m_callbacks.size() + 16)
        compact();
}

void EventQueue::compact() {
    std::vector<Entry> live;
    live.reserve(m_callbacks.size());
    for (const Entry& e : m_heap)
        if (m_callbacks.count(e.id))
            live.push_back(e);
    std::make_heap(live.begin(), live.end(), later);
    m_heap.swap(live);
}

void EventQueue::dropStaleTop() {
    while (!m_heap.empty() && !m_callbacks.count(m_heap.front().id)) {
        std::pop_heap(m_heap.begin(), m_heap.end(), later);
        m_heap.pop_back();
    }
}

SimTime EventQueue::nextTime() {
    dropStaleTop();
    return m_heap.empty() ? SimTime::max() : m_heap.front().at;
}

Scheduler::Id EventQueue::nextId() {
    dropStaleTop();
    return m_heap.empty() ? 0 : m_heap.front().id;
}

Scheduler::Callback EventQueue::takeNext(SimTime* at) {
    dropStaleTop();
    if (m_heap.empty())
        return {};
    const Entry top = m_heap.front();
    std::pop_heap(m_heap.begin(), m_heap.end(), later);
    m_heap.pop_back();
    auto it = m_callbacks.find(top.id);
    Scheduler::Callback callback = std::move(it->second);
    m_callbacks.erase(it);
    if (at)
        *at = top.at;
    return callback;
}

} // namespace swarmscope
