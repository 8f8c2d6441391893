#include "peer/BanList.h"

namespace swarmscope {

QString BanList::endpointKey(const QHostAddress& address, quint16 port) {
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4);
    const QString host = v4 ? QHostAddress(ip4).toString() : address.toString();
    return host + u'|' + QString::number(port);
}

bool BanList::ban(const QHostAddress& address, quint16 port, const QByteArray& peerId) {
    if (isBanned(address, port, peerId))
        return false;
    ++m_count;
    if (!peerId.isEmpty())
        m_peerIds.insert(peerId);
    if (!address.isNull() && port != 0)
        m_endpoints.insert(endpointKey(address, port));
    if (!address.isNull() && !address.isLoopback())
        m_addresses.append(address);
    return true;
}

bool BanList::isBannedEndpoint(const QHostAddress& address, quint16 port) const {
    if (m_endpoints.contains(endpointKey(address, port)))
        return true;
    for (const QHostAddress& banned : m_addresses)
        if (banned.isEqual(address, QHostAddress::TolerantConversion))
            return true;
    return false;
}

bool BanList::isBanned(const QHostAddress& address, quint16 port, const QByteArray& peerId) const {
    return (!peerId.isEmpty() && m_peerIds.contains(peerId)) || isBannedEndpoint(address, port);
}

} // namespace swarmscope
