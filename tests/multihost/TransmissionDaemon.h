#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace swarmscope::interop {
class ChildProcess;
class InteropLab;
} // namespace swarmscope::interop

namespace swarmscope::multihost {

class HostNetwork;

// Debian's transmission-daemon on one host of a HostNetwork, driven with transmission-remote over its RPC
// port on that host's own loopback. Transmission treats 127.0.0.0/8 peers as invalid, which is why it runs
// only here, where every host has an address of its own. Its peer port is 51413 on the host's address; DHT,
// local peer discovery, uTP and port mapping are off, so the tracker is the only way it meets peers.
// Its encryption setting stays at Transmission's default ("prefer encrypted") unless told otherwise.
class TransmissionDaemon {
public:
    TransmissionDaemon(interop::InteropLab& lab, HostNetwork& network, int host, QString name);

    // Writes its settings in the lab's folder and starts it in the foreground; waits until its RPC answers.
    bool start(int encryption = 1);
    // Adds a .torrent file or a magnet link, to download into (or seed from) dir; returns its id.
    std::optional<int> add(const QString& torrentOrMagnet, const QString& dir);
    // "Percent Done" of the torrent, 0..100; -1 when the daemon does not answer. Before a magnet's metadata
    // arrives Transmission reports 0.
    double percentDone(int id);
    // Polls until percentDone() is 100 or the time is up.
    bool waitUntilDone(int id, int timeoutMs);
    // What `transmission-remote -t ID -i` and `-pi` print now, for the log of a failure.
    QByteArray info(int id);
    QByteArray peers(int id);

    QString peerAddress() const;
    const QString& error() const { return m_error; }
    interop::ChildProcess* process() const { return m_process; }

private:
    bool remote(const QStringList& arguments, QByteArray* output);

    interop::InteropLab& m_lab;
    HostNetwork& m_network;
    int m_host;
    QString m_name;
    QString m_configDir;
    interop::ChildProcess* m_process = nullptr;
    QString m_error;
};

} // namespace swarmscope::multihost
