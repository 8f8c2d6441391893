#include "cli/MagnetOptions.h"

#include "cli/CliError.h"
#include "cli/NetworkCommand.h"

#include "metainfo/Metainfo.h"
#include "peer/Client.h"
#include "peer/MetadataFetcher.h"

#include <QEventLoop>

#include <cstdio>

namespace swarmscope::cli {

MagnetOption parseMagnetOption(const QString& value, const QString& option) {
    QString why;
    std::optional<MagnetLink> link = parseMagnetLink(value, &why);
    if (!link)
        throw BadInput(why, option);
    QString bad;
    const auto peers = magnetPeerAddresses(*link, &bad);
    if (!peers)
        throw BadInput(QStringLiteral("the x.pe peer '%1' is not an IP address and port").arg(bad), option);
    MagnetOption magnet{*link, *peers};
    return magnet;
}

Metainfo fetchMagnetMetadata(Client& client, const MagnetOption& magnet, const QStringList& extraTrackers,
                             PeerAddressList* knownPeers) {
    MetadataFetcher::Params params;
    params.infoHash = magnet.link.infoHash;
    params.trackers = magnet.link.trackers + extraTrackers;
    params.peers = magnet.peers;
    if (params.trackers.isEmpty() && params.peers.isEmpty())
        throw BadInput(QStringLiteral("the magnet link names no tracker (tr) or peer (x.pe); give --tracker"),
                       QStringLiteral("--magnet"));
    std::fprintf(stderr, "fetching the metadata of %s\n", qPrintable(magnet.link.infoHashHex()));
    MetadataFetcher fetcher(&client, params);
    QEventLoop loop;
    bool done = false;
    QObject::connect(&fetcher, &MetadataFetcher::peerNote, &loop,
                     [](const QString& line) { std::fprintf(stderr, "metadata: %s\n", qPrintable(line)); });
    QObject::connect(&fetcher, &MetadataFetcher::fetched, &loop, [&] {
        done = true;
        fetcher.stop();
    });
    QObject::connect(&fetcher, &MetadataFetcher::stopped, &loop, &QEventLoop::quit);
    onTerminationSignal(&fetcher, [&] { fetcher.stop(); });
    fetcher.start();
    loop.exec();
    if (!done)
        return {};
    *knownPeers = fetcher.knownPeers();
    MetainfoParseResult parsed = parseMetainfo("d4:info" + fetcher.infoBytes() + "e");
    if (!parsed.ok())
        throw RuntimeFailure(
            QStringLiteral("the metadata is not a valid info dictionary: %1").arg(parsed.message),
            QStringLiteral("--magnet"));
    std::fprintf(stderr, "metadata: %lld bytes, matches the info-hash\n", qint64(fetcher.infoBytes().size()));
    return *parsed.metainfo;
}

} // namespace swarmscope::cli
