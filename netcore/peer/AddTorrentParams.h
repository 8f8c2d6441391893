#pragma once

#include "metainfo/Metainfo.h"
#include "peer/PickerStrategy.h"
#include "peer/SeedingPolicy.h"
#include "peer/TorrentRole.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <utility>

namespace swarmscope {

class PieceStore;

struct AddTorrentParams {
    Metainfo metainfo;
    TorrentRole role = TorrentRole::Leecher;
    // The directory that contains the torrent's top-level file or folder (see TorrentStorage).
    QString downloadDir;
    // Where the pieces live instead of files in downloadDir (a simulated peer's SharedContentStore); null:
    // the torrent's files in downloadDir.
    std::shared_ptr<PieceStore> store;
    // Seeder only: skip verifying the data on add, because it was hashed just now (a fresh create).
    bool trustData = false;
    // Leecher only: a ResumeData file. When it loads, its pieces are trusted and every piece of a file
    // changed since is hashed again; when missing or unreadable, the data on disk is verified. Saved on
    // completion and on stop, also after a full disk stopped the torrent (the pieces verified by then are
    // intact), never after other errors. Empty: always verify what is on disk (nothing to do for a fresh
    // download).
    QString resumeFile;
    // Announce URLs to use instead of the torrent's own, one tier each. Empty: the torrent's trackers. A
    // torrent without any simply gets no tracker; peers can still be given with TorrentSession::addPeer().
    QStringList trackers;
    // Announce to no tracker at all, not even the torrent's own (peers come from the DHT or by hand).
    bool noTrackers = false;
    // Peers to connect to at start, besides what the tracker returns.
    QList<std::pair<QHostAddress, quint16>> peers;
    PickerStrategy strategy = PickerStrategy::RarestFirst;
    bool chokerEnabled = true;
    SeedingPolicy seedingPolicy = SeedingPolicy::FewestPiecesFirst; // whom it uploads to once it seeds
    bool startPaused = false;
    // Downloads but never uploads: every peer stays choked (a free-rider, for the lab's experiments).
    bool freeRider = false;
    // Sends blocks with wrong bytes (a corrupt peer, for the lab's experiments).
    bool corrupt = false;
    // Joins the swarm only to watch it (SwarmObserver): a leecher that is never interested, requests nothing
    // and so downloads nothing, holding no data (give it a NoDataStore as store). Its peers' BITFIELD and
    // HAVE messages still arrive, which is what it watches.
    bool observeOnly = false;
};

} // namespace swarmscope
