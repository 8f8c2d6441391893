#pragma once

#include <QtGlobal>

namespace swarmscope {

// A round-trip estimate for one connection, from the only timing BitTorrent offers: how long a request
// takes to be answered. A block requested behind others also waits for them to be sent, so each sample is
// corrected by the queue ahead of it at the measured rate; samples without a usable correction are skipped.
// An outgoing connection's handshake exchange gives the first sample. Smoothed like TCP's SRTT (1/8).
class RttEstimator {
public:
    // A sample in microseconds.
    void addSample(qint64 rttUs);
    // A request answered after delayUs, sent with queuedAheadBytes of earlier requests unanswered, while
    // blocks arrived at rate bytes per second.
    void addRequestSample(qint64 delayUs, qint64 queuedAheadBytes, qint64 rate);

    bool hasEstimate() const { return m_srttUs >= 0; }
    qint64 rttUs() const { return m_srttUs; } // -1 without a sample
    qint64 rttMs() const { return m_srttUs < 0 ? -1 : (m_srttUs + 500) / 1000; }

private:
    qint64 m_srttUs = -1;
};

} // namespace swarmscope
