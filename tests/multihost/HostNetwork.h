#pragma once

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace swarmscope::multihost {

// A small network of separate hosts on one machine: every host is a Linux network namespace with one
// interface, eth0, at 10.77.0.<n>/24, and all of them are cabled to one Ethernet bridge that lives in a
// namespace of its own (the switch). Nothing is added to the machine's own network: no address, no link,
// no firewall rule, so a test cannot disturb the machine nor be disturbed by its filtering of bridged
// traffic.
//
// Each namespace is held open by a process (`unshare --net sleep`) that this object owns and kills when it
// goes; the kernel then removes the namespaces and every link in them, also when the test fails half-way.
// Should the test process itself be killed, the holders get SIGKILL from the kernel (PR_SET_PDEATHSIG), so
// nothing outlives a CTest time-out either.
//
// Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and the programs unshare, nsenter and ip (util-linux and
// iproute2, which the set-up installs).
class HostNetwork {
public:
    HostNetwork();
    ~HostNetwork();
    HostNetwork(const HostNetwork&) = delete;
    HostNetwork& operator=(const HostNetwork&) = delete;

    // Creates the switch and `count` hosts (1..200), cabled and up; false with error() when it cannot.
    bool create(int count);

    int hostCount() const { return int(m_hosts.size()); }
    // Host i's address, "10.77.0.<i+1>".
    QString address(int host) const;
    // The command line that runs program with arguments inside host i's network: nsenter's path, then its
    // arguments (the program and its own arguments last). For QProcess: first() is the program.
    QStringList inHost(int host, const QString& program, const QStringList& arguments) const;

    // Caps host i's sending rate with a token bucket on its eth0 (`tc qdisc ... tbf`), as a real access
    // link would; false with error() when tc refuses.
    bool capUpload(int host, const QString& rate);

    // Runs a command to its end inside host i (for set-up steps); false with error() when it fails.
    bool runInHost(int host, const QString& program, const QStringList& arguments,
                   QByteArray* output = nullptr);

    const QString& error() const { return m_error; }

private:
    struct Holder;
    bool startHolder(Holder& holder);
    bool run(const QString& program, const QStringList& arguments, QByteArray* output = nullptr);
    QString netnsPath(const Holder& holder) const;

    std::unique_ptr<Holder> m_switch;
    std::vector<std::unique_ptr<Holder>> m_hosts;
    QString m_nsenter;
    QString m_error;
};

} // namespace swarmscope::multihost
