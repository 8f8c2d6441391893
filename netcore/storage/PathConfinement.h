#pragma once

#include "storage/StorageStatus.h"

#include <QString>

namespace swarmscope {

// Keeps every file a torrent writes inside its download directory. Metainfo paths are already sanitised (no
// "..", not absolute), but the directory itself may hold symbolic links: one planted at "name" pointing to
// /home/user would otherwise let a torrent overwrite files there. Each existing component under the root is
// checked with lstat; a symbolic link is followed only if its canonical target stays inside the root's
// canonical path, and a dangling one is refused because creating the file would create its target.
//
// Links that stay inside the root are allowed (users rearrange folders that way). A race remains between the
// check and the open() that follows; the final component is opened with O_NOFOLLOW and the storage resolves
// the path again each time it opens a file for writing, which narrows it to a directory swapped for a link
// inside that window.
class PathConfinement {
public:
    // root need not exist yet; it is the caller's choice and is trusted, including a root that is itself a
    // link.
    explicit PathConfinement(const QString& root);

    // Creates the root (with parents) if missing and records its canonical path. Must succeed before
    // resolve().
    StorageStatus prepareRoot();
    QString canonicalRoot() const { return m_canonicalRoot; }

    struct Resolved {
        StorageStatus status;
        QString path; // absolute path with every existing link resolved, safe to open with O_NOFOLLOW
    };
    // Resolves root/relativePath ('/' separators) for writing. With createDirectories, missing parent
    // directories are made one component at a time, each checked before the next is entered.
    Resolved resolve(const QString& relativePath, bool createDirectories) const;

private:
    bool isInside(const QString& canonicalPath) const;

    QString m_root;
    QString m_canonicalRoot;
};

} // namespace swarmscope
