#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

// Turns a torrent's name and path lists into relative paths that stay inside whatever directory they are
// joined to, whichever platform writes them. The policy, rule by rule, is in docs/PATHS.md.
//
// One sanitiser serves one torrent: it remembers the paths it has handed out, so that two files can never
// be written to the same place.
class PathSanitizer {
public:
    // The longest component, in UTF-8 bytes, that common file systems (ext4, NTFS, APFS) accept.
    static constexpr qsizetype maxComponentBytes = 255;
    // When a component is shortened, a final ".ext" up to this many bytes survives, so the file still opens
    // with the right program.
    static constexpr qsizetype maxKeptExtensionBytes = 32;

    // The safe form of one name or path component, or std::nullopt when it cannot be made safe. The reason
    // reads as a predicate for the caller to prefix ("must not be '..'", "must not be empty").
    static std::optional<QString> sanitizeComponent(const QByteArray& raw, QString* reason);

    // name must already be sanitised (see sanitizeComponent); every path starts with it.
    explicit PathSanitizer(const QString& name);

    // The safe path "name/c1/.../cn" for the file at index, or std::nullopt with a one-sentence reason.
    // Apart from per-component rules, the path of a real file must neither equal another file's path nor be
    // a directory on another file's path. Padding files are never written to disk and several of them
    // commonly share one name (".pad/16384"), so they are exempt from that check.
    std::optional<QString> addFile(int index, const QList<QByteArray>& components, bool padding,
                                   QString* reason);

private:
    QString m_name;
    QHash<QString, int> m_files;       // path of a real file -> its index
    QHash<QString, int> m_directories; // every directory above a real file -> the first such file's index
};

} // namespace swarmscope
