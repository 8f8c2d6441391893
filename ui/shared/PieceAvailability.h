#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QList>

namespace swarmscope::ui {

// How many pieces of torrent each number of its lab peers has: element k counts the pieces exactly k peers
// hold, for k = 0 .. the torrent's peer count. Empty when the torrent has no peers.
QList<int> availabilityHistogram(const SwarmSnapshot& snapshot, int torrent);

} // namespace swarmscope::ui
