#pragma once

#include "swarm/LabCommand.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace swarmscope {

// One control the lab was given, at the lab time it took effect: what the timeline and the charts mark,
// the event log lists, a recording keeps and a saved scenario replays. The lab logs every command of its
// control API, from the window, a scenario or the command line alike.
struct LabControlChange {
    enum class Kind {
        Command,   // command applied to peer (0: every peer)
        PauseAll,  // the simulated clock stopped (real time: every peer paused)
        ResumeAll, // and started again
        Speed,     // the simulated clock's speed; speed 0: as fast as the CPU allows
        Step,      // a paused simulated clock advanced by stepMs
        Remove,    // the peer left the lab for good
    };

    Kind kind = Kind::Command;
    qint64 timeMs = 0; // lab time
    int peer = 0;      // 0: every peer of the lab
    LabCommand command;
    double speed = 1.0; // Speed
    qint64 stepMs = 0;  // Step

    static LabControlChange of(Kind kind) {
        LabControlChange change;
        change.kind = kind;
        return change;
    }

    // A few words for a marker and the event log: "latency 200 ms", "pause", "picker random".
    QString label() const;
    // Who it applies to: "every peer" or "#7".
    QString target() const;
    // Whether it changes what peers do (the timeline marks those; the clock's own changes are not marked
    // on the charts, whose axis is lab time).
    bool changesPeers() const { return kind == Kind::Command || kind == Kind::Remove; }

    friend bool operator==(const LabControlChange&, const LabControlChange&) = default;
};

using LabControlLog = QList<LabControlChange>;

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::LabControlChange)
