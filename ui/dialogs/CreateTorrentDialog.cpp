#include "dialogs/CreateTorrentDialog.h"

#include "shared/SizeFormat.h"

#include "metainfo/PieceSize.h"
#include "metainfo/TorrentCreator.h"

#include <QCheckBox>
#include <QDir>
#include <QDirIterator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QSlider>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace swarmscope::ui {

namespace {

constexpr int kMinExponent = 14; // 16 KiB
constexpr int kMaxExponent = 24; // 16 MiB

// A typed path is looked at on every pause in typing, so a folder is counted only so far: "/" must not
// walk the whole disk while someone types "/home/...".
constexpr int kMaxCountedFiles = 20000;

struct SourceSize {
    qint64 bytes = 0;
    int files = 0;
    bool partial = false; // stopped counting at kMaxCountedFiles
};

SourceSize sizeOnDisk(const QString& path) {
    SourceSize size;
    const QFileInfo info(path);
    if (info.isFile()) {
        size.bytes = info.size();
        size.files = 1;
        return size;
    }
    if (!info.isDir())
        return size;
    QDirIterator it(path, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        size.bytes += it.fileInfo().size();
        if (++size.files >= kMaxCountedFiles) {
            size.partial = it.hasNext();
            break;
        }
    }
    return size;
}

} // namespace

CreateTorrentDialog::CreateTorrentDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Create Torrent"));
    setMinimumWidth(560);

    m_source = new QLineEdit(this);
    m_source->setObjectName(QStringLiteral("sourceEdit"));
    m_source->setPlaceholderText(tr("A file or folder to share: type its path or choose it"));
    m_sourceStatus = new QLabel(this);
    m_sourceStatus->setObjectName(QStringLiteral("sourceStatus"));
    m_sourceStatus->setWordWrap(true);
    m_sourceTimer = new QTimer(this);
    m_sourceTimer->setSingleShot(true);
    m_sourceTimer->setInterval(kTypingPauseMs);
    auto* fileButton = new QPushButton(tr("File…"), this);
    auto* folderButton = new QPushButton(tr("Folder…"), this);
    auto* sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_source, 1);
    sourceRow->addWidget(fileButton);
    sourceRow->addWidget(folderButton);

    m_output = new QLineEdit(this);
    m_output->setObjectName(QStringLiteral("outputEdit"));
    m_output->setPlaceholderText(tr("Where to save the .torrent"));
    auto* outputButton = new QPushButton(tr("Save as…"), this);
    auto* outputRow = new QHBoxLayout;
    outputRow->addWidget(m_output, 1);
    outputRow->addWidget(outputButton);

    m_pieceSlider = new QSlider(Qt::Horizontal, this);
    m_pieceSlider->setObjectName(QStringLiteral("pieceSizeSlider"));
    m_pieceSlider->setRange(kMinExponent, kMaxExponent);
    m_pieceSlider->setPageStep(1);
    m_pieceSlider->setTickPosition(QSlider::TicksBelow);
    m_pieceSlider->setTickInterval(1);
    m_pieceSlider->setValue(18);
    m_pieceSlider->setToolTip(
        tr("Piece size, in powers of two from 16 KiB to 16 MiB; it starts at the size "
           "suggested for the source (1000 to 2000 pieces). Smaller pieces spread sooner, "
           "since a peer can pass on a piece only once it has all of it, but cost more "
           "hashes, HAVE messages and bitfield bytes. Watch the piece map: with small "
           "pieces the rows fill in fine grains."));
    m_pieceInfo = new QLabel(this);
    m_pieceInfo->setMinimumWidth(200);
    auto* pieceRow = new QHBoxLayout;
    pieceRow->addWidget(m_pieceSlider, 1);
    pieceRow->addWidget(m_pieceInfo);

    m_tracker = new QLineEdit(this);
    m_tracker->setObjectName(QStringLiteral("trackerEdit"));
    m_tracker->setPlaceholderText(QStringLiteral("http://127.0.0.1:6969/announce"));
    m_private = new QCheckBox(tr("Private (peers come from the tracker only)"), this);
    m_comment = new QLineEdit(this);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);

    m_createButton = new QPushButton(tr("Create"), this);
    m_createButton->setObjectName(QStringLiteral("createButton"));
    m_createButton->setDefault(true);
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_createButton);

    auto* form = new QFormLayout;
    form->addRow(tr("Source:"), sourceRow);
    form->addRow(QString(), m_sourceStatus);
    form->addRow(tr("Piece size:"), pieceRow);
    form->addRow(tr("Tracker:"), m_tracker);
    form->addRow(QString(), m_private);
    form->addRow(tr("Comment:"), m_comment);
    form->addRow(tr("Torrent file:"), outputRow);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addLayout(buttons);

    connect(fileButton, &QPushButton::clicked, this, &CreateTorrentDialog::chooseFile);
    connect(folderButton, &QPushButton::clicked, this, &CreateTorrentDialog::chooseFolder);
    connect(outputButton, &QPushButton::clicked, this, &CreateTorrentDialog::chooseOutput);
    // As typed: a pause in typing is enough, no Tab or Enter needed (a typed path used to do nothing until
    // Tab was pressed). Leaving the field applies it at once.
    connect(m_source, &QLineEdit::textChanged, this, [this]() {
        m_sourceValid = false;
        m_appliedSource.clear();
        updateButtons();
        m_sourceTimer->start();
    });
    connect(m_sourceTimer, &QTimer::timeout, this, &CreateTorrentDialog::applySource);
    connect(m_source, &QLineEdit::editingFinished, this, &CreateTorrentDialog::applySource);
    connect(m_output, &QLineEdit::textChanged, this, &CreateTorrentDialog::updateButtons);
    connect(m_pieceSlider, &QSlider::valueChanged, this, &CreateTorrentDialog::updatePieceInfo);
    connect(m_createButton, &QPushButton::clicked, this, &CreateTorrentDialog::startCreation);
    connect(m_cancelButton, &QPushButton::clicked, this, &CreateTorrentDialog::reject);
    updatePieceInfo();
    updateButtons();
}

CreateTorrentDialog::~CreateTorrentDialog() {
    // QDialog's destructor hides the dialog, and the source field, losing focus, would finish its editing
    // into a dialog that is already half gone.
    disconnect(m_source, nullptr, this, nullptr);
    m_sourceTimer->stop();
    if (m_worker) {
        m_creator->cancel();
        m_worker->wait();
    }
}

void CreateTorrentDialog::setSourcePath(const QString& path) {
    {
        const QSignalBlocker block(m_source);
        m_source->setText(QDir::toNativeSeparators(path));
    }
    applySource();
}

void CreateTorrentDialog::applySource() {
    m_sourceTimer->stop();
    const QString path = sourcePath();
    if (path == m_appliedSource && !path.isEmpty()) {
        updateButtons();
        return;
    }
    m_appliedSource = path;
    const QFileInfo info(path);
    auto fail = [this](const QString& why) {
        m_sourceValid = false;
        m_sourceSize = 0;
        m_sourceStatus->setText(
            QStringLiteral("<span style='color:#b3261e'>%1</span>").arg(why.toHtmlEscaped()));
        updatePieceInfo();
        updateButtons();
    };
    if (path.isEmpty()) {
        m_sourceValid = false;
        m_sourceStatus->setText(tr("Type the path of a file or folder, or use the buttons."));
        updatePieceInfo();
        updateButtons();
        return;
    }
    if (!info.exists())
        return fail(tr("No such file or folder."));
    if (!info.isReadable())
        return fail(tr("Not readable by you."));
    const SourceSize size = sizeOnDisk(path);
    if (size.files == 0)
        return fail(info.isDir() ? tr("An empty folder: nothing to share.") : tr("Not a file or folder."));
    if (size.bytes == 0)
        return fail(tr("Only empty files: nothing to share."));
    m_sourceValid = true;
    m_sourceSize = size.bytes;
    const QString what =
        info.isDir()
            ? (size.partial ? tr("a large folder: at least %n file(s), %1 so far", nullptr, size.files)
                            : tr("a folder of %n file(s), %1", nullptr, size.files))
                  .arg(formatSize(size.bytes))
            : tr("a file of %1").arg(formatSize(size.bytes));
    m_sourceStatus->setText(QStringLiteral("<span style='color:#2e7d32'>&#10004;</span> ") +
                            what.toHtmlEscaped());
    // The output follows the source while it is the one filled in for the previous source.
    if (m_output->text().isEmpty() || m_output->text() == m_autoOutput) {
        m_autoOutput = QDir::toNativeSeparators(info.absolutePath() + u'/' + info.fileName() +
                                                QStringLiteral(".torrent"));
        m_output->setText(m_autoOutput);
    }
    // Start from the suggested size; the user can move the slider from there.
    m_automaticPieceSize = automaticPieceLength(m_sourceSize);
    int exponent = kMinExponent;
    while ((qint64(1) << exponent) < m_automaticPieceSize && exponent < kMaxExponent)
        ++exponent;
    m_pieceSlider->setValue(exponent);
    updatePieceInfo();
    updateButtons();
}

QString CreateTorrentDialog::sourceStatus() const {
    return m_sourceStatus->text();
}

QString CreateTorrentDialog::sourcePath() const {
    return QDir::fromNativeSeparators(m_source->text().trimmed());
}

void CreateTorrentDialog::setTracker(const QString& url) {
    m_tracker->setText(url);
}

QString CreateTorrentDialog::tracker() const {
    return m_tracker->text().trimmed();
}

void CreateTorrentDialog::setOutputPath(const QString& path) {
    m_output->setText(QDir::toNativeSeparators(path));
}

QString CreateTorrentDialog::outputPath() const {
    return QDir::fromNativeSeparators(m_output->text().trimmed());
}

void CreateTorrentDialog::setPieceSizeExponent(int exponent) {
    m_pieceSlider->setValue(exponent);
}

qint64 CreateTorrentDialog::pieceSize() const {
    return qint64(1) << m_pieceSlider->value();
}

void CreateTorrentDialog::updatePieceInfo() {
    const qint64 size = pieceSize();
    if (m_sourceSize > 0) {
        const qint64 pieces = (m_sourceSize + size - 1) / size;
        QString text =
            tr("%1 → %n piece(s)", nullptr, int(qMin<qint64>(pieces, INT_MAX))).arg(formatSize(size));
        if (size == m_automaticPieceSize)
            text += tr(" (suggested)");
        m_pieceInfo->setText(text);
    } else {
        m_pieceInfo->setText(formatSize(size));
    }
}

void CreateTorrentDialog::updateButtons() {
    const bool busy = m_worker != nullptr;
    m_createButton->setEnabled(!busy && m_sourceValid && !outputPath().isEmpty());
    m_source->setEnabled(!busy);
    m_output->setEnabled(!busy);
    m_pieceSlider->setEnabled(!busy);
    m_tracker->setEnabled(!busy);
    m_private->setEnabled(!busy);
    m_comment->setEnabled(!busy);
}

void CreateTorrentDialog::chooseFile() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a file to share"), sourcePath());
    if (!path.isEmpty())
        setSourcePath(path);
}

void CreateTorrentDialog::chooseFolder() {
    const QString path =
        QFileDialog::getExistingDirectory(this, tr("Choose a folder to share"), sourcePath());
    if (!path.isEmpty())
        setSourcePath(path);
}

void CreateTorrentDialog::chooseOutput() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save torrent as"), outputPath(),
                                                      tr("Torrent files (*.torrent)"));
    if (!path.isEmpty())
        setOutputPath(path);
}

void CreateTorrentDialog::startCreation() {
    if (m_worker)
        return;
    const QString source = sourcePath();
    if (!QFileInfo::exists(source)) {
        m_status->setText(tr("<b>%1</b> does not exist.").arg(source.toHtmlEscaped()));
        emit creationFailed(m_status->text());
        return;
    }
    TorrentCreateOptions options;
    options.path = source;
    options.pieceLength = pieceSize();
    const QString tracker = m_tracker->text().trimmed();
    if (!tracker.isEmpty())
        options.trackers.append(tracker);
    options.isPrivate = m_private->isChecked();
    options.comment = m_comment->text();
    options.createdBy = QStringLiteral("Swarmscope");

    m_creator = std::make_shared<TorrentCreator>(options);
    m_progress->setValue(0);
    m_status->setText(tr("Hashing…"));

    // The worker owns a reference to the creator, so closing the dialog mid-hash is safe.
    auto creator = m_creator;
    QPointer<CreateTorrentDialog> self(this);
    m_worker = QThread::create([creator, self]() {
        const TorrentCreateResult result = creator->run([self](qint64 done, qint64 total) {
            if (self)
                QMetaObject::invokeMethod(
                    self,
                    [self, done, total]() {
                        if (!self)
                            return;
                        self->m_progress->setValue(total > 0 ? int(done * 1000 / total) : 0);
                        emit self->progressChanged(done, total);
                    },
                    Qt::QueuedConnection);
        });
        if (self)
            QMetaObject::invokeMethod(
                self,
                [self, result]() {
                    if (self)
                        self->finishCreation(result.ok(), result.cancelled, result.error, result.torrent,
                                             result.infoHash);
                },
                Qt::QueuedConnection);
    });
    connect(m_worker, &QThread::finished, m_worker, &QObject::deleteLater);
    m_worker->start();
    m_cancelButton->setText(tr("Stop"));
    updateButtons();
}

void CreateTorrentDialog::cancelCreation() {
    if (m_creator && m_worker)
        m_creator->cancel();
}

void CreateTorrentDialog::reject() {
    if (m_worker) {
        cancelCreation();
        return; // finishCreation() resets the dialog once the worker has stopped
    }
    QDialog::reject();
}

void CreateTorrentDialog::finishCreation(bool ok, bool cancelled, const QString& error,
                                         const QByteArray& torrent, const QByteArray& infoHash) {
    if (m_worker)
        m_worker->wait();
    m_worker = nullptr;
    m_cancelButton->setText(tr("Cancel"));
    updateButtons();
    if (cancelled) {
        m_progress->setValue(0);
        m_status->setText(tr("Cancelled. Nothing was written."));
        return;
    }
    if (!ok) {
        m_status->setText(tr("Could not create the torrent: %1").arg(error.toHtmlEscaped()));
        emit creationFailed(error);
        return;
    }
    const QString output = outputPath();
    QSaveFile file(output);
    if (!file.open(QIODevice::WriteOnly) || file.write(torrent) != torrent.size() || !file.commit()) {
        const QString message = tr("Could not save %1: %2").arg(output, file.errorString());
        m_status->setText(message.toHtmlEscaped());
        emit creationFailed(message);
        return;
    }
    m_progress->setValue(m_progress->maximum());
    m_status->setText(tr("Saved. Info-hash %1").arg(QString::fromLatin1(infoHash.toHex())));
    emit torrentCreated(output, infoHash);
    accept();
}

} // namespace swarmscope::ui
