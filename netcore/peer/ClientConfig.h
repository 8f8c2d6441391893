#pragma once

#include "dht/Krpc.h"
#include "peer/PeerLimits.h"
#include "wire/Mse.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>

class QThreadPool;

namespace swarmscope {

class Network;

struct ClientConfig {
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 0; // 0: the system picks; see Client::listenPort()
    // 20 bytes, or empty for "-SS0010-" followed by 12 random characters.
    QByteArray peerId;
    // Both directions and handshaking connections together.
    int maxConnections = 50;
    // Where the client listens and connects, through its link (caps and latency for all its connections),
    // and whose scheduler runs its timers: real TCP in real time, or a host of the simulated network. Not
    // owned; must outlive the client. Null: the host's TCP in real time, with a transparent link of its own.
    Network* network = nullptr;
    // Where pieces are hashed and where verifying data on add runs. Not owned; must outlive the client. A lab
    // gives every client the same pool. Null: the client makes its own, unless inlineHashing is set.
    QThreadPool* hashPool = nullptr;
    // Hash and verify on the client's own thread, at the moment the work is asked for, never on a pool: a
    // simulated run must not depend on how threads are scheduled.
    bool inlineHashing = false;
    // Seeds the piece picker's and the choker's random choices, so a lab run can be repeated; 0: random.
    quint32 seed = 0;
    // Per torrent: whole pieces kept in memory to serve blocks from (one pread per piece, not per block;
    // pieces of one block are never cached) ...
    qint64 readCacheBytes = 8LL * 1024 * 1024;
    // ... and pieces being downloaded are assembled in memory up to this many bytes, then hashed and written
    // off the network thread; beyond it, blocks go straight to disk and the piece is read back to hash. The
    // same amount bounds the pieces waiting to be hashed: past it the torrent stops requesting until the
    // hash pool catches up. A lab of hundreds of clients with large pieces lowers both.
    qint64 assemblyBytes = 32LL * 1024 * 1024;
    // Connections that may send blocks at once under an upload cap, each a whole piece at a time, more when
    // they cannot fill the link (UploadTurns); 0: every connection with requests shares the cap block by
    // block. One measured best: 1.072 against 1.151 times the bound in tests/bench/swarm-efficiency.sh on
    // real sockets, 1.068 against 1.124 simulated (docs/BENCHMARKS.md).
    int uploadTurns = 1;
    int numwant = 50; // peers asked of the tracker per announce
    // BEP 11 peer exchange: advertise ut_pex, tell connected peers whom we are connected to (once a minute),
    // and dial the peers they name. Off: ut_pex is neither advertised nor accepted.
    bool pex = true;
    // The announce's ip parameter; empty: the tracker uses the connection's address.
    QByteArray announceIp;
    PeerLimits limits;
    // MSE/PE (mse::Policy). Plaintext by default: a lab's simulated runs stay plain BEP 3 unless a scenario
    // asks otherwise; `swarmscope peer` defaults to Prefer, as real clients do. With a seed, the keys and
    // pads of every handshake repeat run after run.
    mse::Policy encryption = mse::Policy::Plaintext;
    // BEP 5: a DHT node on UDP at the listen address and dhtPort (0: a free port), bootstrapped from these
    // nodes only (none by default: the client never reaches for a public router). Torrents that are not
    // private look their peers up in it and announce themselves there.
    bool dht = false;
    quint16 dhtPort = 0;
    QList<DhtEndpoint> dhtBootstrap;
};

} // namespace swarmscope
