#include "InteropLab.h"

#include "InteropSupport.h"
#include "TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

#include <cstdio>

namespace swarmscope::interop {

InteropLab::InteropLab() {
    if (qEnvironmentVariableIntValue("SWARMSCOPE_KEEP_INTEROP_LOGS") != 0) {
        m_dir.setAutoRemove(false);
        std::fprintf(stderr, "interop lab folder: %s\n", qPrintable(m_dir.path()));
    }
    // opentracker chroots into a folder here and drops to user nobody, who must be able to enter it.
    QFile::setPermissions(m_dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                            QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                            QFileDevice::ExeOther);
}

InteropLab::~InteropLab() {
    const bool failed = QTest::currentTestFailed();
    if (failed) {
        // Written before the programs are stopped: what they were doing when the check failed.
        std::fprintf(stderr, "=== the programs of the failed interop test, as they were:\n%s\n",
                     qPrintable(describeAll()));
    }
    for (auto it = m_processes.rbegin(); it != m_processes.rend(); ++it)
        (*it)->stop(2000);
    if (failed)
        std::fprintf(stderr, "=== lab folder %s%s\n", qPrintable(m_dir.path()),
                     m_dir.autoRemove() ? " (removed; set SWARMSCOPE_KEEP_INTEROP_LOGS=1 to keep it)" : "");
}

QString InteropLab::path(const QString& relative) const {
    return m_dir.filePath(relative);
}

QString InteropLab::makeDir(const QString& relative) const {
    QDir(m_dir.path()).mkpath(relative);
    return path(relative);
}

ChildProcess* InteropLab::spawn(const QString& name, const QString& program, const QStringList& arguments,
                                const QString& workingDirectory) {
    auto process = std::make_unique<ChildProcess>(name, m_dir.path());
    ChildProcess* raw = process.get();
    m_processes.push_back(std::move(process));
    if (!raw->start(program, arguments, workingDirectory.isEmpty() ? m_dir.path() : workingDirectory)) {
        m_error = QStringLiteral("%1 did not start: %2").arg(name, raw->status());
        return nullptr;
    }
    return raw;
}

ChildProcess* InteropLab::startOurTracker(const QString& name, QString* announceUrl,
                                          QString* udpAnnounceUrl) {
    const QString exe = testsupport::swarmscopeExecutable();
    if (exe.isEmpty()) {
        m_error = QStringLiteral("SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        return nullptr;
    }
    ChildProcess* tracker = spawn(
        name, exe, {QStringLiteral("tracker"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    if (!tracker)
        return nullptr;
    const QRegularExpression pattern(
        QStringLiteral("^announce URL: (http://127\\.0\\.0\\.1:[1-9][0-9]*/announce)"));
    const std::optional<QByteArray> line = tracker->waitForLine(ChildProcess::Channel::Out, pattern, 10000);
    if (!line) {
        m_error = QStringLiteral("our tracker printed no announce URL (%1)").arg(tracker->status());
        return nullptr;
    }
    *announceUrl = pattern.match(QString::fromUtf8(*line)).captured(1);
    if (udpAnnounceUrl) {
        const QRegularExpression udp(
            QStringLiteral("^UDP announce URL: (udp://127\\.0\\.0\\.1:[1-9][0-9]*/announce)"));
        const std::optional<QByteArray> udpLine =
            tracker->waitForLine(ChildProcess::Channel::Out, udp, 10000);
        if (!udpLine) {
            m_error = QStringLiteral("our tracker printed no UDP announce URL (%1)").arg(tracker->status());
            return nullptr;
        }
        *udpAnnounceUrl = udp.match(QString::fromUtf8(*udpLine)).captured(1);
    }
    return tracker;
}

ChildProcess* InteropLab::startOurPeer(const QString& name, const QStringList& arguments,
                                       const QString& workingDirectory) {
    const QString exe = testsupport::swarmscopeExecutable();
    if (exe.isEmpty()) {
        m_error = QStringLiteral("SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        return nullptr;
    }
    return spawn(name, exe, QStringList{QStringLiteral("peer")} + arguments, workingDirectory);
}

bool InteropLab::waitUntilSeeding(ChildProcess& peer, int timeoutMs) {
    if (peer.waitForLine(ChildProcess::Channel::Err, QRegularExpression(QStringLiteral("^seeding ")),
                         timeoutMs))
        return true;
    m_error = QStringLiteral("%1 never said it was seeding (%2)").arg(peer.name(), peer.status());
    return false;
}

ChildProcess* InteropLab::startLibtorrentPeer(const QString& name, const QString& mode,
                                              const QStringList& arguments, quint16* listenPort) {
    const QString python = pythonWithLibtorrent(&m_error);
    if (python.isEmpty())
        return nullptr;
    ChildProcess* peer = spawn(name, python, QStringList{libtorrentPeerScript(), mode} + arguments);
    if (!peer)
        return nullptr;
    const std::optional<QJsonObject> listening = waitForJsonEvent(
        *peer,
        [](const QJsonObject& o) { return o.value(QStringLiteral("event")).toString() == u"listening"; },
        15000);
    const int port = listening ? listening->value(QStringLiteral("port")).toInt() : 0;
    if (port <= 0) {
        m_error = QStringLiteral("libtorrent peer %1 did not start listening (%2)").arg(name, peer->status());
        return nullptr;
    }
    if (listenPort)
        *listenPort = quint16(port);
    return peer;
}

bool InteropLab::prepareTorrent(const QString& name, qint64 size, int randomSeed, LabTorrent* out,
                                const QString& dataFolder, const QString& pieceSize) {
    out->tracker = startOurTracker(QStringLiteral("tracker"), &out->announceUrl);
    if (!out->tracker)
        return false;
    out->dataDir = makeDir(dataFolder);
    out->name = name;
    out->dataPath = out->dataDir + u'/' + name;
    out->size = size;
    if (!testsupport::writeRandomFile(out->dataPath, size, randomSeed)) {
        m_error = QStringLiteral("could not write %1").arg(out->dataPath);
        return false;
    }
    out->torrent = path(name + QStringLiteral(".torrent"));
    const std::optional<QByteArray> infoHash =
        createTorrent(out->dataPath, out->torrent, pieceSize, out->announceUrl, &m_error);
    if (!infoHash)
        return false;
    out->infoHashHex = *infoHash;
    return true;
}

ChildProcess* InteropLab::startOurSeeder(const LabTorrent& torrent, const QString& name,
                                         const QStringList& extraArguments) {
    ChildProcess* seeder = startOurPeer(
        name, QStringList{QStringLiteral("--role"), QStringLiteral("seeder"), QStringLiteral("--torrent"),
                          torrent.torrent, QStringLiteral("--dir"), torrent.dataDir,
                          QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")} +
                  extraArguments);
    if (!seeder || !waitUntilSeeding(*seeder, 30000))
        return nullptr;
    if (!waitForSwarm(
            torrent, [](const ScrapeCounts& c) { return c.complete >= 1; }, 15000,
            QStringLiteral("the tracker never listed our seeder")))
        return nullptr;
    return seeder;
}

ChildProcess* InteropLab::startOurLeecher(const LabTorrent& torrent, const QString& dir,
                                          const QString& name) {
    return startOurPeer(name,
                        {QStringLiteral("--role"), QStringLiteral("leecher"), QStringLiteral("--torrent"),
                         torrent.torrent, QStringLiteral("--dir"), makeDir(dir), QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--exit-when-done")});
}

bool InteropLab::waitForSwarm(const LabTorrent& torrent,
                              const std::function<bool(const ScrapeCounts&)>& accept, int timeoutMs,
                              const QString& what) {
    QString last;
    if (waitForScrape(torrent.announceUrl, QByteArray::fromHex(torrent.infoHashHex), accept, timeoutMs,
                      &last))
        return true;
    m_error = what + QStringLiteral(": ") + last;
    return false;
}

bool InteropLab::waitForFileContents(const QString& path, const QByteArray& sha1, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    QByteArray last;
    while (clock.elapsed() < timeoutMs) {
        if (QFileInfo(path).exists()) {
            last = fileSha1(path);
            if (last == sha1)
                return true;
        }
        QTest::qWait(200);
    }
    m_error = QStringLiteral("%1 never had the expected contents (SHA-1 %2, last %3)")
                  .arg(path, QString::fromLatin1(sha1), QString::fromLatin1(last));
    return false;
}

void InteropLab::reportNegotiated(const QString& client, const QString& direction,
                                  const ChildProcess& ourPeer) {
    static const QRegularExpression line(QStringLiteral("^peer [^ ]+: (.*)$"));
    QStringList seen;
    for (const QByteArray& raw : ourPeer.output(ChildProcess::Channel::Err).split('\n')) {
        const QRegularExpressionMatch m = line.match(QString::fromUtf8(raw));
        if (!m.hasMatch() || seen.contains(m.captured(1)))
            continue;
        seen.append(m.captured(1));
        qInfo("interop-matrix: %s | %s | %s", qPrintable(client), qPrintable(direction),
              qPrintable(m.captured(1)));
    }
    if (seen.isEmpty())
        qInfo("interop-matrix: %s | %s | (our peer logged no connection)", qPrintable(client),
              qPrintable(direction));
}

QString InteropLab::describeAll() const {
    QString text;
    for (const auto& process : m_processes)
        text += process->describe();
    return text;
}

} // namespace swarmscope::interop
