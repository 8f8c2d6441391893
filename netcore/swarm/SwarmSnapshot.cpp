#include "swarm/SwarmSnapshot.h"

#include <algorithm>

namespace swarmscope {

QString labPeerStateName(LabPeerState state) {
    switch (state) {
    case LabPeerState::Starting:
        return QStringLiteral("starting");
    case LabPeerState::Checking:
        return QStringLiteral("checking");
    case LabPeerState::Downloading:
        return QStringLiteral("downloading");
    case LabPeerState::Seeding:
        return QStringLiteral("seeding");
    case LabPeerState::Paused:
        return QStringLiteral("paused");
    case LabPeerState::Stopping:
        return QStringLiteral("stopping");
    case LabPeerState::Stopped:
        return QStringLiteral("stopped");
    case LabPeerState::Error:
        return QStringLiteral("error");
    }
    return {};
}

const LabPeerSnapshot* SwarmSnapshot::peer(int id) const {
    const auto it = std::lower_bound(peers.cbegin(), peers.cend(), id,
                                     [](const LabPeerSnapshot& p, int value) { return p.id < value; });
    return it != peers.cend() && it->id == id ? &*it : nullptr;
}

const LabTorrentSnapshot* SwarmSnapshot::torrent(int id) const {
    for (const LabTorrentSnapshot& t : torrents)
        if (t.id == id)
            return &t;
    return nullptr;
}

} // namespace swarmscope
