// The compare view's commands: View → Compare Two Runs…, and the Experiments menu.
#include "window/MainWindow.h"

#include "compare/CompareSetup.h"
#include "compare/CompareWindow.h"

#include "scenario/Experiment.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>

namespace swarmscope::ui {

namespace {

// Where the executable keeps the shipped scenario files, as `swarmscope experiment` reads them.
const QString kScenarioDir = QStringLiteral(":/scenarios");

} // namespace

void MainWindow::createCompareActions() {
    auto* compare = new QAction(QIcon::fromTheme(QStringLiteral("view-split-top-bottom")),
                                tr("&Compare Two Runs…"), this);
    compare->setObjectName(QStringLiteral("compareAction"));
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    compare->setStatusTip(tr("Run two labs side by side in simulated time, the same set-up and seed, "
                             "differing in one setting: picker, choker, latency, caps or piece size"));
    connect(compare, &QAction::triggered, this, [this]() { showCompare(); });
    m_viewMenu->addAction(compare);
    m_viewMenu->addSeparator();

    // One entry per experiment. Those whose two runs differ in one setting open the compare view set up as
    // they are; the others sweep a count or a condition over several values, which two runs side by side
    // cannot show, so their entry says how to run them from a terminal rather than pretend.
    QMenu* experiments = menuBar()->addMenu(tr("E&xperiments"));
    experiments->setObjectName(QStringLiteral("experimentsMenu"));
    experiments->setToolTipsVisible(true);
    for (const ExperimentInfo& info : experimentList()) {
        const bool fits = experimentFitsCompare(info.name);
        auto* action = experiments->addAction(fits ? info.name : tr("%1 (command line)…").arg(info.name));
        action->setObjectName(QStringLiteral("experiment-%1").arg(info.name));
        action->setToolTip(info.summary);
        action->setStatusTip(info.summary);
        connect(action, &QAction::triggered, this, [this, name = info.name]() { openExperiment(name); });
    }
}

CompareWindow* MainWindow::showCompare() {
    if (!m_compare)
        m_compare = new CompareWindow(this);
    m_compare->show();
    m_compare->raise();
    m_compare->activateWindow();
    return m_compare;
}

void MainWindow::openExperiment(const QString& name) {
    const ExperimentInfo* info = findExperiment(name);
    if (!info)
        return;
    if (!experimentFitsCompare(name)) {
        QMessageBox::information(
            this, tr("Experiment %1").arg(name),
            tr("<p><b>%1</b>: %2.</p><p>This experiment runs its scenario many times over several values, "
               "which two runs side by side cannot show. Run it from a terminal; it writes results.json, "
               "CSV tables and PNG plots:</p><pre>swarmscope experiment %1 --out %1</pre>")
                .arg(name.toHtmlEscaped(), info->summary.toHtmlEscaped()));
        return;
    }
    QString error;
    const std::optional<CompareSetup> setup = experimentCompareSetup(name, kScenarioDir, &error);
    if (!setup) {
        QMessageBox::warning(this, tr("Experiment %1").arg(name),
                             tr("The experiment's scenario cannot be read: %1").arg(error.toHtmlEscaped()));
        return;
    }
    showCompare()->start(*setup);
}

} // namespace swarmscope::ui
