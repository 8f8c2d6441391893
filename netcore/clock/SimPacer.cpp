#include "clock/SimPacer.h"

#include "clock/RealScheduler.h"

#include <algorithm>
#include <cmath>

namespace swarmscope {

namespace {

// Wall time one slice may run before the event loop gets a turn.
constexpr auto kSlice = std::chrono::milliseconds(20);
// The longest the clock stands still on screen while paced with nothing to do.
constexpr qint64 kMaxWaitUs = 16'000;

} // namespace

SimPacer::SimPacer(SimScheduler& scheduler, QObject* parent) : QObject(parent), m_scheduler(scheduler) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SimPacer::tick);
}

SimPacer::~SimPacer() = default;

void SimPacer::reanchor() {
    m_anchorVirtual = m_scheduler.now();
    m_anchorWall = RealScheduler::steadyNow();
}

void SimPacer::setSpeed(double speed) {
    if (!(speed > 0))
        speed = 0;
    else
        speed = std::clamp(speed, kMinSpeed, kMaxSpeed);
    if (speed == m_speed)
        return;
    m_speed = speed;
    reanchor();
    if (!m_paused)
        m_timer.start(0);
}

void SimPacer::setPaused(bool paused) {
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (paused) {
        m_timer.stop();
        m_scheduler.requestStop(); // when called from inside an event
        m_achieved = 0;
    } else {
        reanchor();
        m_measureVirtual = m_anchorVirtual;
        m_measureWall = m_anchorWall;
        m_timer.start(0);
    }
    emit pausedChanged(paused);
}

void SimPacer::setPauseAt(SimTime at) {
    m_pauseAt = at;
}

void SimPacer::step(SimTime dt) {
    if (!m_paused || dt.count() <= 0)
        return;
    m_scheduler.runUntil(m_scheduler.now() + dt);
    emit advanced(m_scheduler.now());
}

void SimPacer::stepBefore(SimTime t) {
    if (!m_paused || t <= m_scheduler.now())
        return;
    m_scheduler.runBefore(t);
    emit advanced(m_scheduler.now());
}

void SimPacer::measure() {
    const SimTime wall = RealScheduler::steadyNow();
    const qint64 wallUs = (wall - m_measureWall).count();
    if (wallUs < 500'000)
        return;
    m_achieved = double((m_scheduler.now() - m_measureVirtual).count()) / double(wallUs);
    m_measureVirtual = m_scheduler.now();
    m_measureWall = wall;
}

void SimPacer::tick() {
    if (m_paused)
        return;
    SimTime target = SimTime::max();
    if (m_speed > 0) {
        const double elapsedWall = double((RealScheduler::steadyNow() - m_anchorWall).count());
        target = m_anchorVirtual + SimTime(qint64(elapsedWall * m_speed));
    }
    // No limit at all (SimTime::max()) is not a limit that an unpaced run reaches.
    const bool limited = m_pauseAt != SimTime::max() && target >= m_pauseAt;
    if (limited)
        target = m_pauseAt;
    bool finished = m_scheduler.runUntil(target, kSlice);
    if (m_paused) { // an event paused the clock
        emit advanced(m_scheduler.now());
        return;
    }
    measure();
    emit advanced(m_scheduler.now());
    if (finished && limited) {
        setPaused(true);
        return;
    }
    if (m_speed == 0) {
        // Nothing left at all: look again soon, commands may bring new events.
        m_timer.start(m_scheduler.hasEvents() ? 0 : 10);
        return;
    }
    if (!finished) {
        // Behind: run slower rather than race to catch up later.
        reanchor();
        m_timer.start(0);
        return;
    }
    qint64 waitUs = kMaxWaitUs;
    if (m_scheduler.hasEvents()) {
        const SimTime next = m_scheduler.nextEventTime();
        const double us = double((next - m_scheduler.now()).count()) / m_speed;
        waitUs = qint64(std::min(double(kMaxWaitUs), std::max(0.0, us)));
    }
    m_timer.start(int((waitUs + 999) / 1000));
}

} // namespace swarmscope
