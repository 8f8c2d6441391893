#pragma once

#include "transport/DatagramSocket.h"

#include <QUdpSocket>

#include <memory>

namespace swarmscope {

// The host's real UDP: a QUdpSocket bound to one address and port.
class UdpDatagramSocket final : public DatagramSocket {
public:
    // Null with *error when the address and port cannot be bound.
    static std::unique_ptr<UdpDatagramSocket> bind(const QHostAddress& address, quint16 port, QString* error);
    ~UdpDatagramSocket() override;

    QHostAddress localAddress() const override { return m_socket.localAddress(); }
    quint16 localPort() const override { return m_socket.localPort(); }
    bool send(const QByteArray& data, const QHostAddress& to, quint16 toPort) override;

private:
    UdpDatagramSocket() = default;
    void readAll();

    QUdpSocket m_socket;
};

} // namespace swarmscope
