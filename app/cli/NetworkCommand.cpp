#include "cli/NetworkCommand.h"

#include "cli/CliError.h"

#include <QSocketNotifier>

#include <csignal>
#include <unistd.h>

namespace swarmscope::cli {

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

} // namespace swarmscope::cli
