#include "clock/SimScheduler.h"

namespace swarmscope {

SimScheduler::SimScheduler(SimTime start) : m_now(start.count()) {}

SimScheduler::~SimScheduler() = default;

Scheduler::Id SimScheduler::callAt(SimTime at, Callback callback) {
    return m_queue.push(at < now() ? now() : at, std::move(callback));
}

Scheduler::Id SimScheduler::callAtFirst(SimTime at, Callback callback) {
    return m_queue.push(at < now() ? now() : at, std::move(callback), true);
}

void SimScheduler::cancel(Id id) {
    m_queue.cancel(id);
}

bool SimScheduler::runNext() {
    SimTime at;
    Callback callback = m_queue.takeNext(&at);
    if (!callback)
        return false;
    if (at > now())
        setNow(at);
    ++m_eventsRun;
    callback();
    return true;
}

bool SimScheduler::runUntil(SimTime until, std::chrono::nanoseconds wallBudget) {
    m_stopRequested = false;
    const bool budgeted = wallBudget != std::chrono::nanoseconds::max();
    const auto deadline = budgeted ? std::chrono::steady_clock::now() + wallBudget
                                   : std::chrono::steady_clock::time_point::max();
    int sinceCheck = 0;
    while (!m_queue.isEmpty() && m_queue.nextTime() <= until) {
        runNext();
        if (m_stopRequested) {
            m_stopRequested = false;
            return false;
        }
        // Reading the clock costs more than a small event; look every few dozen.
        if (budgeted && ++sinceCheck >= 32) {
            sinceCheck = 0;
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
        }
    }
    if (until > now() && until != SimTime::max())
        setNow(until);
    return true;
}

bool SimScheduler::runBefore(SimTime t) {
    m_stopRequested = false;
    while (!m_queue.isEmpty() && m_queue.nextTime() < t) {
        runNext();
        if (m_stopRequested) {
            m_stopRequested = false;
            return false;
        }
    }
    if (t > now())
        setNow(t);
    return true;
}

bool SimScheduler::runAll(SimTime until) {
    return runUntil(until);
}

} // namespace swarmscope
