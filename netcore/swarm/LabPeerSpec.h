#pragma once

#include "metainfo/Metainfo.h"
#include "peer/PickerStrategy.h"
#include "peer/SeedingPolicy.h"
#include "peer/TorrentRole.h"
#include "swarm/PeerConditions.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace swarmscope {

class PieceStore;

// Everything a worker needs to run one lab peer: who it is, what it shares, and how it starts. The lab
// fills one in its own thread and hands a copy to the worker (a Metainfo copy shares its bytes).
struct LabPeerSpec {
    int id = 0;
    int torrent = 0;
    TorrentRole role = TorrentRole::Leecher;
    Metainfo metainfo;
    QString dataDir; // a seeder's source directory, a leecher's <labdir>/peer-<id>
    // Simulated time: where the peer's pieces live (kept across restarts); null: files in dataDir.
    std::shared_ptr<PieceStore> store;
    bool trustData = false; // a seeder's data was hashed just now: skip checking it
    PeerConditions conditions;
    PickerStrategy strategy = PickerStrategy::RarestFirst;
    bool chokerEnabled = true;
    SeedingPolicy seedingPolicy = SeedingPolicy::FewestPiecesFirst;
    bool paused = false;
    bool freeRider = false;     // downloads, uploads nothing
    bool corrupt = false;       // sends damaged blocks
    bool leaveWhenDone = false; // a leecher that leaves gracefully the moment it has every piece
    int pipelineDepth = 0;      // PeerLimits::fixedPipelineDepth; 0: automatic
    qint64 startAtMs = 0;       // lab time at which it joins (0 or past: at once)
    qint64 addedAtMs = 0;       // lab time
    QByteArray peerId;
    quint32 seed = 0;
};

} // namespace swarmscope
