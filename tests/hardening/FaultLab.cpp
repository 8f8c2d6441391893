#include "FaultLab.h"

#include "InteropSupport.h"
#include "TestSupport.h"

#include "storage/TorrentStorage.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <csignal>

namespace swarmscope::hardening {

namespace {

QList<QByteArray> lines(const ChildProcess& process) {
    return process.output(ChildProcess::Channel::Err).split('\n');
}

} // namespace

std::optional<PeerSummary> peerSummary(const ChildProcess& peer) {
    static const QRegularExpression pattern(
        QStringLiteral("^summary: received (\\d+) bytes of piece data \\((\\d+) wasted\\), sent (\\d+); "
                       "(\\d+) of (\\d+) pieces verified, (\\d+) of them found on disk at start$"));
    for (const QByteArray& line : lines(peer)) {
        const QRegularExpressionMatch m = pattern.match(QString::fromUtf8(line));
        if (!m.hasMatch())
            continue;
        return PeerSummary{m.captured(1).toLongLong(), m.captured(2).toLongLong(), m.captured(3).toLongLong(),
                           m.captured(4).toInt(),      m.captured(5).toInt(),      m.captured(6).toInt()};
    }
    return std::nullopt;
}

int foundOnDisk(const ChildProcess& peer, bool* fromResumeData) {
    static const QRegularExpression pattern(
        QStringLiteral("^found (\\d+) of (\\d+) pieces verified on disk( \\(resume data)?"));
    for (const QByteArray& line : lines(peer)) {
        const QRegularExpressionMatch m = pattern.match(QString::fromUtf8(line));
        if (!m.hasMatch())
            continue;
        if (fromResumeData)
            *fromResumeData = !m.captured(3).isEmpty();
        return m.captured(1).toInt();
    }
    return -1;
}

int progressPercent(const ChildProcess& peer) {
    static const QRegularExpression pattern(QStringLiteral("^downloading: (\\d+)%"));
    int best = -1;
    for (const QByteArray& line : lines(peer)) {
        const QRegularExpressionMatch m = pattern.match(QString::fromUtf8(line));
        if (m.hasMatch())
            best = qMax(best, m.captured(1).toInt());
    }
    return best;
}

QBitArray validPiecesOnDisk(const Metainfo& metainfo, const QString& dir) {
    const TorrentStorage storage(metainfo, dir);
    return storage.verifyAll({}, nullptr, 1);
}

qint64 bytesOfMissingPieces(const Metainfo& metainfo, const QBitArray& have) {
    qint64 bytes = 0;
    for (int i = 0; i < metainfo.pieceCount(); ++i)
        if (i >= have.size() || !have.testBit(i))
            bytes += qMin(metainfo.pieceLength, metainfo.totalSize - qint64(i) * metainfo.pieceLength);
    return bytes;
}

QString resumeFilePath(const QString& dir, const Metainfo& metainfo) {
    return QDir(dir).filePath(
        QStringLiteral(".swarmscope/%1.resume").arg(QString::fromLatin1(metainfo.infoHash.toHex())));
}

std::optional<ResumeData> readResumeData(const QString& dir, const Metainfo& metainfo) {
    QFile file(resumeFilePath(dir, metainfo));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    ResumeDecodeResult decoded = ResumeData::decode(file.readAll());
    if (!decoded.status.ok() || decoded.data->infoHash != metainfo.infoHash ||
        decoded.data->pieces.size() != metainfo.pieceCount())
        return std::nullopt;
    return decoded.data;
}

bool isSubset(const QBitArray& claimed, const QBitArray& truth) {
    if (claimed.size() != truth.size())
        return false;
    return (claimed & ~truth).count(true) == 0;
}

bool killHard(ChildProcess& process, int timeoutMs) {
    if (!process.isRunning())
        return false;
    ::kill(pid_t(process.pid()), SIGKILL);
    return process.waitForExit(timeoutMs);
}

FaultLab::FaultLab() = default;

ChildProcess* FaultLab::track(ChildProcess* process) {
    if (process)
        m_processes.append(process);
    return process;
}

QString FaultLab::finish() {
    for (auto it = m_processes.crbegin(); it != m_processes.crend(); ++it)
        (*it)->stop(5000);
    static const QRegularExpression complaint(QStringLiteral(
        "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer"));
    QString report;
    for (const ChildProcess* process : std::as_const(m_processes)) {
        const QString err = QString::fromUtf8(process->output(ChildProcess::Channel::Err));
        const QRegularExpressionMatch m = complaint.match(err);
        if (m.hasMatch())
            report += QStringLiteral("%1: %2\n").arg(process->name(), err.mid(m.capturedStart(), 2000));
    }
    return report;
}

ChildProcess* FaultLab::startTracker(const QString& name, int intervalSeconds, quint16 port) {
    const QString exe = testsupport::swarmscopeExecutable();
    if (exe.isEmpty()) {
        m_error = QStringLiteral("SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        return nullptr;
    }
    ChildProcess* tracker = track(m_lab.spawn(
        name, exe,
        {QStringLiteral("tracker"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
         QStringLiteral("--interval"), QString::number(intervalSeconds)}));
    if (!tracker)
        return nullptr;
    const QRegularExpression pattern(
        QStringLiteral("^announce URL: (http://127\\.0\\.0\\.1:([1-9][0-9]*)/announce)"));
    const std::optional<QByteArray> line = tracker->waitForLine(ChildProcess::Channel::Out, pattern, 20000);
    if (!line) {
        m_error = QStringLiteral("the tracker printed no announce URL (%1)").arg(tracker->status());
        return nullptr;
    }
    const QRegularExpressionMatch m = pattern.match(QString::fromUtf8(*line));
    m_announceUrl = m.captured(1);
    m_trackerPort = quint16(m.captured(2).toUInt());
    return tracker;
}

bool FaultLab::makeTorrent(qint64 size, const QString& pieceSize, quint32 seed) {
    QDir().mkpath(seedDir());
    const QString data = QDir(seedDir()).filePath(QStringLiteral("data.bin"));
    if (!testsupport::writeRandomFile(data, size, seed)) {
        m_error = QStringLiteral("cannot write %1").arg(data);
        return false;
    }
    m_content = testsupport::readAll(data);
    QString error;
    if (!interop::createTorrent(data, torrentPath(), pieceSize, m_announceUrl, &error)) {
        m_error = error;
        return false;
    }
    MetainfoParseResult parsed = parseMetainfo(testsupport::readAll(torrentPath()));
    if (!parsed.ok()) {
        m_error = QStringLiteral("the torrent does not parse: %1").arg(parsed.message);
        return false;
    }
    m_metainfo = *parsed.metainfo;
    return true;
}

QString FaultLab::dataPathIn(const QString& dir) const {
    return QDir(dir).filePath(m_metainfo.name);
}

bool FaultLab::isIdenticalIn(const QString& dir) const {
    return !m_content.isEmpty() && testsupport::readAll(dataPathIn(dir)) == m_content;
}

ChildProcess* FaultLab::startSeeder(const QString& name, const QString& upRate) {
    ChildProcess* seeder = track(m_lab.startOurPeer(
        name, {QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"), torrentPath(),
               QStringLiteral("--dir"), seedDir(), QStringLiteral("--up"), upRate, QStringLiteral("--listen"),
               QStringLiteral("127.0.0.1:0")}));
    if (!seeder || !m_lab.waitUntilSeeding(*seeder, 30000))
        return nullptr;
    return seeder;
}

ChildProcess* FaultLab::startLeecher(const QString& name, const QString& dir, const QStringList& extra,
                                     qint64 fileSizeLimit) {
    const QStringList peerArgs = QStringList{QStringLiteral("--role"),    QStringLiteral("leecher"),
                                             QStringLiteral("--torrent"), torrentPath(),
                                             QStringLiteral("--dir"),     dir,
                                             QStringLiteral("--listen"),  QStringLiteral("127.0.0.1:0")} +
                                 extra;
    if (fileSizeLimit < 0)
        return track(m_lab.startOurPeer(name, peerArgs));
    // prlimit (util-linux, in every Debian) sets RLIMIT_FSIZE and execs the command: the pid is the peer's.
    const QString prlimit = testsupport::requiredTool(QStringLiteral("prlimit"));
    if (prlimit.isEmpty()) {
        m_error = QStringLiteral("prlimit is missing (Debian package util-linux)");
        return nullptr;
    }
    return track(
        m_lab.spawn(name, prlimit,
                    QStringList{QStringLiteral("--fsize=%1").arg(fileSizeLimit), QStringLiteral("--"),
                                testsupport::swarmscopeExecutable(), QStringLiteral("peer")} +
                        peerArgs));
}

} // namespace swarmscope::hardening
