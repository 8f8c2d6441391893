// BEP 11 peer exchange on one connection: what we tell the peer, and what we accept from it.

#include "peer/Client.h"
#include "peer/PeerConnection.h"
#include "peer/TorrentSession.h"
#include "wire/MessageEncoder.h"
#include "wire/PexMessage.h"

namespace swarmscope {

namespace {

// The first message goes out this soon after the handshake, so a peer that joined knowing one other learns
// the rest within seconds; BEP 11's once a minute applies from then on.
constexpr qint64 kFirstPexDelayMs = 2'000;
// A peer's messages are accepted once a minute, with this much slack for its timer and the link's jitter;
// earlier ones are ignored (counted), and this many early ones in a row close the connection.
constexpr qint64 kPexSlackMs = 10'000;
constexpr int kMaxEarlyPexInARow = 5;

QByteArray endpointKey(const QHostAddress& address, quint16 port) {
    return address.toString().toLatin1() + '|' + QByteArray::number(port);
}

} // namespace

bool PeerConnection::pexEnabled() const {
    return m_client->config().pex && m_session;
}

void PeerConnection::handlePexMessage(const WireMessage& message) {
    QString error;
    const std::optional<PexMessage> pex = wire::decodePexMessage(message.payload, &error);
    if (!pex) {
        close(error, CloseMode::Abort);
        return;
    }
    const qint64 now = m_client->nowMs();
    // Rate limit: ignore a message that comes sooner than a minute (less the slack) after the last accepted
    // one; a peer that keeps doing it is flooding and is disconnected.
    if (m_lastPexReceivedMs >= 0 && now - m_lastPexReceivedMs < wire::kPexIntervalMs - kPexSlackMs) {
        ++m_pexIgnored;
        if (++m_pexEarlyInARow >= kMaxEarlyPexInARow)
            close(QStringLiteral("ut_pex: %1 messages in a row sooner than a minute apart")
                      .arg(m_pexEarlyInARow),
                  CloseMode::Abort);
        return;
    }
    m_pexEarlyInARow = 0;
    m_lastPexReceivedMs = now;
    ++m_pexReceived;
    m_session->onPexMessage(this, *pex);
}

void PeerConnection::sendPexIfDue(qint64 nowMs) {
    if (!pexEnabled() || !m_peerExtensions)
        return;
    const int id = m_peerExtensions->idOf(wire::kUtPex);
    if (id <= 0 || id > 255)
        return;
    if (m_lastPexSentMs < 0 ? nowMs - m_connectedAtMs < kFirstPexDelayMs
                            : nowMs - m_lastPexSentMs < wire::kPexIntervalMs)
        return;
    // Only peers we are connected to (the handshake done), at the port they listen on, never the peer
    // itself.
    const quint16 ownPort = listenPort();
    QSet<QByteArray> now;
    PexMessage message;
    for (const PeerConnection* c : m_session->connections()) {
        if (c == this || !c->isActive() || c->listenPort() == 0)
            continue;
        if (c->address() == m_address && (c->listenPort() == ownPort || c->peerId() == m_peerId))
            continue;
        const QByteArray key = endpointKey(c->address(), c->listenPort());
        if (now.contains(key))
            continue;
        now.insert(key);
        if (m_pexAdvertised.contains(key))
            continue;
        quint8 flags = 0;
        if (c->isSeed())
            flags |= wire::kPexSeed;
        // We dialled it, or it told us its listen port: either way it accepts connections.
        flags |= wire::kPexConnectable;
        if (message.added.size() < wire::kMaxPexAdded)
            message.added.append({c->address(), c->listenPort(), flags});
    }
    for (const QByteArray& key : std::as_const(m_pexAdvertised)) {
        if (now.contains(key) || message.dropped.size() >= wire::kMaxPexDropped)
            continue;
        const qsizetype bar = key.lastIndexOf('|');
        message.dropped.append(
            {QHostAddress(QString::fromLatin1(key.left(bar))), quint16(key.mid(bar + 1).toUInt()), 0});
    }
    if (message.added.isEmpty() && message.dropped.isEmpty())
        return;
    for (const PexMessage::Peer& p : std::as_const(message.added))
        m_pexAdvertised.insert(endpointKey(p.address, p.port));
    for (const PexMessage::Peer& p : std::as_const(message.dropped))
        m_pexAdvertised.remove(endpointKey(p.address, p.port));
    m_lastPexSentMs = nowMs;
    ++m_pexSent;
    m_session->onPexSent();
    send(wire::encodeExtended(quint8(id), wire::encodePexMessage(message)));
}

} // namespace swarmscope
