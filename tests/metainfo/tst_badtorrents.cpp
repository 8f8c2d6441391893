#include "TorrentBuilder.h"

#include "metainfo/Metainfo.h"

#include <QSet>
#include <QTest>

#include <limits>
#include <random>

using namespace swarmscope;
using namespace swarmscope::testtorrents;

class TestBadTorrents : public QObject {
    Q_OBJECT
private slots:
    void brokenTorrent_isRejectedWithKindAndPlace_data();
    void brokenTorrent_isRejectedWithKindAndPlace();
    void brokenTable_coversEveryErrorKind();
    void mutatedTorrents_neverCrash();
};

namespace {

struct Row {
    const char* name;
    QByteArray data;
    MetainfoError error;
    QString message;
    MetainfoLimits limits = {};
};

QList<Row> brokenTorrents() {
    const BencodeValue single = singleFileInfo();
    const BencodeValue multi = multiFileInfo({{{"a"}, 5}, {{"b"}, 7}});
    auto multiWithFile = [&](const BencodeValue& file, int index) {
        BencodeValue files = *multi.find("files");
        files.listRef()[index] = file;
        return torrentWith(with(multi, "files", files));
    };
    const BencodeValue firstFile = multi.find("files")->toList().at(0);
    const BencodeValue secondFile = multi.find("files")->toList().at(1);

    BencodeValue v2Info = BencodeValue::dictionary();
    v2Info.insert("name", "v2.bin");
    v2Info.insert("piece length", 16384);
    v2Info.insert("meta version", 2);
    BencodeValue fileEntry = BencodeValue::dictionary();
    fileEntry.insert(
        "", BencodeValue(BencodeValue::Dictionary{{"length", 5}, {"pieces root", QByteArray(32, 'r')}}));
    v2Info.insert("file tree", BencodeValue(BencodeValue::Dictionary{{"v2.bin", fileEntry}}));

    MetainfoLimits small;
    small.maxTorrentBytes = 100;
    MetainfoLimits fewFiles;
    fewFiles.maxFiles = 2;

    const auto s = [](const char* text) { return QString::fromUtf8(text); };
    return {
        {"truncated bencode", "d4:infoi1e", MetainfoError::Bencode,
         s("not valid bencode: unexpected end of data (byte 10)")},
        {"leading zero", "d4:infoi01ee", MetainfoError::Bencode,
         s("not valid bencode: leading zero in number (byte 8)")},
        {"unsorted keys", "d4:infode8:announce0:e", MetainfoError::Bencode,
         s("not valid bencode: dictionary keys are not sorted (byte 9)")},
        {"top level is a list", "l4:infoe", MetainfoError::NotADictionary,
         s("torrent must be a dictionary, found a list (top level)")},
        {"top level is an integer", "i1e", MetainfoError::NotADictionary, s("found an integer (top level)")},
        {"missing info",
         bencodeEncode(BencodeValue(BencodeValue::Dictionary{{"announce", "http://t.invalid/a"}})),
         MetainfoError::MissingInfo, s("info dictionary is missing (info)")},
        {"info is a string", "d4:info4:infoe", MetainfoError::NotADictionary,
         s("info must be a dictionary, found a string (info)")},
        {"missing name", torrentWith(without(single, "name")), MetainfoError::MissingField,
         s("required field is missing (info.name)")},
        {"name is an integer", torrentWith(with(single, "name", 7)), MetainfoError::WrongType,
         s("expected a string, found an integer (info.name)")},
        {"empty name", torrentWith(with(single, "name", "")), MetainfoError::BadName,
         s("name must not be empty (info.name)")},
        {"name is dot-dot", torrentWith(with(single, "name", "..")), MetainfoError::BadName,
         s("name must not be '..' (info.name)")},
        {"name is dot", torrentWith(with(single, "name", ".")), MetainfoError::BadName,
         s("name must not be '.' (info.name)")},
        {"name with NUL", torrentWith(with(single, "name", QByteArray("a\0b", 3))), MetainfoError::BadName,
         s("name must not contain a NUL byte (info.name)")},
        {"empty name.utf-8 fallback", torrentWith(with(without(single, "name"), "name.utf-8", "")),
         MetainfoError::BadName, s("name must not be empty (info.name.utf-8)")},
        {"missing piece length", torrentWith(without(single, "piece length")), MetainfoError::MissingField,
         s("required field is missing (info.piece length)")},
        {"piece length is a string", torrentWith(with(single, "piece length", "16384")),
         MetainfoError::WrongType, s("expected an integer, found a string (info.piece length)")},
        {"piece length 0", torrentWith(with(single, "piece length", 0)), MetainfoError::BadPieceLength,
         s("piece length must be positive, not 0 (info.piece length)")},
        {"negative piece length", torrentWith(with(single, "piece length", -16384)),
         MetainfoError::BadPieceLength, s("piece length must be positive, not -16384 (info.piece length)")},
        {"absurd piece length", torrentWith(with(single, "piece length", qint64(1) << 30)),
         MetainfoError::BadPieceLength,
         s("piece length 1073741824 is larger than the limit of 536870912 bytes (info.piece length)")},
        {"missing pieces", torrentWith(without(single, "pieces")), MetainfoError::MissingField,
         s("required field is missing (info.pieces)")},
        {"pieces is a list", torrentWith(with(single, "pieces", BencodeValue::list())),
         MetainfoError::WrongType, s("expected a string, found a list (info.pieces)")},
        {"pieces not a multiple of 20", torrentWith(with(single, "pieces", QByteArray(61, 'h'))),
         MetainfoError::BadPieces, s("pieces must be a multiple of 20 bytes long, not 61 (info.pieces)")},
        {"too few pieces", torrentWith(with(single, "pieces", QByteArray(40, 'h'))), MetainfoError::BadPieces,
         s("pieces holds 2 hashes, but 40000 bytes in pieces of 16384 bytes need 3 (info.pieces)")},
        {"too many pieces", torrentWith(with(single, "pieces", QByteArray(80, 'h'))),
         MetainfoError::BadPieces,
         s("pieces holds 4 hashes, but 40000 bytes in pieces of 16384 bytes need 3 (info.pieces)")},
        {"no pieces", torrentWith(with(single, "pieces", QByteArray())), MetainfoError::BadPieces,
         s("pieces holds 0 hashes")},
        {"missing length", torrentWith(without(single, "length")), MetainfoError::MissingField,
         s("required field is missing (info.length)")},
        {"length is a list", torrentWith(with(single, "length", BencodeValue::list())),
         MetainfoError::WrongType, s("expected an integer, found a list (info.length)")},
        {"negative length", torrentWith(with(single, "length", -1)), MetainfoError::BadLength,
         s("length must not be negative, not -1 (info.length)")},
        {"zero length", torrentWith(with(with(single, "length", 0), "pieces", QByteArray())),
         MetainfoError::NoFiles, s("torrent holds no data: its total size is 0 (info.length)")},
        {"private is a string", torrentWith(with(single, "private", "1")), MetainfoError::WrongType,
         s("expected an integer, found a string (info.private)")},
        {"files is a dictionary", torrentWith(with(multi, "files", BencodeValue::dictionary())),
         MetainfoError::WrongType, s("expected a list, found a dictionary (info.files)")},
        {"empty files list", torrentWith(with(multi, "files", BencodeValue::list())), MetainfoError::NoFiles,
         s("files list is empty (info.files)")},
        {"file entry is a string", multiWithFile(BencodeValue("a"), 0), MetainfoError::WrongType,
         s("expected a dictionary, found a string (info.files[0])")},
        {"file without length", multiWithFile(without(secondFile, "length"), 1), MetainfoError::MissingField,
         s("required field is missing (info.files[1].length)")},
        {"file length is a string", multiWithFile(with(secondFile, "length", "7"), 1),
         MetainfoError::WrongType, s("expected an integer, found a string (info.files[1].length)")},
        {"negative file length", multiWithFile(with(secondFile, "length", -5), 1), MetainfoError::BadLength,
         s("length must not be negative, not -5 (info.files[1].length)")},
        {"total size overflows",
         torrentWith(
             with(multi, "files", filesList({{{"a"}, std::numeric_limits<qint64>::max()}, {{"b"}, 1}}))),
         MetainfoError::BadLength, s("total size of the files overflows 64 bits (info.files[1].length)")},
        {"file without path", multiWithFile(without(firstFile, "path"), 0), MetainfoError::MissingField,
         s("required field is missing (info.files[0].path)")},
        {"path is a string", multiWithFile(with(firstFile, "path", "a/b"), 0), MetainfoError::WrongType,
         s("expected a list, found a string (info.files[0].path)")},
        {"path component is an integer",
         multiWithFile(with(firstFile, "path", BencodeValue(BencodeValue::List{"a", 1})), 0),
         MetainfoError::WrongType, s("expected a string, found an integer (info.files[0].path[1])")},
        {"empty path list", multiWithFile(with(firstFile, "path", BencodeValue::list()), 0),
         MetainfoError::BadPath, s("path list must not be empty (info.files[0].path)")},
        {"dot-dot component", torrentWith(multiFileInfo({{{"..", "etc", "passwd"}, 5}})),
         MetainfoError::BadPath, s("path component 0 must not be '..' (info.files[0].path)")},
        {"duplicate paths", torrentWith(multiFileInfo({{{"a"}, 5}, {{"a"}, 7}})), MetainfoError::BadPath,
         s("path 'root/a' is also the path of file 0 (info.files[1].path)")},
        {"all files empty", torrentWith(multiFileInfo({{{"a"}, 0}, {{"b"}, 0}})), MetainfoError::NoFiles,
         s("torrent holds no data: its total size is 0 (info.files)")},
        {"meta version is a string", torrentWith(with(single, "meta version", "2")), MetainfoError::WrongType,
         s("expected an integer, found a string (info.meta version)")},
        {"v2-only", torrentWith(v2Info), MetainfoError::V2NotSupported,
         s("BitTorrent v2-only torrents are not supported (info.meta version)")},
        {"v2 file tree without meta version", torrentWith(without(v2Info, "meta version")),
         MetainfoError::V2NotSupported, s("BitTorrent v2-only torrents are not supported (info.file tree)")},
        {"larger than the limit", torrentWith(single), MetainfoError::TooLarge,
         s("more than the limit of 100 bytes (torrent file)"), small},
        {"more files than the limit", torrentWith(multiFileInfo({{{"a"}, 1}, {{"b"}, 1}, {{"c"}, 1}})),
         MetainfoError::TooLarge, s("torrent lists 3 files, more than the limit of 2 (info.files)"),
         fewFiles},
    };
}

} // namespace

void TestBadTorrents::brokenTorrent_isRejectedWithKindAndPlace_data() {
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("maxTorrentBytes");
    QTest::addColumn<int>("maxFiles");
    QTest::addColumn<MetainfoError>("error");
    QTest::addColumn<QString>("message");
    for (const Row& row : brokenTorrents())
        QTest::newRow(row.name) << row.data << row.limits.maxTorrentBytes << row.limits.maxFiles << row.error
                                << row.message;
}

void TestBadTorrents::brokenTorrent_isRejectedWithKindAndPlace() {
    QFETCH(QByteArray, data);
    QFETCH(qint64, maxTorrentBytes);
    QFETCH(int, maxFiles);
    QFETCH(MetainfoError, error);
    QFETCH(QString, message);
    MetainfoLimits limits;
    limits.maxTorrentBytes = maxTorrentBytes;
    limits.maxFiles = maxFiles;
    const MetainfoParseResult result = parseMetainfo(data, limits);
    QVERIFY(!result.ok());
    QVERIFY(!result.metainfo);
    QCOMPARE(result.error, error);
    QVERIFY2(result.message.contains(message), qPrintable(result.message));
    // The contract for every error: "<what> (<where>)".
    QVERIFY2(result.message.endsWith(u')') && result.message.contains(QStringLiteral(" (")),
             qPrintable(result.message));
}

void TestBadTorrents::brokenTable_coversEveryErrorKind() {
    QSet<int> covered;
    for (const Row& row : brokenTorrents())
        covered.insert(int(row.error));
    for (int kind = int(MetainfoError::Bencode); kind <= int(MetainfoError::TooLarge); ++kind)
        QVERIFY2(covered.contains(kind), QByteArray::number(kind).constData());
}

void TestBadTorrents::mutatedTorrents_neverCrash() {
    // Byte-level damage to a valid multi-file torrent: whatever the parser accepts must still be consistent.
    const QByteArray original = torrentWith(multiFileInfo({{{"dir", "a.txt"}, 20000}, {{"b.txt"}, 30000}}),
                                            {{"announce", "http://t.invalid/announce"}});
    QVERIFY(parseMetainfo(original).ok());
    const QByteArray alphabet("0123456789ilde:-./\\\0\xff", 21);
    std::mt19937 rng(77);
    int accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray data = original;
        const int edits = 1 + int(rng() % 4);
        for (int e = 0; e < edits && !data.isEmpty(); ++e) {
            const qsizetype at = qsizetype(rng() % quint32(data.size()));
            const char byte = alphabet.at(qsizetype(rng() % quint32(alphabet.size())));
            if (rng() % 2)
                data[at] = byte;
            else
                data.insert(at, byte);
        }
        const MetainfoParseResult result = parseMetainfo(data);
        if (!result.ok()) {
            QVERIFY(!result.message.isEmpty());
            continue;
        }
        ++accepted;
        const Metainfo& meta = *result.metainfo;
        qint64 offset = 0;
        for (const TorrentFile& file : meta.files) {
            QCOMPARE(file.offset, offset);
            QVERIFY(file.length >= 0);
            QVERIFY(!file.path.startsWith(u'/'));
            QVERIFY(!file.path.split(u'/').contains(QStringLiteral("..")));
            offset += file.length;
        }
        QCOMPARE(meta.totalSize, offset);
        QCOMPARE(qint64(meta.pieceCount()), (meta.totalSize + meta.pieceLength - 1) / meta.pieceLength);
    }
    QVERIFY(accepted > 100);
}

QTEST_GUILESS_MAIN(TestBadTorrents)
#include "tst_badtorrents.moc"
