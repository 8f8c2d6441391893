#pragma once

#include "peer/PickerStrategy.h"
#include "swarm/LabCommand.h"
#include "swarm/LeecherVerifier.h"
#include "swarm/PeerConditions.h"
#include "swarm/SwarmSnapshot.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

namespace swarmscope {

class SwarmLab;

struct SwarmExperimentSetup {
    int seeders = 1;
    int leechers = 8;
    PeerConditions seederConditions;
    PeerConditions leecherConditions;
    PickerStrategy strategy = PickerStrategy::RarestFirst;
    bool chokerEnabled = true;
    // The leechers join once every seeder serves the file, as snapshots show it. Off: they join at once,
    // right behind the seeders; right when the seeders' data was hashed just now (they serve at once), and
    // the only way a simulated run stays the same from run to run (snapshots come on wall-clock time).
    bool waitForSeeders = true;
};

struct SwarmExperimentProgress {
    int leechers = 0;
    int completed = 0;
    double fraction = 0;     // pieces the leechers have, over the pieces they need
    qint64 downloadRate = 0; // the leechers' together, bytes per second
};

// One distribution experiment on a running lab: the seeders join first, and once every one of them serves
// the file (the Kumar–Ross bound assumes it is there at time zero) the leechers join all at once; each
// leecher's time runs from then until it has every piece. When all have completed, every leecher's data is
// read back and checked against the piece hashes. `swarmscope swarm` runs one; so can the GUI.
class SwarmExperiment : public QObject {
    Q_OBJECT
public:
    // lab: started, not owned, must outlive this object; torrent: a torrent added to it.
    SwarmExperiment(SwarmLab& lab, int torrent, const SwarmExperimentSetup& setup, QObject* parent = nullptr);

    void start();
    bool isFinished() const { return m_finished; }

    const QList<int>& seeders() const { return m_seeders; }
    const QList<int>& leechers() const { return m_leechers; } // empty until the seeders serve
    // Seconds from joining to completing; negative for a leecher that has not completed.
    double completionSeconds(int leecher) const { return m_completion.value(leecher, -1.0); }
    int completedCount() const { return int(m_completion.size()); }
    // After finished(): whether every leecher's data matched the piece hashes.
    bool isVerified() const { return m_verified; }
    int verifiedCount() const { return m_verifiedCount; }

signals:
    void progress(const swarmscope::SwarmExperimentProgress& progress);
    // Every leecher completed and its data was checked (see isVerified()).
    void finished();
    // A peer or the lab failed; the experiment cannot complete.
    void failed(const QString& error);

private:
    void addLeechers();
    LabPeerOptions peerOptions() const;
    void onSnapshot(const SwarmSnapshotPtr& snapshot);
    void onCompleted(int peer, double seconds);
    void onVerified(const QList<LeecherVerification>& results);
    void fail(const QString& error);

    SwarmLab& m_lab;
    int m_torrent;
    SwarmExperimentSetup m_setup;
    QList<int> m_seeders;
    QList<int> m_leechers;
    QHash<int, double> m_completion;
    bool m_started = false;
    bool m_verifying = false;
    bool m_finished = false;
    bool m_verified = false;
    int m_verifiedCount = 0;
};

} // namespace swarmscope
