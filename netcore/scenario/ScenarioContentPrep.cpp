#include "scenario/ScenarioContentPrep.h"

#include "metainfo/TorrentCreator.h"
#include "swarm/PseudoRandomFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <unistd.h>

namespace swarmscope {

namespace {

ContentPrepResult failure(const QString& error, const QString& where = {}, bool inputError = false) {
    ContentPrepResult r;
    r.error = error;
    r.where = where;
    r.inputError = inputError;
    return r;
}

} // namespace

ContentPrepResult prepareContent(const ContentPrepRequest& request) {
    QString path;
    QString sourceDir;
    if (!request.path.isEmpty()) {
        const QFileInfo info(QDir::cleanPath(request.path)); // "dir/" names dir, not an empty last component
        path = info.absoluteFilePath();
        sourceDir = info.absolutePath();
    } else {
        sourceDir = QDir(request.workDir).filePath(QStringLiteral("source"));
        if (!QDir().mkpath(sourceDir))
            return failure(QStringLiteral("cannot create a directory"), sourceDir);
        path = QDir(sourceDir).filePath(QStringLiteral("swarm-%1.bin").arg(request.size));
        QString error;
        if (!writePseudoRandomFile(path, request.size, kGeneratedContentSeed, &error))
            return failure(error);
    }

    TorrentCreateOptions options;
    options.path = path;
    options.pieceLength = request.pieceSize;
    options.includeDate = false;
    options.createdBy = request.createdBy;
    TorrentCreator creator(options);
    const TorrentCreateResult made = creator.run([&](qint64 done, qint64 total) {
        if (request.progress && !request.progress(done, total))
            creator.cancel();
    });
    if (made.cancelled) {
        ContentPrepResult r;
        r.cancelled = true;
        return r;
    }
    if (!made.ok())
        return failure(made.error, {}, made.isInputError());
    MetainfoParseResult parsed = parseMetainfo(made.torrent);
    if (!parsed.ok())
        return failure(QStringLiteral("the torrent just made does not parse: %1").arg(parsed.message));

    PreparedContent content;
    content.metainfo = *parsed.metainfo;
    content.dataPath = path;
    content.servedDir = sourceDir;
    // Seeders serve the data in place, under the name the torrent gives it. When sanitising changed that
    // name, they get a hard link (or a copy) under the right name in the work directory instead.
    if (content.metainfo.name != QFileInfo(path).fileName()) {
        if (content.metainfo.multiFile)
            return failure(QStringLiteral("the folder's name is not usable as a torrent name"), path);
        const QString dir = QDir(request.workDir).filePath(QStringLiteral("source"));
        QDir().mkpath(dir);
        const QString target = QDir(dir).filePath(content.metainfo.name);
        if (::link(QFile::encodeName(path).constData(), QFile::encodeName(target).constData()) != 0 &&
            !QFile::copy(path, target))
            return failure(QStringLiteral("cannot link or copy the file for the seeders"), target);
        content.servedDir = dir;
    }
    ContentPrepResult r;
    r.content = std::move(content);
    return r;
}

} // namespace swarmscope
