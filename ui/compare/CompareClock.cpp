#include "compare/CompareClock.h"

#include "scenario/ScenarioRun.h"
#include "swarm/SwarmLab.h"

#include <algorithm>

namespace swarmscope::ui {

CompareClock::CompareClock(QObject* parent) : QObject(parent) {
    // Short enough that a lab waiting at the target costs little at the fastest speed.
    m_poll.setInterval(5);
    connect(&m_poll, &QTimer::timeout, this, &CompareClock::poll);
}

CompareClock::~CompareClock() = default;

qint64 CompareClock::quantumMs(double speed) {
    // About a fifth of a wall second at the speed: pausing answers within that, and the two labs are never
    // further apart on screen. As fast as possible, a second of lab time.
    if (!(speed > 0))
        return 1000;
    return std::clamp<qint64>(qint64(speed * 200), 20, 5000);
}

void CompareClock::setRuns(const QList<ScenarioRun*>& runs) {
    clear();
    for (ScenarioRun* run : runs) {
        if (!run || !run->lab())
            continue;
        m_runs.append(run);
        run->lab()->setSpeed(m_speed);
        connect(run, &ScenarioRun::finished, this, [this, run]() { onRunFinished(run); });
    }
    emit changed();
}

void CompareClock::clear() {
    for (const QPointer<ScenarioRun>& run : std::as_const(m_runs))
        if (run)
            disconnect(run, nullptr, this, nullptr);
    m_runs.clear();
    m_poll.stop();
    m_running = false;
    m_target = 0;
    m_reported = -1;
}

void CompareClock::run() {
    if (m_runs.isEmpty() || isDone())
        return;
    m_running = true;
    m_poll.start();
    poll();
    emit changed();
}

void CompareClock::pause() {
    // The labs run on to the current target and stop there, both at the same instant.
    m_running = false;
    emit changed();
}

void CompareClock::setSpeed(double speed) {
    m_speed = speed > 0 ? std::clamp(speed, 0.1, 100.0) : 0.0;
    for (const QPointer<ScenarioRun>& run : std::as_const(m_runs))
        if (run && run->lab())
            run->lab()->setSpeed(m_speed);
    emit changed();
}

qint64 CompareClock::labMs() const {
    qint64 ms = -1;
    for (const QPointer<ScenarioRun>& run : m_runs)
        if (run && run->lab())
            ms = ms < 0 ? run->lab()->nowMs() : std::min(ms, run->lab()->nowMs());
    return std::max<qint64>(0, ms);
}

bool CompareClock::isSettled() const {
    if (m_running)
        return false;
    for (const QPointer<ScenarioRun>& run : m_runs)
        if (run && run->lab() && run->lab()->nowMs() != m_target)
            return false;
    return true;
}

bool CompareClock::isDone() const {
    if (m_runs.isEmpty())
        return false;
    for (const QPointer<ScenarioRun>& run : m_runs)
        if (run && !run->isFinished())
            return false;
    return true;
}

void CompareClock::onRunFinished(ScenarioRun* run) {
    // The run stopped its clock at its last sample; from here on this clock drives it with the other, so
    // that both still show the same lab time.
    if (SwarmLab* lab = run->lab()) {
        lab->setHoldAfterSamples(false);
        lab->resumeAll();
    }
    if (isDone())
        m_running = false;
    m_poll.start();
    emit changed();
}

void CompareClock::poll() {
    bool reached = true;
    for (const QPointer<ScenarioRun>& run : std::as_const(m_runs))
        if (run && run->lab() && run->lab()->nowMs() < m_target)
            reached = false;
    if (reached && m_running && !isDone())
        advance();
    else if (reached)
        m_poll.stop(); // settled: nothing moves until run()
    const qint64 now = labMs();
    if (now != m_reported || !m_poll.isActive()) {
        m_reported = now;
        emit changed();
    }
}

void CompareClock::advance() {
    m_target += quantumMs(m_speed);
    for (const QPointer<ScenarioRun>& run : std::as_const(m_runs)) {
        if (!run || !run->lab())
            continue;
        run->lab()->setClockLimit(m_target);
        run->lab()->resumeAll();
    }
}

} // namespace swarmscope::ui
