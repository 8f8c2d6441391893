#pragma once

#include <QToolBar>

class QAction;
class QActionGroup;
class QComboBox;
class QLabel;
class QToolButton;

namespace swarmscope::ui {

class LabController;

// The lab's clock, as a toolbar:
// - which clock the lab runs on, real time over TCP or simulated time on the simulated network (chosen while
//   the lab holds no torrent: the choice replaces the lab);
// - Pause / Run: in simulated time the virtual clock stops, so nothing at all happens until it runs again;
//   in real time every peer is paused;
// - the speed, 0.1x to 100x or as fast as the CPU allows, and a step of 100 ms, 1 s or 10 s while paused
//   (simulated time only: in real time both are greyed, and their tooltips say why);
// - the lab time, and the speed the CPU achieves when it cannot keep up with the one asked for.
class ClockBar : public QToolBar {
    Q_OBJECT
public:
    explicit ClockBar(LabController* controller, QWidget* parent = nullptr);

    QAction* realTimeAction() const { return m_realTime; }
    QAction* simulatedTimeAction() const { return m_simulatedTime; }
    QAction* pauseAction() const { return m_pause; }
    QAction* stepAction() const { return m_step; }
    QComboBox* speedBox() const { return m_speed; }
    // What the clock label says now.
    QString clockText() const;
    // The step the step action takes, in ms.
    qint64 stepMs() const { return m_stepMs; }
    void setStepMs(qint64 ms);
    // Space pauses and runs the lab too (besides Ctrl+Space) while no peer is selected; with peers selected,
    // Space is theirs.
    void setSpaceAlsoPauses(bool also);
    // The settings key that remembers the clock last chosen here ("real" or "simulated").
    static QString rememberedTimeModeKey();

    // Pause or run the clock (simulated time) or every peer (real time).
    void togglePause();
    // Sets the speed (0: as fast as the CPU allows); false when the lab's clock cannot be paced.
    bool setSpeed(double speed);
    // Advances a paused simulated clock by stepMs().
    bool step();

signals:
    // A sentence for the status bar: what a control did, or why it could not.
    void message(const QString& text);

private:
    void connectLab();
    void chooseTimeMode(bool simulated);
    void refresh();

    LabController* m_controller;
    QActionGroup* m_timeModes;
    QAction* m_realTime;
    QAction* m_simulatedTime;
    QAction* m_pause;
    QAction* m_step;
    QToolButton* m_stepButton;
    QComboBox* m_speed;
    QLabel* m_clock;
    qint64 m_labMs = 0;
    qint64 m_stepMs = 1000;
};

} // namespace swarmscope::ui
