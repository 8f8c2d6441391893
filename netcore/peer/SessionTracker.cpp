#include "peer/SessionTracker.h"

#include "metainfo/Metainfo.h"
#include "transport/Network.h"

namespace swarmscope {

QList<QStringList> SessionTracker::tiersFor(const Metainfo& metainfo, const QStringList& override) {
    QList<QStringList> tiers;
    if (!override.isEmpty()) {
        for (const QString& url : override)
            tiers.append(QStringList{url});
    } else if (!metainfo.announceList.isEmpty()) {
        tiers = metainfo.announceList;
    } else if (!metainfo.announce.isEmpty()) {
        tiers.append(QStringList{metainfo.announce});
    }
    return tiers;
}

SessionTracker::SessionTracker(const TrackerClientConfig& config, TrackerClient::StatsProvider stats,
                               QObject* parent)
    : QObject(parent), m_client(new TrackerClient(config, this)), m_deadline(config.network->scheduler()) {
    m_client->setStatsProvider(std::move(stats));
    connect(m_client, &TrackerClient::peersReceived, this, &SessionTracker::peersReceived);
    connect(m_client, &TrackerClient::stopped, this, &SessionTracker::stopped);
}

void SessionTracker::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    connect(m_client, &TrackerClient::announced, this, &SessionTracker::stopNow);
    connect(m_client, &TrackerClient::announceFailed, this, &SessionTracker::stopNow);
    m_deadline.setCallback([this] {
        m_deadlinePassed = true;
        stopNow();
    });
    m_deadline.startMs(kFinishInFlightMs);
    stopNow();
}

void SessionTracker::stopNow() {
    if (!m_client->isRunning())
        return;
    if (!m_deadlinePassed) {
        // Let an announce in flight finish, and send a pending "completed" before "stopped": a leecher that
        // quits the moment it finishes must still be counted as a download.
        if (m_client->isBusy())
            return;
        if (m_client->hasPendingCompleted()) {
            m_client->flushCompleted();
            if (m_client->isBusy())
                return;
        }
    }
    m_client->stop();
}

} // namespace swarmscope
