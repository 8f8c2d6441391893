#pragma once

// Helpers shared by the torrent creation tests: sample trees, a creation shortcut, and readers for the
// parts of a .torrent the tests compare.

#include "TestSupport.h"

#include "bencode/Bencode.h"
#include "metainfo/TorrentCreator.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QStringList>

#include <optional>

namespace swarmscope::createtest {

namespace ts = swarmscope::testsupport;

inline constexpr qint64 KiB = 1024;
inline constexpr qint64 MiB = 1024 * KiB;
inline constexpr qint64 GiB = 1024 * MiB;

// A tree whose order tells byte order of the whole relative path ("a-c/f" < "a.txt" < "a/b/f", "A" < "B" <
// "a" < "b", "é" last) apart from component-wise, case-insensitive or locale order. Hidden files and an empty
// file are in it because mktorrent keeps both.
struct TreeFile {
    const char* path;
    qint64 size;
};
inline const TreeFile kOrderingTree[] = {
    {"a-c/f", 16385},  {"a/b/f", 1},   {"a/b/g", 16383},  {"a.txt", 40000}, {"a b", 7},
    {"B/f", 3},        {"b/f", 32769}, {"A", 16384},      {".hidden", 5},   {".hid/x", 9},
    {"z/y/.h", 20000}, {"z/Z", 0},     {"\xc3\xa9", 100}, {"e", 65537},     {"deep/1/2/3/4", 77},
};
// The same files in the order mktorrent lists them.
inline const char* const kOrderingTreeSorted[] = {
    ".hid/x", ".hidden",      "A", "B/f", "a b",    "a-c/f",    "a.txt", "a/b/f", "a/b/g",
    "b/f",    "deep/1/2/3/4", "e", "z/Z", "z/y/.h", "\xc3\xa9",
};

// transmission-create leaves out hidden and empty files and compares names case-insensitively, so its tree
// has none of those; the '-' < '.' < '/' cases stay.
inline const TreeFile kPlainTree[] = {
    {"a-c/f", 16385}, {"a/b/f", 1}, {"a/b/g", 16383}, {"a.txt", 40000}, {"b/f", 32769}, {"e", 65537},
};

inline bool writeTree(const QString& root, const TreeFile* begin, const TreeFile* end) {
    quint32 seed = 7;
    for (const TreeFile* f = begin; f != end; ++f) {
        const QString path = root + QLatin1Char('/') + QString::fromUtf8(f->path);
        if (!QDir().mkpath(QFileInfo(path).absolutePath()) || !ts::writeRandomFile(path, f->size, ++seed))
            return false;
    }
    return true;
}

template <size_t N> inline bool writeTree(const QString& root, const TreeFile (&files)[N]) {
    return writeTree(root, files, files + N);
}

inline TorrentCreateResult create(const QString& path, qint64 pieceLength, bool isPrivate = false,
                                  int threads = 0) {
    TorrentCreateOptions options;
    options.path = path;
    options.pieceLength = pieceLength;
    options.isPrivate = isPrivate;
    options.includeDate = false;
    options.threads = threads;
    TorrentCreator creator(options);
    return creator.run();
}

inline std::optional<BencodeValue> decode(const QByteArray& data) {
    BencodeDecodeResult decoded = bencodeDecode(data);
    if (!decoded.ok())
        return std::nullopt;
    return decoded.value;
}

// The info dictionary exactly as the file holds it.
inline QByteArray infoBytesOf(const QByteArray& torrent) {
    const std::optional<BencodeValue> root = decode(torrent);
    const BencodeValue* info = root ? root->find("info") : nullptr;
    return info ? torrent.mid(info->rawOffset(), info->rawLength()) : QByteArray();
}

// "dir/sub/file" for every entry of a multi-file info dictionary, in its order.
inline QStringList fileListOf(const QByteArray& torrent) {
    QStringList out;
    const std::optional<BencodeValue> root = decode(torrent);
    const BencodeValue* files = root && root->find("info") ? root->find("info")->find("files") : nullptr;
    if (!files)
        return out;
    for (const BencodeValue& file : files->toList()) {
        QStringList parts;
        for (const BencodeValue& part : file.find("path")->toList())
            parts.append(QString::fromUtf8(part.toByteArray()));
        out.append(parts.join(QLatin1Char('/')) + QLatin1Char(':') +
                   QString::number(file.find("length")->toInteger()));
    }
    return out;
}

// Piece hashes computed a second way: Qt's SHA-1 over the files read whole and concatenated.
inline QByteArray independentPieces(const QStringList& files, qint64 pieceLength) {
    QByteArray all;
    for (const QString& file : files)
        all += ts::readAll(file);
    QByteArray pieces;
    for (qint64 pos = 0; pos < all.size(); pos += pieceLength)
        pieces += QCryptographicHash::hash(
            QByteArrayView(all).sliced(pos, qMin(pieceLength, all.size() - pos)), QCryptographicHash::Sha1);
    return pieces;
}

inline QByteArray piecesOf(const QByteArray& torrent) {
    const std::optional<BencodeValue> root = decode(torrent);
    const BencodeValue* info = root ? root->find("info") : nullptr;
    return info && info->find("pieces") ? info->find("pieces")->toByteArray() : QByteArray();
}

} // namespace swarmscope::createtest
