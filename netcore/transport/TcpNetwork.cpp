#include "transport/TcpNetwork.h"

#include "transport/TcpStream.h"
#include "transport/UdpDatagramSocket.h"

namespace swarmscope {

Listener* TcpNetwork::listen(const QHostAddress& address, quint16 port, int backlog, QString* error,
                             QObject* parent) {
    auto* listener = new TcpListener(m_link, parent);
    if (!listener->listen(address, port, backlog, error)) {
        delete listener;
        return nullptr;
    }
    return listener;
}

ByteStream* TcpNetwork::connectTo(const QHostAddress& address, quint16 port, QObject* parent) {
    auto* socket = new QTcpSocket;
    auto* stream = new TcpStream(socket, m_link, parent);
    // Started from the event loop: a connect that fails at once (no descriptor left) must not report it
    // before the caller has connected to the stream's signals.
    m_scheduler.post(stream, [socket, address, port] {
        socket->connectToHost(address, port);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    });
    return stream;
}

ByteStream* TcpNetwork::connectToHost(const QString& host, quint16 port, QObject* parent) {
    auto* socket = new QTcpSocket;
    auto* stream = new TcpStream(socket, m_link, parent);
    m_scheduler.post(stream, [socket, host, port] {
        socket->connectToHost(host, port); // names are looked up by the system
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    });
    return stream;
}

TcpListener::TcpListener(SimulatedLink& link, QObject* parent) : Listener(parent), m_link(link) {
    connect(&m_server, &QTcpServer::newConnection, this, &Listener::newConnection);
}

bool TcpListener::listen(const QHostAddress& address, quint16 port, int backlog, QString* error) {
    m_server.setListenBacklogSize(qMax(1, backlog));
    m_server.setMaxPendingConnections(qMax(30, backlog));
    if (m_server.listen(address, port))
        return true;
    if (error)
        *error = m_server.errorString();
    return false;
}

ByteStream* TcpListener::nextPendingConnection() {
    QTcpSocket* socket = m_server.nextPendingConnection();
    if (!socket)
        return nullptr;
    socket->setParent(nullptr);
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    return new TcpStream(socket, m_link);
}

std::unique_ptr<DatagramSocket> TcpNetwork::bindDatagram(const QHostAddress& address, quint16 port,
                                                         QString* error) {
    return UdpDatagramSocket::bind(address, port, error);
}

} // namespace swarmscope
