#include "window/ScenarioActions.h"

#include "shared/LabController.h"
#include "shared/ScenarioCapture.h"
#include "window/MainWindow.h"

#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioRun.h"
#include "scenario/ScenarioWriter.h"
#include "swarm/SwarmLab.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSaveFile>
#include <QThread>

namespace swarmscope::ui {

ScenarioActions::ScenarioActions(MainWindow* window) : QObject(window), m_window(window) {
    setObjectName(QStringLiteral("scenarioActions"));
    m_open = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("Open &Scenario…"), this);
    m_open->setObjectName(QStringLiteral("openScenarioAction"));
    m_open->setStatusTip(tr("Run a scenario file (TOML): its content, time, peer groups and timed actions, "
                            "shown in the window like any lab"));
    connect(m_open, &QAction::triggered, this, &ScenarioActions::chooseAndOpen);
    m_save = new QAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("Sa&ve Scenario…"), this);
    m_save->setObjectName(QStringLiteral("saveScenarioAction"));
    m_save->setStatusTip(tr("Write the shown torrent's set-up and the controls given so far as a scenario "
                            "file that runs it again"));
    connect(m_save, &QAction::triggered, this, &ScenarioActions::chooseAndSave);
    LabController* controller = m_window->controller();
    connect(controller, &LabController::torrentsChanged, this, &ScenarioActions::updateActions);
    connect(controller, &LabController::activeTorrentChanged, this, &ScenarioActions::updateActions);
    connect(controller, &LabController::scenarioFinished, this, [this]() {
        const ScenarioRun* run = m_window->controller()->scenarioRun();
        if (!run)
            return;
        const ScenarioResult& r = run->result();
        const int leechers = int(r.leechers().size());
        emit statusMessage(
            tr("Scenario \"%1\" ended (%2) at lab time %3 s: %4 of %5 leechers complete%6. The clock is "
               "paused; "
               "the peers stay for you to look at.")
                .arg(run->scenario().name.isEmpty() ? tr("unnamed") : run->scenario().name,
                     scenarioStopReasonName(r.stopReason), QString::number(r.endMs / 1000.0, 'f', 1))
                .arg(r.completedLeechers())
                .arg(leechers)
                .arg(r.verificationRan ? tr(", %1 verified against the piece hashes").arg(r.verifiedCount)
                                       : QString()));
    });
    updateActions();
}

ScenarioActions::~ScenarioActions() {
    // The content is being written or hashed: stop it and wait, so the run it writes into is still there.
    if (m_cancel)
        m_cancel->store(true);
    if (m_thread)
        m_thread->wait();
}

void ScenarioActions::updateActions() {
    m_save->setEnabled(m_window->controller()->activeTorrent() != 0);
    m_open->setEnabled(!isPreparing());
}

void ScenarioActions::chooseAndOpen() {
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open Scenario"), QString(),
                                                      tr("Scenarios (*.toml);;All files (*)"));
    if (!path.isEmpty())
        openScenario(path);
}

void ScenarioActions::chooseAndSave() {
    const QString name = m_window->controller()->torrentName(m_window->controller()->activeTorrent());
    QString path = QFileDialog::getSaveFileName(
        m_window, tr("Save Scenario"),
        QDir::home().filePath(QFileInfo(name).completeBaseName() + QStringLiteral(".toml")),
        tr("Scenarios (*.toml)"));
    if (path.isEmpty())
        return;
    if (!path.endsWith(QStringLiteral(".toml"), Qt::CaseInsensitive))
        path += QStringLiteral(".toml");
    saveScenario(path);
}

bool ScenarioActions::openScenario(const QString& path) {
    if (isPreparing())
        return false;
    const ScenarioParseResult parsed = readScenarioFile(path);
    if (!parsed.ok()) {
        // The parser's own line: what is wrong, the line and the key.
        QMessageBox::warning(m_window, tr("Open Scenario"),
                             tr("%1 cannot be run:\n\n%2").arg(QFileInfo(path).fileName(), parsed.message()));
        return false;
    }
    LabController* controller = m_window->controller();
    if (controller->isPreparingDemo()) {
        QMessageBox::information(m_window, tr("Open Scenario"),
                                 tr("The demo swarm is still being made; open the scenario once it runs."));
        return false;
    }
    const QList<int> torrents = controller->torrentIds();
    if (controller->isInUse()) {
        // A scenario brings a lab of its own: what runs now has to go first, and only after a yes.
        const QString question =
            torrents.isEmpty()
                ? tr("The lab's peers are still stopping. Drop them and run the scenario in a new lab?")
                : tr("A scenario runs in a lab of its own. Close %n torrent(s) now in the lab (their peers "
                     "stop; leechers' downloaded copies are deleted) and run \"%1\"?",
                     nullptr, int(torrents.size()))
                      .arg(parsed.scenario->name.isEmpty() ? QFileInfo(path).fileName()
                                                           : parsed.scenario->name);
        if (QMessageBox::question(m_window, tr("Open Scenario"), question) != QMessageBox::Yes)
            return false;
        for (int torrent : torrents)
            m_window->closeTorrent(torrent, false);
    }

    ScenarioRunOptions options;
    options.workDir = QDir(controller->labDir()).filePath(QStringLiteral("scenario-%1").arg(++m_runs));
    options.createdBy = QStringLiteral("Swarmscope");
    // The window paces simulated time as the file asks (1x by default), so the run can be watched.
    options.speed = parsed.scenario->time.speed.value_or(1.0);
    m_run = std::make_unique<ScenarioRun>(*parsed.scenario, options);
    m_cancel = std::make_shared<std::atomic<bool>>(false);

    m_progress = new QProgressDialog(tr("Making and hashing the scenario's content…"), tr("Cancel"), 0, 1000,
                                     m_window);
    m_progress->setWindowTitle(tr("Open Scenario"));
    m_progress->setWindowModality(Qt::WindowModal);
    m_progress->setMinimumDuration(300);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    m_progress->setValue(0);
    connect(m_progress, &QProgressDialog::canceled, this, [this]() {
        if (m_cancel)
            m_cancel->store(true);
    });

    ScenarioRun* run = m_run.get();
    const std::shared_ptr<std::atomic<bool>> cancel = m_cancel;
    QPointer<ScenarioActions> self(this);
    QPointer<QProgressDialog> progress = m_progress;
    m_thread = QThread::create([run, cancel, self, progress]() {
        const ContentPrepResult result = run->prepare([cancel, progress](qint64 done, qint64 total) {
            const int value = total > 0 ? int(done * 1000 / total) : 0;
            QMetaObject::invokeMethod(
                progress.data(),
                [progress, value]() {
                    if (progress)
                        progress->setValue(value);
                },
                Qt::QueuedConnection);
            return !cancel->load();
        });
        const QString error = result.ok() ? QString() : result.error;
        const bool cancelled = result.cancelled || cancel->load();
        QMetaObject::invokeMethod(
            self.data(),
            [self, error, cancelled]() {
                if (self)
                    self->finishPreparing(error, cancelled);
            },
            Qt::QueuedConnection);
    });
    connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
    m_thread->start();
    updateActions();
    emit statusMessage(tr("Preparing scenario \"%1\": %2 peers.")
                           .arg(parsed.scenario->name, QString::number(parsed.scenario->peerCount())));
    return true;
}

void ScenarioActions::finishPreparing(const QString& error, bool cancelled) {
    if (m_thread)
        m_thread->wait();
    m_thread = nullptr;
    if (m_progress)
        m_progress->deleteLater();
    m_progress = nullptr;
    m_cancel.reset();
    std::unique_ptr<ScenarioRun> run = std::move(m_run);
    updateActions();
    if (cancelled) {
        emit statusMessage(tr("Scenario cancelled; the lab is empty."));
        return;
    }
    if (!error.isEmpty()) {
        QMessageBox::warning(m_window, tr("Open Scenario"),
                             tr("The scenario's content could not be made: %1").arg(error));
        return;
    }
    const Scenario scenario = run->scenario();
    const TimeMode mode = run->timeMode();
    const quint32 seed = run->seed();
    LabController* controller = m_window->controller();
    if (!controller->runScenario(std::move(run))) {
        QMessageBox::warning(m_window, tr("Open Scenario"),
                             tr("The scenario could not start: %1").arg(controller->errorString()));
        return;
    }
    emit statusMessage(
        tr("Running scenario \"%1\": %2 peers in %3 groups, %n timed or conditional action(s); %4.", nullptr,
           int(scenario.actions.size()))
            .arg(scenario.name.isEmpty() ? tr("unnamed") : scenario.name)
            .arg(scenario.peerCount())
            .arg(scenario.groups.size())
            .arg(mode == TimeMode::Simulated ? tr("simulated time, seed %1").arg(seed) : tr("real time")));
    emit scenarioStarted();
}

bool ScenarioActions::saveScenario(const QString& path) {
    LabController* controller = m_window->controller();
    if (controller->activeTorrent() == 0) {
        QMessageBox::information(m_window, tr("Save Scenario"),
                                 tr("The lab shows no torrent: there is nothing to save."));
        return false;
    }
    const ScenarioCapture capture = captureScenario(*controller);
    if (capture.scenario.groups.isEmpty()) {
        QMessageBox::information(m_window, tr("Save Scenario"), capture.notes.join(u'\n'));
        return false;
    }
    const QByteArray toml = writeScenario(capture.scenario);
    // What is written must run: read it back as Open Scenario will.
    const QFileInfo info(path);
    const ScenarioParseResult check = parseScenario(toml, info.fileName(), info.absolutePath());
    if (!check.ok()) {
        QMessageBox::warning(m_window, tr("Save Scenario"),
                             tr("The lab's run cannot be written as a scenario: %1").arg(check.message()));
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(toml) != toml.size() || !file.commit()) {
        QMessageBox::warning(m_window, tr("Save Scenario"),
                             tr("Cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    const Scenario& s = capture.scenario;
    QString text =
        tr("Saved %1: %n peer group(s)", nullptr, int(s.groups.size())).arg(QDir::toNativeSeparators(path)) +
        tr(" and %n timed action(s).", nullptr, int(s.actions.size()));
    if (capture.exact)
        text += u' ' + tr("Run in simulated time with seed %1, it repeats this run exactly.")
                           .arg(s.time.seed.value_or(0));
    if (!capture.notes.isEmpty())
        text += QStringLiteral("\n\n") + tr("What the file does not say as the lab did:") + u'\n' +
                QStringLiteral("• ") + capture.notes.join(QStringLiteral("\n• "));
    QMessageBox box(capture.notes.isEmpty() ? QMessageBox::Information : QMessageBox::Warning,
                    tr("Save Scenario"), text, QMessageBox::Ok, m_window);
    box.exec();
    emit statusMessage(tr("Saved the run as %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

} // namespace swarmscope::ui
