#include "peer/TorrentSession.h"

#include "peer/Client.h"
#include "peer/PeerConnection.h"
#include "peer/PieceVerifier.h"
#include "peer/SessionDht.h"
#include "peer/SessionTracker.h"
#include "storage/ResumeData.h"
#include "storage/TorrentStorage.h"

#include <QFileInfo>
#include <QRandomGenerator>

namespace swarmscope {

namespace {

quint32 seedFor(const ClientConfig& config, const QByteArray& infoHash, quint32 salt) {
    if (config.seed == 0)
        return QRandomGenerator::system()->generate();
    return config.seed ^ qHash(infoHash) ^ salt;
}

ChokerConfig chokerConfigFor(const AddTorrentParams& params) {
    ChokerConfig config;
    config.seedingPolicy = params.seedingPolicy;
    return config;
}

} // namespace

TorrentSession::TorrentSession(Client* client, const AddTorrentParams& params)
    : QObject(client), m_client(client), m_params(params), m_metainfo(m_params.metainfo),
      m_geometry(TorrentGeometry::fromMetainfo(m_params.metainfo)),
      m_storage(m_params.store ? m_params.store
                               : std::make_shared<TorrentStorage>(m_params.metainfo, m_params.downloadDir,
                                                                  client->fileHandles())),
      m_picker(m_geometry, seedFor(client->config(), m_params.metainfo.infoHash, 1)),
      m_slots(seedFor(client->config(), m_params.metainfo.infoHash, 2), chokerConfigFor(m_params)),
      m_readCache(m_storage, client->config().readCacheBytes), m_hasher(client->config().assemblyBytes),
      m_dialer(client), m_cancelCheck(std::make_shared<std::atomic<bool>>(false)) {
    m_picker.setStrategy(params.strategy);
    m_slots.setEnabled(params.chokerEnabled);
    m_verifier = new PieceVerifier(m_storage, client->hashPool(), client->scheduler(), this);
    connect(m_verifier, &PieceVerifier::checked, this, &TorrentSession::onPieceChecked);
    connect(m_verifier, &PieceVerifier::allChecked, this, &TorrentSession::onChecked);
    connect(m_verifier, &PieceVerifier::idle, this, &TorrentSession::finishStop);
    m_addedAtMs = client->nowMs();
}

TorrentSession::~TorrentSession() {
    m_cancelCheck->store(true);
    // Connections are the client's children; cut them off without calling back into this half-gone session.
    const QList<PeerConnection*> connections = m_connections;
    m_connections.clear();
    for (PeerConnection* c : connections)
        c->close(QStringLiteral("torrent removed"), PeerConnection::CloseMode::Abort);
}

void TorrentSession::setState(TorrentState state) {
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void TorrentSession::fail(const QString& reason) {
    // Once only: a failure stops the torrent, and checks or writes still finishing while it stops may fail
    // the same way; the first reason is the one to report.
    if (m_state == TorrentState::Error || !m_error.isEmpty())
        return;
    m_error = reason;
    const QList<PeerConnection*> connections = m_connections;
    for (PeerConnection* c : connections)
        c->close(QStringLiteral("torrent failed: %1").arg(reason));
    // The swarm should not count on us any more; stop() later finds the tracker told already.
    if (m_tracker)
        m_tracker->stop();
    report(PeerEventKind::Error, nullptr, reason);
    setState(TorrentState::Error);
}

StorageStatus TorrentSession::open() {
    if (!m_storage->layoutStatus().ok())
        return m_storage->layoutStatus();
    if (m_params.role == TorrentRole::Seeder)
        return m_storage->open(PieceStore::OpenMode::ReadOnly);
    // Data already there (a restarted leecher) is checked before it counts; a fresh download skips the
    // check, which would otherwise hash a whole sparse file of zeros.
    m_checking = m_storage->hasExistingData() ||
                 (!m_params.resumeFile.isEmpty() && QFileInfo::exists(m_params.resumeFile));
    return m_storage->open(PieceStore::OpenMode::ReadWrite);
}

void TorrentSession::start() {
    setState(TorrentState::Checking);
    if (m_params.role == TorrentRole::Seeder)
        m_checking = !m_params.trustData;
    if (m_checking) {
        m_verifier->checkAll(m_params.role == TorrentRole::Leecher ? m_params.resumeFile : QString(),
                             m_cancelCheck);
        return;
    }
    QBitArray pieces(m_geometry.pieceCount, m_params.role == TorrentRole::Seeder);
    // Posted, so the caller of addTorrent() sees the Checking state and connects its signals first.
    m_client->scheduler().post(this, [this, pieces] { onChecked(pieces, false); });
}

void TorrentSession::onChecked(const QBitArray& pieces, bool resumed) {
    m_checking = false;
    m_startedFromResumeData = resumed;
    if (m_stopRequested) {
        finishStop();
        return;
    }
    for (int i = 0; i < pieces.size() && i < m_geometry.pieceCount; ++i)
        if (pieces.testBit(i))
            m_picker.pieceVerified(i);
    m_piecesFoundAtStart = m_picker.have().count();
    if (m_params.role == TorrentRole::Seeder && !m_picker.isComplete()) {
        fail(QStringLiteral("the data does not match the torrent: %1 of %2 pieces are wrong or missing (%3)")
                 .arg(m_geometry.pieceCount - m_picker.have().count())
                 .arg(m_geometry.pieceCount)
                 .arg(m_params.downloadDir));
        return;
    }
    startSwarm();
}

void TorrentSession::startSwarm() {
    const TorrentState running = m_picker.isComplete() ? TorrentState::Seeding : TorrentState::Downloading;
    m_stateBeforePause = running;
    setState(m_params.startPaused ? TorrentState::Paused : running);
    if (m_picker.isComplete())
        m_completedAtMs = m_client->nowMs();

    const QList<QStringList> tiers =
        m_params.noTrackers ? QList<QStringList>{} : SessionTracker::tiersFor(m_metainfo, m_params.trackers);
    if (!tiers.isEmpty()) {
        TrackerClientConfig config;
        config.tiers = tiers;
        config.infoHash = m_metainfo.infoHash;
        config.peerId = m_client->peerId();
        config.port = m_client->listenPort();
        config.numwant = m_client->config().numwant;
        config.ip = m_client->config().announceIp;
        config.randomSeed = m_client->config().seed;
        config.network = &m_client->network();
        m_tracker = new SessionTracker(
            config,
            [this] {
                return TrackerTransferStats{m_up.total(), m_down.total(), m_picker.bytesLeft()};
            },
            this);
        connect(m_tracker, &SessionTracker::peersReceived, this, &TorrentSession::onTrackerPeers);
        connect(m_tracker, &SessionTracker::stopped, this, [this] {
            m_trackerStopped = true;
            finishStop();
        });
        m_tracker->start();
    }
    startDht();
    const qint64 now = m_client->nowMs();
    for (const auto& [address, port] : m_params.peers)
        m_dialer.add(address, port, {}, now);
    connectToCandidates(now);
}

void TorrentSession::startDht() {
    if (!m_client->dht() || m_metainfo.isPrivate)
        return;
    m_dhtLookups = std::make_unique<SessionDht>(*m_client->dht(), m_metainfo.infoHash, m_client->listenPort(),
                                                [this](const QList<DhtEndpoint>& peers) {
                                                    const qint64 now = m_client->nowMs();
                                                    for (const DhtEndpoint& peer : peers)
                                                        m_dialer.add(peer.address, peer.port, {}, now,
                                                                     QByteArrayLiteral("dht"));
                                                    connectToCandidates(now);
                                                });
    m_dhtLookups->start();
}

void TorrentSession::onTrackerPeers(const QList<TrackerPeer>& peers) {
    const qint64 now = m_client->nowMs();
    for (const TrackerPeer& peer : peers)
        m_dialer.add(peer.address, peer.port, peer.peerId, now);
    connectToCandidates(now);
}

void TorrentSession::addPeer(const QHostAddress& address, quint16 port) {
    const qint64 now = m_client->nowMs();
    if (m_state == TorrentState::Checking) {
        m_params.peers.append({address, port});
        return;
    }
    m_dialer.add(address, port, {}, now);
    connectToCandidates(now);
}

void TorrentSession::connectToCandidates(qint64 nowMs) {
    if (m_state != TorrentState::Downloading && m_state != TorrentState::Seeding &&
        m_state != TorrentState::Paused)
        return;
    m_connections.append(m_dialer.dial(this, m_connections, nowMs));
}

void TorrentSession::tick(qint64 nowMs) {
    m_down.update(nowMs);
    m_up.update(nowMs);
    m_arrival.update(nowMs);
    const QList<PeerConnection*> connections = m_connections;
    const qint64 uninterestedTimeoutMs = m_client->limits().uninterestedTimeoutMs;
    int room = m_client->config().maxConnections - int(m_connections.size());
    for (PeerConnection* c : connections) {
        c->tick(nowMs);
        if (!c->isActive())
            continue;
        if (room <= 0 && m_state == TorrentState::Downloading &&
            c->uninterestedForMs(nowMs) >= uninterestedTimeoutMs) {
            c->close(QStringLiteral("neither side interested for %1 s, at the connection limit")
                         .arg(uninterestedTimeoutMs / 1000));
            ++room;
            continue;
        }
        // A snubbing peer keeps one request; the rest go back to the pool for other peers.
        if (c->isSnubbed() && c->requestsOut() > 1)
            for (const BlockRequest& r : c->cancelAllRequests())
                m_picker.requestCancelled(c->pickerId(), r.piece, r.offset);
        requestMore(c);
    }
    if (m_state == TorrentState::Downloading || m_state == TorrentState::Seeding) {
        runChoker(nowMs);
        connectToCandidates(nowMs);
    } else if (m_state == TorrentState::Paused) {
        connectToCandidates(nowMs);
    }
}

void TorrentSession::pause() {
    if (m_state != TorrentState::Downloading && m_state != TorrentState::Seeding)
        return;
    m_stateBeforePause = m_state;
    setState(TorrentState::Paused);
    m_slots.chokeAll(
        m_connections, QStringLiteral("paused"),
        [this](PeerConnection* c, bool choked, const QString& reason) { reportChoke(c, choked, reason); });
    const QList<PeerConnection*> connections = m_connections;
    for (PeerConnection* c : connections)
        for (const BlockRequest& r : c->cancelAllRequests())
            m_picker.requestCancelled(c->pickerId(), r.piece, r.offset);
}

void TorrentSession::resume() {
    if (m_state != TorrentState::Paused)
        return;
    setState(m_picker.isComplete() ? TorrentState::Seeding : m_stateBeforePause);
    m_slots.rechokeSoon();
    const qint64 now = m_client->nowMs();
    runChoker(now);
    const QList<PeerConnection*> connections = m_connections;
    for (PeerConnection* c : connections)
        if (c->isActive())
            requestMore(c);
    m_dialer.makeAllDue(now);
    connectToCandidates(now);
}

void TorrentSession::setPickerStrategy(PickerStrategy strategy) {
    m_picker.setStrategy(strategy);
}

void TorrentSession::setChokerEnabled(bool enabled) {
    if (enabled == m_slots.isEnabled())
        return;
    m_slots.setEnabled(enabled);
    runChoker(m_client->nowMs());
}

void TorrentSession::setFreeRider(bool freeRider) {
    if (freeRider == m_params.freeRider)
        return;
    m_params.freeRider = freeRider;
    if (!freeRider)
        m_slots.rechokeSoon();
    runChoker(m_client->nowMs());
}

void TorrentSession::stop() {
    if (m_stopRequested)
        return;
    m_stopRequested = true;
    m_cancelCheck->store(true);
    const bool wasChecking = m_state == TorrentState::Checking;
    setState(TorrentState::Stopping);
    const QList<PeerConnection*> connections = m_connections;
    for (PeerConnection* c : connections)
        c->close(QStringLiteral("torrent stopped"));
    m_dialer.clear();
    m_dhtLookups.reset();
    if (m_tracker && !wasChecking)
        m_tracker->stop();
    else
        m_trackerStopped = true;
    m_client->scheduler().post(this, [this] { finishStop(); });
}

void TorrentSession::finishStop() {
    if (!m_stopRequested || !m_trackerStopped || m_verifier->pending() > 0 ||
        m_state == TorrentState::Stopped)
        return;
    if (m_error.isEmpty() || m_resumeAfterError)
        saveResume();
    setState(TorrentState::Stopped);
    m_hasher.clear();
    m_readCache.clear();
    emit stopped();
}

void TorrentSession::saveResume() {
    if (m_params.role != TorrentRole::Leecher || m_params.resumeFile.isEmpty() || m_checking ||
        !m_storage->files())
        return;
    QBitArray verified(m_geometry.pieceCount);
    m_picker.have().forEachSet([&](int i) { verified.setBit(i); });
    ResumeData::capture(*m_storage->files(), verified).save(m_params.resumeFile);
}

void TorrentSession::report(PeerEventKind kind, const PeerConnection* c, const QString& reason, int piece) {
    if (!m_client->wantsEvents())
        return;
    PeerEvent event;
    event.kind = kind;
    event.timeMs = m_client->nowMs();
    event.infoHash = infoHash();
    event.piece = piece;
    event.reason = reason;
    if (c) {
        event.connectionId = c->id();
        event.address = c->address();
        event.port = c->port();
        event.peerId = c->peerId();
        event.outgoing = c->isOutgoing();
    }
    m_client->report(event);
}

TorrentSnapshot TorrentSession::snapshot(bool withConnections) const {
    TorrentSnapshot s;
    s.infoHash = infoHash();
    s.name = m_metainfo.name;
    s.role = m_params.role;
    s.state = m_state;
    s.error = m_error;
    s.pieceCount = m_geometry.pieceCount;
    s.pieceLength = m_geometry.pieceLength;
    s.totalSize = m_geometry.totalSize;
    s.bytesLeft = m_picker.bytesLeft();
    s.have = m_picker.have();
    s.inFlight = m_picker.inFlightPieces();
    s.endgame = !m_picker.isComplete() && m_picker.isEndgame();
    s.downloadRate = m_arrival.rate();
    s.uploadRate = m_up.rate();
    s.downloaded = m_down.total();
    s.uploaded = m_up.total();
    s.wasted = m_wasted;
    s.failed = m_failed;
    s.received = m_received;
    s.hashFailures = m_hashFailures;
    s.unrequestedBlocks = m_unrequestedBlocks;
    s.bannedPeers = m_dialer.bannedCount();
    s.peersFromPex = m_peersFromPex;
    s.pexSent = m_pexSent;
    s.pexReceived = m_pexReceived;
    s.strategy = m_picker.strategy();
    s.chokerEnabled = m_slots.isEnabled();
    s.freeRider = m_params.freeRider;
    s.corrupt = m_params.corrupt;
    s.addedAtMs = m_addedAtMs;
    s.completedAtMs = m_completedAtMs;
    for (const PeerConnection* c : m_connections) {
        if (!c->isActive())
            continue;
        ++s.connectionCount;
        if (!withConnections)
            continue;
        ConnectionSnapshot cs = c->snapshot();
        cs.optimistic = m_slots.isOptimistic(c->pickerId());
        cs.snubbed = cs.snubbed || m_slots.isSnubbed(c->pickerId());
        s.connections.append(cs);
    }
    return s;
}

} // namespace swarmscope
