#pragma once

#include <QString>

namespace swarmscope {

// What a client does with a torrent when it is added. A leecher that finishes keeps seeding; its role stays
// Leecher (the state says Seeding).
enum class TorrentRole {
    Seeder,  // the data exists in the download directory; it is opened read-only and served
    Leecher, // the data is downloaded into the download directory; what is there already is kept if valid
};

// Where a torrent is in its life.
enum class TorrentState {
    Checking,    // verifying data already on disk; no connections yet
    Downloading, // missing pieces, connected to the swarm
    Seeding,     // every piece verified
    Paused,      // connections kept, everyone choked, nothing requested
    Stopping,    // announcing "stopped"
    Stopped,
    Error, // storage failed; see TorrentSnapshot::error
};

inline QString torrentRoleName(TorrentRole role) {
    return role == TorrentRole::Seeder ? QStringLiteral("seeder") : QStringLiteral("leecher");
}

inline QString torrentStateName(TorrentState state) {
    switch (state) {
    case TorrentState::Checking:
        return QStringLiteral("checking");
    case TorrentState::Downloading:
        return QStringLiteral("downloading");
    case TorrentState::Seeding:
        return QStringLiteral("seeding");
    case TorrentState::Paused:
        return QStringLiteral("paused");
    case TorrentState::Stopping:
        return QStringLiteral("stopping");
    case TorrentState::Stopped:
        return QStringLiteral("stopped");
    case TorrentState::Error:
        return QStringLiteral("error");
    }
    return {};
}

} // namespace swarmscope
