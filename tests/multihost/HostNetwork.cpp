#include "HostNetwork.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>

#include <csignal>
#include <sys/prctl.h>

namespace swarmscope::multihost {

struct HostNetwork::Holder {
    QProcess process;
};

namespace {

QString findTool(const QString& name) {
    const QString found = QStandardPaths::findExecutable(name);
    if (!found.isEmpty())
        return found;
    // nsenter and ip live in /usr/sbin or /sbin, which a non-login PATH may lack.
    return QStandardPaths::findExecutable(name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"),
                                                 QStringLiteral("/usr/bin"), QStringLiteral("/bin")});
}

} // namespace

HostNetwork::HostNetwork() = default;

HostNetwork::~HostNetwork() {
    // Killing the holders ends the namespaces once the last process inside them is gone; the kernel then
    // deletes their links, the bridge with its namespace.
    std::vector<Holder*> all;
    for (auto& host : m_hosts)
        all.push_back(host.get());
    if (m_switch)
        all.push_back(m_switch.get());
    for (Holder* holder : all)
        if (holder->process.state() != QProcess::NotRunning)
            holder->process.kill();
    for (Holder* holder : all)
        holder->process.waitForFinished(5000);
}

QString HostNetwork::netnsPath(const Holder& holder) const {
    return QStringLiteral("/proc/%1/ns/net").arg(holder.process.processId());
}

bool HostNetwork::startHolder(Holder& holder) {
    const QString unshare = findTool(QStringLiteral("unshare"));
    if (unshare.isEmpty()) {
        m_error = QStringLiteral("unshare is not installed (Debian package util-linux)");
        return false;
    }
    // No --fork: unshare enters a new network namespace and becomes sleep, so the process is the holder
    // and SIGKILL from the kernel, should the test die, reaches it.
    holder.process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    holder.process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    holder.process.start(unshare,
                         {QStringLiteral("--net"), QStringLiteral("sleep"), QStringLiteral("infinity")});
    if (!holder.process.waitForStarted(5000)) {
        m_error = QStringLiteral("unshare --net did not start: ") + holder.process.errorString();
        return false;
    }
    // Wait until the holder stands in a namespace of its own (unshare has run, sleep is exec'd).
    const QString own = QFileInfo(QStringLiteral("/proc/self/ns/net")).symLinkTarget();
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        if (holder.process.state() == QProcess::NotRunning)
            break;
        const QString theirs = QFileInfo(netnsPath(holder)).symLinkTarget();
        const QByteArray cmdline = [&] {
            QFile file(QStringLiteral("/proc/%1/cmdline").arg(holder.process.processId()));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        if (!theirs.isEmpty() && theirs != own && cmdline.startsWith("sleep"))
            return true;
        QThread::msleep(10);
    }
    m_error = QStringLiteral("unshare --net could not make a network namespace (it needs root): exit code %1")
                  .arg(holder.process.exitCode());
    return false;
}

bool HostNetwork::run(const QString& program, const QStringList& arguments, QByteArray* output) {
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    const bool finished = process.waitForFinished(15000);
    const QByteArray said = process.readAll();
    if (output)
        *output = said;
    if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = QStringLiteral("'%1 %2' failed (%3): %4")
                      .arg(program, arguments.join(u' '),
                           finished ? QStringLiteral("exit code %1").arg(process.exitCode())
                                    : QStringLiteral("did not finish"),
                           QString::fromUtf8(said.trimmed()));
        if (!finished)
            process.kill();
        return false;
    }
    return true;
}

bool HostNetwork::create(int count) {
    if (count < 1 || count > 200) {
        m_error = QStringLiteral("a network of %1 hosts is not offered (1 to 200)").arg(count);
        return false;
    }
    m_nsenter = findTool(QStringLiteral("nsenter"));
    const QString ip = findTool(QStringLiteral("ip"));
    if (m_nsenter.isEmpty() || ip.isEmpty()) {
        m_error = QStringLiteral(
            "nsenter (util-linux) or ip (iproute2) is not installed; the set-up installs both");
        return false;
    }
    m_switch = std::make_unique<Holder>();
    if (!startHolder(*m_switch))
        return false;
    const QString inSwitch = QStringLiteral("--net=") + netnsPath(*m_switch);
    auto switchIp = [&](const QStringList& arguments) {
        return run(m_nsenter, QStringList{inSwitch, QStringLiteral("--"), ip} + arguments);
    };
    if (!switchIp({QStringLiteral("link"), QStringLiteral("add"), QStringLiteral("br0"),
                   QStringLiteral("type"), QStringLiteral("bridge")}) ||
        !switchIp(
            {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("br0"), QStringLiteral("up")}))
        return false;

    for (int i = 0; i < count; ++i) {
        auto host = std::make_unique<Holder>();
        if (!startHolder(*host))
            return false;
        const QString port = QStringLiteral("port%1").arg(i);
        // The cable: one end is the switch's port, the other the host's eth0.
        if (!switchIp({QStringLiteral("link"), QStringLiteral("add"), port, QStringLiteral("type"),
                       QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"),
                       QStringLiteral("eth0"), QStringLiteral("netns"),
                       QString::number(host->process.processId())}) ||
            !switchIp({QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("master"),
                       QStringLiteral("br0")}) ||
            !switchIp({QStringLiteral("link"), QStringLiteral("set"), port, QStringLiteral("up")}))
            return false;
        m_hosts.push_back(std::move(host));
        const int n = int(m_hosts.size()) - 1;
        if (!runInHost(n, ip,
                       {QStringLiteral("addr"), QStringLiteral("add"), address(n) + QStringLiteral("/24"),
                        QStringLiteral("dev"), QStringLiteral("eth0")}) ||
            !runInHost(n, ip,
                       {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("eth0"),
                        QStringLiteral("up")}) ||
            !runInHost(
                n, ip,
                {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}))
            return false;
    }
    return true;
}

QString HostNetwork::address(int host) const {
    return QStringLiteral("10.77.0.%1").arg(host + 1);
}

QStringList HostNetwork::inHost(int host, const QString& program, const QStringList& arguments) const {
    return QStringList{m_nsenter, QStringLiteral("--net=") + netnsPath(*m_hosts.at(size_t(host))),
                       QStringLiteral("--"), program} +
           arguments;
}

bool HostNetwork::runInHost(int host, const QString& program, const QStringList& arguments,
                            QByteArray* output) {
    const QStringList command = inHost(host, program, arguments);
    return run(command.first(), command.mid(1), output);
}

bool HostNetwork::capUpload(int host, const QString& rate) {
    const QString tc = findTool(QStringLiteral("tc"));
    if (tc.isEmpty()) {
        m_error = QStringLiteral("tc (iproute2) is not installed");
        return false;
    }
    return runInHost(host, tc,
                     {QStringLiteral("qdisc"), QStringLiteral("add"), QStringLiteral("dev"),
                      QStringLiteral("eth0"), QStringLiteral("root"), QStringLiteral("tbf"),
                      QStringLiteral("rate"), rate, QStringLiteral("burst"), QStringLiteral("32kb"),
                      QStringLiteral("latency"), QStringLiteral("200ms")});
}

} // namespace swarmscope::multihost
