#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace swarmscope {
class ScenarioRun;
}

namespace swarmscope::ui {

// One clock for two runs in simulated time, so that a comparison is fair: both labs advance in step. Each
// lab has a virtual clock of its own; this one moves a common target forward a quantum of lab time at a
// time (a fraction of a wall second at the chosen speed), lets each lab run up to it at that speed, and
// moves it on only once both stand there. While running, the two are at most one quantum apart; paused, they
// stand at exactly the same lab time. A run that has finished keeps its clock going with the other (its
// peers simply seed), so the two lab times never drift apart; the clock stops once both have finished.
//
// The runs must be started with ScenarioRunOptions::startPaused; the clock then owns their pause, speed and
// clock limit.
class CompareClock : public QObject {
    Q_OBJECT
public:
    explicit CompareClock(QObject* parent = nullptr);
    ~CompareClock() override;

    // Takes over started runs (either may be null); the clock stands paused at lab time 0.
    void setRuns(const QList<ScenarioRun*>& runs);
    void clear();

    void run();
    void pause();
    // Asked to run (it may still be on its way to the next target).
    bool isRunning() const { return m_running; }
    // Not running, and every lab stands at the same lab time.
    bool isSettled() const;
    // Virtual seconds per wall second, 0.1 to 100; 0 as fast as the CPU allows.
    void setSpeed(double speed);
    double speed() const { return m_speed; }
    // The lab time every lab has reached.
    qint64 labMs() const;
    // Every run has finished.
    bool isDone() const;

    // Lab ms the target moves by at a speed.
    static qint64 quantumMs(double speed);

signals:
    // The lab time, running or not, or the runs changed.
    void changed();

private:
    void poll();
    void advance();
    void onRunFinished(ScenarioRun* run);

    QList<QPointer<ScenarioRun>> m_runs;
    QTimer m_poll;
    qint64 m_target = 0;
    qint64 m_reported = -1;
    bool m_running = false;
    double m_speed = 1.0;
};

} // namespace swarmscope::ui
