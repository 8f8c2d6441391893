#include "MainWindow.h"

#include "CreateTorrentDialog.h"
#include "FileListModel.h"
#include "SizeFormat.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

namespace swarmscope::ui {

namespace {
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kStateKey = QStringLiteral("window/state");
const QString kLastFolderKey = QStringLiteral("folders/last");
} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(QStringLiteral("Swarmscope"));
    setAcceptDrops(true);
    m_files = new FileListModel(this);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(createWelcomePage());
    m_pages->addWidget(createTorrentPage());
    setCentralWidget(m_pages);
    createActions();
    statusBar()->showMessage(tr("Ready. Drop a file or folder here to make a torrent of it."));

    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1100, 720);
    restoreState(settings.value(kStateKey).toByteArray());
}

void MainWindow::createActions() {
    auto* create =
        new QAction(QIcon::fromTheme(QStringLiteral("document-new")), tr("&Create Torrent…"), this);
    create->setShortcut(QKeySequence::New);
    create->setToolTip(tr("Hash a file or folder into a new .torrent (Ctrl+N)"));
    connect(create, &QAction::triggered, this, &MainWindow::showCreateDialog);

    auto* open = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open Torrent…"), this);
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open an existing .torrent (Ctrl+O)"));
    connect(open, &QAction::triggered, this, &MainWindow::showOpenDialog);

    auto* quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    auto* about = new QAction(tr("&About Swarmscope"), this);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);

    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(create);
    file->addAction(open);
    file->addSeparator();
    file->addAction(quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(about);

    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(create);
    toolbar->addAction(open);
}

QWidget* MainWindow::createWelcomePage() {
    auto* page = new QWidget(this);
    auto* label = new QLabel(page);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setText(tr("<h2>Swarmscope</h2>"
                      "<p>Drop a file or folder on this window to make a torrent of it,<br>"
                      "or use <b>Create Torrent</b> (Ctrl+N) or <b>Open Torrent</b> (Ctrl+O).</p>"));
    auto* layout = new QVBoxLayout(page);
    layout->addStretch(1);
    layout->addWidget(label);
    layout->addStretch(2);
    return page;
}

QWidget* MainWindow::createTorrentPage() {
    auto* page = new QWidget(this);
    m_summary = new QLabel(page);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_fileView = new QTableView(page);
    m_fileView->setModel(m_files);
    m_fileView->horizontalHeader()->setSectionResizeMode(FileListModel::PathColumn, QHeaderView::Stretch);
    m_fileView->horizontalHeader()->setSectionResizeMode(FileListModel::SizeColumn,
                                                         QHeaderView::ResizeToContents);
    m_fileView->horizontalHeader()->setSectionResizeMode(FileListModel::PiecesColumn,
                                                         QHeaderView::ResizeToContents);
    m_fileView->verticalHeader()->hide();
    m_fileView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_fileView->setAlternatingRowColors(true);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(m_summary);
    layout->addWidget(m_fileView, 1);
    return page;
}

bool MainWindow::openTorrent(const QString& path) {
    QFile file(path);
    const MetainfoLimits limits;
    if (!file.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Open Torrent"),
                             tr("Cannot read %1: %2").arg(path, file.errorString()));
        return false;
    }
    if (file.size() > limits.maxTorrentBytes) {
        QMessageBox::warning(this, tr("Open Torrent"), tr("%1 is too large to be a torrent.").arg(path));
        return false;
    }
    MetainfoParseResult result = parseMetainfo(file.readAll(), limits);
    if (!result.ok()) {
        QMessageBox::warning(
            this, tr("Open Torrent"),
            tr("%1 is not a valid torrent:\n%2").arg(QFileInfo(path).fileName(), result.message));
        return false;
    }
    m_torrent = std::move(result.metainfo);
    const Metainfo& meta = *m_torrent;
    m_files->setMetainfo(meta);
    const QStringList trackers = meta.trackers();
    m_summary->setText(
        tr("<h3>%1</h3>"
           "<table>"
           "<tr><td>Info-hash&nbsp;</td><td><tt>%2</tt></td></tr>"
           "<tr><td>Size</td><td>%3 in %4 file(s)</td></tr>"
           "<tr><td>Pieces</td><td>%5 × %6</td></tr>"
           "<tr><td>Tracker</td><td>%7</td></tr>"
           "<tr><td>Private</td><td>%8</td></tr>"
           "</table>")
            .arg(meta.name.toHtmlEscaped(), meta.infoHashHex(), formatSize(meta.totalSize))
            .arg(meta.files.size())
            .arg(meta.pieceCount())
            .arg(formatSize(meta.pieceLength))
            .arg(trackers.isEmpty() ? tr("none") : trackers.join(QStringLiteral("<br>")).toHtmlEscaped(),
                 meta.isPrivate ? tr("yes") : tr("no")));
    m_pages->setCurrentIndex(1);
    setWindowTitle(QStringLiteral("%1 — Swarmscope").arg(meta.name));
    statusBar()->showMessage(tr("Opened %1").arg(QFileInfo(path).fileName()), 5000);
    QSettings().setValue(kLastFolderKey, QFileInfo(path).absolutePath());
    return true;
}

void MainWindow::createTorrentFrom(const QString& path) {
    auto* dialog = new CreateTorrentDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!path.isEmpty())
        dialog->setSourcePath(path);
    connect(dialog, &CreateTorrentDialog::torrentCreated, this,
            [this](const QString& torrentPath, const QByteArray&) { openTorrent(torrentPath); });
    dialog->open();
}

void MainWindow::showCreateDialog() {
    createTorrentFrom(QString());
}

void MainWindow::showOpenDialog() {
    const QString folder = QSettings().value(kLastFolderKey).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Torrent"), folder,
                                                      tr("Torrent files (*.torrent);;All files (*)"));
    if (!path.isEmpty())
        openTorrent(path);
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Swarmscope"),
                       tr("<h3>Swarmscope %1</h3>"
                          "<p>A BitTorrent swarm lab: real peers and a real tracker on your desktop.</p>"
                          "<p>Built with Qt %2.</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile())
        return;
    const QString path = urls.first().toLocalFile();
    event->acceptProposedAction();
    if (path.endsWith(QStringLiteral(".torrent"), Qt::CaseInsensitive) && QFileInfo(path).isFile())
        openTorrent(path);
    else
        createTorrentFrom(path);
}

} // namespace swarmscope::ui
