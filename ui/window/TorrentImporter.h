#pragma once

#include "metainfo/Metainfo.h"

#include <QObject>
#include <QString>

#include <functional>

class QWidget;

namespace swarmscope::ui {

class LabController;

// Brings torrents into the lab the two ways a user has: making one from a file or folder (the create
// dialog, then a seeder serving the source in place), and opening a .torrent (seeded from a folder the
// user names, or joined by leechers only).
class TorrentImporter : public QObject {
    Q_OBJECT
public:
    TorrentImporter(LabController* controller, QWidget* window);

    // Opens the create dialog (not modal) with path as the source; empty: the user picks one.
    void createFrom(const QString& path);
    // Asks whether to seed the torrent, and from which folder, then adds it. False when it cannot be read
    // or the user cancels.
    bool openInteractively(const QString& torrentPath);
    // Adds the torrent without asking: with one seeder serving dataDir (the folder that holds the
    // torrent's file or top folder) when given, else with no peers. The torrent id, or 0 with *error set.
    int addTorrentFile(const QString& torrentPath, const QString& dataDir, QString* error = nullptr);

    QString lastFolder() const;

signals:
    void torrentAdded(int torrent);
    void statusMessage(const QString& message);

private:
    void onCreated(const QString& sourcePath, const QString& torrentPath);
    // The directory a seeder serves source from, under the name the torrent gives it; empty with *error.
    QString servedDirectory(const Metainfo& metainfo, const QString& sourcePath, QString* error);
    void rememberFolder(const QString& path);

    LabController* m_controller;
    QWidget* m_window;
    int m_linkedSources = 0;
};

// Reads and validates a .torrent; nullopt with *error set to one sentence.
std::optional<Metainfo> readTorrentFile(const QString& path, QString* error);

} // namespace swarmscope::ui
