#include "peer/Client.h"

#include "dht/DhtNode.h"
#include "peer/EncryptedStream.h"
#include "peer/PeerConnection.h"
#include "peer/PeerIdentity.h"
#include "peer/TorrentSession.h"
#include "sim/SimulatedLink.h"
#include "storage/FileHandleCache.h"
#include "transport/Network.h"
#include "transport/TcpNode.h"

#include <QMetaMethod>
#include <QThread>
#include <QThreadPool>

namespace swarmscope {

namespace {
constexpr int kTickMs = 250;
// A connection holding an upload turn that moved no byte for this long gives way (UploadTurns::expire).
constexpr qint64 kStaleTurnMs = 200;
// Descriptors one client keeps open across its torrents' files.
constexpr int kFileHandles = 64;
} // namespace

Client::Client(const ClientConfig& config, QObject* parent)
    : QObject(parent), m_ownNetwork(config.network ? nullptr : std::make_unique<TcpNode>()),
      m_network(config.network ? config.network : &m_ownNetwork->network()), m_config(config),
      m_tickTimer(m_network->scheduler(), [this] { tick(); }),
      m_uploadTurns(config.uploadTurns,
                    [](UploadTurns::Key key) { static_cast<PeerConnection*>(key)->serveSoon(); }) {
    qRegisterMetaType<swarmscope::PeerEvent>();
    m_config.maxConnections = qMax(1, m_config.maxConnections);
    m_peerId = m_config.peerId.size() == 20 ? m_config.peerId : makePeerId(m_config.seed);
    if (m_config.inlineHashing) {
        m_hashPool = nullptr;
    } else if (m_config.hashPool) {
        m_hashPool = m_config.hashPool;
    } else {
        m_ownPool = std::make_unique<QThreadPool>();
        // Jobs hash and then write: a write can block on the kernel's writeback, so a few more threads
        // than cores keep the CPUs hashing meanwhile (as libtorrent's disk threads do).
        m_ownPool->setMaxThreadCount(qMax(4, QThread::idealThreadCount()));
        m_hashPool = m_ownPool.get();
    }
    m_fileHandles = std::make_shared<FileHandleCache>(kFileHandles);
    m_tickTimer.startRepeatingMs(kTickMs);
}

Client::~Client() {
    m_tickTimer.stop();
    // Sessions first (they cut their connections off), then any connection still lingering, all while the
    // link their sockets use is alive.
    const QList<TorrentSession*> sessions = m_torrentOrder;
    m_torrents.clear();
    m_torrentOrder.clear();
    qDeleteAll(sessions);
    // Connections and the listener read the network's link: they go before the network this client may own.
    qDeleteAll(findChildren<QObject*>(Qt::FindDirectChildrenOnly));
    m_server = nullptr;
}

Scheduler& Client::scheduler() const {
    return m_network->scheduler();
}

SimulatedLink* Client::link() const {
    return &m_network->link();
}

bool Client::listen() {
    if (m_server)
        return true;
    QString error;
    m_server = m_network->listen(m_config.listenAddress, m_config.listenPort, 128, &error, this);
    if (!m_server) {
        m_error = QStringLiteral("cannot listen on %1:%2: %3")
                      .arg(m_config.listenAddress.toString())
                      .arg(m_config.listenPort)
                      .arg(error);
        return false;
    }
    connect(m_server, &Listener::newConnection, this, &Client::acceptConnections);
    if (m_config.dht && !m_dht) {
        std::unique_ptr<DatagramSocket> socket =
            m_network->bindDatagram(m_config.listenAddress, m_config.dhtPort, &error);
        if (!socket) {
            m_error = QStringLiteral("cannot start the DHT on %1:%2: %3")
                          .arg(m_config.listenAddress.toString())
                          .arg(m_config.dhtPort)
                          .arg(error);
            delete m_server;
            m_server = nullptr;
            return false;
        }
        DhtNode::Config dht;
        // Each client of a lab its own node id, repeatably.
        dht.seed = m_config.seed
                       ? m_config.seed * 2654435761u + quint32(qHash(listenAddress())) * 40503u + listenPort()
                       : 0;
        dht.bootstrap = m_config.dhtBootstrap;
        m_dht = std::make_unique<DhtNode>(m_network->scheduler(), std::move(socket), dht);
        m_dht->start();
    }
    return true;
}

quint16 Client::dhtPort() const {
    return m_dht ? m_dht->port() : 0;
}

void Client::peerDhtPort(const QHostAddress& address, quint16 port) {
    if (m_dht && port != 0 && !m_stopping)
        m_dht->addNode(DhtEndpoint{address, port});
}

bool Client::isListening() const {
    return m_server != nullptr;
}

QHostAddress Client::listenAddress() const {
    return m_server ? m_server->address() : m_config.listenAddress;
}

quint16 Client::listenPort() const {
    return m_server ? m_server->port() : m_config.listenPort;
}

qint64 Client::nowMs() const {
    return m_network->scheduler().nowMs();
}

bool Client::wantsEvents() const {
    static const QMetaMethod signal = QMetaMethod::fromSignal(&Client::peerEvent);
    return isSignalConnected(signal);
}

void Client::report(const PeerEvent& event) {
    emit peerEvent(event);
}

TorrentSession* Client::addTorrent(const AddTorrentParams& params, QString* error) {
    const auto failWith = [&](const QString& message) -> TorrentSession* {
        if (error)
            *error = message;
        return nullptr;
    };
    if (m_stopping)
        return failWith(QStringLiteral("the client is stopping"));
    const QByteArray& hash = params.metainfo.infoHash;
    if (hash.size() != 20 || params.metainfo.pieceCount() == 0)
        return failWith(QStringLiteral("the torrent has no info-hash or no pieces"));
    if (m_torrents.contains(hash))
        return failWith(
            QStringLiteral("the torrent is already added (%1)").arg(QString::fromLatin1(hash.toHex())));
    auto* session = new TorrentSession(this, params);
    const StorageStatus status = session->open();
    if (!status.ok()) {
        delete session;
        return failWith(status.message);
    }
    m_torrents.insert(hash, session);
    m_torrentOrder.append(session);
    connect(session, &TorrentSession::stateChanged, this,
            [this, hash](TorrentState state) { emit torrentStateChanged(hash, state); });
    connect(session, &TorrentSession::completed, this, [this, hash] { emit torrentCompleted(hash); });
    connect(session, &TorrentSession::stopped, this, [this, session] { onSessionStopped(session); });
    session->start();
    emit torrentAdded(hash);
    return session;
}

bool Client::removeTorrent(const QByteArray& infoHash) {
    TorrentSession* session = m_torrents.value(infoHash);
    if (!session)
        return false;
    session->setProperty("removing", true);
    if (session->state() == TorrentState::Stopped)
        scheduler().post(this, [this, session] { onSessionStopped(session); });
    else
        session->stop();
    return true;
}

void Client::onSessionStopped(TorrentSession* session) {
    if (session->property("removing").toBool() && m_torrentOrder.contains(session)) {
        const QByteArray hash = session->infoHash();
        m_torrents.remove(hash);
        m_torrentOrder.removeOne(session);
        session->deleteLater();
        emit torrentRemoved(hash);
    }
    checkStopped();
}

void Client::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_server)
        m_server->close();
    const QList<PeerConnection*> unattached = m_unattached;
    for (PeerConnection* c : unattached)
        c->close(QStringLiteral("client stopped"));
    for (TorrentSession* session : std::as_const(m_torrentOrder))
        session->stop();
    scheduler().post(this, [this] { checkStopped(); });
}

void Client::checkStopped() {
    if (!m_stopping || m_stopped)
        return;
    for (const TorrentSession* session : std::as_const(m_torrentOrder))
        if (session->state() != TorrentState::Stopped)
            return;
    m_stopped = true;
    m_tickTimer.stop();
    emit stopped();
}

TorrentSession* Client::sessionForIncoming(const QByteArray& infoHash) const {
    TorrentSession* session = m_torrents.value(infoHash);
    return session && session->canAcceptIncoming() ? session : nullptr;
}

void Client::incomingAttached(PeerConnection* connection) {
    m_unattached.removeOne(connection);
}

void Client::incomingClosed(PeerConnection* connection, const QString& reason) {
    m_unattached.removeOne(connection);
    if (wantsEvents())
        report({PeerEventKind::Disconnected,
                nowMs(),
                {},
                connection->id(),
                connection->address(),
                connection->port(),
                connection->peerId(),
                false,
                -1,
                reason});
}

void Client::acceptConnections() {
    while (m_server && m_server->hasPendingConnections()) {
        ByteStream* stream = m_server->nextPendingConnection();
        if (!stream)
            return;
        if (!canOpenConnection()) {
            if (wantsEvents())
                report({PeerEventKind::Disconnected,
                        nowMs(),
                        {},
                        0,
                        stream->peerAddress(),
                        stream->peerPort(),
                        {},
                        false,
                        -1,
                        QStringLiteral("connection limit reached (%1)").arg(m_config.maxConnections)});
            stream->abort();
            delete stream;
            continue;
        }
        if (m_config.encryption != mse::Policy::Plaintext) {
            EncryptedStream::Options options;
            options.policy = m_config.encryption;
            options.seed = encryptionSeed(m_lastConnectionId + 1);
            options.infoHashes = [this] {
                QList<QByteArray> hashes;
                for (const TorrentSession* session : std::as_const(m_torrentOrder))
                    hashes.append(session->infoHash());
                return hashes;
            };
            stream = EncryptedStream::accept(*m_network, stream, options);
        }
        m_unattached.append(new PeerConnection(this, stream));
    }
}

quint64 Client::encryptionSeed(quint64 connectionId) const {
    // 0 asks for random keys; otherwise one stream of its own per connection.
    if (m_config.seed == 0)
        return 0;
    return (quint64(m_config.seed) << 32 | quint32(connectionId)) ^ 0x9e3779b97f4a7c15ULL;
}

ByteStream* Client::openStream(const QHostAddress& address, quint16 port, const QByteArray& infoHash,
                               quint64 connectionId) {
    if (m_config.encryption == mse::Policy::Plaintext)
        return m_network->connectTo(address, port);
    EncryptedStream::Options options;
    options.policy = m_config.encryption;
    options.seed = encryptionSeed(connectionId);
    options.infoHash = infoHash;
    // Half the handshake's time, so that the plaintext retry has the other half.
    options.timeoutMs = qMax(1, m_config.limits.handshakeTimeoutMs / 2);
    return EncryptedStream::connectTo(*m_network, address, port, options);
}

void Client::tick() {
    const qint64 now = nowMs();
    m_uploadTurns.expire(now, kStaleTurnMs);
    qint64 uploaded = 0;
    for (const TorrentSession* session : std::as_const(m_torrentOrder))
        uploaded += session->uploaded();
    if (const qint64 rate = link() ? link()->uploadRate() : 0; rate > 0 && m_lastTickMs >= 0)
        m_uploadTurns.adapt(uploaded - m_lastTickUploaded, rate * (now - m_lastTickMs) / 1000);
    m_lastTickMs = now;
    m_lastTickUploaded = uploaded;
    const QList<PeerConnection*> unattached = m_unattached;
    for (PeerConnection* c : unattached)
        c->tick(now);
    const QList<TorrentSession*> sessions = m_torrentOrder;
    for (TorrentSession* session : sessions)
        session->tick(now);
}

ClientStats Client::stats() const {
    ClientStats s;
    s.torrents = int(m_torrentOrder.size());
    s.connections = m_connectionCount;
    for (const TorrentSession* session : m_torrentOrder) {
        s.downloadRate += session->downloadRate();
        s.uploadRate += session->uploadRate();
        s.downloaded += session->downloaded();
        s.uploaded += session->uploaded();
    }
    return s;
}

ClientSnapshot Client::snapshot(bool withConnections) const {
    ClientSnapshot s;
    s.peerId = m_peerId;
    s.listenAddress = listenAddress();
    s.listenPort = listenPort();
    s.timeMs = nowMs();
    s.connectionCount = m_connectionCount;
    if (m_dht) {
        const DhtNode::Stats dht = m_dht->stats();
        s.dhtPort = m_dht->port();
        s.dhtNodes = dht.routingTableSize;
        s.dhtLookupsDone = dht.lookupsDone;
        s.dhtLookupsInFlight = dht.lookupsInFlight;
        s.dhtPeersFound = dht.peersFound;
    }
    for (const TorrentSession* session : m_torrentOrder) {
        TorrentSnapshot t = session->snapshot(withConnections);
        s.downloadRate += t.downloadRate;
        s.uploadRate += t.uploadRate;
        s.downloaded += t.downloaded;
        s.uploaded += t.uploaded;
        s.torrents.append(std::move(t));
    }
    return s;
}

} // namespace swarmscope
