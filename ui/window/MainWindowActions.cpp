// The window's commands: actions, menus, the toolbar, and the dialogs they open.
#include "window/MainWindow.h"

#include "observe/ObserveDialog.h"
#include "observe/ObserverWindow.h"

#include "piecemap/PieceMapWidget.h"
#include "shared/PeerSelection.h"
#include "window/ClockBar.h"
#include "window/ControlPanel.h"
#include "window/EmptySwarmOverlay.h"
#include "window/LabFolder.h"
#include "window/PeerActions.h"
#include "window/ScenarioActions.h"
#include "window/TorrentImporter.h"

#include "swarm/SwarmLab.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolBar>

namespace swarmscope::ui {

namespace {

QAction* makeAction(QObject* parent, const QString& icon, const QString& text, const QKeySequence& shortcut,
                    const QString& toolTip) {
    auto* action = new QAction(QIcon::fromTheme(icon), text, parent);
    action->setShortcut(shortcut);
    const QString keys = shortcut.toString(QKeySequence::NativeText);
    action->setToolTip(keys.isEmpty() ? toolTip : QStringLiteral("%1 (%2)").arg(toolTip, keys));
    action->setStatusTip(toolTip);
    return action;
}

} // namespace

void MainWindow::createActions() {
    m_createAction =
        makeAction(this, QStringLiteral("document-new"), tr("&Create Torrent…"), QKeySequence::New,
                   tr("Hash a file or folder into a new .torrent, then seed it in the lab"));
    connect(m_createAction, &QAction::triggered, this, [this]() { createTorrentFrom(QString()); });
    m_openAction = makeAction(this, QStringLiteral("document-open"), tr("&Open Torrent…"), QKeySequence::Open,
                              tr("Add an existing .torrent to the lab, seeded from a folder or not"));
    connect(m_openAction, &QAction::triggered, this, &MainWindow::showOpenDialog);
    m_demoAction = makeAction(
        this, QStringLiteral("media-playback-start"), tr("&Demo Swarm"), QKeySequence(Qt::CTRL | Qt::Key_D),
        tr("Start a ready swarm: an 8 MiB file, one seeder and eight leechers. Watch the "
           "piece map fill and the graph's arrows spread out from the seeder"));
    connect(m_demoAction, &QAction::triggered, this, &MainWindow::startDemo);
    m_labFolderAction = makeAction(this, QStringLiteral("folder-open"), tr("Open &Lab Folder"),
                                   QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                                   tr("Show the folder where the lab's peers keep their files"));
    connect(m_labFolderAction, &QAction::triggered, this, &MainWindow::openLabFolder);
    m_chooseLabFolderAction =
        makeAction(this, QStringLiteral("folder"), tr("C&hoose Lab Folder…"), {},
                   tr("Pick where the lab keeps its peers' files: every run gets a folder of its own there"));
    connect(m_chooseLabFolderAction, &QAction::triggered, this, &MainWindow::chooseLabFolder);
    m_keepLabFoldersAction = new QAction(tr("&Keep Run Folders After Closing"), this);
    m_keepLabFoldersAction->setCheckable(true);
    m_keepLabFoldersAction->setChecked(LabFolder::keepRuns());
    m_keepLabFoldersAction->setStatusTip(tr("Unchecked, a run's folder (the peers' downloaded copies and the "
                                            "demo's data) is deleted when Swarmscope closes"));
    connect(m_keepLabFoldersAction, &QAction::toggled, this, [](bool keep) { LabFolder::setKeepRuns(keep); });
    m_closeTorrentAction =
        makeAction(this, QStringLiteral("document-close"), tr("&Close Torrent"), QKeySequence::Close,
                   tr("Remove the shown torrent's peers from the lab and take it out of "
                      "the window; the .torrent file and a seeder's data stay"));
    m_closeTorrentAction->setObjectName(QStringLiteral("closeTorrentAction"));
    m_closeTorrentAction->setEnabled(false);
    connect(m_closeTorrentAction, &QAction::triggered, this,
            [this]() { closeTorrent(m_controller->activeTorrent(), true); });
    auto* quit = makeAction(this, QStringLiteral("application-exit"), tr("&Quit"), QKeySequence::Quit,
                            tr("Stop every peer and the tracker, and close Swarmscope"));
    connect(quit, &QAction::triggered, this, &QWidget::close);

    m_peerCount = new QSpinBox(this);
    m_peerCount->setObjectName(QStringLiteral("peerCount"));
    m_peerCount->setRange(1, 200);
    m_peerCount->setValue(1);
    m_peerCount->setPrefix(tr("× "));
    m_peerCount->setToolTip(tr("How many peers + Seeder and + Leecher add at once. More leechers make a "
                               "busier swarm: watch the graph's arrows multiply, and the Kumar–Ross bound "
                               "(Help) grow with N."));
    m_addSeedersAction = makeAction(this, QStringLiteral("list-add"), tr("+ &Seeder"),
                                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                                    tr("Add seeders to the shown torrent: peers that have the whole file and "
                                       "upload it. Watch the Kumar–Ross bound (Help) shrink: its first term "
                                       "is the file over the seeders' upload"));
    connect(m_addSeedersAction, &QAction::triggered, this, [this]() { addSeeders(m_peerCount->value()); });
    m_addLeechersAction = makeAction(this, QStringLiteral("list-add"), tr("+ &Leecher"),
                                     QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L),
                                     tr("Add leechers to the shown torrent: peers that download it from "
                                        "the seeders and from each other. Watch each new row in the piece "
                                        "map fill, fastest once it has pieces to trade"));
    connect(m_addLeechersAction, &QAction::triggered, this, [this]() { addLeechers(m_peerCount->value()); });
    m_addSeedersAction->setObjectName(QStringLiteral("addSeedersAction"));
    m_addLeechersAction->setObjectName(QStringLiteral("addLeechersAction"));
    m_createAction->setObjectName(QStringLiteral("createTorrentAction"));
    m_openAction->setObjectName(QStringLiteral("openTorrentAction"));
    m_demoAction->setObjectName(QStringLiteral("demoAction"));
    m_addSeedersAction->setEnabled(false);
    m_addLeechersAction->setEnabled(false);

    auto* about = makeAction(this, QStringLiteral("help-about"), tr("&About Swarmscope"), {},
                             tr("Version and credits"));
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    auto* help = makeAction(
        this, QStringLiteral("help-contents"), tr("&What Am I Looking At?"), QKeySequence::HelpContents,
        tr("Pieces, choking, rarest first, tit-for-tat, endgame and the Kumar–Ross bound, "
           "explained beside the live views"));
    help->setObjectName(QStringLiteral("helpAction"));
    connect(help, &QAction::triggered, this, &MainWindow::showHelp);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addActions({m_createAction, m_openAction, m_demoAction, m_closeTorrentAction});
    file->addSeparator();
    // A swarm the lab does not run, watched by a peer that downloads nothing (ui/observe).
    auto* observe = makeAction(this, QStringLiteral("network-workgroup"), tr("O&bserve Swarm…"), {},
                               tr("Join another swarm, from its .torrent or a magnet link, as a peer that "
                                  "downloads nothing, and watch every peer it reaches"));
    observe->setObjectName(QStringLiteral("observeSwarmAction"));
    connect(observe, &QAction::triggered, this, [this]() {
        ObserveDialog dialog(this);
        if (dialog.exec() != QDialog::Accepted)
            return;
        auto* observer =
            new ObserverWindow(dialog.params(), dialog.listenAddress(), dialog.listenPort(), this);
        observer->show();
    });
    file->addAction(observe);
    file->addSeparator();
    // Open Scenario… and Save Scenario…, in ScenarioActions.cpp.
    auto* scenarios = new ScenarioActions(this);
    connect(scenarios, &ScenarioActions::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, 15000); });
    file->addActions({scenarios->openAction(), scenarios->saveAction()});
    file->addSeparator();
    addRecordingActions(file); // in MainWindowTimeline.cpp
    file->addSeparator();
    file->addActions({m_labFolderAction, m_chooseLabFolderAction, m_keepLabFoldersAction});
    file->addSeparator();
    m_exportMenu =
        file->addMenu(QIcon::fromTheme(QStringLiteral("document-save-as")), tr("&Export View as PNG"));
    file->addSeparator();
    file->addAction(quit);
    QMenu* swarm = menuBar()->addMenu(tr("&Swarm"));
    swarm->addActions({m_addSeedersAction, m_addLeechersAction});
    m_clockBar = new ClockBar(m_controller, this);
    connect(m_selection, &PeerSelection::changed, m_clockBar,
            [this]() { m_clockBar->setSpaceAlsoPauses(m_selection->isEmpty()); });
    connect(m_clockBar, &ClockBar::message, this,
            [this](const QString& text) { statusBar()->showMessage(text, 15000); });
    QMenu* clock = menuBar()->addMenu(tr("&Clock"));
    clock->setToolTipsVisible(true);
    clock->addActions({m_clockBar->realTimeAction(), m_clockBar->simulatedTimeAction()});
    clock->addSeparator();
    clock->addActions({m_clockBar->pauseAction(), m_clockBar->stepAction()});
    QMenu* peer = menuBar()->addMenu(tr("&Peer"));
    peer->setToolTipsVisible(true);
    peer->addActions(m_peerActions->actions());
    peer->addSeparator();
    peer->addAction(m_peerActions->selectAllAction());
    m_viewMenu = menuBar()->addMenu(tr("&View"));
    createViewActions(); // zoom and the export menu, in MainWindowView.cpp
    auto* resetLayout = makeAction(this, QStringLiteral("view-restore"), tr("&Reset Layout"), {},
                                   tr("Put every panel back where it starts"));
    connect(resetLayout, &QAction::triggered, this, &MainWindow::restoreDefaultLayout);
    m_viewMenu->addAction(resetLayout);
    m_viewMenu->addSeparator();
    createCompareActions(); // View → Compare Two Runs… and the Experiments menu, in CompareActions.cpp
    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(help);
    helpMenu->addSeparator();
    helpMenu->addAction(about);

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addActions({m_createAction, m_openAction, m_demoAction});
    toolbar->addSeparator();
    m_torrentBox = new QComboBox(this);
    m_torrentBox->setObjectName(QStringLiteral("torrentSelector"));
    m_torrentBox->setMinimumContentsLength(18);
    m_torrentBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_torrentBox->setToolTip(tr("The torrent the views show; the lab can hold several at once. Every view, "
                                "the event log included, follows the one picked here"));
    m_torrentBox->setEnabled(false);
    connect(m_torrentBox, &QComboBox::activated, this,
            [this](int index) { m_controller->setActiveTorrent(m_torrentBox->itemData(index).toInt()); });
    toolbar->addWidget(new QLabel(tr(" Torrent: "), this));
    toolbar->addWidget(m_torrentBox);
    toolbar->addSeparator();
    toolbar->addWidget(m_peerCount);
    toolbar->addActions({m_addSeedersAction, m_addLeechersAction});
    toolbar->addSeparator();
    QToolBar* peerBar = addToolBar(tr("Peer"));
    peerBar->setObjectName(QStringLiteral("peerToolbar"));
    peerBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_peerBarLabel = new QLabel(this);
    m_peerBarLabel->setObjectName(QStringLiteral("peerBarLabel"));
    m_peerBarLabel->setContentsMargins(6, 0, 4, 0);
    m_peerBarLabel->setToolTip(tr("What the buttons beside act on: the peers selected in the piece map, the "
                                  "graph or the matrix (Ctrl+click or drag for several, Ctrl+A for all)"));
    peerBar->addWidget(m_peerBarLabel);
    peerBar->addActions({m_peerActions->pauseResumeAction(), m_peerActions->killAction(),
                         m_peerActions->restartAction(), m_peerActions->conditionsAction(),
                         m_peerActions->removeAction()});
    addToolBarBreak();
    addToolBar(m_clockBar);

    EmptySwarmOverlay::Actions overlayActions;
    overlayActions.create = m_createAction;
    overlayActions.open = m_openAction;
    overlayActions.demo = m_demoAction;
    overlayActions.addSeeders = m_addSeedersAction;
    overlayActions.addLeechers = m_addLeechersAction;
    overlayActions.realTime = m_clockBar->realTimeAction();
    overlayActions.simulatedTime = m_clockBar->simulatedTimeAction();
    m_overlay = new EmptySwarmOverlay(overlayActions, this);
    m_controls->setLabFolderActions(m_labFolderAction, m_chooseLabFolderAction);
    m_centre = new QStackedWidget(this);
    m_centre->addWidget(m_overlay);
    m_centre->addWidget(m_pieceMap);
    setCentralWidget(m_centre);
}

bool MainWindow::closeTorrent(int torrent, bool ask) {
    if (torrent == 0 || !m_controller->torrentIds().contains(torrent))
        return false;
    const int peers = int(m_controller->lab()->peerIds(torrent).size());
    if (ask && peers > 0) {
        const auto answer = QMessageBox::question(
            this, tr("Close Torrent"),
            tr("Close <b>%1</b>? Its %n peer(s) leave the lab and the leechers' downloaded copies are "
               "deleted. The .torrent file and the seeders' data stay where they are.",
               nullptr, peers)
                .arg(m_controller->torrentName(torrent).toHtmlEscaped()),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
        if (answer != QMessageBox::Yes)
            return false;
    }
    const QString name = m_controller->torrentName(torrent);
    m_controller->closeTorrent(torrent);
    statusBar()->showMessage(tr("Closed %1.").arg(name), 5000);
    return true;
}

void MainWindow::showOpenDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Torrent"), m_importer->lastFolder(),
                                                      tr("Torrent files (*.torrent);;All files (*)"));
    if (!path.isEmpty())
        openTorrent(path);
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Swarmscope"),
                       tr("<h3>Swarmscope %1</h3>"
                          "<p>A BitTorrent swarm lab: a real tracker and real peers, speaking the BEP 3 "
                          "wire protocol to each other on this computer, and every piece they trade drawn "
                          "live.</p>"
                          "<p>Lab folder: <tt>%2</tt><br>Tracker: <tt>%3</tt></p>"
                          "<p>Built with Qt %4, running on Qt %5.</p>")
                           .arg(QApplication::applicationVersion(), m_controller->labDir().toHtmlEscaped(),
                                m_controller->announceUrl().toHtmlEscaped(), QStringLiteral(QT_VERSION_STR),
                                QString::fromLatin1(qVersion())));
}

} // namespace swarmscope::ui
