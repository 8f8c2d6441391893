// The timeline under the views, and recordings: scrubbing the whole window to a past moment of the run,
// File → Save Recording and File → Open Recording.
#include "window/MainWindow.h"

#include "charts/ChartHistory.h"
#include "charts/ChartsPanel.h"
#include "matrix/TransferMatrix.h"
#include "matrix/TransferMatrixWidget.h"
#include "shared/SizeFormat.h"
#include "timeline/TimelineBar.h"
#include "window/ClockBar.h"
#include "window/ControlPanel.h"
#include "window/PeerActions.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLayout>
#include <QMenu>
#include <QMessageBox>
#include <QStatusBar>
#include <QToolBar>

namespace swarmscope::ui {

namespace {

// Recorded frames fed to a past moment's matrix at most: its counters are totals, so a thinned run sums
// the same bytes, up to connections that opened and closed between two of the frames used.
constexpr int kMaxMatrixFrames = 240;

} // namespace

void MainWindow::addRecordingActions(QMenu* file) {
    m_openRecordingAction =
        new QAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("Open &Recording…"), this);
    m_openRecordingAction->setObjectName(QStringLiteral("openRecordingAction"));
    m_openRecordingAction->setStatusTip(tr("Replay a recorded run (from this window or swarmscope swarm "
                                           "--record) without running a swarm"));
    connect(m_openRecordingAction, &QAction::triggered, this, &MainWindow::openRecordingInteractively);
    m_saveRecordingAction =
        new QAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("&Save Recording…"), this);
    m_saveRecordingAction->setObjectName(QStringLiteral("saveRecordingAction"));
    m_saveRecordingAction->setShortcut(QKeySequence::Save);
    m_saveRecordingAction->setStatusTip(
        tr("Write the run so far (every peer's pieces, rates and connections, and every control change) to "
           "a file that File > Open Recording replays"));
    connect(m_saveRecordingAction, &QAction::triggered, this, &MainWindow::saveRecordingInteractively);
    m_closeRecordingAction = new QAction(tr("Close Recordin&g"), this);
    m_closeRecordingAction->setObjectName(QStringLiteral("closeRecordingAction"));
    m_closeRecordingAction->setStatusTip(tr("Stop replaying and show the lab again"));
    m_closeRecordingAction->setEnabled(false);
    connect(m_closeRecordingAction, &QAction::triggered, this, &MainWindow::closeRecording);
    file->addActions({m_openRecordingAction, m_saveRecordingAction, m_closeRecordingAction});
}

void MainWindow::createTimeline() {
    m_timeline = new TimelineBar(this);
    auto* bar = new QToolBar(tr("Timeline"), this);
    bar->setObjectName(QStringLiteral("timelineToolbar"));
    bar->setMovable(false);
    // A strip as thin as its track: at 1280 x 720 every row of height counts.
    bar->setContentsMargins(0, 0, 0, 0);
    bar->layout()->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_timeline);
    addToolBar(Qt::BottomToolBarArea, bar);
    connect(m_timeline, &TimelineBar::momentRequested, this, &MainWindow::showMoment);
    connect(m_timeline, &TimelineBar::liveRequested, this, &MainWindow::showLive);
    connect(m_controller, &LabController::controlChanged, this, [this]() { updateTimeline(); });
    // A new lab starts a new recording: whatever the window showed of the old one is gone.
    connect(m_controller, &LabController::labReplaced, this, [this]() {
        if (m_momentMs >= 0 && !m_replay)
            showLive();
    });
    m_pastMatrixTimer.setSingleShot(true);
    m_pastMatrixTimer.setInterval(120);
    connect(&m_pastMatrixTimer, &QTimer::timeout, this, &MainWindow::updatePastMatrix);
    connect(m_charts, &ChartsPanel::timeWindowChanged, this, [this]() {
        if (m_momentMs >= 0)
            m_pastMatrixTimer.start();
    });
    updateTimeline();
}

const Recording& MainWindow::shownRecording() const {
    return m_replay ? *m_replay : m_controller->recording();
}

void MainWindow::updateTimeline() {
    const Recording& recording = shownRecording();
    m_timeline->setRange(recording.startMs(), recording.endMs());
    // Every snapshot comes here; the markers change only with the log (a shared copy compares in O(1)).
    const TimeMode mode = m_replay ? m_replay->meta().timeMode : m_controller->timeMode();
    if (recording.controls() != m_markedControls || mode != m_markedMode) {
        m_markedControls = recording.controls();
        m_markedMode = mode;
        const QList<ChartMarker> markers = TimelineBar::markersFor(m_markedControls, mode);
        m_timeline->setMarkers(markers);
        m_charts->setMarkers(markers);
    }
    m_saveRecordingAction->setEnabled(!recording.isEmpty());
}

void MainWindow::showMoment(qint64 ms) {
    const Recording& recording = shownRecording();
    if (recording.isEmpty())
        return;
    ms = qBound(recording.startMs(), ms, recording.endMs());
    // Within the frame on show already, only the handle moves.
    if (m_momentMs >= 0 && m_snapshot && recording.frameAt(ms) == recording.frameAt(m_momentMs) &&
        recording.frameTimeMs(recording.frameAt(ms)) == m_snapshot->timeMs) {
        m_momentMs = ms;
        m_timeline->setPosition(ms, false);
        return;
    }
    const int torrent = m_replay ? m_replayTorrent : m_controller->activeTorrent();
    const SwarmSnapshotPtr moment = LabController::filterSnapshot(recording.snapshotAt(ms), torrent);
    if (!moment)
        return;
    m_momentMs = ms;
    showSnapshot(moment);
    m_charts->showMoment(moment, m_replay ? m_replayHistory.get() : nullptr);
    m_timeline->setPosition(ms, false);
    // Summing a window of frames is the costly part: done when the scrubbing pauses, and only if seen.
    m_pastMatrixTimer.start();
}

void MainWindow::updatePastMatrix() {
    if (m_momentMs < 0) {
        m_matrix->showPast(nullptr);
        return;
    }
    const Recording& recording = shownRecording();
    const int torrent = m_replay ? m_replayTorrent : m_controller->activeTorrent();
    const int window = m_charts->timeWindowSeconds();
    const int last = recording.frameAt(m_momentMs);
    const int first = window > 0 ? recording.frameAt(m_momentMs - qint64(window) * 1000) : 0;
    auto matrix = std::make_unique<TransferMatrix>();
    matrix->setWindowSeconds(window);
    const int frames = last - first + 1;
    const double step = frames > kMaxMatrixFrames ? double(frames - 1) / (kMaxMatrixFrames - 1) : 1.0;
    int previous = -1;
    for (double f = first; f < last + 0.5; f += step) {
        const int frame = qMin(last, int(f + 0.5));
        if (frame == previous)
            continue;
        previous = frame;
        if (const SwarmSnapshotPtr s = LabController::filterSnapshot(recording.snapshot(frame), torrent))
            matrix->add(*s);
    }
    if (previous != last)
        if (const SwarmSnapshotPtr s = LabController::filterSnapshot(recording.snapshot(last), torrent))
            matrix->add(*s);
    m_pastMatrix = std::move(matrix);
    m_matrix->showPast(m_pastMatrix.get());
}

void MainWindow::showLive() {
    if (m_replay) {
        closeRecording();
        return;
    }
    m_momentMs = -1;
    m_pastMatrixTimer.stop();
    m_matrix->showPast(nullptr);
    m_pastMatrix.reset();
    m_charts->showLive();
    m_timeline->setPosition(0, true);
    if (const SwarmSnapshotPtr live = m_controller->snapshot())
        showSnapshot(live);
}

bool MainWindow::openRecording(const QString& path, QString* error) {
    std::optional<Recording> loaded = Recording::load(path, error);
    if (!loaded)
        return false;
    if (loaded->isEmpty()) {
        if (error)
            *error = tr("%1 holds no moment of a run").arg(path);
        return false;
    }
    openRecording(std::move(*loaded), path);
    return true;
}

void MainWindow::openRecording(Recording loaded, const QString& path) {
    auto recording = std::make_unique<Recording>(std::move(loaded));
    // The first torrent of the run: a recording of several shows one at a time.
    const SwarmSnapshotPtr last = recording->snapshot(recording->frameCount() - 1);
    m_replayTorrent = last && !last->torrents.isEmpty() ? last->torrents.front().id : 0;
    // The charts' history of the whole run, read once, in order (the cheap way through the frames).
    auto history = std::make_unique<ChartHistory>();
    for (int k = 0; k < recording->frameCount(); ++k)
        if (const SwarmSnapshotPtr s = LabController::filterSnapshot(recording->snapshot(k), m_replayTorrent))
            history->add(*s);
    m_replay = std::move(recording);
    m_replayHistory = std::move(history);
    m_replayPath = path;
    m_peerActions->setReadOnly(true); // its peers do not run
    // The clock and the controls act on the lab, which is not what is on show.
    m_clockBar->setEnabled(false);
    m_controls->setEnabled(false);
    m_closeRecordingAction->setEnabled(true);
    m_timeline->setLiveAvailable(false, tr("A recording has no running lab; File > Close Recording shows "
                                           "the lab again"));
    setWindowTitle(tr("Replay of %1 — Swarmscope").arg(QFileInfo(path).fileName()));
    updateTimeline();
    showMoment(m_replay->endMs());
    statusBar()->showMessage(tr("Replaying %1: %2 of %3 time, %4 frames. Drag the timeline to any moment.")
                                 .arg(QFileInfo(path).fileName(),
                                      formatLabTime(m_replay->endMs() - m_replay->startMs(), 1),
                                      m_replay->meta().timeMode == TimeMode::Simulated
                                          ? tr("simulated (seed %1)").arg(m_replay->meta().seed)
                                          : tr("real"))
                                 .arg(m_replay->frameCount()),
                             15000);
}

void MainWindow::closeRecording() {
    if (!m_replay)
        return;
    m_replay.reset();
    m_replayHistory.reset();
    m_replayPath.clear();
    m_peerActions->setReadOnly(false);
    m_clockBar->setEnabled(true);
    m_controls->setEnabled(true);
    m_closeRecordingAction->setEnabled(false);
    m_timeline->setLiveAvailable(true);
    const std::optional<Metainfo> metainfo = currentTorrent();
    setWindowTitle(metainfo ? QStringLiteral("%1 — Swarmscope").arg(metainfo->name)
                            : QStringLiteral("Swarmscope"));
    updateTimeline();
    showLive();
}

bool MainWindow::saveRecording(const QString& path, QString* error) const {
    return shownRecording().save(path, error);
}

void MainWindow::saveRecordingInteractively() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Recording"), QStringLiteral("run.swrec"),
                                                      tr("Swarmscope recordings (*.swrec);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveRecording(path, &error)) {
        QMessageBox::warning(this, tr("Save Recording"), error);
        return;
    }
    statusBar()->showMessage(
        tr("Recording saved: %1 (%2 frames)").arg(path).arg(shownRecording().frameCount()), 8000);
}

void MainWindow::openRecordingInteractively() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Recording"), QString(),
                                                      tr("Swarmscope recordings (*.swrec);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!openRecording(path, &error))
        QMessageBox::warning(this, tr("Open Recording"), error);
}

} // namespace swarmscope::ui
