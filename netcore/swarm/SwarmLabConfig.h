#pragma once

#include "peer/ClientConfig.h"
#include "swarm/TimeMode.h"

#include <QHostAddress>
#include <QString>

namespace swarmscope {

struct SwarmLabConfig {
    // Real time over real TCP on 127.0.0.1, or simulated time over the simulated network (one thread,
    // deterministic for a given seed; the clock starts paused and is controlled through the lab).
    TimeMode timeMode = TimeMode::Real;

    // Where leechers download, each into <labDir>/peer-<id>/. Empty: a temporary directory, removed when the
    // lab is destroyed unless keepLabDir is set.
    QString labDir;
    bool keepLabDir = false;

    int workerThreads = 0; // threads running clients in real time; 0: min(2, cores). Simulated time: one.
    int hashThreads = 0;   // the pool every client hashes pieces on; 0: one per core

    QHostAddress trackerAddress = QHostAddress::LocalHost;
    quint16 trackerPort = 0; // 0: any free port; see SwarmLab::announceUrl()
    // Short, so that peers a lab adds later, or restarts, are found within seconds.
    int announceIntervalSeconds = 5;
    // No tracker: every client runs a DHT node (BEP 5), bootstrapped from the lab's first clients, and finds
    // the others by the info-hash alone. The lab's tracker still listens, and hears from nobody.
    bool trackerless = false;

    int snapshotHz = 10;
    bool snapshotConnections =
        true; // per-connection detail in every LabPeerSnapshot (the swarm graph needs it)
    // Events forwarded per snapshot, across all workers; beyond it they are counted as dropped, so a flood
    // of HAVE messages in a big lab cannot grow memory without bound.
    int maxEventsPerSnapshot = 20000;

    // Seeds peer ids, pickers, chokers, the tracker's answers and the links' jitter, so a run can repeat; 0:
    // random. A simulated run with the same seed and the same commands is the same run, byte for byte.
    quint32 seed = 0;
    // Every peer sampled on this grid of lab time for sampleReady() (0: no samples).
    qint64 sampleIntervalMs = 0;
    // Real time: the most peers the lab will hold at once. Every connection costs two descriptors in this
    // process (one per end), so each client's connection cap is lowered to fit them all into the open-file
    // limit (see SwarmLab::connectionsPerPeer()). 0: the caps stay as configured.
    int plannedPeers = 0;

    // What every client starts from. The lab sets the listen address and port, peer id, link, hash pool
    // and seed of each; the rest (connection cap, limits, memory budgets) applies as given.
    ClientConfig client = defaultClientConfig();

    // The engine's defaults suit one client per process; hundreds share this one, and they all read the
    // same few files through the page cache, so each client's own caches stay small. A read cache per client
    // would hold copies of what the page cache holds once: 300 peers of 8 MiB in 256 KiB pieces peaked at
    // 2.74 MiB per peer with 2 MiB each, 0.87 MiB without, for the same CPU (tests/bench/scale.sh).
    static ClientConfig defaultClientConfig() {
        ClientConfig config;
        config.readCacheBytes = 0;
        config.assemblyBytes = 4LL * 1024 * 1024;
        return config;
    }

    // For a lab that will hold about this many peers. Every client dialling 50 peers and accepting 50 is
    // right for a few dozen; with hundreds, every client sits at its cap, each refuses the others' dials, and
    // the refusals and their retries (and the HAVE fan-out, and per-connection buffers) cost more CPU and
    // memory than the transfers. Fewer, still plenty, neighbours each keep the swarm fast: 299 leechers of
    // 8 MiB finish in about a sixth of the time with 20 connections per client as with 50.
    static ClientConfig clientConfigForPeers(int peers) {
        ClientConfig config = defaultClientConfig();
        if (peers > 150) {
            config.maxConnections = 20;
            config.numwant = 12;
        } else if (peers > 60) {
            config.maxConnections = 30;
            config.numwant = 20;
        }
        return config;
    }
};

} // namespace swarmscope
