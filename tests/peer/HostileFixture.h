#pragma once

#include "FakePeer.h"
#include "PeerTestSupport.h"

#include "peer/TorrentSession.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"
#include "wire/TorrentGeometry.h"

#include <QDeadlineTimer>
#include <QList>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <memory>

// Shared by the hostile-peer test files: a seeder client with a scripted peer, and a parser for what the
// scripted peer received.
namespace swarmscope::peertest {

inline QByteArray rawLengthPrefix(quint32 length) {
    QByteArray bytes(4, Qt::Uninitialized);
    qToBigEndian(length, bytes.data());
    return bytes;
}

// A frame with any id and payload, including ids no message type has.
inline QByteArray rawFrame(quint8 id, const QByteArray& payload = {}) {
    return rawLengthPrefix(quint32(payload.size() + 1)) + QByteArray(1, char(id)) + payload;
}

// The messages in bytes a peer received after the client's handshake, up to the first framing error;
// negotiated: as a peer that set the BEP 10 and BEP 6 bits reads them.
inline QList<WireMessage> parseMessages(const QByteArray& received, const Metainfo& metainfo,
                                        bool negotiated = false) {
    QList<WireMessage> messages;
    if (received.size() < Handshake::kLength)
        return messages;
    MessageFramer framer;
    framer.setGeometry(TorrentGeometry::fromMetainfo(metainfo));
    framer.setExtensionProtocol(negotiated);
    framer.setFastExtension(negotiated);
    QByteArrayView view = QByteArrayView(received).sliced(Handshake::kLength);
    while (!view.isEmpty()) {
        MessageFramer::Step step = framer.feed(view);
        view = view.sliced(step.consumed);
        if (step.isError())
            break;
        if (step.hasMessage())
            messages.append(step.message);
    }
    return messages;
}

inline QList<WireMessage> messagesOfType(const QList<WireMessage>& messages, MessageType type) {
    QList<WireMessage> out;
    for (const WireMessage& m : messages)
        if (m.type == type)
            out.append(m);
    return out;
}

// A seeder client, and a fake peer connected to it (when connectPeer) that completes the handshake on
// handshake().
struct Fixture {
    QTemporaryDir tmp;
    TorrentFixture torrent;
    std::unique_ptr<Client> client;
    std::unique_ptr<EventLog> log;
    TorrentSession* session = nullptr;
    std::unique_ptr<FakePeer> peer;

    bool setUp(qint64 size = 10 * 16 * 1024, qint64 pieceLength = 16 * 1024, const ClientConfig& config = {},
               bool connectPeer = true) {
        torrent =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("h.bin"), size, pieceLength);
        client = makeClient(config);
        if (!torrent.ok || !client)
            return false;
        log = std::make_unique<EventLog>(client.get());
        session = addSeeder(client.get(), torrent, tmp.filePath(QStringLiteral("seed")));
        if (!session)
            return false;
        QDeadlineTimer deadline(5000);
        while (session->state() != TorrentState::Seeding && !deadline.hasExpired())
            QTest::qWait(5);
        peer = std::make_unique<FakePeer>(torrent.metainfo.infoHash);
        if (session->state() != TorrentState::Seeding)
            return false;
        return !connectPeer || peer->connectTo(client->listenPort());
    }
    bool handshake() {
        peer->sendHandshake();
        // Our handshake back, then the seeder's bitfield.
        return peer->waitForBytes(Handshake::kLength + 4 + 1 +
                                  Bitfield::wireSize(torrent.metainfo.pieceCount()));
    }
    // Handshake, INTERESTED, and wait for the seeder's UNCHOKE.
    bool handshakeAndUnchoke() {
        if (!handshake())
            return false;
        peer->send(wire::encodeSimple(MessageType::Interested));
        QDeadlineTimer deadline(5000);
        while (!deadline.hasExpired()) {
            const QList<WireMessage> messages = parseMessages(peer->received(), torrent.metainfo);
            if (!messagesOfType(messages, MessageType::Unchoke).isEmpty())
                return true;
            QTest::qWait(5);
        }
        return false;
    }
    QList<WireMessage> received() const { return parseMessages(peer->received(), torrent.metainfo); }
    QList<WireMessage> pieces() const { return messagesOfType(received(), MessageType::Piece); }
    QString disconnectReason() const { return log->firstReason(PeerEventKind::Disconnected); }
    // The request queue of the only connection of the seeder's torrent; -1 when there is none.
    int requestsInOfOnlyConnection() const {
        const TorrentSnapshot snap = session->snapshot(true);
        return snap.connections.size() == 1 ? snap.connections.first().requestsIn : -1;
    }
};

} // namespace swarmscope::peertest
