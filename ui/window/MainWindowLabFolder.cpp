// Where the lab keeps its peers' files: the run folder shown, opened, moved and cleaned up.
#include "window/MainWindow.h"

#include "window/ControlPanel.h"
#include "window/LabFolder.h"

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QStatusBar>
#include <QUrl>

namespace swarmscope::ui {

void MainWindow::removeRunFolder(const QString& folder) {
    if (folder.isEmpty() || LabFolder::keepRuns())
        return;
    // Only the folder this window made: the peers' downloaded copies and the demo's generated data. A
    // seeder's source outside it is served in place and never touched.
    QDir(folder).removeRecursively();
}

QString MainWindow::labFolder() const {
    return m_controller->labDir();
}

QString MainWindow::labParentFolder() const {
    return LabFolder::parent();
}

bool MainWindow::setLabParentFolder(const QString& folder) {
    LabFolder::setParent(folder);
    if (m_controller->isInUse()) {
        statusBar()->showMessage(
            tr("From the next start, peers keep their files in %1; this run's stay in %2.")
                .arg(QDir::toNativeSeparators(folder), QDir::toNativeSeparators(m_controller->labDir())),
            10000);
        showLabFolder();
        return false;
    }
    QString error;
    const QString run = LabFolder::makeRunFolder(folder, &error);
    if (run.isEmpty()) {
        statusBar()->showMessage(error, 10000);
        return false;
    }
    const QString old = m_runFolder;
    if (!m_controller->relocate(run)) {
        QDir(run).removeRecursively();
        statusBar()->showMessage(tr("The lab cannot use %1: %2")
                                     .arg(QDir::toNativeSeparators(folder), m_controller->errorString()),
                                 10000);
        return false;
    }
    m_runFolder = run;
    removeRunFolder(old);
    selectPeer(0);
    statusBar()->showMessage(tr("Peers keep their files in %1").arg(QDir::toNativeSeparators(run)), 10000);
    showLabFolder();
    return true;
}

void MainWindow::showLabFolder() {
    const QString folder = QDir::toNativeSeparators(m_controller->labDir());
    m_controls->setLabFolder(folder, QDir::toNativeSeparators(LabFolder::parent()));
    m_labFolderAction->setStatusTip(tr("Open %1 in the file manager").arg(folder));
}

void MainWindow::openLabFolder() {
    QDesktopServices::openUrl(QUrl::fromLocalFile(m_controller->labDir()));
}

void MainWindow::chooseLabFolder() {
    const QString folder =
        QFileDialog::getExistingDirectory(this, tr("Folder for the Lab's Runs"), LabFolder::parent());
    if (!folder.isEmpty())
        setLabParentFolder(folder);
}

} // namespace swarmscope::ui
