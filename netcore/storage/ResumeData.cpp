#include "storage/ResumeData.h"

#include "bencode/Bencode.h"
#include "storage/TorrentStorage.h"

#include <QFile>
#include <QSaveFile>

#include <ctime>
#include <limits>

#include <fcntl.h>
#include <sys/stat.h>

namespace swarmscope {

namespace {

constexpr qint64 FormatVersion = 1;
// A torrent with a million files makes a resume file of a few tens of MiB; anything far beyond is not ours.
constexpr qint64 MaxResumeBytes = 256LL * 1024 * 1024;

// BEP 3 order: piece 0 is the high bit of the first byte, as on the wire, so the file can be read by eye.
QByteArray packBits(const QBitArray& bits) {
    QByteArray out((bits.size() + 7) / 8, '\0');
    for (qsizetype i = 0; i < bits.size(); ++i)
        if (bits.testBit(i))
            out[i / 8] = char(out[i / 8] | (0x80 >> (i % 8)));
    return out;
}

std::optional<QBitArray> unpackBits(const QByteArray& bytes, qsizetype count) {
    if (bytes.size() != (count + 7) / 8)
        return std::nullopt;
    QBitArray bits(count);
    for (qsizetype i = 0; i < bytes.size() * 8; ++i) {
        const bool set = (uchar(bytes[i / 8]) & (0x80 >> (i % 8))) != 0;
        if (i >= count) {
            if (set)
                return std::nullopt; // spare bits must be zero
            continue;
        }
        bits.setBit(i, set);
    }
    return bits;
}

StorageStatus bad(const QString& what) {
    return StorageStatus::failure(StorageError::BadResumeData, what);
}

} // namespace

FileStamp ResumeData::stampOf(const QString& path) {
    struct stat info {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return {};
    return {qint64(info.st_size), qint64(info.st_mtim.tv_sec) * 1'000'000'000 + qint64(info.st_mtim.tv_nsec)};
}

FileStamp ResumeData::settledStampOf(const QString& path) {
    const QByteArray name = QFile::encodeName(path);
    struct stat info {};
    if (::stat(name.constData(), &info) != 0)
        return {};
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    // Older than the racy window: any write from now on stamps a later time, whatever the clock's tick.
    if (now.tv_sec - info.st_mtim.tv_sec > kRacyWindowSeconds)
        return stampOf(path);
    // Back by one nanosecond; a file system with coarser timestamps rounds that down by one of its steps.
    // A later write stamps the current time, at least the old mtime, so never the value set here.
    timespec times[2] = {{0, UTIME_OMIT}, info.st_mtim};
    if (times[1].tv_nsec > 0) {
        --times[1].tv_nsec;
    } else {
        --times[1].tv_sec;
        times[1].tv_nsec = 999'999'999;
    }
    ::utimensat(AT_FDCWD, name.constData(), times, 0); // on failure the stamp below is still the truth
    return stampOf(path);
}

ResumeData ResumeData::capture(const TorrentStorage& storage, const QBitArray& verified) {
    ResumeData data;
    data.infoHash = storage.metainfo().infoHash;
    data.pieces = verified;
    data.pieces.resize(storage.pieceCount());
    for (int i = 0; i < storage.metainfo().files.size(); ++i)
        data.files.append(settledStampOf(storage.filePath(i)));
    return data;
}

QByteArray ResumeData::encode() const {
    BencodeValue::List fileList;
    fileList.reserve(files.size());
    for (const FileStamp& stamp : files) {
        BencodeValue entry = BencodeValue::dictionary();
        entry.insert("mtime", stamp.mtimeNs);
        entry.insert("size", stamp.size);
        fileList.append(entry);
    }
    BencodeValue root = BencodeValue::dictionary();
    root.insert("files", fileList);
    root.insert("info hash", infoHash);
    root.insert("piece count", qint64(pieces.size()));
    root.insert("pieces", packBits(pieces));
    root.insert("version", FormatVersion);
    return bencodeEncode(root);
}

ResumeDecodeResult ResumeData::decode(const QByteArray& bytes, qsizetype maxTokens) {
    BencodeLimits limits;
    limits.maxDepth = 4;
    limits.maxTokens = maxTokens;
    const BencodeDecodeResult decoded = bencodeDecode(bytes, limits);
    if (!decoded.ok())
        return {std::nullopt,
                bad(QStringLiteral("resume data is not valid bencode: ") + decoded.errorString())};
    const BencodeValue& root = *decoded.value;
    if (!root.isDictionary())
        return {std::nullopt, bad(QStringLiteral("resume data is not a dictionary"))};

    const BencodeValue* version = root.find("version");
    if (!version || !version->isInteger() || version->toInteger() != FormatVersion)
        return {std::nullopt, bad(QStringLiteral("resume data has a missing or unknown version"))};
    const BencodeValue* infoHash = root.find("info hash");
    if (!infoHash || !infoHash->isString() || infoHash->toByteArray().size() != 20)
        return {std::nullopt, bad(QStringLiteral("resume data has no 20-byte info hash"))};
    const BencodeValue* count = root.find("piece count");
    if (!count || !count->isInteger() || count->toInteger() < 0 ||
        count->toInteger() > std::numeric_limits<int>::max())
        return {std::nullopt, bad(QStringLiteral("resume data has a missing or bad piece count"))};
    const BencodeValue* pieces = root.find("pieces");
    std::optional<QBitArray> bits;
    if (pieces && pieces->isString())
        bits = unpackBits(pieces->toByteArray(), qsizetype(count->toInteger()));
    if (!bits)
        return {std::nullopt,
                bad(QStringLiteral("resume data has a piece bitfield of the wrong length or with "
                                   "spare bits set"))};
    const BencodeValue* fileList = root.find("files");
    if (!fileList || !fileList->isList())
        return {std::nullopt, bad(QStringLiteral("resume data has no file list"))};

    ResumeData data;
    data.infoHash = infoHash->toByteArray();
    data.pieces = *bits;
    for (const BencodeValue& entry : fileList->toList()) {
        const BencodeValue* size = entry.find("size");
        const BencodeValue* mtime = entry.find("mtime");
        if (!size || !size->isInteger() || size->toInteger() < -1 || !mtime || !mtime->isInteger())
            return {std::nullopt, bad(QStringLiteral("resume data has a file entry without a valid size and "
                                                     "mtime"))};
        data.files.append(FileStamp{size->toInteger(), mtime->toInteger()});
    }
    return {data, {}};
}

StorageStatus ResumeData::save(const QString& path) const {
    QSaveFile file(path);
    const QByteArray bytes = encode();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return StorageStatus::failure(StorageError::Io, QStringLiteral("cannot save resume data: ") +
                                                            file.errorString() + QStringLiteral(" (") + path +
                                                            QStringLiteral(")"));
    return {};
}

ResumeLoadResult ResumeData::load(const QString& path, const TorrentStorage& storage) {
    ResumeLoadResult result;
    result.pieces = QBitArray(storage.pieceCount());
    result.recheck = QBitArray(storage.pieceCount());
    const auto fail = [&](StorageStatus status) {
        status.message += QStringLiteral(" (") + path + QStringLiteral(")");
        result.status = status;
        return result;
    };

    QFile file(path);
    if (!file.exists())
        return fail(StorageStatus::failure(StorageError::FileMissing, QStringLiteral("no resume data")));
    if (file.size() > MaxResumeBytes)
        return fail(bad(QStringLiteral("resume data file is implausibly large")));
    if (!file.open(QIODevice::ReadOnly))
        return fail(bad(QStringLiteral("cannot read resume data: ") + file.errorString()));
    const qsizetype fileCount = storage.metainfo().files.size();
    // Each file entry is three values; the limit keeps a hostile file from costing more than the torrent
    // does.
    const ResumeDecodeResult decoded = decode(file.readAll(), 4 * fileCount + 64);
    if (!decoded.status.ok())
        return fail(decoded.status);
    const ResumeData& data = *decoded.data;

    if (!storage.layoutStatus().ok())
        return fail(storage.layoutStatus());
    if (data.infoHash != storage.metainfo().infoHash)
        return fail(bad(QStringLiteral("resume data belongs to another torrent (info-hash %1)")
                            .arg(QString::fromLatin1(data.infoHash.toHex()))));
    if (data.pieces.size() != storage.pieceCount())
        return fail(bad(QStringLiteral("resume data has %1 pieces, the torrent %2")
                            .arg(data.pieces.size())
                            .arg(storage.pieceCount())));
    if (data.files.size() != fileCount)
        return fail(bad(QStringLiteral("resume data lists %1 files, the torrent %2")
                            .arg(data.files.size())
                            .arg(fileCount)));

    result.pieces = data.pieces;
    for (int i = 0; i < fileCount; ++i) {
        if (stampOf(storage.filePath(i)) == data.files[i])
            continue;
        const auto [first, end] = storage.layout().piecesOfFile(i);
        for (int piece = first; piece < end; ++piece) {
            result.recheck.setBit(piece);
            if (result.pieces.testBit(piece)) {
                result.pieces.clearBit(piece);
                ++result.droppedPieces;
            }
        }
    }
    return result;
}

} // namespace swarmscope
