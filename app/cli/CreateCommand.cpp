#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/OptionValues.h"
#include "cli/ProgressReporter.h"

#include "Version.h"
#include "metainfo/TorrentCreator.h"
#include "scenario/Units.h"

#include <QFileInfo>
#include <QSaveFile>
#include <QUrl>

#include <csignal>
#include <cstdio>

namespace swarmscope::cli {

namespace {

volatile std::sig_atomic_t g_stopRequested = 0;

void requestStop(int) {
    // Only an atomic store is safe in a signal handler; the progress callback turns it into cancel().
    g_stopRequested = 1;
}

QString defaultOutputPath(const QString& input) {
    QFileInfo info(input);
    return info.fileName() + QStringLiteral(".torrent");
}

} // namespace

int runCreate(const QStringList& args) {
    CommandLine cl(QStringLiteral("create"),
                   QStringLiteral("swarmscope create PATH [-o FILE] [--piece-size SIZE] [--tracker URL]... "
                                  "[--private] [--comment TEXT] [--no-date]"));
    cl.addOption(
        QCommandLineOption({QStringLiteral("o"), QStringLiteral("output")},
                           QStringLiteral("Write the torrent to FILE (default: PATH's name + .torrent)."),
                           QStringLiteral("FILE")));
    cl.addOption(
        QCommandLineOption(QStringLiteral("piece-size"),
                           QStringLiteral("Piece size, a power of two such as 256KiB (default: automatic)."),
                           QStringLiteral("SIZE")));
    cl.addOption(QCommandLineOption(QStringLiteral("tracker"),
                                    QStringLiteral("Announce URL; repeat for backup trackers."),
                                    QStringLiteral("URL")));
    cl.addOption(QCommandLineOption(QStringLiteral("private"), QStringLiteral("Mark the torrent private.")));
    cl.addOption(QCommandLineOption(QStringLiteral("comment"), QStringLiteral("A comment to embed."),
                                    QStringLiteral("TEXT")));
    cl.addOption(QCommandLineOption(QStringLiteral("no-date"),
                                    QStringLiteral("Leave out the creation date, for reproducible output.")));
    cl.parse(args, 1, 1);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }

    TorrentCreateOptions options;
    options.path = cl.positional().at(0);
    const QFileInfo input(options.path);
    if (!input.exists())
        throw BadInput(QStringLiteral("no such file or directory"), options.path);

    options.pieceLength = pieceSizeOption(cl);
    for (const QString& tracker : cl.values(QStringLiteral("tracker"))) {
        const QUrl url(tracker, QUrl::StrictMode);
        const QString scheme = url.scheme();
        if (!url.isValid() || url.host().isEmpty() ||
            (scheme != u"http" && scheme != u"https" && scheme != u"udp" && scheme != u"ws" &&
             scheme != u"wss"))
            throw BadInput(QStringLiteral("'%1' is not a tracker URL such as http://127.0.0.1:6969/announce")
                               .arg(tracker),
                           QStringLiteral("--tracker"));
        options.trackers.append(tracker);
    }
    options.isPrivate = cl.isSet(QStringLiteral("private"));
    options.comment = cl.value(QStringLiteral("comment"));
    options.includeDate = !cl.isSet(QStringLiteral("no-date"));
    options.createdBy = QStringLiteral("Swarmscope " SWARMSCOPE_VERSION);

    const QString output = cl.isSet(QStringLiteral("output")) ? cl.value(QStringLiteral("output"))
                                                              : defaultOutputPath(options.path);
    if (QFileInfo(output).isDir())
        throw BadInput(QStringLiteral("output is a directory"), QStringLiteral("-o ") + output);
    if (QFileInfo(output).absoluteFilePath() == input.absoluteFilePath())
        throw BadInput(QStringLiteral("output would overwrite the input"), QStringLiteral("-o ") + output);

    TorrentCreator creator(options);
    ProgressReporter progress(QStringLiteral("hashing"));
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    const TorrentCreateResult result = creator.run([&](qint64 done, qint64 total) {
        if (g_stopRequested)
            creator.cancel();
        progress.update(done, total);
    });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    if (result.cancelled) {
        progress.finish(QStringLiteral("cancelled; nothing written"));
        return ExitOk;
    }
    if (!result.ok()) {
        progress.finish();
        // The creator's messages already say where ("what (where)").
        if (result.isInputError())
            throw BadInput(result.error);
        throw RuntimeFailure(result.error);
    }
    progress.finish();
    for (const QString& skipped : result.skipped)
        std::fprintf(stderr,
                     "skipped %s: not a regular file (symbolic links and special files are left out)\n",
                     skipped.toUtf8().constData());

    // QSaveFile writes to a temporary file and renames it, so an existing torrent is never left half-written.
    QSaveFile file(output);
    if (!file.open(QIODevice::WriteOnly) || file.write(result.torrent) != result.torrent.size() ||
        !file.commit())
        throw RuntimeFailure(QStringLiteral("cannot write the torrent: %1").arg(file.errorString()), output);

    std::printf("info-hash: %s\n", result.infoHash.toHex().constData());
    std::fprintf(stderr, "wrote %s: %d pieces of %s, %s in all\n", output.toUtf8().constData(),
                 result.pieceCount, formatSize(result.pieceLength).toUtf8().constData(),
                 formatSize(result.totalSize).toUtf8().constData());
    return ExitOk;
}

} // namespace swarmscope::cli
