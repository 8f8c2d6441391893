#pragma once

#include <QByteArray>
#include <QString>

namespace swarmscope {

// Azureus-style client prefix: Swarmscope ("SS") version 0.0.1.0.
inline constexpr char kPeerIdPrefix[] = "-SS0010-";

// A fresh 20-byte peer id: the prefix and 12 characters from [0-9A-Za-z]. seed 0 draws from the system's
// random source; any other seed gives a reproducible id (a lab run that must repeat).
QByteArray makePeerId(quint64 seed = 0);

// "Swarmscope <version>": what the BEP 10 extended handshake says we are.
QString clientName();

} // namespace swarmscope
