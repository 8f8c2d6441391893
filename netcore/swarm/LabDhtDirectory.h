#pragma once

#include "dht/Krpc.h"

#include <QList>
#include <QMutex>

namespace swarmscope {

// A trackerless lab's rendezvous: where its first clients' DHT nodes listen, so that each new client can be
// bootstrapped from them and nothing outside the lab. Shared by the lab's worker threads.
class LabDhtDirectory {
public:
    static constexpr int kBootstrapNodes = 3;

    void add(const DhtEndpoint& endpoint) {
        QMutexLocker lock(&m_mutex);
        if (m_first.size() < kBootstrapNodes && !m_first.contains(endpoint))
            m_first.append(endpoint);
    }
    QList<DhtEndpoint> bootstrap() const {
        QMutexLocker lock(&m_mutex);
        return m_first;
    }

private:
    mutable QMutex m_mutex;
    QList<DhtEndpoint> m_first;
};

} // namespace swarmscope
