#pragma once

#include <QByteArray>
#include <QList>

namespace swarmscope {

// BEP 6's canonical allowed-fast set: the k piece indices a peer at ipv4 may request from us while we choke
// it, derived from its address (the /24) and the info-hash by repeated SHA-1, so every client computes the
// same set and a peer gains nothing by reconnecting. At most pieceCount indices, in the order found.
QList<int> allowedFastSet(quint32 ipv4, const QByteArray& infoHash, int pieceCount, int k);

} // namespace swarmscope
