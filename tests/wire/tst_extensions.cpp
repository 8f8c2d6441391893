#include "WireTestSupport.h"
#include "wire/AllowedFastSet.h"
#include "wire/ExtensionHandshake.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"
#include "wire/MetadataMessage.h"

#include <QTest>

using namespace swarmscope;

namespace {

// A framer on a connection where both sides set the BEP 10 bit.
MessageFramer extendedFramer() {
    MessageFramer framer;
    framer.setExtensionProtocol(true);
    return framer;
}

// A framer for a 10-piece torrent of 16 KiB pieces where both sides set the BEP 6 bit.
MessageFramer fastFramer() {
    MessageFramer framer;
    framer.setGeometry(TorrentGeometry::fromSizes(10 * 16384, 16384));
    framer.setFastExtension(true);
    return framer;
}

} // namespace

class TestExtensions : public QObject {
    Q_OBJECT
private slots:
    void reservedBit_isByteFiveMask10() {
        Handshake h;
        QVERIFY(!h.supportsExtensionProtocol());
        h.setExtensionProtocol();
        QCOMPARE(h.reserved, QByteArray::fromHex("0000000000100000"));
        QVERIFY(h.supportsExtensionProtocol());
    }

    void encode_isCanonicalAndRoundTrips() {
        ExtensionHandshake h;
        h.extensions[QByteArray(wire::kUtMetadata)] = 1;
        h.client = QStringLiteral("Swarmscope 0.1.0");
        h.listenPort = 6881;
        h.requestQueue = 500;
        h.metadataSize = 31235;
        const QByteArray bytes = wire::encodeExtensionHandshake(h);
        QString error;
        const std::optional<ExtensionHandshake> back = wire::decodeExtensionHandshake(bytes, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(*back, h);
        // Keys in raw-byte order, as bencode requires: m, metadata_size, p, reqq, v.
        QVERIFY(bytes.startsWith("d1:md11:ut_metadatai1ee13:metadata_sizei31235e1:pi6881e4:reqqi500e1:v"));
    }

    void encode_leavesOutUnknownFields() {
        QCOMPARE(wire::encodeExtensionHandshake({}), QByteArray("d1:mdee"));
    }

    void decode_goodAndUnknown_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("client");
        QTest::addColumn<int>("utMetadata");
        QTest::addColumn<qint64>("metadataSize");
        QTest::addColumn<int>("reqq");
        QTest::newRow("libtorrent-like")
            << QByteArray("d12:complete_agoi-1e1:md11:lt_donthavei7e10:share_modei8e11:upload_onlyi3e12:"
                          "ut_holepunchi4e11:ut_metadatai2e6:ut_pexi1ee13:metadata_sizei5187e4:reqqi500e11:"
                          "upload_onlyi1e1:v17:libtorrent/2.0.106:yourip4:abcde")
            << QStringLiteral("libtorrent/2.0.10") << 2 << qint64(5187) << 500;
        QTest::newRow("empty dictionary") << QByteArray("de") << QString() << 0 << qint64(-1) << -1;
        QTest::newRow("disabled extension")
            << QByteArray("d1:md11:ut_metadatai0eee") << QString() << 0 << qint64(-1) << -1;
        QTest::newRow("unknown extensions and keys")
            << QByteArray("d1:md3:foii9e3:zzzi200ee5:zzzzzli1ei2eee") << QString() << 0 << qint64(-1) << -1;
        QTest::newRow("v not a string is ignored")
            << QByteArray("d1:vi3ee") << QString() << 0 << qint64(-1) << -1;
    }
    void decode_goodAndUnknown() {
        QFETCH(QByteArray, payload);
        QFETCH(QString, client);
        QFETCH(int, utMetadata);
        QFETCH(qint64, metadataSize);
        QFETCH(int, reqq);
        QString error;
        const std::optional<ExtensionHandshake> h = wire::decodeExtensionHandshake(payload, &error);
        QVERIFY2(h, qPrintable(error));
        QCOMPARE(h->client, client);
        QCOMPARE(h->idOf(wire::kUtMetadata), utMetadata);
        QCOMPARE(h->metadataSize, metadataSize);
        QCOMPARE(h->requestQueue, reqq);
    }

    void decode_rejectsMalformed_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("extended handshake: ");
        QTest::newRow("not a dictionary")
            << QByteArray("li1ee") << QStringLiteral("extended handshake is not a dictionary");
        QTest::newRow("truncated") << QByteArray("d1:md11:ut_meta") << QStringLiteral("extended handshake:");
        QTest::newRow("trailing bytes") << QByteArray("dexx") << QStringLiteral("extended handshake:");
        QTest::newRow("unsorted keys")
            << QByteArray("d1:vi1e1:mdee") << QStringLiteral("extended handshake:");
        QTest::newRow("m a list") << QByteArray("d1:mlee")
                                  << QStringLiteral("extended handshake: \"m\" is not a dictionary");
        QTest::newRow("m id a string") << QByteArray("d1:md11:ut_metadata1:1ee")
                                       << QStringLiteral("extended handshake: id of \"m\".\"ut_metadata\"");
        QTest::newRow("m id 256") << QByteArray("d1:md11:ut_metadatai256eee")
                                  << QStringLiteral("extended handshake: id of \"m\".\"ut_metadata\"");
        QTest::newRow("m id negative")
            << QByteArray("d1:md1:xi-1eee") << QStringLiteral("extended handshake: id of \"m\".\"x\"");
        QTest::newRow("p too large") << QByteArray("d1:pi65536ee")
                                     << QStringLiteral("extended handshake: \"p\" is not an integer");
        QTest::newRow("metadata_size negative")
            << QByteArray("d13:metadata_sizei-5ee")
            << QStringLiteral("extended handshake: \"metadata_size\" is not an integer");
        QTest::newRow("reqq a string") << QByteArray("d4:reqq3:abce")
                                       << QStringLiteral("extended handshake: \"reqq\" is not an integer");
        QTest::newRow("too deep") << QByteArray("d1:x") + QByteArray(20, 'l') + QByteArray(20, 'e') + "e"
                                  << QStringLiteral("extended handshake:");
        QTest::newRow("over the size limit")
            << QByteArray("d1:x16400:") + QByteArray(16400, 'a') + "e"
            << QStringLiteral("extended handshake of 16411 bytes, limit 16384");
    }
    void decode_rejectsMalformed() {
        QFETCH(QByteArray, payload);
        QFETCH(QString, error);
        QString actual;
        QVERIFY(!wire::decodeExtensionHandshake(payload, &actual));
        QVERIFY2(actual.startsWith(error), qPrintable(actual));
    }

    // Id 20 is an Extended message only where BEP 10 was negotiated; its payload and extended id survive any
    // chunking.
    void framer_decodesExtendedOnlyWhenNegotiated() {
        const QByteArray frame = wire::encodeExtended(0, "d1:mdee") + wire::encodeExtended(3, "xyz");
        const wiretest::FramedStream plain = wiretest::frameInSlices(frame, 1, MessageFramer());
        QCOMPARE(plain.messages.size(), 2);
        QCOMPARE(plain.messages[0].type, MessageType::Unknown);
        for (const qsizetype slice : {0, 1, 7}) {
            const wiretest::FramedStream s = wiretest::frameInSlices(frame, slice, extendedFramer());
            QCOMPARE(s.error, WireError::None);
            QCOMPARE(s.messages.size(), 2);
            QCOMPARE(s.messages[0], WireMessage::extended(0, "d1:mdee"));
            QCOMPARE(s.messages[1], WireMessage::extended(3, "xyz"));
            QCOMPARE(wire::encodeMessage(s.messages[1]), wire::encodeExtended(3, "xyz"));
        }
    }

    void framer_rejectsBadExtendedLengths() {
        // No extended id at all.
        const wiretest::FramedStream empty =
            wiretest::frameInSlices(wiretest::be32(1) + QByteArray(1, char(20)), 0, extendedFramer());
        QCOMPARE(empty.error, WireError::BadMessageLength);
        QCOMPARE(empty.errorString, QStringLiteral("wrong payload length for the message type (extended of "
                                                   "length 1, at least 2)"));
        // Past the extended limit, refused from the length prefix alone.
        const wiretest::FramedStream big = wiretest::frameInSlices(
            wiretest::be32(wire::kMaxExtendedMessageLength + 1) + QByteArray(1, char(20)), 0,
            extendedFramer());
        QCOMPARE(big.error, WireError::MessageTooLong);
        // A ut_metadata piece (16 KiB behind its dictionary) fits.
        const QByteArray piece = wire::encodeExtended(
            1, QByteArray(QByteArray("d8:msg_typei1e5:piecei0ee") + QByteArray(16384, 'm')));
        QCOMPARE(wiretest::frameInSlices(piece, 0, extendedFramer()).messages.size(), 1);
    }
};

class TestFastExtension : public QObject {
    Q_OBJECT
private slots:
    void reservedBit_isByteSevenMask04() {
        Handshake h;
        QVERIFY(!h.supportsFastExtension());
        h.setFastExtension();
        QCOMPARE(h.reserved, QByteArray::fromHex("0000000000000004"));
        QVERIFY(h.supportsFastExtension());
        QVERIFY(!h.supportsExtensionProtocol());
    }

    // The example of BEP 6: 80.4.4.200, an info-hash of 0xaa bytes, 1313 pieces.
    void allowedFastSet_matchesBep6Example() {
        const quint32 ip = (80u << 24) | (4u << 16) | (4u << 8) | 200u;
        const QByteArray infoHash(20, '\xaa');
        QCOMPARE(allowedFastSet(ip, infoHash, 1313, 7), (QList<int>{1059, 431, 808, 1217, 287, 376, 1188}));
        QCOMPARE(allowedFastSet(ip, infoHash, 1313, 9),
                 (QList<int>{1059, 431, 808, 1217, 287, 376, 1188, 353, 508}));
        // Only the /24 counts.
        QCOMPARE(allowedFastSet(ip ^ 0x7f, infoHash, 1313, 7), allowedFastSet(ip, infoHash, 1313, 7));
        // Never more than the pieces there are; nothing for an empty torrent.
        QCOMPARE(allowedFastSet(ip, infoHash, 3, 10).size(), 3);
        QVERIFY(allowedFastSet(ip, infoHash, 0, 10).isEmpty());
    }

    void fastMessages_roundTripAtAnyChunking() {
        const QList<WireMessage> messages = {
            WireMessage::simple(MessageType::HaveAll),         WireMessage::simple(MessageType::HaveNone),
            WireMessage::indexed(MessageType::Suggest, 9),     WireMessage::reject(2, 0, 16384),
            WireMessage::indexed(MessageType::AllowedFast, 0),
        };
        QByteArray stream;
        for (const WireMessage& m : messages)
            stream += wire::encodeMessage(m);
        QCOMPARE(stream.left(5), wiretest::be32(1) + QByteArray(1, char(14)));
        for (const qsizetype slice : {0, 1, 7}) {
            const wiretest::FramedStream s = wiretest::frameInSlices(stream, slice, fastFramer());
            QCOMPARE(s.error, WireError::None);
            QCOMPARE(s.messages, messages);
        }
        // Not negotiated: the same bytes are unknown messages, skipped.
        const wiretest::FramedStream plain = wiretest::frameInSlices(stream, 0, MessageFramer());
        QCOMPARE(plain.messages.size(), messages.size());
        for (const WireMessage& m : plain.messages)
            QCOMPARE(m.type, MessageType::Unknown);
    }

    void fastMessages_malformed_data() {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<int>("error");
        const int badLength = int(WireError::BadMessageLength);
        QTest::newRow("have all with payload") << wiretest::be32(2) + QByteArray("\x0e\x00", 2) << badLength;
        QTest::newRow("have none with payload")
            << wiretest::be32(5) + QByteArray("\x0f") + wiretest::be32(0) << badLength;
        QTest::newRow("suggest short") << wiretest::be32(3) + QByteArray("\x0d\x00\x00", 3) << badLength;
        QTest::newRow("allowed fast long")
            << wiretest::be32(9) + QByteArray("\x11") + QByteArray(8, '\0') << badLength;
        QTest::newRow("reject short")
            << wiretest::be32(9) + QByteArray("\x10") + QByteArray(8, '\0') << badLength;
        QTest::newRow("suggest out of range")
            << wire::encodeIndexed(MessageType::Suggest, 10) << int(WireError::PieceIndexOutOfRange);
        QTest::newRow("allowed fast out of range")
            << wire::encodeIndexed(MessageType::AllowedFast, 0xffffffffu)
            << int(WireError::PieceIndexOutOfRange);
        QTest::newRow("reject out of range")
            << wire::encodeReject(10, 0, 16384) << int(WireError::PieceIndexOutOfRange);
        QTest::newRow("reject past the piece")
            << wire::encodeReject(1, 1, 16384) << int(WireError::BlockOutOfRange);
        QTest::newRow("reject of a huge block")
            << wire::encodeReject(1, 0, 1 << 20) << int(WireError::BlockTooLong);
        QTest::newRow("reject of nothing") << wire::encodeReject(1, 0, 0) << int(WireError::EmptyBlock);
    }
    void fastMessages_malformed() {
        QFETCH(QByteArray, stream);
        QFETCH(int, error);
        for (const qsizetype slice : {0, 1})
            QCOMPARE(int(wiretest::frameInSlices(stream, slice, fastFramer()).error), error);
    }
};

class TestMetadataMessages : public QObject {
    Q_OBJECT
private slots:
    void encode_isBep9Layout() {
        MetadataMessage request;
        request.piece = 3;
        QCOMPARE(wire::encodeMetadataMessage(request), QByteArray("d8:msg_typei0e5:piecei3ee"));
        MetadataMessage data;
        data.type = MetadataMessage::Type::Data;
        data.piece = 0;
        data.totalSize = 3;
        data.data = "abc";
        QCOMPARE(wire::encodeMetadataMessage(data),
                 QByteArray("d8:msg_typei1e5:piecei0e10:total_sizei3eeabc"));
        for (const MetadataMessage& m : {request, data}) {
            QString error;
            const std::optional<MetadataMessage> back =
                wire::decodeMetadataMessage(wire::encodeMetadataMessage(m), &error);
            QVERIFY2(back, qPrintable(error));
            QCOMPARE(*back, m);
        }
    }

    void decode_acceptsUnknownKeys() {
        const std::optional<MetadataMessage> m =
            wire::decodeMetadataMessage("d1:ai1e8:msg_typei2e5:piecei7e1:zlee", nullptr);
        QVERIFY(m);
        QCOMPARE(m->type, MetadataMessage::Type::Reject);
        QCOMPARE(m->piece, 7);
    }

    void decode_rejectsMalformed_data() {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<QString>("error");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("ut_metadata: unexpected end");
        QTest::newRow("not a dictionary")
            << QByteArray("i1e") << QStringLiteral("ut_metadata: not a dictionary");
        QTest::newRow("no msg_type") << QByteArray("d5:piecei0ee")
                                     << QStringLiteral("ut_metadata: \"msg_type\"");
        QTest::newRow("msg_type 3") << QByteArray("d8:msg_typei3e5:piecei0ee")
                                    << QStringLiteral("ut_metadata: \"msg_type\"");
        QTest::newRow("no piece") << QByteArray("d8:msg_typei0ee")
                                  << QStringLiteral("ut_metadata: \"piece\"");
        QTest::newRow("negative piece")
            << QByteArray("d8:msg_typei0e5:piecei-1ee") << QStringLiteral("ut_metadata: \"piece\"");
        QTest::newRow("piece past 16 MiB")
            << QByteArray("d8:msg_typei0e5:piecei1024ee") << QStringLiteral("ut_metadata: \"piece\"");
        QTest::newRow("request with bytes after")
            << QByteArray("d8:msg_typei0e5:piecei0eexyz") << QStringLiteral("ut_metadata: 3 bytes after");
        QTest::newRow("data without total_size")
            << QByteArray("d8:msg_typei1e5:piecei0eeabc") << QStringLiteral("ut_metadata: \"total_size\"");
        QTest::newRow("data without bytes") << QByteArray("d8:msg_typei1e5:piecei0e10:total_sizei3ee")
                                            << QStringLiteral("ut_metadata: a data piece of 0 bytes");
        QTest::newRow("data over 16 KiB")
            << QByteArray(QByteArray("d8:msg_typei1e5:piecei0e10:total_sizei99999ee") +
                          QByteArray(16385, 'x'))
            << QStringLiteral("ut_metadata: a data piece of 16385 bytes");
    }
    void decode_rejectsMalformed() {
        QFETCH(QByteArray, payload);
        QFETCH(QString, error);
        QString actual;
        QVERIFY(!wire::decodeMetadataMessage(payload, &actual));
        QVERIFY2(actual.startsWith(error), qPrintable(actual));
    }
};

std::unique_ptr<QObject> swarmscope::createMetadataMessageTests() {
    return std::make_unique<TestMetadataMessages>();
}

std::unique_ptr<QObject> swarmscope::createFastExtensionTests() {
    return std::make_unique<TestFastExtension>();
}

std::unique_ptr<QObject> swarmscope::createExtensionTests() {
    return std::make_unique<TestExtensions>();
}

#include "tst_extensions.moc"
