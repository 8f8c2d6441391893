#pragma once

#include "clock/Timer.h"
#include "tracker/AnnounceResponse.h"
#include "tracker/TrackerClient.h"

#include <QList>
#include <QObject>
#include <QStringList>

namespace swarmscope {

struct Metainfo;

// One torrent's announces for a session. It picks the trackers (the user's list, else the torrent's
// announce-list, else its announce) and stops gracefully: an announce in flight ("started", "completed") is
// allowed to finish first, for at most a couple of seconds, so the tracker hears it before "stopped".
class SessionTracker : public QObject {
    Q_OBJECT
public:
    static constexpr int kFinishInFlightMs = 2000;

    // One tier per URL of override, or the torrent's own tiers; empty when there is no tracker at all.
    static QList<QStringList> tiersFor(const Metainfo& metainfo, const QStringList& override);

    SessionTracker(const TrackerClientConfig& config, TrackerClient::StatsProvider stats,
                   QObject* parent = nullptr);

    void start() { m_client->start(); }
    void complete() { m_client->complete(); }
    // config.network must be set. stopped() follows, always, bounded by the tracker client's stop timeout.
    void stop();

signals:
    void peersReceived(const QList<swarmscope::TrackerPeer>& peers);
    void stopped();

private:
    void stopNow();

    TrackerClient* m_client;
    Timer m_deadline;
    bool m_stopping = false;
    bool m_deadlinePassed = false;
};

} // namespace swarmscope
