#pragma once

// Faults injected into real `swarmscope` processes on 127.0.0.1: a tracker, seeders and leechers started as
// child processes (their logs kept, see InteropLab), killed with SIGKILL, run under a file size limit, or
// restarted. What they did is read back from their own output (the peer command's "found ... on disk" line
// and its closing "summary:" line) and from the disk itself, hashed here against the torrent.

#include "ChildProcess.h"
#include "InteropLab.h"

#include "metainfo/Metainfo.h"
#include "storage/ResumeData.h"

#include <QBitArray>
#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace swarmscope::hardening {

using interop::ChildProcess;

// The peer command's last line: "summary: received N bytes of piece data (W wasted), sent U; V of P pieces
// verified, K of them found on disk at start".
struct PeerSummary {
    qint64 received = 0;
    qint64 wasted = 0;
    qint64 sent = 0;
    int verified = 0;
    int pieces = 0;
    int foundAtStart = 0;
};
std::optional<PeerSummary> peerSummary(const ChildProcess& peer);

// "found K of P pieces verified on disk[ (resume data...)]": K, or -1 before the line is printed.
int foundOnDisk(const ChildProcess& peer, bool* fromResumeData = nullptr);

// The highest "downloading: N%" decile printed so far, or -1.
int progressPercent(const ChildProcess& peer);

// Pieces whose bytes in dir hash right, and the bytes of those that do not.
QBitArray validPiecesOnDisk(const Metainfo& metainfo, const QString& dir);
qint64 bytesOfMissingPieces(const Metainfo& metainfo, const QBitArray& have);

// The leecher's resume data, decoded (strictly), or nothing when the file is absent or unreadable.
QString resumeFilePath(const QString& dir, const Metainfo& metainfo);
std::optional<ResumeData> readResumeData(const QString& dir, const Metainfo& metainfo);

// Every set bit of claimed is set in truth.
bool isSubset(const QBitArray& claimed, const QBitArray& truth);

// SIGKILL, then waits for the process to be gone.
bool killHard(ChildProcess& process, int timeoutMs = 10000);

class FaultLab {
public:
    FaultLab();

    bool isValid() const { return m_lab.isValid(); }
    interop::InteropLab& lab() { return m_lab; }
    QString path(const QString& relative) const { return m_lab.path(relative); }
    QString error() const { return m_error.isEmpty() ? m_lab.error() : m_error; }

    // `swarmscope tracker --listen 127.0.0.1:PORT --interval SECONDS` (PORT 0: a free one, then kept for
    // restarts), once it printed its announce URL.
    ChildProcess* startTracker(const QString& name, int intervalSeconds, quint16 port = 0);
    const QString& announceUrl() const { return m_announceUrl; }
    quint16 trackerPort() const { return m_trackerPort; }

    // size bytes of pseudo-random data in seed/data.bin and a torrent of it with pieceSize (such as "64KiB")
    // announcing to the tracker; false with error() on failure.
    bool makeTorrent(qint64 size, const QString& pieceSize, quint32 seed = 1);
    const Metainfo& metainfo() const { return m_metainfo; }
    const QByteArray& content() const { return m_content; }
    QString torrentPath() const { return path(QStringLiteral("t.torrent")); }
    QString seedDir() const { return path(QStringLiteral("seed")); }
    // The downloaded file in a leecher's directory.
    QString dataPathIn(const QString& dir) const;
    bool isIdenticalIn(const QString& dir) const;

    // `swarmscope peer --role seeder --torrent T --dir seed --up RATE`, once it says it is seeding.
    ChildProcess* startSeeder(const QString& name, const QString& upRate);
    // `[prlimit --fsize=LIMIT --] swarmscope peer --role leecher --torrent T --dir DIR ...extra`.
    ChildProcess* startLeecher(const QString& name, const QString& dir, const QStringList& extra = {},
                               qint64 fileSizeLimit = -1);

    // Stops every program still running (SIGTERM, then SIGKILL after a grace period) and returns what
    // AddressSanitizer, LeakSanitizer or UndefinedBehaviorSanitizer reported in any program's stderr (in a
    // sanitizer build), or an empty string. A test calls it last: QVERIFY2(report.isEmpty(), ...).
    QString finish();

private:
    ChildProcess* track(ChildProcess* process);

    interop::InteropLab m_lab;
    QList<ChildProcess*> m_processes;
    QString m_announceUrl;
    quint16 m_trackerPort = 0;
    Metainfo m_metainfo;
    QByteArray m_content;
    QString m_error;
};

} // namespace swarmscope::hardening
