#include "peer/RttEstimator.h"

namespace swarmscope {

void RttEstimator::addSample(qint64 rttUs, qint64 nowUs) {
    rttUs = qMax<qint64>(rttUs, 0);
    if (m_windowStartUs < 0) {
        m_windowStartUs = nowUs;
    } else if (nowUs - m_windowStartUs >= kWindowUs) {
        // A window with no sample at all (a pause longer than a window) leaves nothing to remember.
        m_previousMinUs = nowUs - m_windowStartUs >= 2 * kWindowUs ? -1 : m_currentMinUs;
        m_currentMinUs = -1;
        m_windowStartUs = nowUs;
    }
    if (m_currentMinUs < 0 || rttUs < m_currentMinUs)
        m_currentMinUs = rttUs;
}

qint64 RttEstimator::rttUs() const {
    if (m_currentMinUs < 0)
        return m_previousMinUs;
    if (m_previousMinUs < 0)
        return m_currentMinUs;
    return qMin(m_currentMinUs, m_previousMinUs);
}

} // namespace swarmscope
