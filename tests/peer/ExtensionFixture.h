#pragma once

#include "HostileFixture.h"

// Shared by the tests of BEP 10, BEP 6 and BEP 9 on a seeder: the scripted peer's handshake with extension
// bits, and what it received read as a peer that negotiated them.
namespace swarmscope::peertest {

// Reserved bytes with the BEP 10 bit, and with the BEP 6 bit too.
inline QByteArray extensionReserved() {
    Handshake h;
    h.setExtensionProtocol();
    return h.reserved;
}
inline QByteArray bothReserved() {
    Handshake h;
    h.setExtensionProtocol();
    h.setFastExtension();
    return h.reserved;
}

// What the scripted peer received, read as a peer that negotiated both extensions.
inline QList<WireMessage> negotiatedMessages(const Fixture& f) {
    return parseMessages(f.peer->received(), f.torrent.metainfo, true);
}

// Handshake with both bits; waits for the seeder's HAVE ALL and its allowed-fast set.
inline bool fastHandshake(Fixture& f) {
    f.peer->sendHandshake({}, bothReserved());
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        const QList<WireMessage> m = negotiatedMessages(f);
        if (!messagesOfType(m, MessageType::HaveAll).isEmpty() &&
            messagesOfType(m, MessageType::AllowedFast).size() ==
                qMin(10, f.torrent.metainfo.pieceCount() / 2))
            return true;
        QTest::qWait(5);
    }
    return false;
}

// The scripted peer's handshake with the given reserved bytes; waits for the seeder's handshake, bitfield and
// (when BEP 10 is on) its extended handshake.
inline bool handshakeWith(Fixture& f, const QByteArray& reserved) {
    f.peer->sendHandshake({}, reserved);
    if (!f.peer->waitForBytes(Handshake::kLength + 4 + 1 +
                              Bitfield::wireSize(f.torrent.metainfo.pieceCount())))
        return false;
    Handshake sent;
    sent.reserved = reserved.isEmpty() ? sent.reserved : reserved;
    if (!sent.supportsExtensionProtocol())
        return true;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        for (const WireMessage& m : f.received())
            if (m.type == MessageType::Unknown && m.id == 20)
                return true;
        QTest::qWait(5);
    }
    return false;
}

} // namespace swarmscope::peertest
