#include "MultiHostLab.h"

#include "ChildProcess.h"
#include "InteropSupport.h"
#include "TestSupport.h"

#include <QRegularExpression>
#include <QUrl>

namespace swarmscope::multihost {

using interop::ChildProcess;

MultiHostLab::MultiHostLab(int hosts) {
    if (!m_lab.isValid()) {
        m_error = QStringLiteral("cannot make the lab's temporary folder");
        return;
    }
    if (!m_network.create(hosts)) {
        m_error = m_network.error();
        return;
    }
    m_valid = true;
}

ChildProcess* MultiHostLab::spawnInHost(int host, const QString& name, const QString& program,
                                        const QStringList& arguments) {
    const QStringList command = m_network.inHost(host, program, arguments);
    ChildProcess* child = m_lab.spawn(name, command.first(), command.mid(1));
    if (!child)
        m_error = m_lab.error();
    return child;
}

ChildProcess* MultiHostLab::startTracker(int host, QString* announceUrl, int intervalSeconds) {
    const QString exe = testsupport::swarmscopeExecutable();
    if (exe.isEmpty()) {
        m_error = QStringLiteral("SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        return nullptr;
    }
    ChildProcess* tracker = spawnInHost(host, QStringLiteral("tracker"), exe,
                                        {QStringLiteral("tracker"), QStringLiteral("--listen"),
                                         address(host) + QStringLiteral(":6969"),
                                         QStringLiteral("--interval"), QString::number(intervalSeconds)});
    if (!tracker)
        return nullptr;
    const QRegularExpression pattern(QStringLiteral("^announce URL: (http://%1:6969/announce)")
                                         .arg(QRegularExpression::escape(address(host))));
    const std::optional<QByteArray> line = tracker->waitForLine(ChildProcess::Channel::Out, pattern, 10000);
    if (!line) {
        m_error = QStringLiteral("our tracker printed no announce URL: ") + tracker->describe();
        return nullptr;
    }
    *announceUrl = pattern.match(QString::fromUtf8(*line)).captured(1);
    return tracker;
}

ChildProcess* MultiHostLab::startPeer(int host, const QString& name, const QStringList& arguments) {
    const QString exe = testsupport::swarmscopeExecutable();
    if (exe.isEmpty()) {
        m_error = QStringLiteral("SWARMSCOPE_EXECUTABLE does not name the built swarmscope");
        return nullptr;
    }
    return spawnInHost(host, name, exe,
                       QStringList{QStringLiteral("peer")} + arguments +
                           QStringList{QStringLiteral("--listen"), address(host) + QStringLiteral(":6881")});
}

std::optional<QByteArray> MultiHostLab::makeTorrent(const QString& dir, const QString& name, qint64 size,
                                                    quint32 seed, const QString& announceUrl,
                                                    QString* torrentPath) {
    const QString folder = m_lab.makeDir(dir);
    if (!testsupport::writeRandomFile(folder + u'/' + name, size, seed)) {
        m_error = QStringLiteral("cannot write ") + folder + u'/' + name;
        return std::nullopt;
    }
    *torrentPath = m_lab.path(name + QStringLiteral(".torrent"));
    return interop::createTorrent(folder + u'/' + name, *torrentPath, QStringLiteral("256KiB"), announceUrl,
                                  &m_error);
}

QString MultiHostLab::magnetLink(const QByteArray& infoHashHex, const QString& name,
                                 const QString& announceUrl) {
    return QStringLiteral("magnet:?xt=urn:btih:%1&dn=%2&tr=%3")
        .arg(QString::fromLatin1(infoHashHex), QString::fromUtf8(QUrl::toPercentEncoding(name)),
             QString::fromUtf8(QUrl::toPercentEncoding(announceUrl)));
}

} // namespace swarmscope::multihost
