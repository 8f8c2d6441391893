#pragma once

#include "sim/Clock.h"

#include <QtGlobal>

namespace swarmscope {

// The steady clock every link of a lab reads, with the lab's start as its zero for lab times. One clock
// for all clients means their event times, completion times and the lab's own times are comparable.
// Thread-safe: it only reads the steady clock.
class LabClock final : public Clock {
public:
    LabClock();

    SimTime now() const override;
    // Milliseconds since the lab started.
    qint64 labMs() const { return (now() - m_start).count() / 1000; }
    // A time read from a client (Client::nowMs(), PeerEvent::timeMs: this clock in ms) as lab time.
    qint64 toLabMs(qint64 clientMs) const { return clientMs - m_start.count() / 1000; }

private:
    SimTime m_start;
};

} // namespace swarmscope
