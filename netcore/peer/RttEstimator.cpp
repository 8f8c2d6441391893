#include "peer/RttEstimator.h"

namespace swarmscope {

void RttEstimator::addSample(qint64 rttUs) {
    rttUs = qMax<qint64>(rttUs, 0);
    if (m_srttUs < 0)
        m_srttUs = rttUs;
    else
        m_srttUs += (rttUs - m_srttUs) / 8;
}

void RttEstimator::addRequestSample(qint64 delayUs, qint64 queuedAheadBytes, qint64 rate) {
    if (queuedAheadBytes <= 0) {
        addSample(delayUs);
        return;
    }
    if (rate <= 0)
        return; // the queue's share of the delay is unknown
    const qint64 queueUs = queuedAheadBytes * 1'000'000 / rate;
    addSample(delayUs - queueUs);
}

} // namespace swarmscope
