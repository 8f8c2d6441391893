#pragma once

#include <QtGlobal>

#include <array>

namespace swarmscope {

// A transfer rate over the last couple of seconds. Bytes are counted as they move; update() is called on a
// regular tick with the time, and the rate is the bytes moved over the span of the samples kept. A fresh
// meter answers after its first tick, so a pipeline sized from it grows within a fraction of a second.
// Time is passed in.
class RateMeter {
public:
    static constexpr qint64 kWindowMs = 2'000;

    void add(qint64 bytes) { m_total += bytes; }
    qint64 total() const { return m_total; }
    // Samples the counter at nowMs (call every few hundred milliseconds).
    void update(qint64 nowMs);
    // Bytes per second; 0 before two samples.
    qint64 rate() const { return m_rate; }

private:
    static constexpr int kSamples = 12;
    struct Sample {
        qint64 timeMs = 0;
        qint64 total = 0;
    };
    std::array<Sample, kSamples> m_samples{};
    int m_head = 0; // next slot to write
    int m_count = 0;
    qint64 m_total = 0;
    qint64 m_rate = 0;
};

} // namespace swarmscope
