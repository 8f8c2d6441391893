#include "window/TorrentImporter.h"

#include "dialogs/CreateTorrentDialog.h"
#include "shared/LabController.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace swarmscope::ui {

namespace {
const QString kLastFolderKey = QStringLiteral("folders/last");
} // namespace

std::optional<Metainfo> readTorrentFile(const QString& path, QString* error) {
    QFile file(path);
    const MetainfoLimits limits;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QObject::tr("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > limits.maxTorrentBytes) {
        *error = QObject::tr("%1 is too large to be a torrent").arg(path);
        return std::nullopt;
    }
    MetainfoParseResult result = parseMetainfo(file.readAll(), limits);
    if (!result.ok()) {
        *error = QObject::tr("%1 is not a valid torrent: %2").arg(QFileInfo(path).fileName(), result.message);
        return std::nullopt;
    }
    return std::move(result.metainfo);
}

TorrentImporter::TorrentImporter(LabController* controller, QWidget* window)
    : QObject(window), m_controller(controller), m_window(window) {}

QString TorrentImporter::lastFolder() const {
    return QSettings().value(kLastFolderKey).toString();
}

void TorrentImporter::rememberFolder(const QString& path) {
    QSettings().setValue(kLastFolderKey, path);
}

void TorrentImporter::createFrom(const QString& path) {
    auto* dialog = new CreateTorrentDialog(m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!path.isEmpty())
        dialog->setSourcePath(path);
    // The lab's own tracker: a torrent made here is found by the lab's peers and by outside clients alike.
    dialog->setTracker(m_controller->announceUrl());
    connect(dialog, &CreateTorrentDialog::torrentCreated, this,
            [this, dialog](const QString& torrentPath, const QByteArray&) {
                onCreated(dialog->sourcePath(), torrentPath);
            });
    dialog->open();
}

void TorrentImporter::onCreated(const QString& sourcePath, const QString& torrentPath) {
    QString error;
    const std::optional<Metainfo> metainfo = readTorrentFile(torrentPath, &error);
    QString dir;
    if (metainfo)
        dir = servedDirectory(*metainfo, sourcePath, &error);
    if (dir.isEmpty()) {
        QMessageBox::warning(m_window, tr("Create Torrent"),
                             tr("The torrent was saved, but cannot be seeded: %1").arg(error));
        return;
    }
    // It was hashed a moment ago, so the seeder need not check it again.
    const int id = m_controller->addTorrent(*metainfo, dir, true);
    if (id == 0)
        return;
    m_controller->addSeeders(1);
    rememberFolder(QFileInfo(torrentPath).absolutePath());
    emit statusMessage(tr("Saved %1; one seeder is serving it.").arg(QDir::toNativeSeparators(torrentPath)));
    emit torrentAdded(id);
}

QString TorrentImporter::servedDirectory(const Metainfo& metainfo, const QString& sourcePath,
                                         QString* error) {
    const QFileInfo source(sourcePath);
    if (metainfo.name == source.fileName())
        return source.absolutePath();
    // The name was sanitised. A single file gets a link (or a copy) under the torrent's name in the lab.
    if (metainfo.multiFile) {
        *error = tr("the folder's name is not usable as a torrent name (%1)").arg(sourcePath);
        return {};
    }
    const QString dir =
        QDir(m_controller->labDir()).filePath(QStringLiteral("source-%1").arg(++m_linkedSources));
    const QString target = QDir(dir).filePath(metainfo.name);
    bool linked = QDir().mkpath(dir);
#ifdef Q_OS_UNIX
    linked = linked && ::link(QFile::encodeName(source.absoluteFilePath()).constData(),
                              QFile::encodeName(target).constData()) == 0;
#else
    linked = false;
#endif
    if (!linked && !QFile::copy(source.absoluteFilePath(), target)) {
        *error = tr("cannot link or copy the file for the seeder (%1)").arg(target);
        return {};
    }
    return dir;
}

int TorrentImporter::addTorrentFile(const QString& torrentPath, const QString& dataDir, QString* error) {
    QString why;
    const std::optional<Metainfo> metainfo = readTorrentFile(torrentPath, &why);
    if (!metainfo) {
        if (error)
            *error = why;
        return 0;
    }
    QString dir = dataDir;
    // A folder named like a multi-file torrent is usually the torrent's top folder, not the one above it.
    if (!dir.isEmpty() && metainfo->multiFile && QFileInfo(dir).fileName() == metainfo->name &&
        !QFileInfo::exists(QDir(dir).filePath(metainfo->name)))
        dir = QFileInfo(dir).absolutePath();
    const int id = m_controller->addTorrent(*metainfo, dir.isEmpty() ? m_controller->labDir() : dir, false);
    if (id == 0) {
        if (error)
            *error = tr("the torrent has no pieces");
        return 0;
    }
    if (!dir.isEmpty())
        m_controller->addSeeders(1);
    rememberFolder(QFileInfo(torrentPath).absolutePath());
    emit statusMessage(dir.isEmpty() ? tr("Opened %1; add leechers to download it.").arg(metainfo->name)
                                     : tr("Opened %1; one seeder checks and serves %2.")
                                           .arg(metainfo->name, QDir::toNativeSeparators(dir)));
    emit torrentAdded(id);
    return id;
}

bool TorrentImporter::openInteractively(const QString& torrentPath) {
    QString error;
    const std::optional<Metainfo> metainfo = readTorrentFile(torrentPath, &error);
    if (!metainfo) {
        QMessageBox::warning(m_window, tr("Open Torrent"), error);
        return false;
    }
    QMessageBox ask(QMessageBox::Question, tr("Open Torrent"),
                    tr("Do you have the data of <b>%1</b> to seed it?").arg(metainfo->name.toHtmlEscaped()),
                    QMessageBox::Cancel, m_window);
    ask.setInformativeText(tr("A seeder serves the data from a folder on this computer; it checks every "
                              "piece first. Without one, leechers can still join, and download from "
                              "peers outside the lab."));
    // A torrent saved beside its data, as the create dialog does, can be seeded from there in one click.
    const QString besideTorrent = QFileInfo(torrentPath).absolutePath();
    const bool dataBeside = QFileInfo::exists(QDir(besideTorrent).filePath(metainfo->name));
    QPushButton* seedBeside = nullptr;
    if (dataBeside) {
        seedBeside = ask.addButton(tr("Seed from “%1”").arg(QFileInfo(besideTorrent).fileName()),
                                   QMessageBox::AcceptRole);
        seedBeside->setObjectName(QStringLiteral("seedBesideButton"));
        seedBeside->setToolTip(QDir::toNativeSeparators(besideTorrent));
    }
    QPushButton* seed = ask.addButton(dataBeside ? tr("Another Folder…") : tr("Seed from a Folder…"),
                                      QMessageBox::AcceptRole);
    seed->setObjectName(QStringLiteral("seedFolderButton"));
    QPushButton* leechOnly = ask.addButton(tr("Leechers Only"), QMessageBox::ActionRole);
    leechOnly->setObjectName(QStringLiteral("leechersOnlyButton"));
    ask.setDefaultButton(seedBeside ? seedBeside : seed);
    ask.exec();
    QString dir;
    if (seedBeside && ask.clickedButton() == seedBeside) {
        dir = besideTorrent;
    } else if (ask.clickedButton() == seed) {
        dir = QFileDialog::getExistingDirectory(m_window, tr("The folder that holds %1").arg(metainfo->name),
                                                besideTorrent);
        if (dir.isEmpty())
            return false;
    } else if (ask.clickedButton() != leechOnly) {
        return false;
    }
    if (addTorrentFile(torrentPath, dir, &error) == 0) {
        QMessageBox::warning(m_window, tr("Open Torrent"), error);
        return false;
    }
    return true;
}

} // namespace swarmscope::ui
