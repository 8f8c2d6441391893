#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QMetaType>
#include <QString>

namespace swarmscope {

// Something that happened in a client that the lab shows or records. Each event names its torrent and, when
// it concerns one connection, the connection (by id, address and peer id).
enum class PeerEventKind {
    Connected,     // a handshake completed; reason: "incoming" or "outgoing", then with MSE/PE ", rc4" etc.
    Disconnected,  // a connection closed, before or after its handshake; reason: why
    Choked,        // we choked the peer; reason: the choker's ("rechoke", "paused", ...)
    Unchoked,      // we unchoked the peer; reason: "regular", "optimistic", "uninterested", "choker off"
    PeerChoked,    // the peer choked us
    PeerUnchoked,  // the peer unchoked us
    Have,          // the peer announced a piece (HAVE); piece is set
    PieceVerified, // one of our pieces passed its SHA-1 check and HAVE went out; piece is set, and the
                   // connection is the peer that sent most of its blocks (none when it came from disk)
    HashFailed,    // one of our pieces failed its SHA-1 check and will be downloaded again; piece is set
    PeerBanned,    // the peer was disconnected and will not be reconnected; reason: why
    Extensions,    // the peer's BEP 10 extended handshake arrived; reason: its client, extensions, BEP 6
    Completed,     // the torrent has every piece (a leecher finished; it keeps seeding)
    Error,         // the torrent stopped working (storage failure); reason: what failed
    Control,       // the lab was told to change the peer (pause, kill, a link, a strategy); reason: what.
                   // The lab's own, never a client's: the event log lists them among what they caused
};

inline QString peerEventKindName(PeerEventKind kind) {
    switch (kind) {
    case PeerEventKind::Connected:
        return QStringLiteral("connected");
    case PeerEventKind::Disconnected:
        return QStringLiteral("disconnected");
    case PeerEventKind::Choked:
        return QStringLiteral("choked");
    case PeerEventKind::Unchoked:
        return QStringLiteral("unchoked");
    case PeerEventKind::PeerChoked:
        return QStringLiteral("peer choked");
    case PeerEventKind::PeerUnchoked:
        return QStringLiteral("peer unchoked");
    case PeerEventKind::Have:
        return QStringLiteral("have");
    case PeerEventKind::PieceVerified:
        return QStringLiteral("piece verified");
    case PeerEventKind::HashFailed:
        return QStringLiteral("hash failed");
    case PeerEventKind::PeerBanned:
        return QStringLiteral("peer banned");
    case PeerEventKind::Extensions:
        return QStringLiteral("extensions");
    case PeerEventKind::Completed:
        return QStringLiteral("completed");
    case PeerEventKind::Error:
        return QStringLiteral("error");
    case PeerEventKind::Control:
        return QStringLiteral("control");
    }
    return {};
}

struct PeerEvent {
    PeerEventKind kind = PeerEventKind::Connected;
    qint64 timeMs = 0;        // on the client's clock (its SimulatedLink's), milliseconds
    QByteArray infoHash;      // 20 raw bytes; empty for a connection that closed before naming a torrent
    quint64 connectionId = 0; // 0 when the event is not about one connection; ids are unique per client
    QHostAddress address;     // the remote end, when about a connection
    quint16 port = 0;
    QByteArray peerId; // the remote peer id; empty before its handshake arrived
    bool outgoing = false;
    int piece = -1;
    QString reason;
};

} // namespace swarmscope

Q_DECLARE_METATYPE(swarmscope::PeerEvent)
