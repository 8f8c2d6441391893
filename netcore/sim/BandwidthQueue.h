#pragma once

#include "clock/Scheduler.h"
#include "clock/Timer.h"
#include "sim/BandwidthUser.h"
#include "sim/RateLimiter.h"

#include <deque>

namespace swarmscope {

// Shares one direction of one client's cap among its connections, round robin. A connection that wants to
// move bytes joins the line; the queue serves the head a grant of about 10 ms of the cap once the bucket
// holds it, then moves that connection to the back if it still wants more. A single timer per client and
// direction wakes the line when the bucket will next hold a grant.
//
// Without the line, every connection would wait for the same moment and the one that won the last grant
// would, having rescheduled first, win the next one too.
class BandwidthQueue {
public:
    BandwidthQueue(Direction direction, RateLimiter& limiter, Scheduler& scheduler);
    ~BandwidthQueue();
    BandwidthQueue(const BandwidthQueue&) = delete;
    BandwidthQueue& operator=(const BandwidthQueue&) = delete;

    Direction direction() const { return m_direction; }
    // The most one grant moves: about 10 ms of the cap, at least a TCP segment, at most half the bucket, the
    // other half being slack for a late wake so that no tokens spill over and are lost. A clock that wakes
    // on time needs no slack: a grant is then up to the whole bucket, at least two blocks where the bucket
    // holds them, in fewer, larger grants.
    static qint64 grantSize(const RateLimiter& limiter, bool wakesOnTime = false);

    // Joins the line unless already in it, then serves whatever the bucket allows now (which may call
    // user->bandwidthGranted() before this returns). With an unlimited cap the user gets all it wants at
    // once.
    void enqueue(BandwidthUser* user);
    // Leaves the line; a user must call this before it is destroyed (even from inside its own grant).
    void remove(BandwidthUser* user);
    // Serves the line now, as the timer does. Call after the rate changed.
    void serve();

    qsizetype waiting() const { return qsizetype(m_line.size()); }
    bool isTimerActive() const { return m_timer.isActive(); }

private:
    void schedule(SimTime now);

    Direction m_direction;
    RateLimiter& m_limiter;
    Scheduler& m_scheduler;
    std::deque<BandwidthUser*> m_line;
    Timer m_timer;
    bool m_serving = false;
    BandwidthUser* m_granting = nullptr; // the user inside bandwidthGranted(), cleared if it is removed
};

} // namespace swarmscope
