// Creates a torrent with TorrentCreator, taking the same arguments as `swarmscope create`, so that
// create-vs-mktorrent.sh can time the engine on its own. Prints "info-hash: <hex>" like the command.

#include "metainfo/TorrentCreator.h"
#include "scenario/Units.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QStringList>

#include <cstdio>
#include <optional>

using namespace swarmscope;

namespace {

int usage() {
    std::fputs(
        "usage: bench_create PATH [-o FILE] [--piece-size SIZE] [--threads N] [--private] [--no-date]\n",
        stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    TorrentCreateOptions options;
    QString output;
    while (!args.isEmpty()) {
        const QString arg = args.takeFirst();
        const bool hasValue = !args.isEmpty();
        if (arg == QLatin1String("-o") && hasValue) {
            output = args.takeFirst();
        } else if (arg == QLatin1String("--piece-size") && hasValue) {
            const std::optional<qint64> size = parseSize(args.takeFirst());
            if (!size)
                return usage();
            options.pieceLength = *size;
        } else if (arg == QLatin1String("--threads") && hasValue) {
            options.threads = args.takeFirst().toInt();
        } else if (arg == QLatin1String("--private")) {
            options.isPrivate = true;
        } else if (arg == QLatin1String("--no-date")) {
            options.includeDate = false;
        } else if (options.path.isEmpty() && !arg.startsWith(QLatin1Char('-'))) {
            options.path = arg;
        } else {
            return usage();
        }
    }
    if (options.path.isEmpty())
        return usage();

    QElapsedTimer timer;
    timer.start();
    TorrentCreator creator(options);
    const TorrentCreateResult result = creator.run();
    const qint64 elapsedMs = timer.elapsed();
    if (!result.ok()) {
        std::fprintf(stderr, "bench_create: error: %s\n", qPrintable(result.error));
        return result.isInputError() ? 2 : 1;
    }
    if (!output.isEmpty()) {
        QFile file(output);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(result.torrent) != result.torrent.size()) {
            std::fprintf(stderr, "bench_create: error: cannot write %s\n", qPrintable(output));
            return 1;
        }
    }
    std::printf("info-hash: %s\n", result.infoHash.toHex().constData());
    std::fprintf(stderr, "%lld bytes, %d pieces of %lld bytes, %lld ms\n", result.totalSize,
                 result.pieceCount, result.pieceLength, elapsedMs);
    return 0;
}
