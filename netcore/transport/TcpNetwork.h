#pragma once

#include "transport/Network.h"

#include <QTcpServer>

namespace swarmscope {

class SimulatedLink;

// The host's real TCP, through one node's link: what `swarmscope peer`, `tracker`, the interop tests and a
// lab in real time run on.
class TcpNetwork final : public Network {
public:
    // Neither is owned; both must outlive the network and every stream it makes.
    TcpNetwork(Scheduler& scheduler, SimulatedLink& link) : m_scheduler(scheduler), m_link(link) {}

    Scheduler& scheduler() override { return m_scheduler; }
    SimulatedLink& link() override { return m_link; }
    Listener* listen(const QHostAddress& address, quint16 port, int backlog, QString* error,
                     QObject* parent = nullptr) override;
    ByteStream* connectTo(const QHostAddress& address, quint16 port, QObject* parent = nullptr) override;
    ByteStream* connectToHost(const QString& host, quint16 port, QObject* parent = nullptr) override;
    std::unique_ptr<DatagramSocket> bindDatagram(const QHostAddress& address, quint16 port,
                                                 QString* error) override;

private:
    Scheduler& m_scheduler;
    SimulatedLink& m_link;
};

// A QTcpServer whose connections come out as TcpStreams on the network's link.
class TcpListener final : public Listener {
    Q_OBJECT
public:
    TcpListener(SimulatedLink& link, QObject* parent = nullptr);

    bool listen(const QHostAddress& address, quint16 port, int backlog, QString* error);
    QHostAddress address() const override { return m_server.serverAddress(); }
    quint16 port() const override { return m_server.serverPort(); }
    bool hasPendingConnections() const override { return m_server.hasPendingConnections(); }
    ByteStream* nextPendingConnection() override;
    void close() override { m_server.close(); }

private:
    SimulatedLink& m_link;
    QTcpServer m_server;
};

} // namespace swarmscope
