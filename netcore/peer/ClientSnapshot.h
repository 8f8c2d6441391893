#pragma once

#include "peer/PickerStrategy.h"
#include "peer/TorrentRole.h"
#include "wire/Bitfield.h"
#include "wire/Mse.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QString>

namespace swarmscope {

// Plain values, copied out of a client on its own thread and safe to hand to any other thread. Bitfields
// are implicitly shared, so a snapshot of a torrent costs a few allocations, not a copy of every bitmap.
// Rates are payload bytes per second over the last few seconds; totals are payload bytes (blocks only, not
// protocol overhead).

// One connection of one torrent, as the lab's peer inspector shows it.
struct ConnectionSnapshot {
    quint64 id = 0; // unique within the client, never reused
    QHostAddress address;
    quint16 port = 0;
    QByteArray peerId; // 20 raw bytes
    bool outgoing = false;
    // The four BEP 3 flags: am_choking = we choke the peer, peer_choking = the peer chokes us.
    bool amChoking = true;
    bool amInterested = false;
    bool peerChoking = true;
    bool peerInterested = false;
    bool optimistic = false; // holds our optimistic unchoke slot
    bool snubbed = false;    // sent us no block for 60 s while we wanted some
    bool seed = false;       // has every piece
    qint64 downloadRate = 0; // from the peer
    qint64 uploadRate = 0;   // to the peer
    qint64 downloaded = 0;
    qint64 uploaded = 0;
    int requestsOut = 0;   // our requests the peer has not answered
    int requestsIn = 0;    // the peer's requests waiting to be served
    int pipelineDepth = 0; // how many requests we keep outstanding to it
    qint64 rttMs = -1;     // round-trip estimate; -1 before the first sample
    Bitfield pieces;       // what the peer has
    qint64 connectedAtMs = 0;
    // What the handshakes negotiated: BEP 10 when both set its bit, and what the peer's extended handshake
    // said (its "v", and the names in its "m" it did not disable, sorted).
    bool extensionProtocol = false;
    bool fastExtension = false; // both set the BEP 6 bit
    QString peerClient;
    QList<QByteArray> peerExtensions;
    // MSE/PE: what the stream negotiated (who initiated is `outgoing`), and whether an outgoing MSE attempt
    // failed and the connection is its plaintext retry.
    StreamEncryption encryption = StreamEncryption::Plaintext;
    bool encryptionFellBack = false;
    int pexSent = 0;     // BEP 11 ut_pex messages sent to the peer
    int pexReceived = 0; // and accepted from it
};

struct TorrentSnapshot {
    QByteArray infoHash; // 20 raw bytes
    QString name;
    TorrentRole role = TorrentRole::Leecher;
    TorrentState state = TorrentState::Checking;
    QString error; // set in TorrentState::Error

    int pieceCount = 0;
    qint64 pieceLength = 0;
    qint64 totalSize = 0;
    qint64 bytesLeft = 0;
    Bitfield have;     // verified pieces
    Bitfield inFlight; // pieces with a block requested and not yet arrived
    bool endgame = false;

    qint64 downloadRate = 0;
    qint64 uploadRate = 0;
    qint64 downloaded = 0;
    qint64 uploaded = 0;
    qint64 wasted = 0;    // block payload received and not used: duplicates, unrequested, late, while paused
    qint64 failed = 0;    // bytes of pieces that failed their hash check (part of downloaded)
    qint64 received = 0;  // every block payload that arrived: downloaded + wasted
    int hashFailures = 0; // pieces that failed their check
    int unrequestedBlocks = 0; // blocks peers sent that we never asked them for (dropped)
    int bannedPeers = 0;
    // BEP 11: endpoints first learned from peers' ut_pex messages, and the messages sent and accepted.
    int peersFromPex = 0;
    int pexSent = 0;
    int pexReceived = 0;
    bool freeRider = false;
    bool corrupt = false;

    PickerStrategy strategy = PickerStrategy::RarestFirst;
    bool chokerEnabled = true;
    qint64 addedAtMs = 0;
    qint64 completedAtMs = -1; // when the last piece was verified; -1 while incomplete

    int connectionCount = 0;
    QList<ConnectionSnapshot> connections; // empty when the snapshot was taken without them
};

struct ClientSnapshot {
    QByteArray peerId; // 20 raw bytes
    QHostAddress listenAddress;
    quint16 listenPort = 0;
    qint64 timeMs = 0; // the client's clock when the snapshot was taken
    // The DHT node (BEP 5), when the client runs one (dhtPort 0 otherwise).
    quint16 dhtPort = 0;
    int dhtNodes = 0; // in the routing table
    int dhtLookupsDone = 0;
    int dhtLookupsInFlight = 0;
    qint64 dhtPeersFound = 0; // distinct peers its lookups returned
    int connectionCount = 0;  // every connection, handshaking ones included
    qint64 downloadRate = 0;
    qint64 uploadRate = 0;
    qint64 downloaded = 0;
    qint64 uploaded = 0;
    QList<TorrentSnapshot> torrents;
};

// The cheap subset, for a status line.
struct ClientStats {
    int torrents = 0;
    int connections = 0;
    qint64 downloadRate = 0;
    qint64 uploadRate = 0;
    qint64 downloaded = 0;
    qint64 uploaded = 0;
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::ConnectionSnapshot)
Q_DECLARE_METATYPE(swarmscope::TorrentSnapshot)
Q_DECLARE_METATYPE(swarmscope::ClientSnapshot)
