#pragma once

#include "bencode/Bencode.h"
#include "metainfo/Metainfo.h"

#include <QByteArray>
#include <QList>
#include <QTest>

// Small valid torrents as bencode trees, so a test can break exactly one field of an otherwise good torrent.
namespace swarmscope::testtorrents {

// The parser checks the number of piece hashes, not their contents, so any 20 bytes per piece will do.
inline QByteArray fakePieces(qint64 totalSize, qint64 pieceLength) {
    const qint64 count = totalSize / pieceLength + (totalSize % pieceLength != 0 ? 1 : 0);
    return QByteArray(qsizetype(count * 20), 'h');
}

struct FileSpec {
    QList<QByteArray> path;
    qint64 length = 1;
    QByteArray attr = {};
};

inline BencodeValue singleFileInfo(const QByteArray& name = "file.bin", qint64 length = 40000,
                                   qint64 pieceLength = 16384) {
    BencodeValue info = BencodeValue::dictionary();
    info.insert("name", name);
    info.insert("length", length);
    info.insert("piece length", pieceLength);
    info.insert("pieces", fakePieces(length, pieceLength));
    return info;
}

inline BencodeValue filesList(const QList<FileSpec>& files) {
    BencodeValue list = BencodeValue::list();
    for (const FileSpec& spec : files) {
        BencodeValue file = BencodeValue::dictionary();
        file.insert("length", spec.length);
        BencodeValue path = BencodeValue::list();
        for (const QByteArray& component : spec.path)
            path.append(component);
        file.insert("path", path);
        if (!spec.attr.isEmpty())
            file.insert("attr", spec.attr);
        list.append(file);
    }
    return list;
}

inline BencodeValue multiFileInfo(const QList<FileSpec>& files, const QByteArray& name = "root",
                                  qint64 pieceLength = 16384) {
    qint64 total = 0;
    for (const FileSpec& spec : files)
        total += spec.length;
    BencodeValue info = BencodeValue::dictionary();
    info.insert("name", name);
    info.insert("files", filesList(files));
    info.insert("piece length", pieceLength);
    info.insert("pieces", fakePieces(total, pieceLength));
    return info;
}

inline BencodeValue with(BencodeValue dict, const QByteArray& key, const BencodeValue& value) {
    dict.insert(key, value);
    return dict;
}

inline BencodeValue without(BencodeValue dict, const QByteArray& key) {
    dict.dictionaryRef().erase(key);
    return dict;
}

inline QByteArray torrentWith(const BencodeValue& info, const BencodeValue::Dictionary& topLevel = {}) {
    BencodeValue root(topLevel);
    root.insert("info", info);
    return bencodeEncode(root);
}

} // namespace swarmscope::testtorrents

namespace swarmscope {
// Lets QCOMPARE print a MetainfoError by name.
inline char* toString(MetainfoError error) {
    static const char* const names[] = {"None",           "Bencode",   "NotADictionary", "MissingInfo",
                                        "MissingField",   "WrongType", "BadPieceLength", "BadPieces",
                                        "BadLength",      "NoFiles",   "BadName",        "BadPath",
                                        "V2NotSupported", "TooLarge"};
    const int index = int(error);
    return qstrdup(index >= 0 && index < int(std::size(names)) ? names[index] : "unknown");
}
} // namespace swarmscope
