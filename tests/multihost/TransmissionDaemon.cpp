#include "TransmissionDaemon.h"

#include "ChildProcess.h"
#include "HostNetwork.h"
#include "InteropLab.h"
#include "TestSupport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

namespace swarmscope::multihost {

namespace {
constexpr char kRpc[] = "127.0.0.1:9091";
} // namespace

TransmissionDaemon::TransmissionDaemon(interop::InteropLab& lab, HostNetwork& network, int host, QString name)
    : m_lab(lab), m_network(network), m_host(host), m_name(std::move(name)) {}

QString TransmissionDaemon::peerAddress() const {
    return m_network.address(m_host) + QStringLiteral(":51413");
}

bool TransmissionDaemon::start(int encryption) {
    const QString daemon = testsupport::requiredTool(QStringLiteral("transmission-daemon"));
    if (daemon.isEmpty() || testsupport::requiredTool(QStringLiteral("transmission-remote")).isEmpty()) {
        m_error =
            QStringLiteral("transmission-daemon or transmission-remote is not installed: the set-up installs "
                           "the Debian package 'transmission-daemon'");
        return false;
    }
    m_configDir = m_lab.makeDir(m_name + QStringLiteral("-config"));
    QJsonObject settings{
        {QStringLiteral("bind-address-ipv4"), m_network.address(m_host)},
        {QStringLiteral("peer-port"), 51413},
        {QStringLiteral("peer-port-random-on-start"), false},
        {QStringLiteral("port-forwarding-enabled"), false},
        {QStringLiteral("dht-enabled"), false},
        {QStringLiteral("lpd-enabled"), false},
        {QStringLiteral("utp-enabled"), false},
        {QStringLiteral("pex-enabled"), true},
        // 0: prefer plaintext, 1: prefer encrypted (Transmission's default), 2: require encrypted.
        {QStringLiteral("encryption"), encryption},
        {QStringLiteral("rpc-enabled"), true},
        {QStringLiteral("rpc-bind-address"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("rpc-port"), 9091},
        {QStringLiteral("rpc-authentication-required"), false},
        {QStringLiteral("rpc-whitelist-enabled"), false},
        {QStringLiteral("rpc-host-whitelist-enabled"), false},
        {QStringLiteral("download-dir"), m_lab.makeDir(m_name + QStringLiteral("-downloads"))},
        {QStringLiteral("incomplete-dir-enabled"), false},
        {QStringLiteral("start-added-torrents"), true},
        {QStringLiteral("ratio-limit-enabled"), false},
        {QStringLiteral("idle-seeding-limit-enabled"), false},
        {QStringLiteral("speed-limit-up-enabled"), false},
        {QStringLiteral("speed-limit-down-enabled"), false},
        {QStringLiteral("message-level"), 3},
    };
    QFile file(m_configDir + QStringLiteral("/settings.json"));
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(settings).toJson()) < 0) {
        m_error = QStringLiteral("cannot write ") + file.fileName();
        return false;
    }
    file.close();
    const QStringList command = m_network.inHost(
        m_host, daemon, {QStringLiteral("--foreground"), QStringLiteral("--config-dir"), m_configDir});
    m_process = m_lab.spawn(m_name, command.first(), command.mid(1));
    if (!m_process) {
        m_error = m_lab.error();
        return false;
    }
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        QByteArray said;
        if (remote({QStringLiteral("-l")}, &said))
            return true;
        if (!m_process->isRunning())
            break;
        QTest::qWait(100);
    }
    m_error = QStringLiteral("transmission-daemon's RPC never answered: ") + m_process->describe();
    return false;
}

bool TransmissionDaemon::remote(const QStringList& arguments, QByteArray* output) {
    const QStringList command = m_network.inHost(m_host, QStringLiteral("transmission-remote"),
                                                 QStringList{QString::fromLatin1(kRpc)} + arguments);
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(command.first(), command.mid(1));
    const bool finished = process.waitForFinished(10000);
    *output = process.readAll();
    if (!finished) {
        process.kill();
        process.waitForFinished(1000);
    }
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = QStringLiteral("transmission-remote %1: %2")
                      .arg(arguments.join(u' '), QString::fromUtf8(output->trimmed()));
        return false;
    }
    return true;
}

std::optional<int> TransmissionDaemon::add(const QString& torrentOrMagnet, const QString& dir) {
    QByteArray said;
    if (!remote({QStringLiteral("--download-dir"), dir, QStringLiteral("--add"), torrentOrMagnet}, &said))
        return std::nullopt;
    if (!said.contains("success")) {
        m_error = QStringLiteral("transmission-remote --add: ") + QString::fromUtf8(said.trimmed());
        return std::nullopt;
    }
    if (!remote({QStringLiteral("-l")}, &said))
        return std::nullopt;
    // The highest id listed is the newest torrent.
    int newest = -1;
    static const QRegularExpression row(QStringLiteral("^\\s*(\\d+)\\*?\\s"),
                                        QRegularExpression::MultilineOption);
    for (auto it = row.globalMatch(QString::fromUtf8(said)); it.hasNext();)
        newest = std::max(newest, it.next().captured(1).toInt());
    if (newest < 0) {
        m_error =
            QStringLiteral("transmission-remote -l lists no torrent after --add: ") + QString::fromUtf8(said);
        return std::nullopt;
    }
    return newest;
}

double TransmissionDaemon::percentDone(int id) {
    QByteArray said;
    if (!remote({QStringLiteral("-t"), QString::number(id), QStringLiteral("-i")}, &said))
        return -1;
    static const QRegularExpression done(QStringLiteral("Percent Done:\\s*([0-9.]+)%"));
    const QRegularExpressionMatch match = done.match(QString::fromUtf8(said));
    return match.hasMatch() ? match.captured(1).toDouble() : 0;
}

bool TransmissionDaemon::waitUntilDone(int id, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const double done = percentDone(id);
        if (done >= 100)
            return true;
        if (m_process && !m_process->isRunning()) {
            m_error = QStringLiteral("transmission-daemon stopped: ") + m_process->status();
            return false;
        }
        QTest::qWait(250);
    }
    m_error = QStringLiteral("Transmission did not complete in %1 s; it says:\n%2\npeers:\n%3")
                  .arg(timeoutMs / 1000)
                  .arg(QString::fromUtf8(info(id)), QString::fromUtf8(peers(id)));
    return false;
}

QByteArray TransmissionDaemon::info(int id) {
    QByteArray said;
    remote({QStringLiteral("-t"), QString::number(id), QStringLiteral("-i")}, &said);
    return said;
}

QByteArray TransmissionDaemon::peers(int id) {
    QByteArray said;
    remote({QStringLiteral("-t"), QString::number(id), QStringLiteral("-pi")}, &said);
    return said;
}

} // namespace swarmscope::multihost
