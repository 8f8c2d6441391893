#include "peer/RateMeter.h"

namespace swarmscope {

void RateMeter::update(qint64 nowMs) {
    if (m_count > 0) {
        const Sample& last = m_samples[(m_head + kSamples - 1) % kSamples];
        if (nowMs <= last.timeMs)
            return; // two ticks in the same millisecond add nothing
    }
    m_samples[m_head] = {nowMs, m_total};
    m_head = (m_head + 1) % kSamples;
    m_count = qMin(m_count + 1, kSamples);

    // The oldest sample still inside the window (or the oldest kept) is the start of the span.
    int oldest = (m_head + kSamples - m_count) % kSamples;
    for (int i = 0; i < m_count - 1; ++i) {
        const int next = (oldest + 1) % kSamples;
        if (nowMs - m_samples[oldest].timeMs <= kWindowMs)
            break;
        // Skip a sample only while the next one still spans at least half a window: a late tick after a
        // stall must not shrink the span to nothing.
        if (nowMs - m_samples[next].timeMs < kWindowMs / 2)
            break;
        oldest = next;
    }
    const Sample& start = m_samples[oldest];
    const qint64 spanMs = nowMs - start.timeMs;
    m_rate = spanMs > 0 ? (m_total - start.total) * 1000 / spanMs : 0;
}

} // namespace swarmscope
