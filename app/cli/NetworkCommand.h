#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <functional>
#include <utility>

namespace swarmscope::cli {

// What the commands that run on the network until stopped (tracker, peer) share.

// Parses HOST:PORT (IPv4, [IPv6] or localhost; port 0 picks a free one). Throws BadInput naming where.
std::pair<QHostAddress, quint16> parseListenAddress(const QString& text, const QString& where);

// Calls handler in context's thread whenever SIGINT or SIGTERM arrives, through the event loop (the signal
// handler itself only writes a byte to a pipe). Throws RuntimeFailure when the pipe cannot be made.
void onTerminationSignal(QObject* context, std::function<void()> handler);

} // namespace swarmscope::cli
