#pragma once

#include "clock/EventQueue.h"
#include "clock/Scheduler.h"

#include <atomic>
#include <chrono>

namespace swarmscope {

// Simulated time: a discrete-event queue on a virtual clock. Nothing happens between events, so a run goes as
// fast as the CPU allows, or as slowly as a SimPacer lets it; the same events in the same order give the same
// run, byte for byte. Events at one instant run in the order they were scheduled.
//
// Owned and run by one thread. now() may be read from any thread (to show the clock).
class SimScheduler final : public Scheduler {
public:
    explicit SimScheduler(SimTime start = SimTime::zero());
    ~SimScheduler() override;

    SimTime now() const override { return SimTime(m_now.load(std::memory_order_relaxed)); }
    bool wakesOnTime() const override { return true; }
    Id callAt(SimTime at, Callback callback) override;
    Id callAtFirst(SimTime at, Callback callback) override;
    void cancel(Id id) override;

    // Runs the next event, moving the clock to its time; false when there is none.
    bool runNext();
    // Runs every event due at or before until, then moves the clock to until (never backwards). Returns
    // false when it stopped early: requestStop() was called by an event, or wallBudget ran out; the clock
    // then stays at the last event run.
    bool runUntil(SimTime until, std::chrono::nanoseconds wallBudget = std::chrono::nanoseconds::max());
    // Runs every event due before t (not those at t), then moves the clock to t: it stands at the start of
    // that instant, so what is scheduled there next runs before the rest of it. False on a stop, with the
    // clock at the last event run.
    bool runBefore(SimTime t);
    // Runs until no event is left, the clock passes until, or a stop is requested; false on a stop.
    bool runAll(SimTime until = SimTime::max());

    // Makes the running runUntil()/runAll() return after the current event.
    void requestStop() { m_stopRequested = true; }

    bool hasEvents() const { return !m_queue.isEmpty(); }
    // SimTime::max() when there is none.
    SimTime nextEventTime() { return m_queue.nextTime(); }
    qsizetype pendingEvents() const { return m_queue.size(); }
    quint64 eventsRun() const { return m_eventsRun; }

private:
    void setNow(SimTime t) { m_now.store(t.count(), std::memory_order_relaxed); }

    EventQueue m_queue;
    std::atomic<qint64> m_now;
    quint64 m_eventsRun = 0;
    bool m_stopRequested = false;
};

} // namespace swarmscope
