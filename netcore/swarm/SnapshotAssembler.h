#pragma once

#include "swarm/SwarmSnapshot.h"
#include "swarm/WorkerReport.h"

#include <QList>

#include <functional>

namespace swarmscope {

// Puts the workers' reports together into one SwarmSnapshot, in the lab's thread, without ever waiting on
// a worker. Each round asks every worker that is not still busy with an earlier request; a snapshot is
// published as soon as every asked worker has answered, and a worker that is late by a whole round does
// not hold the others back: the next tick publishes with its previous report.
class SnapshotAssembler {
public:
    explicit SnapshotAssembler(int workers = 0);

    void reset(int workers);
    // The workers to ask now (each is marked as asked until its report arrives).
    QList<int> startRound();
    // True when some asked worker has not answered yet.
    bool isWaiting() const { return m_outstanding > 0; }
    // Reports arrived since the last assemble().
    bool hasNews() const { return m_news; }
    // Keeps the report as its worker's latest; true when no asked worker is left to wait for.
    bool add(WorkerReport report);

    // The snapshot from every worker's latest report. torrents gives each torrent's identity; their peer
    // counts are filled in here. keepPeer drops peers the lab has removed since their worker reported.
    // The events and the dropped count since the last call are moved out to *events and *dropped.
    SwarmSnapshotPtr assemble(quint64 sequence, qint64 timeMs, QList<LabTorrentSnapshot> torrents,
                              const std::function<bool(int)>& keepPeer, QList<SwarmEvent>* events,
                              int* dropped);

private:
    QList<WorkerReport> m_latest;
    QList<bool> m_asked;
    int m_outstanding = 0;
    bool m_news = false;
    QList<SwarmEvent> m_events;
    int m_dropped = 0;
};

} // namespace swarmscope
