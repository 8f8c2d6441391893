// BEP 11 peer exchange, the torrent's side: the peers a connection's ut_pex message names become candidates.

#include "peer/Client.h"
#include "peer/PeerConnection.h"
#include "peer/TorrentSession.h"
#include "wire/PexMessage.h"

namespace swarmscope {

void TorrentSession::onPexMessage(PeerConnection* connection, const PexMessage& message) {
    ++m_pexReceived;
    const qint64 now = m_client->nowMs();
    int learned = 0;
    for (const PexMessage::Peer& peer : message.added) {
        // Not the sender itself (it knows where it listens; we do too).
        if (peer.address == connection->address() && peer.port == connection->listenPort())
            continue;
        if (m_dialer.addFromPex(peer.address, peer.port, now))
            ++learned;
    }
    m_peersFromPex += learned;
    if (learned > 0) {
        if (m_client->wantsEvents())
            report(PeerEventKind::Extensions, connection,
                   QStringLiteral("ut_pex: %1 new peers of %2 named").arg(learned).arg(message.added.size()));
        connectToCandidates(now);
    }
}

} // namespace swarmscope
