#pragma once

#include "compare/CompareSetup.h"

#include "swarm/SwarmSnapshot.h"

#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPushButton;

namespace swarmscope {
class ScenarioRun;
}

namespace swarmscope::ui {

class CompareClock;
class CompareCompletionChart;
class CompareRunPane;

// The compare view, a window of its own: two labs run side by side in simulated time, from the same
// set-up and the same seed, differing in exactly one setting. A form picks the set-up (the demo swarm or a
// scenario file), the setting and its two values; a banner says in words what differs; the two runs' piece
// maps sit one above the other, their completion curves share one chart, and each run says when its last
// leecher finished against the Kumar–Ross bound. One clock runs both (CompareClock): Run/Pause and the
// speed act on the two at once, and paused they stand at the same lab time.
class CompareWindow : public QWidget {
    Q_OBJECT
public:
    explicit CompareWindow(QWidget* parent = nullptr);
    ~CompareWindow() override;

    // Fills the form with setup (the set-up offered as its own entry); start() then runs it.
    void setSetup(const CompareSetup& setup);
    // What the form says now.
    std::optional<CompareSetup> setup(QString* error = nullptr) const;
    // Builds both runs from the form and runs them; false, with the reason shown and in errorText(), when a
    // value is out of range or a lab cannot start.
    bool start();
    // Starts setup at once.
    bool start(const CompareSetup& setup);

    // --- the shared clock
    void run();
    void pause();
    // 0: as fast as possible.
    void setSpeed(double speed);

    CompareClock* clock() const { return m_clock; }
    // The runs, A then B (null before start()).
    ScenarioRun* run(int index) const;
    CompareRunPane* pane(int index) const;
    CompareCompletionChart* chart() const { return m_chart; }
    // The banner: what differs, in a sentence.
    QString differenceText() const;
    QString errorText() const { return m_error; }
    // Lets the user open a scenario file from the form; tests give one directly.
    bool loadScenarioFile(const QString& path);

signals:
    // Both runs have finished.
    void finished();

protected:
    // A closed compare view stops its clock: two labs at full speed behind no window help nobody.
    void hideEvent(QHideEvent* event) override;

private:
    void buildForm(QWidget* form);
    void onSettingChanged();
    void onBaseChanged(int index);
    void chooseScenarioFile();
    void updateClockControls();
    void onRunFinished(int index);
    void showError(const QString& message);
    void clearRuns();
    void updateSummary();

    CompareClock* m_clock = nullptr;
    QList<ScenarioRun*> m_runs;
    QList<CompareRunPane*> m_panes;
    CompareCompletionChart* m_chart = nullptr;
    QList<Scenario> m_bases;    // the set-up combo's scenarios, by index
    QList<QString> m_baseNames; // and what the view calls them
    QComboBox* m_base = nullptr;
    QComboBox* m_setting = nullptr;
    QComboBox* m_valueA = nullptr;
    QComboBox* m_valueB = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_runPause = nullptr;
    QComboBox* m_speed = nullptr;
    QLabel* m_time = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_errorLabel = nullptr;
    QLabel* m_summary = nullptr;
    QList<QString> m_values; // A's and B's value of the setting
    QString m_error;
    QString m_difference;
    QTimer m_refresh;
    bool m_reportedFinished = false;
};

} // namespace swarmscope::ui
