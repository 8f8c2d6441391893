#pragma once

#include "clock/SimScheduler.h"

#include <QObject>
#include <QTimer>

namespace swarmscope {

// Drives a SimScheduler from its thread's event loop: paces virtual time against wall time at a speed from
// 0.1x to 100x, or runs as fast as the CPU allows (speed 0), and pauses and steps it. It runs in slices of a
// few milliseconds of wall time and returns to the event loop between them, so commands from other threads
// (queued calls) and deferred deletes are handled while a run goes on, and they take effect between two
// events.
//
// When the CPU cannot keep up with the speed asked for, the pacer does not try to catch up later: virtual
// time simply runs slower, and achievedSpeed() says how fast.
//
// Starts paused. Lives in the scheduler's thread.
class SimPacer : public QObject {
    Q_OBJECT
public:
    static constexpr double kMinSpeed = 0.1;
    static constexpr double kMaxSpeed = 100.0;

    explicit SimPacer(SimScheduler& scheduler, QObject* parent = nullptr);
    ~SimPacer() override;

    SimScheduler& scheduler() const { return m_scheduler; }

    // 0: as fast as possible; otherwise clamped to [kMinSpeed, kMaxSpeed].
    void setSpeed(double speed);
    double speed() const { return m_speed; }
    // Virtual seconds per wall second over the last second or so of running.
    double achievedSpeed() const { return m_achieved; }

    // Pausing from inside an event stops the clock right after that event.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // Advances the clock by dt, running every event that falls due, and stays paused. Ignored while running.
    void step(SimTime dt);
    // Advances the clock to t, running every event before it (not those at t), and stays paused: the clock
    // stands at the start of instant t. Ignored while running or when t is not ahead.
    void stepBefore(SimTime t);
    // Runs until the clock reaches at, then pauses there (SimTime::max(): no such limit).
    void setPauseAt(SimTime at);

signals:
    void pausedChanged(bool paused);
    // After each slice: where the clock is now.
    void advanced(swarmscope::SimTime now);

private:
    void tick();
    void reanchor();
    void measure();

    SimScheduler& m_scheduler;
    QTimer m_timer;
    double m_speed = 1.0;
    double m_achieved = 0.0;
    bool m_paused = true;
    SimTime m_pauseAt = SimTime::max();
    SimTime m_anchorVirtual = SimTime::zero();
    SimTime m_anchorWall = SimTime::zero();
    SimTime m_measureVirtual = SimTime::zero();
    SimTime m_measureWall = SimTime::zero();
};

} // namespace swarmscope
