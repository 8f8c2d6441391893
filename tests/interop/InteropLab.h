#pragma once

#include "ChildProcess.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace swarmscope::interop {

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
