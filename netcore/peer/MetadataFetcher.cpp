#include "peer/MetadataFetcher.h"

#include "peer/Client.h"
#include "peer/PeerIdentity.h"
#include "tracker/TrackerClient.h"
#include "transport/ByteStream.h"
#include "transport/Network.h"
#include "wire/ExtensionHandshake.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"
#include "wire/MetadataMessage.h"

#include <QSet>

namespace swarmscope {

namespace {

constexpr qint64 kTickMs = 500;
constexpr int kMaxConnected = 8;
constexpr int kMaxAttempts = 3;
constexpr int kMaxRequestsPerPeer = 4;
constexpr qint64 kPeerTimeoutMs = 15'000;
constexpr int kMaxCandidates = 200;

} // namespace

struct MetadataFetcher::Peer {
    QHostAddress address;
    quint16 port = 0;
    ByteStream* stream = nullptr;
    QByteArray handshake; // the peer's, as it arrives (at most 68 bytes)
    bool established = false;
    MessageFramer framer;
    int utMetadataId = 0;
    QSet<int> requested;
    int attempts = 0;
    bool usable = true; // false once it refused or misbehaved: never dialled again
    qint64 lastHeardMs = 0;
};

MetadataFetcher::MetadataFetcher(Client* client, const Params& params, QObject* parent)
    : QObject(parent), m_client(client), m_params(params), m_assembler(params.infoHash),
      m_tickTimer(client->scheduler(), [this] { tick(); }) {}

MetadataFetcher::~MetadataFetcher() {
    for (const std::unique_ptr<Peer>& p : m_peers)
        if (p->stream)
            p->stream->abort();
}

void MetadataFetcher::start() {
    for (const auto& [address, port] : std::as_const(m_params.peers))
        addCandidate(address, port);
    if (!m_params.trackers.isEmpty()) {
        TrackerClientConfig config;
        for (const QString& url : std::as_const(m_params.trackers))
            config.tiers.append(QStringList{url});
        config.infoHash = m_params.infoHash;
        config.peerId = m_client->peerId();
        config.port = m_client->listenPort();
        config.numwant = m_client->config().numwant;
        config.randomSeed = m_client->config().seed;
        config.network = &m_client->network();
        m_tracker = new TrackerClient(config, this);
        // Nothing is known yet, not even the size: the tracker hears one byte left, a downloader.
        m_tracker->setStatsProvider([] { return TrackerTransferStats{0, 0, 1}; });
        connect(m_tracker, &TrackerClient::peersReceived, this, &MetadataFetcher::onTrackerPeers);
        connect(m_tracker, &TrackerClient::stopped, this, &MetadataFetcher::stopped);
        m_tracker->start();
    }
    m_tickTimer.startRepeatingMs(kTickMs);
    tick();
}

void MetadataFetcher::stop() {
    m_stopping = true;
    m_tickTimer.stop();
    for (const std::unique_ptr<Peer>& p : m_peers) {
        if (p->stream) {
            p->stream->abort();
            p->stream->deleteLater();
            p->stream = nullptr;
        }
    }
    if (m_tracker && m_tracker->isRunning())
        m_tracker->stop();
    else
        m_client->scheduler().post(this, [this] { emit stopped(); });
}

QList<std::pair<QHostAddress, quint16>> MetadataFetcher::knownPeers() const {
    QList<std::pair<QHostAddress, quint16>> out;
    for (const std::unique_ptr<Peer>& p : m_peers)
        out.append({p->address, p->port});
    return out;
}

void MetadataFetcher::addCandidate(const QHostAddress& address, quint16 port) {
    if (port == 0 || int(m_peers.size()) >= kMaxCandidates)
        return;
    for (const std::unique_ptr<Peer>& p : m_peers)
        if (p->address == address && p->port == port)
            return;
    auto peer = std::make_unique<Peer>();
    peer->address = address;
    peer->port = port;
    m_peers.push_back(std::move(peer));
}

void MetadataFetcher::addPeer(const QHostAddress& address, quint16 port) {
    addCandidate(address, port);
    tick();
}

void MetadataFetcher::onTrackerPeers(const QList<TrackerPeer>& peers) {
    for (const TrackerPeer& p : peers)
        addCandidate(p.address, p.port);
    tick();
}

void MetadataFetcher::tick() {
    if (m_stopping || m_assembler.isComplete())
        return;
    const qint64 now = m_client->nowMs();
    int connected = 0;
    for (const std::unique_ptr<Peer>& p : m_peers) {
        if (!p->stream)
            continue;
        if (now - p->lastHeardMs >= kPeerTimeoutMs)
            drop(*p, QStringLiteral("no answer for %1 s").arg(kPeerTimeoutMs / 1000));
        else
            ++connected;
    }
    for (const std::unique_ptr<Peer>& p : m_peers) {
        if (connected >= kMaxConnected)
            break;
        if (!p->stream && p->usable && p->attempts < kMaxAttempts) {
            dial(*p);
            ++connected;
        }
    }
    requestPieces();
}

void MetadataFetcher::dial(Peer& peer) {
    ++peer.attempts;
    peer.handshake.clear();
    peer.established = false;
    peer.utMetadataId = 0;
    peer.requested.clear();
    peer.framer = MessageFramer();
    peer.framer.setExtensionProtocol(true);
    peer.lastHeardMs = m_client->nowMs();
    peer.stream = m_client->network().connectTo(peer.address, peer.port, this);
    Peer* p = &peer;
    connect(peer.stream, &ByteStream::readyRead, this, [this, p] { onReadyRead(p); });
    connect(peer.stream, &ByteStream::closed, this, [this, p] {
        if (p->stream)
            drop(*p, p->stream->errorString().isEmpty() ? QStringLiteral("closed by the peer")
                                                        : p->stream->errorString());
    });
    Handshake ours;
    ours.infoHash = m_params.infoHash;
    ours.peerId = m_client->peerId();
    ours.setExtensionProtocol();
    peer.stream->write(encodeHandshake(ours));
}

void MetadataFetcher::onReadyRead(Peer* peer) {
    if (!peer->stream)
        return;
    QByteArray data = peer->stream->readAll();
    peer->lastHeardMs = m_client->nowMs();
    if (!peer->established) {
        const qsizetype take = qMin(data.size(), Handshake::kLength - peer->handshake.size());
        peer->handshake.append(data.first(take));
        data.remove(0, take);
        const HandshakeDecodeResult result = decodeHandshake(peer->handshake);
        if (result.isInvalid()) {
            drop(*peer, QStringLiteral("bad handshake: %1").arg(result.errorString()));
            return;
        }
        if (!result.isComplete())
            return;
        if (result.handshake.infoHash != m_params.infoHash) {
            drop(*peer, QStringLiteral("wrong info-hash in the peer's handshake"));
            return;
        }
        if (!result.handshake.supportsExtensionProtocol()) {
            drop(*peer, QStringLiteral("no extension protocol (BEP 10), so no metadata"));
            return;
        }
        peer->established = true;
        ExtensionHandshake ext;
        ext.extensions[wire::kUtMetadata] = wire::kOurUtMetadataId;
        ext.client = clientName();
        if (m_client->isListening())
            ext.listenPort = m_client->listenPort();
        peer->stream->write(wire::encodeExtended(0, wire::encodeExtensionHandshake(ext)));
    }
    processMessages(*peer, data);
}

void MetadataFetcher::processMessages(Peer& peer, QByteArrayView data) {
    while (!data.isEmpty() && peer.stream && !m_assembler.isComplete()) {
        MessageFramer::Step step = peer.framer.feed(data);
        data = data.sliced(step.consumed);
        if (step.isError()) {
            drop(peer, peer.framer.errorString());
            return;
        }
        if (!step.hasMessage() || step.message.type != MessageType::Extended)
            continue; // its pieces and choking do not matter before the metadata is here
        if (step.message.extendedId == 0)
            onExtensionHandshake(peer, step.message.payload);
        else if (step.message.extendedId == wire::kOurUtMetadataId)
            onMetadataMessage(peer, step.message.payload);
        else
            drop(peer, QStringLiteral("extended message id %1, which we never advertised")
                           .arg(step.message.extendedId));
    }
}

void MetadataFetcher::onExtensionHandshake(Peer& peer, const QByteArray& payload) {
    QString error;
    const std::optional<ExtensionHandshake> theirs = wire::decodeExtensionHandshake(payload, &error);
    if (!theirs) {
        drop(peer, error);
        return;
    }
    emit peerNote(QStringLiteral("%1:%2: client \"%3\", ut_metadata id %4, metadata_size %5")
                      .arg(peer.address.toString())
                      .arg(peer.port)
                      .arg(theirs->client)
                      .arg(theirs->idOf(wire::kUtMetadata))
                      .arg(theirs->metadataSize));
    peer.utMetadataId = theirs->idOf(wire::kUtMetadata);
    if (peer.utMetadataId == 0) {
        drop(peer, QStringLiteral("does not serve ut_metadata"));
        return;
    }
    if (!m_assembler.setSize(theirs->metadataSize, &error)) {
        drop(peer, error);
        return;
    }
    requestPieces();
}

void MetadataFetcher::onMetadataMessage(Peer& peer, const QByteArray& payload) {
    QString error;
    const std::optional<MetadataMessage> m = wire::decodeMetadataMessage(payload, &error);
    if (!m) {
        drop(peer, error);
        return;
    }
    if (m->type == MetadataMessage::Type::Request)
        return; // we have nothing to serve yet
    if (!peer.requested.remove(m->piece)) {
        drop(peer, QStringLiteral("metadata piece %1 not asked for").arg(m->piece));
        return;
    }
    if (m->type == MetadataMessage::Type::Reject) {
        drop(peer, QStringLiteral("rejected metadata piece %1").arg(m->piece));
        return;
    }
    if (m->totalSize != m_assembler.size()) {
        drop(peer,
             QStringLiteral("total_size %1, metadata_size was %2").arg(m->totalSize).arg(m_assembler.size()));
        return;
    }
    switch (m_assembler.add(m->piece, m->data, &error)) {
    case MetadataAssembler::Result::Refused:
        drop(peer, error);
        return;
    case MetadataAssembler::Result::HashMismatch:
        // Which peer lied is not known; the one that completed it goes, the rest is fetched again.
        drop(peer, QStringLiteral("the metadata does not match the info-hash"));
        requestPieces();
        return;
    case MetadataAssembler::Result::Complete:
        m_tickTimer.stop();
        emit fetched();
        return;
    case MetadataAssembler::Result::Accepted:
        requestPieces();
        return;
    }
}

void MetadataFetcher::requestPieces() {
    if (!m_assembler.hasSize() || m_assembler.isComplete())
        return;
    QSet<int> inFlight;
    for (const std::unique_ptr<Peer>& p : m_peers)
        inFlight.unite(p->requested);
    QList<int> todo;
    for (const int piece : m_assembler.missing())
        if (!inFlight.contains(piece))
            todo.append(piece);
    for (const std::unique_ptr<Peer>& p : m_peers) {
        if (todo.isEmpty())
            return;
        if (!p->stream || p->utMetadataId == 0)
            continue;
        QByteArray frames;
        while (!todo.isEmpty() && p->requested.size() < kMaxRequestsPerPeer) {
            MetadataMessage request;
            request.piece = todo.takeFirst();
            p->requested.insert(request.piece);
            frames += wire::encodeExtended(quint8(p->utMetadataId), wire::encodeMetadataMessage(request));
        }
        if (!frames.isEmpty())
            p->stream->write(frames);
    }
}

void MetadataFetcher::drop(Peer& peer, const QString& reason) {
    if (!peer.stream)
        return;
    // A peer that answered the handshake and then failed us is not tried again; one that could not be
    // reached may be, a few times.
    if (peer.established)
        peer.usable = false;
    emit peerNote(
        QStringLiteral("%1:%2: dropped: %3").arg(peer.address.toString()).arg(peer.port).arg(reason));
    ByteStream* stream = peer.stream;
    peer.stream = nullptr;
    peer.requested.clear();
    stream->disconnect(this);
    stream->abort();
    stream->deleteLater();
    if (!m_stopping)
        m_client->scheduler().post(this, [this] { requestPieces(); });
}

} // namespace swarmscope
