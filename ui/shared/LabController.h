#pragma once

#include "metainfo/Metainfo.h"
#include "peer/PickerStrategy.h"
#include "peer/TorrentRole.h"
#include "record/Recording.h"
#include "swarm/PeerConditions.h"
#include "swarm/SwarmEvent.h"
#include "swarm/SwarmLabConfig.h"
#include "swarm/SwarmSnapshot.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QThread>

#include <memory>
#include <optional>

namespace swarmscope {
class ScenarioRun;
class SwarmLab;
} // namespace swarmscope

namespace swarmscope::ui {

// What the demo swarm is made of. The caps keep a small file's spread slow enough to watch.
struct DemoSettings {
    qint64 fileSize = 8LL * 1024 * 1024;
    qint64 pieceLength = 64 * 1024;
    int seeders = 1;
    int leechers = 8;
    // Bytes per second; 0: unlimited. Slow enough that the spread takes about a quarter of a minute.
    qint64 seederUploadRate = 1024 * 1024;
    qint64 leecherUploadRate = 512 * 1024;
};

// How a peer of the shown torrent started, as it was added: what Save Scenario writes as its group.
struct LabPeerStart {
    TorrentRole role = TorrentRole::Leecher;
    PeerConditions conditions;
    PickerStrategy picker = PickerStrategy::RarestFirst;
    bool choker = true;
    bool freeRider = false;
    bool corrupt = false;
    bool leaveWhenDone = false;
    qint64 stayMs = 0; // leaves gracefully this long after it joined; 0: stays
    qint64 joinMs = 0; // lab time
};

// The window's side of the lab: owns the SwarmLab (or the ScenarioRun that owns it), remembers which torrent
// is on screen, and turns the lab's snapshots and events into ones holding only that torrent, so the views
// need not know there are several. It also keeps the "for every peer" settings of the control panel, so that
// peers added later start with the same link, picker and choker as the ones already running.
class LabController : public QObject {
    Q_OBJECT
public:
    // What every peer uploads at most until the user says otherwise: a transfer on loopback is otherwise over
    // before anyone sees it, and at this rate a 16 MiB torrent takes ten leechers about 20 s.
    static constexpr qint64 kDefaultUploadRate = 1024 * 1024;

    explicit LabController(const SwarmLabConfig& config = {}, QObject* parent = nullptr);
    ~LabController() override;

    // Starts the lab (tracker, workers); false with errorString() when it cannot.
    bool start();
    // Replaces the lab, while it holds no torrent, by a new one keeping its peers' files in labDir, and
    // starts it; false when the lab is in use (it then stays as it is) or the new one cannot start.
    bool relocate(const QString& labDir);
    // Replaces the lab, while it holds no torrent, by one on the other clock: real time over TCP on
    // 127.0.0.1, or simulated time on the simulated network, seeded by seed (0: a fresh seed). False when the
    // lab is in use (it then stays as it is) or the new one cannot start.
    bool setTimeMode(TimeMode mode, quint32 seed = 0);
    TimeMode timeMode() const { return m_config.timeMode; }
    bool isInUse() const;
    QString errorString() const;
    SwarmLab* lab() const { return m_lab; }
    QString announceUrl() const;
    QString labDir() const;

    // --- torrents
    // Adds a torrent and shows it; returns its id, or 0 when the lab refuses it.
    int addTorrent(const Metainfo& metainfo, const QString& sourceDir, bool trustSourceData);
    // The torrents the window shows: those added and not closed, ascending.
    QList<int> torrentIds() const;
    QString torrentName(int torrent) const;
    // Removes every peer of torrent from the lab (a leecher's downloaded copy is deleted; a seeder's source
    // is not touched) and forgets the torrent here: it leaves the selector, and another open torrent (or
    // none) is shown. The lab itself keeps the torrent's record, as its API has no way to drop one.
    void closeTorrent(int torrent);
    bool isClosed(int torrent) const { return m_closedTorrents.contains(torrent); }
    int activeTorrent() const { return m_activeTorrent; }
    void setActiveTorrent(int torrent);

    // Writes a pseudo-random file into the lab folder and hashes it off this thread, then adds the torrent
    // with its seeders; the leechers join once every seeder serves, so they all start from the same moment.
    // In simulated time the demo runs in slow motion: at demoSpeed(settings).
    void startDemo(const DemoSettings& settings = {});
    // Wall seconds a demo in simulated time should take, about.
    static constexpr double kDemoWallSeconds = 60;
    // The clock speed (0.1x to 1x) at which settings' swarm takes about kDemoWallSeconds of wall time.
    static double demoSpeed(const DemoSettings& settings);
    bool isPreparingDemo() const { return m_demoWaitsForTracker || m_demoThread != nullptr; }

    // --- scenarios
    // Runs a scenario in the window: run's content must be prepared. The lab is replaced by run's own
    // (whatever the lab holds is dropped: the caller closes the torrents first), run starts, and its lab and
    // torrent show as the window's own. Controls act on it as on any lab. False with errorString() when it
    // cannot start; a fresh lab of the window's own then takes its place.
    bool runScenario(std::unique_ptr<ScenarioRun> run);
    // The scenario on screen, or null; it stays after it has finished, with its lab.
    ScenarioRun* scenarioRun() const { return m_run.get(); }
    // How a peer started (the window's peers and a scenario's), or nothing for a peer the lab got otherwise.
    std::optional<LabPeerStart> peerStart(int peer) const;
    // Where the torrent's seeders serve it from, and whether the lab made that content up (the demo, a
    // scenario's generated data) rather than a user's file.
    QString torrentSourceDir(int torrent) const { return m_sourceDirs.value(torrent); }
    bool isGeneratedContent(int torrent) const { return m_generatedTorrents.contains(torrent); }

    // --- peers of the shown torrent, with the current settings for new peers
    QList<int> addSeeders(int count);
    QList<int> addLeechers(int count);

    // --- settings for every peer (peer = 0) or one peer; every-peer values also apply to peers added later
    void setLatency(int peer, qint64 latencyMs, qint64 jitterMs);
    void setUploadRate(int peer, qint64 bytesPerSecond);
    void setDownloadRate(int peer, qint64 bytesPerSecond);
    void setPickerStrategy(int peer, PickerStrategy strategy);
    void setChokerEnabled(int peer, bool enabled);
    const PeerConditions& newPeerConditions() const { return m_conditions; }
    PickerStrategy newPeerStrategy() const { return m_strategy; }
    bool newPeerChoker() const { return m_choker; }

    // The run so far, every torrent of it, and every control given: what the timeline scrubs through and
    // File → Save Recording writes. Started afresh with each lab.
    const Recording& recording() const { return m_recording; }
    static constexpr qint64 kRecordIntervalMs = 100;

    // The newest snapshot, holding only the shown torrent and its peers (null before the first one).
    SwarmSnapshotPtr snapshot() const { return m_snapshot; }

    // Builds a copy of snapshot with only torrent's peers; the peers' bitfields stay shared, so it is cheap.
    // The snapshot itself when nothing would be left out.
    static SwarmSnapshotPtr filterSnapshot(const SwarmSnapshotPtr& snapshot, int torrent);

signals:
    void trackerReady(const QString& announceUrl);
    void errorOccurred(const QString& message);
    void snapshotReady(const swarmscope::SwarmSnapshotPtr& snapshot);
    // Every torrent's events, each tagged with its torrent.
    void eventsReady(const QList<swarmscope::SwarmEvent>& events);
    void torrentsChanged();
    void activeTorrentChanged(int torrent);
    // Every-peer settings changed (the demo sets its caps); the control panel shows them.
    void newPeerSettingsChanged();
    void demoStarted(int torrent);
    // One more entry of the lab's control log (and of recording()).
    void controlChanged(const swarmscope::LabControlChange& change);
    void demoFailed(const QString& message);
    // relocate() put a new lab in place of the old one; its tracker comes up afresh.
    void labReplaced();
    // The scenario on screen stopped as its [stop] says (or failed); its lab stays, paused.
    void scenarioFinished();

private:
    struct PendingLeechers {
        int count = 0;
        PeerConditions conditions;
    };

    void connectLab();
    // Starts m_lab; a simulated lab's clock, which starts paused, then runs at 1x like the wall clock.
    bool startLab();
    bool replaceLab(const SwarmLabConfig& config);
    void onSnapshot(const SwarmSnapshotPtr& snapshot);
    void onEvents(const QList<SwarmEvent>& events);
    void onControl(const LabControlChange& change);
    void finishDemo(const QString& error, const QByteArray& torrent, const QString& sourceDir,
                    const DemoSettings& settings);
    QList<int> addPeers(int torrent, TorrentRole role, int count, const PeerConditions& conditions);
    void resetLabState();

    SwarmLabConfig m_config;
    std::unique_ptr<ScenarioRun> m_run; // when set, it owns m_lab
    QString m_runError;                 // why the last scenario could not start
    SwarmLab* m_lab;
    int m_activeTorrent = 0;
    SwarmSnapshotPtr m_snapshot;
    Recording m_recording;
    qsizetype m_recordedPeers = 0;
    PeerConditions m_conditions;
    PickerStrategy m_strategy = PickerStrategy::RarestFirst;
    bool m_choker = true;
    QHash<int, PendingLeechers> m_pendingLeechers; // torrent -> leechers waiting for its seeders
    QSet<int> m_closedTorrents;
    QHash<int, LabPeerStart> m_peerStarts;
    QHash<int, QString> m_sourceDirs;
    QSet<int> m_generatedTorrents;
    QPointer<QThread> m_demoThread;
    int m_demoCount = 0;
    bool m_demoWaitsForTracker = false;
};

} // namespace swarmscope::ui
