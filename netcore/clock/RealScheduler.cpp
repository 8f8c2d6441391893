#include "clock/RealScheduler.h"

#include <limits>

namespace swarmscope {

RealScheduler::RealScheduler(QObject* parent) : QObject(parent) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_armedAt = SimTime::max();
        runDue();
    });
}

RealScheduler::~RealScheduler() = default;

SimTime RealScheduler::steadyNow() {
    return std::chrono::duration_cast<SimTime>(std::chrono::steady_clock::now().time_since_epoch());
}

SimTime RealScheduler::now() const {
    return steadyNow();
}

Scheduler::Id RealScheduler::callAt(SimTime at, Callback callback) {
    const Id id = m_queue.push(at, std::move(callback));
    if (!m_running)
        arm();
    return id;
}

void RealScheduler::cancel(Id id) {
    m_queue.cancel(id);
    // A timer armed for a cancelled callback just finds nothing due when it fires.
}

void RealScheduler::arm() {
    if (m_queue.isEmpty())
        return;
    const SimTime next = m_queue.nextTime();
    const SimTime now = steadyNow();
    if (next <= now) {
        // A queued call is cheaper for the dispatcher than restarting a timer.
        if (!m_runPosted) {
            m_runPosted = true;
            QMetaObject::invokeMethod(
                this,
                [this] {
                    m_runPosted = false;
                    runDue();
                },
                Qt::QueuedConnection);
        }
        return;
    }
    if (m_timer.isActive() && m_armedAt <= next)
        return;
    // QTimer counts whole milliseconds: round up, so a callback never runs before its time.
    const qint64 ms = ((next - now).count() + 999) / 1000;
    m_armedAt = next;
    m_timer.start(int(qMin<qint64>(ms, std::numeric_limits<int>::max())));
}

void RealScheduler::runDue() {
    if (m_running)
        return;
    m_running = true;
    // Only what was scheduled before this pass began: later posts wait for the next pass.
    const quint64 last = m_queue.lastSequence();
    SimTime now = steadyNow();
    while (!m_queue.isEmpty() && m_queue.nextTime() <= now && m_queue.nextSequence() <= last) {
        Callback callback = m_queue.takeNext();
        callback();
        now = steadyNow();
    }
    m_running = false;
    arm();
}

} // namespace swarmscope
