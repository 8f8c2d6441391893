#include "WireTestSupport.h"
#include "wire/Bitfield.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"

#include <QRandomGenerator>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::wiretest;

namespace {

// 10 pieces of 32 KiB, the last one 10,000 bytes: a bitfield of 2 bytes with 6 spare bits.
TorrentGeometry sampleGeometry() {
    return TorrentGeometry::fromSizes(9 * 32768 + 10000, 32768);
}

MessageFramer sampleFramer() {
    MessageFramer framer;
    framer.setGeometry(sampleGeometry());
    return framer;
}

QByteArray block(qsizetype size, char seed) {
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(seed ^ (i * 13));
    return out;
}

// One of every message, the way a peer would send them, including ids we do not speak.
QList<WireMessage> everyMessage() {
    Bitfield bits(10);
    bits.setBit(0);
    bits.setBit(8);
    return {
        WireMessage::bitfield(bits.toWire()),
        WireMessage::keepAlive(),
        WireMessage::simple(MessageType::Interested),
        WireMessage::simple(MessageType::Unchoke),
        WireMessage::request(2, 0, 16384),
        WireMessage::piece(2, 0, block(16384, 5)),
        WireMessage::have(3),
        WireMessage::unknown(20, QByteArray("\0d1:md6:ut_pexi1eee", 19)),
        WireMessage::portMessage(6881),
        WireMessage::simple(MessageType::Choke),
        WireMessage::unknown(14, {}),
        WireMessage::cancel(9, 0, 10000),
        WireMessage::piece(9, 9000, block(1000, 7)),
        WireMessage::simple(MessageType::NotInterested),
        WireMessage::unknown(13, QByteArray::fromHex("00000001")),
        WireMessage::keepAlive(),
    };
}

QByteArray encodeAll(const QList<WireMessage>& messages) {
    QByteArray out;
    for (const WireMessage& m : messages)
        out += wire::encodeMessage(m);
    return out;
}

} // namespace

class TestFramer : public QObject {
    Q_OBJECT
private slots:
    void stream_sameResultForAnyChunking_data() {
        QTest::addColumn<qsizetype>("sliceSize");
        QTest::newRow("whole") << qsizetype(0);
        QTest::newRow("1-byte") << qsizetype(1);
        QTest::newRow("7-byte") << qsizetype(7);
        QTest::newRow("4096-byte") << qsizetype(4096);
    }
    void stream_sameResultForAnyChunking() {
        QFETCH(qsizetype, sliceSize);
        const QList<WireMessage> expected = everyMessage();
        const FramedStream framed = frameInSlices(encodeAll(expected), sliceSize, sampleFramer());
        QCOMPARE(framed.error, WireError::None);
        QCOMPARE(framed.messages, expected);
    }

    void stream_sameResultAtEverySplitPoint() {
        const QList<WireMessage> expected = everyMessage();
        const QByteArray stream = encodeAll(expected);
        const MessageFramer framer = sampleFramer();
        for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
            const FramedStream framed = frameWithCuts(stream, {cut}, framer);
            if (framed.error != WireError::None || framed.messages != expected)
                QFAIL(qPrintable(QStringLiteral("split at %1 gives a different result").arg(cut)));
        }
    }

    void feed_stopsAfterEachMessage() {
        const QByteArray stream = wire::encodeHave(1) + wire::encodeHave(2);
        MessageFramer framer = sampleFramer();
        MessageFramer::Step step = framer.feed(stream);
        QVERIFY(step.hasMessage());
        QCOMPARE(step.consumed, 9);
        QCOMPARE(step.message, WireMessage::have(1));
        step = framer.feed(QByteArrayView(stream).sliced(9));
        QCOMPARE(step.message, WireMessage::have(2));
        step = framer.feed({});
        QCOMPARE(step.status, MessageFramer::Step::Status::NeedMoreData);
    }

    void badInput_givesExactReason_data() {
        QTest::addColumn<QByteArray>("stream");
        QTest::addColumn<int>("error");
        QTest::addColumn<bool>("withGeometry");
        const auto frame = [](quint32 length, const QByteArray& body) -> QByteArray {
            return be32(length) + body;
        };
        const auto fields = [](std::initializer_list<quint32> values) {
            QByteArray out;
            for (quint32 v : values)
                out += be32(v);
            return out;
        };
        const int tooLong = int(WireError::MessageTooLong);
        const int badLength = int(WireError::BadMessageLength);
        const int blockTooLong = int(WireError::BlockTooLong);
        const int emptyBlock = int(WireError::EmptyBlock);
        const int badIndex = int(WireError::PieceIndexOutOfRange);
        const int badBlock = int(WireError::BlockOutOfRange);
        const int bitfieldLength = int(WireError::BitfieldWrongLength);
        const int spareBits = int(WireError::BitfieldSpareBits);
        const QByteArray have = QByteArray(1, 4), request = QByteArray(1, 6), piece = QByteArray(1, 7),
                         cancel = QByteArray(1, 8), bitfield = QByteArray(1, 5);

        QTest::newRow("length 0xFFFFFFFF") << be32(0xFFFFFFFF) << tooLong << true;
        QTest::newRow("length 2^20") << be32(1 << 20) << tooLong << true;
        QTest::newRow("length 2^20 no geometry") << be32(1 << 20) << tooLong << false;
        QTest::newRow("length one over a full piece") << be32(16384 + 9 + 1) << tooLong << true;
        QTest::newRow("choke with payload") << frame(2, QByteArray::fromHex("0000")) << badLength << true;
        QTest::newRow("unchoke with payload")
            << frame(5, QByteArray::fromHex("0100000000")) << badLength << true;
        QTest::newRow("interested with payload")
            << frame(2, QByteArray::fromHex("0200")) << badLength << true;
        QTest::newRow("not interested with payload")
            << frame(2, QByteArray::fromHex("0300")) << badLength << true;
        QTest::newRow("have short") << frame(4, have + QByteArray(3, '\0')) << badLength << true;
        QTest::newRow("have long") << frame(6, have + fields({1}) + "x") << badLength << true;
        QTest::newRow("request short")
            << frame(12, request + fields({1, 0}) + QByteArray(3, '\0')) << badLength << true;
        QTest::newRow("request long")
            << frame(14, request + fields({1, 0, 16384}) + "x") << badLength << true;
        QTest::newRow("cancel short") << frame(9, cancel + fields({1, 0})) << badLength << true;
        QTest::newRow("port short") << frame(2, QByteArray::fromHex("0900")) << badLength << true;
        QTest::newRow("piece without begin") << frame(5, piece + fields({1})) << badLength << true;
        QTest::newRow("piece empty block") << frame(9, piece + fields({1, 0})) << emptyBlock << true;
        QTest::newRow("request 16385 bytes")
            << frame(13, request + fields({1, 0, 16385})) << blockTooLong << true;
        QTest::newRow("request 16385 no geometry")
            << frame(13, request + fields({1, 0, 16385})) << blockTooLong << false;
        QTest::newRow("request 4 GiB")
            << frame(13, request + fields({1, 0, 0xFFFFFFFF})) << blockTooLong << true;
        QTest::newRow("request length 0") << frame(13, request + fields({1, 0, 0})) << emptyBlock << true;
        QTest::newRow("request length 0 no geometry")
            << frame(13, request + fields({1, 0, 0})) << emptyBlock << false;
        QTest::newRow("cancel 16385 bytes")
            << frame(13, cancel + fields({1, 0, 16385})) << blockTooLong << true;
        QTest::newRow("have index == pieces") << frame(5, have + fields({10})) << badIndex << true;
        QTest::newRow("have index max") << frame(5, have + fields({0xFFFFFFFF})) << badIndex << true;
        QTest::newRow("request index == pieces")
            << frame(13, request + fields({10, 0, 16384})) << badIndex << true;
        QTest::newRow("cancel index == pieces")
            << frame(13, cancel + fields({10, 0, 16384})) << badIndex << true;
        QTest::newRow("piece index == pieces")
            << frame(9 + 4, piece + fields({10, 0}) + "abcd") << badIndex << true;
        QTest::newRow("request past piece end")
            << frame(13, request + fields({0, 16385, 16384})) << badBlock << true;
        QTest::newRow("request past last piece")
            << frame(13, request + fields({9, 8192, 16384 - 8192 + 1})) << badBlock << true;
        QTest::newRow("request begin 2^32-1")
            << frame(13, request + fields({0, 0xFFFFFFFF, 16384})) << badBlock << true;
        QTest::newRow("piece past last piece")
            << frame(9 + 4, piece + fields({9, 9998}) + "abcd") << badBlock << true;
        QTest::newRow("bitfield too short") << frame(2, bitfield + "\xff") << bitfieldLength << true;
        QTest::newRow("bitfield too long")
            << frame(4, bitfield + QByteArray::fromHex("ffc000")) << bitfieldLength << true;
        QTest::newRow("bitfield empty") << frame(1, bitfield) << bitfieldLength << true;
        QTest::newRow("bitfield spare bits") << frame(3, bitfield + "\xff\xe0") << spareBits << true;
        QTest::newRow("bitfield last spare bit")
            << frame(3, bitfield + QByteArray::fromHex("0001")) << spareBits << true;
    }
    void badInput_givesExactReason() {
        QFETCH(QByteArray, stream);
        QFETCH(int, error);
        QFETCH(bool, withGeometry);
        const MessageFramer framer = withGeometry ? sampleFramer() : MessageFramer();
        // A good message first: the error must not depend on where in the stream it comes.
        const QByteArray input = wire::encodeSimple(MessageType::Interested) + stream;
        for (qsizetype slice : {qsizetype(0), qsizetype(1), qsizetype(7)}) {
            const FramedStream framed = frameInSlices(input, slice, framer);
            QCOMPARE(framed.error, WireError(error));
            QCOMPARE(framed.messages.size(), 1);
            QVERIFY(framed.errorString.startsWith(wireErrorDescription(WireError(error))));
            QVERIFY2(framed.errorString.contains(QLatin1Char('(')), qPrintable(framed.errorString));
        }
    }

    void hugeLengthPrefix_isRefusedBeforeAnyPayloadIsBuffered() {
        MessageFramer framer = sampleFramer();
        const QByteArray attack = be32(0xFFFFFFFF) + QByteArray(1 << 16, 'x');
        const MessageFramer::Step step = framer.feed(attack);
        QVERIFY(step.isError());
        QCOMPARE(step.consumed, 4); // nothing after the length prefix was read
        QCOMPARE(framer.error(), WireError::MessageTooLong);
        QCOMPARE(framer.errorString(),
                 QStringLiteral("message length over the limit (length 4294967295, limit 16393)"));
        QVERIFY(framer.bufferedBytes() <= 4);
    }

    void wrongBitfieldLength_isRefusedFromItsHeader() {
        MessageFramer framer = sampleFramer();
        const MessageFramer::Step step =
            framer.feed(QByteArray(be32(1 + 1000) + QByteArray(1, 5) + QByteArray(1000, '\0')));
        QVERIFY(step.isError());
        QCOMPARE(step.consumed, 5);
        QCOMPARE(framer.error(), WireError::BitfieldWrongLength);
    }

    void buffering_neverExceedsOneMessage() {
        MessageFramer framer = sampleFramer();
        const QByteArray stream = encodeAll(everyMessage());
        qsizetype most = 0;
        for (qsizetype at = 0; at < stream.size();) {
            const MessageFramer::Step step =
                framer.feed(QByteArrayView(stream).sliced(at, qMin<qsizetype>(3, stream.size() - at)));
            QVERIFY(!step.isError());
            at += step.consumed;
            most = qMax(most, framer.bufferedBytes());
        }
        QVERIFY(most <= qsizetype(framer.maxMessageLength()) + 4);
        QVERIFY(most >= 16384); // the 16 KiB block was held, once
        QVERIFY(framer.isAtMessageBoundary());
    }

    void largeTorrent_raisesTheLimitForItsBitfield() {
        const TorrentGeometry huge = TorrentGeometry::fromSizes(qint64(200000) * 16384, 16384);
        MessageFramer framer;
        QCOMPARE(framer.maxMessageLength(), wire::kMaxPieceMessageLength);
        framer.setGeometry(huge);
        QCOMPARE(framer.maxMessageLength(), quint32(1 + 25000));
        Bitfield bits(200000, true);
        const FramedStream framed = frameInSlices(wire::encodeBitfield(bits), 1000, framer);
        QCOMPARE(framed.error, WireError::None);
        QCOMPARE(framed.messages.size(), 1);
        QCOMPARE(Bitfield::fromWire(framed.messages[0].payload, 200000)->count(), 200000);
        // The raised limit is for the bitfield only: a piece may still carry at most 16 KiB.
        const QByteArray bigPiece = be32(9 + 16385) + QByteArray(1, 7) + be32(0) + be32(0);
        QCOMPARE(frameInSlices(bigPiece, 0, framer).error, WireError::BlockTooLong);
    }

    void randomGarbage_neverOverBuffers() {
        // Valid-looking length prefixes followed by random bytes: every outcome is a message or a clean
        // error.
        QRandomGenerator rng(99);
        for (int round = 0; round < 3000; ++round) {
            QByteArray stream = be32(rng.bounded(40)) + QByteArray(1, char(rng.bounded(12)));
            const int extra = rng.bounded(60);
            for (int i = 0; i < extra; ++i)
                stream += char(rng.bounded(256));
            MessageFramer framer = sampleFramer();
            for (qsizetype at = 0; at < stream.size() && !framer.hasFailed();) {
                const MessageFramer::Step step = framer.feed(QByteArrayView(stream).sliced(at, 1));
                QVERIFY(step.consumed <= 1);
                at += qMax<qsizetype>(step.consumed, 1);
                QVERIFY(framer.bufferedBytes() <= qsizetype(framer.maxMessageLength()) + 4);
            }
            if (framer.hasFailed())
                QVERIFY(!framer.errorString().isEmpty());
        }
    }

    void afterAnError_feedStaysFailedUntilReset() {
        MessageFramer framer = sampleFramer();
        QVERIFY(framer.feed(be32(1 << 20)).isError());
        const MessageFramer::Step again = framer.feed(wire::encodeHave(1));
        QVERIFY(again.isError());
        QCOMPARE(again.consumed, 0);
        framer.reset();
        QVERIFY(!framer.hasFailed());
        QCOMPARE(framer.feed(wire::encodeHave(1)).message, WireMessage::have(1));
    }

    void partialMessage_isNotAtBoundary() {
        MessageFramer framer = sampleFramer();
        QVERIFY(framer.isAtMessageBoundary());
        const QByteArray have = wire::encodeHave(1);
        QCOMPARE(framer.feed(have.left(6)).status, MessageFramer::Step::Status::NeedMoreData);
        QVERIFY(!framer.isAtMessageBoundary());
        QVERIFY(framer.feed(have.mid(6)).hasMessage());
        QVERIFY(framer.isAtMessageBoundary());
    }
};

std::unique_ptr<QObject> swarmscope::createFramerTests() {
    return std::make_unique<TestFramer>();
}

#include "tst_framer.moc"
