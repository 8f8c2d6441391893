#pragma once

#include "clock/RealScheduler.h"
#include "sim/SimulatedLink.h"
#include "transport/TcpNetwork.h"

namespace swarmscope {

// The host's real TCP in real time with a link of its own: the network of a component that runs on its own
// (the command line's tracker and peer, a test), where no lab hands it one. Make it in the thread it will run
// in.
class TcpNode {
public:
    TcpNode() : m_link(m_scheduler), m_network(m_scheduler, m_link) {}
    TcpNode(const TcpNode&) = delete;
    TcpNode& operator=(const TcpNode&) = delete;

    Network& network() { return m_network; }
    RealScheduler& scheduler() { return m_scheduler; }
    SimulatedLink& link() { return m_link; }

private:
    RealScheduler m_scheduler;
    SimulatedLink m_link;
    TcpNetwork m_network;
};

} // namespace swarmscope
