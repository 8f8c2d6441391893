#include "peer/SessionDht.h"

#include "dht/DhtNode.h"

namespace swarmscope {

SessionDht::SessionDht(DhtNode& node, const QByteArray& infoHash, quint16 announcePort,
                       std::function<void(const QList<DhtEndpoint>&)> onPeers)
    : m_node(node), m_infoHash(infoHash), m_announcePort(announcePort), m_onPeers(std::move(onPeers)),
      m_timer(node.scheduler(), [this] { run(); }) {}

SessionDht::~SessionDht() {
    if (m_lookup)
        m_node.cancel(m_lookup);
}

void SessionDht::start() {
    m_timer.startMs(0);
}

void SessionDht::run() {
    if (m_lookup)
        return;
    m_lookup = m_node.lookup(
        m_infoHash, m_announcePort,
        [this](const QList<DhtEndpoint>& peers) {
            m_peersFound += peers.size();
            m_onPeers(peers);
        },
        [this] {
            m_lookup = 0;
            ++m_lookupsDone;
            if (m_peersFound > 0) {
                m_timer.startMs(kIntervalMs);
                return;
            }
            m_timer.startMs(m_retryMs);
            m_retryMs = qMin(m_retryMs * 2, kMaxRetryMs);
        });
    if (!m_lookup) // the node runs as many lookups as it may: try again later
        m_timer.startMs(kFirstRetryMs);
}

} // namespace swarmscope
