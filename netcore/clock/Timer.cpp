#include "clock/Timer.h"

namespace swarmscope {

Timer::Timer(Scheduler& scheduler, Scheduler::Callback callback)
    : m_scheduler(&scheduler), m_callback(std::move(callback)) {}

Timer::~Timer() {
    stop();
}

void Timer::arm(SimTime at) {
    if (m_id != 0)
        m_scheduler->cancel(m_id);
    m_deadline = at;
    m_id = m_scheduler->callAt(at, [this] { fire(); });
}

void Timer::start(SimTime delay) {
    m_interval = SimTime::zero();
    arm(m_scheduler->now() + (delay.count() > 0 ? delay : SimTime::zero()));
}

void Timer::startAt(SimTime at) {
    m_interval = SimTime::zero();
    arm(at);
}

void Timer::startRepeating(SimTime interval) {
    m_interval = interval.count() > 0 ? interval : SimTime(1);
    arm(m_scheduler->now() + m_interval);
}

void Timer::startRepeatingAt(SimTime first, SimTime interval) {
    m_interval = interval.count() > 0 ? interval : SimTime(1);
    arm(first);
}

void Timer::stop() {
    if (m_id != 0)
        m_scheduler->cancel(m_id);
    m_id = 0;
    m_interval = SimTime::zero();
}

SimTime Timer::remaining() const {
    if (m_id == 0)
        return SimTime::zero();
    const SimTime left = m_deadline - m_scheduler->now();
    return left.count() > 0 ? left : SimTime::zero();
}

void Timer::fire() {
    m_id = 0;
    if (m_interval.count() > 0) {
        // The next beat on the grid, past now: a slow callback or a stalled thread skips beats instead of
        // firing a burst of them.
        SimTime next = m_deadline + m_interval;
        const SimTime now = m_scheduler->now();
        if (next <= now)
            next += ((now - next) / m_interval + 1) * m_interval;
        arm(next);
    }
    // Last, and from a copy: the callback may stop, restart or even destroy this timer.
    if (m_callback) {
        const Scheduler::Callback callback = m_callback;
        callback();
    }
}

} // namespace swarmscope
