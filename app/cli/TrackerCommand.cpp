#include "cli/CliError.h"
#include "cli/CommandLine.h"
#include "cli/Commands.h"

#include "tracker/TrackerServer.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <functional>
#include <unistd.h>

namespace swarmscope::cli {

// Shared with PeerCommand.cpp, which declares them.
std::pair<QHostAddress, quint16> parseListenAddress(const QString& text, const QString& where);
void onTerminationSignal(QObject* context, std::function<void()> handler);

namespace {

int g_signalPipe[2] = {-1, -1};

void writeSignal(int signal) {
    // Only async-signal-safe calls here: the event loop reads the byte and does the real work.
    const char byte = char(signal);
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &byte, 1);
}

} // namespace

std::pair<QHostAddress, quint16> parseListenAddress(const QString& text, const QString& where) {
    const auto bad = [&] {
        return BadInput(QStringLiteral("'%1' is not HOST:PORT such as 127.0.0.1:6969").arg(text), where);
    };
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        throw bad();
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        throw bad();
    QHostAddress address;
    if (host == u"localhost")
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(host))
        throw bad();
    return {address, quint16(port)};
}

void onTerminationSignal(QObject* context, std::function<void()> handler) {
    if (g_signalPipe[0] < 0 && ::pipe(g_signalPipe) != 0)
        throw RuntimeFailure(QStringLiteral("cannot set up signal handling"));
    auto* notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [handler = std::move(handler)] {
        char byte = 0;
        [[maybe_unused]] const ssize_t n = ::read(g_signalPipe[0], &byte, 1);
        handler();
    });
    std::signal(SIGINT, writeSignal);
    std::signal(SIGTERM, writeSignal);
}

int runTracker(const QStringList& args) {
    CommandLine cl(QStringLiteral("tracker"), QStringLiteral("swarmscope tracker [--listen HOST:PORT]"));
    cl.addOption(QCommandLineOption(QStringLiteral("listen"),
                                    QStringLiteral("Address and port to serve on (default: 127.0.0.1:6969)."),
                                    QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:6969")));
    cl.parse(args, 0, 0);
    if (cl.helpRequested()) {
        std::fputs(cl.helpText().toUtf8().constData(), stdout);
        return ExitOk;
    }
    const auto [address, port] =
        parseListenAddress(cl.value(QStringLiteral("listen")), QStringLiteral("--listen"));

    TrackerServer server;
    if (!server.listen(address, port))
        throw RuntimeFailure(QStringLiteral("cannot listen: %1").arg(server.errorString()),
                             QStringLiteral("%1:%2").arg(address.toString()).arg(port));
    std::printf("announce URL: %s\n", server.announceUrl().toUtf8().constData());
    std::fflush(stdout);
    std::fprintf(stderr, "tracker running; catalogue at %s/torrents; stop with Ctrl-C\n",
                 server.baseUrl().toUtf8().constData());

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
