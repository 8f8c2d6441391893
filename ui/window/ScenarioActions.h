#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <memory>

class QAction;
class QProgressDialog;
class QThread;

namespace swarmscope {
class ScenarioRun;
}

namespace swarmscope::ui {

class MainWindow;

// File → Open Scenario… and Save Scenario…: a scenario file (docs/SCENARIOS.md) run in the window, and the
// window's run written as one. Opening reads and checks the whole file first, so a bad one changes nothing;
// a lab in use is closed only after a yes. The content is made and hashed off the GUI thread, with a
// progress dialog that can cancel. Saving lists what the file cannot say in its confirmation.
class ScenarioActions : public QObject {
    Q_OBJECT
public:
    explicit ScenarioActions(MainWindow* window);
    ~ScenarioActions() override;

    QAction* openAction() const { return m_open; }
    QAction* saveAction() const { return m_save; }

    // Reads the file, asks to close the lab's torrents when it holds any, and prepares and starts the run;
    // false when it did not start preparing (a bad file, a no, a run already being prepared).
    bool openScenario(const QString& path);
    bool isPreparing() const { return m_thread != nullptr; }
    // Writes the shown torrent's run to path and confirms it, with what the file leaves out; false when
    // nothing was written.
    bool saveScenario(const QString& path);

signals:
    void statusMessage(const QString& message);
    // The scenario's lab is in the window and running.
    void scenarioStarted();

private:
    void chooseAndOpen();
    void chooseAndSave();
    void finishPreparing(const QString& error, bool cancelled);
    void updateActions();

    MainWindow* m_window;
    QAction* m_open;
    QAction* m_save;
    std::unique_ptr<ScenarioRun> m_run; // being prepared
    QPointer<QThread> m_thread;
    QPointer<QProgressDialog> m_progress;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    int m_runs = 0;
};

} // namespace swarmscope::ui
