#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace swarmscope {

// One file of a torrent, in the order the info dictionary lists it.
struct TorrentFile {
    // Sanitised relative path with '/' separators; this is where the file is written under the download
    // directory. It starts with the torrent's name: "name" for a single-file torrent, "name/dir/file" for a
    // multi-file one. Never absolute, never contains "." or ".." or empty components.
    QString path;
    qint64 length = 0;
    qint64 offset = 0; // byte offset of the file's first byte in the torrent's concatenated data
    // A BEP 47 padding file (attr "p", as in the v1 part of hybrid torrents): it occupies bytes of the piece
    // layout, which are zeros, but is never written to disk. Its path is not checked for collisions.
    bool padding = false;
};

// A parsed, validated v1 torrent (or the v1 part of a hybrid torrent).
struct Metainfo {
    QByteArray infoHash;  // 20 raw bytes: SHA-1 over the exact bytes of the info dictionary
    QByteArray infoBytes; // the exact bencoded info dictionary
    QString name;         // sanitised name (top-level file or directory name)
    qint64 pieceLength = 0;
    QByteArray pieces; // concatenated 20-byte SHA-1 hashes
    QList<TorrentFile> files;
    qint64 totalSize = 0;
    bool isPrivate = false;
    bool multiFile = false; // the info dictionary had a "files" list
    bool hybrid = false;    // the torrent also carried v2 data, which is ignored

    QString announce;
    QList<QStringList> announceList; // BEP 12 tiers
    std::optional<QDateTime> creationDate;
    QString comment;
    QString createdBy;
    QStringList urlList;

    int pieceCount() const { return int(pieces.size() / 20); }
    QByteArray pieceHash(int index) const { return pieces.mid(qsizetype(index) * 20, 20); }
    qint64 pieceSize(int index) const;
    QString infoHashHex() const { return QString::fromLatin1(infoHash.toHex()); }
    // Every tracker URL, announce-list tiers first (deduplicated), else announce.
    QStringList trackers() const;
};

enum class MetainfoError {
    None,
    Bencode,            // the data is not valid bencode
    NotADictionary,     // the top level or info is not a dictionary
    MissingInfo,        // no "info" dictionary
    MissingField,       // a required field is absent
    WrongType,          // a field has the wrong bencode type
    BadPieceLength,     // piece length not positive or too large
    BadPieces,          // pieces not a multiple of 20 or does not match the total size
    BadLength,          // a negative file length or a total that overflows
    NoFiles,            // an empty files list
    BadName,            // an empty name
    BadPath,            // a path that cannot be made safe
    V2NotSupported,     // a v2-only torrent
    TooLarge,           // the input is larger than the accepted limit
};

struct MetainfoParseResult {
    std::optional<Metainfo> metainfo;
    MetainfoError error = MetainfoError::None;
    QString message; // one clear sentence, e.g. "piece length must be positive (info.piece length)"

    bool ok() const { return error == MetainfoError::None; }
};

struct MetainfoLimits {
    qint64 maxTorrentBytes = 64LL * 1024 * 1024;
    qint64 maxPieceLength = 512LL * 1024 * 1024;
    int maxFiles = 1'000'000;
};

// Parses and validates a .torrent file's bytes.
MetainfoParseResult parseMetainfo(const QByteArray& data, const MetainfoLimits& limits = {});

} // namespace swarmscope
