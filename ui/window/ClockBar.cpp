#include "window/ClockBar.h"

#include "scenario/ScenarioRun.h"
#include "shared/LabController.h"
#include "shared/SizeFormat.h"
#include "swarm/SwarmLab.h"

#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QStyle>
#include <QToolButton>

#include <cmath>

namespace swarmscope::ui {

namespace {

QString speedText(double speed) {
    if (speed <= 0)
        return QObject::tr("fastest");
    return QStringLiteral("%1\u00d7").arg(speed, 0, 'g', 3);
}

} // namespace

ClockBar::ClockBar(LabController* controller, QWidget* parent)
    : QToolBar(tr("Clock"), parent), m_controller(controller) {
    setObjectName(QStringLiteral("clockToolbar"));
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_timeModes = new QActionGroup(this);
    m_realTime = new QAction(tr("Real Time"), m_timeModes);
    m_realTime->setCheckable(true);
    m_realTime->setObjectName(QStringLiteral("realTimeAction"));
    m_simulatedTime = new QAction(tr("Simulated Time"), m_timeModes);
    m_simulatedTime->setCheckable(true);
    m_simulatedTime->setObjectName(QStringLiteral("simulatedTimeAction"));
    connect(m_realTime, &QAction::triggered, this, [this]() { chooseTimeMode(false); });
    connect(m_simulatedTime, &QAction::triggered, this, [this]() { chooseTimeMode(true); });
    addActions({m_realTime, m_simulatedTime});
    addSeparator();

    m_pause = new QAction(this);
    m_pause->setObjectName(QStringLiteral("pauseLabAction"));
    setSpaceAlsoPauses(true);
    connect(m_pause, &QAction::triggered, this, &ClockBar::togglePause);
    addAction(m_pause);

    m_step = new QAction(QApplication::style()->standardIcon(QStyle::SP_MediaSeekForward), tr("Step"), this);
    m_step->setObjectName(QStringLiteral("stepLabAction"));
    m_step->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Right));
    connect(m_step, &QAction::triggered, this, &ClockBar::step);
    auto* stepMenu = new QMenu(this);
    auto* stepSizes = new QActionGroup(stepMenu);
    for (const qint64 ms : {100, 1000, 10000}) {
        QAction* size =
            stepMenu->addAction(ms < 1000 ? tr("Step %1 ms").arg(ms) : tr("Step %1 s").arg(ms / 1000));
        size->setCheckable(true);
        size->setChecked(ms == m_stepMs);
        stepSizes->addAction(size);
        connect(size, &QAction::triggered, this, [this, ms]() { setStepMs(ms); });
    }
    m_stepButton = new QToolButton(this);
    m_stepButton->setDefaultAction(m_step);
    m_stepButton->setMenu(stepMenu);
    m_stepButton->setPopupMode(QToolButton::MenuButtonPopup);
    m_stepButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addWidget(m_stepButton);

    m_speed = new QComboBox(this);
    m_speed->setObjectName(QStringLiteral("speedBox"));
    for (const double speed : {0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 0.0})
        m_speed->addItem(speed > 0 ? speedText(speed) : tr("As fast as possible"), speed);
    m_speed->setCurrentIndex(m_speed->findData(1.0));
    connect(m_speed, &QComboBox::activated, this,
            [this](int index) { setSpeed(m_speed->itemData(index).toDouble()); });
    addWidget(m_speed);
    addSeparator();

    m_clock = new QLabel(this);
    m_clock->setObjectName(QStringLiteral("labClock"));
    m_clock->setTextFormat(Qt::PlainText);
    m_clock->setMargin(4);
    addWidget(m_clock);

    connect(m_controller, &LabController::labReplaced, this, &ClockBar::connectLab);
    connect(m_controller, &LabController::torrentsChanged, this, &ClockBar::refresh);
    connect(m_controller, &LabController::snapshotReady, this, [this](const SwarmSnapshotPtr& snapshot) {
        if (snapshot)
            m_labMs = snapshot->timeMs;
        refresh();
    });
    connectLab();
}

void ClockBar::connectLab() {
    m_labMs = 0;
    // A scenario's lab comes with its own speed.
    if (const int index = m_speed->findData(m_controller->lab()->speed()); index >= 0)
        m_speed->setCurrentIndex(index);
    connect(m_controller->lab(), &SwarmLab::clockChanged, this, [this](qint64 labMs, bool, double, double) {
        m_labMs = labMs;
        refresh();
    });
    refresh();
}

QString ClockBar::rememberedTimeModeKey() {
    return QStringLiteral("lab/timeMode");
}

void ClockBar::setSpaceAlsoPauses(bool also) {
    const QKeySequence ctrlSpace(Qt::CTRL | Qt::Key_Space);
    m_pause->setShortcuts(also ? QList<QKeySequence>{ctrlSpace, QKeySequence(Qt::Key_Space)}
                               : QList<QKeySequence>{ctrlSpace});
}

void ClockBar::setStepMs(qint64 ms) {
    m_stepMs = qMax<qint64>(1, ms);
    refresh();
}

void ClockBar::chooseTimeMode(bool simulated) {
    const TimeMode mode = simulated ? TimeMode::Simulated : TimeMode::Real;
    if (m_controller->timeMode() == mode)
        return;
    if (!m_controller->setTimeMode(mode)) {
        emit message(m_controller->isInUse()
                         ? tr("The clock can change only while the lab holds no torrent: close every torrent "
                              "first.")
                         : tr("The lab could not start: %1").arg(m_controller->errorString()));
    } else {
        QSettings().setValue(rememberedTimeModeKey(), timeModeName(mode));
        emit message(simulated ? tr("Simulated time, seed %1: the peers and the tracker run on a simulated "
                                    "network on a virtual clock, which you can pause, pace and step. Outside "
                                    "clients cannot join it.")
                                     .arg(m_controller->lab()->seed())
                               : tr("Real time: the peers talk TCP on 127.0.0.1, and outside clients can "
                                    "join."));
    }
    refresh();
}

void ClockBar::togglePause() {
    SwarmLab* lab = m_controller->lab();
    if (lab->isPausedAll())
        lab->resumeAll();
    else
        lab->pauseAll();
    if (!lab->controlsClock())
        emit message(lab->isPausedAll() ? tr("Every peer is paused: real time goes on, but no peer sends or "
                                             "receives.")
                                        : tr("Every peer runs again."));
    refresh();
}

bool ClockBar::setSpeed(double speed) {
    QString why;
    if (!m_controller->lab()->setSpeed(speed, &why)) {
        emit message(tr("The speed cannot change: %1.").arg(why));
        return false;
    }
    const int index = m_speed->findData(m_controller->lab()->speed());
    if (index >= 0)
        m_speed->setCurrentIndex(index);
    refresh();
    return true;
}

bool ClockBar::step() {
    QString why;
    if (!m_controller->lab()->step(m_stepMs, &why)) {
        emit message(tr("Cannot step: %1.").arg(why));
        return false;
    }
    return true;
}

QString ClockBar::clockText() const {
    const SwarmLab* lab = m_controller->lab();
    // A scenario's run says which, so that the time, seed and speed read as the file's.
    QString scenario;
    if (const ScenarioRun* run = m_controller->scenarioRun(); run && run->lab() == lab)
        scenario = tr(" \u00b7 scenario \u201c%1\u201d")
                       .arg(run->scenario().name.isEmpty() ? tr("unnamed") : run->scenario().name);
    if (!lab->controlsClock())
        return tr("Lab time %1 \u00b7 real time%2%3")
            .arg(formatLabTime(m_labMs, 0), scenario,
                 lab->isPausedAll() ? tr(" \u00b7 every peer paused") : QString());
    QString text =
        tr("Lab time %1 \u00b7 simulated, seed %2").arg(formatLabTime(m_labMs, 1)).arg(lab->seed()) +
        scenario;
    if (lab->isPausedAll())
        return text + tr(" \u00b7 paused");
    text += QStringLiteral(" \u00b7 ") + speedText(lab->speed());
    // Said only when the CPU falls short of the speed asked for (or as fast as possible: how fast that is).
    const double achieved = lab->achievedSpeed();
    if (achieved > 0 && (lab->speed() <= 0 || achieved < lab->speed() * 0.9))
        text += tr(" (%1 achieved)").arg(speedText(std::round(achieved * 100) / 100));
    return text;
}

void ClockBar::refresh() {
    const SwarmLab* lab = m_controller->lab();
    const bool simulated = lab->controlsClock();
    const bool paused = lab->isPausedAll();
    (simulated ? m_simulatedTime : m_realTime)->setChecked(true);
    const bool canChange = !m_controller->isInUse();
    const QString modeTip =
        canChange ? QString() : tr(" The clock can change only while the lab holds no torrent.");
    m_realTime->setEnabled(canChange || !simulated);
    m_simulatedTime->setEnabled(canChange || simulated);
    m_realTime->setToolTip(tr("Peers talk TCP on 127.0.0.1 on the wall clock; outside clients can join.") +
                           modeTip);
    m_simulatedTime->setToolTip(tr("Peers run on a simulated network on a virtual clock that can be paused, "
                                   "slowed, sped up and stepped; a run with the same seed repeats exactly.") +
                                modeTip);

    m_pause->setText(paused ? tr("Run") : tr("Pause"));
    m_pause->setIcon(
        QApplication::style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_pause->setToolTip(
        simulated ? (paused ? tr("Run the lab's clock again (Ctrl+Space)")
                            : tr("Stop the lab's clock: nothing happens until it runs (Ctrl+Space)"))
                  : (paused ? tr("Resume every peer (Ctrl+Space)")
                            : tr("Pause every peer; real time goes on (Ctrl+Space)")));

    const QString reason = lab->clockControlUnavailableReason();
    m_step->setText(m_stepMs < 1000 ? tr("Step %1 ms").arg(m_stepMs) : tr("Step %1 s").arg(m_stepMs / 1000));
    m_step->setEnabled(simulated && paused);
    m_stepButton->setEnabled(simulated && paused);
    m_step->setToolTip(simulated ? (paused ? tr("Advance the paused clock by this much (Ctrl+Right)")
                                           : tr("Pause the clock first, then step it"))
                                 : tr("Unavailable: %1.").arg(reason));
    m_stepButton->setToolTip(m_step->toolTip());
    // The lab's speed, listed when it is not one of the usual ones (a demo's slow motion).
    if (simulated) {
        const double speed = lab->speed();
        int index = m_speed->findData(speed);
        if (index < 0) {
            index = 0;
            while (index < m_speed->count() && m_speed->itemData(index).toDouble() > 0 &&
                   m_speed->itemData(index).toDouble() < speed)
                ++index;
            m_speed->insertItem(index, speedText(speed), speed);
        }
        m_speed->setCurrentIndex(index);
    }
    m_speed->setEnabled(simulated);
    m_speed->setToolTip(simulated ? tr("How fast the lab's clock runs against the wall clock")
                                  : tr("Unavailable: %1.").arg(reason));
    m_clock->setText(clockText());
}

} // namespace swarmscope::ui
