#include "clock/EventQueue.h"

#include <algorithm>

namespace swarmscope {

Scheduler::Id EventQueue::push(SimTime at, Scheduler::Callback callback, bool first) {
    const quint64 sequence = ++m_lastSequence;
    quint32 slot;
    if (!m_free.empty()) {
        slot = m_free.back();
        m_free.pop_back();
    } else {
        Q_ASSERT(m_slots.size() < kSlotMask);
        slot = quint32(m_slots.size());
        m_slots.emplace_back();
    }
    m_slots[slot].sequence = sequence;
    m_slots[slot].callback = std::move(callback);
    ++m_live;
    m_heap.push_back({at, sequence, slot, first});
    std::push_heap(m_heap.begin(), m_heap.end(), later);
    m_lastId = (sequence << kSlotBits) | slot;
    return m_lastId;
}

void EventQueue::freeSlot(quint32 slot) {
    m_slots[slot].sequence = 0;
    m_slots[slot].callback = nullptr;
    m_free.push_back(slot);
    --m_live;
}

void EventQueue::cancel(Scheduler::Id id) {
    const quint32 slot = quint32(id & kSlotMask);
    const quint64 sequence = id >> kSlotBits;
    if (sequence == 0 || slot >= m_slots.size() || m_slots[slot].sequence != sequence)
        return;
    freeSlot(slot);
    // Timers restarted over and over (idle timeouts) leave stale entries behind; keep the heap near the
    // number of live ones.
    if (m_heap.size() > 64 && m_heap.size() > size_t(2 * m_live + 16))
        compact();
}

void EventQueue::compact() {
    std::vector<Entry> live;
    live.reserve(size_t(m_live));
    for (const Entry& e : m_heap)
        if (isLive(e))
            live.push_back(e);
    std::make_heap(live.begin(), live.end(), later);
    m_heap.swap(live);
}

void EventQueue::dropStaleTop() {
    while (!m_heap.empty() && !isLive(m_heap.front())) {
        std::pop_heap(m_heap.begin(), m_heap.end(), later);
        m_heap.pop_back();
    }
}

SimTime EventQueue::nextTime() {
    dropStaleTop();
    return m_heap.empty() ? SimTime::max() : m_heap.front().at;
}

quint64 EventQueue::nextSequence() {
    dropStaleTop();
    return m_heap.empty() ? 0 : m_heap.front().sequence;
}

Scheduler::Id EventQueue::nextId() {
    dropStaleTop();
    return m_heap.empty() ? 0 : (m_heap.front().sequence << kSlotBits) | m_heap.front().slot;
}

Scheduler::Callback EventQueue::takeNext(SimTime* at) {
    dropStaleTop();
    if (m_heap.empty())
        return {};
    const Entry top = m_heap.front();
    std::pop_heap(m_heap.begin(), m_heap.end(), later);
    m_heap.pop_back();
    Scheduler::Callback callback = std::move(m_slots[top.slot].callback);
    freeSlot(top.slot);
    if (at)
        *at = top.at;
    return callback;
}

} // namespace swarmscope
