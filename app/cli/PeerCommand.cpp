#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/MagnetOptions.h"
#include "cli/NetworkCommand.h"
#include "cli/OptionValues.h"
#include "cli/ProgressReporter.h"
#include "cli/TorrentFileReader.h"

#include "Version.h"
#include "metainfo/MagnetLink.h"
#include "metainfo/TorrentCreator.h"
#include "peer/Client.h"
#include "peer/MetadataFetcher.h"
#include "peer/TorrentSession.h"
#include "scenario/Units.h"
#include "tracker/CatalogueClient.h"
#include "transport/TcpNode.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QTimer>
#include <QUrl>

#include <cstdio>
#include <functional>

namespace swarmscope::cli {

namespace {

const QString kDefaultTracker = QStringLiteral("http://127.0.0.1:6969/announce");

const char* const kHelpNotes =
    "\n"
    "Resume: a leecher keeps resume data in DIR/.swarmscope/<info-hash>.resume, saved when it\n"
    "stops, when it completes and when the disk fills up. A restart trusts the pieces listed\n"
    "there and hashes again every piece of a file changed since (after a crash, that finds the\n"
    "pieces verified after the last save); without resume data it hashes whatever is on disk.\n"
    "\n"
    "Output (stderr): a leecher says how many pieces it found verified on disk at start; every\n"
    "peer ends with 'summary: received N bytes of piece data (W wasted), sent U; V of P pieces\n"
    "verified, K of them found on disk at start', from its own counters.\n"
    "\n"
    "Exit codes: 0 done, or stopped by SIGINT/SIGTERM; 1 a failure at run time, such as a full\n"
    "disk or a file size limit (the error names the file and the cause); 2 bad input.\n";

// A leecher's resume data: DIR/.swarmscope/<info-hash>.resume, inside the download directory.
QString resumeFileFor(const QString& downloadDir, const QByteArray& infoHash) {
    return QDir(downloadDir)
        .filePath(QStringLiteral(".swarmscope/%1.resume").arg(QString::fromLatin1(infoHash.toHex())));
}

struct PeerOptions {
    TorrentRole role = TorrentRole::Leecher;
    QString torrentPath;                // --torrent
    QString file;                       // --file
    std::optional<MagnetOption> magnet; // --magnet, with its x.pe addresses
    QString tracker;
    bool trackerGiven = false;
    QString dir;
    QHostAddress listenAddress{QHostAddress::LocalHost};
    quint16 listenPort = 0;
    qint64 latencyMs = 0;
    qint64 up = 0;
    qint64 down = 0;
    bool exitWhenDone = false;
    mse::Policy encryption = mse::Policy::Prefer;
    bool dht = false;                // --dht on|off
    quint16 dhtPort = 0;             // --dht-port
    QList<DhtEndpoint> dhtBootstrap; // --dht-bootstrap
    bool pex = true;                 // --pex on|off
};

PeerOptions parseOptions(CommandLine& cl) {
    PeerOptions o;
    const QString role = cl.value(QStringLiteral("role"));
    if (cl.isSet(QStringLiteral("magnet"))) {
        // BEP 9: the metadata comes from the swarm, so a magnet peer is a leecher.
        if (cl.isSet(QStringLiteral("torrent")) || cl.isSet(QStringLiteral("file")))
            throw BadInput(QStringLiteral("--magnet takes the place of --torrent and --file"),
                           QStringLiteral("swarmscope peer"));
        if (!role.isEmpty() && role != u"leecher")
            throw BadInput(QStringLiteral("a magnet link is downloaded: --role must be leecher"),
                           QStringLiteral("--role"));
        o.magnet = parseMagnetOption(cl.value(QStringLiteral("magnet")), QStringLiteral("--magnet"));
    }
    if (o.magnet)
        o.role = TorrentRole::Leecher;
    else if (role == u"seeder")
        o.role = TorrentRole::Seeder;
    else if (role == u"leecher")
        o.role = TorrentRole::Leecher;
    else if (role.isEmpty())
        throw BadInput(QStringLiteral("--role seeder or --role leecher is required"),
                       QStringLiteral("swarmscope peer"));
    else
        throw BadInput(QStringLiteral("'%1' is not a role; use seeder or leecher").arg(role),
                       QStringLiteral("--role"));

    const bool hasTorrent = cl.isSet(QStringLiteral("torrent"));
    const bool hasFile = cl.isSet(QStringLiteral("file"));
    if (hasTorrent == hasFile && !o.magnet)
        throw BadInput(QStringLiteral("give exactly one of --torrent FILE and --file PATH_OR_NAME"),
                       QStringLiteral("swarmscope peer"));
    o.torrentPath = cl.value(QStringLiteral("torrent"));
    o.file = cl.value(QStringLiteral("file"));
    if (hasFile && o.file.isEmpty())
        throw BadInput(QStringLiteral("empty file name"), QStringLiteral("--file"));

    o.trackerGiven = cl.isSet(QStringLiteral("tracker"));
    o.tracker = o.trackerGiven ? cl.value(QStringLiteral("tracker")) : kDefaultTracker;
    const bool udp = checkTrackerUrl(o.tracker, QStringLiteral("--tracker"), kDefaultTracker);
    // --file goes through the tracker's catalogue, which only the HTTP side has.
    if (udp && hasFile)
        throw BadInput(
            QStringLiteral("--file needs an http:// tracker for its catalogue, not '%1'").arg(o.tracker),
            QStringLiteral("--tracker"));

    o.dir = cl.isSet(QStringLiteral("dir")) ? cl.value(QStringLiteral("dir")) : QDir::currentPath();
    if (cl.isSet(QStringLiteral("listen")))
        std::tie(o.listenAddress, o.listenPort) =
            parseListenAddress(cl.value(QStringLiteral("listen")), QStringLiteral("--listen"));
    o.latencyMs = latencyOption(cl);
    o.up = rateOption(cl, QStringLiteral("up"));
    o.down = rateOption(cl, QStringLiteral("down"));
    o.exitWhenDone = cl.isSet(QStringLiteral("exit-when-done"));
    if (cl.isSet(QStringLiteral("encryption")))
        o.encryption = encryptionOption(cl);

    o.dht = onOffOption(cl, QStringLiteral("dht"), false);
    if (cl.isSet(QStringLiteral("dht-port"))) {
        bool ok = false;
        const uint port = cl.value(QStringLiteral("dht-port")).toUInt(&ok);
        if (!ok || port > 65535)
            throw BadInput(QStringLiteral("'%1' is not a port from 0 to 65535")
                               .arg(cl.value(QStringLiteral("dht-port"))),
                           QStringLiteral("--dht-port"));
        o.dhtPort = quint16(port);
    }
    if (cl.isSet(QStringLiteral("dht-bootstrap"))) {
        const QStringList nodes = cl.value(QStringLiteral("dht-bootstrap")).split(u',');
        if (nodes.size() > 16)
            throw BadInput(QStringLiteral("at most 16 bootstrap nodes"), QStringLiteral("--dht-bootstrap"));
        for (const QString& node : nodes) {
            const auto [address, port] =
                parseListenAddress(node.trimmed(), QStringLiteral("--dht-bootstrap"));
            if (port == 0)
                throw BadInput(QStringLiteral("'%1' has port 0").arg(node),
                               QStringLiteral("--dht-bootstrap"));
            o.dhtBootstrap.append(DhtEndpoint{address, port});
        }
    }
    if ((cl.isSet(QStringLiteral("dht-port")) || cl.isSet(QStringLiteral("dht-bootstrap"))) && !o.dht)
        throw BadInput(QStringLiteral("--dht-port and --dht-bootstrap need --dht on"),
                       QStringLiteral("--dht"));
    o.pex = onOffOption(cl, QStringLiteral("pex"), true);
    return o;
}

// Runs the event loop until the asynchronous call answers.
template <typename Reply> Reply await(const std::function<void(std::function<void(const Reply&)>)>& call) {
    QEventLoop loop;
    Reply result;
    call([&](const Reply& reply) {
        result = reply;
        loop.quit();
    });
    loop.exec();
    return result;
}

Metainfo createAndPublish(const PeerOptions& o) {
    const QFileInfo input(o.file);
    if (!input.exists())
        throw BadInput(QStringLiteral("no such file or directory"), o.file);
    TorrentCreateOptions options;
    options.path = o.file;
    options.trackers = {o.tracker};
    options.createdBy = QStringLiteral("Swarmscope " SWARMSCOPE_VERSION);
    TorrentCreator creator(options);
    ProgressReporter progress(QStringLiteral("hashing"));
    const TorrentCreateResult created =
        creator.run([&](qint64 done, qint64 total) { progress.update(done, total); });
    progress.finish();
    if (!created.ok()) {
        if (created.isInputError())
            throw BadInput(created.error);
        throw RuntimeFailure(created.error);
    }
    CatalogueClient catalogue(o.tracker);
    const CataloguePublishReply reply =
        await<CataloguePublishReply>([&](auto done) { catalogue.publish(created.torrent, std::move(done)); });
    if (!reply.ok)
        throw RuntimeFailure(QStringLiteral("cannot publish the torrent: %1").arg(reply.error), o.tracker);
    std::fprintf(stderr, "published %s to %s%s\n", created.name.toUtf8().constData(),
                 catalogue.catalogueUrl().toUtf8().constData(),
                 reply.alreadyPresent ? " (already there)" : "");
    MetainfoParseResult parsed = parseMetainfo(created.torrent);
    if (!parsed.ok())
        throw RuntimeFailure(parsed.message, o.file);
    return *parsed.metainfo;
}

Metainfo fetchPublished(const PeerOptions& o) {
    // A path names the torrent by its last component, which is what the seeder published it under.
    const QString name = QFileInfo(o.file).fileName().isEmpty() ? o.file : QFileInfo(o.file).fileName();
    CatalogueClient catalogue(o.tracker);
    const CatalogueFetchReply reply =
        await<CatalogueFetchReply>([&](auto done) { catalogue.fetchByName(name, std::move(done)); });
    if (!reply.ok)
        throw RuntimeFailure(QStringLiteral("cannot fetch the torrent '%1': %2").arg(name, reply.error),
                             o.tracker);
    MetainfoParseResult parsed = parseMetainfo(reply.torrent);
    if (!parsed.ok())
        throw RuntimeFailure(QStringLiteral("the tracker's torrent is not valid: %1").arg(parsed.message),
                             o.tracker);
    return *parsed.metainfo;
}

} // namespace

int runPeer(const QStringList& args) {
    CommandLine cl(
        QStringLiteral("peer"),
        QStringLiteral("swarmscope peer --role seeder|leecher (--torrent FILE | --file PATH_OR_NAME) "
                       "[--tracker URL] [--dir DIR] [--listen HOST:PORT] [--latency MS] [--up RATE] "
                       "[--down RATE] [--encryption POLICY] [--pex on|off] [--dht on|off] "
                       "[--exit-when-done]\n       swarmscope peer "
                       "--magnet URI [--dir DIR] [--tracker "
                       "URL] [--listen HOST:PORT] [--exit-when-done]"));
    const auto option = [&cl](const QString& name, const QString& help, const QString& value = {}) {
        cl.addOption(value.isEmpty() ? QCommandLineOption(name, help)
                                     : QCommandLineOption(name, help, value));
    };
    option(QStringLiteral("role"), QStringLiteral("seeder or leecher."), QStringLiteral("ROLE"));
    option(QStringLiteral("torrent"), QStringLiteral("The .torrent file to seed or download."),
           QStringLiteral("FILE"));
    option(QStringLiteral("magnet"),
           QStringLiteral("A magnet link to download: the metadata comes from its peers (x.pe) and trackers "
                          "(tr), then the data."),
           QStringLiteral("URI"));
    option(QStringLiteral("file"),
           QStringLiteral(
               "Seeder: the file or folder to hash, publish to the tracker and seed. Leecher: the name "
               "it was published under."),
           QStringLiteral("PATH_OR_NAME"));
    option(QStringLiteral("tracker"),
           QStringLiteral("Tracker announce URL, http:// or udp:// (default: %1).").arg(kDefaultTracker),
           QStringLiteral("URL"));
    option(QStringLiteral("dir"),
           QStringLiteral("Where the data is (seeder with --torrent) or goes (leecher); default: the current "
                          "directory."),
           QStringLiteral("DIR"));
    option(QStringLiteral("listen"),
           QStringLiteral("Peer port to listen on (default: 127.0.0.1 and a free port)."),
           QStringLiteral("HOST:PORT"));
    option(QStringLiteral("latency"), QStringLiteral("Simulated one-way latency in milliseconds."),
           QStringLiteral("MS"));
    option(QStringLiteral("up"), QStringLiteral("Upload cap such as 1MiB/s; 0 = unlimited."),
           QStringLiteral("RATE"));
    option(QStringLiteral("down"), QStringLiteral("Download cap such as 1MiB/s; 0 = unlimited."),
           QStringLiteral("RATE"));
    option(QStringLiteral("encryption"),
           QStringLiteral(
               "MSE/PE: plaintext (never encrypt, refuse encrypted peers), prefer (try RC4 first, fall "
               "back to plaintext once; accept both; the default) or require (RC4 only)."),
           QStringLiteral("POLICY"));
    option(QStringLiteral("exit-when-done"), QStringLiteral("Leecher: exit once the download is complete."));
    option(QStringLiteral("dht"),
           QStringLiteral("on: run a DHT node (BEP 5) and find peers through it; off (default)."),
           QStringLiteral("on|off"));
    option(QStringLiteral("dht-port"),
           QStringLiteral("UDP port of the DHT node; 0 (default) = any free port."), QStringLiteral("PORT"));
    option(QStringLiteral("dht-bootstrap"),
           QStringLiteral("DHT nodes to start from, HOST:PORT[,HOST:PORT]; none by default."),
           QStringLiteral("NODES"));
    option(QStringLiteral("pex"),
           QStringLiteral("on or off: exchange peers with peers that speak ut_pex (BEP 11); default: on."),
           QStringLiteral("on|off"));
    cl.parse(args, 0, 0);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        std::fputs(kHelpNotes, stdout);
        return ExitOk;
    }
    const PeerOptions o = parseOptions(cl);

    // Bad input is found before anything slow happens: the torrent file, the directories.
    AddTorrentParams params;
    params.role = o.role;
    if (!o.torrentPath.isEmpty()) {
        params.metainfo = readTorrentFile(o.torrentPath);
        params.downloadDir = o.dir;
        if (o.role == TorrentRole::Seeder && !QFileInfo(o.dir).isDir())
            throw BadInput(QStringLiteral("no such directory"), o.dir);
        if (o.trackerGiven || params.metainfo.trackers().isEmpty())
            params.trackers = {o.tracker};
    } else if (o.role == TorrentRole::Seeder) {
        if (!QFileInfo::exists(o.file))
            throw BadInput(QStringLiteral("no such file or directory"), o.file);
    }
    if (o.role == TorrentRole::Leecher && QFileInfo(o.dir).exists() && !QFileInfo(o.dir).isDir())
        throw BadInput(QStringLiteral("not a directory"), o.dir);

    // The host's TCP in real time, with the caps and latency asked for on this client's link.
    TcpNode node;
    node.link().setLatency(std::chrono::milliseconds(o.latencyMs));
    node.link().setUploadRate(o.up);
    node.link().setDownloadRate(o.down);
    ClientConfig config;
    config.listenAddress = o.listenAddress;
    config.listenPort = o.listenPort;
    config.network = &node.network();
    config.encryption = o.encryption;
    config.dht = o.dht;
    config.dhtPort = o.dhtPort;
    config.dhtBootstrap = o.dhtBootstrap;
    config.pex = o.pex;
    Client client(config);
    if (!client.listen())
        throw RuntimeFailure(client.errorString());
    if (client.dhtPort() != 0)
        std::fprintf(stderr, "DHT node on UDP %s:%u\n", qPrintable(client.listenAddress().toString()),
                     unsigned(client.dhtPort()));
    // The connection log: each handshake's direction, what MSE/PE negotiated ("outgoing, rc4") and the peer
    // id's prefix, which names most clients ("-qB4520-"); then what each peer's BEP 10 handshake said.
    QObject::connect(&client, &Client::peerEvent, &client, [](const PeerEvent& event) {
        if (event.kind == PeerEventKind::Connected) {
            QByteArray id = event.peerId.left(8); // the Azureus-style prefix
            for (char& c : id)
                if (c < 0x20 || c > 0x7e)
                    c = '.';
            std::fprintf(stderr, "peer %s:%u: connected %s; peer id %s\n",
                         qPrintable(event.address.toString()), unsigned(event.port), qPrintable(event.reason),
                         id.constData());
        }
        if (event.kind == PeerEventKind::Extensions)
            std::fprintf(stderr, "peer %s:%u: %s\n", qPrintable(event.address.toString()),
                         unsigned(event.port), qPrintable(event.reason));
    });

    if (o.magnet) {
        params.metainfo = fetchMagnetMetadata(
            client, *o.magnet, o.trackerGiven ? QStringList{o.tracker} : QStringList{}, &params.peers);
        if (params.metainfo.infoHash.isEmpty())
            return ExitOk; // stopped by a signal before the metadata arrived
        params.downloadDir = o.dir;
        params.trackers = o.magnet->link.trackers;
        if (o.trackerGiven)
            params.trackers.append(o.tracker);
    } else if (o.torrentPath.isEmpty()) {
        if (o.role == TorrentRole::Seeder) {
            params.metainfo = createAndPublish(o);
            params.downloadDir = QFileInfo(o.file).absolutePath();
            params.trustData = true; // hashed just now
        } else {
            params.metainfo = fetchPublished(o);
            params.downloadDir = o.dir;
        }
        params.trackers = {o.tracker};
    }

    if (o.role == TorrentRole::Leecher)
        params.resumeFile = resumeFileFor(params.downloadDir, params.metainfo.infoHash);
    QString error;
    TorrentSession* session = client.addTorrent(params, &error);
    if (!session) // storage errors name their file already
        throw RuntimeFailure(error, error.endsWith(u')') ? QString() : params.downloadDir);
    if (!params.resumeFile.isEmpty())
        QDir().mkpath(QFileInfo(params.resumeFile).absolutePath());
    const Metainfo& meta = params.metainfo;
    std::printf("info-hash: %s\n", meta.infoHash.toHex().constData());
    std::fflush(stdout);
    std::fprintf(stderr, "%s %s: %d pieces of %s, %s; peer port %s:%u\n", qPrintable(torrentRoleName(o.role)),
                 qPrintable(meta.name), meta.pieceCount(), qPrintable(formatSize(meta.pieceLength)),
                 qPrintable(formatSize(meta.totalSize)), qPrintable(client.listenAddress().toString()),
                 unsigned(client.listenPort()));

    int exitCode = ExitOk;
    bool stopping = false;
    const auto stop = [&](int code) {
        exitCode = qMax(exitCode, code);
        if (stopping)
            return;
        stopping = true;
        client.stop();
    };
    QObject::connect(&client, &Client::stopped, &client, [] { QCoreApplication::quit(); });
    onTerminationSignal(&client, [&] {
        if (stopping)
            QCoreApplication::quit(); // a second Ctrl-C does not wait for the tracker
        std::fputs("\nstopping: telling the tracker\n", stderr);
        stop(ExitOk);
    });

    ProgressReporter progress(QStringLiteral("downloading"));
    QElapsedTimer clock;
    clock.start();
    qint64 startedAtBytes = -1;
    QTimer progressTimer;
    progressTimer.setInterval(200);
    QObject::connect(&progressTimer, &QTimer::timeout, &client, [&] {
        if (session->state() == TorrentState::Downloading)
            progress.update(meta.totalSize - session->snapshot(false).bytesLeft, meta.totalSize);
    });
    bool reportedFound = false;
    QObject::connect(session, &TorrentSession::stateChanged, &client, [&](TorrentState state) {
        if (!reportedFound && o.role == TorrentRole::Leecher && session->piecesFoundAtStart() >= 0) {
            reportedFound = true;
            std::fprintf(stderr, "found %d of %d pieces verified on disk%s\n", session->piecesFoundAtStart(),
                         meta.pieceCount(),
                         session->startedFromResumeData()
                             ? " (resume data; files changed since it was saved hashed again)"
                             : "");
        }
        if (state == TorrentState::Downloading && startedAtBytes < 0) {
            // Timed from here: hashing, publishing and checking are not part of the transfer.
            startedAtBytes = meta.totalSize - session->snapshot(false).bytesLeft;
            clock.restart();
        } else if (state == TorrentState::Error) {
            progress.finish();
            printError(session->errorString());
            stop(ExitRuntimeFailure);
        } else if (state == TorrentState::Seeding && o.role == TorrentRole::Leecher && o.exitWhenDone) {
            if (startedAtBytes < 0)
                std::fprintf(stderr, "already complete: all %d pieces on disk verified\n", meta.pieceCount());
            stop(ExitOk);
        } else if (state == TorrentState::Seeding && !stopping) {
            std::fprintf(stderr, "seeding %s; stop with Ctrl-C\n", qPrintable(meta.name));
        }
    });
    QObject::connect(session, &TorrentSession::completed, &client, [&] {
        progressTimer.stop();
        progress.update(meta.totalSize, meta.totalSize);
        const double seconds = qMax<qint64>(clock.elapsed(), 1) / 1000.0;
        const qint64 fetched = meta.totalSize - qMax<qint64>(startedAtBytes, 0);
        progress.finish(QStringLiteral("downloaded %1 in %2 s (%3/s); all %4 pieces verified")
                            .arg(formatSize(fetched))
                            .arg(seconds, 0, 'f', 2)
                            .arg(formatSize(qint64(fetched / seconds)))
                            .arg(meta.pieceCount()));
    });
    if (o.role == TorrentRole::Leecher)
        progressTimer.start();
    QCoreApplication::exec();

    // From the session's own counters: what came over the wire and what is verified on disk now.
    const TorrentSnapshot last = session->snapshot(false);
    std::fprintf(stderr,
                 "summary: received %lld bytes of piece data (%lld wasted), sent %lld; %lld of %d pieces "
                 "verified, %d of them found on disk at start\n",
                 last.received, last.wasted, last.uploaded, qint64(last.have.count()), meta.pieceCount(),
                 qMax(0, session->piecesFoundAtStart()));
    std::fflush(stderr);
    return exitCode;
}

} // namespace swarmscope::cli
