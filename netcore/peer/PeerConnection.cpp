#include "peer/PeerConnection.h"

#include "peer/Client.h"
#include "peer/EncryptedStream.h"
#include "peer/PeerIdentity.h"
#include "peer/TorrentSession.h"
#include "sim/SimulatedLink.h"
#include "transport/ByteStream.h"
#include "transport/Network.h"
#include "wire/AllowedFastSet.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MetadataMessage.h"
#include "wire/PexMessage.h"

#include <algorithm>

namespace swarmscope {

namespace {

constexpr qint64 kBlock = PiecePicker::kBlockSize;
// Blocks written in one go when serving: one batch must not hold the network thread for long.
constexpr qint64 kMaxServeBatch = 1024 * 1024;
// After a graceful close: how long the peer gets to close its end, and how often we look whether our last
// bytes are out once it has.
constexpr qint64 kLingerMs = 5'000;
constexpr qint64 kFlushPollMs = 50;
// BEP 6: the allowed-fast set we give each peer (at most half the pieces), and how many of its requests for
// it we queue while we choke it.
constexpr int kAllowedFastCount = 10;
constexpr int kMaxAllowedFastRequestsIn = 16;
// BEP 9: metadata pieces are written at once; past this much queued on the stream, requests are rejected.
constexpr qint64 kMaxQueuedForMetadata = 1024 * 1024;

// The extensions a peer enabled (a 0 id disables one), in name order.
QList<QByteArray> snapshotExtensionNames(const ExtensionHandshake& handshake) {
    QList<QByteArray> names;
    for (const auto& [name, id] : handshake.extensions)
        if (id != 0)
            names.append(name);
    return names;
}

} // namespace

PeerConnection::PeerConnection(Client* client, TorrentSession* session, const QHostAddress& address,
                               quint16 port)
    : QObject(client), m_client(client), m_session(session), m_lingerTimer(client->scheduler()),
      m_id(client->nextConnectionId()), m_outgoing(true), m_address(address), m_port(port) {
    init(client->openStream(address, port, session->infoHash(), m_id));
    m_framer.setGeometry(session->geometry());
    // The stream queues what is written while connecting; the handshake goes out as soon as it is up.
    sendHandshake();
}

PeerConnection::PeerConnection(Client* client, ByteStream* stream)
    : QObject(client), m_client(client), m_lingerTimer(client->scheduler()), m_id(client->nextConnectionId()),
      m_outgoing(false), m_address(stream->peerAddress()), m_port(stream->peerPort()) {
    init(stream);
    m_phase = Phase::Handshaking;
}

PeerConnection::~PeerConnection() {
    // Connections die before their client (Client's destructor deletes them first), so its turns are alive.
    m_client->uploadTurns().release(this);
    // A block cut off mid-way reached us in part: those bytes were sent, and wasted.
    if (m_established && m_lingerSession)
        if (const qint64 partial = m_framer.partialBlockBytes(); partial > 0)
            m_lingerSession->onLateBlock(partial);
}

void PeerConnection::init(ByteStream* stream) {
    m_stream = stream;
    stream->setParent(this);
    m_createdMs = m_client->nowMs();
    m_lastReceiveMs = m_createdMs;
    m_lastSendMs = m_createdMs;
    m_client->connectionOpened();
    connect(stream, &ByteStream::readyRead, this, &PeerConnection::onReadyRead);
    connect(stream, &ByteStream::closed, this, &PeerConnection::onDisconnected);
    connect(stream, &ByteStream::bytesSent, this, &PeerConnection::onBytesSent);
    connect(stream, &ByteStream::connected, this, [this] {
        m_socketConnectedUs = nowUs();
        if (m_phase == Phase::Connecting)
            m_phase = Phase::Handshaking;
    });
    const SimulatedLink* link = m_client->link();
    const PeerLimits& limits = m_client->limits();
    if (limits.fixedPipelineDepth > 0)
        m_depth = limits.fixedPipelineDepth;
    else if (link->downloadRate() == 0)
        m_depth = qMin(64, limits.maxPipelineDepth);
    else
        m_depth = int(qBound(qint64(limits.minPipelineDepth), link->downloadRate() / kBlock,
                             qint64(qMin(64, limits.maxPipelineDepth))));
}

qint64 PeerConnection::nowUs() const {
    return m_client->scheduler().now().count();
}

void PeerConnection::send(const QByteArray& frame) {
    if (m_phase == Phase::Closed || m_stream->state() == ByteStream::State::Closed)
        return;
    // Into the ledger first: the stream may report the bytes across before write() returns.
    m_ledger.addMessage(frame.size());
    m_ledger.setLastWriteId(m_stream->write(frame));
    m_lastSendMs = m_client->nowMs();
}

void PeerConnection::sendBlock(const BlockRequest& request, QByteArray frame) {
    m_ledger.addBlock(request, frame.size());
    m_ledger.setLastWriteId(m_stream->write(std::move(frame)));
    m_lastSendMs = m_client->nowMs();
}

void PeerConnection::onBytesSent(qint64 bytes) {
    const qint64 payload = m_ledger.crossed(bytes);
    m_client->uploadTurns().progressed(this, m_client->nowMs());
    if (payload > 0) {
        m_up.add(payload);
        if (m_phase != Phase::Closed && m_session)
            m_session->onBlocksSent(payload);
        else if (m_lingerSession)
            m_lingerSession->onBlocksSent(payload);
    }
    if (m_phase == Phase::Closed) {
        finishClosing();
        return;
    }
    // Room for more: serve once the stream has finished reporting (it may report several crossings in a row).
    // With nothing more to send, the upload turn goes once the last bytes have crossed.
    if (!m_incoming.empty())
        serveSoon();
    else
        releaseTurnIfIdle();
}

void PeerConnection::serveSoon() {
    if (m_serveQueued)
        return;
    m_serveQueued = true;
    m_client->scheduler().post(this, [this] {
        m_serveQueued = false;
        serve();
    });
}

void PeerConnection::releaseTurnIfIdle() {
    // Held until the last block written has crossed, so that nobody else's bytes queue beside it.
    if (m_phase != Phase::Active || (m_incoming.empty() && m_stream->bytesToWrite() == 0))
        m_client->uploadTurns().release(this);
}

qint64 PeerConnection::withdrawQueuedBlocks(QList<BlockRequest>* withdrawn) {
    qint64 payload = 0;
    for (const quint64 id : m_ledger.unstartedBlockWrites()) {
        const qint64 before = m_ledger.queuedPayload();
        const BlockRequest block = m_ledger.blockOfWrite(id);
        if (m_stream->cancelWrite(id)) {
            if (withdrawn)
                withdrawn->append(block);
            m_ledger.removeWrite(id);
            payload += before - m_ledger.queuedPayload();
        }
    }
    return payload;
}

void PeerConnection::sendHandshake() {
    Handshake handshake;
    handshake.infoHash = m_session->infoHash();
    handshake.peerId = m_client->peerId();
    handshake.setExtensionProtocol();
    handshake.setFastExtension();
    if (m_client->dhtPort() != 0)
        handshake.setDht();
    send(encodeHandshake(handshake));
}

void PeerConnection::onReadyRead() {
    if (m_phase == Phase::Closed) {
        readWhileClosing();
        return;
    }
    QByteArray data = m_stream->readAll();
    if (data.isEmpty())
        return;
    m_lastReceiveMs = m_client->nowMs();
    if (m_phase != Phase::Active) {
        processHandshake(data);
        if (m_phase != Phase::Active || data.isEmpty())
            return;
    }
    processMessages(data);
    if (m_phase != Phase::Active)
        return;
    m_session->onMessagesProcessed(this);
    serve();
}

void PeerConnection::processHandshake(QByteArray& data) {
    const qsizetype take = qMin(data.size(), Handshake::kLength - m_handshakeBuffer.size());
    m_handshakeBuffer.append(data.constData(), take);
    data.remove(0, take);
    const HandshakeDecodeResult result = decodeHandshake(m_handshakeBuffer);
    if (result.isInvalid()) {
        close(QStringLiteral("bad handshake: %1").arg(result.errorString()), CloseMode::Abort);
        return;
    }
    if (result.hasInfoHash() && !m_session) {
        TorrentSession* session = m_client->sessionForIncoming(result.handshake.infoHash);
        if (!session) {
            const QString hex = QString::fromLatin1(result.handshake.infoHash.toHex());
            const TorrentSession* known = m_client->torrent(result.handshake.infoHash);
            close(known ? QStringLiteral("torrent %1 is not accepting peers (%2)")
                              .arg(hex, torrentStateName(known->state()))
                        : QStringLiteral("unknown info-hash %1").arg(hex),
                  CloseMode::Abort);
            return;
        }
        m_session = session;
        m_client->incomingAttached(this);
        session->attach(this);
        m_framer.setGeometry(session->geometry());
        sendHandshake();
    }
    if (result.hasInfoHash() && result.handshake.infoHash != m_session->infoHash()) {
        close(QStringLiteral("wrong info-hash %1 in the peer's handshake")
                  .arg(QString::fromLatin1(result.handshake.infoHash.toHex())),
              CloseMode::Abort);
        return;
    }
    if (!result.isComplete())
        return;
    m_peerId = result.handshake.peerId;
    m_peerSupportsExtensions = result.handshake.supportsExtensionProtocol();
    m_peerSupportsFast = result.handshake.supportsFastExtension();
    m_peerSupportsDht = result.handshake.supportsDht();
    m_handshakeBuffer = QByteArray();
    if (m_outgoing && m_socketConnectedUs >= 0)
        m_rtt.addSample(nowUs() - m_socketConnectedUs, nowUs());
    onHandshakeComplete();
}

void PeerConnection::onHandshakeComplete() {
    m_phase = Phase::Active;
    m_established = true;
    m_connectedAtMs = m_client->nowMs();
    m_peerPieces = Bitfield(m_session->geometry().pieceCount);
    if (!m_session->onHandshake(this))
        return; // closed with its reason
    m_extensionProtocol = m_peerSupportsExtensions;
    m_framer.setExtensionProtocol(m_extensionProtocol);
    m_fastExtension = m_peerSupportsFast;
    m_framer.setFastExtension(m_fastExtension);
    const int pieceCount = m_session->geometry().pieceCount;
    m_allowedFastOut = Bitfield(pieceCount);
    m_allowedFastIn = Bitfield(pieceCount);
    m_rejectedPieces = Bitfield(pieceCount);
    const Bitfield& have = m_session->have();
    // BEP 6: HAVE ALL or HAVE NONE instead of a bitfield that says the same. BEP 3: a peer with no pieces
    // may skip the bitfield.
    if (m_fastExtension && (have.all() || have.none()))
        send(wire::encodeSimple(have.all() ? MessageType::HaveAll : MessageType::HaveNone));
    else if (!have.none())
        send(wire::encodeBitfield(have));
    if (m_extensionProtocol)
        sendExtensionHandshake();
    if (m_fastExtension)
        sendAllowedFastSet();
    if (m_peerSupportsDht && m_client->dhtPort() != 0)
        send(wire::encodePort(m_client->dhtPort()));
    QString how = m_outgoing ? QStringLiteral("outgoing") : QStringLiteral("incoming");
    if (const auto* encrypted = qobject_cast<const EncryptedStream*>(m_stream))
        how += QStringLiteral(", %1%2").arg(
            streamEncryptionName(encrypted->encryption()),
            encrypted->fellBack() ? QStringLiteral(" (MSE failed: %1)").arg(encrypted->fallbackReason())
                                  : QString());
    m_session->report(PeerEventKind::Connected, this, how);
}

void PeerConnection::processMessages(QByteArrayView data) {
    // Block payload that arrived in this read: the blocks completed, less what of the first was counted at
    // the last read, plus what of the next has come.
    const qint64 partialBefore = m_framer.partialBlockBytes();
    qint64 completed = 0;
    while (!data.isEmpty() && m_phase == Phase::Active) {
        MessageFramer::Step step = m_framer.feed(data);
        data = data.sliced(step.consumed);
        if (step.isError()) {
            close(m_framer.errorString(), CloseMode::Abort);
            return;
        }
        if (step.hasMessage()) {
            if (step.message.type == MessageType::Piece)
                completed += step.message.payload.size();
            handleMessage(step.message);
        }
    }
    if (const qint64 arrived = completed - partialBefore + m_framer.partialBlockBytes(); arrived > 0) {
        m_arrival.add(arrived);
        if (TorrentSession* session = m_session ? m_session : m_lingerSession.data())
            session->onPayloadArrived(arrived);
    }
    // A message made us close with more of the peer's bytes in hand: blocks among them arrived, and count.
    if (!data.isEmpty() && m_phase == Phase::Closed && !m_deleting)
        countLateBlocks(data);
}

void PeerConnection::handleMessage(WireMessage& message) {
    ++m_messagesReceived;
    switch (message.type) {
    case MessageType::KeepAlive:
    case MessageType::Unknown:
        break;
    case MessageType::Port:
        m_client->peerDhtPort(m_address, message.port);
        break;
    case MessageType::Choke:
        if (!m_peerChoking)
            peerChokedUs();
        break;
    case MessageType::Unchoke:
        if (m_peerChoking) {
            m_peerChoking = false;
            m_rejectedPieces.fill(false);
            m_session->onPeerChoke(this, false);
        }
        break;
    case MessageType::Interested:
    case MessageType::NotInterested: {
        const bool interested = message.type == MessageType::Interested;
        if (interested != m_peerInterested) {
            m_peerInterested = interested;
            m_session->onPeerInterest(this);
        }
        break;
    }
    case MessageType::Have: {
        const int piece = int(message.index);
        if (!m_peerPieces.testBit(piece)) {
            m_peerPieces.setBit(piece);
            m_session->onPeerHave(this, piece);
        }
        break;
    }
    case MessageType::Bitfield: {
        // The framer has checked its length and spare bits against the torrent.
        std::optional<Bitfield> bits = Bitfield::fromWire(message.payload, m_session->geometry().pieceCount);
        if (!bits) {
            close(QStringLiteral("bad bitfield"), CloseMode::Abort);
            return;
        }
        peerAnnouncedPieces(std::move(*bits));
        break;
    }
    case MessageType::HaveAll:
    case MessageType::HaveNone:
        peerAnnouncedPieces(Bitfield(m_session->geometry().pieceCount, message.type == MessageType::HaveAll));
        break;
    case MessageType::Suggest:
        // BEP 6 makes suggestions advisory; the picker's own order (rarest first) is kept.
        break;
    case MessageType::Reject:
        handleReject(message);
        break;
    case MessageType::AllowedFast:
        handleAllowedFast(message);
        break;
    case MessageType::Request:
        handleRequest(message);
        break;
    case MessageType::Piece:
        handlePiece(message);
        break;
    case MessageType::Cancel:
        handleCancel(message);
        break;
    case MessageType::Extended:
        handleExtended(message);
        break;
    }
}

void PeerConnection::sendExtensionHandshake() {
    ExtensionHandshake ours;
    ours.client = clientName();
    ours.extensions[wire::kUtMetadata] = wire::kOurUtMetadataId;
    if (pexEnabled())
        ours.extensions[wire::kUtPex] = wire::kOurUtPexId;
    if (m_client->isListening())
        ours.listenPort = m_client->listenPort();
    ours.requestQueue = m_client->limits().maxIncomingRequests;
    if (!m_session->metainfo().infoBytes.isEmpty())
        ours.metadataSize = m_session->metainfo().infoBytes.size();
    send(wire::encodeExtended(0, wire::encodeExtensionHandshake(ours)));
}

void PeerConnection::handleExtended(const WireMessage& message) {
    if (message.extendedId == 0) {
        handleExtensionHandshake(message);
        return;
    }
    if (message.extendedId == wire::kOurUtMetadataId) {
        handleMetadataMessage(message);
        return;
    }
    if (message.extendedId == wire::kOurUtPexId && pexEnabled()) {
        handlePexMessage(message);
        return;
    }
    // BEP 10: a peer sends an extension's messages under the id we advertised in our "m".
    close(QStringLiteral("extended message id %1, which we never advertised").arg(message.extendedId),
          CloseMode::Abort);
}

void PeerConnection::handleMetadataMessage(const WireMessage& message) {
    QString error;
    const std::optional<MetadataMessage> m = wire::decodeMetadataMessage(message.payload, &error);
    if (!m) {
        close(error, CloseMode::Abort);
        return;
    }
    // This session has its metadata: only requests mean something, and only a peer that named its
    // ut_metadata id can be answered.
    const int peerId = m_peerExtensions ? m_peerExtensions->idOf(wire::kUtMetadata) : 0;
    if (m->type != MetadataMessage::Type::Request || peerId == 0)
        return;
    const QByteArray& info = m_session->metainfo().infoBytes;
    MetadataMessage reply;
    reply.piece = m->piece;
    if (m->piece >= wire::metadataPieceCount(info.size()) ||
        m_stream->bytesToWrite() > kMaxQueuedForMetadata) {
        reply.type = MetadataMessage::Type::Reject;
    } else {
        reply.type = MetadataMessage::Type::Data;
        reply.totalSize = info.size();
        reply.data = info.mid(qsizetype(m->piece) * wire::kMetadataPieceSize, wire::kMetadataPieceSize);
    }
    send(wire::encodeExtended(quint8(peerId), wire::encodeMetadataMessage(reply)));
}

void PeerConnection::handleExtensionHandshake(const WireMessage& message) {
    QString error;
    std::optional<ExtensionHandshake> theirs = wire::decodeExtensionHandshake(message.payload, &error);
    if (!theirs) {
        close(error, CloseMode::Abort);
        return;
    }
    // BEP 10 allows later handshakes; each replaces what the peer said before.
    m_peerExtensions = std::move(theirs);
    if (!m_client->wantsEvents())
        return;
    QStringList names;
    for (const QByteArray& name : snapshotExtensionNames(*m_peerExtensions))
        names.append(QString::fromUtf8(name));
    QString reason = QStringLiteral("client \"%1\"; extensions: %2")
                         .arg(m_peerExtensions->client,
                              names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", ")));
    if (m_peerExtensions->requestQueue > 0)
        reason += QStringLiteral("; reqq %1").arg(m_peerExtensions->requestQueue);
    if (m_peerExtensions->metadataSize >= 0)
        reason += QStringLiteral("; metadata_size %1").arg(m_peerExtensions->metadataSize);
    if (m_fastExtension)
        reason += QStringLiteral("; fast extension");
    m_session->report(PeerEventKind::Extensions, this, reason);
}

void PeerConnection::peerAnnouncedPieces(Bitfield pieces) {
    if (m_messagesReceived == 1) {
        m_peerPieces = std::move(pieces);
        m_session->onPeerBitfield(this);
        return;
    }
    // BEP 3 sends a bitfield only first, but aria2 sends a fresh one instead of HAVEs whenever that is
    // shorter; like libtorrent, take it as the peer's new set of pieces.
    const Bitfield previous = m_peerPieces;
    m_peerPieces = std::move(pieces);
    m_session->onPeerBitfieldReplaced(this, previous);
}

void PeerConnection::handleRequest(const WireMessage& message) {
    const BlockRequest request{int(message.index), int(message.begin), int(message.length)};
    // BEP 3: requests that arrive while we choke the peer are discarded, and so are requests for pieces we
    // do not have (the peer may not have seen our latest state yet). BEP 6 rejects them explicitly, and
    // serves those of the peer's allowed-fast set while it is choked, up to a bound.
    const bool have = m_session->hasPiece(request.piece);
    const bool allowedWhileChoked = m_fastExtension && have && m_allowedFastOut.testBit(request.piece) &&
                                    !m_session->isPaused() &&
                                    int(m_incoming.size()) < kMaxAllowedFastRequestsIn;
    if (!have || (m_amChoking && !allowedWhileChoked)) {
        ++m_ignoredRequests;
        if (m_fastExtension)
            reject(request);
        return;
    }
    const int limit = m_client->limits().maxIncomingRequests;
    if (int(m_incoming.size()) >= limit) {
        close(QStringLiteral("too many outstanding requests (more than %1)").arg(limit), CloseMode::Abort);
        return;
    }
    m_incoming.push_back(request);
}

void PeerConnection::reject(const BlockRequest& request) {
    send(wire::encodeReject(quint32(request.piece), quint32(request.offset), quint32(request.length)));
}

void PeerConnection::handleReject(const WireMessage& message) {
    const BlockRequest rejected{int(message.index), int(message.begin), int(message.length)};
    // A reject of a request already withdrawn (cancelled, or dropped on a choke) only ends its wait.
    if (m_requests.takeWithdrawn(rejected.piece, rejected.offset))
        return;
    if (!m_requests.take(rejected.piece, rejected.offset, rejected.length))
        return; // never asked for: nothing to undo
    m_rejectedPieces.setBit(rejected.piece);
    m_session->onRequestsRejected(this, {rejected});
}

void PeerConnection::handleAllowedFast(const WireMessage& message) {
    // Bounded: a peer may announce many; only the first few are kept.
    if (m_allowedFastIn.count() < 4 * kAllowedFastCount)
        m_allowedFastIn.setBit(int(message.index));
}

void PeerConnection::sendAllowedFastSet() {
    // BEP 6 defines the set for IPv4 peers; a free-rider uploads nothing, not even these.
    bool isIpv4 = false;
    const quint32 ipv4 = m_address.toIPv4Address(&isIpv4);
    if (!isIpv4 || m_session->isFreeRider())
        return;
    const int pieceCount = m_session->geometry().pieceCount;
    QByteArray frames;
    for (const int piece :
         allowedFastSet(ipv4, m_session->infoHash(), pieceCount, qMin(kAllowedFastCount, pieceCount / 2))) {
        m_allowedFastOut.setBit(piece);
        frames += wire::encodeIndexed(MessageType::AllowedFast, quint32(piece));
    }
    if (!frames.isEmpty())
        send(frames);
}

Bitfield PeerConnection::requestablePieces() const {
    return m_rejectedPieces.none() ? m_peerPieces : m_peerPieces.andNot(m_rejectedPieces);
}

void PeerConnection::handleCancel(const WireMessage& message) {
    const BlockRequest cancelled{int(message.index), int(message.begin), int(message.length)};
    const auto it = std::find(m_incoming.begin(), m_incoming.end(), cancelled);
    if (it != m_incoming.end()) {
        m_incoming.erase(it);
        return;
    }
    // Already written: take it back unless its bytes are on their way.
    if (const std::optional<quint64> id = m_ledger.unstartedWrite(cancelled);
        id && m_stream->cancelWrite(*id))
        m_ledger.removeWrite(*id);
}

void PeerConnection::handlePiece(WireMessage& message) {
    const int piece = int(message.index);
    const int offset = int(message.begin);
    const qint64 length = message.payload.size();
    const qint64 nowMs = m_client->nowMs();
    if (const std::optional<RequestQueue::Sent> sent = m_requests.take(piece, offset, int(length))) {
        m_rtt.addSample(nowUs() - sent->sentUs, nowUs());
    } else if (!m_requests.takeWithdrawn(piece, offset)) {
        // Data we never asked this peer for: dropped, never written.
        m_session->onUnrequestedBlock(this, length);
        return;
    }
    m_down.add(length);
    m_lastBlockMs = nowMs;
    if (m_snubbed)
        m_snubbed = false;
    m_session->onBlock(this, piece, offset, message.payload);
}

void PeerConnection::peerChokedUs() {
    m_peerChoking = true;
    // BEP 3: a choke discards our pending requests. Blocks already on their way are still welcome. With BEP 6
    // the peer rejects each one it drops; we keep waiting only for those of its allowed-fast set and give
    // the others up now (a reject of one of them later just ends its wait).
    if (!m_fastExtension) {
        m_requests.withdrawAll();
        m_session->onPeerChoke(this, true);
        return;
    }
    const QList<BlockRequest> dropped =
        m_requests.withdrawIf([this](const BlockRequest& r) { return !m_allowedFastIn.testBit(r.piece); });
    m_session->onRequestsRejected(this, dropped);
    m_session->onPeerChoke(this, true);
}

int PeerConnection::pipelineDepth() const {
    if (m_snubbed)
        return 1;
    const int peerLimit = m_peerExtensions ? m_peerExtensions->requestQueue : -1;
    return peerLimit > 0 ? qMin(m_depth, peerLimit) : m_depth;
}

int PeerConnection::requestSlots() const {
    // Nothing new while the peer chokes us, not even for its allowed-fast set: in a swarm that lets every
    // choked peer draw on the seeders past their choker (tests/ui's trial lost about a quarter of its rate).
    if (m_phase != Phase::Active || m_peerChoking || !m_amInterested)
        return 0;
    return qMax(0, pipelineDepth() - m_requests.size());
}

void PeerConnection::setChoking(bool choke) {
    if (m_phase != Phase::Active || choke == m_amChoking)
        return;
    m_amChoking = choke;
    if (!choke) {
        send(wire::encodeSimple(MessageType::Unchoke));
        return;
    }
    // BEP 3: choking discards the peer's pending requests; blocks not yet on their way are not sent. BEP 6
    // rejects each of them explicitly, after the CHOKE, and keeps those of the allowed-fast set.
    QList<BlockRequest> withdrawn;
    withdrawQueuedBlocks(&withdrawn);
    send(wire::encodeSimple(MessageType::Choke));
    if (!m_fastExtension) {
        m_incoming.clear();
        releaseTurnIfIdle();
        return;
    }
    std::deque<BlockRequest> kept;
    QByteArray rejects;
    const auto sortOut = [&](const BlockRequest& r) {
        if (m_allowedFastOut.testBit(r.piece) && !m_session->isPaused() &&
            int(kept.size()) < kMaxAllowedFastRequestsIn)
            kept.push_back(r);
        else
            rejects += wire::encodeReject(quint32(r.piece), quint32(r.offset), quint32(r.length));
    };
    for (const BlockRequest& r : std::as_const(withdrawn))
        sortOut(r);
    for (const BlockRequest& r : std::as_const(m_incoming))
        sortOut(r);
    m_incoming = std::move(kept);
    if (!rejects.isEmpty())
        send(rejects);
    releaseTurnIfIdle();
}

void PeerConnection::setInterested(bool interested) {
    if (m_phase != Phase::Active || interested == m_amInterested)
        return;
    m_amInterested = interested;
    send(wire::encodeSimple(interested ? MessageType::Interested : MessageType::NotInterested));
}

void PeerConnection::sendHave(int piece) {
    if (m_phase == Phase::Active)
        send(wire::encodeHave(quint32(piece)));
}

void PeerConnection::sendRequests(const QList<BlockRequest>& requests) {
    if (m_phase != Phase::Active || requests.isEmpty())
        return;
    // One write for the whole batch: 17 bytes a request.
    QByteArray frames;
    frames.reserve(requests.size() * 17);
    const qint64 now = nowUs();
    for (const BlockRequest& r : requests) {
        frames.append(wire::encodeRequest(quint32(r.piece), quint32(r.offset), quint32(r.length)));
        m_requests.add(r, now);
    }
    m_lastRequestSentMs = m_client->nowMs();
    send(frames);
}

void PeerConnection::cancelRequest(const BlockRequest& request) {
    if (m_requests.withdraw(request))
        send(wire::encodeCancel(quint32(request.piece), quint32(request.offset), quint32(request.length)));
}

QList<BlockRequest> PeerConnection::cancelAllRequests() {
    const QList<BlockRequest> cancelled = m_requests.withdrawAll();
    if (cancelled.isEmpty())
        return cancelled;
    QByteArray frames;
    frames.reserve(cancelled.size() * 17);
    for (const BlockRequest& r : cancelled)
        frames.append(wire::encodeCancel(quint32(r.piece), quint32(r.offset), quint32(r.length)));
    send(frames);
    return cancelled;
}

qint64 PeerConnection::writeWatermark() const {
    const SimulatedLink& link = *m_client->link();
    // Enough queued to keep the link busy until the next bytesSent(). Under a cap, a quarter second of it
    // shared by the client's connections (each still gets two blocks), so that all of them together queue
    // little more than that: what is queued has not been counted yet, and a choke or cancel takes it back.
    // Bytes past the cap (on their way, in the latency) are not queued and do not count here.
    if (link.uploadRate() == 0)
        return 1024 * 1024;
    const qint64 sharing =
        qMax<qint64>(1, qMax<qint64>(m_client->connectionCount(),
                                     const_cast<SimulatedLink&>(link).uploadQueue().waiting()));
    return qBound<qint64>(2 * (kBlock + 13), link.uploadRate() / 4 / sharing, 4 * 1024 * 1024);
}

void PeerConnection::serve() {
    // While we choke the peer, the queue holds only requests of its allowed-fast set (BEP 6).
    if (m_serving)
        return;
    if (m_phase != Phase::Active || m_incoming.empty()) {
        releaseTurnIfIdle();
        return;
    }
    m_serving = true;
    qint64 batch = 0;
    const bool capped = m_client->link()->uploadRate() != 0;
    while (!m_incoming.empty() && m_phase == Phase::Active && batch < kMaxServeBatch) {
        if (m_stream->bytesToWrite() >= writeWatermark())
            break;
        // One write per block, so a block not yet started can be taken back whole.
        const BlockRequest r = m_incoming.front();
        if (!m_client->uploadTurns().mayServe(this, r.piece, capped, m_client->nowMs(),
                                              m_stream->bytesToWrite() == 0))
            break; // woken with serveSoon() when our turn comes
        m_incoming.pop_front();
        QByteArray frame;
        frame.reserve(13 + r.length);
        char* block = wire::appendPieceFrame(frame, quint32(r.piece), quint32(r.offset), r.length);
        const StorageStatus status = m_session->readBlock(r.piece, r.offset, r.length, block);
        if (!status.ok()) {
            m_serving = false;
            close(QStringLiteral("cannot read a block to send: %1").arg(status.message));
            return;
        }
        batch += r.length;
        sendBlock(r, std::move(frame));
    }
    m_serving = false;
    releaseTurnIfIdle();
}

void PeerConnection::close(const QString& reason, CloseMode mode) {
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    m_closeReason = reason;
    m_client->connectionClosed();
    if (m_session) {
        m_lingerSession = m_session;
        m_session->detach(this, reason);
    } else {
        m_client->incomingClosed(this, reason);
    }
    m_requests.withdrawAll();
    m_incoming.clear();
    m_client->uploadTurns().release(this);
    const ByteStream::State state = m_stream->state();
    if (mode == CloseMode::Abort || state == ByteStream::State::Connecting) {
        m_stream->abort();
        deleteLater();
        return;
    }
    // Graceful: blocks not yet on their way are not wanted any more; the messages still go out, then our
    // end closes. A peer that never closes its end is cut off after a few seconds.
    withdrawQueuedBlocks();
    m_stream->close();
    m_lingerDeadlineMs = m_client->nowMs() + kLingerMs;
    m_lingerTimer.setCallback([this] { finishClosing(); });
    m_lingerTimer.startMs(kLingerMs);
    finishClosing();
}

void PeerConnection::readWhileClosing() {
    const QByteArray data = m_stream->readAll();
    if (m_phase != Phase::Closed || !m_established || data.isEmpty())
        return;
    // The peer may have sent blocks before it saw our close: they arrive, and are counted, as wasted.
    countLateBlocks(data);
}

void PeerConnection::countLateBlocks(QByteArrayView data) {
    if (!m_established || m_deleting)
        return;
    qint64 late = 0;
    while (!data.isEmpty()) {
        MessageFramer::Step step = m_framer.feed(data);
        data = data.sliced(step.consumed);
        if (step.isError()) {
            m_deleting = true;
            m_lingerTimer.stop();
            m_stream->abort();
            deleteLater();
            break;
        }
        if (step.hasMessage() && step.message.type == MessageType::Piece)
            late += step.message.payload.size();
    }
    if (late > 0) {
        m_down.add(late);
        if (m_lingerSession)
            m_lingerSession->onLateBlock(late);
    }
}

void PeerConnection::finishClosing() {
    if (m_phase != Phase::Closed || m_deleting)
        return;
    const bool peerClosed = m_stream->state() == ByteStream::State::Closed;
    const bool lingerOver = m_client->nowMs() >= m_lingerDeadlineMs;
    if (peerClosed && m_stream->isFlushed()) {
        m_deleting = true;
        m_lingerTimer.stop();
        deleteLater();
        return;
    }
    if (lingerOver) {
        m_deleting = true;
        m_lingerTimer.stop();
        m_stream->abort();
        deleteLater();
        return;
    }
    // The peer is done; our last bytes are still on their way to the socket: look again shortly.
    if (peerClosed)
        m_lingerTimer.startMs(kFlushPollMs);
}

void PeerConnection::onDisconnected() {
    if (m_phase == Phase::Closed) {
        readWhileClosing();
        finishClosing();
        return;
    }
    QString reason;
    const QString error = m_stream->errorString();
    if (!error.isEmpty())
        reason = error;
    else if (m_phase == Phase::Connecting)
        reason = QStringLiteral("connection failed");
    else
        reason = QStringLiteral("closed by the peer");
    // Whatever it sent has been delivered (and read); what we wrote still goes out.
    close(reason, m_phase == Phase::Connecting ? CloseMode::Abort : CloseMode::Graceful);
}

void PeerConnection::updatePipelineDepth() {
    const PeerLimits& limits = m_client->limits();
    if (limits.fixedPipelineDepth > 0)
        return;
    const qint64 rate = m_down.rate();
    if (rate <= 0)
        return; // keep the initial depth until blocks flow
    // Never rtt + something: a sender's queue reads as round trip (RttEstimator), so a pipeline sized on
    // top of it would grow its own queue without end. With max(), a link longer than pipelineSeconds
    // keeps the pipeline it has (rate x rtt is what is in flight) but does not grow it.
    const qint64 coverUs = qMax(qint64(limits.pipelineSeconds) * 1'000'000, qMax<qint64>(m_rtt.rttUs(), 0));
    const qint64 depth = rate * coverUs / 1'000'000 / kBlock;
    m_depth = int(qBound(qint64(limits.minPipelineDepth), depth, qint64(limits.maxPipelineDepth)));
}

void PeerConnection::tick(qint64 nowMs) {
    if (m_phase == Phase::Closed)
        return;
    const PeerLimits& limits = m_client->limits();
    if (m_phase != Phase::Active) {
        if (nowMs - m_createdMs >= limits.handshakeTimeoutMs)
            close(QStringLiteral("handshake timed out after %1 s").arg(limits.handshakeTimeoutMs / 1000),
                  CloseMode::Abort);
        return;
    }
    m_down.update(nowMs);
    m_up.update(nowMs);
    m_arrival.update(nowMs);
    updatePipelineDepth();
    if (!m_rejectedPieces.none())
        m_rejectedPieces.fill(false);
    if (m_amInterested || m_peerInterested)
        m_uninterestedSinceMs = -1;
    else if (m_uninterestedSinceMs < 0)
        m_uninterestedSinceMs = nowMs;
    if (nowMs - m_lastReceiveMs >= limits.idleTimeoutMs) {
        close(QStringLiteral("idle for %1 s").arg((nowMs - m_lastReceiveMs) / 1000));
        return;
    }
    sendPexIfDue(nowMs);
    if (nowMs - m_lastSendMs >= limits.keepAliveIntervalMs)
        send(wire::encodeKeepAlive());
    // Snubbed: requests out and no block for the snub timeout. Its requests go back to the pool so other
    // peers can fetch them; it keeps one request, to notice when it wakes up.
    if (!m_snubbed && !m_requests.isEmpty()) {
        const qint64 since = qMax(m_lastBlockMs, m_lastRequestSentMs);
        if (nowMs - since >= limits.snubTimeoutMs)
            m_snubbed = true;
    }
}

ConnectionSnapshot PeerConnection::snapshot() const {
    ConnectionSnapshot s;
    s.id = m_id;
    s.address = m_address;
    s.port = m_port;
    s.peerId = m_peerId;
    s.outgoing = m_outgoing;
    s.amChoking = m_amChoking;
    s.amInterested = m_amInterested;
    s.peerChoking = m_peerChoking;
    s.peerInterested = m_peerInterested;
    s.snubbed = m_snubbed;
    s.seed = isSeed();
    s.downloadRate = m_arrival.rate();
    s.uploadRate = m_up.rate();
    s.downloaded = m_down.total();
    s.uploaded = m_up.total();
    s.requestsOut = m_requests.size();
    s.requestsIn = int(m_incoming.size());
    s.pipelineDepth = pipelineDepth();
    s.rttMs = m_rtt.rttMs();
    s.pieces = m_peerPieces;
    s.connectedAtMs = m_connectedAtMs;
    s.extensionProtocol = m_extensionProtocol;
    s.fastExtension = m_fastExtension;
    if (const auto* encrypted = qobject_cast<const EncryptedStream*>(m_stream)) {
        s.encryption = encrypted->encryption();
        s.encryptionFellBack = encrypted->fellBack();
    }
    if (m_peerExtensions) {
        s.peerClient = m_peerExtensions->client;
        s.peerExtensions = snapshotExtensionNames(*m_peerExtensions);
    }
    s.pexSent = m_pexSent;
    s.pexReceived = m_pexReceived;
    return s;
}

} // namespace swarmscope
