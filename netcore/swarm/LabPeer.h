#pragma once

#include "peer/ClientConfig.h"
#include "peer/ClientSnapshot.h"
#include "peer/PeerEvent.h"
#include "sim/SimulatedLink.h"
#include "swarm/LabDhtDirectory.h"
#include "swarm/LabPeerSpec.h"
#include "swarm/SwarmSnapshot.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QThreadPool;

namespace swarmscope {

class Client;
class LabPeer;
class LabPeerIdentity;
class Network;
class TorrentSession;
class WorkerEnvironment;

// What a LabPeer tells the worker that owns it; called in the worker's thread.
class LabPeerObserver {
public:
    virtual void labPeerEvent(const LabPeer& peer, const PeerEvent& event) = 0;
    virtual void labPeerCompleted(const LabPeer& peer, qint64 labMs) = 0;
    virtual void labPeerFailed(const LabPeer& peer, const QString& error) = 0;
    // A graceful stop() finished; the peer may now be deleted (later: this is called from its client).
    virtual void labPeerStopped(LabPeer& peer) = 0;
    // A leecher with leaveWhenDone completed and has started to leave.
    virtual void labPeerLeaving(LabPeer& peer) { Q_UNUSED(peer); }

protected:
    ~LabPeerObserver() = default;
};

// One peer of the lab: a Client holding one torrent, the link it runs behind, and its node on the worker's
// network (a port of 127.0.0.1, or a host of the simulated network). The link and the node outlive the
// client, so a peer that is killed and restarted keeps its conditions and its address; the data directory
// outlives it too, so a restarted leecher keeps the pieces it had verified (its client checks them on
// start).
//
// Lives in a worker thread with its client and the client's sockets; every call comes from there.
class LabPeer : public QObject {
    Q_OBJECT
public:
    struct Environment {
        WorkerEnvironment* worker = nullptr;
        QThreadPool* hashPool = nullptr; // null: hash inline
        ClientConfig clientTemplate;
        LabPeerObserver* observer = nullptr;
        bool wantEvents = true;
        std::shared_ptr<LabDhtDirectory> dhtDirectory; // set: trackerless, the client runs a DHT node
    };

    LabPeer(const LabPeerSpec& spec, const Environment& environment, QObject* parent = nullptr);
    // Drops the client without a "stopped" announce, as kill() does.
    ~LabPeer() override;

    int id() const { return m_spec.id; }
    int torrent() const { return m_spec.torrent; }
    TorrentRole role() const { return m_spec.role; }
    const LabPeerSpec& spec() const { return m_spec; }
    bool isRunning() const { return m_client != nullptr; }
    bool isStopping() const { return m_stopping; }
    // A graceful stop() has finished.
    bool hasStopped() const { return m_stopped; }

    // Starts the client: listen, add the torrent (announced to announceUrl). A failure leaves the peer in
    // LabPeerState::Error and is reported to the observer.
    void start(const QString& announceUrl);
    // Abrupt: every socket is aborted, the tracker is not told; the data on disk stays.
    void kill();
    // Kills a running client, then starts a new one on the same port when it is free, with the same peer
    // id, link and data.
    void restart();
    // Graceful: announces "stopped", then reports labPeerStopped(). Not restartable afterwards.
    void stop();
    // Graceful like stop(), but the peer stays, Stopped, with its data, and restart() brings it back: a peer
    // that leaves the swarm.
    void leave();
    bool hasLeft() const { return m_left; }

    void pause();
    void resume();
    void setConditions(const PeerConditions& conditions);
    const PeerConditions& conditions() const { return m_spec.conditions; }
    void setLatency(qint64 latencyMs, qint64 jitterMs);
    void setUploadRate(qint64 bytesPerSecond);
    void setDownloadRate(qint64 bytesPerSecond);
    void setPickerStrategy(PickerStrategy strategy);
    void setChokerEnabled(bool enabled);
    void setFreeRider(bool freeRider);
    void setCorrupt(bool corrupt);
    // Whether the client's events reach the observer. Off, the client does not even build them.
    void setEventsWanted(bool wanted);

    // The peer now. Records a completion the signal did not (a restarted leecher whose data was all there).
    LabPeerSnapshot snapshot(bool withConnections, const LabPeerIdentity& identity);

private:
    bool launch(quint16 port, QString* error);
    void fail(const QString& error);
    void markCompleted();
    void connectEvents();
    void fillFromTorrent(LabPeerSnapshot& peer, const TorrentSnapshot& torrent) const;

    LabPeerSpec m_spec;
    Environment m_env;
    SimulatedLink m_link;            // before m_client: the client's streams read it until they are gone
    std::unique_ptr<Network> m_node; // the same, and on the same link
    std::unique_ptr<Client> m_client;
    QPointer<TorrentSession> m_session;
    QMetaObject::Connection m_eventConnection;
    QString m_announceUrl;
    QString m_error;
    TorrentSnapshot m_last; // what the client had when it was killed
    bool m_hasLast = false;
    bool m_started = false;
    bool m_stopping = false;
    bool m_stopped = false;
    bool m_leaving = false;
    bool m_left = false;
    quint16 m_port = 0;
    int m_restarts = 0;
    qint64 m_completedAtMs = -1;
};

} // namespace swarmscope
