#pragma once

#include "transport/Network.h"

#include <QHash>
#include <QHostAddress>

#include <memory>

namespace swarmscope {

class SimDatagramSocket;
class SimHost;
class SimListener;
class SimStream;
struct SimConnection;

// The simulated network: hosts with addresses, joined by links with the same model as on real TCP (the
// sender's upload cap, both ends' latency and jitter, the receiver's download cap), with delivery scheduled
// on a Scheduler, normally a SimScheduler. No socket is opened and no packet exists: a connection is two
// ordered byte pipes, each with a window, so data held back by the receiver's cap waits at the sender, as TCP
// backpressure makes it. Order within a connection is kept, and a close arrives after the bytes sent before
// it.
//
// Everything here runs in the scheduler's thread.
class SimNetwork {
public:
    explicit SimNetwork(Scheduler& scheduler);
    ~SimNetwork();
    SimNetwork(const SimNetwork&) = delete;
    SimNetwork& operator=(const SimNetwork&) = delete;

    Scheduler& scheduler() const { return m_scheduler; }

    // A host at address, whose streams go through link (not owned; it must outlive the host's streams).
    // Null when another host has that address.
    std::unique_ptr<SimHost> addHost(const QHostAddress& address, SimulatedLink& link);
    SimHost* host(const QHostAddress& address) const { return m_hosts.value(key(address)); }

    // Open connections (both ends counted once), for tests and diagnostics.
    qsizetype connectionCount() const { return m_connections; }

private:
    friend class SimHost;
    friend class SimListener;
    friend class SimStream;
    friend struct SimConnection;
    friend class SimDatagramSocket;

    static quint64 key(const QHostAddress& address, quint16 port = 0);
    void removeHost(SimHost* host);
    bool registerListener(SimListener* listener);
    void unregisterListener(SimListener* listener);
    SimListener* listenerAt(const QHostAddress& address, quint16 port) const;

    Scheduler& m_scheduler;
    QHash<quint64, SimHost*> m_hosts;
    QHash<quint64, SimListener*> m_listeners;
    QHash<quint64, SimDatagramSocket*> m_datagramSockets;
    // Datagrams on their way check it before they land: the fabric may be gone by then.
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
    qsizetype m_connections = 0;
};

// One host of a SimNetwork: what its clients and tracker listen and connect through.
class SimHost final : public Network {
public:
    ~SimHost() override;

    QHostAddress address() const { return m_address; }
    SimNetwork& fabric() const { return m_fabric; }

    Scheduler& scheduler() override { return m_fabric.scheduler(); }
    SimulatedLink& link() override { return m_link; }
    // address must be this host's, or a wildcard (which means this host's).
    Listener* listen(const QHostAddress& address, quint16 port, int backlog, QString* error,
                     QObject* parent = nullptr) override;
    ByteStream* connectTo(const QHostAddress& address, quint16 port, QObject* parent = nullptr) override;
    // The simulated network has no names: only addresses are reached.
    ByteStream* connectToHost(const QString& host, quint16 port, QObject* parent = nullptr) override;
    std::unique_ptr<DatagramSocket> bindDatagram(const QHostAddress& address, quint16 port,
                                                 QString* error) override;

private:
    friend class SimNetwork;
    friend class SimDatagramSocket;
    friend class SimListener;
    SimHost(SimNetwork& fabric, const QHostAddress& address, SimulatedLink& link);
    quint16 ephemeralPort();

    SimNetwork& m_fabric;
    QHostAddress m_address;
    SimulatedLink& m_link;
    quint16 m_nextEphemeral = 40000;
    quint16 m_nextDatagramPort = 50000;
};

} // namespace swarmscope
