#include "metainfo/PathSanitizer.h"

#include <QStringView>

#include <algorithm>

namespace swarmscope {

namespace {

bool isAsciiLetter(QChar c) {
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

// Cuts a component to maxComponentBytes of UTF-8 at a character boundary, keeping a short extension so the
// file still opens with the right program.
QString shortened(const QString& text) {
    if (text.toUtf8().size() <= PathSanitizer::maxComponentBytes)
        return text;
    QString extension;
    QStringView stem(text);
    const qsizetype dot = text.lastIndexOf(u'.');
    if (dot > 0) {
        const QString candidate = text.mid(dot);
        if (candidate.toUtf8().size() <= PathSanitizer::maxKeptExtensionBytes) {
            extension = candidate;
            stem = stem.left(dot);
        }
    }
    const qsizetype budget = PathSanitizer::maxComponentBytes - extension.toUtf8().size();
    QString out;
    qsizetype used = 0;
    for (qsizetype i = 0; i < stem.size();) {
        // A surrogate pair is one character; splitting it would leave half a character behind.
        const bool pair =
            stem.at(i).isHighSurrogate() && i + 1 < stem.size() && stem.at(i + 1).isLowSurrogate();
        const QStringView character = stem.mid(i, pair ? 2 : 1);
        const qsizetype bytes = character.toUtf8().size();
        if (used + bytes > budget)
            break;
        out += character;
        used += bytes;
        i += character.size();
    }
    return out + extension;
}

} // namespace

std::optional<QString> PathSanitizer::sanitizeComponent(const QByteArray& raw, QString* reason) {
    auto reject = [reason](const QString& why) -> std::optional<QString> {
        if (reason)
            *reason = why;
        return std::nullopt;
    };
    // These three are rejected rather than rewritten: each one is either an attack or a broken torrent, and
    // any rewrite ("_", "__") could silently collide with a real file of that name.
    if (raw.isEmpty())
        return reject(QStringLiteral("must not be empty"));
    if (raw.contains('\0'))
        return reject(QStringLiteral("must not contain a NUL byte"));
    if (raw == "." || raw == "..")
        return reject(QStringLiteral("must not be '%1'").arg(QString::fromLatin1(raw)));

    // Invalid UTF-8 becomes U+FFFD here, so every later step works on real characters.
    QString text = QString::fromUtf8(raw);
    for (QChar& c : text) {
        const char16_t u = c.unicode();
        // A separator inside a component would split it on the platform that honours that separator.
        if (u == u'/' || u == u'\\' || u < 0x20 || u == 0x7f)
            c = u'_';
    }
    text = shortened(text);
    // Qt reads a path that starts with ':' as a resource path, so QDir::filePath() would not join it under
    // the download directory; and "C:x" at the start of a path is drive-relative on Windows.
    if (text.startsWith(u':'))
        text[0] = u'_';
    else if (text.size() >= 2 && text.at(1) == u':' && isAsciiLetter(text.at(0)))
        text[1] = u'_';
    // Windows strips trailing dots and spaces, so ". ." or ".. " would turn into "." or ".." there.
    if (std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c == u'.' || c == u' '; }))
        text.fill(u'_');
    return text;
}

PathSanitizer::PathSanitizer(const QString& name) : m_name(name) {}

std::optional<QString> PathSanitizer::addFile(int index, const QList<QByteArray>& components, bool padding,
                                              QString* reason) {
    auto reject = [reason](const QString& why) -> std::optional<QString> {
        if (reason)
            *reason = why;
        return std::nullopt;
    };
    if (components.isEmpty())
        return reject(QStringLiteral("path list must not be empty"));

    QString path = m_name;
    QList<qsizetype> slashes;
    for (qsizetype i = 0; i < components.size(); ++i) {
        QString why;
        const std::optional<QString> component = sanitizeComponent(components.at(i), &why);
        if (!component)
            return reject(QStringLiteral("path component %1 %2").arg(QString::number(i), why));
        slashes.append(path.size());
        path += u'/' + *component;
    }
    if (padding)
        return path;

    if (const auto it = m_files.constFind(path); it != m_files.constEnd())
        return reject(
            QStringLiteral("path '%1' is also the path of file %2").arg(path, QString::number(*it)));
    if (const auto it = m_directories.constFind(path); it != m_directories.constEnd())
        return reject(QStringLiteral("path '%1' is also a directory on the path of file %2")
                          .arg(path, QString::number(*it)));
    // The first slash follows the name, which is a directory of every file and never a file itself.
    for (const qsizetype slash : slashes) {
        const QString directory = path.left(slash);
        if (const auto it = m_files.constFind(directory); it != m_files.constEnd())
            return reject(QStringLiteral("directory '%1' on this path is the path of file %2")
                              .arg(directory, QString::number(*it)));
    }
    for (const qsizetype slash : slashes) {
        const QString directory = path.left(slash);
        if (!m_directories.contains(directory))
            m_directories.insert(directory, index);
    }
    m_files.insert(path, index);
    return path;
}

} // namespace swarmscope
