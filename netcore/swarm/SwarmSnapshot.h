#pragma once

#include "peer/ClientSnapshot.h"
#include "peer/PickerStrategy.h"
#include "peer/TorrentRole.h"
#include "swarm/PeerConditions.h"
#include "wire/Bitfield.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QString>

#include <memory>

namespace swarmscope {

// Where one lab peer is in its life. Its torrent's TorrentState, plus the lab's own states around it.
enum class LabPeerState {
    Starting,    // added; its client is not up yet (the tracker is starting, or the worker has not run it)
    Checking,    // verifying data already on disk
    Downloading, // missing pieces, in the swarm
    Seeding,     // every piece verified (a finished leecher keeps seeding)
    Paused,      // connections kept, everyone choked, nothing requested
    Stopping,    // announcing "stopped" before it is removed or the lab shuts down
    Stopped,     // killed: its client is gone, its data stays; restartPeer() brings it back
    Error,       // it failed to start or its storage failed; see LabPeerSnapshot::error
};

QString labPeerStateName(LabPeerState state);

// One connection of one lab peer, as the swarm graph and the peer inspector show it.
struct LabConnectionSnapshot {
    int remotePeer = -1;     // the lab id of the other end, or -1 when it is not one of the lab's peers
    ConnectionSnapshot info; // flags, rates, requests, RTT, the remote's pieces (shared, not copied)
};

// One lab peer at one instant. Values only; safe to keep after the snapshot is gone.
struct LabPeerSnapshot {
    int id = 0;      // the lab's peer id: 1, 2, ... never reused
    int torrent = 0; // the lab's torrent id
    TorrentRole role = TorrentRole::Leecher;
    LabPeerState state = LabPeerState::Starting;
    QString error; // set in LabPeerState::Error

    QByteArray peerId;    // 20 raw bytes, what it sends in its handshake
    QHostAddress address; // where it listens: 127.0.0.1 in real time, its host on the simulated network
    quint16 port = 0;     // its listen port; 0 while not listening
    QString dataDir;      // the directory that contains the torrent's data (a leecher's <labdir>/peer-<id>)

    int pieceCount = 0;
    Bitfield have;     // verified pieces (implicitly shared with the engine: no bytes copied)
    Bitfield inFlight; // pieces with a block requested and not yet arrived
    bool endgame = false;

    qint64 downloadRate = 0; // payload bytes per second
    qint64 uploadRate = 0;
    // Payload bytes since its client (re)started. Uploaded counts bytes as they crossed its link, downloaded
    // the blocks it used; wasted the blocks it received and could not use. Across a closed swarm
    // sum(uploaded) = sum(downloaded) + sum(wasted), up to the bytes still on their way.
    qint64 downloaded = 0;
    qint64 uploaded = 0;
    qint64 wasted = 0;
    qint64 failed = 0; // bytes of pieces that failed their hash check (part of downloaded)
    int hashFailures = 0;
    int bannedPeers = 0;
    // BEP 11: peers first learned from ut_pex messages, and the messages sent and accepted since it started.
    int peersFromPex = 0;
    int pexSent = 0;
    int pexReceived = 0;

    PeerConditions conditions; // what its link applies now
    PickerStrategy strategy = PickerStrategy::RarestFirst;
    bool chokerEnabled = true;

    qint64 addedAtMs = 0;      // lab time (ms since the lab started) when it was added
    qint64 completedAtMs = -1; // lab time when a leecher first had every piece; -1 until then
    int restarts = 0;
    bool freeRider = false; // uploads nothing
    bool corrupt = false;   // sends damaged blocks
    bool left = false;      // left the swarm gracefully (Stopped, restartable), rather than killed

    int connectionCount = 0; // every connection, handshaking ones included
    // Its DHT node, in a trackerless lab: nodes in its routing table, lookups finished, peers they found.
    int dhtNodes = 0;
    int dhtLookupsDone = 0;
    qint64 dhtPeersFound = 0;
    QList<LabConnectionSnapshot> connections; // empty when the lab takes snapshots without connections

    bool isComplete() const { return pieceCount > 0 && have.size() == pieceCount && have.all(); }
    double progress() const { return pieceCount > 0 ? double(have.count()) / pieceCount : 0.0; }
    // Seconds from being added to completing; negative while incomplete.
    double completionSeconds() const {
        return completedAtMs < 0 ? -1.0 : (completedAtMs - addedAtMs) / 1000.0;
    }
};

// One torrent of the lab with a count of its peers.
struct LabTorrentSnapshot {
    int id = 0;
    QByteArray infoHash; // 20 raw bytes
    QString name;
    qint64 totalSize = 0;
    qint64 pieceLength = 0;
    int pieceCount = 0;
    int seeders = 0;           // peers added as seeders
    int leechers = 0;          // peers added as leechers
    int completedLeechers = 0; // leechers that have every piece
};

// The whole lab at one instant: what the GUI draws and the command line reports. Immutable once
// published; handed around as SwarmSnapshotPtr, so a receiver that keeps it costs one reference count.
struct SwarmSnapshot {
    quint64 sequence = 0; // 1, 2, ... in the order published
    qint64 timeMs = 0;    // lab time when it was assembled
    QList<LabTorrentSnapshot> torrents;
    QList<LabPeerSnapshot> peers; // ascending id; removed peers are gone, killed ones stay (Stopped)
    qint64 downloadRate = 0;      // sums over every peer
    qint64 uploadRate = 0;

    // The peer with this id, or null. O(log peers).
    const LabPeerSnapshot* peer(int id) const;
    const LabTorrentSnapshot* torrent(int id) const;
};

using SwarmSnapshotPtr = std::shared_ptr<const SwarmSnapshot>;

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::SwarmSnapshotPtr)
