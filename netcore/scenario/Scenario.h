#pragma once

#include "swarm/TimeMode.h"

#include "peer/PickerStrategy.h"
#include "peer/TorrentRole.h"
#include "swarm/LabCommand.h"
#include "swarm/PeerConditions.h"

#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

// A whole swarm run as a scenario file describes it (docs/SCENARIOS.md): plain values, checked by the parser,
// so that whoever runs a Scenario can trust every field to be in range. Durations are milliseconds of lab
// time since the run started, sizes bytes, rates bytes per second with 0 meaning unlimited.

inline constexpr int kMaxScenarioPeers = 1000;
inline constexpr qint64 kMaxGeneratedContentBytes = 64LL * 1024 * 1024 * 1024;
inline constexpr qint64 kMinScenarioPieceSize = 16 * 1024;
inline constexpr qint64 kMaxScenarioPieceSize = 16 * 1024 * 1024;
// A group's fixed request pipeline, in 16 KiB blocks (PeerLimits::maxPipelineDepth).
inline constexpr int kMaxScenarioPipelineDepth = 250;

enum class ContentSource {
    Generated, // `size` bytes of pseudo-random data made for the run
    File,      // one existing file
    Folder,    // an existing folder, all its files
};

struct ScenarioContent {
    ContentSource source = ContentSource::Generated;
    qint64 size = 0;  // Generated: bytes
    QString pathText; // File, Folder: the path as written, relative to the scenario file's folder or absolute
    QString path;     // File, Folder: that path made absolute and clean
    qint64 pieceSize = 0; // 0: automatic; otherwise a power of two from 16 KiB to 16 MiB

    friend bool operator==(const ScenarioContent&, const ScenarioContent&) = default;
};

struct ScenarioTime {
    TimeMode mode = TimeMode::Real;
    std::optional<quint32> seed; // absent: the runner picks one and reports it, so the run can be repeated
    std::optional<double> speed; // simulated time only: 0.1 to 100 times wall time (the GUI's pacing)

    friend bool operator==(const ScenarioTime&, const ScenarioTime&) = default;
};

enum class ArrivalKind {
    AtOnce,   // every peer of the group joins at the group's join time
    Interval, // the first at the join time, then one every intervalMs
    Poisson,  // from the join time, a Poisson process of joinsPerSecond
};

struct ScenarioArrival {
    ArrivalKind kind = ArrivalKind::AtOnce;
    qint64 intervalMs = 0;     // Interval: > 0
    double joinsPerSecond = 0; // Poisson: > 0

    friend bool operator==(const ScenarioArrival&, const ScenarioArrival&) = default;
};

enum class PeerBehaviour {
    Normal,
    FreeRider,      // downloads but never uploads (leechers only)
    Corrupt,        // sends blocks with wrong bytes
    LeavesWhenDone, // leaves gracefully as soon as it has every piece (leechers only)
    LeavesAfter,    // leaves gracefully stayMs after it joined
};

struct ScenarioBehaviour {
    PeerBehaviour kind = PeerBehaviour::Normal;
    qint64 stayMs = 0; // LeavesAfter: > 0

    friend bool operator==(const ScenarioBehaviour&, const ScenarioBehaviour&) = default;
};

struct ScenarioGroup {
    QString name; // the key in [groups.NAME]: letters, digits, '-' and '_'
    TorrentRole role = TorrentRole::Leecher;
    int count = 1; // 1 or more; all groups together hold at most kMaxScenarioPeers
    qint64 joinMs = 0;
    ScenarioArrival arrival;
    PeerConditions link; // latency and jitter in ms, caps in bytes per second (0: unlimited)
    PickerStrategy picker = PickerStrategy::RarestFirst;
    bool choker = true;
    SeedingPolicy seeding = SeedingPolicy::FewestPiecesFirst; // once it has every piece
    int pipelineDepth = 0; // requests outstanding on each connection; 0: automatic
    ScenarioBehaviour behaviour;

    friend bool operator==(const ScenarioGroup&, const ScenarioGroup&) = default;
};

// Whom an action or a condition concerns: "all", "leechers", or "leechers#3" (index 3, from 0, in the group).
struct ScenarioTarget {
    enum class Kind { All, Group, Peer };
    Kind kind = Kind::All;
    QString group; // Group, Peer
    int index = 0; // Peer: 0 to the group's count - 1

    friend bool operator==(const ScenarioTarget&, const ScenarioTarget&) = default;
};

// "all", "leechers", "leechers#3": the form the file uses.
QString scenarioTargetText(const ScenarioTarget& target);

enum class ConditionKind {
    UploadedCopies,    // the subject's peers together have uploaded `value` times the content size
    CompletedFraction, // this fraction (0 to 1) of the subject's leechers has every piece
};

struct ScenarioCondition {
    ConditionKind kind = ConditionKind::CompletedFraction;
    double value = 1;
    // Who is measured. Absent: the action's target (UploadedCopies) or every leecher (CompletedFraction).
    std::optional<ScenarioTarget> subject;

    friend bool operator==(const ScenarioCondition&, const ScenarioCondition&) = default;
};

enum class ActionKind {
    Kill,    // the peer's process dies: connections drop, no "stopped" announce
    Pause,   // connections stay, everyone choked, nothing requested
    Resume,  // undoes Pause
    Restart, // stops the peer if it runs and starts it again from the data it kept (also after kill or leave)
    Leave,   // graceful: announce "stopped", close connections
    SetLink,
    SetPicker,
    SetChoker,
};

// A set-link action changes only the fields it gives: the lab's own link change.
using ScenarioLinkChange = LabCommand::LinkChange;

// Happens once: at a time, or the first time its condition holds. Exactly one of atMs and when is set.
struct ScenarioAction {
    std::optional<qint64> atMs;
    std::optional<ScenarioCondition> when;
    ActionKind kind = ActionKind::Kill;
    ScenarioTarget target;
    ScenarioLinkChange link;                             // SetLink: at least one field
    PickerStrategy picker = PickerStrategy::RarestFirst; // SetPicker
    bool choker = true;                                  // SetChoker

    friend bool operator==(const ScenarioAction&, const ScenarioAction&) = default;
};

struct ScenarioMeasure {
    qint64 sampleIntervalMs = 250; // the timeline's step: 10 ms to 1 h
    bool completion = true;        // each leecher's completion time
    bool availability = true;      // copies of each piece in the swarm over time
    bool rates = true;             // every peer's upload and download rates over time
    bool connectionBytes = false;  // bytes sent and received on every connection

    friend bool operator==(const ScenarioMeasure&, const ScenarioMeasure&) = default;
};

// The run stops at whichever comes first. The parser makes sure that at least one is set.
struct ScenarioStop {
    bool leechersComplete = true;
    std::optional<qint64> timeLimitMs;

    friend bool operator==(const ScenarioStop&, const ScenarioStop&) = default;
};

struct Scenario {
    QString name;
    QString description;
    ScenarioContent content;
    ScenarioTime time;
    QList<ScenarioGroup> groups;   // in file order
    QList<ScenarioAction> actions; // in file order
    ScenarioMeasure measure;
    ScenarioStop stop;

    int peerCount() const;
    // nullptr when there is no such group.
    const ScenarioGroup* group(const QString& name) const;

    friend bool operator==(const Scenario&, const Scenario&) = default;
};

// Stable lower-case names, the ones the file uses.
QString arrivalKindName(ArrivalKind kind);
QString peerBehaviourName(PeerBehaviour behaviour);
QString actionKindName(ActionKind kind);

} // namespace swarmscope
