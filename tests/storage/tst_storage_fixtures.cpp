#include "TestSupport.h"
#include "storage/TorrentStorage.h"

#include <QFile>
#include <QTest>

#include <algorithm>

using namespace swarmscope;

// The shipped WebTorrent fixtures hold each torrent's content beside it, laid out as a client would leave it
// in its download directory, so the fixtures folder itself is the download directory.
class TestStorageFixtures : public QObject {
    Q_OBJECT
private slots:
    void shippedContentVerifies_data() {
        QTest::addColumn<QString>("torrent");
        QTest::addColumn<QStringList>("expectedPaths");
        QTest::newRow("alice") << QStringLiteral("alice.torrent") << QStringList{QStringLiteral("alice.txt")};
        QTest::newRow("leaves") << QStringLiteral("leaves.torrent")
                                << QStringList{QStringLiteral("Leaves of Grass by Walt Whitman.epub")};
        QTest::newRow("folder") << QStringLiteral("folder.torrent")
                                << QStringList{QStringLiteral("folder/file.txt")};
        QTest::newRow("numbers") << QStringLiteral("numbers.torrent")
                                 << QStringList{QStringLiteral("numbers/1.txt"),
                                                QStringLiteral("numbers/2.txt"),
                                                QStringLiteral("numbers/3.txt")};
        QTest::newRow("lots-of-numbers")
            << QStringLiteral("lots-of-numbers.torrent")
            << QStringList{QStringLiteral("lots-of-numbers/big numbers/10.txt"),
                           QStringLiteral("lots-of-numbers/big numbers/11.txt"),
                           QStringLiteral("lots-of-numbers/big numbers/12.txt"),
                           QStringLiteral("lots-of-numbers/small numbers/1.txt"),
                           QStringLiteral("lots-of-numbers/small numbers/2.txt"),
                           QStringLiteral("lots-of-numbers/small numbers/3.txt")};
    }
    void shippedContentVerifies() {
        QFETCH(QString, torrent);
        QFETCH(QStringList, expectedPaths);
        const QString dir = testsupport::fixturesDir();
        QVERIFY2(!dir.isEmpty(), "the shared fixtures folder is missing");
        const QString webtorrent = dir + QStringLiteral("/webtorrent");
        const QByteArray bytes = testsupport::readAll(webtorrent + u'/' + torrent);
        QVERIFY2(!bytes.isEmpty(), qPrintable(QStringLiteral("fixture missing: ") + torrent));
        const MetainfoParseResult parsed = parseMetainfo(bytes);
        QVERIFY2(parsed.ok(), qPrintable(parsed.message));
        const Metainfo& m = *parsed.metainfo;

        TorrentStorage storage(m, webtorrent);
        QVERIFY2(storage.layoutStatus().ok(), qPrintable(storage.layoutStatus().message));
        QStringList paths;
        for (int i = 0; i < m.files.size(); ++i) {
            paths.append(m.files[i].path);
            QCOMPARE(storage.filePath(i), webtorrent + u'/' + m.files[i].path);
        }
        QCOMPARE(paths, expectedPaths);

        const StorageStatus opened = storage.open(TorrentStorage::OpenMode::ReadOnly);
        QVERIFY2(opened.ok(), qPrintable(opened.message));
        QVERIFY(m.pieceCount() > 0);
        const QBitArray bits = storage.verifyAll();
        QCOMPARE(bits.count(true), m.pieceCount());
        // And the first bytes served are the first file's first bytes.
        const qint64 n = std::min<qint64>(m.pieceSize(0), m.files[0].length);
        const auto block = storage.readBlock(0, 0, n);
        QVERIFY2(block.ok(), qPrintable(block.status.message));
        QCOMPARE(block.data, testsupport::readAll(storage.filePath(0)).left(n));
    }
};

QTEST_GUILESS_MAIN(TestStorageFixtures)
#include "tst_storage_fixtures.moc"
