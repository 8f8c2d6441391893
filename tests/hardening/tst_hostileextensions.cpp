// Hostile peers that negotiate the extensions (BEP 10 extended messages, BEP 6 fast messages, BEP 9
// ut_metadata) and then break them: each row closes the connection with its reason as the disconnect event,
// without a crash, a wait or a buffer past the limits. The scripted peer and the seeder fixture are the peer
// suite's (tests/peer).

#include "ExtensionFixture.h"

#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MetadataMessage.h"
#include "wire/PexMessage.h"

#include <QTest>

using namespace swarmscope;
using namespace swarmscope::peertest;

class HostileExtensionTests : public QObject {
    Q_OBJECT

private slots:
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

    void malformedFastMessages_disconnect_data() {
        QTest::addColumn<QByteArray>("frames");
        QTest::addColumn<QString>("reason");
        QTest::newRow("have all with a payload")
            << rawFrame(14, "x")
            << QStringLiteral("wrong payload length for the message type (have all of length 2, expected 1)");
        QTest::newRow("have none with a payload")
            << rawFrame(15, "xyzw")
            << QStringLiteral(
                   "wrong payload length for the message type (have none of length 5, expected 1)");
        QTest::newRow("short suggest")
            << rawFrame(13, QByteArray(2, '\0'))
            << QStringLiteral(
                   "wrong payload length for the message type (suggest piece of length 3, expected 5)");
        QTest::newRow("suggest out of range")
            << wire::encodeIndexed(MessageType::Suggest, 10)
            << QStringLiteral("piece index out of range (index 10 of 10 pieces)");
        QTest::newRow("allowed fast out of range")
            << wire::encodeIndexed(MessageType::AllowedFast, 0xffffffffu)
            << QStringLiteral("piece index out of range (index 4294967295 of 10 pieces)");
        QTest::newRow("reject past the piece")
            << wire::encodeReject(3, 8192, 16384) << QStringLiteral("block runs past the end of the piece");
        QTest::newRow("reject of 0 bytes")
            << wire::encodeReject(3, 0, 0) << QStringLiteral("block of zero bytes");
        QTest::newRow("long reject")
            << rawFrame(16, QByteArray(16, '\0'))
            << QStringLiteral(
                   "wrong payload length for the message type (reject request of length 17, expected 13)");
    }
    void malformedFastMessages_disconnect() {
        QFETCH(QByteArray, frames);
        QFETCH(QString, reason);
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(fastHandshake(f));
        f.peer->send(frames);
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QVERIFY2(f.disconnectReason().startsWith(reason), qPrintable(f.disconnectReason()));
    }

    void malformedMetadataMessage_disconnects() {
        Fixture f;
        QVERIFY(f.setUp());
        f.peer->sendHandshake({}, extensionReserved());
        f.peer->send(wire::encodeExtended(0, "d1:md11:ut_metadatai3eee") +
                     wire::encodeExtended(wire::kOurUtMetadataId, "d8:msg_typei9e5:piecei0ee"));
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QCOMPARE(f.disconnectReason(), QStringLiteral("ut_metadata: \"msg_type\" is not 0, 1 or 2"));
    }

    // BEP 11 ut_pex after a handshake that named it: each row closes the connection with the key at fault.
    void malformedPexMessage_disconnects_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("reason");
        QTest::newRow("over the size limit")
            << QByteArray(QByteArray("d5:added5000:") + QByteArray(5000, 'a') + "e")
            << QStringLiteral("ut_pex: a message of 5014 bytes, over the limit of 4096");
        QTest::newRow("not a dictionary")
            << QByteArray("li1ee") << QStringLiteral("ut_pex: not a dictionary");
        QTest::newRow("added an integer")
            << QByteArray("d5:addedi1ee") << QStringLiteral("ut_pex: \"added\" is not a string");
        QTest::newRow("dropped6 a list")
            << QByteArray("d8:dropped6lee") << QStringLiteral("ut_pex: \"dropped6\" is not a string");
        QTest::newRow("truncated entry")
            << QByteArray("d5:added7:\x7f\x01\x01\x01\x1a\xe1\x01"
                          "e")
            << QStringLiteral("ut_pex: \"added\" is 7 bytes, not a multiple of 6");
        QTest::newRow("truncated ipv6 entry")
            << QByteArray(QByteArray("d6:added617:") + QByteArray(17, 'x') + "e")
            << QStringLiteral("ut_pex: \"added6\" is 17 bytes, not a multiple of 18");
        QTest::newRow("flags for another count")
            << QByteArray("d5:added6:\x7f\x01\x01\x01\x1a\xe1"
                          "7:added.f2:\x10\x10"
                          "e")
            << QStringLiteral("ut_pex: \"added.f\" has 2 flags for 1 peers");
        QTest::newRow("51 added")
            << QByteArray(QByteArray("d5:added306:") + QByteArray(306, '\x01') + "e")
            << QStringLiteral("ut_pex: \"added\" brings the message to 51 peers, over the limit of 50");
        QTest::newRow("40 added and 11 added6")
            << QByteArray(QByteArray("d5:added240:") + QByteArray(240, '\x01') +
                          "6:added6198:" + QByteArray(198, '\x01') + "e")
            << QStringLiteral("ut_pex: \"added6\" brings the message to 51 peers, over the limit of 50");
        QTest::newRow("51 dropped")
            << QByteArray(QByteArray("d7:dropped306:") + QByteArray(306, '\x01') + "e")
            << QStringLiteral("ut_pex: \"dropped\" brings the message to 51 peers, over the limit of 50");
    }
    void malformedPexMessage_disconnects() {
        QFETCH(QByteArray, payload);
        QFETCH(QString, reason);
        Fixture f;
        QVERIFY(f.setUp());
        f.peer->sendHandshake({}, extensionReserved());
        f.peer->send(wire::encodeExtended(0, "d1:md6:ut_pexi5eee") +
                     wire::encodeExtended(wire::kOurUtPexId, payload));
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QCOMPARE(f.disconnectReason(), reason);
    }

    // A peer sending ut_pex far faster than once a minute: the first message is taken, the early ones are
    // ignored, and the fifth early one in a row closes the connection.
    void pexFlood_disconnects() {
        Fixture f;
        QVERIFY(f.setUp());
        f.peer->sendHandshake({}, extensionReserved());
        QByteArray frames = wire::encodeExtended(0, "d1:md6:ut_pexi5eee");
        PexMessage pex;
        pex.added.append({QHostAddress(QStringLiteral("10.1.2.3")), 6881, wire::kPexConnectable});
        for (int i = 0; i < 6; ++i)
            frames += wire::encodeExtended(wire::kOurUtPexId, wire::encodePexMessage(pex));
        f.peer->send(frames);
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QCOMPARE(f.disconnectReason(),
                 QStringLiteral("ut_pex: 5 messages in a row sooner than a minute apart"));
    }
};

QTEST_GUILESS_MAIN(HostileExtensionTests)
#include "tst_hostileextensions.moc"
