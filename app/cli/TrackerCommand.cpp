#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"
#include "cli/NetworkCommand.h"

#include "tracker/TrackerServer.h"

#include <QCoreApplication>
#include <QHostAddress>

#include <cstdio>

namespace swarmscope::cli {

namespace {

constexpr int kMaxIntervalSeconds = 24 * 3600;

int parseInterval(const QString& text) {
    bool ok = false;
    const int seconds = text.toInt(&ok);
    if (!ok || seconds < 1 || seconds > kMaxIntervalSeconds)
        throw BadInput(
            QStringLiteral("'%1' is not an interval in seconds (1 to %2)").arg(text).arg(kMaxIntervalSeconds),
            QStringLiteral("--interval"));
    return seconds;
}

} // namespace

int runTracker(const QStringList& args) {
    const TrackerServerConfig defaults;
    CommandLine cl(QStringLiteral("tracker"),
                   QStringLiteral("swarmscope tracker [--listen HOST:PORT] [--udp-listen HOST:PORT|off] "
                                  "[--interval SECONDS]"));
    cl.addOption(QCommandLineOption(QStringLiteral("listen"),
                                    QStringLiteral("Address and port to serve on (default: 127.0.0.1:6969)."),
                                    QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:6969")));
    cl.addOption(QCommandLineOption(
        QStringLiteral("udp-listen"),
        QStringLiteral("Address and port of the BEP 15 UDP tracker, or 'off' (default: the host and port "
                       "number of --listen)."),
        QStringLiteral("HOST:PORT|off")));
    cl.addOption(QCommandLineOption(
        QStringLiteral("interval"),
        QStringLiteral("How often peers are told to announce, in seconds (default: %1); a peer that misses "
                       "two intervals is dropped. A few seconds let peers find a restarted tracker, which "
                       "starts empty, within seconds.")
            .arg(defaults.intervalSeconds),
        QStringLiteral("SECONDS")));
    cl.parse(args, 0, 0);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    const auto [address, port] =
        parseListenAddress(cl.value(QStringLiteral("listen")), QStringLiteral("--listen"));
    const bool udpGiven = cl.isSet(QStringLiteral("udp-listen"));
    const QString udpText = cl.value(QStringLiteral("udp-listen"));
    const bool udpOff = udpGiven && udpText == QStringLiteral("off");
    std::pair<QHostAddress, quint16> udpListen{address, port};
    if (udpGiven && !udpOff)
        udpListen = parseListenAddress(udpText, QStringLiteral("--udp-listen"));
    const int interval = cl.isSet(QStringLiteral("interval"))
                             ? parseInterval(cl.value(QStringLiteral("interval")))
                             : defaults.intervalSeconds;

    TrackerServer server;
    server.setInterval(interval);
    if (!server.listen(address, port))
        throw RuntimeFailure(QStringLiteral("cannot listen: %1").arg(server.errorString()),
                             QStringLiteral("%1:%2").arg(address.toString()).arg(port));
    if (!udpOff) {
        // By default UDP takes the port number HTTP got; should that number be taken for UDP when HTTP's
        // was picked freely, any free one does.
        const quint16 udpPort = udpGiven ? udpListen.second : server.serverPort();
        const bool listening = server.listenUdp(udpListen.first, udpPort) ||
                               (!udpGiven && port == 0 && server.listenUdp(udpListen.first, 0));
        if (!listening)
            throw RuntimeFailure(QStringLiteral("cannot listen on UDP: %1").arg(server.errorString()),
                                 QStringLiteral("%1:%2").arg(udpListen.first.toString()).arg(udpPort));
    }
    std::printf("announce URL: %s\n", server.announceUrl().toUtf8().constData());
    if (server.isListeningUdp())
        std::printf("UDP announce URL: %s\n", server.udpAnnounceUrl().toUtf8().constData());
    std::fflush(stdout);
    std::fprintf(stderr,
                 "tracker running; announce interval %d s; catalogue at %s/torrents; stop with Ctrl-C\n",
                 interval, server.baseUrl().toUtf8().constData());

    QObject::connect(
        &server, &TrackerServer::torrentPublished, &server, [](const QByteArray& hash, const QString& name) {
            std::fprintf(stderr, "published %s (%s)\n", name.toUtf8().constData(), hash.toHex().constData());
        });
    onTerminationSignal(&server, [] { QCoreApplication::quit(); });
    QCoreApplication::exec();
    server.close();
    std::fprintf(stderr, "tracker stopped\n");
    return ExitOk;
}

} // namespace swarmscope::cli
