#pragma once

#include "peer/ClientSnapshot.h"
#include "wire/Bitfield.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <deque>

namespace swarmscope {

// One peer of a swarm that an observer reached, as its BITFIELD and HAVE messages tell.
struct ObservedPeer {
    QHostAddress address;
    quint16 port = 0; // the port the observer reached it on
    QString client;   // its BEP 10 "v", when it sent an extended handshake
    Bitfield pieces;  // what it has (as last seen, when no longer connected)
    bool seed = false;
    bool connected = false; // connected now; false: seen before, and its pieces are as they were then
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;
    // How fast it is downloading, ESTIMATED from its HAVE messages: the pieces it announced in the last
    // SwarmWatch::kEstimateWindowMs, times the piece length, over the time they span. A HAVE says a piece
    // was verified, not when its bytes arrived, so this lags and rounds to whole pieces; it is never the
    // peer's own count. Valid once rateKnown (watched for at least kMinimumWindowMs).
    qint64 estimatedRate = 0;
    bool rateKnown = false;

    int have() const { return pieces.count(); }
};

// What an observer has seen of a swarm at one moment.
struct SwarmObservation {
    QString name;
    QByteArray infoHash; // 20 raw bytes
    int pieceCount = 0;
    qint64 pieceLength = 0;
    qint64 totalSize = 0;
    qint64 timeMs = 0;         // the observer's clock
    QList<ObservedPeer> peers; // connected ones first, then the others; each by address and port
    QList<int> availability;   // per piece: how many connected peers hold it
    int connectedCount = 0;
    int seedCount = 0; // connected seeds
};

// Folds an observing client's snapshots (AddTorrentParams::observeOnly) into the picture of the swarm it
// watches: every peer ever reached, with its pieces and an estimated download rate. Not thread-safe; lives
// where the snapshots are taken.
class SwarmWatch {
public:
    static constexpr qint64 kEstimateWindowMs = 10'000;
    static constexpr qint64 kMinimumWindowMs = 2'000;
    // Peers not connected for this long are forgotten (kept so a reconnecting peer keeps its history).
    static constexpr qint64 kForgetAfterMs = 10 * 60'000;
    static constexpr int kMaxPeers = 2000;

    // One snapshot of the observer's torrent; call about once a second.
    void update(const TorrentSnapshot& torrent, qint64 nowMs);
    SwarmObservation observation() const;

private:
    struct Sample {
        qint64 timeMs;
        int have;
    };
    struct Tracked {
        ObservedPeer peer;
        std::deque<Sample> samples; // this peer's piece count over the last window
        qint64 watchedSinceMs = 0;  // its current connection's first sample
    };
    static QString keyOf(const ConnectionSnapshot& connection);

    SwarmObservation m_base; // the torrent's fields
    QHash<QString, Tracked> m_peers;
};

} // namespace swarmscope
