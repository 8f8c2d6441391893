#include "StorageTestUtil.h"
#include "StorageTests.h"
#include "storage/TorrentStorage.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <limits>
#include <random>
#include <thread>

#include <sys/stat.h>

using namespace swarmscope;
using namespace swarmscope::storagetest;

namespace {

// Awkward on purpose: empty files at the start, middle and end, a one-byte file, pieces crossing several
// files.
const QList<qint64> AwkwardLengths{0, 5, 0, 17, 1, 0, 40, 3, 0};

struct Fixture {
    QTemporaryDir dir;
    QByteArray content;
    Metainfo metainfo;
};

void writeAllInRandomBlocks(TorrentStorage& storage, const QByteArray& content, quint32 seed) {
    std::mt19937 rng(seed);
    const PieceLayout& layout = storage.layout();
    QList<int> order;
    for (int i = 0; i < layout.pieceCount(); ++i)
        order.append(i);
    std::shuffle(order.begin(), order.end(), rng);
    for (int piece : order) {
        const qint64 size = layout.pieceSize(piece);
        for (qint64 offset = 0; offset < size;) {
            const qint64 length = std::min<qint64>(size - offset, 1 + rng() % 9);
            const StorageStatus status =
                storage.writeBlock(piece, offset, content.mid(layout.pieceOffset(piece) + offset, length));
            QVERIFY2(status.ok(), qPrintable(status.message));
            offset += length;
        }
    }
}

} // namespace

class TestTorrentStorage : public QObject {
    Q_OBJECT
private slots:
    void roundTripsAcrossFileBoundaries_data() {
        QTest::addColumn<qint64>("pieceLength");
        QTest::newRow("1-byte pieces") << qint64(1);
        QTest::newRow("7-byte pieces") << qint64(7);
        QTest::newRow("16-byte pieces") << qint64(16);
        QTest::newRow("one piece for all") << qint64(1000);
    }
    void roundTripsAcrossFileBoundaries() {
        QFETCH(qint64, pieceLength);
        QTemporaryDir dir;
        const QByteArray content = randomBytes(66, 7);
        const Metainfo m = makeMetainfo(QStringLiteral("multi"), AwkwardLengths, pieceLength, content);
        TorrentStorage storage(m, dir.path());
        QVERIFY2(storage.layoutStatus().ok(), qPrintable(storage.layoutStatus().message));
        const StorageStatus opened = storage.open(TorrentStorage::OpenMode::ReadWrite);
        QVERIFY2(opened.ok(), qPrintable(opened.message));

        writeAllInRandomBlocks(storage, content, 11);

        for (int piece = 0; piece < storage.pieceCount(); ++piece) {
            const auto read = storage.readBlock(piece, 0, storage.layout().pieceSize(piece));
            QVERIFY2(read.ok(), qPrintable(read.status.message));
            QCOMPARE(read.data,
                     content.mid(storage.layout().pieceOffset(piece), storage.layout().pieceSize(piece)));
            QVERIFY(storage.verifyPiece(piece));
        }
        for (int i = 0; i < m.files.size(); ++i) {
            QCOMPARE(storage.filePath(i), dir.path() + QStringLiteral("/multi/f%1.bin").arg(i));
            QCOMPARE(fileBytes(storage.filePath(i)), content.mid(m.files[i].offset, m.files[i].length));
        }
        const QBitArray all = storage.verifyAll();
        QCOMPARE(all.count(true), storage.pieceCount());
    }

    void singleFileLivesAtRootSlashName() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(100, 3);
        const Metainfo m = makeMetainfo(QStringLiteral("alone.iso"), {{QString(), 100}}, 32, content);
        TorrentStorage storage(m, dir.path());
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok());
        QCOMPARE(storage.filePath(0), dir.path() + QStringLiteral("/alone.iso"));
        for (int piece = 0; piece < 4; ++piece)
            QVERIFY(storage.writeBlock(piece, 0, content.mid(piece * 32, 32)).ok());
        QCOMPARE(fileBytes(dir.path() + QStringLiteral("/alone.iso")), content);
    }

    void openReadWriteCreatesFilesOfExactSize() {
        QTemporaryDir dir;
        const QString root = dir.path() + QStringLiteral("/not/yet/there");
        const Metainfo m = makeMetainfo(QStringLiteral("t"),
                                        {{QStringLiteral("a/b/big.bin"), 1 << 20},
                                         {QStringLiteral("empty.txt"), 0},
                                         {QStringLiteral("a/long.bin"), 10},
                                         {QStringLiteral("short.bin"), 10}},
                                        16384, randomBytes((1 << 20) + 20, 1));
        QDir().mkpath(root + QStringLiteral("/t/a"));
        QFile longer(root + QStringLiteral("/t/a/long.bin"));
        QVERIFY(longer.open(QIODevice::WriteOnly));
        longer.write(QByteArray(50, 'x'));
        longer.close();
        QFile shorter(root + QStringLiteral("/t/short.bin"));
        QVERIFY(shorter.open(QIODevice::WriteOnly));
        shorter.write(QByteArray(3, 'y'));
        shorter.close();

        TorrentStorage storage(m, root);
        const StorageStatus opened = storage.open(TorrentStorage::OpenMode::ReadWrite);
        QVERIFY2(opened.ok(), qPrintable(opened.message));
        for (int i = 0; i < m.files.size(); ++i)
            QCOMPARE(QFileInfo(storage.filePath(i)).size(), m.files[i].length);
        QCOMPARE(fileBytes(storage.filePath(3)).left(3), QByteArray("yyy")); // grown, not rewritten
        // A freshly sized file is sparse: it must not have cost a megabyte of disk.
        struct stat info {};
        QCOMPARE(::stat(QFile::encodeName(storage.filePath(0)).constData(), &info), 0);
        QVERIFY(qint64(info.st_blocks) * 512 < (1 << 20));
        // Now everything is the right size, so a seeder-style open accepts it (the hashes are another
        // matter).
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadOnly).ok());
    }

    void openReadOnlyNamesTheProblemFile_data() {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<int>("expectedError");
        QTest::addColumn<QString>("mentioned");
        QTest::newRow("missing") << QStringLiteral("remove") << int(StorageError::FileMissing)
                                 << QStringLiteral("t/f3.bin");
        QTest::newRow("too short") << QStringLiteral("shrink") << int(StorageError::WrongSize)
                                   << QStringLiteral("t/f3.bin");
        QTest::newRow("a directory") << QStringLiteral("directory") << int(StorageError::WrongSize)
                                     << QStringLiteral("t/f3.bin");
    }
    void openReadOnlyNamesTheProblemFile() {
        QFETCH(QString, damage);
        QFETCH(int, expectedError);
        QFETCH(QString, mentioned);
        QTemporaryDir dir;
        const QByteArray content = randomBytes(66, 5);
        const Metainfo m = makeMetainfo(QStringLiteral("t"), AwkwardLengths, 16, content);
        QVERIFY(writeContent(dir.path(), m, content));
        TorrentStorage storage(m, dir.path());
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadOnly).ok());
        const QString victim = storage.filePath(3);
        QVERIFY(QFile::remove(victim));
        if (damage == u"shrink") {
            QFile file(victim);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("abc");
        } else if (damage == u"directory") {
            QVERIFY(QDir().mkdir(victim));
        }
        const StorageStatus status = storage.open(TorrentStorage::OpenMode::ReadOnly);
        QCOMPARE(int(status.error), expectedError);
        QVERIFY2(status.message.contains(mentioned), qPrintable(status.message));
        QVERIFY(!storage.isOpen());
    }

    void rejectsOutOfRangeBlocks_data() {
        QTest::addColumn<int>("piece");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("length");
        // 66 bytes in 16-byte pieces: pieces 0..4, the last one 2 bytes long.
        QTest::newRow("negative piece") << -1 << qint64(0) << qint64(1);
        QTest::newRow("piece past the end") << 5 << qint64(0) << qint64(1);
        QTest::newRow("huge piece") << std::numeric_limits<int>::max() << qint64(0) << qint64(1);
        QTest::newRow("negative offset") << 0 << qint64(-1) << qint64(1);
        QTest::newRow("zero length") << 0 << qint64(0) << qint64(0);
        QTest::newRow("negative length") << 0 << qint64(0) << qint64(-1);
        QTest::newRow("past the piece end") << 1 << qint64(10) << qint64(7);
        QTest::newRow("past the short last piece") << 4 << qint64(0) << qint64(3);
        QTest::newRow("offset past the end") << 4 << qint64(2) << qint64(1);
        QTest::newRow("overflowing") << 0 << qint64(1) << std::numeric_limits<qint64>::max();
        QTest::newRow("gigantic read") << 0 << qint64(0) << (qint64(1) << 40);
    }
    void rejectsOutOfRangeBlocks() {
        QFETCH(int, piece);
        QFETCH(qint64, offset);
        QFETCH(qint64, length);
        QTemporaryDir dir;
        const QByteArray content = randomBytes(66, 5);
        const Metainfo m = makeMetainfo(QStringLiteral("t"), AwkwardLengths, 16, content);
        TorrentStorage storage(m, dir.path());
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok());

        const auto read = storage.readBlock(piece, offset, length);
        QCOMPARE(int(read.status.error), int(StorageError::OutOfRange));
        QVERIFY(read.data.isEmpty());
        QVERIFY2(read.status.message.contains(QStringLiteral("out of range")),
                 qPrintable(read.status.message));
        const QByteArray data(int(std::clamp<qint64>(length, 0, 64)), 'z');
        const StorageStatus written = storage.writeBlock(piece, offset, data.constData(), length);
        QCOMPARE(int(written.error), int(StorageError::OutOfRange));
    }

    void writeNeedsReadWrite() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(66, 5);
        const Metainfo m = makeMetainfo(QStringLiteral("t"), AwkwardLengths, 16, content);
        QVERIFY(writeContent(dir.path(), m, content));
        TorrentStorage storage(m, dir.path());
        QCOMPARE(int(storage.writeBlock(0, 0, "x").error), int(StorageError::NotWritable));
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadOnly).ok());
        QCOMPARE(int(storage.writeBlock(0, 0, "x").error), int(StorageError::NotWritable));
        QCOMPARE(storage.readBlock(0, 0, 16).data, content.left(16)); // reading is fine
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok());
        QVERIFY(storage.writeBlock(0, 0, "x").ok());
        storage.close();
        QCOMPARE(int(storage.writeBlock(0, 0, "x").error), int(StorageError::NotWritable));
    }

    void rejectsInconsistentMetainfo() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(66, 5);
        Metainfo m = makeMetainfo(QStringLiteral("t"), AwkwardLengths, 16, content);
        m.totalSize += 1;
        TorrentStorage wrongTotal(m, dir.path());
        QCOMPARE(int(wrongTotal.layoutStatus().error), int(StorageError::BadLayout));
        QCOMPARE(int(wrongTotal.open(TorrentStorage::OpenMode::ReadWrite).error),
                 int(StorageError::BadLayout));
        QCOMPARE(int(wrongTotal.readBlock(0, 0, 1).status.error), int(StorageError::BadLayout));
        QCOMPARE(wrongTotal.verifyAll().count(true), 0);

        m = makeMetainfo(QStringLiteral("t"), AwkwardLengths, 16, content);
        m.pieces.chop(20);
        QCOMPARE(int(TorrentStorage(m, dir.path()).layoutStatus().error), int(StorageError::BadLayout));

        m = makeMetainfo(QStringLiteral("t"), AwkwardLengths, 16, content);
        m.files[1].path = QStringLiteral("t/../../escape");
        QCOMPARE(int(TorrentStorage(m, dir.path()).layoutStatus().error), int(StorageError::UnsafePath));
        QVERIFY(!QFileInfo::exists(dir.path() + QStringLiteral("/../escape")));
    }

    void verifyAllAcceptsGoodData() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(300'000, 9);
        const Metainfo m =
            makeMetainfo(QStringLiteral("good"), {1000, 0, 120'000, 7, 178'993}, 16384, content);
        QVERIFY(writeContent(dir.path(), m, content));
        TorrentStorage storage(m, dir.path());
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadOnly).ok());
        int lastChecked = -1;
        int lastTotal = -1;
        const QBitArray bits = storage.verifyAll([&](int checked, int total) {
            QVERIFY(checked >= lastChecked);
            lastChecked = checked;
            lastTotal = total;
        });
        QCOMPARE(bits.size(), m.pieceCount());
        QCOMPARE(bits.count(true), m.pieceCount());
        QCOMPARE(lastChecked, m.pieceCount()); // the final report is always made
        QCOMPARE(lastTotal, m.pieceCount());
    }

    void verifyAllFailsExactlyTheCorruptPiece_data() {
        QTest::addColumn<qint64>("streamByte");
        // Files {1000, 0, 120000, 7, 178993} in 16 KiB pieces: 19 pieces.
        QTest::newRow("first byte") << qint64(0);
        QTest::newRow("last byte of the first file") << qint64(999);
        QTest::newRow("first byte of the third file") << qint64(1000);
        QTest::newRow("inside the 7-byte file, in a piece spanning three files") << qint64(121'003);
        QTest::newRow("last byte of a piece") << qint64(16383);
        QTest::newRow("first byte of a piece") << qint64(16384);
        QTest::newRow("last byte of the torrent") << qint64(299'999);
    }
    void verifyAllFailsExactlyTheCorruptPiece() {
        QFETCH(qint64, streamByte);
        QTemporaryDir dir;
        const QByteArray content = randomBytes(300'000, 9);
        const Metainfo m =
            makeMetainfo(QStringLiteral("good"), {1000, 0, 120'000, 7, 178'993}, 16384, content);
        QByteArray corrupted = content;
        corrupted[streamByte] = char(corrupted[streamByte] ^ 0x01);
        QVERIFY(writeContent(dir.path(), m, corrupted));
        TorrentStorage storage(m, dir.path());
        const QBitArray bits = storage.verifyAll();
        const int bad = int(streamByte / 16384);
        QCOMPARE(bits.count(true), m.pieceCount() - 1);
        QVERIFY(!bits.testBit(bad));
        QCOMPARE(storage.checkPiece(bad), TorrentStorage::PieceState::HashMismatch);
    }

    void verifyAllTreatsMissingAndShortFilesAsMissingPieces_data() {
        QTest::addColumn<bool>("truncate");
        QTest::newRow("missing file") << false;
        QTest::newRow("short file") << true;
    }
    void verifyAllTreatsMissingAndShortFilesAsMissingPieces() {
        QFETCH(bool, truncate);
        QTemporaryDir dir;
        const QByteArray content = randomBytes(300'000, 9);
        const Metainfo m =
            makeMetainfo(QStringLiteral("good"), {1000, 0, 120'000, 7, 178'993}, 16384, content);
        QVERIFY(writeContent(dir.path(), m, content));
        TorrentStorage storage(m, dir.path());
        // File 2 holds bytes 1000..120999: pieces 0..7.
        if (truncate)
            QVERIFY(
                QFile::resize(storage.filePath(2), 60'000)); // bytes 1000..60999 remain: pieces 0..2 whole
        else
            QVERIFY(QFile::remove(storage.filePath(2)));
        const QBitArray bits = storage.verifyAll();
        for (int piece = 0; piece < m.pieceCount(); ++piece) {
            const bool expected = piece >= 8 || (truncate && piece < 3);
            QVERIFY2(bits.testBit(piece) == expected, qPrintable(QStringLiteral("piece %1").arg(piece)));
        }
        QCOMPARE(storage.checkPiece(5), TorrentStorage::PieceState::Missing);
        const auto read = storage.readBlock(5, 0, 100);
        QVERIFY(!read.ok());
        QVERIFY2(read.status.message.contains(QStringLiteral("good/f2.bin")),
                 qPrintable(read.status.message));
    }

    void verifyAllOfNothingOnDisk() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(5000, 2);
        const Metainfo m = makeMetainfo(QStringLiteral("absent"), QList<qint64>{2000, 3000}, 1024, content);
        TorrentStorage storage(m, dir.path() + QStringLiteral("/no/such/dir"));
        QCOMPARE(storage.verifyAll().count(true), 0);
        QVERIFY(!QFileInfo::exists(dir.path() + QStringLiteral("/no"))); // checking creates nothing
    }

    void verifyAllStopsWhenCancelled() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(64 * 1024, 4);
        const Metainfo m = makeMetainfo(QStringLiteral("c"), QList<qint64>{64 * 1024}, 1024, content);
        QVERIFY(writeContent(dir.path(), m, content));
        TorrentStorage storage(m, dir.path());
        std::atomic<bool> cancel{true};
        int reportedChecked = -1;
        const QBitArray bits =
            storage.verifyAll([&](int checked, int) { reportedChecked = checked; }, &cancel);
        QCOMPARE(bits.size(), 64);
        QCOMPARE(bits.count(true), 0);
        QCOMPARE(reportedChecked, 0);
    }

    // Many files through a two-descriptor cache on several threads: eviction while another thread still reads
    // must neither crash nor mix up data.
    void verifyAllWithManyFilesAndATinyHandleCache() {
        QTemporaryDir dir;
        QList<qint64> lengths;
        std::mt19937 rng(5);
        for (int i = 0; i < 300; ++i)
            lengths.append(rng() % 3 == 0 ? 0 : 1 + rng() % 700);
        qint64 total = 0;
        for (qint64 length : lengths)
            total += length;
        const QByteArray content = randomBytes(total, 6);
        const Metainfo m = makeMetainfo(QStringLiteral("many"), lengths, 256, content);
        QVERIFY(writeContent(dir.path(), m, content));
        const auto cache = std::make_shared<FileHandleCache>(2);
        TorrentStorage storage(m, dir.path(), cache);
        for (int round = 0; round < 3; ++round)
            QCOMPARE(storage.verifyAll({}, nullptr, 4).count(true), m.pieceCount());
        QVERIFY(cache->size() <= 2);
    }

    void concurrentReadsReturnTheRightBytes() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(200'000, 8);
        const Metainfo m = makeMetainfo(QStringLiteral("r"), {70'000, 0, 30'000, 100'000}, 16384, content);
        QVERIFY(writeContent(dir.path(), m, content));
        TorrentStorage storage(m, dir.path(), std::make_shared<FileHandleCache>(1));
        std::atomic<int> wrong{0};
        std::vector<std::thread> readers;
        for (int t = 0; t < 4; ++t) {
            readers.emplace_back([&, t] {
                std::mt19937 local{quint32(t)};
                for (int i = 0; i < 2000; ++i) {
                    const int piece = int(local() % quint32(storage.pieceCount()));
                    const qint64 size = storage.layout().pieceSize(piece);
                    const qint64 offset = qint64(local() % quint64(size));
                    const qint64 length = 1 + qint64(local() % quint64(size - offset));
                    const auto read = storage.readBlock(piece, offset, length);
                    if (!read.ok() ||
                        read.data != content.mid(storage.layout().pieceOffset(piece) + offset, length))
                        ++wrong;
                }
            });
        }
        for (std::thread& reader : readers)
            reader.join();
        QCOMPARE(wrong.load(), 0);
    }

    // A piece counts only once what is on disk hashes right: blocks written, then read back by verifyPiece.
    void pieceVerifiesOnlyAfterAllOfItIsWritten() {
        QTemporaryDir dir;
        const QByteArray content = randomBytes(40'000, 12);
        const Metainfo m = makeMetainfo(QStringLiteral("p"), QList<qint64>{10'000, 30'000}, 16384, content);
        TorrentStorage storage(m, dir.path());
        QVERIFY(storage.open(TorrentStorage::OpenMode::ReadWrite).ok());
        QCOMPARE(storage.checkPiece(0),
                 TorrentStorage::PieceState::HashMismatch); // zeros from the sparse file
        QVERIFY(storage.writeBlock(0, 0, content.mid(0, 8192)).ok());
        QVERIFY(!storage.verifyPiece(0));
        QVERIFY(storage.writeBlock(0, 8192, content.mid(8192, 8192)).ok());
        QVERIFY(storage.verifyPiece(0));
        QByteArray bad = content.mid(8192, 8192);
        bad[100] = char(bad[100] + 1);
        QVERIFY(storage.writeBlock(0, 8192, bad).ok());
        QCOMPARE(storage.checkPiece(0), TorrentStorage::PieceState::HashMismatch);
        QCOMPARE(storage.checkPiece(-1), TorrentStorage::PieceState::Missing);
        QCOMPARE(storage.checkPiece(3), TorrentStorage::PieceState::Missing);
    }
};

int runTorrentStorageTests(int argc, char** argv) {
    TestTorrentStorage test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_torrentstorage.moc"
