#include "peer/TorrentSession.h"

#include "peer/Client.h"
#include "peer/PeerConnection.h"
#include "peer/PieceVerifier.h"
#include "peer/SessionTracker.h"
#include "storage/TorrentStorage.h"

// The torrent's side of its connections: what peers say, the blocks they send, the pieces that pass or fail
// their check, and whom we unchoke. The session's life (start, checking, tracker, stop, snapshots) is in
// TorrentSession.cpp.

namespace swarmscope {

bool TorrentSession::canAcceptIncoming() const {
    return m_state == TorrentState::Downloading || m_state == TorrentState::Seeding ||
           m_state == TorrentState::Paused;
}

void TorrentSession::attach(PeerConnection* connection) {
    if (!m_connections.contains(connection))
        m_connections.append(connection);
}

bool TorrentSession::onHandshake(PeerConnection* c) {
    if (c->peerId() == m_client->peerId()) {
        m_dialer.forget(c);
        c->close(QStringLiteral("connected to ourselves"), PeerConnection::CloseMode::Abort);
        return false;
    }
    if (m_dialer.isBanned(c)) {
        c->close(QStringLiteral("banned peer"), PeerConnection::CloseMode::Abort);
        return false;
    }
    // Two connections to one peer (both sides dialled at once): keep the one dialled by the side with the
    // lower peer id. Both sides decide the same way, so exactly one connection survives.
    for (PeerConnection* other : std::as_const(m_connections)) {
        if (other == c || !other->isActive() || other->peerId() != c->peerId())
            continue;
        const bool preferOutgoing = m_client->peerId() < c->peerId();
        if (c->isOutgoing() == other->isOutgoing() || c->isOutgoing() != preferOutgoing) {
            c->close(QStringLiteral("duplicate connection to this peer"));
            return false;
        }
        other->close(QStringLiteral("duplicate connection to this peer"));
        break;
    }
    m_dialer.handshakeDone(c);
    return true;
}

void TorrentSession::onPeerBitfield(PeerConnection* c) {
    m_picker.peerBitfield(c->peerPieces());
    if (c->isSeed() && m_picker.isComplete()) {
        m_dialer.forget(c);
        c->close(QStringLiteral("both are seeds"));
        return;
    }
    updateInterest(c);
}

void TorrentSession::onPeerBitfieldReplaced(PeerConnection* c, const Bitfield& previous) {
    m_picker.peerLost(previous);
    onPeerBitfield(c);
}

void TorrentSession::onPeerHave(PeerConnection* c, int piece) {
    m_picker.peerHas(piece);
    report(PeerEventKind::Have, c, {}, piece);
    if (c->isSeed() && m_picker.isComplete()) {
        m_dialer.forget(c);
        c->close(QStringLiteral("both are seeds"));
        return;
    }
    if (!c->amInterested() && !m_picker.have().testBit(piece))
        updateInterest(c);
}

void TorrentSession::onPeerChoke(PeerConnection* c, bool choked) {
    // With BEP 6 the connection has already given back what the choke dropped, and waits for the rest.
    if (choked && !c->hasFastExtension())
        m_picker.peerChoked(c->pickerId());
    report(choked ? PeerEventKind::PeerChoked : PeerEventKind::PeerUnchoked, c, {});
}

void TorrentSession::onRequestsRejected(PeerConnection* c, const QList<BlockRequest>& requests) {
    for (const BlockRequest& r : requests)
        m_picker.requestRejected(c->pickerId(), r.piece, r.offset);
}

void TorrentSession::onPeerInterest(PeerConnection* c) {
    if (m_state == TorrentState::Paused)
        return;
    // A slot that is free should not wait up to 10 s for the next round. (Rechoking also when a peer
    // unchoked while uninterested becomes interested, or when an unchoked peer loses interest, measured no
    // better: 1.25 against 1.23 times the Kumar-Ross bound in tests/bench/swarm-efficiency.sh.)
    const bool rechoke = c->peerInterested() && m_slots.hasFreeSlot(m_connections);
    if (rechoke) {
        m_slots.rechokeSoon();
        runChoker(m_client->nowMs());
    }
}

void TorrentSession::updateInterest(PeerConnection* c) {
    c->setInterested(!m_params.observeOnly && !m_picker.isComplete() &&
                     m_picker.isInteresting(c->peerPieces()));
}

void TorrentSession::onMessagesProcessed(PeerConnection* c) {
    requestMore(c);
}

void TorrentSession::requestMore(PeerConnection* c) {
    if (m_state != TorrentState::Downloading || m_params.observeOnly)
        return;
    if (m_verifier->pendingBytes() > m_client->config().assemblyBytes) {
        m_requestsThrottled = true; // resumed as checks finish
        return;
    }
    int free = c->requestSlots();
    // In endgame every pick is a second copy of a block already asked of someone else, and one of the two
    // copies is wasted unless a CANCEL overtakes it. A peer asks for one only when it has nothing else on the
    // way, one at a time: a full pipeline of copies wasted 2.7 % of all bytes in
    // tests/bench/swarm-efficiency.sh, and gained nothing.
    if (m_picker.isEndgame())
        free = qMin(free, kEndgameRequestsOut - c->requestsOut());
    if (free <= 0)
        return;
    const QList<BlockRequest> picks = m_picker.pick(c->pickerId(), c->requestablePieces(), free);
    if (!picks.isEmpty())
        c->sendRequests(picks);
    else if (c->requestsOut() == 0)
        updateInterest(c);
}

void TorrentSession::onUnrequestedBlock(PeerConnection* c, qint64 bytes) {
    Q_UNUSED(c);
    ++m_unrequestedBlocks;
    m_wasted += bytes;
    m_received += bytes;
}

void TorrentSession::onLateBlock(qint64 bytes) {
    m_wasted += bytes;
    m_received += bytes;
}

void TorrentSession::onBlock(PeerConnection* c, int piece, int offset, const QByteArray& data) {
    const qint64 length = data.size();
    m_received += length;
    if (m_state != TorrentState::Downloading) {
        // Paused (or finished, or stopping): the block was on its way before the peer heard; it is not used.
        m_wasted += length;
        m_picker.requestCancelled(c->pickerId(), piece, offset);
        return;
    }
    const BlockReceipt receipt = m_picker.blockReceived(c->pickerId(), piece, offset, int(length));
    if (!receipt.accepted) {
        m_wasted += length;
        return;
    }
    for (PeerId other : receipt.cancel)
        if (PeerConnection* oc = connectionById(other))
            oc->cancelRequest({piece, offset, int(length)});
    m_down.add(length);
    // Stored at once, and hashed as it comes: no piece-sized buffer per piece in progress.
    const StorageStatus status = m_storage->writeBlock(piece, offset, data);
    if (!status.ok()) {
        // Out of space, the pieces verified so far are intact on disk: they go in the resume data.
        m_resumeAfterError = m_state != TorrentState::Error && isOutOfSpace(status.error);
        fail(status.message);
        return;
    }
    m_hasher.add(piece, offset, data.constData(), length);
    if (!receipt.pieceComplete)
        return;
    if (const std::optional<QByteArray> digest = m_hasher.finish(piece, m_geometry.pieceSize(piece)))
        m_verifier->checkDigest(piece, *digest);
    else
        m_verifier->checkOnDisk(piece);
}

void TorrentSession::onBlocksSent(qint64 bytes) {
    m_up.add(bytes);
}

StorageStatus TorrentSession::readBlock(int piece, qint64 offset, qint64 length, char* out) {
    const StorageStatus status = m_readCache.copyBlock(piece, offset, length, out);
    if (status.ok() && m_params.corrupt)
        for (qint64 i = 0; i < length; i += 97)
            out[i] = char(out[i] ^ 0x5a);
    return status;
}

void TorrentSession::onPieceChecked(const PieceCheckResult& result) {
    if (m_state == TorrentState::Error || m_state == TorrentState::Stopped)
        return;
    if (m_requestsThrottled && m_verifier->pendingBytes() <= m_client->config().assemblyBytes / 2) {
        m_requestsThrottled = false;
        const QList<PeerConnection*> connections = m_connections;
        for (PeerConnection* c : connections)
            if (c->isActive())
                requestMore(c);
    }
    switch (result.state) {
    case PieceStore::PieceState::Valid:
        break;
    case PieceStore::PieceState::HashMismatch:
        pieceFailed(result.piece);
        return;
    case PieceStore::PieceState::Missing:
    case PieceStore::PieceState::IoError:
        m_resumeAfterError = isOutOfSpace(result.status.error);
        fail(result.status.message.isEmpty()
                 ? QStringLiteral("piece %1 could not be read back from disk").arg(result.piece)
                 : result.status.message);
        return;
    }
    const int piece = result.piece;
    const PeerId sender = m_picker.mainContributor(piece);
    m_picker.pieceVerified(piece);
    const QList<PeerConnection*> connections = m_connections;
    for (PeerConnection* c : connections)
        c->sendHave(piece);
    reportAbout(PeerEventKind::PieceVerified, sender, {}, piece);
    if (m_picker.isComplete()) {
        onCompleted();
        return;
    }
    for (PeerConnection* c : connections)
        if (c->isActive() && c->amInterested() && c->peerPieces().testBit(piece))
            updateInterest(c);
}

void TorrentSession::pieceFailed(int piece) {
    ++m_hashFailures;
    m_failed += m_geometry.pieceSize(piece);
    report(PeerEventKind::HashFailed, nullptr, QStringLiteral("piece %1 failed its SHA-1 check").arg(piece),
           piece);
    const PieceFailure failure = m_picker.pieceFailed(piece);
    for (PeerId id : failure.banned) {
        PeerConnection* c = connectionById(id);
        const PeerDialer::Identity who = c ? PeerDialer::identityOf(c) : m_dialer.departed(id);
        const QString reason =
            failure.contributors.size() == 1
                ? QStringLiteral("sole contributor to piece %1, which failed its hash check").arg(piece)
                : QStringLiteral("its data failed hash checks repeatedly (piece %1)").arg(piece);
        const bool fresh = m_dialer.ban(who);
        if (c) {
            if (fresh)
                report(PeerEventKind::PeerBanned, c, reason);
            c->close(QStringLiteral("banned: %1").arg(reason), PeerConnection::CloseMode::Abort);
        } else if (fresh) {
            reportAbout(PeerEventKind::PeerBanned, id, reason, piece);
        }
    }
}

void TorrentSession::onCompleted() {
    m_completedAtMs = m_client->nowMs();
    // Before the state changes: a listener may stop the torrent on Seeding, and "completed" must go first.
    if (m_tracker)
        m_tracker->complete();
    if (m_state == TorrentState::Paused)
        m_stateBeforePause = TorrentState::Seeding;
    else
        setState(TorrentState::Seeding);
    saveResume();
    report(PeerEventKind::Completed, nullptr, {});
    const QList<PeerConnection*> connections = m_connections;
    for (PeerConnection* c : connections) {
        if (!c->isActive())
            continue;
        if (c->isSeed()) {
            m_dialer.forget(c);
            c->close(QStringLiteral("both are seeds"));
        } else {
            c->setInterested(false);
        }
    }
    emit completed();
}

PeerConnection* TorrentSession::connectionById(PeerId id) const {
    for (PeerConnection* c : m_connections)
        if (c->pickerId() == id)
            return c;
    return nullptr;
}

void TorrentSession::detach(PeerConnection* c, const QString& reason) {
    if (!m_connections.removeOne(c))
        return;
    const qint64 now = m_client->nowMs();
    m_dialer.closed(c, now);
    if (c->wasEstablished()) {
        m_picker.peerLost(c->peerPieces());
        m_picker.peerGone(c->pickerId());
        if (!c->amChoking())
            m_slots.rechokeSoon();
    }
    report(PeerEventKind::Disconnected, c, reason);
}

void TorrentSession::runChoker(qint64 nowMs) {
    if (m_state != TorrentState::Downloading && m_state != TorrentState::Seeding)
        return;
    if (m_params.freeRider) {
        m_slots.chokeAll(m_connections, QStringLiteral("free-rider"),
                         [this](PeerConnection* c, bool choked, const QString& reason) {
                             reportChoke(c, choked, reason);
                         });
        return;
    }
    m_slots.update(
        nowMs, m_connections, m_state == TorrentState::Seeding,
        [this](PeerConnection* c, bool choked, const QString& reason) { reportChoke(c, choked, reason); });
}

void TorrentSession::reportAbout(PeerEventKind kind, PeerId id, const QString& reason, int piece) {
    if (const PeerConnection* c = id != 0 ? connectionById(id) : nullptr) {
        report(kind, c, reason, piece);
        return;
    }
    if (!m_client->wantsEvents())
        return;
    // Gone already (or nobody): the dialer remembers who recently departed.
    const PeerDialer::Identity who = id != 0 ? m_dialer.departed(id) : PeerDialer::Identity{};
    PeerEvent event{kind,     m_client->nowMs(), infoHash(), quint64(id), who.address,
                    who.port, who.peerId,        false,      piece,       reason};
    m_client->report(event);
}

void TorrentSession::reportChoke(PeerConnection* c, bool choked, const QString& reason) {
    report(choked ? PeerEventKind::Choked : PeerEventKind::Unchoked, c, reason);
}

} // namespace swarmscope
