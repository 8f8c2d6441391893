#include "HostileFixture.h"
#include "PeerTests.h"

#include "peer/PeerIdentity.h"
#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"

#include <QTest>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

// Reserved bytes with the BEP 10 bit.
QByteArray extensionReserved() {
    Handshake h;
    h.setExtensionProtocol();
    return h.reserved;
}

// The scripted peer's handshake with the given reserved bytes; waits for the seeder's handshake, bitfield and
// (when BEP 10 is on) its extended handshake.
bool handshakeWith(Fixture& f, const QByteArray& reserved) {
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

// The seeder's extended handshake, as the scripted peer received it (the hostile parser does not negotiate
// BEP 10, so it arrives as an unknown id 20).
std::optional<ExtensionHandshake> seedersExtensionHandshake(const Fixture& f) {
    for (const WireMessage& m : f.received())
        if (m.type == MessageType::Unknown && m.id == 20 && !m.payload.isEmpty() && m.payload[0] == '\0')
            return wire::decodeExtensionHandshake(m.payload.sliced(1), nullptr);
    return std::nullopt;
}

class ExtensionPeerTests : public QObject {
    Q_OBJECT

private slots:
    // With the bit on both sides the seeder sends its dictionary after the bitfield, and records the
    // peer's; without it, nothing is sent and id 20 stays an unknown message.
    void extendedHandshake_isExchangedAndRecorded() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, extensionReserved()));
        const std::optional<ExtensionHandshake> ours = seedersExtensionHandshake(f);
        QVERIFY(ours);
        QCOMPARE(ours->client, clientName());
        QCOMPARE(ours->listenPort, int(f.client->listenPort()));
        QCOMPARE(ours->requestQueue, f.client->limits().maxIncomingRequests);
        QCOMPARE(ours->metadataSize, f.torrent.metainfo.infoBytes.size());
        // The handshake bytes the seeder sent carry the bit too.
        QVERIFY(decodeHandshake(f.peer->received().first(Handshake::kLength))
                    .handshake.supportsExtensionProtocol());

        f.peer->send(wire::encodeExtended(
            0, "d1:md11:lt_donthavei7e6:ut_pexi0e3:zzzi9ee4:reqqi2e1:v12:FakePeer 1.04:zzzzi1ee"));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Extensions), 1, 5000);
        QCOMPARE(f.log->firstReason(PeerEventKind::Extensions),
                 QStringLiteral("client \"FakePeer 1.0\"; extensions: lt_donthave, zzz; reqq 2"));
        const ConnectionSnapshot c = f.session->snapshot(true).connections.first();
        QVERIFY(c.extensionProtocol);
        QCOMPARE(c.peerClient, QStringLiteral("FakePeer 1.0"));
        QCOMPARE(c.peerExtensions, (QList<QByteArray>{"lt_donthave", "zzz"}));
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
    }

    void noExtensionBit_noExtendedHandshake() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, {}));
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        QTRY_VERIFY_WITH_TIMEOUT(!messagesOfType(f.received(), MessageType::Unchoke).isEmpty(), 5000);
        QVERIFY(!seedersExtensionHandshake(f));
        QVERIFY(!f.session->snapshot(true).connections.first().extensionProtocol);
    }

    // A hostile peer that negotiated BEP 10: each row closes the connection with its reason as the
    // disconnect event, and nothing crashes or waits.
    void malformedExtendedMessages_disconnect_data() {
        QTest::addColumn<QByteArray>("frames");
        QTest::addColumn<QString>("reason");
        QTest::newRow("handshake not bencode")
            << wire::encodeExtended(0, "hello")
            << QStringLiteral("extended handshake: unexpected character (byte 0)");
        QTest::newRow("handshake a list")
            << wire::encodeExtended(0, "le") << QStringLiteral("extended handshake is not a dictionary");
        QTest::newRow("handshake with trailing bytes")
            << wire::encodeExtended(0, "d1:mdeeXX") << QStringLiteral("extended handshake: ");
        QTest::newRow("m not a dictionary")
            << wire::encodeExtended(0, "d1:mi1ee")
            << QStringLiteral("extended handshake: \"m\" is not a dictionary");
        QTest::newRow("m id out of range")
            << wire::encodeExtended(0, "d1:md6:ut_pexi300eee")
            << QStringLiteral("extended handshake: id of \"m\".\"ut_pex\" is not in 0..255");
        QTest::newRow("handshake over the size limit")
            << wire::encodeExtended(0, QByteArray(QByteArray("d1:x17000:") + QByteArray(17000, 'a') + "e"))
            << QStringLiteral("extended handshake of 17011 bytes, limit 16384");
        QTest::newRow("extended message past the limit")
            << rawLengthPrefix(wire::kMaxExtendedMessageLength + 1) + QByteArray(1, char(20))
            << QStringLiteral("message length over the limit (length %1, limit %2)")
                   .arg(wire::kMaxExtendedMessageLength + 1)
                   .arg(wire::kMaxExtendedMessageLength);
        QTest::newRow("no extended id")
            << rawFrame(20)
            << QStringLiteral("wrong payload length for the message type (extended "
                              "of length 1, at least 2)");
        QTest::newRow("id never advertised")
            << wire::encodeExtended(77, "d8:msg_typei0e5:piecei0ee")
            << QStringLiteral("extended message id 77, which we never advertised");
    }
    void malformedExtendedMessages_disconnect() {
        QFETCH(QByteArray, frames);
        QFETCH(QString, reason);
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, extensionReserved()));
        f.peer->send(frames);
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QVERIFY2(f.disconnectReason().startsWith(reason), qPrintable(f.disconnectReason()));
        QCOMPARE(f.log->count(PeerEventKind::Extensions), 0);
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createExtensionPeerTests() {
    return std::make_unique<ExtensionPeerTests>();
}

#include "tst_extensionpeers.moc"
