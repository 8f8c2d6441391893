#include "WireTestSupport.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"
#include "wire/MessageValidator.h"

#include <QTest>

#include <limits>

using namespace swarmscope;
using namespace swarmscope::wiretest;

Q_DECLARE_METATYPE(swarmscope::WireMessage)

namespace {

// 10 pieces of 32 KiB, the last one 10,000 bytes.
TorrentGeometry sampleGeometry() {
    return TorrentGeometry::fromSizes(9 * 32768 + 10000, 32768);
}

QByteArray block(qsizetype size, char seed) {
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(seed + i * 7);
    return out;
}

} // namespace

class TestMessages : public QObject {
    Q_OBJECT
private slots:
    void encoders_writeExactBytes_data() {
        QTest::addColumn<QByteArray>("encoded");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("keep-alive") << wire::encodeKeepAlive() << QByteArray::fromHex("00000000");
        QTest::newRow("choke") << wire::encodeSimple(MessageType::Choke) << QByteArray::fromHex("0000000100");
        QTest::newRow("unchoke") << wire::encodeSimple(MessageType::Unchoke)
                                 << QByteArray::fromHex("0000000101");
        QTest::newRow("interested") << wire::encodeSimple(MessageType::Interested)
                                    << QByteArray::fromHex("0000000102");
        QTest::newRow("not interested")
            << wire::encodeSimple(MessageType::NotInterested) << QByteArray::fromHex("0000000103");
        QTest::newRow("have") << wire::encodeHave(0x01020304) << QByteArray::fromHex("000000050401020304");
        Bitfield bits(10);
        bits.setBit(0);
        bits.setBit(9);
        QTest::newRow("bitfield") << wire::encodeBitfield(bits) << QByteArray::fromHex("00000003058040");
        QTest::newRow("request") << wire::encodeRequest(1, 0x4000, 0x4000)
                                 << QByteArray::fromHex("0000000d06000000010000400000004000");
        QTest::newRow("cancel") << wire::encodeCancel(2, 0, 0x4000)
                                << QByteArray::fromHex("0000000d08000000020000000000004000");
        QTest::newRow("piece") << wire::encodePiece(3, 0x10, QByteArray("abc"))
                               << QByteArray::fromHex("0000000c070000000300000010616263");
        QTest::newRow("port") << wire::encodePort(6881) << QByteArray::fromHex("00000003091ae1");
        QTest::newRow("unknown") << wire::encodeMessage(WireMessage::unknown(20, "d1:ai1ee"))
                                 << QByteArray(QByteArray::fromHex("0000000914") + "d1:ai1ee");
    }
    void encoders_writeExactBytes() {
        QFETCH(QByteArray, encoded);
        QFETCH(QByteArray, expected);
        QCOMPARE(encoded.toHex(), expected.toHex());
    }

    void roundTrip_everyMessage_data() {
        QTest::addColumn<WireMessage>("message");
        Bitfield bits(10);
        bits.setBit(3);
        bits.setBit(9);
        QTest::newRow("keep-alive") << WireMessage::keepAlive();
        QTest::newRow("choke") << WireMessage::simple(MessageType::Choke);
        QTest::newRow("unchoke") << WireMessage::simple(MessageType::Unchoke);
        QTest::newRow("interested") << WireMessage::simple(MessageType::Interested);
        QTest::newRow("not interested") << WireMessage::simple(MessageType::NotInterested);
        QTest::newRow("have first") << WireMessage::have(0);
        QTest::newRow("have last") << WireMessage::have(9);
        QTest::newRow("bitfield") << WireMessage::bitfield(bits.toWire());
        QTest::newRow("request") << WireMessage::request(2, 16384, 16384);
        QTest::newRow("request tail") << WireMessage::request(9, 0, 10000);
        QTest::newRow("request one byte") << WireMessage::request(9, 9999, 1);
        QTest::newRow("piece 16 KiB") << WireMessage::piece(1, 16384, block(16384, 1));
        QTest::newRow("piece tail") << WireMessage::piece(9, 8192, block(10000 - 8192, 2));
        QTest::newRow("cancel") << WireMessage::cancel(4, 0, 16384);
        QTest::newRow("port") << WireMessage::portMessage(51413);
        QTest::newRow("unknown 13 (suggest)") << WireMessage::unknown(13, QByteArray::fromHex("00000003"));
        QTest::newRow("unknown 14 (have all)") << WireMessage::unknown(14, {});
        QTest::newRow("unknown 17 (allowed fast)")
            << WireMessage::unknown(17, QByteArray::fromHex("00000001"));
        QTest::newRow("unknown 20 (extended)")
            << WireMessage::unknown(20, QByteArray("\0d1:md11:ut_metadatai3eee", 25));
        QTest::newRow("unknown 255") << WireMessage::unknown(255, QByteArray(100, 'x'));
    }
    void roundTrip_everyMessage() {
        QFETCH(WireMessage, message);
        const QByteArray encoded = wire::encodeMessage(message);
        MessageFramer framer;
        framer.setGeometry(sampleGeometry());
        const MessageFramer::Step step = framer.feed(encoded);
        QCOMPARE(step.status, MessageFramer::Step::Status::Message);
        QCOMPARE(step.consumed, encoded.size());
        QCOMPARE(step.message, message);
        QVERIFY(framer.isAtMessageBoundary());
        QCOMPARE(framer.bufferedBytes(), 0);
    }

    void encodeMessage_matchesSpecificEncoders() {
        QCOMPARE(wire::encodeMessage(WireMessage::have(7)), wire::encodeHave(7));
        QCOMPARE(wire::encodeMessage(WireMessage::request(1, 2, 3)), wire::encodeRequest(1, 2, 3));
        QCOMPARE(wire::encodeMessage(WireMessage::cancel(1, 2, 3)), wire::encodeCancel(1, 2, 3));
        QCOMPARE(wire::encodeMessage(WireMessage::portMessage(80)), wire::encodePort(80));
        const QByteArray b = block(500, 3);
        QCOMPARE(wire::encodeMessage(WireMessage::piece(1, 2, b)), wire::encodePiece(1, 2, b));
    }

    void appendPieceFrame_letsTheCallerFillTheBlockInPlace() {
        const QByteArray b = block(16384, 9);
        QByteArray out = wire::encodeHave(1); // frames can be batched into one buffer
        char* at = wire::appendPieceFrame(out, 5, 32768, b.size());
        QCOMPARE(at, out.data() + out.size() - b.size());
        std::memcpy(at, b.constData(), size_t(b.size()));
        QCOMPARE(out, QByteArray(wire::encodeHave(1) + wire::encodePiece(5, 32768, b)));
    }

    void validate_acceptsEdgesOfThePiece() {
        const TorrentGeometry g = sampleGeometry();
        QCOMPARE(g.pieceCount, 10);
        QCOMPARE(g.pieceSize(9), 10000);
        QCOMPARE(g.pieceSize(10), 0);
        QVERIFY(validateMessage(WireMessage::request(0, 32768 - 16384, 16384), g).ok());
        QVERIFY(validateMessage(WireMessage::request(9, 10000 - 1, 1), g).ok());
        QVERIFY(!validateMessage(WireMessage::request(9, 10000 - 1, 2), g).ok());
        QVERIFY(validateMessage(WireMessage::simple(MessageType::Choke), g).ok());
        const MessageCheck bad = validateMessage(WireMessage::have(10), g);
        QCOMPARE(bad.error, WireError::PieceIndexOutOfRange);
        QCOMPARE(bad.errorString(), QStringLiteral("piece index out of range (index 10 of 10 pieces)"));
    }

    void geometry_maxMessageLengthCoversLargeBitfields() {
        QCOMPARE(sampleGeometry().maxMessageLength(), wire::kMaxPieceMessageLength);
        const TorrentGeometry huge = TorrentGeometry::fromSizes(qint64(400000) * 16384, 16384);
        QCOMPARE(huge.pieceCount, 400000);
        QCOMPARE(huge.maxMessageLength(), quint32(1 + 50000));
        QVERIFY(!TorrentGeometry::fromSizes(0, 16384).isValid());
        QVERIFY(!TorrentGeometry::fromSizes(100, 0).isValid());
    }

    void geometry_fromSizesNearInt64MaxDoesNotOverflow() {
        constexpr qint64 kMax = std::numeric_limits<qint64>::max();
        // ceil(INT64_MAX / 2^40) = 2^23 pieces; the last is one byte short of a full piece.
        const TorrentGeometry big = TorrentGeometry::fromSizes(kMax, qint64(1) << 40);
        QVERIFY(big.isValid());
        QCOMPARE(big.pieceCount, 1 << 23);
        QCOMPARE(big.pieceSize(big.pieceCount - 1), (qint64(1) << 40) - 1);
        QCOMPARE(big.pieceSize(0), qint64(1) << 40);
        const TorrentGeometry one = TorrentGeometry::fromSizes(kMax, kMax);
        QCOMPARE(one.pieceCount, 1);
        QCOMPARE(one.pieceSize(0), kMax);
        QCOMPARE(TorrentGeometry::fromSizes(kMax - 1, kMax).pieceCount, 1);
        QCOMPARE(TorrentGeometry::fromSizes(kMax, kMax - 1).pieceCount, 2);
        QCOMPARE(TorrentGeometry::fromSizes(kMax, kMax - 1).pieceSize(1), qint64(1));
        // More pieces than an int holds: refused, not wrapped.
        QVERIFY(!TorrentGeometry::fromSizes(kMax, 16384).isValid());
        QVERIFY(!TorrentGeometry::fromSizes(kMax, 1).isValid());
    }
};

std::unique_ptr<QObject> swarmscope::createMessageTests() {
    return std::make_unique<TestMessages>();
}

#include "tst_messages.moc"
