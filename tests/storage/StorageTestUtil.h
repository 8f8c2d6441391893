#pragma once

#include "metainfo/Metainfo.h"
#include "metainfo/Sha1.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QString>

#include <random>
#include <utility>

namespace swarmscope::storagetest {

inline QByteArray randomBytes(qint64 size, quint32 seed) {
    std::mt19937 rng(seed);
    QByteArray out(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        out[i] = char(rng() & 0xff);
    return out;
}

// A hand-built Metainfo, as the parser would produce it: paths start with the name, offsets and piece hashes
// follow from the content. files holds (path below the name, length); a single file with an empty path makes
// a single-file torrent.
inline Metainfo makeMetainfo(const QString& name, const QList<std::pair<QString, qint64>>& files,
                             qint64 pieceLength, const QByteArray& content) {
    Metainfo m;
    m.name = name;
    m.pieceLength = pieceLength;
    m.multiFile = !(files.size() == 1 && files.first().first.isEmpty());
    qint64 offset = 0;
    for (const auto& [path, length] : files) {
        TorrentFile file;
        file.path = m.multiFile ? name + u'/' + path : name;
        file.length = length;
        file.offset = offset;
        offset += length;
        m.files.append(file);
    }
    m.totalSize = offset;
    for (qint64 start = 0; start < offset; start += pieceLength)
        m.pieces += sha1(content.mid(start, pieceLength));
    m.infoHash = sha1(name.toUtf8() + QByteArray::number(offset) + m.pieces);
    return m;
}

// Files named "f0.bin", "f1.bin", ... with the given lengths.
inline Metainfo makeMetainfo(const QString& name, const QList<qint64>& lengths, qint64 pieceLength,
                             const QByteArray& content) {
    QList<std::pair<QString, qint64>> files;
    for (int i = 0; i < lengths.size(); ++i)
        files.append({QStringLiteral("f%1.bin").arg(i), lengths[i]});
    return makeMetainfo(name, files, pieceLength, content);
}

// Writes each file's slice of content under root, as a finished download would leave it.
inline bool writeContent(const QString& root, const Metainfo& m, const QByteArray& content) {
    for (const TorrentFile& file : m.files) {
        const QString path = root + u'/' + file.path;
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            return false;
        QFile out(path);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        const QByteArray slice = content.mid(file.offset, file.length);
        if (out.write(slice) != slice.size())
            return false;
    }
    return true;
}

inline QByteArray fileBytes(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace swarmscope::storagetest
