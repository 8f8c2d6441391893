#include "storage/PathConfinement.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include <sys/stat.h>

namespace swarmscope {

namespace {

QString canonical(const QString& path, int* errnum) {
    char* resolved = ::realpath(QFile::encodeName(path).constData(), nullptr);
    if (!resolved) {
        *errnum = errno;
        return {};
    }
    const QString out = QFile::decodeName(resolved);
    std::free(resolved);
    return out;
}

StorageStatus unsafe(const QString& what, const QString& path) {
    return StorageStatus::failure(StorageError::UnsafePath,
                                  what + QStringLiteral(" (") + path + QStringLiteral(")"));
}

} // namespace

PathConfinement::PathConfinement(const QString& root) : m_root(QDir::cleanPath(QDir(root).absolutePath())) {}

StorageStatus PathConfinement::prepareRoot() {
    if (!QFileInfo(m_root).isDir() && !QDir().mkpath(m_root))
        return StorageStatus::failure(StorageError::Io,
                                      QStringLiteral("cannot create the download directory (") + m_root +
                                          QStringLiteral(")"));
    int errnum = 0;
    m_canonicalRoot = canonical(m_root, &errnum);
    if (m_canonicalRoot.isEmpty())
        return systemFailure(errnum, QStringLiteral("resolving the download directory"), m_root);
    return {};
}

bool PathConfinement::isInside(const QString& canonicalPath) const {
    if (m_canonicalRoot == u"/")
        return true;
    return canonicalPath == m_canonicalRoot ||
           (canonicalPath.startsWith(m_canonicalRoot) && canonicalPath.at(m_canonicalRoot.size()) == u'/');
}

PathConfinement::Resolved PathConfinement::resolve(const QString& relativePath,
                                                   bool createDirectories) const {
    if (m_canonicalRoot.isEmpty())
        return {unsafe(QStringLiteral("download directory not prepared"), m_root), {}};
    const QStringList components = relativePath.split(u'/');
    QString current = m_canonicalRoot;
    for (int i = 0; i < components.size(); ++i) {
        const QString& component = components[i];
        const bool last = i == components.size() - 1;
        const QString shown = m_root + u'/' + QStringList(components.mid(0, i + 1)).join(u'/');
        if (component.isEmpty() || component == u"." || component == u"..")
            return {unsafe(QStringLiteral("path component would leave the download directory"), shown), {}};
        QString candidate =
            current == u"/" ? QString(current + component) : QString(current + u'/' + component);
        const QByteArray encoded = QFile::encodeName(candidate);
        struct stat info {};
        if (::lstat(encoded.constData(), &info) != 0) {
            if (errno != ENOENT)
                return {systemFailure(errno, QStringLiteral("checking the path"), shown), {}};
            if (last)
                return {{}, candidate}; // the file itself is created by the caller, with O_NOFOLLOW
            if (!createDirectories) {
                current = candidate; // nothing below a missing directory can be a link yet
                continue;
            }
            if (::mkdir(encoded.constData(), 0777) != 0 && errno != EEXIST)
                return {systemFailure(errno, QStringLiteral("creating a directory"), shown), {}};
            if (::lstat(encoded.constData(), &info) != 0)
                return {systemFailure(errno, QStringLiteral("creating a directory"), shown), {}};
        }
        if (S_ISLNK(info.st_mode)) {
            int errnum = 0;
            const QString target = canonical(candidate, &errnum);
            if (target.isEmpty())
                return {
                    unsafe(QStringLiteral("symbolic link in the download directory leads nowhere"), shown),
                    {}};
            if (!isInside(target))
                return {unsafe(QStringLiteral("symbolic link leads outside the download directory"), shown),
                        {}};
            if (::stat(QFile::encodeName(target).constData(), &info) != 0)
                return {systemFailure(errno, QStringLiteral("checking the path"), shown), {}};
            candidate = target;
        }
        if (!last && !S_ISDIR(info.st_mode))
            return {StorageStatus::failure(StorageError::Io,
                                           QStringLiteral("not a directory (") + shown + QStringLiteral(")")),
                    {}};
        if (last && S_ISDIR(info.st_mode))
            return {StorageStatus::failure(StorageError::Io,
                                           QStringLiteral("a directory is in the way of a file (") + shown +
                                               QStringLiteral(")")),
                    {}};
        current = candidate;
    }
    return {{}, current};
}

} // namespace swarmscope
