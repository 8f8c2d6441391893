#pragma once

#include "peer/PickerStrategy.h"
#include "peer/SeedingPolicy.h"

#include <QtGlobal>

#include <optional>

namespace swarmscope {

// One thing the lab does to a peer: what a scenario's timed actions, the GUI and the command line ask for.
struct LabCommand {
    enum class Kind {
        Pause,
        Resume,
        Kill,    // abrupt: no "stopped" announce, data kept
        Restart, // after a kill or a leave too
        Leave,   // graceful: announces "stopped", stays restartable
        SetLink, // the fields of link that are set
        SetPicker,
        SetChoker,
        SetFreeRider,
        SetCorrupt,
    };
    struct LinkChange {
        std::optional<qint64> latencyMs;
        std::optional<qint64> jitterMs;
        std::optional<qint64> uploadRate;
        std::optional<qint64> downloadRate;

        bool isEmpty() const { return !latencyMs && !jitterMs && !uploadRate && !downloadRate; }
        friend bool operator==(const LinkChange&, const LinkChange&) = default;
    };

    Kind kind = Kind::Pause;
    LinkChange link;                                     // SetLink
    PickerStrategy picker = PickerStrategy::RarestFirst; // SetPicker
    bool enabled = true;                                 // SetChoker, SetFreeRider, SetCorrupt

    friend bool operator==(const LabCommand&, const LabCommand&) = default;
};

// How a peer starts, besides its link.
struct LabPeerOptions {
    PickerStrategy picker = PickerStrategy::RarestFirst;
    bool choker = true;
    SeedingPolicy seeding = SeedingPolicy::FewestPiecesFirst;
    bool freeRider = false;
    bool corrupt = false;
    bool leaveWhenDone = false; // a leecher leaves gracefully once it has every piece
    int pipelineDepth = 0;      // requests outstanding to each peer; 0: sized by rate and round trip
    qint64 joinAtMs = 0;        // lab time it joins at; 0 or past: at once
};

} // namespace swarmscope
