#pragma once

#include "ChildProcess.h"
#include "tracker/ScrapeResponse.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

namespace swarmscope::interop {

// The usual start of an interop scenario: our tracker, a random file (its size not a multiple of the piece
// size, so the short last piece crosses the wire too) and a .torrent for it that names the tracker.
struct LabTorrent {
    QString announceUrl;
    QString dataDir;  // the folder holding the file
    QString name;     // the file's name, also the torrent's
    QString dataPath; // dataDir/name
    QString torrent;  // the .torrent's path
    QByteArray infoHashHex;
    qint64 size = 0;
    ChildProcess* tracker = nullptr;

    // magnet:?xt=urn:btih:HASH&dn=NAME&tr=ANNOUNCE (BEP 9).
    QString magnetUri() const {
        return QStringLiteral("magnet:?xt=urn:btih:%1&dn=%2&tr=%3")
            .arg(QString::fromLatin1(infoHashHex), QString::fromLatin1(QUrl::toPercentEncoding(name)),
                 QString::fromLatin1(QUrl::toPercentEncoding(announceUrl)));
    }
};

// One interop scenario's world: a temporary folder for data, torrents and every program's logs, and the
// programs started in it. Declared first in a test function, it outlives the test's checks: when it goes
// (after a QVERIFY failure too) it ends every program, newest first, and if the test failed it prints each
// program's command line, state and last output, which is the evidence to read.
//
// Set SWARMSCOPE_KEEP_INTEROP_LOGS=1 to keep the folder (its path is printed) for a closer look.
class InteropLab {
public:
    InteropLab();
    ~InteropLab();
    InteropLab(const InteropLab&) = delete;
    InteropLab& operator=(const InteropLab&) = delete;

    bool isValid() const { return m_dir.isValid(); }
    // A path inside the lab's folder; makeDir() also creates it.
    QString path(const QString& relative) const;
    QString makeDir(const QString& relative) const;

    // Starts a program whose logs are kept as <name>.out and <name>.err; null when it would not start
    // (see error()).
    ChildProcess* spawn(const QString& name, const QString& program, const QStringList& arguments,
                        const QString& workingDirectory = {});

    // `swarmscope tracker --listen 127.0.0.1:0`, once it printed its announce URL (and, when udpAnnounceUrl
    // is given, its BEP 15 one too).
    ChildProcess* startOurTracker(const QString& name, QString* announceUrl,
                                  QString* udpAnnounceUrl = nullptr);
    // `swarmscope peer ARGS...` in workingDirectory (the lab's folder when empty).
    ChildProcess* startOurPeer(const QString& name, const QStringList& arguments,
                               const QString& workingDirectory = {});
    // Waits until our peer says it is seeding (it checked or hashed its data).
    bool waitUntilSeeding(ChildProcess& peer, int timeoutMs);
    // `/usr/bin/python3 lt_peer.py MODE ARGS...`, once it printed the port it listens on.
    ChildProcess* startLibtorrentPeer(const QString& name, const QString& mode, const QStringList& arguments,
                                      quint16* listenPort = nullptr);

    // Starts our tracker and writes LabTorrent's file (in a folder named dataFolder) and .torrent.
    bool prepareTorrent(const QString& name, qint64 size, int randomSeed, LabTorrent* out,
                        const QString& dataFolder = QStringLiteral("seed"),
                        const QString& pieceSize = QStringLiteral("256KiB"));
    // `swarmscope peer --role seeder` for the torrent, once it is seeding and the tracker lists it.
    ChildProcess* startOurSeeder(const LabTorrent& torrent, const QString& name = QStringLiteral("seeder"),
                                 const QStringList& extraArguments = {});
    // `swarmscope peer --role leecher` for the torrent into dir (a lab folder it creates).
    ChildProcess* startOurLeecher(const LabTorrent& torrent, const QString& dir,
                                  const QString& name = QStringLiteral("leecher"));
    // Waits until the tracker's scrape of the torrent says accept (complete/incomplete counts).
    bool waitForSwarm(const LabTorrent& torrent, const std::function<bool(const ScrapeCounts&)>& accept,
                      int timeoutMs, const QString& what);

    // Spins the event loop until the file at path has the SHA-1 `sha1` (hex) or the time is up; for clients
    // that say they are done only through their own interfaces.
    bool waitForFileContents(const QString& path, const QByteArray& sha1, int timeoutMs);
    // Prints (qInfo) what our peer logged about each remote on connect: the peer id, the BEP 10 client
    // string, extension names and the BEP 6 fast extension, one "interop-matrix: CLIENT | DIRECTION |
    // WHAT" line each; tests/interop/interop-matrix.sh collects them into docs/INTEROP.md's matrix.
    static void reportNegotiated(const QString& client, const QString& direction,
                                 const ChildProcess& ourPeer);

    // Why the last start or wait failed, with the program's output.
    const QString& error() const { return m_error; }
    // Every program's description (ChildProcess::describe()).
    QString describeAll() const;

private:
    QTemporaryDir m_dir;
    std::vector<std::unique_ptr<ChildProcess>> m_processes;
    QString m_error;
};

} // namespace swarmscope::interop
