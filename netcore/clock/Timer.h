#pragma once

#include "clock/Scheduler.h"

namespace swarmscope {

// A one-shot or repeating timer on a Scheduler, cancelled when it is destroyed: the engine's QTimer. Keep it
// as a member of the object whose callback it runs, so the callback never outlives its object.
//
// A repeating timer keeps a fixed rate: it fires at start + k x interval, and a late callback does not shift
// the ones after it (missed beats are skipped, not bunched).
class Timer {
public:
    explicit Timer(Scheduler& scheduler, Scheduler::Callback callback = {});
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    Scheduler& scheduler() const { return *m_scheduler; }
    void setCallback(Scheduler::Callback callback) { m_callback = std::move(callback); }

    // Fires once after delay (restarting it when active).
    void start(SimTime delay);
    void startMs(qint64 ms) { start(fromMs(ms)); }
    // Fires once at an instant of the scheduler's clock.
    void startAt(SimTime at);
    // Fires every interval (at least 1 us), the first time one interval from now.
    void startRepeating(SimTime interval);
    void startRepeatingMs(qint64 ms) { startRepeating(fromMs(ms)); }
    // Fires at first, then every interval after it.
    void startRepeatingAt(SimTime first, SimTime interval);
    void stop();

    bool isActive() const { return m_id != 0; }
    bool isRepeating() const { return m_interval.count() > 0; }
    // When it fires next; meaningful while active.
    SimTime deadline() const { return m_deadline; }
    SimTime remaining() const;

private:
    void arm(SimTime at);
    void fire();

    Scheduler* m_scheduler;
    Scheduler::Callback m_callback;
    Scheduler::Id m_id = 0;
    SimTime m_deadline = SimTime::zero();
    SimTime m_interval = SimTime::zero();
};

} // namespace swarmscope
