#include "swarm/SwarmWorker.h"

#include "swarm/LabClock.h"
#include "swarm/LabPeerIdentity.h"

#include <QDir>

#include <utility>

namespace swarmscope {

SwarmWorker::SwarmWorker(const Settings& settings) : m_settings(settings) {}

SwarmWorker::~SwarmWorker() {
    // Peers are children, but delete them here while this object is still a SwarmWorker: their clients
    // call back into it as they go.
    const QList<LabPeer*> peers = m_peers.values() + m_leaving.values();
    m_peers.clear();
    m_leaving.clear();
    qDeleteAll(peers);
}

void SwarmWorker::setAnnounceUrl(const QString& url) {
    m_announceUrl = url;
    for (LabPeer* peer : std::as_const(m_peers))
        peer->start(url);
}

void SwarmWorker::addPeer(const LabPeerSpec& spec) {
    if (m_peers.contains(spec.id) || m_shuttingDown)
        return;
    LabPeer::Environment environment;
    environment.clock = m_settings.clock;
    environment.hashPool = m_settings.hashPool;
    environment.clientTemplate = m_settings.clientTemplate;
    environment.observer = this;
    environment.wantEvents = m_eventMask != 0;
    auto* peer = new LabPeer(spec, environment, this);
    m_peers.insert(spec.id, peer);
    if (!m_announceUrl.isEmpty())
        peer->start(m_announceUrl);
}

void SwarmWorker::applyToPeers(int id, const std::function<void(LabPeer&)>& f) {
    if (id == kAllPeers) {
        for (LabPeer* peer : std::as_const(m_peers))
            f(*peer);
        return;
    }
    if (LabPeer* peer = m_peers.value(id))
        f(*peer);
}

void SwarmWorker::removePeer(int id, bool deleteData) {
    LabPeer* peer = m_peers.take(id);
    if (!peer)
        return;
    m_leaving.insert(id, peer);
    if (deleteData)
        m_deleteData.insert(id);
    peer->stop();
}

void SwarmWorker::setEventMask(quint32 mask) {
    m_eventMask = mask;
    for (LabPeer* peer : std::as_const(m_peers))
        peer->setEventsWanted(mask != 0);
}

void SwarmWorker::collect() {
    WorkerReport report;
    report.worker = m_settings.index;
    report.peers.reserve(m_peers.size() + m_leaving.size());
    for (LabPeer* peer : std::as_const(m_peers))
        report.peers.append(peer->snapshot(m_settings.withConnections, *m_settings.identity));
    report.events = std::exchange(m_events, {});
    report.droppedEvents = std::exchange(m_droppedEvents, 0);
    emit reported(report);
}

void SwarmWorker::shutdown() {
    m_shuttingDown = true;
    const QList<LabPeer*> peers = m_peers.values();
    for (LabPeer* peer : peers)
        peer->stop();
    checkShutDown();
}

void SwarmWorker::labPeerEvent(const LabPeer& peer, const PeerEvent& event) {
    if (!(m_eventMask & (1u << unsigned(event.kind))))
        return;
    if (m_events.size() >= m_settings.maxEventsPerReport) {
        ++m_droppedEvents;
        return;
    }
    SwarmEvent e;
    e.peer = peer.id();
    e.torrent = peer.torrent();
    e.remotePeer = event.peerId.isEmpty() ? -1 : m_settings.identity->labPeerOf(event.peerId);
    e.timeMs = m_settings.clock->labMs();
    e.event = event;
    m_events.append(std::move(e));
}

void SwarmWorker::labPeerCompleted(const LabPeer& peer, qint64 labMs) {
    emit peerCompleted(peer.id(), labMs);
}

void SwarmWorker::labPeerFailed(const LabPeer& peer, const QString& error) {
    emit peerFailed(peer.id(), error);
}

void SwarmWorker::labPeerStopped(LabPeer& peer) {
    const int id = peer.id();
    if (m_leaving.remove(id)) {
        const QString dir = peer.spec().dataDir;
        const bool deleteData = m_deleteData.remove(id) && peer.role() == TorrentRole::Leecher;
        // Called from the peer's client: delete it once that call has returned.
        peer.deleteLater();
        if (deleteData) {
            // The client still has the files open until the deferred delete runs; removing the names now is
            // fine on POSIX.
            QDir(dir).removeRecursively();
        }
        emit peerRemoved(id);
    }
    checkShutDown();
}

void SwarmWorker::checkShutDown() {
    if (!m_shuttingDown || m_shutDownReported)
        return;
    if (!m_leaving.isEmpty())
        return;
    for (LabPeer* peer : std::as_const(m_peers))
        if (!peer->hasStopped())
            return;
    m_shutDownReported = true;
    emit shutDown(m_settings.index);
}

} // namespace swarmscope
