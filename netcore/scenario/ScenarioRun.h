#pragma once

#include "scenario/Scenario.h"
#include "scenario/ScenarioContentPrep.h"
#include "swarm/LeecherVerifier.h"
#include "swarm/SwarmSnapshot.h"
#include "swarm/TimeMode.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

class QTemporaryDir;

namespace swarmscope {

class SwarmLab;

struct ScenarioRunOptions {
    // The lab's directory and generated content go here; empty: a temporary directory, removed afterwards.
    QString workDir;
    // Override the file's [time]: the command line's --seed, --time and --speed.
    std::optional<quint32> seed;
    std::optional<TimeMode> timeMode;
    // Simulated time: virtual seconds per wall second; 0 (the default here) as fast as the CPU allows.
    double speed = 0;
    // Simulated time: start() leaves the clock paused, for a caller that runs it (two runs on one clock).
    bool startPaused = false;
    QString createdBy;
    // Samples carry every peer's connections even when the scenario does not measure their bytes (a
    // recording's graph and matrix need them).
    bool connections = false;
    // Read every completed leecher's data back and check it against the piece hashes at the end.
    bool verify = true;
};

// One peer of the run, in group order and, within a group, in join order.
struct ScenarioPeer {
    int id = 0;
    QString group;
    int index = 0; // in its group, from 0
    TorrentRole role = TorrentRole::Leecher;
    PeerBehaviour behaviour = PeerBehaviour::Normal;
    qint64 joinMs = 0;         // lab time it joins
    qint64 completedAtMs = -1; // lab time it first had every piece; -1: never (seeders never do)

    double completionSeconds() const { return completedAtMs < 0 ? -1.0 : (completedAtMs - joinMs) / 1000.0; }
};

// Piece availability at one sample: copies of each piece among the peers that are in the swarm then.
struct ScenarioSample {
    qint64 timeMs = 0;
    int peersPresent = 0; // downloading, seeding or paused
    int minCopies = 0;    // of the rarest piece
    double meanCopies = 0;
    int piecesNowhere = 0; // pieces no peer present has
    int completedLeechers = 0;
};

enum class ScenarioStopReason {
    LeechersComplete, // every leecher has every piece, or has left for good
    TimeLimit,
    Interrupted, // stop() was called
    Failed,      // the lab or a peer failed
};

QString scenarioStopReasonName(ScenarioStopReason reason);

struct ScenarioResult {
    ScenarioStopReason stopReason = ScenarioStopReason::Failed;
    QString error; // Failed
    TimeMode timeMode = TimeMode::Real;
    quint32 seed = 0;
    qint64 endMs = 0; // lab time the run stopped at
    qint64 fileSize = 0;
    qint64 pieceSize = 0;
    int pieceCount = 0;
    double boundSeconds = 0; // Kumar–Ross over every group's caps, as if every peer were there from the start
    QList<ScenarioPeer> peers;
    QList<qint64> actionTimesMs; // per action in file order: lab time it happened; -1: never
    QList<ScenarioSample> samples;
    int verifiedCount = 0; // completed leechers whose data matched every piece hash
    bool verificationRan = false;

    QList<const ScenarioPeer*> leechers() const;
    int completedLeechers() const;
    int seeders() const;
    // Every leecher completed and its data was checked against the piece hashes.
    bool verified() const;
};

// Runs a parsed Scenario on a SwarmLab of its own: prepares the content, adds every group with its
// arrivals, link, strategies and behaviour, carries out the actions (timed ones on the lab's clock,
// conditional ones when a sample shows their condition), and stops as the scenario says, then emits
// finished() with the result.
//
// In simulated time the lab holds its clock after every sample until the run has looked at it, so a
// condition's action lands at the very instant of the sample that showed it, and a run with the same
// scenario and seed is the same run. In real time the conditions are evaluated on the same samples while
// the clock runs on.
class ScenarioRun : public QObject {
    Q_OBJECT
public:
    ScenarioRun(const Scenario& scenario, const ScenarioRunOptions& options = {}, QObject* parent = nullptr);
    ~ScenarioRun() override;

    // Makes (or takes) the content and hashes it into a torrent; blocking. progress as in ContentPrepRequest.
    ContentPrepResult prepare(const std::function<bool(qint64, qint64)>& progress = {});
    // Starts the lab and the run; false with errorString() when the lab cannot start. Call prepare() first.
    bool start();
    // Ends the run now (Interrupted); finished() follows.
    void stop();

    QString errorString() const { return m_error; }
    const Scenario& scenario() const { return m_scenario; }
    TimeMode timeMode() const { return m_timeMode; }
    quint32 seed() const { return m_seed; }
    const std::optional<PreparedContent>& content() const { return m_content; }
    // The lab, once started; it stays after finished() so that its peers can be shut down cleanly.
    SwarmLab* lab() const { return m_lab.get(); }
    bool isFinished() const { return m_finished; }
    const ScenarioResult& result() const { return m_result; }

    // The join times of a group's peers (lab ms, in join order), as the run computes them for a seed.
    static QList<qint64> joinTimes(const ScenarioGroup& group, int groupIndex, quint32 seed);

signals:
    // Every sample of the run (the grid of [measure] sample-interval), before the run acts on it.
    void sampled(const swarmscope::SwarmSnapshotPtr& sample);
    void actionTaken(int action, qint64 labMs);
    void finished();

private:
    void addGroups();
    void scheduleActions();
    void issue(const ScenarioAction& action, const QList<int>& peers, qint64 atMs);
    QList<int> resolve(const ScenarioTarget& target) const;
    bool conditionHolds(const ScenarioCondition& condition, const ScenarioAction& action,
                        const SwarmSnapshot& sample) const;
    bool leechersDone(const SwarmSnapshot& sample) const;
    void onSample(const SwarmSnapshotPtr& sample);
    void recordSample(const SwarmSnapshot& sample);
    void finishRun(ScenarioStopReason reason, const QString& error = {});
    void onVerified(const QList<LeecherVerification>& results);
    void complete();

    Scenario m_scenario;
    ScenarioRunOptions m_options;
    TimeMode m_timeMode = TimeMode::Real;
    quint32 m_seed = 0;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    QString m_workDir;
    std::optional<PreparedContent> m_content;
    std::unique_ptr<SwarmLab> m_lab;
    int m_torrent = 0;
    QString m_error;

    QHash<QString, QList<int>> m_groupPeers; // group name -> peer ids in join order
    QHash<int, int> m_peerIndex;             // peer id -> index in m_result.peers
    QHash<int, qint64> m_uploadBase;         // uploads before a restart reset the peer's counters
    QHash<int, qint64> m_lastUploaded;
    QList<bool> m_fired;
    bool m_stopping = false;
    bool m_finished = false;
    bool m_stopRequested = false;
    ScenarioResult m_result;
};

} // namespace swarmscope
