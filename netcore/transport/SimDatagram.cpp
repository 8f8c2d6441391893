// Datagrams of the simulated network: a bound socket per host and port; a datagram lands after the sender's
// and the receiver's link latency (no caps, no loss), in simulated time, so a run repeats exactly.

#include "sim/SimulatedLink.h"
#include "transport/SimNetwork.h"

#include <memory>

namespace swarmscope {

class SimDatagramSocket final : public DatagramSocket {
public:
    SimDatagramSocket(SimHost& host, quint16 port) : m_host(host), m_port(port) {}
    ~SimDatagramSocket() override {
        SimNetwork& fabric = m_host.fabric();
        const auto it = fabric.m_datagramSockets.find(SimNetwork::key(m_host.address(), m_port));
        if (it != fabric.m_datagramSockets.end() && it.value() == this)
            fabric.m_datagramSockets.erase(it);
    }

    QHostAddress localAddress() const override { return m_host.address(); }
    quint16 localPort() const override { return m_port; }

    bool send(const QByteArray& data, const QHostAddress& to, quint16 toPort) override {
        if (data.size() > maxDatagramSize() || toPort == 0)
            return false;
        SimNetwork& fabric = m_host.fabric();
        SimDatagramSocket* target = fabric.m_datagramSockets.value(SimNetwork::key(to, toPort));
        if (!target)
            return true; // sent, and lost: nobody listens there
        const SimTime delay = m_host.link().latency() + target->m_host.link().latency();
        const quint64 targetKey = SimNetwork::key(to, toPort);
        std::weak_ptr<int> alive = fabric.m_alive;
        SimNetwork* fabricPtr = &fabric;
        const QHostAddress from = m_host.address();
        const quint16 fromPort = m_port;
        fabric.scheduler().callAfter(delay, [alive, fabricPtr, targetKey, data, from, fromPort] {
            if (alive.expired())
                return;
            SimDatagramSocket* socket = fabricPtr->m_datagramSockets.value(targetKey);
            if (socket)
                socket->deliver(data, from, fromPort);
        });
        return true;
    }

private:
    SimHost& m_host;
    quint16 m_port;
};

std::unique_ptr<DatagramSocket> SimHost::bindDatagram(const QHostAddress& address, quint16 port,
                                                      QString* error) {
    const bool wildcard = address == QHostAddress::Any || address == QHostAddress::AnyIPv4 ||
                          address == QHostAddress::AnyIPv6 || address.isNull();
    if (!wildcard && !address.isEqual(m_address, QHostAddress::TolerantConversion)) {
        if (error)
            *error =
                QStringLiteral("the address is not available (%1 is not this host)").arg(address.toString());
        return nullptr;
    }
    if (port == 0) {
        int tries = 0;
        do {
            port = m_nextDatagramPort;
            m_nextDatagramPort = m_nextDatagramPort >= 60000 ? 50000 : quint16(m_nextDatagramPort + 1);
        } while (m_fabric.m_datagramSockets.contains(SimNetwork::key(m_address, port)) && ++tries < 10001);
    }
    const quint64 k = SimNetwork::key(m_address, port);
    if (m_fabric.m_datagramSockets.contains(k)) {
        if (error)
            *error = QStringLiteral("the UDP port %1 is already in use").arg(port);
        return nullptr;
    }
    auto socket = std::make_unique<SimDatagramSocket>(*this, port);
    m_fabric.m_datagramSockets.insert(k, socket.get());
    return socket;
}

} // namespace swarmscope
