#include "swarm/SnapshotAssembler.h"

#include <algorithm>
#include <utility>

namespace swarmscope {

SnapshotAssembler::SnapshotAssembler(int workers) {
    reset(workers);
}

void SnapshotAssembler::reset(int workers) {
    m_latest = QList<WorkerReport>(qMax(0, workers));
    m_asked = QList<bool>(qMax(0, workers), false);
    m_outstanding = 0;
    m_news = false;
    m_events.clear();
    m_dropped = 0;
}

QList<int> SnapshotAssembler::startRound() {
    QList<int> ask;
    for (int i = 0; i < m_asked.size(); ++i) {
        if (!m_asked[i]) {
            m_asked[i] = true;
            ++m_outstanding;
            ask.append(i);
        }
    }
    return ask;
}

bool SnapshotAssembler::add(WorkerReport report) {
    const int worker = report.worker;
    if (worker < 0 || worker >= m_latest.size())
        return false;
    if (m_asked[worker]) {
        m_asked[worker] = false;
        --m_outstanding;
    }
    if (m_events.isEmpty())
        m_events = std::move(report.events);
    else
        m_events.append(report.events);
    m_dropped += report.droppedEvents;
    report.events.clear();
    m_latest[worker] = std::move(report);
    m_news = true;
    return m_outstanding == 0;
}

SwarmSnapshotPtr SnapshotAssembler::assemble(quint64 sequence, qint64 timeMs,
                                             QList<LabTorrentSnapshot> torrents,
                                             const std::function<bool(int)>& keepPeer,
                                             QList<SwarmEvent>* events, int* dropped) {
    auto snapshot = std::make_shared<SwarmSnapshot>();
    snapshot->sequence = sequence;
    snapshot->timeMs = timeMs;

    qsizetype total = 0;
    for (const WorkerReport& report : std::as_const(m_latest))
        total += report.peers.size();
    snapshot->peers.reserve(total);
    for (const WorkerReport& report : std::as_const(m_latest))
        for (const LabPeerSnapshot& peer : report.peers)
            if (!keepPeer || keepPeer(peer.id))
                snapshot->peers.append(peer); // shares its bitfields and connection list
    // Each worker's part is sorted already; only the interleaving is left.
    std::sort(snapshot->peers.begin(), snapshot->peers.end(),
              [](const LabPeerSnapshot& a, const LabPeerSnapshot& b) { return a.id < b.id; });

    for (const LabPeerSnapshot& peer : std::as_const(snapshot->peers)) {
        snapshot->downloadRate += peer.downloadRate;
        snapshot->uploadRate += peer.uploadRate;
        for (LabTorrentSnapshot& torrent : torrents) {
            if (torrent.id != peer.torrent)
                continue;
            if (peer.role == TorrentRole::Seeder) {
                ++torrent.seeders;
            } else {
                ++torrent.leechers;
                if (peer.isComplete())
                    ++torrent.completedLeechers;
            }
            break;
        }
    }
    snapshot->torrents = std::move(torrents);

    if (events)
        *events = std::exchange(m_events, {});
    else
        m_events.clear();
    if (dropped)
        *dropped = std::exchange(m_dropped, 0);
    else
        m_dropped = 0;
    m_news = false;
    return snapshot;
}

} // namespace swarmscope
