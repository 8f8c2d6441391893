#pragma once

#include <QtGlobal>

namespace swarmscope {

// A round-trip estimate for one connection, from the only timing BitTorrent offers: how long a request
// takes to be answered. That delay is the path's round trip plus whatever waits ahead of the request at the
// sender, and from one side of the connection the two cannot be told apart: a pipeline that fills a long
// link and one that queues at a slow sender look alike. So the estimate is the lowest delay seen in the last
// 10 to 20 s (a round trip is never shorter than the path's), like BBR's and LEDBAT's base delay: exact
// whenever a request found no queue (the first of a burst, a link that holds the whole pipeline), high
// by the sender's queue otherwise, never low. An outgoing connection's handshake exchange gives the first
// sample.
class RttEstimator {
public:
    static constexpr qint64 kWindowUs = 10'000'000;

    // A sample in microseconds, taken at nowUs.
    void addSample(qint64 rttUs, qint64 nowUs);

    bool hasEstimate() const { return m_currentMinUs >= 0 || m_previousMinUs >= 0; }
    qint64 rttUs() const; // -1 without a sample
    qint64 rttMs() const {
        const qint64 us = rttUs();
        return us < 0 ? -1 : (us + 500) / 1000;
    }

private:
    // The lowest sample of the current window and of the one before it.
    qint64 m_windowStartUs = -1;
    qint64 m_currentMinUs = -1;
    qint64 m_previousMinUs = -1;
};

} // namespace swarmscope
