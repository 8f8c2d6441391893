#pragma once

#include "clock/EventQueue.h"
#include "clock/Scheduler.h"

#include <QObject>
#include <QTimer>

namespace swarmscope {

// Real time: the steady clock, and one QTimer for all of a thread's callbacks, armed for the earliest one. A
// thread with thousands of connection timers then costs the event dispatcher a single timer.
//
// Callbacks due now (posts) run from one queued call, in order; callbacks scheduled by a running callback for
// the same instant run on the next pass, after the thread's socket events, so no chain of posts can starve
// the network.
//
// Lives in the thread whose callbacks it runs; create it in (or move it to) that thread.
class RealScheduler final : public QObject, public Scheduler {
    Q_OBJECT
public:
    explicit RealScheduler(QObject* parent = nullptr);
    ~RealScheduler() override;

    SimTime now() const override;
    Id callAt(SimTime at, Callback callback) override;
    void cancel(Id id) override;

    qsizetype pendingCallbacks() const { return m_queue.size(); }
    // The steady clock this scheduler reads.
    static SimTime steadyNow();

private:
    void arm();
    void runDue();

    EventQueue m_queue;
    QTimer m_timer;
    SimTime m_armedAt = SimTime::max();
    bool m_runPosted = false;
    bool m_running = false;
};

} // namespace swarmscope
