#include "WireTestSupport.h"
#include "wire/Bitfield.h"

#include <QBitArray>
#include <QRandomGenerator>
#include <QTest>

using namespace swarmscope;

namespace {

// A reference bitfield with random bits, and the same bits in a Bitfield.
QBitArray randomBits(int size, quint32 seed, int percentSet) {
    QRandomGenerator rng(seed);
    QBitArray bits(size);
    for (int i = 0; i < size; ++i)
        bits.setBit(i, int(rng.bounded(100)) < percentSet);
    return bits;
}

Bitfield toBitfield(const QBitArray& bits) {
    Bitfield out(int(bits.size()));
    for (int i = 0; i < bits.size(); ++i)
        out.setBit(i, bits.testBit(i));
    return out;
}

} // namespace

class TestBitfield : public QObject {
    Q_OBJECT
private slots:
    void wireOrder_highBitOfFirstByteIsPieceZero() {
        Bitfield bits(10);
        bits.setBit(0);
        bits.setBit(9);
        QCOMPARE(bits.toWire(), QByteArray::fromHex("8040"));
        bits.setBit(7);
        QCOMPARE(bits.toWire(), QByteArray::fromHex("8140"));
        QCOMPARE(bits.count(), 3);
    }

    void fromWire_roundTrips() {
        const QByteArray wire = QByteArray::fromHex("a5ff0fc0");
        const std::optional<Bitfield> bits = Bitfield::fromWire(wire, 26);
        QVERIFY(bits);
        QCOMPARE(bits->size(), 26);
        QCOMPARE(bits->toWire(), wire);
        QCOMPARE(bits->count(), 4 + 8 + 4 + 2);
        QVERIFY(bits->testBit(0));
        QVERIFY(!bits->testBit(1));
        QVERIFY(bits->testBit(24));
        QVERIFY(bits->testBit(25));
    }

    void fromWire_rejectsBadBytes_data() {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("pieceCount");
        QTest::addColumn<int>("error");
        const int wrongLength = int(WireError::BitfieldWrongLength);
        const int spare = int(WireError::BitfieldSpareBits);
        QTest::newRow("one byte short") << QByteArray::fromHex("ff") << 9 << wrongLength;
        QTest::newRow("one byte long") << QByteArray::fromHex("ff8000") << 9 << wrongLength;
        QTest::newRow("empty for one piece") << QByteArray() << 1 << wrongLength;
        QTest::newRow("a byte for no pieces") << QByteArray::fromHex("00") << 0 << wrongLength;
        QTest::newRow("last spare bit") << QByteArray::fromHex("ff81") << 9 << spare;
        QTest::newRow("first spare bit") << QByteArray::fromHex("ffc0") << 9 << spare;
        QTest::newRow("seven spare bits") << QByteArray::fromHex("ff7f") << 9 << spare;
        QTest::newRow("one piece, spare") << QByteArray::fromHex("c0") << 1 << spare;
    }
    void fromWire_rejectsBadBytes() {
        QFETCH(QByteArray, wire);
        QFETCH(int, pieceCount);
        QFETCH(int, error);
        QCOMPARE(Bitfield::checkWire(wire, pieceCount), WireError(error));
        QVERIFY(!Bitfield::fromWire(wire, pieceCount));
    }

    void fromWire_acceptsExactSizes_data() {
        QTest::addColumn<int>("pieceCount");
        for (int n : {0, 1, 7, 8, 9, 63, 64, 65, 1000})
            QTest::newRow(qPrintable(QString::number(n))) << n;
    }
    void fromWire_acceptsExactSizes() {
        QFETCH(int, pieceCount);
        const Bitfield full(pieceCount, true);
        QCOMPARE(full.toWire().size(), Bitfield::wireSize(pieceCount));
        const std::optional<Bitfield> back = Bitfield::fromWire(full.toWire(), pieceCount);
        QVERIFY(back);
        QCOMPARE(*back, full);
        QCOMPARE(back->count(), pieceCount);
        QVERIFY(back->all());
        QCOMPARE(back->none(), pieceCount == 0);
    }

    void fillAndComplement_keepSpareBitsClear() {
        Bitfield bits(13, true);
        QCOMPARE(bits.toWire(), QByteArray::fromHex("fff8"));
        QVERIFY(bits.all());
        const Bitfield none = ~bits;
        QCOMPARE(none.toWire(), QByteArray::fromHex("0000"));
        QVERIFY(none.none());
        bits.fill(false);
        bits.setBit(12);
        QCOMPARE((~bits).toWire(), QByteArray::fromHex("fff0"));
        QCOMPARE((~bits).count(), 12);
        QVERIFY(Bitfield::fromWire((~bits).toWire(), 13));
    }

    void setBit_keepsCount() {
        Bitfield bits(100);
        bits.setBit(5);
        bits.setBit(5);
        QCOMPARE(bits.count(), 1);
        bits.clearBit(5);
        bits.clearBit(5);
        QCOMPARE(bits.count(), 0);
        bits.setBit(99, true);
        QVERIFY(bits.testBit(99));
        QCOMPARE(bits.count(), 1);
    }

    void iteration_matchesReference_data() {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("percentSet");
        QTest::newRow("sparse 1000") << 1000 << 2;
        QTest::newRow("dense 1000") << 1000 << 98;
        QTest::newRow("half 4099") << 4099 << 50;
        QTest::newRow("odd 77") << 77 << 30;
        QTest::newRow("none 300") << 300 << 0;
        QTest::newRow("all 300") << 300 << 100;
    }
    void iteration_matchesReference() {
        QFETCH(int, size);
        QFETCH(int, percentSet);
        const QBitArray reference = randomBits(size, quint32(size * 31 + percentSet), percentSet);
        const Bitfield bits = toBitfield(reference);
        QCOMPARE(bits.count(), int(reference.count(true)));

        QList<int> expectedSet, expectedClear, gotSet, gotClear, gotEach;
        for (int i = 0; i < size; ++i)
            (reference.testBit(i) ? expectedSet : expectedClear).append(i);
        for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1))
            gotSet.append(i);
        for (int i = bits.nextClearBit(0); i >= 0; i = bits.nextClearBit(i + 1))
            gotClear.append(i);
        bits.forEachSet([&](int i) { gotEach.append(i); });
        QCOMPARE(gotSet, expectedSet);
        QCOMPARE(gotClear, expectedClear);
        QCOMPARE(gotEach, expectedSet);
        // From every start, not only from the previous hit.
        for (int from = 0; from < size; from += 13) {
            int expected = -1;
            for (int i = from; i < size && expected < 0; ++i)
                if (reference.testBit(i))
                    expected = i;
            QCOMPARE(bits.nextSetBit(from), expected);
        }
        QCOMPARE(bits.nextSetBit(size), -1);
        QCOMPARE(bits.nextClearBit(size), -1);
    }

    void setOperations_matchReference() {
        const int size = 203;
        const QBitArray a = randomBits(size, 7, 40);
        const QBitArray b = randomBits(size, 8, 60);
        const Bitfield fa = toBitfield(a), fb = toBitfield(b);
        QCOMPARE(fa & fb, toBitfield(a & b));
        QCOMPARE(fa | fb, toBitfield(a | b));
        QCOMPARE(fa.andNot(fb), toBitfield(a & ~b));
        QCOMPARE((fa & fb).count(), int((a & b).count(true)));
        QCOMPARE(fa.hasAnyNotIn(fb), (a & ~b).count(true) > 0);
    }

    void hasAnyNotIn_isInterest() {
        Bitfield mine(70), theirs(70);
        QVERIFY(!theirs.hasAnyNotIn(mine));
        theirs.setBit(69);
        QVERIFY(theirs.hasAnyNotIn(mine));
        mine.setBit(69);
        QVERIFY(!theirs.hasAnyNotIn(mine));
        mine.fill(true);
        theirs.fill(true);
        QVERIFY(!theirs.hasAnyNotIn(mine));
    }

    void empty_isBothAllAndNone() {
        const Bitfield empty;
        QVERIFY(empty.isEmpty());
        QVERIFY(empty.all());
        QVERIFY(empty.none());
        QCOMPARE(empty.nextSetBit(0), -1);
        QCOMPARE(empty.nextClearBit(0), -1);
        QVERIFY(empty.toWire().isEmpty());
    }
};

std::unique_ptr<QObject> swarmscope::createBitfieldTests() {
    return std::make_unique<TestBitfield>();
}

#include "tst_bitfield.moc"
