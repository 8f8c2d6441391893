#include "peer/SessionTracker.h"

#include "metainfo/Metainfo.h"

#include <QTimer>

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
    : QObject(parent), m_client(new TrackerClient(config, this)) {
    m_client->setStatsProvider(std::move(stats));
    connect(m_client, &TrackerClient::peersReceived, this, &SessionTracker::peersReceived);
    connect(m_client, &TrackerClient::stopped, this, &SessionTracker::stopped);
}

void SessionTracker::stop() {
    if (m_stopping)
        return;
    m_stopping = true;
    if (!m_client->isBusy()) {
        m_client->stop();
        return;
    }
    connect(m_client, &TrackerClient::announced, this, &SessionTracker::stopNow);
    connect(m_client, &TrackerClient::announceFailed, this, &SessionTracker::stopNow);
    QTimer::singleShot(kFinishInFlightMs, this, &SessionTracker::stopNow);
}

void SessionTracker::stopNow() {
    if (m_client->isRunning())
        m_client->stop();
}

} // namespace swarmscope
