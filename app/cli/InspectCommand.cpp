#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/TorrentFileReader.h"

#include "metainfo/MagnetLink.h"
#include "scenario/Units.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace swarmscope::cli {

namespace {

void printOut(const QString& text) {
    std::fputs(text.toUtf8().constData(), stdout);
}

QJsonObject torrentJson(const Metainfo& meta) {
    QJsonArray files;
    for (const TorrentFile& file : meta.files)
        files.append(
            QJsonObject{{QStringLiteral("path"), file.path}, {QStringLiteral("length"), file.length}});
    return QJsonObject{
        {QStringLiteral("info_hash"), meta.infoHashHex()},
        {QStringLiteral("name"), meta.name},
        {QStringLiteral("piece_length"), meta.pieceLength},
        {QStringLiteral("pieces"), meta.pieceCount()},
        {QStringLiteral("total_size"), meta.totalSize},
        {QStringLiteral("private"), meta.isPrivate},
        {QStringLiteral("trackers"), QJsonArray::fromStringList(meta.trackers())},
        {QStringLiteral("files"), files},
    };
}

QString torrentText(const Metainfo& meta) {
    QString out;
    auto line = [&out](const char* key, const QString& value) {
        out += QStringLiteral("%1 %2\n").arg(QString::fromLatin1(key) + u':', -14).arg(value);
    };
    line("name", meta.name);
    line("info-hash", meta.infoHashHex());
    line("total size", QStringLiteral("%1 (%2 bytes)").arg(formatSize(meta.totalSize)).arg(meta.totalSize));
    line("piece length",
         QStringLiteral("%1 (%2 bytes)").arg(formatSize(meta.pieceLength)).arg(meta.pieceLength));
    line("pieces", QString::number(meta.pieceCount()));
    line("private", meta.isPrivate ? QStringLiteral("yes") : QStringLiteral("no"));
    if (meta.hybrid)
        line("format", QStringLiteral("hybrid v1/v2 (read as v1)"));
    if (meta.creationDate)
        line("created", meta.creationDate->toUTC().toString(Qt::ISODate));
    if (!meta.createdBy.isEmpty())
        line("created by", meta.createdBy);
    if (!meta.comment.isEmpty())
        line("comment", meta.comment);
    const QStringList trackers = meta.trackers();
    line("trackers", trackers.isEmpty() ? QStringLiteral("(none)") : trackers.first());
    for (qsizetype i = 1; i < trackers.size(); ++i)
        out += QString(15, u' ') + trackers.at(i) + u'\n';
    out += QStringLiteral("files:         %1\n").arg(meta.files.size());
    for (const TorrentFile& file : meta.files)
        out += QStringLiteral("  %1  %2\n").arg(formatSize(file.length), 11).arg(file.path);
    return out;
}

} // namespace

int runInspect(const QStringList& args) {
    CommandLine cl(QStringLiteral("inspect"), QStringLiteral("swarmscope inspect TORRENT|MAGNET [--json]"));
    cl.addOption(QCommandLineOption(QStringLiteral("json"), QStringLiteral("Print JSON.")));
    cl.parse(args, 1, 1);
    if (cl.helpRequested()) {
        printOut(cl.helpText());
        return ExitOk;
    }
    const QString target = cl.positional().at(0);
    const bool json = cl.isSet(QStringLiteral("json"));

    if (target.startsWith(QStringLiteral("magnet:"), Qt::CaseInsensitive)) {
        QString error;
        const std::optional<MagnetLink> magnet = parseMagnetLink(target, &error);
        if (!magnet)
            throw BadInput(QStringLiteral("not a valid magnet link: %1").arg(error),
                           QStringLiteral("MAGNET"));
        if (json) {
            const QJsonObject object{
                {QStringLiteral("info_hash"), magnet->infoHashHex()},
                {QStringLiteral("name"), magnet->displayName},
                {QStringLiteral("trackers"), QJsonArray::fromStringList(magnet->trackers)}};
            printOut(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
        } else {
            QString out = QStringLiteral("magnet link\ninfo-hash:     %1\n").arg(magnet->infoHashHex());
            if (!magnet->displayName.isEmpty())
                out += QStringLiteral("name:          %1\n").arg(magnet->displayName);
            for (const QString& tracker : magnet->trackers)
                out += QStringLiteral("tracker:       %1\n").arg(tracker);
            printOut(out);
        }
        return ExitOk;
    }

    const Metainfo meta = readTorrentFile(target);
    if (json)
        printOut(QString::fromUtf8(QJsonDocument(torrentJson(meta)).toJson(QJsonDocument::Indented)));
    else
        printOut(torrentText(meta));
    return ExitOk;
}

} // namespace swarmscope::cli
