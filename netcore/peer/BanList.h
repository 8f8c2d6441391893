#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QSet>

namespace swarmscope {

// Peers a torrent will not talk to again, after they sent data that failed its hash check. A peer is
// known by its peer id and by the endpoint it was reached at. Its whole address is banned too unless it is
// a loopback address: in a lab every peer shares 127.0.0.1, and banning it would ban the swarm.
class BanList {
public:
    // False when the peer was banned already (by its peer id or endpoint).
    bool ban(const QHostAddress& address, quint16 port, const QByteArray& peerId);
    bool isBanned(const QHostAddress& address, quint16 port, const QByteArray& peerId) const;
    bool isBannedEndpoint(const QHostAddress& address, quint16 port) const;
    int count() const { return m_count; } // peers banned, each once

private:
    static QString endpointKey(const QHostAddress& address, quint16 port);

    QSet<QByteArray> m_peerIds;
    QSet<QString> m_endpoints;
    QList<QHostAddress> m_addresses;
    int m_count = 0;
};

} // namespace swarmscope
