// `swarmscope observe`: joins a swarm the lab does not run, as a peer that downloads nothing, and shows every
// peer it reaches with its pieces (from their BITFIELD and HAVE messages) and a download rate estimated from
// their HAVEs.

#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/MagnetOptions.h"
#include "cli/NetworkCommand.h"
#include "cli/OptionValues.h"
#include "cli/TorrentFileReader.h"

#include "observe/SwarmObserver.h"
#include "peer/Client.h"
#include "scenario/Units.h"
#include "transport/TcpNode.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>
#include <limits>

namespace swarmscope::cli {

namespace {

const char* const kHelpNotes =
    "\n"
    "The observer is a real peer: it announces to the trackers, connects to every peer they give\n"
    "(and to those that connect to it), and stays uninterested, so it asks for no data and has\n"
    "none to give. What it shows comes from each peer's own messages: the pieces of its BITFIELD\n"
    "and HAVEs, and its client name from the BEP 10 handshake. Rates are ESTIMATES: pieces a peer\n"
    "announced over the last 10 s times the piece length; a peer's real transfer is not visible to\n"
    "an outsider.\n"
    "\n"
    "Output (stdout): every --interval, a table of the peers, or with --json one JSON object per\n"
    "line: {\"time_s\", \"name\", \"info_hash\", \"pieces\", \"piece_length\", \"connected\", \"seeds\",\n"
    "\"peers\": [{\"address\", \"port\", \"client\", \"have\", \"progress\", \"seed\", \"connected\",\n"
    "\"estimated_rate\" (bytes/s, null until known), \"bitfield\" (hex)}]}.\n"
    "\n"
    "Exit codes: 0 at the end of --duration or on SIGINT/SIGTERM; 1 a failure at run time (the\n"
    "port is taken); 2 bad input.\n";

struct ObserveOptions {
    QString torrentPath;
    std::optional<MagnetOption> magnet;
    QString tracker;
    QHostAddress listenAddress{QHostAddress::LocalHost};
    quint16 listenPort = 0;
    qint64 intervalMs = 2000;
    qint64 durationMs = 0; // 0: until a signal
    bool json = false;
};

qint64 secondsOption(const CommandLine& cl, const QString& name, double minimum, double maximum,
                     qint64 fallbackMs) {
    if (!cl.isSet(name))
        return fallbackMs;
    bool ok = false;
    const QString text = cl.value(name);
    const double seconds = text.toDouble(&ok);
    if (!ok || !(seconds >= minimum && seconds <= maximum))
        throw BadInput(QStringLiteral("'%1' is not a number of seconds from %2 to %3")
                           .arg(text)
                           .arg(minimum)
                           .arg(maximum),
                       u"--" + name);
    return qint64(seconds * 1000);
}

ObserveOptions parseOptions(const CommandLine& cl) {
    ObserveOptions o;
    const bool hasTorrent = cl.isSet(QStringLiteral("torrent"));
    const bool hasMagnet = cl.isSet(QStringLiteral("magnet"));
    if (hasTorrent == hasMagnet)
        throw BadInput(QStringLiteral("give exactly one of --torrent FILE and --magnet URI"),
                       QStringLiteral("swarmscope observe"));
    if (hasMagnet)
        o.magnet = parseMagnetOption(cl.value(QStringLiteral("magnet")), QStringLiteral("--magnet"));
    o.torrentPath = cl.value(QStringLiteral("torrent"));
    if (cl.isSet(QStringLiteral("tracker"))) {
        o.tracker = cl.value(QStringLiteral("tracker"));
        checkTrackerUrl(o.tracker, QStringLiteral("--tracker"),
                        QStringLiteral("http://127.0.0.1:6969/announce"));
    }
    if (cl.isSet(QStringLiteral("listen")))
        std::tie(o.listenAddress, o.listenPort) =
            parseListenAddress(cl.value(QStringLiteral("listen")), QStringLiteral("--listen"));
    o.intervalMs = secondsOption(cl, QStringLiteral("interval"), 0.2, 3600, 2000);
    o.durationMs = secondsOption(cl, QStringLiteral("duration"), 0, 7 * 24 * 3600, 0);
    o.json = cl.isSet(QStringLiteral("json"));
    return o;
}

QString progressText(const ObservedPeer& peer, int pieceCount) {
    return QStringLiteral("%1/%2 %3%")
        .arg(peer.have())
        .arg(pieceCount)
        .arg(pieceCount > 0 ? 100.0 * peer.have() / pieceCount : 0.0, 5, 'f', 1);
}

void printTable(const SwarmObservation& o, double seconds) {
    std::printf("[%8.1f s] %d peer%s connected (%d seed%s), %lld seen\n", seconds, o.connectedCount,
                o.connectedCount == 1 ? "" : "s", o.seedCount, o.seedCount == 1 ? "" : "s",
                qint64(o.peers.size()));
    for (const ObservedPeer& p : o.peers) {
        const QString where = p.address.toString() + u':' + QString::number(p.port);
        QString rate;
        if (!p.connected)
            rate = QStringLiteral("gone; as last seen");
        else if (p.seed)
            rate = QStringLiteral("seed");
        else if (p.rateKnown)
            rate = QStringLiteral("~%1/s (estimate)").arg(formatSize(p.estimatedRate));
        else
            rate = QStringLiteral("rate not known yet");
        std::printf("  %-22s %-24s %-17s %s\n", qPrintable(where),
                    qPrintable(p.client.isEmpty() ? QStringLiteral("(no client name)") : p.client.left(24)),
                    qPrintable(progressText(p, o.pieceCount)), qPrintable(rate));
    }
    std::fflush(stdout);
}

void printJson(const SwarmObservation& o, double seconds) {
    QJsonArray peers;
    for (const ObservedPeer& p : o.peers) {
        peers.append(QJsonObject{
            {QStringLiteral("address"), p.address.toString()},
            {QStringLiteral("port"), p.port},
            {QStringLiteral("client"), p.client},
            {QStringLiteral("have"), p.have()},
            {QStringLiteral("progress"), o.pieceCount > 0 ? double(p.have()) / o.pieceCount : 0.0},
            {QStringLiteral("seed"), p.seed},
            {QStringLiteral("connected"), p.connected},
            {QStringLiteral("estimated_rate"),
             p.rateKnown ? QJsonValue(double(p.estimatedRate)) : QJsonValue()},
            {QStringLiteral("bitfield"), QString::fromLatin1(p.pieces.toWire().toHex())},
        });
    }
    const QJsonObject line{
        {QStringLiteral("time_s"), seconds},
        {QStringLiteral("name"), o.name},
        {QStringLiteral("info_hash"), QString::fromLatin1(o.infoHash.toHex())},
        {QStringLiteral("pieces"), o.pieceCount},
        {QStringLiteral("piece_length"), double(o.pieceLength)},
        {QStringLiteral("connected"), o.connectedCount},
        {QStringLiteral("seeds"), o.seedCount},
        {QStringLiteral("peers"), peers},
    };
    std::printf("%s\n", QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

} // namespace

int runObserve(const QStringList& args) {
    CommandLine cl(
        QStringLiteral("observe"),
        QStringLiteral("swarmscope observe (--torrent FILE [--tracker URL] | --magnet URI [--tracker URL]) "
                       "[--listen HOST:PORT] [--interval SECONDS] [--duration SECONDS] [--json]"));
    const auto option = [&cl](const QString& name, const QString& help, const QString& value = {}) {
        cl.addOption(value.isEmpty() ? QCommandLineOption(name, help)
                                     : QCommandLineOption(name, help, value));
    };
    option(QStringLiteral("torrent"), QStringLiteral("The .torrent file of the swarm to watch."),
           QStringLiteral("FILE"));
    option(QStringLiteral("magnet"),
           QStringLiteral(
               "A magnet link of the swarm to watch: the metadata comes from its peers and trackers first."),
           QStringLiteral("URI"));
    option(QStringLiteral("tracker"),
           QStringLiteral("A tracker announce URL to use as well as the torrent's or the magnet's own."),
           QStringLiteral("URL"));
    option(QStringLiteral("listen"),
           QStringLiteral("Peer port to listen on (default: 127.0.0.1 and a free port)."),
           QStringLiteral("HOST:PORT"));
    option(QStringLiteral("interval"), QStringLiteral("Seconds between two reports (default 2)."),
           QStringLiteral("SECONDS"));
    option(QStringLiteral("duration"), QStringLiteral("Stop after this many seconds (default: at Ctrl-C)."),
           QStringLiteral("SECONDS"));
    option(QStringLiteral("json"), QStringLiteral("One JSON object per report instead of a table."));
    cl.parse(args, 0, 0);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        std::fputs(kHelpNotes, stdout);
        return ExitOk;
    }
    const ObserveOptions o = parseOptions(cl);

    SwarmObserver::Params params;
    if (!o.torrentPath.isEmpty()) {
        params.metainfo = readTorrentFile(o.torrentPath);
        if (params.metainfo.trackers().isEmpty() && o.tracker.isEmpty())
            throw BadInput(QStringLiteral("the torrent names no tracker; give --tracker"), o.torrentPath);
    } else {
        params.infoHash = o.magnet->link.infoHash;
        params.trackers = o.magnet->link.trackers;
        params.peers = o.magnet->peers;
        if (params.trackers.isEmpty() && params.peers.isEmpty() && o.tracker.isEmpty())
            throw BadInput(
                QStringLiteral("the magnet link names no tracker (tr) or peer (x.pe); give --tracker"),
                QStringLiteral("--magnet"));
    }
    if (!o.tracker.isEmpty())
        params.trackers.append(o.tracker);

    TcpNode node;
    ClientConfig config;
    config.listenAddress = o.listenAddress;
    config.listenPort = o.listenPort;
    config.network = &node.network();
    // An observer wants to see the whole swarm: as many peers as the tracker gives, and room for them.
    config.numwant = 200;
    config.maxConnections = 400;
    Client client(config);
    if (!client.listen())
        throw RuntimeFailure(client.errorString());

    SwarmObserver observer(&client, params);
    int exitCode = ExitOk;
    bool stopping = false;
    const auto stop = [&] {
        if (stopping)
            return;
        stopping = true;
        observer.stop();
    };
    QObject::connect(&observer, &SwarmObserver::stopped, &client, [&] { client.stop(); });
    QObject::connect(&client, &Client::stopped, &client, [] { QCoreApplication::quit(); });
    onTerminationSignal(&client, [&] {
        if (stopping)
            QCoreApplication::quit();
        stop();
    });
    QObject::connect(&observer, &SwarmObserver::note, &client,
                     [](const QString& line) { std::fprintf(stderr, "%s\n", qPrintable(line)); });
    QObject::connect(&observer, &SwarmObserver::failed, &client, [&](const QString& error) {
        printError(error);
        exitCode = ExitRuntimeFailure;
        stop();
    });
    QObject::connect(&observer, &SwarmObserver::joined, &client, [&](const Metainfo& meta) {
        std::fprintf(
            stderr,
            "observing %s (info-hash %s): %d pieces of %s, %s; peer port %s:%u. Rates are estimates from "
            "the peers' HAVE messages.\n",
            qPrintable(meta.name), meta.infoHash.toHex().constData(), meta.pieceCount(),
            qPrintable(formatSize(meta.pieceLength)), qPrintable(formatSize(meta.totalSize)),
            qPrintable(client.listenAddress().toString()), unsigned(client.listenPort()));
    });
    qint64 nextReportMs = o.intervalMs;
    QObject::connect(&observer, &SwarmObserver::observed, &client, [&](const SwarmObservation& seen) {
        if (seen.timeMs >= nextReportMs) {
            nextReportMs += o.intervalMs;
            if (o.json)
                printJson(seen, seen.timeMs / 1000.0);
            else
                printTable(seen, seen.timeMs / 1000.0);
        }
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &client, stop);
    if (o.durationMs > 0)
        deadline.start(int(qMin<qint64>(o.durationMs, std::numeric_limits<int>::max())));
    observer.start();
    QCoreApplication::exec();
    return exitCode;
}

} // namespace swarmscope::cli
