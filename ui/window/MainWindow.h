#pragma once

#include "shared/LabController.h"

#include "metainfo/Metainfo.h"
#include "swarm/SwarmLabConfig.h"
#include "swarm/SwarmSnapshot.h"

#include <QFont>
#include <QMainWindow>
#include <QTimer>

#include <memory>

class QAction;
class QDragLeaveEvent;
class QDragMoveEvent;
class QComboBox;
class QDockWidget;
class QLabel;
class QSpinBox;
class QStackedWidget;

namespace swarmscope::ui {

class ChartHistory;
class ChartsPanel;
class ClockBar;
class CompareWindow;
class ControlPanel;
class EmptySwarmOverlay;
class HelpPanel;
class PeerActions;
class PeerInspector;
class PeerSelection;
class PieceMapWidget;
class SwarmGraphWidget;
class TorrentImporter;
class TorrentInfoPanel;
class TimelineBar;
class TransferMatrix;
class TransferMatrixWidget;

// The lab's window. The piece map fills the centre (or, while the swarm is empty, the three steps to one);
// the controls, the torrent, the swarm graph, the who-sent-what matrix, the charts, the peer inspector and
// the student's notes ("What am I looking at?") are docks. Every view gets the same snapshot, holding only
// the torrent picked in the toolbar, and shares one selection of peers. The lab itself, with its tracker,
// starts with the window. For a projector, zoom scales every view, and every view exports as PNG.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // config: the lab's; tests give it a folder of their own.
    explicit MainWindow(const SwarmLabConfig& config = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    LabController* controller() const { return m_controller; }
    ControlPanel* controlPanel() const { return m_controls; }
    TorrentImporter* importer() const { return m_importer; }
    PeerActions* peerActions() const { return m_peerActions; }
    ClockBar* clockBar() const { return m_clockBar; }
    // The snapshot the views show now: the newest, or the moment the timeline was moved to.
    SwarmSnapshotPtr currentSnapshot() const { return m_snapshot; }

    // --- the timeline and recordings (MainWindowTimeline.cpp)
    TimelineBar* timeline() const { return m_timeline; }
    // Every view shows the run at lab time ms (of the lab's own recording, or of the opened one).
    void showMoment(qint64 ms);
    // Back to the running lab's newest moment (an opened recording is closed).
    void showLive();
    bool isShowingPast() const { return m_momentMs >= 0; }
    qint64 momentMs() const { return m_momentMs; }
    // Replays a recording file without running a swarm, at its last moment; false with *error.
    bool openRecording(const QString& path, QString* error);
    // The same with a recording read already (not empty); path names it in the title.
    void openRecording(Recording recording, const QString& path);
    bool isReplayingRecording() const { return m_replay != nullptr; }
    void closeRecording();
    // Writes the recording on show (the opened one, or the lab's run so far).
    bool saveRecording(const QString& path, QString* error) const;
    // The current peer (the one the inspector shows), and every selected peer.
    int selectedPeer() const;
    QList<int> selectedPeers() const;
    PeerSelection* selection() const { return m_selection; }
    // The shown torrent.
    std::optional<Metainfo> currentTorrent() const;

    // The folder the peers of this run keep their files in, and the folder of all runs it sits in.
    QString labFolder() const;
    QString labParentFolder() const;
    // Remembers folder as where runs keep their files. The lab moves there at once while it holds no
    // torrent; otherwise from the next start. True when it moved.
    bool setLabParentFolder(const QString& folder);

    // Asks how to add a .torrent (seed it from a folder, or leechers only); false when it is not added.
    bool openTorrent(const QString& path);
    // Opens the create dialog with path as the source (empty: the user picks one).
    void createTorrentFrom(const QString& path);
    // Removes the torrent's peers from the lab and forgets it in the window; with ask, after a yes to a
    // question naming what goes. False when nothing was closed.
    bool closeTorrent(int torrent, bool ask = true);

    // --- for a projector: zoom, remembered in the settings, scales every view's fonts and sizes
    static constexpr int kMinZoomPercent = 50;
    static constexpr int kMaxZoomPercent = 300;
    int zoomPercent() const { return m_zoomPercent; }
    void setZoomPercent(int percent);
    void zoomIn();
    void zoomOut();
    void resetZoom();

    // --- pictures of the views, at twice the pixels, at a size chosen for the picture
    enum class ExportedView {
        PieceMap,
        Graph,
        Matrix,
        RatesChart,
        CompletionChart,
        AvailabilityChart,
        Window
    };
    // The logical size of a view's picture (the PNG has twice as many pixels each way).
    QSize exportSize(ExportedView view) const;
    bool exportPng(ExportedView view, const QString& path);
    void exportPngInteractively(ExportedView view);

    // "What am I looking at?": the notes dock, shown beside the live views.
    void showHelp();
    // Brings a view to the front by name ("help", "matrix", "completion", "availability", "graph").
    void showView(const QString& name);
    QDockWidget* helpDock() const { return m_helpDock; }
    HelpPanel* helpPanel() const { return m_help; }

    // The size a first window gets: the default, within the screen's available area less the window
    // manager's frame, so the status bar is never below the screen's edge.
    static QSize fittedSize(const QSize& wanted, const QRect& available, const QMargins& frame);

    // The compare view (CompareActions.cpp): two runs side by side in a window of its own, opened on demand.
    CompareWindow* showCompare();
    CompareWindow* compareWindow() const { return m_compare; }
    // Experiments → NAME: the compare view set up as the experiment, or how to run it from a terminal.
    void openExperiment(const QString& name);

public slots:
    // The demo swarm.
    void startDemo();
    void startDemoWith(const swarmscope::ui::DemoSettings& settings);
    // Adds count peers to the shown torrent; the toolbar's buttons pass the spin box's count.
    void addSeeders(int count);
    void addLeechers(int count);
    // Selects just this peer in every view; 0: none.
    void selectPeer(int peerId);
    // Puts every dock back where it starts, at its default size.
    void restoreDefaultLayout();

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dragLeaveEvent(QDragLeaveEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createViews();
    void createActions();
    void createDocks();
    void placeDocks();
    void createStatusBar();
    void applyDefaultDockSizes();
    QDockWidget* addDock(QWidget* content, const QString& title, const QString& name);
    void showOpenDialog();
    void showAbout();
    void openLabFolder();
    void chooseLabFolder();
    void showLabFolder();
    void removeRunFolder(const QString& folder);
    void onSnapshot(const SwarmSnapshotPtr& snapshot);
    void showSnapshot(const SwarmSnapshotPtr& snapshot);
    void createTimeline();
    void addRecordingActions(QMenu* file);
    void updateTimeline();
    void updatePastMatrix();
    const Recording& shownRecording() const;
    void saveRecordingInteractively();
    void openRecordingInteractively();
    void onSelectionChanged();
    void onTorrentsChanged();
    void onActiveTorrentChanged(int torrent);
    void updateCentre();
    void updateStatus();
    void updatePeerBarLabel();
    void createViewActions();
    void createCompareActions();
    QFont zoomedFont() const;
    void applyZoom();
    void fitIntoScreen();
    void raiseView(int view);
    QWidget* exportedWidget(ExportedView view) const;
    QString exportTitle(ExportedView view) const;

    QString m_runFolder; // the run folder this window made for its lab, removed on close unless kept
    LabController* m_controller = nullptr;
    TorrentImporter* m_importer = nullptr;
    PeerActions* m_peerActions = nullptr;
    ClockBar* m_clockBar = nullptr;
    SwarmSnapshotPtr m_snapshot;
    PeerSelection* m_selection = nullptr;
    TimelineBar* m_timeline = nullptr;
    qint64 m_momentMs = -1;              // -1: live
    std::unique_ptr<Recording> m_replay; // an opened recording, shown instead of the lab
    std::unique_ptr<ChartHistory> m_replayHistory;
    std::unique_ptr<TransferMatrix> m_pastMatrix;
    QTimer m_pastMatrixTimer;
    QString m_replayPath;
    LabControlLog m_markedControls; // what the markers were made from
    TimeMode m_markedMode = TimeMode::Real;
    int m_replayTorrent = 0;
    QAction* m_saveRecordingAction = nullptr;
    QAction* m_openRecordingAction = nullptr;
    QAction* m_closeRecordingAction = nullptr;
    bool m_closing = false;
    bool m_selectFirstLeecher = false;
    bool m_needsDefaultDockSizes = false;
    bool m_fittedToScreen = false;
    QFont m_baseFont;
    int m_zoomPercent = 100;

    QStackedWidget* m_centre = nullptr;
    EmptySwarmOverlay* m_overlay = nullptr;
    PieceMapWidget* m_pieceMap = nullptr;
    SwarmGraphWidget* m_graph = nullptr;
    ChartsPanel* m_charts = nullptr;
    PeerInspector* m_inspector = nullptr;
    ControlPanel* m_controls = nullptr;
    TorrentInfoPanel* m_torrentInfo = nullptr;
    TransferMatrixWidget* m_matrix = nullptr;
    HelpPanel* m_help = nullptr;
    CompareWindow* m_compare = nullptr;

    QAction* m_createAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_demoAction = nullptr;
    QAction* m_addSeedersAction = nullptr;
    QAction* m_addLeechersAction = nullptr;
    QAction* m_labFolderAction = nullptr;
    QAction* m_chooseLabFolderAction = nullptr;
    QAction* m_keepLabFoldersAction = nullptr;
    QAction* m_closeTorrentAction = nullptr;
    QDockWidget* m_controlsDock = nullptr;
    QDockWidget* m_torrentDock = nullptr;
    QDockWidget* m_graphDock = nullptr;
    QDockWidget* m_chartsDock = nullptr;
    QDockWidget* m_inspectorDock = nullptr;
    QDockWidget* m_matrixDock = nullptr;
    QDockWidget* m_helpDock = nullptr;
    QComboBox* m_torrentBox = nullptr;
    QSpinBox* m_peerCount = nullptr;
    QLabel* m_peerBarLabel = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_exportMenu = nullptr;

    QLabel* m_trackerLabel = nullptr;
    QLabel* m_peersLabel = nullptr;
    QLabel* m_ratesLabel = nullptr;
};

} // namespace swarmscope::ui
