#pragma once

#include "dht/Krpc.h"

#include "clock/Timer.h"

#include <QByteArray>
#include <QList>

#include <functional>

namespace swarmscope {

class DhtNode;

// A torrent's use of its client's DHT node: a get_peers lookup for its info-hash now, then again after each
// one ends (kFirstRetryMs after a lookup that found nobody, doubling up to kMaxRetryMs; kIntervalMs once one
// has found someone), each ending with announce_peer for the torrent's listen port. Found peers go to
// onPeers.
class SessionDht {
public:
    static constexpr qint64 kFirstRetryMs = 1000;
    static constexpr qint64 kMaxRetryMs = 60 * 1000;
    static constexpr qint64 kIntervalMs = 5 * 60 * 1000;

    SessionDht(DhtNode& node, const QByteArray& infoHash, quint16 announcePort,
               std::function<void(const QList<DhtEndpoint>&)> onPeers);
    ~SessionDht();
    SessionDht(const SessionDht&) = delete;
    SessionDht& operator=(const SessionDht&) = delete;

    void start();
    qint64 peersFound() const { return m_peersFound; }
    int lookupsDone() const { return m_lookupsDone; }

private:
    void run();

    DhtNode& m_node;
    QByteArray m_infoHash;
    quint16 m_announcePort;
    std::function<void(const QList<DhtEndpoint>&)> m_onPeers;
    Timer m_timer;
    quint64 m_lookup = 0;
    qint64 m_peersFound = 0;
    int m_lookupsDone = 0;
    qint64 m_retryMs = kFirstRetryMs;
};

} // namespace swarmscope
