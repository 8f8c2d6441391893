#include "cli/TorrentFileReader.h"

#include "cli/CliError.h"

#include <QFile>
#include <QFileInfo>

namespace swarmscope::cli {

Metainfo readTorrentFile(const QString& path) {
    const MetainfoLimits limits;
    const QFileInfo info(path);
    if (!info.exists())
        throw BadInput(QStringLiteral("no such file"), path);
    if (info.isDir())
        throw BadInput(QStringLiteral("expected a .torrent file, got a directory"), path);
    if (info.size() > limits.maxTorrentBytes)
        throw BadInput(QStringLiteral("torrent file is too large (%1 bytes, limit %2)")
                           .arg(info.size())
                           .arg(limits.maxTorrentBytes),
                       path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw BadInput(QStringLiteral("cannot read file: %1").arg(file.errorString()), path);
    const QByteArray data = file.read(limits.maxTorrentBytes + 1);
    MetainfoParseResult result = parseMetainfo(data, limits);
    if (!result.ok())
        throw BadInput(QStringLiteral("not a valid torrent: %1").arg(result.message), path);
    return std::move(*result.metainfo);
}

} // namespace swarmscope::cli
