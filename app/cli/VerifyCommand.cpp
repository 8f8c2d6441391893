#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/ProgressReporter.h"
#include "cli/TorrentFileReader.h"

#include "storage/TorrentStorage.h"

#include <QDir>
#include <QFileInfo>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace swarmscope::cli {

namespace {

std::atomic<bool> g_cancelVerify{false};

void cancelVerify(int) {
    g_cancelVerify.store(true);
}

// The pieces of each file that failed, as "path: n of m pieces bad" lines; files that are all good are left
// out.
QStringList fileReport(const TorrentStorage& storage, const QBitArray& good) {
    QStringList lines;
    const PieceLayout& layout = storage.layout();
    for (int f = 0; f < layout.fileCount(); ++f) {
        const auto [first, end] = layout.piecesOfFile(f);
        int bad = 0;
        for (int p = first; p < end; ++p)
            bad += good.testBit(p) ? 0 : 1;
        if (bad == 0)
            continue;
        const QString path = storage.filePath(f);
        const QString why = QFileInfo::exists(path)
                                ? QStringLiteral("%1 of %2 pieces bad").arg(bad).arg(end - first)
                                : QStringLiteral("missing");
        lines.append(QStringLiteral("  %1: %2").arg(storage.metainfo().files.at(f).path, why));
    }
    return lines;
}

} // namespace

int runVerify(const QStringList& args) {
    CommandLine cl(QStringLiteral("verify"), QStringLiteral("swarmscope verify TORRENT DIR"));
    cl.parse(args, 2, 2);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        std::fputs("\nDIR is the download folder: the folder that holds the torrent's file, or its top-level "
                   "folder.\n",
                   stdout);
        return ExitOk;
    }
    const Metainfo meta = readTorrentFile(cl.positional().at(0));
    const QString dir = cl.positional().at(1);
    if (!QFileInfo(dir).isDir())
        throw BadInput(QStringLiteral("no such directory"), dir);

    TorrentStorage storage(meta, dir);
    if (!storage.layoutStatus().ok())
        throw BadInput(storage.layoutStatus().message, cl.positional().at(0));

    ProgressReporter progress(QStringLiteral("verifying"));
    std::signal(SIGINT, cancelVerify);
    std::signal(SIGTERM, cancelVerify);
    const QBitArray good = storage.verifyAll(
        [&progress, &meta](int checked, int total) {
            progress.update(qint64(checked) * meta.pieceLength, qint64(total) * meta.pieceLength);
        },
        &g_cancelVerify);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    progress.finish();
    if (g_cancelVerify.load()) {
        std::fprintf(stderr, "verification stopped before the end\n");
        return ExitOk;
    }

    const int total = meta.pieceCount();
    const int ok = int(good.count(true));
    if (ok == total) {
        std::printf("%s: all %d pieces verified (%s)\n", meta.name.toUtf8().constData(), total,
                    QDir(dir).absolutePath().toUtf8().constData());
        return ExitOk;
    }
    std::printf("%s: %d of %d pieces failed verification\n", meta.name.toUtf8().constData(), total - ok,
                total);
    for (const QString& line : fileReport(storage, good))
        std::printf("%s\n", line.toUtf8().constData());
    if (ok == 0 && meta.multiFile && !QFileInfo::exists(storage.filePath(0)) &&
        QFileInfo(dir).fileName() == meta.name)
        std::printf("hint: DIR is the folder that contains '%s', not that folder itself\n",
                    meta.name.toUtf8().constData());
    return ExitRuntimeFailure;
}

} // namespace swarmscope::cli
