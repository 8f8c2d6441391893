#pragma once

#include "metainfo/MagnetLink.h"
#include "metainfo/Metainfo.h"

#include <QHostAddress>
#include <QList>
#include <QStringList>

#include <utility>

namespace swarmscope {
class Client;
}

namespace swarmscope::cli {

using PeerAddressList = QList<std::pair<QHostAddress, quint16>>;

// A --magnet option: the link, and its x.pe peers as addresses (a host name there is bad input).
struct MagnetOption {
    MagnetLink link;
    PeerAddressList peers;
};
// Throws BadInput naming option when the link is not a BitTorrent magnet or an x.pe is not an address.
MagnetOption parseMagnetOption(const QString& value, const QString& option);

// BEP 9: the info dictionary from the magnet's x.pe peers and tr trackers (and extraTrackers), checked
// against its info-hash, with progress on stderr. An empty Metainfo when a signal stopped it first; throws
// BadInput when there is nowhere to ask and RuntimeFailure when the metadata is not a valid info dictionary.
// *knownPeers gets the peers met on the way, to start the download with.
Metainfo fetchMagnetMetadata(Client& client, const MagnetOption& magnet, const QStringList& extraTrackers,
                             PeerAddressList* knownPeers);

} // namespace swarmscope::cli
