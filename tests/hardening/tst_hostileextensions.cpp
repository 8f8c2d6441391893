// Hostile peers that negotiate the extensions (BEP 10 extended messages, BEP 6 fast messages, BEP 9
// ut_metadata) and then break them: each row closes the connection with its reason as the disconnect event,
// without a crash, a wait or a buffer past the limits. The scripted peer and the seeder fixture are the peer
// suite's (tests/peer).

#include "ExtensionFixture.h"

#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MetadataMessage.h"

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
};

QTEST_GUILESS_MAIN(HostileExtensionTests)
#include "tst_hostileextensions.moc"
