#include "StorageTestUtil.h"
#include "StorageTests.h"
#include "bencode/Bencode.h"
#include "storage/ResumeData.h"
#include "storage/TorrentStorage.h"

#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::storagetest;

namespace {

// Files {1000, 0, 120000, 7, 178993} in 16 KiB pieces: 19 pieces; file 2 holds pieces 0..7, file 3 piece 7,
// file 4 pieces 7..18.
struct ResumeFixture {
    QTemporaryDir dir;
    QByteArray content = randomBytes(300'000, 21);
    Metainfo metainfo = makeMetainfo(QStringLiteral("r"), {1000, 0, 120'000, 7, 178'993}, 16384, content);
    QString resumePath() const { return dir.path() + QStringLiteral("/r.resume"); }
};

void writeResume(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(bytes), bytes.size());
}

} // namespace

class TestResumeData : public QObject {
    Q_OBJECT
private slots:
    void roundTripsThroughAFile() {
        ResumeFixture f;
        QVERIFY(writeContent(f.dir.path(), f.metainfo, f.content));
        TorrentStorage storage(f.metainfo, f.dir.path());
        QBitArray verified = storage.verifyAll();
        verified.clearBit(4); // pretend piece 4 was never downloaded
        QVERIFY(ResumeData::capture(storage, verified).save(f.resumePath()).ok());
        QVERIFY(!QFileInfo::exists(f.resumePath() + QStringLiteral(".tmp")));

        const ResumeLoadResult loaded = ResumeData::load(f.resumePath(), storage);
        QVERIFY2(loaded.status.ok(), qPrintable(loaded.status.message));
        QCOMPARE(loaded.pieces, verified);
        QCOMPARE(loaded.droppedPieces, 0);
    }

    void encodesAndDecodesAnyBitfield_data() {
        QTest::addColumn<int>("pieces");
        for (int n : {0, 1, 7, 8, 9, 63, 1000})
            QTest::newRow(qPrintable(QStringLiteral("%1 pieces").arg(n))) << n;
    }
    void encodesAndDecodesAnyBitfield() {
        QFETCH(int, pieces);
        ResumeData data;
        data.infoHash = QByteArray(20, '\x5a');
        data.pieces = QBitArray(pieces);
        for (int i = 0; i < pieces; ++i)
            data.pieces.setBit(i, (i * 7) % 3 == 0);
        data.files = {FileStamp{123, 456'789'012'345}, FileStamp{-1, 0}, FileStamp{0, -5}};
        const ResumeDecodeResult decoded = ResumeData::decode(data.encode());
        QVERIFY2(decoded.status.ok(), qPrintable(decoded.status.message));
        QCOMPARE(decoded.data->infoHash, data.infoHash);
        QCOMPARE(decoded.data->pieces, data.pieces);
        QCOMPARE(decoded.data->files, data.files);
    }

    void bitfieldUsesWireOrder() {
        ResumeData data;
        data.infoHash = QByteArray(20, '\0');
        data.pieces = QBitArray(10);
        data.pieces.setBit(0);
        data.pieces.setBit(9);
        const auto decoded = bencodeDecode(data.encode());
        QVERIFY(decoded.ok());
        QCOMPARE(decoded.value->find("pieces")->toByteArray(), QByteArray("\x80\x40", 2));
    }

    void dropsPiecesOfAChangedFile_data() {
        QTest::addColumn<QString>("change");
        QTest::addColumn<int>("file");
        QTest::addColumn<int>("first");
        QTest::addColumn<int>("end");
        QTest::newRow("mtime of a big file") << QStringLiteral("mtime") << 2 << 0 << 8;
        QTest::newRow("mtime of the 7-byte file") << QStringLiteral("mtime") << 3 << 7 << 8;
        QTest::newRow("size") << QStringLiteral("size") << 4 << 7 << 19;
        QTest::newRow("removed") << QStringLiteral("remove") << 0 << 0 << 1;
    }
    void dropsPiecesOfAChangedFile() {
        QFETCH(QString, change);
        QFETCH(int, file);
        QFETCH(int, first);
        QFETCH(int, end);
        ResumeFixture f;
        QVERIFY(writeContent(f.dir.path(), f.metainfo, f.content));
        TorrentStorage storage(f.metainfo, f.dir.path());
        const QBitArray verified = storage.verifyAll();
        QCOMPARE(verified.count(true), 19);
        QVERIFY(ResumeData::capture(storage, verified).save(f.resumePath()).ok());

        const QString path = storage.filePath(file);
        if (change == u"mtime") {
            QFile touched(path);
            QVERIFY(touched.open(QIODevice::ReadWrite));
            const QDateTime mtime = touched.fileTime(QFileDevice::FileModificationTime);
            QVERIFY(touched.setFileTime(mtime.addSecs(-3600), QFileDevice::FileModificationTime));
        } else if (change == u"size") {
            QVERIFY(QFile::resize(path, f.metainfo.files[file].length + 1));
        } else {
            QVERIFY(QFile::remove(path));
        }

        const ResumeLoadResult loaded = ResumeData::load(f.resumePath(), storage);
        QVERIFY2(loaded.status.ok(), qPrintable(loaded.status.message));
        QCOMPARE(loaded.droppedPieces, end - first);
        for (int piece = 0; piece < 19; ++piece)
            QVERIFY2(loaded.pieces.testBit(piece) == (piece < first || piece >= end),
                     qPrintable(QStringLiteral("piece %1").arg(piece)));
    }

    void corruptResumeFileCountsAsAbsent_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("phrase");
        ResumeFixture f;
        ResumeData good;
        good.infoHash = f.metainfo.infoHash;
        good.pieces = QBitArray(19, true);
        for (int i = 0; i < 5; ++i)
            good.files.append(FileStamp{0, 0});
        const QByteArray valid = good.encode();

        const auto with = [&](const QByteArray& key, const BencodeValue& value) {
            BencodeValue root = *bencodeDecode(valid).value;
            root.insert(key, value);
            return bencodeEncode(root);
        };
        const auto without = [&](const QByteArray& key) {
            BencodeValue root = *bencodeDecode(valid).value;
            root.dictionaryRef().erase(key);
            return bencodeEncode(root);
        };
        QTest::newRow("empty") << QByteArray() << QStringLiteral("not valid bencode");
        QTest::newRow("garbage") << QByteArray("\x00\xffhello", 7) << QStringLiteral("not valid bencode");
        QTest::newRow("truncated") << valid.left(valid.size() / 2) << QStringLiteral("not valid bencode");
        QTest::newRow("a list") << QByteArray("le") << QStringLiteral("not a dictionary");
        QTest::newRow("unknown version") << with("version", 2) << QStringLiteral("version");
        QTest::newRow("no info hash") << without("info hash") << QStringLiteral("info hash");
        QTest::newRow("short info hash") << with("info hash", "abc") << QStringLiteral("info hash");
        QTest::newRow("other torrent")
            << with("info hash", QByteArray(20, 'z')) << QStringLiteral("another torrent");
        QTest::newRow("bitfield too short")
            << with("pieces", QByteArray(2, '\xff')) << QStringLiteral("bitfield");
        QTest::newRow("spare bits set")
            << with("pieces", QByteArray(3, '\xff')) << QStringLiteral("spare bits");
        QTest::newRow("piece count says 18") << with("piece count", 18) << QStringLiteral("spare bits");
        {
            BencodeValue root = *bencodeDecode(valid).value;
            root.insert("piece count", 24);
            root.insert("pieces", QByteArray(3, '\xff'));
            QTest::newRow("piece count of another torrent")
                << bencodeEncode(root) << QStringLiteral("24 pieces");
        }
        QTest::newRow("negative piece count") << with("piece count", -1) << QStringLiteral("piece count");
        QTest::newRow("files not a list") << with("files", 3) << QStringLiteral("file list");
        QTest::newRow("file entry without mtime")
            << with("files", BencodeValue::List{BencodeValue::dictionary()}) << QStringLiteral("file entry");
        QTest::newRow("too few files")
            << with("files", BencodeValue::List{}) << QStringLiteral("lists 0 files");
    }
    void corruptResumeFileCountsAsAbsent() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, phrase);
        ResumeFixture f;
        QVERIFY(writeContent(f.dir.path(), f.metainfo, f.content));
        TorrentStorage storage(f.metainfo, f.dir.path());
        writeResume(f.resumePath(), bytes);
        const ResumeLoadResult loaded = ResumeData::load(f.resumePath(), storage);
        QCOMPARE(int(loaded.status.error), int(StorageError::BadResumeData));
        QVERIFY2(loaded.status.message.contains(phrase), qPrintable(loaded.status.message));
        QVERIFY2(loaded.status.message.contains(f.resumePath()), qPrintable(loaded.status.message));
        QCOMPARE(loaded.pieces.size(), 19);
        QCOMPARE(loaded.pieces.count(true), 0);
    }

    void missingResumeFileCountsAsAbsent() {
        ResumeFixture f;
        TorrentStorage storage(f.metainfo, f.dir.path());
        const ResumeLoadResult loaded = ResumeData::load(f.resumePath(), storage);
        QCOMPARE(int(loaded.status.error), int(StorageError::FileMissing));
        QCOMPARE(loaded.pieces.size(), 19);
        QCOMPARE(loaded.pieces.count(true), 0);
    }

    void saveReportsAnUnwritablePlace() {
        ResumeFixture f;
        ResumeData data;
        data.infoHash = f.metainfo.infoHash;
        const StorageStatus status = data.save(f.dir.path() + QStringLiteral("/no/such/dir/r.resume"));
        QCOMPARE(int(status.error), int(StorageError::Io));
        QVERIFY2(status.message.contains(QStringLiteral("no/such/dir")), qPrintable(status.message));
    }

    void saveReplacesThePreviousFile() {
        ResumeFixture f;
        writeResume(f.resumePath(), "old contents");
        ResumeData data;
        data.infoHash = f.metainfo.infoHash;
        data.pieces = QBitArray(3, true);
        QVERIFY(data.save(f.resumePath()).ok());
        QCOMPARE(fileBytes(f.resumePath()), data.encode());
        QCOMPARE(QDir(f.dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("r.resume")});
    }
};

int runResumeDataTests(int argc, char** argv) {
    TestResumeData test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_resumedata.moc"
