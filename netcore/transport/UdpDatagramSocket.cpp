#include "transport/UdpDatagramSocket.h"

#include <QNetworkDatagram>

namespace swarmscope {

DatagramSocket::~DatagramSocket() = default;

std::unique_ptr<UdpDatagramSocket> UdpDatagramSocket::bind(const QHostAddress& address, quint16 port,
                                                           QString* error) {
    std::unique_ptr<UdpDatagramSocket> socket(new UdpDatagramSocket);
    if (!socket->m_socket.bind(address, port)) {
        if (error)
            *error = QStringLiteral("cannot bind UDP %1:%2: %3")
                         .arg(address.toString())
                         .arg(port)
                         .arg(socket->m_socket.errorString());
        return nullptr;
    }
    QObject::connect(&socket->m_socket, &QUdpSocket::readyRead, &socket->m_socket,
                     [raw = socket.get()] { raw->readAll(); });
    return socket;
}

UdpDatagramSocket::~UdpDatagramSocket() {
    m_socket.disconnect();
    m_socket.close();
}

bool UdpDatagramSocket::send(const QByteArray& data, const QHostAddress& to, quint16 toPort) {
    if (data.size() > maxDatagramSize() || toPort == 0)
        return false;
    return m_socket.writeDatagram(data, to, toPort) == data.size();
}

void UdpDatagramSocket::readAll() {
    // Bounded per wake-up so a flood cannot hold the thread; the rest wakes us again.
    for (int i = 0; i < 256 && m_socket.hasPendingDatagrams(); ++i) {
        const QNetworkDatagram datagram = m_socket.receiveDatagram(maxDatagramSize());
        if (!datagram.isValid())
            continue;
        QHostAddress from = datagram.senderAddress();
        bool ok = false;
        const quint32 v4 = from.toIPv4Address(&ok);
        if (ok)
            from = QHostAddress(v4);
        deliver(datagram.data(), from, quint16(datagram.senderPort()));
    }
}

} // namespace swarmscope
