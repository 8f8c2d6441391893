// The window for a room: zoom for a projector, pictures of every view, the notes for students, and a first
// window that fits the screen.
#include "window/MainWindow.h"

#include "charts/ChartsPanel.h"
#include "graph/SwarmGraphWidget.h"
#include "help/HelpPanel.h"
#include "matrix/TransferMatrixWidget.h"
#include "piecemap/PieceMapWidget.h"
#include "shared/ViewExport.h"
#include "window/ControlPanel.h"

#include <QAction>
#include <QChartView>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMenu>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolTip>
#include <QWindow>

namespace swarmscope::ui {

namespace {

const QString kZoomKey = QStringLiteral("view/zoomPercent");
const QString kExportFolderKey = QStringLiteral("folders/export");

// The steps Ctrl+plus and Ctrl+minus go through, as browsers do.
constexpr int kZoomSteps[] = {50, 67, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300};

QString exportStem(MainWindow::ExportedView view) {
    switch (view) {
    case MainWindow::ExportedView::PieceMap:
        return QStringLiteral("swarmscope-piecemap");
    case MainWindow::ExportedView::Graph:
        return QStringLiteral("swarmscope-graph");
    case MainWindow::ExportedView::Matrix:
        return QStringLiteral("swarmscope-who-sent-what");
    case MainWindow::ExportedView::RatesChart:
        return QStringLiteral("swarmscope-rates");
    case MainWindow::ExportedView::CompletionChart:
        return QStringLiteral("swarmscope-completion");
    case MainWindow::ExportedView::AvailabilityChart:
        return QStringLiteral("swarmscope-availability");
    case MainWindow::ExportedView::Window:
        return QStringLiteral("swarmscope-window");
    }
    return QStringLiteral("swarmscope");
}

} // namespace

QSize MainWindow::fittedSize(const QSize& wanted, const QRect& available, const QMargins& frame) {
    const QSize room(available.width() - frame.left() - frame.right(),
                     available.height() - frame.top() - frame.bottom());
    return wanted.boundedTo(room.expandedTo(QSize(640, 480)));
}

void MainWindow::fitIntoScreen() {
    if (QGuiApplication::platformName() == QStringLiteral("offscreen") || isMaximized() || isFullScreen())
        return;
    const QScreen* shown = screen();
    if (!shown)
        return;
    const QRect available = shown->availableGeometry();
    const QRect frame = frameGeometry();
    if (available.contains(frame))
        return;
    // A window taller than a 900-pixel screen hid its status bar: shrink it by its frame, and bring it in.
    const QMargins margins = windowHandle() ? windowHandle()->frameMargins() : QMargins();
    resize(fittedSize(size(), available, margins));
    const QRect framed = frameGeometry();
    QPoint at = framed.topLeft();
    at.setX(qBound(available.left(), at.x(), qMax(available.left(), available.right() - framed.width() + 1)));
    at.setY(qBound(available.top(), at.y(), qMax(available.top(), available.bottom() - framed.height() + 1)));
    move(at);
}

void MainWindow::createViewActions() {
    auto* zoomIn = new QAction(QIcon::fromTheme(QStringLiteral("zoom-in")), tr("Zoom &In"), this);
    // Ctrl+= as well: on many keyboards "+" needs Shift.
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    zoomIn->setStatusTip(tr("Larger text and views everywhere, for a projector"));
    connect(zoomIn, &QAction::triggered, this, &MainWindow::zoomIn);
    auto* zoomOut = new QAction(QIcon::fromTheme(QStringLiteral("zoom-out")), tr("Zoom &Out"), this);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    zoomOut->setStatusTip(tr("Smaller text and views everywhere"));
    connect(zoomOut, &QAction::triggered, this, &MainWindow::zoomOut);
    auto* zoomReset =
        new QAction(QIcon::fromTheme(QStringLiteral("zoom-original")), tr("&Actual Size"), this);
    zoomReset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    zoomReset->setStatusTip(tr("Text and views at their normal size"));
    connect(zoomReset, &QAction::triggered, this, &MainWindow::resetZoom);
    for (QAction* action : {zoomIn, zoomOut, zoomReset})
        addAction(action); // shortcuts work wherever the focus is, the menu closed
    zoomIn->setObjectName(QStringLiteral("zoomInAction"));
    zoomOut->setObjectName(QStringLiteral("zoomOutAction"));
    zoomReset->setObjectName(QStringLiteral("zoomResetAction"));
    m_viewMenu->addActions({zoomIn, zoomOut, zoomReset});
    m_viewMenu->addSeparator();

    const std::pair<ExportedView, QString> views[] = {
        {ExportedView::PieceMap, tr("&Piece Map…")},
        {ExportedView::Graph, tr("Swarm &Graph…")},
        {ExportedView::Matrix, tr("&Who Sent What…")},
        {ExportedView::RatesChart, tr("&Transfer Rate Chart…")},
        {ExportedView::CompletionChart, tr("&Completion Chart…")},
        {ExportedView::AvailabilityChart, tr("&Availability Chart…")},
        {ExportedView::Window, tr("The Whole &Window…")},
    };
    for (const auto& [view, text] : views) {
        QAction* action =
            m_exportMenu->addAction(text, this, [this, view = view]() { exportPngInteractively(view); });
        action->setStatusTip(tr("Save a PNG at twice the screen's pixels, for slides and papers"));
    }
}

void MainWindow::setZoomPercent(int percent) {
    percent = qBound(kMinZoomPercent, percent, kMaxZoomPercent);
    const bool changed = percent != m_zoomPercent;
    m_zoomPercent = percent;
    applyZoom();
    if (changed) {
        QSettings().setValue(kZoomKey, percent);
        statusBar()->showMessage(tr("Zoom %1 % (Ctrl+0 for the normal size)").arg(percent), 3000);
    }
}

QFont MainWindow::zoomedFont() const {
    if (m_zoomPercent == 100)
        return m_baseFont;
    QFont font = m_baseFont;
    if (m_baseFont.pointSizeF() > 0)
        font.setPointSizeF(m_baseFont.pointSizeF() * m_zoomPercent / 100.0);
    else
        font.setPixelSize(qMax(6, m_baseFont.pixelSize() * m_zoomPercent / 100));
    return font;
}

void MainWindow::applyZoom() {
    const QFont font = zoomedFont();
    // The window's font reaches every view, dock and toolbar in it; each view sizes itself from its font
    // (rows, nodes, cells, chart labels). Tooltips and menus are windows of their own and are told
    // separately.
    setFont(font);
    QToolTip::setFont(font);
    for (QMenu* menu : findChildren<QMenu*>())
        menu->setFont(font);
    const int icon = style()->pixelMetric(QStyle::PM_ToolBarIconSize) * m_zoomPercent / 100;
    for (QToolBar* toolbar : findChildren<QToolBar*>())
        toolbar->setIconSize(QSize(icon, icon));
}

void MainWindow::zoomIn() {
    for (int step : kZoomSteps) {
        if (step > m_zoomPercent) {
            setZoomPercent(step);
            return;
        }
    }
}

void MainWindow::zoomOut() {
    for (auto it = std::rbegin(kZoomSteps); it != std::rend(kZoomSteps); ++it) {
        if (*it < m_zoomPercent) {
            setZoomPercent(*it);
            return;
        }
    }
}

void MainWindow::resetZoom() {
    setZoomPercent(100);
}

QWidget* MainWindow::exportedWidget(ExportedView view) const {
    switch (view) {
    case ExportedView::PieceMap:
        return m_pieceMap;
    case ExportedView::Graph:
        return m_graph;
    case ExportedView::Matrix:
        return m_matrix;
    case ExportedView::RatesChart:
        return m_charts->chartView(ChartsPanel::Chart::Rates);
    case ExportedView::CompletionChart:
        return m_charts->chartView(ChartsPanel::Chart::Completion);
    case ExportedView::AvailabilityChart:
        return m_charts->chartView(ChartsPanel::Chart::Availability);
    case ExportedView::Window:
        return const_cast<MainWindow*>(this);
    }
    return nullptr;
}

QSize MainWindow::exportSize(ExportedView view) const {
    // A view's own picture size, and a title line over it saying what and when.
    switch (view) {
    case ExportedView::PieceMap:
        return m_pieceMap->exportSize() + QSize(0, exportTitleHeight(m_pieceMap));
    case ExportedView::Graph:
        return m_graph->exportSize() + QSize(0, exportTitleHeight(m_graph));
    case ExportedView::Matrix:
        return m_matrix->exportSize() + QSize(0, exportTitleHeight(m_matrix));
    case ExportedView::RatesChart:
    case ExportedView::CompletionChart:
    case ExportedView::AvailabilityChart:
        return ChartsPanel::kExportSize;
    case ExportedView::Window:
        return size();
    }
    return {};
}

QString MainWindow::exportTitle(ExportedView view) const {
    const QString torrent = m_controller->torrentName(m_controller->activeTorrent());
    const QString when = m_snapshot ? tr("at %1 s").arg(m_snapshot->timeMs / 1000) : QString();
    QString what;
    switch (view) {
    case ExportedView::PieceMap:
        what = tr("Piece map");
        break;
    case ExportedView::Graph:
        what = tr("Who sends to whom now");
        break;
    case ExportedView::Matrix:
        what = tr("Who sent what");
        break;
    default:
        return {};
    }
    return torrent.isEmpty() ? what : QStringLiteral("%1 — %2 %3").arg(what, torrent, when).trimmed();
}

bool MainWindow::exportPng(ExportedView view, const QString& path) {
    switch (view) {
    case ExportedView::RatesChart:
        return m_charts->exportPng(ChartsPanel::Chart::Rates, path);
    case ExportedView::CompletionChart:
        return m_charts->exportPng(ChartsPanel::Chart::Completion, path);
    case ExportedView::AvailabilityChart:
        return m_charts->exportPng(ChartsPanel::Chart::Availability, path);
    case ExportedView::Window:
        return saveWidgetPng(this, path, size());
    default:
        break;
    }
    return saveWidgetPng(exportedWidget(view), path, exportSize(view), exportTitle(view));
}

void MainWindow::exportPngInteractively(ExportedView view) {
    QSettings settings;
    const QString folder = settings.value(kExportFolderKey).toString();
    const QString suggested =
        (folder.isEmpty() ? QString() : folder + u'/') + exportStem(view) + QStringLiteral(".png");
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export as PNG"), suggested, tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    settings.setValue(kExportFolderKey, QFileInfo(path).absolutePath());
    if (!exportPng(view, path)) {
        QMessageBox::warning(this, tr("Export as PNG"), tr("Could not write %1").arg(path));
        return;
    }
    const QSize pixels = exportSize(view) * 2;
    statusBar()->showMessage(
        tr("Saved %1 (%2 × %3 pixels).").arg(path).arg(pixels.width()).arg(pixels.height()), 6000);
}

void MainWindow::showHelp() {
    // Beside the live views: a tab over the controls, so the piece map and the graph stay in sight.
    m_helpDock->show();
    m_helpDock->raise();
}

void MainWindow::showView(const QString& name) {
    if (name == QStringLiteral("help"))
        showHelp();
    else if (name == QStringLiteral("matrix"))
        raiseView(int(HelpPanel::View::Matrix));
    else if (name == QStringLiteral("graph"))
        raiseView(int(HelpPanel::View::Graph));
    else if (name == QStringLiteral("availability"))
        raiseView(int(HelpPanel::View::Availability));
    else if (name == QStringLiteral("completion")) {
        m_chartsDock->show();
        m_chartsDock->raise();
        m_charts->showChart(ChartsPanel::Chart::Completion);
    }
}

void MainWindow::raiseView(int which) {
    switch (HelpPanel::View(which)) {
    case HelpPanel::View::PieceMap:
        m_pieceMap->setFocus();
        return;
    case HelpPanel::View::Graph:
        m_graphDock->show();
        m_graphDock->raise();
        return;
    case HelpPanel::View::Matrix:
        m_matrixDock->show();
        m_matrixDock->raise();
        return;
    case HelpPanel::View::Inspector:
        m_inspectorDock->show();
        m_inspectorDock->raise();
        return;
    case HelpPanel::View::Charts:
        m_chartsDock->show();
        m_chartsDock->raise();
        return;
    case HelpPanel::View::Availability:
        m_chartsDock->show();
        m_chartsDock->raise();
        m_charts->showChart(ChartsPanel::Chart::Availability);
        return;
    case HelpPanel::View::Controls:
        // The notes share the controls' place: their tab stays one click away.
        m_controlsDock->show();
        m_controlsDock->raise();
        return;
    }
}

} // namespace swarmscope::ui
