#pragma once

#include "HostNetwork.h"
#include "InteropLab.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

namespace swarmscope::multihost {

// An interop lab whose programs run on the hosts of a HostNetwork: our tracker and peers by their real
// executable inside a host, each bound to that host's own address. Declared first in a test function, the
// network goes before the programs' lab: the namespaces' holders are killed, then the programs.
class MultiHostLab {
public:
    explicit MultiHostLab(int hosts);

    bool isValid() const { return m_valid; }
    const QString& error() const { return m_error; }
    interop::InteropLab& lab() { return m_lab; }
    HostNetwork& network() { return m_network; }
    QString address(int host) const { return m_network.address(host); }

    // Runs program inside host; logs as <name>.out/.err in the lab's folder.
    interop::ChildProcess* spawnInHost(int host, const QString& name, const QString& program,
                                       const QStringList& arguments);
    // `swarmscope tracker --listen <host's address>:6969 --interval SECONDS`, once it printed its URL.
    interop::ChildProcess* startTracker(int host, QString* announceUrl, int intervalSeconds = 10);
    // `swarmscope peer ARGS... --listen <host's address>:6881`.
    interop::ChildProcess* startPeer(int host, const QString& name, const QStringList& arguments);

    // A random file of size bytes in the lab's folder dir/name, and a .torrent for it naming announceUrl;
    // returns the info-hash in hex.
    std::optional<QByteArray> makeTorrent(const QString& dir, const QString& name, qint64 size, quint32 seed,
                                          const QString& announceUrl, QString* torrentPath);
    // The magnet link of a torrent: its info-hash, name and tracker.
    static QString magnetLink(const QByteArray& infoHashHex, const QString& name, const QString& announceUrl);

private:
    interop::InteropLab m_lab;
    HostNetwork m_network; // after the lab: destroyed first
    bool m_valid = false;
    QString m_error;
};

} // namespace swarmscope::multihost
