#pragma once

#include "clock/SimTime.h"

#include <QHostAddress>
#include <QObject>

#include <memory>

namespace swarmscope {

class Network;
class Scheduler;
class SimNetwork;
class SimPacer;
class SimScheduler;
class SimulatedLink;

// What one worker thread's peers run on: its scheduler, and the network each peer's client listens and
// connects through. The lab picks one for its time mode; the workers, peers and clients above it are the same
// code either way. Made in the worker's thread.
class WorkerEnvironment : public QObject {
    Q_OBJECT
public:
    ~WorkerEnvironment() override;

    virtual Scheduler& scheduler() = 0;
    // Lab time zero on the scheduler's clock.
    virtual SimTime epoch() const = 0;
    qint64 labMs() const;

    // A lab peer's own node on the network, through its link (not owned; it must outlive the node).
    virtual std::unique_ptr<Network> nodeFor(int labPeer, SimulatedLink& link) = 0;
    // Where a client of this environment listens.
    virtual QHostAddress listenAddress() const = 0;
    // Hash on the network thread at once rather than on a pool (see ClientConfig::inlineHashing).
    virtual bool inlineHashing() const = 0;

    // The tracker's network when the tracker must run in this thread (the simulated network has no sockets
    // another thread could reach); null when it runs on a thread of its own.
    virtual Network* trackerNetwork() { return nullptr; }
    virtual QHostAddress trackerAddress() const { return QHostAddress(); }

    // The clock, where it can be controlled (simulated time); null in real time.
    virtual SimPacer* pacer() { return nullptr; }

protected:
    explicit WorkerEnvironment(QObject* parent = nullptr) : QObject(parent) {}
};

// Real time: the steady clock and the host's TCP on 127.0.0.1, every peer on a port of its own.
class RealWorkerEnvironment final : public WorkerEnvironment {
    Q_OBJECT
public:
    // epoch: when the lab started, on the steady clock.
    explicit RealWorkerEnvironment(SimTime epoch, QObject* parent = nullptr);
    ~RealWorkerEnvironment() override;

    Scheduler& scheduler() override;
    SimTime epoch() const override { return m_epoch; }
    std::unique_ptr<Network> nodeFor(int labPeer, SimulatedLink& link) override;
    QHostAddress listenAddress() const override { return QHostAddress::LocalHost; }
    bool inlineHashing() const override { return false; }

private:
    std::unique_ptr<class RealScheduler> m_scheduler;
    SimTime m_epoch;
};

// Simulated time: the lab's SimScheduler, paced by a SimPacer of this thread, and the simulated network, in
// which peer n is a host of its own (10.1.x.y) and the tracker is 10.0.0.1.
class SimWorkerEnvironment final : public WorkerEnvironment {
    Q_OBJECT
public:
    // Neither is owned; both must outlive this environment and everything made on it.
    SimWorkerEnvironment(SimScheduler& scheduler, SimNetwork& network, QObject* parent = nullptr);
    ~SimWorkerEnvironment() override;

    static QHostAddress addressOf(int labPeer);

    Scheduler& scheduler() override;
    SimTime epoch() const override { return SimTime::zero(); }
    std::unique_ptr<Network> nodeFor(int labPeer, SimulatedLink& link) override;
    QHostAddress listenAddress() const override { return QHostAddress::AnyIPv4; }
    bool inlineHashing() const override { return true; }
    Network* trackerNetwork() override;
    QHostAddress trackerAddress() const override;
    SimPacer* pacer() override { return m_pacer; }

private:
    SimScheduler& m_scheduler;
    SimNetwork& m_network;
    SimPacer* m_pacer;
    std::unique_ptr<SimulatedLink> m_trackerLink;
    std::unique_ptr<Network> m_trackerHost;
};

} // namespace swarmscope
