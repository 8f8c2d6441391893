#pragma once

#include "peer/BanList.h"
#include "peer/PeerCandidates.h"
#include "peer/PiecePicker.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>

namespace swarmscope {

class Client;
class PeerConnection;
class TorrentSession;

// Whom one torrent connects to and whom it refuses: endpoints from the tracker or given by hand, reconnects
// with back-off, never ourselves, never a banned peer. It also remembers who recently departed, because a
// piece can fail its hash check after its contributor has left, and the ban must still name it.
class PeerDialer {
public:
    struct Identity {
        QHostAddress address;
        quint16 port = 0; // the listen port for outgoing connections; 0 for incoming ones (theirs is random)
        QByteArray peerId;
    };

    explicit PeerDialer(Client* client);

    void add(const QHostAddress& address, quint16 port, const QByteArray& peerId, qint64 nowMs,
             const QByteArray& source = {});
    // An endpoint a peer named in a BEP 11 message (tagged "pex"): never ourselves, never a banned one, and
    // only while the candidates number under kMaxPexCandidates. True when it is new.
    bool addFromPex(const QHostAddress& address, quint16 port, qint64 nowMs);
    static constexpr int kMaxPexCandidates = 500;
    // Opens connections to endpoints that are due, while the client has room; returns the new connections.
    QList<PeerConnection*> dial(TorrentSession* session, const QList<PeerConnection*>& existing,
                                qint64 nowMs);
    void makeAllDue(qint64 nowMs) { m_candidates.makeAllDue(nowMs); }
    void clear() { m_candidates.clear(); }

    // Outcomes of connections (only outgoing ones concern the candidates).
    void handshakeDone(const PeerConnection* connection);
    void closed(const PeerConnection* connection, qint64 nowMs);
    // Not to be dialled again: ourselves, or a seed while we seed too.
    void forget(const PeerConnection* connection);

    bool isOurselves(const QHostAddress& address, quint16 port) const;
    bool isBanned(const PeerConnection* connection) const;
    // False when it was banned already. The endpoint is forgotten.
    bool ban(const Identity& who);
    int bannedCount() const { return m_bans.count(); }
    static Identity identityOf(const PeerConnection* connection);
    // The identity of a connection that is gone; empty when it left too long ago.
    Identity departed(PeerId id) const { return m_departed.value(id); }

private:
    Client* m_client;
    PeerCandidates m_candidates;
    BanList m_bans;
    QHash<PeerId, Identity> m_departed;
    QList<PeerId> m_departedOrder;
};

} // namespace swarmscope
