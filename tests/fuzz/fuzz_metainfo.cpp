// libFuzzer target for parseMetainfo (.torrent files).
//
// Beyond "no crash": a torrent the parser accepts must keep every promise of Metainfo.h and docs/PATHS.md,
// since the storage layer writes files where TorrentFile::path says and trusts the piece layout:
// - infoHash is the SHA-1 of infoBytes, and infoBytes is a span of the input;
// - pieces cover exactly totalSize, files are laid out back to back, and the geometry derived from them is
//   consistent;
// - every path is relative, starts with the name, and every component obeys the sanitising rules; no two
//   real files share a path and no file sits on another's directory path.

#include "FuzzCheck.h"

#include "metainfo/Metainfo.h"
#include "wire/TorrentGeometry.h"

#include <QCryptographicHash>
#include <QSet>

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

void checkComponent(const QString& component, const QString& path) {
    const QString where = QStringLiteral("component '%1' of '%2'").arg(component, path);
    FUZZ_CHECK(!component.isEmpty(), where);
    FUZZ_CHECK(component != QStringLiteral(".") && component != QStringLiteral(".."), where);
    FUZZ_CHECK(component.toUtf8().size() <= 255, where);
    bool onlyDotsAndSpaces = true;
    for (const QChar c : component) {
        FUZZ_CHECK(c.unicode() >= 0x20 && c.unicode() != 0x7f, where);
        FUZZ_CHECK(c != u'\\' && c != u'/', where);
        onlyDotsAndSpaces = onlyDotsAndSpaces && (c == u'.' || c == u' ');
    }
    FUZZ_CHECK(!onlyDotsAndSpaces, where);
    FUZZ_CHECK(!component.startsWith(u':'), where);
    const bool driveLetter = component.size() >= 2 && component[1] == u':' && component[0].unicode() < 0x80 &&
                             component[0].isLetter();
    FUZZ_CHECK(!driveLetter, where);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    const MetainfoParseResult result = parseMetainfo(input);
    FUZZ_CHECK(result.ok() == result.metainfo.has_value(), result.message);
    if (!result.ok()) {
        FUZZ_CHECK(!result.message.isEmpty(), QString());
        return 0;
    }
    const Metainfo& m = *result.metainfo;

    FUZZ_CHECK(m.infoHash.size() == 20, QString());
    FUZZ_CHECK(m.infoHash == QCryptographicHash::hash(m.infoBytes, QCryptographicHash::Sha1), QString());
    FUZZ_CHECK(!m.infoBytes.isEmpty() && input.contains(m.infoBytes), QString());
    FUZZ_CHECK(m.infoHashHex().size() == 40, QString());

    FUZZ_CHECK(m.pieceLength > 0, QStringLiteral("piece length %1").arg(m.pieceLength));
    FUZZ_CHECK(m.totalSize > 0, QStringLiteral("total size %1").arg(m.totalSize));
    FUZZ_CHECK(m.pieces.size() % 20 == 0 && m.pieceCount() > 0, QString());
    const qint64 needed = (m.totalSize - 1) / m.pieceLength + 1;
    FUZZ_CHECK(m.pieceCount() == needed, QStringLiteral("%1 pieces for %2 bytes in pieces of %3")
                                             .arg(m.pieceCount())
                                             .arg(m.totalSize)
                                             .arg(m.pieceLength));
    qint64 sum = 0;
    for (int i = 0; i < m.pieceCount(); ++i) {
        const qint64 piece = m.pieceSize(i);
        FUZZ_CHECK(piece > 0 && piece <= m.pieceLength,
                   QStringLiteral("piece %1 of %2 bytes").arg(i).arg(piece));
        FUZZ_CHECK(m.pieceHash(i).size() == 20, QString());
        sum += piece;
        if (i == 0 && m.pieceCount() > 2) // the middle pieces are all full; skip to the last
            sum += (m.pieceCount() - 2) * m.pieceLength, i = m.pieceCount() - 2;
    }
    FUZZ_CHECK(sum == m.totalSize, QStringLiteral("pieces sum to %1, total %2").arg(sum).arg(m.totalSize));

    const TorrentGeometry geometry = TorrentGeometry::fromMetainfo(m);
    FUZZ_CHECK(geometry.isValid() && geometry.pieceCount == m.pieceCount() &&
                   geometry.pieceLength == m.pieceLength && geometry.totalSize == m.totalSize,
               QString());
    FUZZ_CHECK(geometry == TorrentGeometry::fromSizes(m.totalSize, m.pieceLength), QString());
    FUZZ_CHECK(geometry.pieceSize(geometry.pieceCount - 1) == m.pieceSize(m.pieceCount() - 1), QString());

    // The name and the files.
    checkComponent(m.name, m.name);
    FUZZ_CHECK(!m.files.isEmpty(), QString());
    FUZZ_CHECK(m.multiFile || m.files.size() == 1, QString());
    qint64 offset = 0;
    QSet<QString> paths;
    QSet<QString> directories;
    for (const TorrentFile& file : m.files) {
        FUZZ_CHECK(file.length >= 0 && file.offset == offset, file.path);
        offset += file.length;
        if (m.multiFile)
            FUZZ_CHECK(file.path.startsWith(m.name + u'/'), file.path);
        else
            FUZZ_CHECK(file.path == m.name, file.path);
        const QStringList components = file.path.split(u'/');
        for (const QString& component : components)
            checkComponent(component, file.path);
        if (file.padding)
            continue;
        FUZZ_CHECK(!paths.contains(file.path), QStringLiteral("two files at '%1'").arg(file.path));
        FUZZ_CHECK(!directories.contains(file.path),
                   QStringLiteral("'%1' is also a directory").arg(file.path));
        paths.insert(file.path);
        QString prefix;
        for (qsizetype i = 0; i + 1 < components.size(); ++i) {
            prefix += (i ? QStringLiteral("/") : QString()) + components[i];
            FUZZ_CHECK(!paths.contains(prefix), QStringLiteral("'%1' is a file and a directory").arg(prefix));
            directories.insert(prefix);
        }
    }
    FUZZ_CHECK(offset == m.totalSize,
               QStringLiteral("files sum to %1, total %2").arg(offset).arg(m.totalSize));

    // The trackers list is deduplicated and never holds an empty URL.
    const QStringList trackers = m.trackers();
    FUZZ_CHECK(QSet<QString>(trackers.begin(), trackers.end()).size() == trackers.size(), QString());
    for (const QString& url : trackers)
        FUZZ_CHECK(!url.isEmpty(), QString());
    return 0;
}
