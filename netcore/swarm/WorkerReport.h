#pragma once

#include "swarm/SwarmEvent.h"
#include "swarm/SwarmSnapshot.h"

#include <QList>
#include <QMetaType>

namespace swarmscope {

// One worker's part of a snapshot: its peers now, and the events since its previous report.
struct WorkerReport {
    int worker = 0;
    QList<LabPeerSnapshot> peers; // ascending id
    QList<SwarmEvent> events;
    int droppedEvents = 0; // events over the per-report cap, counted and not kept
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::WorkerReport)
