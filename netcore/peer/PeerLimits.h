#pragma once

#include <QtGlobal>

namespace swarmscope {

// Per-connection limits and timers. The defaults follow BEP 3 and common practice; the lab and the tests
// shorten them.
struct PeerLimits {
    int handshakeTimeoutMs = 10'000; // connect + both handshakes
    int keepAliveIntervalMs = 120'000;
    int idleTimeoutMs = 180'000;   // nothing received for this long: closed
    int maxIncomingRequests = 500; // a peer with more requests outstanding to us is disconnected
    int minPipelineDepth = 5;      // requests we keep outstanding to one peer, at least ...
    int maxPipelineDepth = 250;    // ... and at most (peers cap what they accept; libtorrent takes 500)
    // The pipeline holds this much time of data at the rate the peer sends, or the round trip if that is
    // longer: depth = rate x max(this, rtt) / 16 KiB (libtorrent's "3 seconds of data"). A link whose round
    // trip is shorter fills; a slow sender queues no more than this.
    int pipelineSeconds = 3;
    // Requests kept outstanding to each peer whatever the rate and the round trip (the lab's experiments);
    // 0: sized as above. Bounded by what the peer accepts (its reqq).
    int fixedPipelineDepth = 0;
    qint64 snubTimeoutMs = 60'000;    // no block for this long while we have requests out: snubbed
    qint64 reconnectDelayMs = 10'000; // after a failed connect, the first wait; doubles up to 5 minutes
    int maxConnectAttempts = 5;       // a peer that failed this often in a row is forgotten
    // A downloading torrent at its connection limit closes a connection on which neither side was interested
    // for this long, to make room for a peer that can help (a swarm of small connection budgets otherwise
    // strands leechers among peers that hold the same pieces).
    qint64 uninterestedTimeoutMs = 20'000;
};

} // namespace swarmscope
