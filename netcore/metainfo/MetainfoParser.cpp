#include "bencode/Bencode.h"
#include "metainfo/Metainfo.h"
#include "metainfo/PathSanitizer.h"
#include "metainfo/Sha1.h"

#include <limits>

namespace swarmscope {

namespace {

using Type = BencodeValue::Type;

QString typeName(Type type) {
    switch (type) {
    case Type::Integer:
        return QStringLiteral("an integer");
    case Type::String:
        return QStringLiteral("a string");
    case Type::List:
        return QStringLiteral("a list");
    case Type::Dictionary:
        return QStringLiteral("a dictionary");
    }
    return QString();
}

QString keyName(const QByteArray& key) {
    return QString::fromUtf8(key);
}

// Reads and validates one .torrent. Every failure records one error kind and one message of the form
// "<what> (<where>)", where <where> is the field's path such as "info.files[3].length".
class MetainfoParser {
public:
    MetainfoParser(const QByteArray& data, const MetainfoLimits& limits) : m_data(data), m_limits(limits) {}

    MetainfoParseResult run() {
        if (m_data.size() > m_limits.maxTorrentBytes) {
            fail(MetainfoError::TooLarge,
                 QStringLiteral("torrent is %1 bytes, more than the limit of %2 bytes (torrent file)")
                     .arg(m_data.size())
                     .arg(m_limits.maxTorrentBytes));
            return std::move(m_result);
        }
        const BencodeDecodeResult decoded = bencodeDecode(m_data);
        if (!decoded.ok()) {
            fail(MetainfoError::Bencode, QStringLiteral("not valid bencode: %1").arg(decoded.errorString()));
            return std::move(m_result);
        }
        const BencodeValue& root = *decoded.value;
        if (!root.isDictionary()) {
            fail(MetainfoError::NotADictionary,
                 QStringLiteral("torrent must be a dictionary, found %1 (top level)")
                     .arg(typeName(root.type())));
            return std::move(m_result);
        }
        const BencodeValue* info = root.find("info");
        if (!info) {
            fail(MetainfoError::MissingInfo, QStringLiteral("info dictionary is missing (info)"));
            return std::move(m_result);
        }
        if (!info->isDictionary()) {
            fail(MetainfoError::NotADictionary,
                 QStringLiteral("info must be a dictionary, found %1 (info)").arg(typeName(info->type())));
            return std::move(m_result);
        }

        Metainfo meta;
        if (!parseInfo(*info, meta))
            return std::move(m_result);
        // The info-hash is defined over the bytes as written; hashing the raw span keeps it right even if the
        // decoder ever grows tolerant of non-canonical input, where a re-encoding would differ.
        meta.infoBytes = m_data.mid(info->rawOffset(), info->rawLength());
        meta.infoHash = sha1(meta.infoBytes);
        parseDescription(root, meta);
        m_result.metainfo = std::move(meta);
        return std::move(m_result);
    }

private:
    bool fail(MetainfoError error, const QString& message) {
        m_result.error = error;
        m_result.message = message;
        return false;
    }

    // Looks up key in dict. A missing required field or a value of another type fails; a missing optional
    // field leaves *out null and succeeds.
    bool field(const BencodeValue& dict, const QByteArray& key, Type type, const QString& where,
               bool required, const BencodeValue** out) {
        *out = dict.find(key);
        if (!*out) {
            if (required)
                return fail(MetainfoError::MissingField,
                            QStringLiteral("required field is missing (%1)").arg(where));
            return true;
        }
        if ((*out)->type() != type)
            return fail(MetainfoError::WrongType, QStringLiteral("expected %1, found %2 (%3)")
                                                      .arg(typeName(type), typeName((*out)->type()), where));
        return true;
    }

    // The plain key is what mktorrent, libtorrent and Transmission write and read; the ".utf-8" variant only
    // stands in when the plain one is absent.
    static QByteArray keyWithFallback(const BencodeValue& dict, const QByteArray& key) {
        const QByteArray fallback = key + ".utf-8";
        return !dict.find(key) && dict.find(fallback) ? fallback : key;
    }

    bool parseInfo(const BencodeValue& info, Metainfo& meta) {
        const BencodeValue* metaVersion = nullptr;
        if (!field(info, "meta version", Type::Integer, QStringLiteral("info.meta version"), false,
                   &metaVersion))
            return false;
        const bool hasV1Pieces = info.find("pieces") != nullptr;
        const bool hasV2 = (metaVersion && metaVersion->toInteger() >= 2) || info.find("file tree");
        if (hasV2 && !hasV1Pieces)
            return fail(MetainfoError::V2NotSupported,
                        QStringLiteral("BitTorrent v2-only torrents are not supported (%1)")
                            .arg(metaVersion ? QStringLiteral("info.meta version")
                                             : QStringLiteral("info.file tree")));
        meta.hybrid = hasV2;

        if (!parseName(info, meta))
            return false;

        const BencodeValue* pieceLength = nullptr;
        const QString pieceLengthWhere = QStringLiteral("info.piece length");
        if (!field(info, "piece length", Type::Integer, pieceLengthWhere, true, &pieceLength))
            return false;
        meta.pieceLength = pieceLength->toInteger();
        if (meta.pieceLength <= 0)
            return fail(MetainfoError::BadPieceLength,
                        QStringLiteral("piece length must be positive, not %1 (%2)")
                            .arg(meta.pieceLength)
                            .arg(pieceLengthWhere));
        // BEP 3 only asks for "almost always a power of two", and real torrents exist that are not, so only
        // the size is bounded: one piece is held in memory while it is verified.
        if (meta.pieceLength > m_limits.maxPieceLength)
            return fail(MetainfoError::BadPieceLength,
                        QStringLiteral("piece length %1 is larger than the limit of %2 bytes (%3)")
                            .arg(meta.pieceLength)
                            .arg(m_limits.maxPieceLength)
                            .arg(pieceLengthWhere));

        const BencodeValue* pieces = nullptr;
        if (!field(info, "pieces", Type::String, QStringLiteral("info.pieces"), true, &pieces))
            return false;
        meta.pieces = pieces->toByteArray();

        const BencodeValue* isPrivate = nullptr;
        if (!field(info, "private", Type::Integer, QStringLiteral("info.private"), false, &isPrivate))
            return false;
        // BEP 27 writes 1; any other non-zero value is read as private too, since wrongly treating a private
        // torrent as public leaks its peers, while the reverse only costs some peer sources.
        meta.isPrivate = isPrivate && isPrivate->toInteger() != 0;

        if (info.find("files")) {
            meta.multiFile = true;
            if (!parseFiles(info, meta))
                return false;
        } else if (!parseSingleFile(info, meta)) {
            return false;
        }
        return checkPieces(meta);
    }

    bool parseName(const BencodeValue& info, Metainfo& meta) {
        const QByteArray key = keyWithFallback(info, "name");
        const QString where = QStringLiteral("info.") + keyName(key);
        const BencodeValue* name = nullptr;
        if (!field(info, key, Type::String, where, true, &name))
            return false;
        QString why;
        const std::optional<QString> sanitized = PathSanitizer::sanitizeComponent(name->toByteArray(), &why);
        if (!sanitized)
            return fail(MetainfoError::BadName, QStringLiteral("name %1 (%2)").arg(why, where));
        meta.name = *sanitized;
        return true;
    }

    bool parseSingleFile(const BencodeValue& info, Metainfo& meta) {
        const BencodeValue* length = nullptr;
        const QString where = QStringLiteral("info.length");
        if (!field(info, "length", Type::Integer, where, true, &length))
            return false;
        if (length->toInteger() < 0)
            return fail(MetainfoError::BadLength, QStringLiteral("length must not be negative, not %1 (%2)")
                                                      .arg(length->toInteger())
                                                      .arg(where));
        meta.totalSize = length->toInteger();
        TorrentFile file;
        file.path = meta.name;
        file.length = meta.totalSize;
        meta.files.append(file);
        return true;
    }

    bool parseFiles(const BencodeValue& info, Metainfo& meta) {
        const BencodeValue* files = nullptr;
        if (!field(info, "files", Type::List, QStringLiteral("info.files"), true, &files))
            return false;
        const BencodeValue::List& list = files->toList();
        if (list.isEmpty())
            return fail(MetainfoError::NoFiles, QStringLiteral("files list is empty (info.files)"));
        if (list.size() > m_limits.maxFiles)
            return fail(MetainfoError::TooLarge,
                        QStringLiteral("torrent lists %1 files, more than the limit of %2 "
                                       "(info.files)")
                            .arg(list.size())
                            .arg(m_limits.maxFiles));

        PathSanitizer paths(meta.name);
        qint64 total = 0;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const BencodeValue& entry = list.at(i);
            const QString where = QStringLiteral("info.files[%1]").arg(i);
            if (!entry.isDictionary())
                return fail(MetainfoError::WrongType, QStringLiteral("expected a dictionary, found %1 (%2)")
                                                          .arg(typeName(entry.type()), where));

            const BencodeValue* length = nullptr;
            const QString lengthWhere = where + QStringLiteral(".length");
            if (!field(entry, "length", Type::Integer, lengthWhere, true, &length))
                return false;
            if (length->toInteger() < 0)
                return fail(MetainfoError::BadLength,
                            QStringLiteral("length must not be negative, not %1 (%2)")
                                .arg(length->toInteger())
                                .arg(lengthWhere));
            if (length->toInteger() > std::numeric_limits<qint64>::max() - total)
                return fail(
                    MetainfoError::BadLength,
                    QStringLiteral("total size of the files overflows 64 bits (%1)").arg(lengthWhere));

            QList<QByteArray> components;
            const QByteArray pathKey = keyWithFallback(entry, "path");
            const QString pathWhere = where + u'.' + keyName(pathKey);
            const BencodeValue* path = nullptr;
            if (!field(entry, pathKey, Type::List, pathWhere, true, &path))
                return false;
            for (qsizetype c = 0; c < path->toList().size(); ++c) {
                const BencodeValue& component = path->toList().at(c);
                if (!component.isString())
                    return fail(MetainfoError::WrongType,
                                QStringLiteral("expected a string, found %1 (%2[%3])")
                                    .arg(typeName(component.type()), pathWhere)
                                    .arg(c));
                components.append(component.toByteArray());
            }

            // BEP 47: attr "p" marks a padding file. It stays in the list because it occupies bytes of the
            // v1 piece layout, but it is never written.
            const BencodeValue* attr = entry.find("attr");
            const bool padding = attr && attr->isString() && attr->toByteArray().contains('p');

            QString why;
            const std::optional<QString> sanitized = paths.addFile(int(i), components, padding, &why);
            if (!sanitized)
                return fail(MetainfoError::BadPath, QStringLiteral("%1 (%2)").arg(why, pathWhere));

            TorrentFile file;
            file.path = *sanitized;
            file.length = length->toInteger();
            file.offset = total;
            file.padding = padding;
            meta.files.append(file);
            total += file.length;
        }
        meta.totalSize = total;
        return true;
    }

    bool checkPieces(const Metainfo& meta) {
        const QString where = QStringLiteral("info.pieces");
        if (meta.totalSize == 0)
            return fail(
                MetainfoError::NoFiles,
                QStringLiteral("torrent holds no data: its total size is 0 (%1)")
                    .arg(meta.multiFile ? QStringLiteral("info.files") : QStringLiteral("info.length")));
        if (meta.pieces.size() % 20 != 0)
            return fail(MetainfoError::BadPieces,
                        QStringLiteral("pieces must be a multiple of 20 bytes long, not %1 (%2)")
                            .arg(meta.pieces.size())
                            .arg(where));
        const qint64 needed =
            meta.totalSize / meta.pieceLength + (meta.totalSize % meta.pieceLength != 0 ? 1 : 0);
        const qint64 present = meta.pieces.size() / 20;
        if (present != needed)
            return fail(
                MetainfoError::BadPieces,
                QStringLiteral("pieces holds %1 hashes, but %2 bytes in pieces of %3 bytes need %4 (%5)")
                    .arg(present)
                    .arg(meta.totalSize)
                    .arg(meta.pieceLength)
                    .arg(needed)
                    .arg(where));
        return true;
    }

    // The fields outside the info dictionary do not change which bytes are downloaded, and real torrents get
    // their types wrong often enough that rejecting them would only lose usable torrents: a field of the
    // wrong type is ignored.
    static void parseDescription(const BencodeValue& root, Metainfo& meta) {
        if (const BencodeValue* announce = root.find("announce"); announce && announce->isString())
            meta.announce = QString::fromUtf8(announce->toByteArray()).trimmed();

        if (const BencodeValue* tiers = root.find("announce-list"); tiers && tiers->isList()) {
            for (const BencodeValue& tier : tiers->toList()) {
                // Some writers flatten the tiers into one list of strings; each string is then its own tier.
                const BencodeValue::List urls = tier.isList() ? tier.toList() : BencodeValue::List{tier};
                QStringList out;
                for (const BencodeValue& url : urls) {
                    const QString text =
                        url.isString() ? QString::fromUtf8(url.toByteArray()).trimmed() : QString();
                    if (!text.isEmpty() && !out.contains(text))
                        out.append(text);
                }
                if (!out.isEmpty())
                    meta.announceList.append(out);
            }
        }

        // Dates before 1970 or after 9999 are corrupt (often milliseconds written as seconds) and not shown.
        constexpr qint64 lastSecondOf9999 = 253402300799;
        if (const BencodeValue* date = root.find("creation date");
            date && date->isInteger() && date->toInteger() >= 0 && date->toInteger() <= lastSecondOf9999)
            meta.creationDate = QDateTime::fromSecsSinceEpoch(date->toInteger(), Qt::UTC);

        if (const BencodeValue* comment = root.find("comment"); comment && comment->isString())
            meta.comment = QString::fromUtf8(comment->toByteArray());
        if (const BencodeValue* createdBy = root.find("created by"); createdBy && createdBy->isString())
            meta.createdBy = QString::fromUtf8(createdBy->toByteArray());

        // BEP 19 allows a single URL or a list of them.
        if (const BencodeValue* urlList = root.find("url-list")) {
            const BencodeValue::List urls =
                urlList->isList() ? urlList->toList() : BencodeValue::List{*urlList};
            for (const BencodeValue& url : urls) {
                const QString text =
                    url.isString() ? QString::fromUtf8(url.toByteArray()).trimmed() : QString();
                if (!text.isEmpty() && !meta.urlList.contains(text))
                    meta.urlList.append(text);
            }
        }
    }

    const QByteArray& m_data;
    const MetainfoLimits& m_limits;
    MetainfoParseResult m_result;
};

} // namespace

MetainfoParseResult parseMetainfo(const QByteArray& data, const MetainfoLimits& limits) {
    return MetainfoParser(data, limits).run();
}

} // namespace swarmscope
