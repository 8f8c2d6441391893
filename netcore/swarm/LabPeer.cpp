#include "swarm/LabPeer.h"

#include "peer/Client.h"
#include "peer/TorrentSession.h"
#include "swarm/LabPeerIdentity.h"
#include "swarm/WorkerEnvironment.h"
#include "transport/Network.h"

#include <chrono>

namespace swarmscope {

namespace {

SimTime milliseconds(qint64 ms) {
    return fromMs(qMax<qint64>(0, ms));
}

LabPeerState labState(TorrentState state) {
    switch (state) {
    case TorrentState::Checking:
        return LabPeerState::Checking;
    case TorrentState::Downloading:
        return LabPeerState::Downloading;
    case TorrentState::Seeding:
        return LabPeerState::Seeding;
    case TorrentState::Paused:
        return LabPeerState::Paused;
    case TorrentState::Stopping:
        return LabPeerState::Stopping;
    case TorrentState::Stopped:
        return LabPeerState::Stopped;
    case TorrentState::Error:
        return LabPeerState::Error;
    }
    return LabPeerState::Error;
}

} // namespace

LabPeer::LabPeer(const LabPeerSpec& spec, const Environment& environment, QObject* parent)
    : QObject(parent), m_spec(spec), m_env(environment),
      m_link(environment.worker->scheduler(), quint64(spec.seed) + 1),
      m_node(environment.worker->nodeFor(spec.id, m_link)) {
    m_link.setObjectName(QStringLiteral("link-%1").arg(spec.id));
    setConditions(spec.conditions);
}

LabPeer::~LabPeer() {
    // The client goes first: its sockets read the link until they are destroyed.
    m_client.reset();
}

void LabPeer::start(const QString& announceUrl) {
    if (m_started)
        return;
    m_started = true;
    m_announceUrl = announceUrl;
    QString error;
    if (!launch(0, &error))
        fail(error);
}

bool LabPeer::launch(quint16 port, QString* error) {
    ClientConfig config = m_env.clientTemplate;
    config.listenAddress = m_env.worker->listenAddress();
    config.listenPort = port;
    config.peerId = m_spec.peerId;
    config.network = m_node.get();
    config.hashPool = m_env.hashPool;
    config.inlineHashing = m_env.hashPool == nullptr;
    config.seed = m_spec.seed;
    if (m_env.dhtDirectory) {
        config.dht = true;
        config.dhtPort = 0;
        config.dhtBootstrap = m_env.dhtDirectory->bootstrap();
    }
    if (m_spec.pipelineDepth > 0)
        config.limits.fixedPipelineDepth = qMin(m_spec.pipelineDepth, config.limits.maxPipelineDepth);

    auto client = std::make_unique<Client>(config);
    if (!client->listen()) {
        if (port == 0) {
            *error = QStringLiteral("cannot listen: %1").arg(client->errorString());
            return false;
        }
        // The old port was taken in the meantime; any port will do, the tracker tells the others.
        client.reset();
        return launch(0, error);
    }

    connect(client.get(), &Client::torrentCompleted, this, [this](const QByteArray&) { markCompleted(); });
    connect(client.get(), &Client::torrentStateChanged, this, [this](const QByteArray&, TorrentState state) {
        if (state == TorrentState::Error && m_session)
            fail(m_session->errorString());
        // A restarted leecher whose data was all there completes without downloading a piece.
        if (state == TorrentState::Seeding)
            markCompleted();
    });
    connect(client.get(), &Client::stopped, this, [this] {
        if (m_leaving) {
            // Gone from the swarm the polite way; the peer stays, restartable, with what it had.
            m_leaving = false;
            m_left = true;
            m_env.worker->scheduler().post(this, [this] { kill(); });
            return;
        }
        if (m_stopping && !m_stopped) {
            m_stopped = true;
            m_env.observer->labPeerStopped(*this);
        }
    });

    AddTorrentParams params;
    params.metainfo = m_spec.metainfo;
    params.role = m_spec.role;
    params.downloadDir = m_spec.dataDir;
    params.store = m_spec.store;
    params.trustData = m_spec.role == TorrentRole::Seeder && m_spec.trustData;
    params.trackers = {m_announceUrl};
    params.noTrackers = m_env.dhtDirectory != nullptr;
    params.strategy = m_spec.strategy;
    params.chokerEnabled = m_spec.chokerEnabled;
    params.seedingPolicy = m_spec.seedingPolicy;
    params.startPaused = m_spec.paused;
    params.freeRider = m_spec.freeRider;
    params.corrupt = m_spec.corrupt;

    m_client = std::move(client);
    m_port = m_client->listenPort();
    if (m_env.dhtDirectory && m_client->dhtPort() != 0)
        m_env.dhtDirectory->add(DhtEndpoint{m_client->listenAddress(), m_client->dhtPort()});
    connectEvents();
    m_error.clear();
    QString addError;
    m_session = m_client->addTorrent(params, &addError);
    if (!m_session) {
        *error = addError.isEmpty() ? QStringLiteral("cannot add the torrent") : addError;
        m_client.reset();
        return false;
    }
    return true;
}

void LabPeer::setEventsWanted(bool wanted) {
    m_env.wantEvents = wanted;
    connectEvents();
}

void LabPeer::connectEvents() {
    disconnect(m_eventConnection);
    m_eventConnection = {};
    if (m_client && m_env.wantEvents)
        m_eventConnection = connect(m_client.get(), &Client::peerEvent, this, [this](const PeerEvent& event) {
            m_env.observer->labPeerEvent(*this, event);
        });
}

void LabPeer::fail(const QString& error) {
    const QString message = error.isEmpty() ? QStringLiteral("failed") : error;
    if (message == m_error)
        return;
    m_error = message;
    m_env.observer->labPeerFailed(*this, m_error);
}

void LabPeer::markCompleted() {
    if (m_spec.role != TorrentRole::Leecher || m_completedAtMs >= 0)
        return;
    m_completedAtMs = m_env.worker->labMs();
    m_env.observer->labPeerCompleted(*this, m_completedAtMs);
    if (m_spec.leaveWhenDone) {
        leave();
        m_env.observer->labPeerLeaving(*this);
    }
}

void LabPeer::kill() {
    if (!m_client)
        return;
    const ClientSnapshot last = m_client->snapshot(false);
    m_hasLast = !last.torrents.isEmpty();
    if (m_hasLast)
        m_last = last.torrents.first();
    m_session = nullptr;
    // Destroying a client without stop() aborts its sockets and skips the "stopped" announce: to the
    // other peers and the tracker it simply vanished.
    m_client.reset();
}

void LabPeer::leave() {
    if (m_stopping || m_leaving || !m_client)
        return;
    m_leaving = true;
    m_client->stop();
}

void LabPeer::setFreeRider(bool freeRider) {
    m_spec.freeRider = freeRider;
    if (m_session)
        m_session->setFreeRider(freeRider);
}

void LabPeer::setCorrupt(bool corrupt) {
    m_spec.corrupt = corrupt;
    if (m_session)
        m_session->setCorrupt(corrupt);
}

void LabPeer::restart() {
    if (m_stopping)
        return;
    m_leaving = false;
    m_left = false;
    kill();
    if (!m_started) {
        start(m_announceUrl);
        return;
    }
    ++m_restarts;
    m_error.clear();
    QString error;
    if (!launch(m_port, &error))
        fail(error);
}

void LabPeer::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    if (!m_client) {
        m_stopped = true;
        m_env.observer->labPeerStopped(*this);
        return;
    }
    m_client->stop();
}

void LabPeer::pause() {
    m_spec.paused = true;
    if (m_session)
        m_session->pause();
}

void LabPeer::resume() {
    m_spec.paused = false;
    if (m_session)
        m_session->resume();
}

void LabPeer::setConditions(const PeerConditions& conditions) {
    setLatency(conditions.latencyMs, conditions.jitterMs);
    setUploadRate(conditions.uploadRate);
    setDownloadRate(conditions.downloadRate);
}

void LabPeer::setLatency(qint64 latencyMs, qint64 jitterMs) {
    m_spec.conditions.latencyMs = qMax<qint64>(0, latencyMs);
    m_spec.conditions.jitterMs = qMax<qint64>(0, jitterMs);
    m_link.setLatency(milliseconds(latencyMs), milliseconds(jitterMs));
}

void LabPeer::setUploadRate(qint64 bytesPerSecond) {
    m_spec.conditions.uploadRate = qMax<qint64>(0, bytesPerSecond);
    m_link.setUploadRate(m_spec.conditions.uploadRate);
}

void LabPeer::setDownloadRate(qint64 bytesPerSecond) {
    m_spec.conditions.downloadRate = qMax<qint64>(0, bytesPerSecond);
    m_link.setDownloadRate(m_spec.conditions.downloadRate);
}

void LabPeer::setPickerStrategy(PickerStrategy strategy) {
    m_spec.strategy = strategy;
    if (m_session)
        m_session->setPickerStrategy(strategy);
}

void LabPeer::setChokerEnabled(bool enabled) {
    m_spec.chokerEnabled = enabled;
    if (m_session)
        m_session->setChokerEnabled(enabled);
}

void LabPeer::fillFromTorrent(LabPeerSnapshot& peer, const TorrentSnapshot& t) const {
    peer.pieceCount = t.pieceCount;
    peer.have = t.have;
    peer.inFlight = t.inFlight;
    peer.endgame = t.endgame;
    peer.downloaded = t.downloaded;
    peer.uploaded = t.uploaded;
    peer.wasted = t.wasted;
    peer.failed = t.failed;
    peer.hashFailures = t.hashFailures;
    peer.bannedPeers = t.bannedPeers;
    peer.peersFromPex = t.peersFromPex;
    peer.pexSent = t.pexSent;
    peer.pexReceived = t.pexReceived;
    peer.strategy = t.strategy;
    peer.chokerEnabled = t.chokerEnabled;
}

LabPeerSnapshot LabPeer::snapshot(bool withConnections, const LabPeerIdentity& identity) {
    LabPeerSnapshot peer;
    peer.id = m_spec.id;
    peer.torrent = m_spec.torrent;
    peer.role = m_spec.role;
    peer.peerId = m_spec.peerId;
    peer.dataDir = m_spec.dataDir;
    peer.pieceCount = m_spec.metainfo.pieceCount();
    peer.strategy = m_spec.strategy;
    peer.chokerEnabled = m_spec.chokerEnabled;
    peer.addedAtMs = m_spec.addedAtMs;
    peer.restarts = m_restarts;
    peer.freeRider = m_spec.freeRider;
    peer.corrupt = m_spec.corrupt;
    peer.left = m_left || m_leaving;
    // What the link applies, read back, so the snapshot shows the truth rather than what was asked.
    peer.conditions.latencyMs = toMs(m_link.latency());
    peer.conditions.jitterMs = toMs(m_link.jitter());
    peer.conditions.uploadRate = m_link.uploadRate();
    peer.conditions.downloadRate = m_link.downloadRate();

    if (m_client) {
        const ClientSnapshot client = m_client->snapshot(withConnections);
        peer.address = client.listenAddress;
        peer.port = client.listenPort;
        peer.connectionCount = client.connectionCount;
        peer.dhtNodes = client.dhtNodes;
        peer.dhtLookupsDone = client.dhtLookupsDone;
        peer.dhtPeersFound = client.dhtPeersFound;
        if (!client.torrents.isEmpty()) {
            const TorrentSnapshot& t = client.torrents.first();
            fillFromTorrent(peer, t);
            peer.downloadRate = t.downloadRate;
            peer.uploadRate = t.uploadRate;
            peer.state = labState(t.state);
            peer.error = t.error;
            if (withConnections) {
                peer.connections.reserve(t.connections.size());
                for (const ConnectionSnapshot& c : t.connections)
                    peer.connections.append(LabConnectionSnapshot{identity.labPeerOf(c.peerId), c});
            }
        }
        if (m_stopping)
            peer.state = LabPeerState::Stopping;
    } else {
        if (m_hasLast)
            fillFromTorrent(peer, m_last);
        peer.state = m_started ? LabPeerState::Stopped : LabPeerState::Starting;
    }
    if (!m_error.isEmpty()) {
        peer.state = LabPeerState::Error;
        peer.error = m_error;
    }
    if (peer.have.isEmpty() && peer.pieceCount > 0)
        peer.have = Bitfield(peer.pieceCount);
    peer.completedAtMs = m_completedAtMs;
    return peer;
}

} // namespace swarmscope
