#include "window/MainWindow.h"

#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "help/HelpPanel.h"
#include "inspector/PeerInspector.h"
#include "matrix/TransferMatrixWidget.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/PeerSelection.h"
#include "shared/SizeFormat.h"
#include "window/ControlPanel.h"
#include "window/EmptySwarmOverlay.h"
#include "window/LabFolder.h"
#include "window/PeerActions.h"
#include "window/TorrentImporter.h"
#include "window/TorrentInfoPanel.h"

#include "swarm/SwarmLab.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>

namespace swarmscope::ui {

namespace {
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
// Bumped when the docks' arrangement changes, so that a state saved by an older layout is not restored.
constexpr int kStateVersion = 3;

// A dock's content in a scroll area, so that its minimum size does not dictate the window's layout.
QScrollArea* scrolling(QWidget* content, QWidget* parent) {
    auto* area = new QScrollArea(parent);
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}
} // namespace

MainWindow::MainWindow(const SwarmLabConfig& config, QWidget* parent) : QMainWindow(parent) {
    // Without a folder of its own, the lab gets a fresh run folder in the one the user chose.
    SwarmLabConfig labConfig = config;
    QString folderError;
    if (labConfig.labDir.isEmpty()) {
        m_runFolder = LabFolder::makeRunFolder(LabFolder::parent(), &folderError);
        labConfig.labDir = m_runFolder; // empty when it failed: the lab then uses a temporary folder
    }
    m_controller = new LabController(labConfig, this);
    setWindowTitle(QStringLiteral("Swarmscope"));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    m_importer = new TorrentImporter(m_controller, this);
    // Before the views: they share it, and it must outlive none of them.
    m_selection = new PeerSelection(this);
    m_peerActions = new PeerActions(m_controller, m_selection, this);

    // What zoom scales: the font every view starts from.
    m_baseFont = QApplication::font();
    // The default size first, within the screen: the docks' default proportions below are shares of it.
    // The window manager's frame is not known before the window is shown; fitIntoScreen() takes it off
    // then. (The offscreen platform's made-up screen does not count: screenshots are taken at the default
    // size.)
    QSize size(1440, 900);
    const QScreen* screen = QGuiApplication::primaryScreen();
    if (screen && QGuiApplication::platformName() != QStringLiteral("offscreen"))
        size = fittedSize(size, screen->availableGeometry(), QMargins());
    resize(size);
    createViews();
    createActions();  // in MainWindowActions.cpp
    createTimeline(); // in MainWindowTimeline.cpp
    createDocks();
    createStatusBar();

    connect(m_controller, &LabController::snapshotReady, this, &MainWindow::onSnapshot);
    connect(m_help, &HelpPanel::showView, this, [this](HelpPanel::View view) { raiseView(int(view)); });
    connect(m_charts, &ChartsPanel::timeWindowChanged, m_matrix, &TransferMatrixWidget::setWindowSeconds);
    m_matrix->setWindowSeconds(m_charts->timeWindowSeconds());
    connect(m_controller, &LabController::eventsReady, this, [this](const QList<SwarmEvent>& events) {
        m_inspector->appendEvents(events);
        m_pieceMap->appendEvents(events);
    });
    connect(m_controller, &LabController::torrentsChanged, this, &MainWindow::onTorrentsChanged);
    connect(m_controller, &LabController::activeTorrentChanged, this, &MainWindow::onActiveTorrentChanged);
    connect(m_controller, &LabController::trackerReady, this, [this](const QString& url) {
        m_trackerLabel->setText(tr("Tracker: %1").arg(url));
        m_trackerLabel->setToolTip(
            (m_controller->timeMode() == TimeMode::Simulated
                 ? tr("The lab's own HTTP tracker, on the simulated network: every lab peer announces here; "
                      "outside clients cannot reach it.")
                 : tr("The lab's own HTTP tracker. Every lab peer announces here; outside clients can "
                      "too.")) +
            tr("\nLab folder: %1").arg(m_controller->labDir()));
    });
    connect(m_controller, &LabController::errorOccurred, this, [this](const QString& message) {
        m_trackerLabel->setText(tr("Tracker failed"));
        m_trackerLabel->setToolTip(message);
        statusBar()->showMessage(message);
    });
    connect(m_controller, &LabController::demoStarted, this, [this]() {
        m_selectFirstLeecher = true;
        statusBar()->showMessage(tr("Demo swarm started: the leechers join as soon as the seeder serves."),
                                 8000);
    });
    connect(m_controller, &LabController::demoFailed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("The demo could not start: %1").arg(message));
    });
    connect(m_importer, &TorrentImporter::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, 8000); });
    connect(m_peerActions, &PeerActions::statusMessage, this,
            [this](const QString& message) { statusBar()->showMessage(message, 5000); });
    connect(m_selection, &PeerSelection::changed, this, &MainWindow::onSelectionChanged);
    connect(m_controller, &LabController::labReplaced, this, [this]() {
        m_trackerLabel->setText(tr("Tracker starting…"));
        showLabFolder();
    });

    if (m_controller->start()) {
        statusBar()->showMessage(
            folderError.isEmpty()
                ? tr("Peers keep their files in %1").arg(QDir::toNativeSeparators(m_controller->labDir()))
                : tr("%1; peers keep their files in %2 instead")
                      .arg(folderError, QDir::toNativeSeparators(m_controller->labDir())),
            10000);
    } else {
        m_trackerLabel->setText(tr("Lab not running"));
        statusBar()->showMessage(m_controller->errorString());
    }
    showLabFolder();

    QSettings settings;
    restoreGeometry(settings.value(kGeometryKey).toByteArray());
    setZoomPercent(settings.value(QStringLiteral("view/zoomPercent"), 100).toInt());
    m_needsDefaultDockSizes = !restoreState(settings.value(kStateKey).toByteArray(), kStateVersion);
    updateCentre();
    updateStatus();
    updatePeerBarLabel();
}

MainWindow::~MainWindow() {
    // The lab first: its clients hold files in the run folder.
    delete m_controller;
    m_controller = nullptr;
    removeRunFolder(m_runFolder);
}

void MainWindow::createViews() {
    m_pieceMap = new PieceMapWidget(this);
    m_pieceMap->setToolTip(tr("Every peer is a row; every column a piece. Click a row to select the peer, "
                              "Ctrl+click or drag across rows for several, right-click for what you can do "
                              "to them."));
    m_graph = new SwarmGraphWidget(this);
    m_graph->setToolTip(tr("Peers, and an arrow from sender to receiver wherever data moves now; thicker "
                           "and darker carries more. Click a node to select the peer, Ctrl+click or drag a "
                           "box for several, right-click for their actions."));
    m_charts = new ChartsPanel(this);
    m_inspector = new PeerInspector(this);
    m_controls = new ControlPanel(m_controller, this);
    m_torrentInfo = new TorrentInfoPanel(this);
    m_matrix = new TransferMatrixWidget(this);
    m_matrix->setObjectName(QStringLiteral("transferMatrix"));
    m_matrix->setToolTip(tr("Who sent how much to whom in the charts' time window: a row per sender, a "
                            "column per receiver, darker is more. Hover a cell for its figures, click it to "
                            "select the pair."));
    m_help = new HelpPanel(this);
    m_pieceMap->setSelection(m_selection);
    m_graph->setSelection(m_selection);
    m_matrix->setSelection(m_selection);

    connect(m_charts, &ChartsPanel::peerSelected, this, &MainWindow::selectPeer);
    connect(m_inspector, &PeerInspector::peerSelected, this, &MainWindow::selectPeer);
    for (QWidget* view :
         {static_cast<QWidget*>(m_pieceMap), static_cast<QWidget*>(m_graph), static_cast<QWidget*>(m_charts),
          static_cast<QWidget*>(m_inspector), static_cast<QWidget*>(m_matrix)})
        m_peerActions->addShortcutTarget(view);
    m_peerActions->attachContextMenu(m_matrix,
                                     [this](const QPoint& pos) { return m_matrix->cellAt(pos).first; });
    m_peerActions->attachContextMenu(m_pieceMap->viewport(),
                                     [this](const QPoint& pos) { return m_pieceMap->peerAt(pos); });
    m_peerActions->attachContextMenu(m_graph,
                                     [this](const QPoint& pos) { return m_graph->peerAt(QPointF(pos)); });
}

QDockWidget* MainWindow::addDock(QWidget* content, const QString& title, const QString& name) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setWidget(content);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::createDocks() {
    m_controlsDock = addDock(scrolling(m_controls, this), tr("Controls"), QStringLiteral("controlsDock"));
    // Scrolling too: the info-hash and tracker lines must not widen the whole left column.
    m_torrentDock = addDock(scrolling(m_torrentInfo, this), tr("Torrent"), QStringLiteral("torrentDock"));
    m_graphDock = addDock(m_graph, tr("Swarm Graph"), QStringLiteral("graphDock"));
    m_chartsDock = addDock(m_charts, tr("Charts"), QStringLiteral("chartsDock"));
    // The inspector's summary line grows with its text; scrolling keeps it from pushing the other docks.
    m_inspectorDock =
        addDock(scrolling(m_inspector, this), tr("Peer Inspector"), QStringLiteral("inspectorDock"));
    m_matrixDock = addDock(m_matrix, tr("Who Sent What"), QStringLiteral("matrixDock"));
    m_helpDock = addDock(m_help, tr("What Am I Looking At?"), QStringLiteral("helpDock"));
    placeDocks();
}

void MainWindow::placeDocks() {
    // Left: the controls, with the torrent's details as a tab behind them. Right, full height: the graph over
    // the charts. Bottom, under the controls and the piece map: the inspector, wide enough for its table
    // and its log side by side.
    // The matrix is a tab behind the graph: both answer "who sends to whom", one now, one over the window.
    // The notes for students are a tab behind the controls, hidden until asked for, so the live views stay
    // beside them.
    for (QDockWidget* dock : {m_controlsDock, m_torrentDock, m_graphDock, m_matrixDock, m_chartsDock,
                              m_inspectorDock, m_helpDock}) {
        dock->setFloating(false);
        dock->show();
    }
    addDockWidget(Qt::LeftDockWidgetArea, m_controlsDock);
    tabifyDockWidget(m_controlsDock, m_torrentDock);
    tabifyDockWidget(m_controlsDock, m_helpDock);
    m_helpDock->hide();
    m_controlsDock->raise();
    addDockWidget(Qt::RightDockWidgetArea, m_graphDock);
    splitDockWidget(m_graphDock, m_chartsDock, Qt::Vertical);
    tabifyDockWidget(m_graphDock, m_matrixDock);
    m_graphDock->raise();
    addDockWidget(Qt::BottomDockWidgetArea, m_inspectorDock);
    setCorner(Qt::BottomLeftCorner, Qt::BottomDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);
}

void MainWindow::applyDefaultDockSizes() {
    // Shares of the window, within bounds that keep each view readable from 1280 x 720 up.
    const int w = width();
    const int h = height();
    // The controls as wide as they need (plus a scroll bar's width), the rest shared out.
    const int controls =
        m_controls->sizeHint().width() + style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 4;
    const int left = qBound(240, controls, w / 4);
    const int right = qBound(360, w * 30 / 100, 520);
    // At 720 pixels the timeline strip takes its share from here, so that Controls still fits unscrolled.
    const int inspector = qBound(180, h * 26 / 100, 300);
    resizeDocks({m_controlsDock, m_graphDock}, {left, right}, Qt::Horizontal);
    resizeDocks({m_inspectorDock}, {inspector}, Qt::Vertical);
    const int column = h - 80; // less the menu, toolbar and status bar, roughly
    resizeDocks({m_graphDock, m_chartsDock}, {column * 44 / 100, column * 56 / 100}, Qt::Vertical);
}

void MainWindow::restoreDefaultLayout() {
    placeDocks();
    applyDefaultDockSizes();
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    // The window manager's frame is known only once it has framed the window.
    if (!m_fittedToScreen) {
        m_fittedToScreen = true;
        // Item views' headers and scroll bars take their font again when they are first polished, so a
        // zoom restored from the settings before the window was shown is applied once more now.
        if (m_zoomPercent != 100) {
            setFont(m_baseFont);
            applyZoom();
        }
        QTimer::singleShot(200, this, &MainWindow::fitIntoScreen);
    }
    // Dock sizes only take once the window is laid out at its real size, so the defaults wait for that.
    if (m_needsDefaultDockSizes) {
        m_needsDefaultDockSizes = false;
        QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
    }
}

void MainWindow::createStatusBar() {
    m_trackerLabel = new QLabel(tr("Tracker starting…"), this);
    m_trackerLabel->setObjectName(QStringLiteral("trackerStatus"));
    m_trackerLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_peersLabel = new QLabel(this);
    m_peersLabel->setToolTip(
        tr("Peers of the shown torrent, and how many of its leechers have every piece."));
    m_ratesLabel = new QLabel(this);
    m_ratesLabel->setToolTip(tr("The shown torrent's peers together: payload downloaded and uploaded per "
                                "second."));
    statusBar()->addPermanentWidget(m_peersLabel);
    statusBar()->addPermanentWidget(m_ratesLabel);
    statusBar()->addPermanentWidget(m_trackerLabel);
}

std::optional<Metainfo> MainWindow::currentTorrent() const {
    return m_controller->lab()->torrentMetainfo(m_controller->activeTorrent());
}

bool MainWindow::openTorrent(const QString& path) {
    return m_importer->openInteractively(path);
}

void MainWindow::createTorrentFrom(const QString& path) {
    m_importer->createFrom(path);
}

void MainWindow::startDemo() {
    startDemoWith(DemoSettings());
}

void MainWindow::startDemoWith(const DemoSettings& settings) {
    if (m_controller->isPreparingDemo())
        return;
    statusBar()->showMessage(
        tr("Preparing the demo: writing and hashing %1…").arg(formatSize(settings.fileSize)));
    m_controller->startDemo(settings);
}

void MainWindow::addSeeders(int count) {
    const QList<int> ids = m_controller->addSeeders(count);
    if (!ids.isEmpty())
        statusBar()->showMessage(
            ids.size() == 1 ? tr("Added a seeder.") : tr("Added %1 seeders.").arg(ids.size()), 4000);
}

void MainWindow::addLeechers(int count) {
    const QList<int> ids = m_controller->addLeechers(count);
    if (!ids.isEmpty())
        statusBar()->showMessage(
            ids.size() == 1 ? tr("Added a leecher.") : tr("Added %1 leechers.").arg(ids.size()), 4000);
}

int MainWindow::selectedPeer() const {
    return m_selection->current();
}

QList<int> MainWindow::selectedPeers() const {
    return m_selection->peers();
}

void MainWindow::selectPeer(int peerId) {
    m_selection->selectOnly(peerId);
}

void MainWindow::onSelectionChanged() {
    // The piece map, the graph and the peer actions follow the selection themselves.
    const int current = m_selection->current();
    m_charts->setSelectedPeer(current);
    m_inspector->setSelectedPeer(current);
    m_controls->setSelectedPeers(m_selection->peers(), current);
    updatePeerBarLabel();
}

void MainWindow::updatePeerBarLabel() {
    const QList<int> peers = m_selection->peers();
    QString text;
    if (peers.isEmpty()) {
        text = tr("<i>No peer selected</i>");
    } else if (peers.size() == 1) {
        text = tr("<b>Peer #%1:</b>").arg(peers.first());
    } else if (peers.size() <= 3) {
        QStringList names;
        for (int peer : peers)
            names.append(QStringLiteral("#%1").arg(peer));
        text = tr("<b>Peers %1:</b>").arg(names.join(QStringLiteral(", ")));
    } else {
        text = tr("<b>%1 peers:</b>").arg(peers.size());
    }
    m_peerBarLabel->setText(text);
}

void MainWindow::onSnapshot(const SwarmSnapshotPtr& snapshot) {
    // The charts and the matrix keep the live history whatever is on show; the rest shows only the
    // moment the timeline is at.
    m_charts->setSnapshot(snapshot);
    m_matrix->setSnapshot(snapshot);
    updateTimeline();
    if (m_momentMs >= 0 || m_replay)
        return;
    showSnapshot(snapshot);
}

void MainWindow::showSnapshot(const SwarmSnapshotPtr& snapshot) {
    m_snapshot = snapshot;
    // A removed peer, or one of another torrent, cannot stay selected.
    if (!m_selection->isEmpty()) {
        QList<int> present;
        for (const LabPeerSnapshot& peer : snapshot->peers)
            present.append(peer.id);
        m_selection->retain(present);
    }
    // A demo opens on one leecher, so the inspector and the charts have someone to show from the start.
    if (m_selectFirstLeecher) {
        for (const LabPeerSnapshot& peer : snapshot->peers) {
            if (peer.role == TorrentRole::Leecher) {
                m_selectFirstLeecher = false;
                selectPeer(peer.id);
                break;
            }
        }
    }
    m_pieceMap->setSnapshot(snapshot);
    m_graph->setSnapshot(snapshot);
    m_help->setSnapshot(snapshot);
    m_inspector->setSnapshot(snapshot);
    m_controls->setSnapshot(snapshot);
    m_peerActions->setSnapshot(snapshot);
    updateCentre();
    updateStatus();
}

void MainWindow::onTorrentsChanged() {
    const QSignalBlocker block(m_torrentBox);
    m_torrentBox->clear();
    for (int id : m_controller->torrentIds())
        m_torrentBox->addItem(tr("#%1 %2").arg(id).arg(m_controller->torrentName(id)), id);
    m_torrentBox->setCurrentIndex(m_torrentBox->findData(m_controller->activeTorrent()));
    m_torrentBox->setEnabled(m_torrentBox->count() > 0);
}

void MainWindow::onActiveTorrentChanged(int torrent) {
    {
        const QSignalBlocker block(m_torrentBox);
        m_torrentBox->setCurrentIndex(m_torrentBox->findData(torrent));
    }
    const std::optional<Metainfo> metainfo = currentTorrent();
    m_torrentInfo->setMetainfo(metainfo);
    m_pieceMap->setFileLayout(metainfo ? TorrentFileLayout(*metainfo) : TorrentFileLayout());
    // The log follows the torrent too: with "All peers" it kept showing the previous torrent's rows.
    m_inspector->setTorrent(torrent);
    m_controls->setTorrent(metainfo ? metainfo->name : QString(), metainfo ? metainfo->pieceCount() : 0,
                           metainfo ? metainfo->pieceLength : 0);
    // Another torrent's peers would share the charts' time axis with this one's, and the matrix's rows.
    m_charts->clearHistory();
    m_matrix->clear();
    m_help->setTorrent(metainfo);
    m_closeTorrentAction->setEnabled(torrent != 0);
    setWindowTitle(metainfo ? QStringLiteral("%1 — Swarmscope").arg(metainfo->name)
                            : QStringLiteral("Swarmscope"));
    m_addSeedersAction->setEnabled(torrent != 0);
    m_addLeechersAction->setEnabled(torrent != 0);
    updateCentre();
}

void MainWindow::updateCentre() {
    int seeders = 0;
    int leechers = 0;
    if (m_snapshot) {
        for (const LabPeerSnapshot& peer : m_snapshot->peers)
            ++(peer.role == TorrentRole::Seeder ? seeders : leechers);
    }
    // A replayed recording's torrent is not one of the lab's.
    const int torrent = m_replay ? m_replayTorrent : m_controller->activeTorrent();
    // The piece map needs leechers to tell a story; until then the steps say what is missing.
    const bool empty = torrent == 0 || leechers == 0;
    m_overlay->setProgress(torrent && !m_replay ? m_controller->torrentName(torrent) : QString(), seeders,
                           leechers);
    m_centre->setCurrentWidget(empty ? static_cast<QWidget*>(m_overlay) : m_pieceMap);
}

void MainWindow::updateStatus() {
    int peers = 0;
    int leechers = 0;
    int complete = 0;
    if (m_snapshot) {
        for (const LabPeerSnapshot& peer : m_snapshot->peers) {
            ++peers;
            if (peer.role == TorrentRole::Leecher) {
                ++leechers;
                complete += peer.isComplete() ? 1 : 0;
            }
        }
    }
    m_peersLabel->setText((peers == 1 ? tr("1 peer") : tr("%1 peers").arg(peers)) + QStringLiteral(" · ") +
                          tr("%1/%2 leechers complete").arg(complete).arg(leechers));
    const qint64 down = m_snapshot ? m_snapshot->downloadRate : 0;
    const qint64 up = m_snapshot ? m_snapshot->uploadRate : 0;
    m_ratesLabel->setText(tr("↓ %1/s  ↑ %2/s").arg(formatSize(down), formatSize(up)));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState(kStateVersion));
    // Peers say "stopped" to the tracker, which matters to clients outside the lab; the lab bounds the wait.
    SwarmLab* lab = m_controller->lab();
    if (!m_closing && lab->isStarted() && !lab->peerIds().isEmpty()) {
        m_closing = true;
        event->ignore();
        statusBar()->showMessage(tr("Stopping the peers…"));
        connect(lab, &SwarmLab::shutdownFinished, this, &QWidget::close, Qt::QueuedConnection);
        lab->shutdown();
        return;
    }
    QMainWindow::closeEvent(event);
}

namespace {

// The local file or folder a drag carries, or an empty string.
QString droppedPath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls() || mime->urls().isEmpty() || !mime->urls().first().isLocalFile())
        return {};
    const QString path = mime->urls().first().toLocalFile();
    return QFileInfo::exists(path) ? path : QString();
}

bool isTorrentFile(const QString& path) {
    return path.endsWith(QStringLiteral(".torrent"), Qt::CaseInsensitive) && QFileInfo(path).isFile();
}

} // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    const QString name = QFileInfo(path).fileName();
    statusBar()->showMessage(isTorrentFile(path) ? tr("Drop to open %1 in the lab").arg(name)
                                                 : tr("Drop to create a torrent of %1").arg(name));
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
    if (!droppedPath(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dragLeaveEvent(QDragLeaveEvent* event) {
    QMainWindow::dragLeaveEvent(event);
    statusBar()->clearMessage();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    statusBar()->clearMessage();
    // The drag's source waits until this returns, so the dialogs open once it has.
    QTimer::singleShot(0, this, [this, path]() {
        if (isTorrentFile(path))
            openTorrent(path);
        else
            createTorrentFrom(path);
    });
}

} // namespace swarmscope::ui
