#include "swarm/WorkerEnvironment.h"

#include "clock/RealScheduler.h"
#include "clock/SimPacer.h"
#include "clock/SimScheduler.h"
#include "sim/SimulatedLink.h"
#include "transport/SimNetwork.h"
#include "transport/TcpNetwork.h"

namespace swarmscope {

WorkerEnvironment::~WorkerEnvironment() = default;

qint64 WorkerEnvironment::labMs() const {
    return toMs(const_cast<WorkerEnvironment*>(this)->scheduler().now() - epoch());
}

RealWorkerEnvironment::RealWorkerEnvironment(SimTime epoch, QObject* parent)
    : WorkerEnvironment(parent), m_scheduler(std::make_unique<RealScheduler>()), m_epoch(epoch) {}

RealWorkerEnvironment::~RealWorkerEnvironment() = default;

Scheduler& RealWorkerEnvironment::scheduler() {
    return *m_scheduler;
}

std::unique_ptr<Network> RealWorkerEnvironment::nodeFor(int, SimulatedLink& link) {
    return std::make_unique<TcpNetwork>(*m_scheduler, link);
}

SimWorkerEnvironment::SimWorkerEnvironment(SimScheduler& scheduler, SimNetwork& network, QObject* parent)
    : WorkerEnvironment(parent), m_scheduler(scheduler), m_network(network),
      m_pacer(new SimPacer(scheduler, this)), m_trackerLink(std::make_unique<SimulatedLink>(scheduler)) {}

SimWorkerEnvironment::~SimWorkerEnvironment() {
    m_trackerHost.reset();
}

QHostAddress SimWorkerEnvironment::addressOf(int labPeer) {
    const quint32 n = quint32(labPeer);
    return QHostAddress((10u << 24) | ((1u + (n >> 16) % 254u) << 16) | (((n >> 8) & 0xffu) << 8) |
                        (n & 0xffu));
}

Scheduler& SimWorkerEnvironment::scheduler() {
    return m_scheduler;
}

std::unique_ptr<Network> SimWorkerEnvironment::nodeFor(int labPeer, SimulatedLink& link) {
    return m_network.addHost(addressOf(labPeer), link);
}

QHostAddress SimWorkerEnvironment::trackerAddress() const {
    return QHostAddress(QStringLiteral("10.0.0.1"));
}

Network* SimWorkerEnvironment::trackerNetwork() {
    if (!m_trackerHost)
        m_trackerHost = m_network.addHost(trackerAddress(), *m_trackerLink);
    return m_trackerHost.get();
}

} // namespace swarmscope
