#pragma once

#include "peer/PeerEvent.h"

#include <QList>
#include <QMetaType>

namespace swarmscope {

// One client's PeerEvent, tagged with the lab peer it happened in and, when the other end is one of the
// lab's peers, that peer's lab id: what the GUI's event log shows.
struct SwarmEvent {
    int peer = 0;        // the lab peer whose client reported it
    int torrent = 0;     // the lab torrent
    int remotePeer = -1; // the lab id of the connection's other end; -1 when unknown or not ours
    qint64 timeMs = 0;   // lab time (ms since the lab started)
    PeerEvent event;     // kind, reason, piece, connection; event.timeMs is on the client's clock
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::SwarmEvent)
