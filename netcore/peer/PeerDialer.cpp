#include "peer/PeerDialer.h"

#include "peer/Client.h"
#include "peer/PeerConnection.h"

namespace swarmscope {

namespace {
constexpr int kDepartedKept = 1024;
}

PeerDialer::PeerDialer(Client* client)
    : m_client(client), m_candidates(client->limits().reconnectDelayMs, client->limits().maxConnectAttempts) {
}

bool PeerDialer::isOurselves(const QHostAddress& address, quint16 port) const {
    if (port != m_client->listenPort())
        return false;
    const QHostAddress listen = m_client->listenAddress();
    return address.isEqual(listen, QHostAddress::TolerantConversion) || address.isLoopback() ||
           listen == QHostAddress::Any || listen == QHostAddress::AnyIPv4 || listen == QHostAddress::AnyIPv6;
}

void PeerDialer::add(const QHostAddress& address, quint16 port, const QByteArray& peerId, qint64 nowMs,
                     const QByteArray& source) {
    if (!isOurselves(address, port) && (peerId.isEmpty() || peerId != m_client->peerId()))
        m_candidates.add(address, port, peerId, nowMs, source);
}

bool PeerDialer::addFromPex(const QHostAddress& address, quint16 port, qint64 nowMs) {
    if (isOurselves(address, port) || m_bans.isBanned(address, port, {}) ||
        m_candidates.size() >= kMaxPexCandidates)
        return false;
    return m_candidates.add(address, port, {}, nowMs, QByteArrayLiteral("pex"));
}

QList<PeerConnection*> PeerDialer::dial(TorrentSession* session, const QList<PeerConnection*>& existing,
                                        qint64 nowMs) {
    QList<PeerConnection*> opened;
    while (m_client->canOpenConnection()) {
        const std::optional<PeerCandidates::Candidate> candidate = m_candidates.takeDue(nowMs);
        if (!candidate)
            break;
        if (isOurselves(candidate->address, candidate->port) ||
            m_bans.isBanned(candidate->address, candidate->port, candidate->peerId)) {
            m_candidates.remove(candidate->address, candidate->port);
            continue;
        }
        // Connected already: by peer id, or to the endpoint the peer listens on. A peer that dialled us is
        // known by the port its extended handshake gave; dialling it back would make a second connection,
        // and the rule that keeps one of the two (TorrentSession::onHandshake) would close the working one
        // for the new one, losing the requests in flight (a round trip and more on a long link).
        bool connected = false;
        for (const PeerConnection* c : existing)
            connected = connected || (!candidate->peerId.isEmpty() && c->peerId() == candidate->peerId) ||
                        (c->listenPort() == candidate->port && c->address() == candidate->address);
        if (connected) {
            m_candidates.closed(candidate->address, candidate->port, nowMs);
            continue;
        }
        opened.append(new PeerConnection(m_client, session, candidate->address, candidate->port));
    }
    return opened;
}

void PeerDialer::handshakeDone(const PeerConnection* c) {
    if (!c->isOutgoing())
        return;
    m_candidates.succeeded(c->address(), c->port());
    // Learn who is behind the endpoint, so it is not dialled again while that peer is connected anyway
    // (a duplicate of its own connection to us).
    m_candidates.add(c->address(), c->port(), c->peerId(), 0);
}

void PeerDialer::closed(const PeerConnection* c, qint64 nowMs) {
    if (c->wasEstablished()) {
        m_departed.insert(c->pickerId(), identityOf(c));
        m_departedOrder.append(c->pickerId());
        if (m_departedOrder.size() > kDepartedKept)
            m_departed.remove(m_departedOrder.takeFirst());
    }
    if (!c->isOutgoing())
        return;
    if (c->wasEstablished())
        m_candidates.closed(c->address(), c->port(), nowMs);
    else
        m_candidates.failed(c->address(), c->port(), nowMs);
}

void PeerDialer::forget(const PeerConnection* c) {
    if (const quint16 port = c->listenPort())
        m_candidates.remove(c->address(), port);
}

bool PeerDialer::isBanned(const PeerConnection* c) const {
    return m_bans.isBanned(c->address(), c->isOutgoing() ? c->port() : 0, c->peerId());
}

bool PeerDialer::ban(const Identity& who) {
    if (who.port != 0)
        m_candidates.remove(who.address, who.port);
    return m_bans.ban(who.address, who.port, who.peerId);
}

PeerDialer::Identity PeerDialer::identityOf(const PeerConnection* c) {
    return {c->address(), c->isOutgoing() ? c->port() : quint16(0), c->peerId()};
}

} // namespace swarmscope
