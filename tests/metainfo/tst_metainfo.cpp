#include "TestSupport.h"
#include "TorrentBuilder.h"

#include "metainfo/Metainfo.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::testtorrents;

namespace {

QString webtorrentDir() {
    const QString fixtures = testsupport::fixturesDir();
    return fixtures.isEmpty() ? QString() : fixtures + QStringLiteral("/webtorrent");
}

MetainfoParseResult parseFixture(const QString& fileName) {
    return parseMetainfo(testsupport::readAll(webtorrentDir() + u'/' + fileName));
}

QByteArray sha1Of(const QByteArray& data) {
    return QCryptographicHash::hash(data, QCryptographicHash::Sha1);
}

} // namespace

class TestMetainfo : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();

    void everyFixture_parsesExceptCorrupt_data();
    void everyFixture_parsesExceptCorrupt();
    void fixture_hasKnownValues_data();
    void fixture_hasKnownValues();
    void corruptFixture_isRejectedForItsMissingName();
    void aliceInfoHash_matchesAnIndependentHashOfTheInfoBytes();
    void fixtureData_matchesThePieceHashes_data();
    void fixtureData_matchesThePieceHashes();

    void singleFile_layoutAndInfoHash();
    void multiFile_offsetsAndPaths();
    void hybrid_isReadAsV1WithPaddingFiles();
    void hybridSingleFile_isReadAsV1();
    void privateFlag_data();
    void privateFlag();
    void description_fieldsAreRead();
    void description_wrongTypesAreIgnored();
    void utf8Keys_areAFallbackOnly();
    void pieceLength_needNotBeAPowerOfTwo();
};

void TestMetainfo::initTestCase() {
    QVERIFY2(!webtorrentDir().isEmpty() && QDir(webtorrentDir()).exists(),
             "the shared fixtures (SWARMSCOPE_FIXTURES_DIR/webtorrent) are missing");
}

void TestMetainfo::everyFixture_parsesExceptCorrupt_data() {
    QTest::addColumn<QString>("fileName");
    const QStringList names = QDir(webtorrentDir()).entryList({QStringLiteral("*.torrent")}, QDir::Files);
    QVERIFY2(names.size() >= 9, "expected the nine webtorrent fixtures");
    for (const QString& name : names)
        QTest::newRow(qPrintable(name)) << name;
}

void TestMetainfo::everyFixture_parsesExceptCorrupt() {
    QFETCH(QString, fileName);
    const MetainfoParseResult result = parseFixture(fileName);
    if (fileName == QStringLiteral("corrupt.torrent")) {
        QVERIFY(!result.ok());
        return;
    }
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QCOMPARE(meta.infoHash.size(), qsizetype(20));
    QCOMPARE(meta.infoHash, sha1Of(meta.infoBytes));
    QVERIFY(!meta.files.isEmpty());
    QVERIFY(meta.totalSize > 0);
}

void TestMetainfo::fixture_hasKnownValues_data() {
    // Hashes as transmission-show reports them; sizes and counts read from the files by hand.
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QString>("infoHash");
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("pieceLength");
    QTest::addColumn<int>("pieceCount");
    QTest::addColumn<qint64>("totalSize");
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<bool>("isPrivate");
    const auto s = [](const char* text) { return QString::fromUtf8(text); };
    QTest::newRow("alice") << s("alice.torrent") << s("722fe65b2aa26d14f35b4ad627d20236e481d924")
                           << s("alice.txt") << qint64(16384) << 10 << qint64(163783)
                           << QStringList{s("alice.txt")} << false;
    QTest::newRow("bunny") << s("bunny.torrent") << s("af8f10f30bf9aefecf3686922bfa0d5bd290a395")
                           << s("bbb_sunflower_1080p_30fps_stereo_abl.mp4") << qint64(524288) << 830
                           << qint64(434839491) << QStringList{s("bbb_sunflower_1080p_30fps_stereo_abl.mp4")}
                           << true;
    QTest::newRow("folder") << s("folder.torrent") << s("b88da2caac6648e6c7d7687e3f89085f7e230e6b")
                            << s("folder") << qint64(16384) << 1 << qint64(15)
                            << QStringList{s("folder/file.txt")} << false;
    QTest::newRow("leaves") << s("leaves.torrent") << s("d2474e86c95b19b8bcfdb92bc12c9d44667cfa36")
                            << s("Leaves of Grass by Walt Whitman.epub") << qint64(16384) << 23
                            << qint64(362017) << QStringList{s("Leaves of Grass by Walt Whitman.epub")}
                            << false;
    QTest::newRow("leaves-metadata") << s("leaves-metadata.torrent")
                                     << s("d2474e86c95b19b8bcfdb92bc12c9d44667cfa36")
                                     << s("Leaves of Grass by Walt Whitman.epub") << qint64(16384) << 23
                                     << qint64(362017)
                                     << QStringList{s("Leaves of Grass by Walt Whitman.epub")} << false;
    QTest::newRow("lots-of-numbers")
        << s("lots-of-numbers.torrent") << s("114ead6243792ba56297edbb9a78dfba84d4fc00")
        << s("lots-of-numbers") << qint64(16384) << 1 << qint64(12)
        << QStringList{s("lots-of-numbers/big numbers/10.txt"),  s("lots-of-numbers/big numbers/11.txt"),
                       s("lots-of-numbers/big numbers/12.txt"),  s("lots-of-numbers/small numbers/1.txt"),
                       s("lots-of-numbers/small numbers/2.txt"), s("lots-of-numbers/small numbers/3.txt")}
        << false;
    QTest::newRow("numbers") << s("numbers.torrent") << s("89d97c2261a21b040cf11caa661a3ba7233bb7e6")
                             << s("numbers") << qint64(16384) << 1 << qint64(6)
                             << QStringList{s("numbers/1.txt"), s("numbers/2.txt"), s("numbers/3.txt")}
                             << false;
    QTest::newRow("sintel") << s("sintel.torrent") << s("c334138ef5bfc2d568ea7324e0e2a3a7ec229bdd")
                            << s("Sintel.2010.4K.DMRip.x264.DD.DTS.SRT-MaLLIeHbKa.mkv") << qint64(4194304)
                            << 1310 << qint64(5490455272)
                            << QStringList{s("Sintel.2010.4K.DMRip.x264.DD.DTS.SRT-MaLLIeHbKa.mkv")} << false;
}

void TestMetainfo::fixture_hasKnownValues() {
    QFETCH(QString, fileName);
    QFETCH(QString, infoHash);
    QFETCH(QString, name);
    QFETCH(qint64, pieceLength);
    QFETCH(int, pieceCount);
    QFETCH(qint64, totalSize);
    QFETCH(QStringList, paths);
    QFETCH(bool, isPrivate);
    const MetainfoParseResult result = parseFixture(fileName);
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QCOMPARE(meta.infoHashHex(), infoHash);
    QCOMPARE(meta.name, name);
    QCOMPARE(meta.pieceLength, pieceLength);
    QCOMPARE(meta.pieceCount(), pieceCount);
    QCOMPARE(meta.totalSize, totalSize);
    QCOMPARE(meta.isPrivate, isPrivate);
    QCOMPARE(meta.multiFile, paths.size() > 1 || paths.first().contains(u'/'));
    QCOMPARE(meta.hybrid, false);
    QStringList actual;
    for (const TorrentFile& file : meta.files)
        actual.append(file.path);
    QCOMPARE(actual, paths);
    QCOMPARE(meta.pieceSize(pieceCount - 1), totalSize - qint64(pieceCount - 1) * pieceLength);
}

void TestMetainfo::corruptFixture_isRejectedForItsMissingName() {
    const MetainfoParseResult result = parseFixture(QStringLiteral("corrupt.torrent"));
    QVERIFY(!result.ok());
    QCOMPARE(result.error, MetainfoError::MissingField);
    QCOMPARE(result.message, QStringLiteral("required field is missing (info.name)"));
}

void TestMetainfo::aliceInfoHash_matchesAnIndependentHashOfTheInfoBytes() {
    const QByteArray data = testsupport::readAll(webtorrentDir() + QStringLiteral("/alice.torrent"));
    QVERIFY(!data.isEmpty());
    // "info" is the last key of alice.torrent, so its value runs from after the key to the final 'e'.
    const qsizetype keyAt = data.indexOf("4:infod");
    QVERIFY(keyAt > 0);
    QVERIFY(data.endsWith("ee"));
    const QByteArray infoBytes = data.mid(keyAt + 6, data.size() - 1 - (keyAt + 6));
    const MetainfoParseResult result = parseMetainfo(data);
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.metainfo->infoBytes, infoBytes);
    QCOMPARE(result.metainfo->infoHash, sha1Of(infoBytes));
    QCOMPARE(result.metainfo->infoHashHex(), QStringLiteral("722fe65b2aa26d14f35b4ad627d20236e481d924"));
    // Written in milliseconds by mistake (year 47996), so it is not believed.
    QVERIFY(!result.metainfo->creationDate);
}

void TestMetainfo::fixtureData_matchesThePieceHashes_data() {
    QTest::addColumn<QString>("fileName");
    for (const char* name :
         {"alice.torrent", "leaves.torrent", "folder.torrent", "numbers.torrent", "lots-of-numbers.torrent"})
        QTest::newRow(name) << QString::fromUtf8(name);
}

void TestMetainfo::fixtureData_matchesThePieceHashes() {
    // The fixture folder holds the content beside each torrent, laid out as the sanitised paths say: reading
    // the files in torrent order and hashing each piece checks paths, lengths and offsets together.
    QFETCH(QString, fileName);
    const MetainfoParseResult result = parseFixture(fileName);
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QByteArray content;
    for (const TorrentFile& file : meta.files) {
        QCOMPARE(file.offset, qint64(content.size()));
        const QByteArray bytes = testsupport::readAll(webtorrentDir() + u'/' + file.path);
        QVERIFY2(bytes.size() == file.length, qPrintable(file.path));
        content += bytes;
    }
    QCOMPARE(qint64(content.size()), meta.totalSize);
    for (int piece = 0; piece < meta.pieceCount(); ++piece)
        QVERIFY2(sha1Of(content.mid(piece * meta.pieceLength, meta.pieceSize(piece))) ==
                     meta.pieceHash(piece),
                 qPrintable(QStringLiteral("piece %1").arg(piece)));
}

void TestMetainfo::singleFile_layoutAndInfoHash() {
    const BencodeValue info = singleFileInfo("file.bin", 40000, 16384);
    const MetainfoParseResult result = parseMetainfo(torrentWith(info));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QCOMPARE(meta.infoBytes, bencodeEncode(info));
    QCOMPARE(meta.infoHash, sha1Of(bencodeEncode(info)));
    QCOMPARE(meta.name, QStringLiteral("file.bin"));
    QVERIFY(!meta.multiFile);
    QVERIFY(!meta.hybrid);
    QCOMPARE(meta.files.size(), qsizetype(1));
    QCOMPARE(meta.files.first().path, QStringLiteral("file.bin"));
    QCOMPARE(meta.files.first().offset, qint64(0));
    QCOMPARE(meta.files.first().length, qint64(40000));
    QCOMPARE(meta.pieceCount(), 3);
    QCOMPARE(meta.pieceSize(0), qint64(16384));
    QCOMPARE(meta.pieceSize(2), qint64(40000 - 2 * 16384));
}

void TestMetainfo::multiFile_offsetsAndPaths() {
    const MetainfoParseResult result = parseMetainfo(torrentWith(multiFileInfo(
        {{{"docs", "readme.txt"}, 100}, {{"empty"}, 0}, {{"docs", "sub", "deep.bin"}, 20000}, {{"z.bin"}, 5}},
        "project")));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QVERIFY(meta.multiFile);
    QCOMPARE(meta.totalSize, qint64(20105));
    const QStringList paths{QStringLiteral("project/docs/readme.txt"), QStringLiteral("project/empty"),
                            QStringLiteral("project/docs/sub/deep.bin"), QStringLiteral("project/z.bin")};
    const QList<qint64> offsets{0, 100, 100, 20100};
    QCOMPARE(meta.files.size(), qsizetype(4));
    for (qsizetype i = 0; i < meta.files.size(); ++i) {
        QCOMPARE(meta.files.at(i).path, paths.at(i));
        QCOMPARE(meta.files.at(i).offset, offsets.at(i));
        QVERIFY(!meta.files.at(i).padding);
    }
}

void TestMetainfo::hybrid_isReadAsV1WithPaddingFiles() {
    // The v1 part of a hybrid torrent pads every file to a piece boundary, and the padding files of equal
    // size share one path.
    BencodeValue info = multiFileInfo({{{"a.txt"}, 5},
                                       {{".pad", "16379"}, 16379, "p"},
                                       {{"c.txt"}, 5},
                                       {{".pad", "16379"}, 16379, "p"},
                                       {{"b.txt"}, 10}},
                                      "hybrid");
    info.insert("meta version", 2);
    info.insert("file tree", BencodeValue::dictionary());
    const MetainfoParseResult result =
        parseMetainfo(torrentWith(info, {{"piece layers", BencodeValue::dictionary()}}));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QVERIFY(meta.hybrid);
    QVERIFY(meta.multiFile);
    QCOMPARE(meta.totalSize, qint64(32778));
    QCOMPARE(meta.pieceCount(), 3);
    const QList<bool> padding{false, true, false, true, false};
    const QList<qint64> offsets{0, 5, 16384, 16389, 32768};
    QCOMPARE(meta.files.size(), qsizetype(5));
    for (qsizetype i = 0; i < meta.files.size(); ++i) {
        QCOMPARE(meta.files.at(i).padding, padding.at(i));
        QCOMPARE(meta.files.at(i).offset, offsets.at(i));
    }
    QCOMPARE(meta.files.at(1).path, QStringLiteral("hybrid/.pad/16379"));
    QCOMPARE(meta.files.at(3).path, QStringLiteral("hybrid/.pad/16379"));
    QCOMPARE(meta.infoHash, sha1Of(bencodeEncode(info)));
}

void TestMetainfo::hybridSingleFile_isReadAsV1() {
    BencodeValue info = singleFileInfo("one.bin", 100);
    info.insert("meta version", 2);
    info.insert("file tree", BencodeValue::dictionary());
    const MetainfoParseResult result = parseMetainfo(torrentWith(info));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QVERIFY(result.metainfo->hybrid);
    QVERIFY(!result.metainfo->multiFile);
    QCOMPARE(result.metainfo->files.first().path, QStringLiteral("one.bin"));
}

void TestMetainfo::privateFlag_data() {
    QTest::addColumn<int>("value"); // -1: absent
    QTest::addColumn<bool>("isPrivate");
    QTest::newRow("absent") << -1 << false;
    QTest::newRow("0") << 0 << false;
    QTest::newRow("1") << 1 << true;
    QTest::newRow("2 counts as private") << 2 << true;
}

void TestMetainfo::privateFlag() {
    QFETCH(int, value);
    QFETCH(bool, isPrivate);
    BencodeValue info = singleFileInfo();
    if (value >= 0)
        info.insert("private", value);
    const MetainfoParseResult result = parseMetainfo(torrentWith(info));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.metainfo->isPrivate, isPrivate);
}

void TestMetainfo::description_fieldsAreRead() {
    BencodeValue::List tiers{BencodeValue(BencodeValue::List{"http://a.invalid/ann", "http://b.invalid/ann"}),
                             BencodeValue::list(), BencodeValue(BencodeValue::List{"udp://c.invalid:80", ""}),
                             BencodeValue("http://flat.invalid/ann")};
    const BencodeValue::Dictionary top{
        {"announce", "http://main.invalid/ann"},
        {"announce-list", BencodeValue(tiers)},
        {"comment", "caf\xc3\xa9"},
        {"created by", "mktorrent 1.1"},
        {"creation date", 1700000000},
        {"url-list", BencodeValue(BencodeValue::List{"http://seed.invalid/f", "http://seed.invalid/f"})},
    };
    const MetainfoParseResult result = parseMetainfo(torrentWith(singleFileInfo(), top));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QCOMPARE(meta.announce, QStringLiteral("http://main.invalid/ann"));
    const QList<QStringList> expectedTiers{
        {QStringLiteral("http://a.invalid/ann"), QStringLiteral("http://b.invalid/ann")},
        {QStringLiteral("udp://c.invalid:80")},
        {QStringLiteral("http://flat.invalid/ann")}};
    QCOMPARE(meta.announceList, expectedTiers);
    QCOMPARE(meta.trackers().first(), QStringLiteral("http://a.invalid/ann"));
    QCOMPARE(meta.comment, QStringLiteral("caf\u00e9"));
    QCOMPARE(meta.createdBy, QStringLiteral("mktorrent 1.1"));
    QVERIFY(meta.creationDate);
    QCOMPARE(meta.creationDate->toSecsSinceEpoch(), qint64(1700000000));
    QCOMPARE(meta.urlList, QStringList{QStringLiteral("http://seed.invalid/f")});

    // BEP 19 also allows url-list to be a single string.
    const MetainfoParseResult single =
        parseMetainfo(torrentWith(singleFileInfo(), {{"url-list", "http://seed.invalid/g"}}));
    QVERIFY2(single.ok(), qPrintable(single.message));
    QCOMPARE(single.metainfo->urlList, QStringList{QStringLiteral("http://seed.invalid/g")});
}

void TestMetainfo::description_wrongTypesAreIgnored() {
    const BencodeValue::Dictionary top{
        {"announce", 5},   {"announce-list", "http://not.a.list/"}, {"comment", BencodeValue::list()},
        {"created by", 1}, {"creation date", "yesterday"},          {"url-list", 3},
    };
    const MetainfoParseResult result = parseMetainfo(torrentWith(singleFileInfo(), top));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const Metainfo& meta = *result.metainfo;
    QVERIFY(meta.announce.isEmpty());
    QVERIFY(meta.announceList.isEmpty());
    QVERIFY(meta.comment.isEmpty());
    QVERIFY(meta.createdBy.isEmpty());
    QVERIFY(!meta.creationDate);
    QVERIFY(meta.urlList.isEmpty());
    QVERIFY(meta.trackers().isEmpty());
}

void TestMetainfo::utf8Keys_areAFallbackOnly() {
    // Plain keys win when both are present.
    BencodeValue both = multiFileInfo({{{"plain.txt"}, 10}}, "plain");
    both.insert("name.utf-8", "utf8");
    BencodeValue files = *both.find("files");
    files.listRef()[0].insert("path.utf-8", BencodeValue(BencodeValue::List{"utf8.txt"}));
    both.insert("files", files);
    MetainfoParseResult result = parseMetainfo(torrentWith(both));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.metainfo->name, QStringLiteral("plain"));
    QCOMPARE(result.metainfo->files.first().path, QStringLiteral("plain/plain.txt"));

    // The .utf-8 variants stand in when the plain key is missing.
    BencodeValue fallback = without(both, "name");
    files.listRef()[0].dictionaryRef().erase("path");
    fallback.insert("files", files);
    result = parseMetainfo(torrentWith(fallback));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.metainfo->name, QStringLiteral("utf8"));
    QCOMPARE(result.metainfo->files.first().path, QStringLiteral("utf8/utf8.txt"));
}

void TestMetainfo::pieceLength_needNotBeAPowerOfTwo() {
    const MetainfoParseResult result = parseMetainfo(torrentWith(singleFileInfo("odd.bin", 25000, 10000)));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.metainfo->pieceCount(), 3);
    QCOMPARE(result.metainfo->pieceSize(2), qint64(5000));
}

QTEST_GUILESS_MAIN(TestMetainfo)
#include "tst_metainfo.moc"
