#pragma once

#include <QByteArray>
#include <QHostAddress>

#include <functional>

namespace swarmscope {

// A bound UDP socket of a Network: real (UdpDatagramSocket, a QUdpSocket) or a simulated host's, whose
// datagrams cross the simulated network with both ends' link latency, in simulated time. Datagrams may be
// lost; none is ever larger than maxDatagramSize() when received (longer ones are dropped unread).
class DatagramSocket {
public:
    using Receiver = std::function<void(const QByteArray& data, const QHostAddress& from, quint16 fromPort)>;

    virtual ~DatagramSocket();

    virtual QHostAddress localAddress() const = 0;
    virtual quint16 localPort() const = 0;
    // Queues one datagram; false when it cannot be sent (too large, no route).
    virtual bool send(const QByteArray& data, const QHostAddress& to, quint16 toPort) = 0;
    // Called for each datagram received, on the network's thread; replaces any earlier receiver.
    void setReceiver(Receiver receiver) { m_receiver = std::move(receiver); }

    static constexpr qsizetype maxDatagramSize() { return 65507; }

protected:
    void deliver(const QByteArray& data, const QHostAddress& from, quint16 fromPort) {
        if (m_receiver)
            m_receiver(data, from, fromPort);
    }

private:
    Receiver m_receiver;
};

} // namespace swarmscope
