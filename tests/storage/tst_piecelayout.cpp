#include "StorageTests.h"
#include "storage/PieceLayout.h"

#include <QTest>

#include <limits>

using namespace swarmscope;

namespace {

// "file@offset+length" joined by spaces; compact enough for a table.
QString describe(const QList<FileSpan>& spans) {
    QStringList parts;
    for (const FileSpan& span : spans)
        parts.append(QStringLiteral("%1@%2+%3").arg(span.fileIndex).arg(span.fileOffset).arg(span.length));
    return parts.join(u' ');
}

// The reference the layout is checked against: where byte b of the stream lives, by walking the files.
std::pair<int, qint64> locateByte(const QList<qint64>& lengths, qint64 byte) {
    for (int i = 0; i < lengths.size(); ++i) {
        if (byte < lengths[i])
            return {i, byte};
        byte -= lengths[i];
    }
    return {-1, 0};
}

} // namespace

class TestPieceLayout : public QObject {
    Q_OBJECT
private slots:
    void mapsRanges_data() {
        QTest::addColumn<QList<qint64>>("lengths");
        QTest::addColumn<qint64>("pieceLength");
        QTest::addColumn<int>("piece");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("length");
        QTest::addColumn<QString>("expected");

        using L = QList<qint64>;
        QTest::newRow("single file, first piece")
            << L{100} << qint64(32) << 0 << qint64(0) << qint64(32) << QStringLiteral("0@0+32");
        QTest::newRow("single file, middle block")
            << L{100} << qint64(32) << 1 << qint64(4) << qint64(8) << QStringLiteral("0@36+8");
        QTest::newRow("short last piece, whole")
            << L{100} << qint64(32) << 3 << qint64(0) << qint64(4) << QStringLiteral("0@96+4");
        QTest::newRow("piece crosses one boundary")
            << L{10, 30} << qint64(16) << 0 << qint64(0) << qint64(16) << QStringLiteral("0@0+10 1@0+6");
        QTest::newRow("block inside second file")
            << L{10, 30} << qint64(16) << 1 << qint64(2) << qint64(5) << QStringLiteral("1@8+5");
        QTest::newRow("block ends at boundary")
            << L{10, 30} << qint64(16) << 0 << qint64(4) << qint64(6) << QStringLiteral("0@4+6");
        QTest::newRow("block starts at boundary")
            << L{10, 30} << qint64(16) << 0 << qint64(10) << qint64(6) << QStringLiteral("1@0+6");
        QTest::newRow("piece across many files")
            << L{1, 1, 1, 1, 1, 1, 1, 1} << qint64(6) << 0 << qint64(0) << qint64(6)
            << QStringLiteral("0@0+1 1@0+1 2@0+1 3@0+1 4@0+1 5@0+1");
        QTest::newRow("last piece of many files") << L{1, 1, 1, 1, 1, 1, 1, 1} << qint64(6) << 1 << qint64(0)
                                                  << qint64(2) << QStringLiteral("6@0+1 7@0+1");
        QTest::newRow("empty file first")
            << L{0, 5} << qint64(4) << 0 << qint64(0) << qint64(4) << QStringLiteral("1@0+4");
        QTest::newRow("empty files in the middle")
            << L{3, 0, 0, 5} << qint64(8) << 0 << qint64(0) << qint64(8) << QStringLiteral("0@0+3 3@0+5");
        QTest::newRow("empty file at a piece boundary")
            << L{4, 0, 4} << qint64(4) << 1 << qint64(0) << qint64(4) << QStringLiteral("2@0+4");
        QTest::newRow("empty file last")
            << L{5, 0} << qint64(4) << 1 << qint64(0) << qint64(1) << QStringLiteral("0@4+1");
        QTest::newRow("piece longer than the torrent")
            << L{3, 2} << qint64(1024) << 0 << qint64(0) << qint64(5) << QStringLiteral("0@0+3 1@0+2");

        // Everything below must map to nothing.
        QTest::newRow("negative piece") << L{100} << qint64(32) << -1 << qint64(0) << qint64(1) << QString();
        QTest::newRow("piece past the end")
            << L{100} << qint64(32) << 4 << qint64(0) << qint64(1) << QString();
        QTest::newRow("negative offset") << L{100} << qint64(32) << 0 << qint64(-1) << qint64(2) << QString();
        QTest::newRow("zero length") << L{100} << qint64(32) << 0 << qint64(0) << qint64(0) << QString();
        QTest::newRow("negative length") << L{100} << qint64(32) << 0 << qint64(4) << qint64(-4) << QString();
        QTest::newRow("past the piece end")
            << L{100} << qint64(32) << 0 << qint64(30) << qint64(3) << QString();
        QTest::newRow("past the short last piece")
            << L{100} << qint64(32) << 3 << qint64(0) << qint64(5) << QString();
        QTest::newRow("offset at the piece end")
            << L{100} << qint64(32) << 0 << qint64(32) << qint64(1) << QString();
        QTest::newRow("overflowing sum")
            << L{100} << qint64(32) << 0 << qint64(8) << std::numeric_limits<qint64>::max() << QString();
        QTest::newRow("huge offset") << L{100} << qint64(32) << 0 << std::numeric_limits<qint64>::max()
                                     << qint64(1) << QString();
    }
    void mapsRanges() {
        QFETCH(QList<qint64>, lengths);
        QFETCH(qint64, pieceLength);
        QFETCH(int, piece);
        QFETCH(qint64, offset);
        QFETCH(qint64, length);
        QFETCH(QString, expected);
        const PieceLayout layout(lengths, pieceLength);
        QVERIFY(layout.isValid());
        QCOMPARE(describe(layout.map(piece, offset, length)), expected);
        QCOMPARE(layout.contains(piece, offset, length), !expected.isEmpty());
    }

    void countsPieces_data() {
        QTest::addColumn<QList<qint64>>("lengths");
        QTest::addColumn<qint64>("pieceLength");
        QTest::addColumn<int>("pieces");
        QTest::addColumn<qint64>("lastPieceSize");
        using L = QList<qint64>;
        QTest::newRow("exact multiple") << L{64} << qint64(16) << 4 << qint64(16);
        QTest::newRow("one byte over") << L{65} << qint64(16) << 5 << qint64(1);
        QTest::newRow("one byte under") << L{63} << qint64(16) << 4 << qint64(15);
        QTest::newRow("smaller than a piece") << L{3} << qint64(16) << 1 << qint64(3);
        QTest::newRow("split over files") << L{7, 0, 9, 1} << qint64(4) << 5 << qint64(1);
        QTest::newRow("only empty files") << L{0, 0} << qint64(4) << 0 << qint64(0);
        QTest::newRow("past 4 GiB") << L{(5LL << 30) + 1} << qint64(16 << 20) << 321 << qint64(1);
    }
    void countsPieces() {
        QFETCH(QList<qint64>, lengths);
        QFETCH(qint64, pieceLength);
        QFETCH(int, pieces);
        QFETCH(qint64, lastPieceSize);
        const PieceLayout layout(lengths, pieceLength);
        QVERIFY(layout.isValid());
        QCOMPARE(layout.pieceCount(), pieces);
        QCOMPARE(layout.pieceSize(pieces - 1), lastPieceSize);
        QCOMPARE(layout.pieceSize(pieces), qint64(0));
    }

    void rejectsInvalidLayouts_data() {
        QTest::addColumn<QList<qint64>>("lengths");
        QTest::addColumn<qint64>("pieceLength");
        using L = QList<qint64>;
        const qint64 max = std::numeric_limits<qint64>::max();
        QTest::newRow("zero piece length") << L{10} << qint64(0);
        QTest::newRow("negative piece length") << L{10} << qint64(-16);
        QTest::newRow("negative file length") << L{10, -1} << qint64(16);
        QTest::newRow("total overflows") << L{max, 1} << qint64(16);
        QTest::newRow("more pieces than an int") << L{qint64(1) << 40} << qint64(1);
    }
    void rejectsInvalidLayouts() {
        QFETCH(QList<qint64>, lengths);
        QFETCH(qint64, pieceLength);
        const PieceLayout layout(lengths, pieceLength);
        QVERIFY(!layout.isValid());
        QCOMPARE(layout.pieceCount(), 0);
        QVERIFY(layout.map(0, 0, 1).isEmpty());
        QVERIFY(layout.mapRange(0, 1).isEmpty());
    }

    void piecesOfFile_data() {
        QTest::addColumn<QList<qint64>>("lengths");
        QTest::addColumn<qint64>("pieceLength");
        QTest::addColumn<int>("file");
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("end");
        using L = QList<qint64>;
        QTest::newRow("inside one piece") << L{3, 2, 11} << qint64(8) << 1 << 0 << 1;
        QTest::newRow("across pieces") << L{3, 2, 11} << qint64(8) << 2 << 0 << 2;
        QTest::newRow("ends on a boundary") << L{8, 8} << qint64(8) << 0 << 0 << 1;
        QTest::newRow("starts on a boundary") << L{8, 8} << qint64(8) << 1 << 1 << 2;
        QTest::newRow("empty file holds no piece") << L{8, 0, 8} << qint64(8) << 1 << 0 << 0;
        QTest::newRow("no such file") << L{8} << qint64(8) << 3 << 0 << 0;
    }
    void piecesOfFile() {
        QFETCH(QList<qint64>, lengths);
        QFETCH(qint64, pieceLength);
        QFETCH(int, file);
        QFETCH(int, first);
        QFETCH(int, end);
        const auto range = PieceLayout(lengths, pieceLength).piecesOfFile(file);
        QCOMPARE(range.first, first);
        QCOMPARE(range.second, end);
    }

    // Every range of every piece of a set of awkward small layouts, against the byte-by-byte model.
    void matchesByteModelExhaustively_data() {
        QTest::addColumn<QList<qint64>>("lengths");
        using L = QList<qint64>;
        QTest::newRow("one file") << L{13};
        QTest::newRow("one byte") << L{1};
        QTest::newRow("tiny files") << L{1, 1, 2, 1};
        QTest::newRow("empty files everywhere") << L{0, 3, 0, 0, 4, 0, 1, 0};
        QTest::newRow("uneven") << L{5, 0, 17, 1, 0, 9, 3};
        QTest::newRow("empty then one") << L{0, 0, 0, 6};
    }
    void matchesByteModelExhaustively() {
        QFETCH(QList<qint64>, lengths);
        qint64 total = 0;
        for (qint64 length : lengths)
            total += length;
        for (qint64 pieceLength = 1; pieceLength <= total + 2; ++pieceLength) {
            const PieceLayout layout(lengths, pieceLength);
            QVERIFY(layout.isValid());
            QCOMPARE(layout.totalSize(), total);
            qint64 covered = 0;
            for (int piece = 0; piece < layout.pieceCount(); ++piece) {
                const qint64 size = layout.pieceSize(piece);
                QCOMPARE(layout.pieceOffset(piece), covered);
                covered += size;
                for (qint64 offset = 0; offset < size; ++offset) {
                    for (qint64 length = 1; offset + length <= size; ++length) {
                        const QList<FileSpan> spans = layout.map(piece, offset, length);
                        qint64 byte = qint64(piece) * pieceLength + offset;
                        for (const FileSpan& span : spans) {
                            QVERIFY(span.length > 0);
                            QVERIFY(span.fileOffset + span.length <= lengths[span.fileIndex]);
                            for (qint64 k = 0; k < span.length; ++k, ++byte) {
                                const auto [file, inFile] = locateByte(lengths, byte);
                                if (file != span.fileIndex || inFile != span.fileOffset + k)
                                    QFAIL(qPrintable(
                                        QStringLiteral("piece length %1, piece %2, offset %3, length %4: "
                                                       "byte %5 mapped wrong (%6)")
                                            .arg(pieceLength)
                                            .arg(piece)
                                            .arg(offset)
                                            .arg(length)
                                            .arg(byte)
                                            .arg(describe(spans))));
                            }
                        }
                        QCOMPARE(byte, qint64(piece) * pieceLength + offset + length);
                    }
                    QVERIFY(layout.map(piece, offset, size - offset + 1).isEmpty());
                }
            }
            QCOMPARE(covered, total);
            // A file's piece range is exactly the pieces whose bytes the model puts in it.
            for (int file = 0; file < lengths.size(); ++file) {
                const auto [first, end] = layout.piecesOfFile(file);
                for (int piece = 0; piece < layout.pieceCount(); ++piece) {
                    bool holds = false;
                    for (qint64 b = layout.pieceOffset(piece);
                         b < layout.pieceOffset(piece) + layout.pieceSize(piece); ++b)
                        holds = holds || locateByte(lengths, b).first == file;
                    QCOMPARE(piece >= first && piece < end, holds);
                }
            }
        }
    }

    void fileOffsetsAreComputed() {
        const PieceLayout layout({4, 0, 6, 2}, 3);
        QCOMPARE(layout.fileCount(), 4);
        QCOMPARE(layout.fileOffset(0), qint64(0));
        QCOMPARE(layout.fileOffset(1), qint64(4));
        QCOMPARE(layout.fileOffset(2), qint64(4));
        QCOMPARE(layout.fileOffset(3), qint64(10));
        QCOMPARE(layout.fileLength(2), qint64(6));
        QCOMPARE(describe(layout.mapRange(3, 8)), QStringLiteral("0@3+1 2@0+6 3@0+1"));
    }
};

int runPieceLayoutTests(int argc, char** argv) {
    TestPieceLayout test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_piecelayout.moc"
