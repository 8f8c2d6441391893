#pragma once

#include "tracker/HttpConnection.h"
#include "tracker/SwarmTable.h"
#include "tracker/TorrentCatalogue.h"
#include "tracker/TrackerClock.h"

namespace swarmscope {

class Network;

struct TrackerServerConfig {
    int intervalSeconds = 1800; // what clients are told; the lab sets a few seconds
    int minIntervalSeconds = 0; // 0: half the interval
    int defaultNumwant = 50;
    int maxNumwant = 200;
    int maxScrapeHashes = 200; // info_hash values in one scrape request
    int maxScrapeAll = 1000;   // torrents in an unfiltered scrape
    int maxConnections = 1000;
    int listenBacklog = 1024; // a lab starts hundreds of clients at once
    // Honour the announce's ip parameter from any client. It is always honoured from loopback clients,
    // which are the lab itself or a proxy on this host; from elsewhere it would let anyone point a swarm at
    // a third party, so the connection's address is used instead.
    bool trustIpParameter = false;
    HttpConnectionSettings http;
    int maxLargeUploads = 8;
    SwarmTableLimits swarmLimits;
    CatalogueLimits catalogueLimits;
    // Where it listens and whose scheduler runs its timers; not owned, must outlive the server. Null: the
    // host's TCP in real time.
    Network* network = nullptr;
    TrackerClock clock;     // empty: the network's scheduler
    quint32 randomSeed = 0; // 0: a random seed for peer selection
};

} // namespace swarmscope
