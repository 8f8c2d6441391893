#pragma once

#include "peer/AddTorrentParams.h"
#include "peer/ClientConfig.h"
#include "peer/ClientSnapshot.h"
#include "peer/PeerEvent.h"
#include "peer/UploadTurns.h"

#include "clock/Timer.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>

#include <memory>

class QThreadPool;

namespace swarmscope {

class ByteStream;
class DhtNode;
class FileHandleCache;
class Listener;
class Network;
class PeerConnection;
class Scheduler;
class SimulatedLink;
class TcpNode;
class TorrentSession;

// One BitTorrent client (BEP 3): a listen socket, a peer id, an access link, a connection cap, and any number
// of torrents keyed by info-hash; the handshake's info-hash picks the torrent of an incoming connection. A
// lab runs hundreds of these in one process, so nothing here is global: each client has its own port, peer
// id, link, limits and timers. It runs on the Network it is given (real TCP, or a host of the simulated
// network) and reads time only from that network's scheduler, so the same code runs in real and in simulated
// time.
//
// Threads: a Client and everything it owns (torrents, connections, sockets, the link it made) live in the
// thread that created it; several clients may share a thread. Call it only from that thread; the swarm's
// control API forwards calls with QMetaObject::invokeMethod. Pieces are hashed on the hash pool.
//
// Life: construct, listen(), addTorrent() (which starts it), ... stop() and wait for stopped() before
// destroying the client to announce "stopped" to the trackers; destroying it without stop() just drops
// every connection.
class Client : public QObject {
    Q_OBJECT
public:
    explicit Client(const ClientConfig& config = {}, QObject* parent = nullptr);
    ~Client() override;

    // Binds config.listenAddress:config.listenPort. False with errorString() when the port is taken.
    bool listen();
    bool isListening() const;
    QString errorString() const { return m_error; }
    QHostAddress listenAddress() const;
    quint16 listenPort() const;

    const QByteArray& peerId() const { return m_peerId; }
    Network& network() const { return *m_network; }
    Scheduler& scheduler() const;
    SimulatedLink* link() const;
    const ClientConfig& config() const { return m_config; }
    const PeerLimits& limits() const { return m_config.limits; }
    QThreadPool* hashPool() const { return m_hashPool; }
    // The DHT node, made by listen() when config.dht is on; null otherwise.
    DhtNode* dht() const { return m_dht.get(); }
    // Its UDP port; 0 when the client runs no DHT.
    quint16 dhtPort() const;

    // Takes effect for new connections; existing ones above the cap stay.
    void setMaxConnections(int count) { m_config.maxConnections = qMax(1, count); }
    int maxConnections() const { return m_config.maxConnections; }
    int connectionCount() const { return m_connectionCount; }

    // Adds and starts a torrent (verifying data on disk first, off this thread). Null with *error set when
    // the torrent is already here, the metainfo is unusable, or the storage cannot be opened (a seeder's
    // files missing or of the wrong size, a leecher's directory not writable).
    TorrentSession* addTorrent(const AddTorrentParams& params, QString* error = nullptr);
    TorrentSession* torrent(const QByteArray& infoHash) const { return m_torrents.value(infoHash); }
    QList<TorrentSession*> torrents() const { return m_torrentOrder; }
    // Stops the torrent (announcing "stopped") and deletes it once stopped. False when unknown.
    bool removeTorrent(const QByteArray& infoHash);

    // Stops every torrent and closes the listen socket; stopped() follows once every tracker has been told
    // (bounded by the tracker client's stop timeout).
    void stop();
    bool isStopped() const { return m_stopped; }

    ClientSnapshot snapshot(bool withConnections = true) const;
    ClientStats stats() const;

    // The client's clock: its network's scheduler, in milliseconds.
    qint64 nowMs() const;

    // --- for TorrentSession and PeerConnection
    quint64 nextConnectionId() { return ++m_lastConnectionId; }
    bool canOpenConnection() const { return !m_stopping && m_connectionCount < m_config.maxConnections; }
    void connectionOpened() { ++m_connectionCount; }
    void connectionClosed() { --m_connectionCount; }
    // An incoming connection named its torrent: the session that takes it, or null.
    TorrentSession* sessionForIncoming(const QByteArray& infoHash) const;
    std::shared_ptr<FileHandleCache> fileHandles() const { return m_fileHandles; }
    // Whose blocks go on the upload link now (a piece at a time, under a cap); keys are PeerConnections.
    UploadTurns& uploadTurns() { return m_uploadTurns; }
    // Whether anyone listens to peerEvent(); events are not even built otherwise.
    bool wantsEvents() const;
    void report(const PeerEvent& event);
    // A new outgoing connection's stream, MSE/PE per the client's policy; connectionId seeds its keys.
    ByteStream* openStream(const QHostAddress& address, quint16 port, const QByteArray& infoHash,
                           quint64 connectionId);
    // An incoming connection found its session, or closed before it did.
    void incomingAttached(PeerConnection* connection);
    void incomingClosed(PeerConnection* connection, const QString& reason);
    // A peer's PORT message: its DHT node, worth a ping.
    void peerDhtPort(const QHostAddress& address, quint16 port);

signals:
    void peerEvent(const swarmscope::PeerEvent& event);
    void torrentAdded(const QByteArray& infoHash);
    void torrentStateChanged(const QByteArray& infoHash, swarmscope::TorrentState state);
    // The last piece of a leecher's torrent was verified.
    void torrentCompleted(const QByteArray& infoHash);
    void torrentRemoved(const QByteArray& infoHash);
    void stopped();

private:
    void acceptConnections();
    quint64 encryptionSeed(quint64 connectionId) const;
    void tick();
    void onSessionStopped(TorrentSession* session);
    void checkStopped();

    std::unique_ptr<TcpNode> m_ownNetwork; // when the config gives none
    Network* m_network = nullptr;
    ClientConfig m_config;
    QByteArray m_peerId;
    QThreadPool* m_hashPool = nullptr;
    std::unique_ptr<QThreadPool> m_ownPool;
    std::shared_ptr<FileHandleCache> m_fileHandles;
    Listener* m_server = nullptr;
    QString m_error;
    QHash<QByteArray, TorrentSession*> m_torrents;
    QList<TorrentSession*> m_torrentOrder;
    QList<PeerConnection*> m_unattached; // incoming, handshake not far enough to name the torrent
    Timer m_tickTimer;
    UploadTurns m_uploadTurns;
    qint64 m_lastTickMs = -1; // for the turns' adapt(): the link's use over each tick
    qint64 m_lastTickUploaded = 0;
    quint64 m_lastConnectionId = 0;
    int m_connectionCount = 0;
    bool m_stopping = false;
    bool m_stopped = false;
    std::unique_ptr<DhtNode> m_dht; // after the network it sends on
};

} // namespace swarmscope
