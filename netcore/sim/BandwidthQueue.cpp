#include "sim/BandwidthQueue.h"

#include <algorithm>

namespace swarmscope {

BandwidthQueue::BandwidthQueue(Direction direction, RateLimiter& limiter, Scheduler& scheduler)
    : m_direction(direction), m_limiter(limiter), m_scheduler(scheduler),
      m_timer(scheduler, [this] { serve(); }) {}

BandwidthQueue::~BandwidthQueue() = default;

qint64 BandwidthQueue::grantSize(const RateLimiter& limiter, bool wakesOnTime) {
    const qint64 most = wakesOnTime ? limiter.bucketSize() : limiter.bucketSize() / 2;
    // About 10 ms of the cap; on time, at least two blocks' worth where the bucket holds them, so a block
    // crosses in one grant rather than in slivers.
    const qint64 share = wakesOnTime ? qMax(limiter.rate() / 100, qint64(32 * 1024)) : limiter.rate() / 100;
    return qMax(qMin(share, most), qMin(qint64(1460), qMax(most, qint64(1))));
}

void BandwidthQueue::enqueue(BandwidthUser* user) {
    if (std::find(m_line.begin(), m_line.end(), user) == m_line.end())
        m_line.push_back(user);
    serve();
}

void BandwidthQueue::remove(BandwidthUser* user) {
    if (user == m_granting)
        m_granting = nullptr; // it is being destroyed inside its grant: serve() must not touch it again
    m_line.erase(std::remove(m_line.begin(), m_line.end(), user), m_line.end());
    if (m_line.empty())
        m_timer.stop();
}

void BandwidthQueue::serve() {
    // A grant's callback may enqueue again; the outer loop already serves the whole line.
    if (m_serving)
        return;
    m_serving = true;
    SimTime now = m_scheduler.now();
    while (!m_line.empty()) {
        BandwidthUser* user = m_line.front();
        const qint64 wanted = user->bandwidthWanted(m_direction);
        if (wanted <= 0) {
            m_line.pop_front();
            continue;
        }
        qint64 granted = wanted;
        if (!m_limiter.isUnlimited()) {
            const qint64 ask = qMin(wanted, grantSize(m_limiter, m_scheduler.wakesOnTime()));
            // Wait for a whole grant rather than hand out slivers: fewer, larger socket writes.
            if (m_limiter.available(now) < ask)
                break;
            granted = m_limiter.request(ask, now);
        }
        m_line.pop_front();
        m_granting = user;
        user->bandwidthGranted(m_direction, granted);
        // The grant may have closed or even destroyed the user; only a user still in need goes to the back.
        // An unlimited cap granted all it wanted: it comes back through enqueue() when it has more.
        const bool alive = m_granting == user;
        m_granting = nullptr;
        if (alive && !m_limiter.isUnlimited() && user->bandwidthWanted(m_direction) > 0 &&
            std::find(m_line.begin(), m_line.end(), user) == m_line.end())
            m_line.push_back(user);
        now = m_scheduler.now();
    }
    m_serving = false;
    schedule(now);
}

void BandwidthQueue::schedule(SimTime now) {
    if (m_line.empty() || m_limiter.isUnlimited()) {
        m_timer.stop();
        return;
    }
    const qint64 ask =
        qMin(m_line.front()->bandwidthWanted(m_direction), grantSize(m_limiter, m_scheduler.wakesOnTime()));
    const SimTime wait = m_limiter.timeUntilAvailable(qMax(ask, qint64(1)), now);
    // Already armed for that moment: leave it (restarting costs a heap entry).
    if (m_timer.isActive() && m_timer.deadline() == now + wait)
        return;
    m_timer.startAt(now + wait);
}

} // namespace swarmscope
