#include "sim/DelayLine.h"

namespace swarmscope {

void DelayLine::setLatency(SimTime latency, SimTime jitter) {
    m_latency = qMax(latency, SimTime::zero());
    m_jitter = qMax(jitter, SimTime::zero());
}

quint64 DelayLine::nextRandom() {
    // splitmix64: tiny, fast, and fully specified, unlike std::uniform_int_distribution.
    quint64 z = (m_rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void DelayLine::push(QByteArray data, SimTime now) {
    if (data.isEmpty())
        return;
    SimTime due = now + m_latency;
    if (m_jitter.count() > 0)
        due += SimTime(qint64(nextRandom() % quint64(m_jitter.count() + 1)));
    if (!m_queue.empty())
        due = qMax(due, m_queue.back().due);
    m_queuedBytes += data.size();
    m_queue.push_back({due, std::move(data)});
}

QList<QByteArray> DelayLine::popReady(SimTime now) {
    QList<QByteArray> ready;
    while (!m_queue.empty() && m_queue.front().due <= now) {
        m_queuedBytes -= m_queue.front().data.size();
        ready.append(std::move(m_queue.front().data));
        m_queue.pop_front();
    }
    return ready;
}

std::optional<SimTime> DelayLine::nextDeadline() const {
    if (m_queue.empty())
        return std::nullopt;
    return m_queue.front().due;
}

void DelayLine::clear() {
    m_queue.clear();
    m_queuedBytes = 0;
}

} // namespace swarmscope
