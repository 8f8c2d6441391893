#pragma once

#include "peer/ClientConfig.h"
#include "swarm/LabPeer.h"
#include "swarm/LabPeerSpec.h"
#include "swarm/WorkerReport.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QSet>

#include <functional>

class QThreadPool;

namespace swarmscope {

class LabClock;
class LabPeerIdentity;

// The clients of one worker thread. It owns their LabPeers, runs the lab's commands on them, and answers
// collect() with a WorkerReport, so the lab's thread never touches a client.
//
// Made in the lab's thread and moved to its worker thread before that starts; from then on every call
// comes through QMetaObject::invokeMethod, and it is deleted in that thread when the thread finishes.
class SwarmWorker : public QObject, private LabPeerObserver {
    Q_OBJECT
public:
    static constexpr int kAllPeers = 0; // as a peer id: every peer of this worker

    struct Settings {
        int index = 0;
        const LabClock* clock = nullptr;
        const LabPeerIdentity* identity = nullptr;
        QThreadPool* hashPool = nullptr;
        ClientConfig clientTemplate;
        bool withConnections = true;
        int maxEventsPerReport = 10000;
    };

    explicit SwarmWorker(const Settings& settings);
    ~SwarmWorker() override;

    int index() const { return m_settings.index; }

    // Peers added before the tracker is up wait for its URL.
    void setAnnounceUrl(const QString& url);
    void addPeer(const LabPeerSpec& spec);
    // Runs f on the peer with this id, or on every peer for kAllPeers; unknown ids are ignored (the peer was
    // removed in the meantime).
    void applyToPeers(int id, const std::function<void(LabPeer&)>& f);
    // Graceful: the peer announces "stopped", then it is deleted (and its data with it when asked);
    // peerRemoved() follows.
    void removePeer(int id, bool deleteData);

    void setWithConnections(bool withConnections) { m_settings.withConnections = withConnections; }
    // Bit (1 << int(PeerEventKind)) set: events of that kind are forwarded.
    void setEventMask(quint32 mask);

    // Emits reported() with every peer now and the events gathered since the previous report.
    void collect();
    // Stops every peer gracefully; shutDown() follows once all have told their trackers.
    void shutdown();

signals:
    void reported(const swarmscope::WorkerReport& report);
    void peerCompleted(int peer, qint64 labMs);
    void peerFailed(int peer, const QString& error);
    void peerRemoved(int peer);
    void shutDown(int worker);

private:
    void labPeerEvent(const LabPeer& peer, const PeerEvent& event) override;
    void labPeerCompleted(const LabPeer& peer, qint64 labMs) override;
    void labPeerFailed(const LabPeer& peer, const QString& error) override;
    void labPeerStopped(LabPeer& peer) override;
    void checkShutDown();

    Settings m_settings;
    QString m_announceUrl;
    QMap<int, LabPeer*> m_peers; // ascending id, so reports come out sorted
    QMap<int, LabPeer*> m_leaving;
    QSet<int> m_deleteData;
    QList<SwarmEvent> m_events;
    int m_droppedEvents = 0;
    quint32 m_eventMask = ~0u;
    bool m_shuttingDown = false;
    bool m_shutDownReported = false;
};

} // namespace swarmscope
