#pragma once

#include "swarm/SwarmEvent.h"
#include "swarm/SwarmSnapshot.h"

#include <QList>
#include <QMetaType>

namespace swarmscope {

// One worker's part of a snapshot: its peers now, and the events since its previous report.
struct WorkerReport {
    int worker = 0;
    qint64 timeMs = 0;            // lab time when it was taken (a sample: its point on the sampling grid)
    bool sample = false;          // a sample (sampled()) rather than a live report (reported())
    QList<LabPeerSnapshot> peers; // ascending id
    QList<SwarmEvent> events;
    int droppedEvents = 0; // events over the per-report cap, counted and not kept
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::WorkerReport)
