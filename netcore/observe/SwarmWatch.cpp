#include "observe/SwarmWatch.h"

#include <algorithm>

namespace swarmscope {

QString SwarmWatch::keyOf(const ConnectionSnapshot& connection) {
    // A peer id names the peer across reconnections; the address and port stand in before the handshake.
    if (connection.peerId.size() == 20)
        return QString::fromLatin1(connection.peerId.toHex());
    return connection.address.toString() + u':' + QString::number(connection.port);
}

void SwarmWatch::update(const TorrentSnapshot& torrent, qint64 nowMs) {
    m_base.name = torrent.name;
    m_base.infoHash = torrent.infoHash;
    m_base.pieceCount = torrent.pieceCount;
    m_base.pieceLength = torrent.pieceLength;
    m_base.totalSize = torrent.totalSize;
    m_base.timeMs = nowMs;

    for (Tracked& tracked : m_peers)
        tracked.peer.connected = false;
    for (const ConnectionSnapshot& c : torrent.connections) {
        // Only peers past the handshake have told us anything.
        if (c.peerId.size() != 20)
            continue;
        const QString key = keyOf(c);
        auto it = m_peers.find(key);
        if (it == m_peers.end()) {
            if (m_peers.size() >= kMaxPeers)
                continue;
            it = m_peers.insert(key, Tracked{});
            it->peer.firstSeenMs = nowMs;
        }
        Tracked& t = *it;
        if (t.peer.connected)
            continue; // a second connection to the same peer: the first one speaks for it
        const bool reconnected = t.samples.empty() || t.peer.lastSeenMs < nowMs - 3000;
        t.peer.address = c.address;
        t.peer.port = c.port;
        if (!c.peerClient.isEmpty())
            t.peer.client = c.peerClient;
        t.peer.pieces = c.pieces;
        t.peer.seed = c.seed;
        t.peer.connected = true;
        t.peer.lastSeenMs = nowMs;
        const int have = c.pieces.count();
        // A fresh connection, or a peer whose count went down (a new BITFIELD): start the estimate over.
        if (reconnected || (!t.samples.empty() && have < t.samples.back().have)) {
            t.samples.clear();
            t.watchedSinceMs = nowMs;
        }
        t.samples.push_back({nowMs, have});
        while (t.samples.size() > 1 && t.samples.front().timeMs < nowMs - kEstimateWindowMs)
            t.samples.pop_front();
        const qint64 span = t.samples.back().timeMs - t.samples.front().timeMs;
        // A seed downloads nothing: its rate is known, and 0.
        if (c.seed) {
            t.samples.clear();
            t.samples.push_back({nowMs, have});
            t.peer.rateKnown = true;
            t.peer.estimatedRate = 0;
            continue;
        }
        t.peer.rateKnown = nowMs - t.watchedSinceMs >= kMinimumWindowMs && span > 0;
        t.peer.estimatedRate = t.peer.rateKnown ? (t.samples.back().have - t.samples.front().have) *
                                                      torrent.pieceLength * 1000 / span
                                                : 0;
    }
    for (auto it = m_peers.begin(); it != m_peers.end();) {
        if (!it->peer.connected) {
            it->peer.estimatedRate = 0;
            it->peer.rateKnown = false;
            it->samples.clear();
        }
        if (!it->peer.connected && it->peer.lastSeenMs < nowMs - kForgetAfterMs)
            it = m_peers.erase(it);
        else
            ++it;
    }
}

SwarmObservation SwarmWatch::observation() const {
    SwarmObservation o = m_base;
    o.availability = QList<int>(o.pieceCount, 0);
    for (const Tracked& t : m_peers) {
        o.peers.append(t.peer);
        if (!t.peer.connected)
            continue;
        ++o.connectedCount;
        if (t.peer.seed)
            ++o.seedCount;
        for (int i = 0; i < o.pieceCount && i < t.peer.pieces.size(); ++i)
            if (t.peer.pieces.testBit(i))
                ++o.availability[i];
    }
    std::sort(o.peers.begin(), o.peers.end(), [](const ObservedPeer& a, const ObservedPeer& b) {
        if (a.connected != b.connected)
            return a.connected;
        if (a.address != b.address)
            return a.address.toString() < b.address.toString();
        return a.port < b.port;
    });
    return o;
}

} // namespace swarmscope
