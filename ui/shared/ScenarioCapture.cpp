#include "shared/ScenarioCapture.h"

#include "shared/LabController.h"

#include "swarm/SwarmLab.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <algorithm>

namespace swarmscope::ui {

namespace {

QString tr(const char* text, const char* disambiguation = nullptr, int n = -1) {
    return QCoreApplication::translate("ScenarioCapture", text, disambiguation, n);
}

QString seconds(qint64 ms) {
    return QString::number(ms / 1000.0, 'f', ms % 1000 == 0 ? 0 : 3) + QStringLiteral(" s");
}

// A peer of the capture: how it started, and where it went.
struct CapturedPeer {
    int id = 0;
    LabPeerStart start;
    qint64 removedAtMs = -1; // the lab removed it; -1: never
    QString group;
    int index = 0;
};

bool sameStart(const LabPeerStart& a, const LabPeerStart& b) {
    return a.role == b.role && a.conditions == b.conditions && a.picker == b.picker && a.choker == b.choker &&
           a.freeRider == b.freeRider && a.corrupt == b.corrupt && a.leaveWhenDone == b.leaveWhenDone &&
           a.stayMs == b.stayMs && a.joinMs == b.joinMs;
}

std::optional<ActionKind> actionKindOf(LabCommand::Kind kind) {
    switch (kind) {
    case LabCommand::Kind::Pause:
        return ActionKind::Pause;
    case LabCommand::Kind::Resume:
        return ActionKind::Resume;
    case LabCommand::Kind::Kill:
        return ActionKind::Kill;
    case LabCommand::Kind::Restart:
        return ActionKind::Restart;
    case LabCommand::Kind::Leave:
        return ActionKind::Leave;
    case LabCommand::Kind::SetLink:
        return ActionKind::SetLink;
    case LabCommand::Kind::SetPicker:
        return ActionKind::SetPicker;
    case LabCommand::Kind::SetChoker:
        return ActionKind::SetChoker;
    case LabCommand::Kind::SetFreeRider: // a behaviour of a group in the file, not an action
    case LabCommand::Kind::SetCorrupt:
        return std::nullopt;
    }
    return std::nullopt;
}

bool isPowerOfTwo(qint64 v) {
    return v > 0 && (v & (v - 1)) == 0;
}

} // namespace

ScenarioCapture captureScenario(const LabController& controller) {
    ScenarioCapture out;
    Scenario& s = out.scenario;
    const SwarmLab* lab = controller.lab();
    const int torrent = controller.activeTorrent();
    bool exact = lab->timeMode() == TimeMode::Simulated;
    // changesRun: the rerun does something else than the lab did, not just says it differently.
    auto note = [&](const QString& text, bool changesRun) {
        out.notes.append(text);
        if (changesRun)
            exact = false;
    };
    const std::optional<Metainfo> metainfo = lab->torrentMetainfo(torrent);
    if (!metainfo) {
        note(tr("No torrent is shown: there is nothing to save."), true);
        out.exact = false;
        return out;
    }
    const qint64 nowMs = lab->nowMs();
    s.name = metainfo->name;
    s.description = tr("Saved from the Swarmscope window at lab time %1: the lab's set-up and the controls "
                       "it was given until then.")
                        .arg(seconds(nowMs));

    // --- content
    const QString sourceDir = controller.torrentSourceDir(torrent);
    s.content.pieceSize = metainfo->pieceLength;
    if (!isPowerOfTwo(metainfo->pieceLength) || metainfo->pieceLength < kMinScenarioPieceSize ||
        metainfo->pieceLength > kMaxScenarioPieceSize) {
        s.content.pieceSize = 0;
        note(tr("The torrent's pieces of %1 bytes are not a power of two from 16 KiB to 16 MiB: the file "
                "picks the piece size itself.")
                 .arg(metainfo->pieceLength),
             true);
    }
    if (controller.isGeneratedContent(torrent) || sourceDir.isEmpty()) {
        s.content.source = ContentSource::Generated;
        s.content.size = metainfo->totalSize;
        if (sourceDir.isEmpty())
            note(tr("The torrent's data is not in the lab (it was opened for leechers only): the file "
                    "generates %1 bytes of data in its place.")
                     .arg(metainfo->totalSize),
                 false);
    } else {
        const QString path = QDir::cleanPath(QDir(sourceDir).absoluteFilePath(metainfo->name));
        s.content.source = QFileInfo(path).isDir() ? ContentSource::Folder : ContentSource::File;
        s.content.path = path;
        s.content.pathText = path;
    }

    // --- time
    s.time.mode = lab->timeMode();
    if (lab->seed() != 0)
        s.time.seed = lab->seed();
    if (lab->timeMode() == TimeMode::Simulated && lab->speed() >= 0.1 && lab->speed() <= 100)
        s.time.speed = lab->speed();
    if (lab->timeMode() == TimeMode::Real)
        note(tr("The lab runs in real time: a rerun is alike, not the same (only simulated time repeats "
                "exactly)."),
             true);

    // --- peers: every one the torrent ever had, removed ones too, so that a rerun numbers them alike
    const LabControlLog& log = lab->controlLog();
    QList<CapturedPeer> peers;
    QList<int> otherIds; // other torrents' peers
    const SwarmSnapshotPtr last = lab->lastSnapshot();
    for (int id = 1; const std::optional<LabPeerInfo> info = lab->peerInfo(id); ++id) {
        if (info->torrent != torrent) {
            otherIds.append(id);
            continue;
        }
        CapturedPeer peer;
        peer.id = id;
        if (const std::optional<LabPeerStart> start = controller.peerStart(id)) {
            peer.start = *start;
            // Where the worker added it: a peer added while the clock ran joins a little after the window
            // asked.
            peer.start.joinMs = info->addedAtMs;
        } else {
            // Not added by the window: only what it does now is known.
            const LabPeerSnapshot* p = last ? last->peer(id) : nullptr;
            peer.start.role = info->role;
            peer.start.joinMs = info->addedAtMs;
            if (p) {
                peer.start.conditions = p->conditions;
                peer.start.picker = p->strategy;
                peer.start.choker = p->chokerEnabled;
                peer.start.freeRider = p->freeRider;
                peer.start.corrupt = p->corrupt;
            }
            note(tr("Peer #%1 was not added by the window: it is written as it is now, not as it joined.")
                     .arg(id),
                 true);
        }
        peers.append(peer);
    }
    // Ids are handed out across torrents: another torrent's peer before one of these shifts the numbering.
    if (!peers.isEmpty() && !otherIds.isEmpty() && otherIds.first() < peers.last().id)
        note(tr("The lab also held other torrents' peers: the rerun numbers this torrent's peers from #1, so "
                "their peer ids and random choices differ."),
             true);
    if (peers.size() > kMaxScenarioPeers) {
        note(tr("The torrent had %1 peers; a scenario holds at most %2, so the last %3 are left out.")
                 .arg(peers.size())
                 .arg(kMaxScenarioPeers)
                 .arg(peers.size() - kMaxScenarioPeers),
             true);
        peers.resize(kMaxScenarioPeers);
    }
    QHash<int, int> peerAt; // id -> index in peers
    for (int i = 0; i < peers.size(); ++i)
        peerAt.insert(peers.at(i).id, i);

    // Free-riding and corrupt data are behaviours of a group in the file, not actions: a switch at the
    // instant a peer joins is part of how it starts; a later one cannot be written.
    for (const LabControlChange& change : log) {
        if (change.timeMs > nowMs || change.kind != LabControlChange::Kind::Command)
            continue;
        const LabCommand::Kind kind = change.command.kind;
        if (kind != LabCommand::Kind::SetFreeRider && kind != LabCommand::Kind::SetCorrupt)
            continue;
        for (CapturedPeer& peer : peers) {
            if (change.peer != SwarmLab::kAllPeers && change.peer != peer.id)
                continue;
            if (peer.start.joinMs > change.timeMs)
                continue; // not there yet: the lab's command did not reach it
            if (peer.start.joinMs == change.timeMs) {
                (kind == LabCommand::Kind::SetFreeRider ? peer.start.freeRider : peer.start.corrupt) =
                    change.command.enabled;
                continue;
            }
            note(tr("%1 %2 at %3: a scenario makes a peer a free-rider or corrupt only from its start, so "
                    "this is not written.")
                     .arg(QStringLiteral("#%1").arg(peer.id), change.label(), seconds(change.timeMs)),
                 true);
        }
    }
    for (const LabControlChange& change : log)
        if (change.kind == LabControlChange::Kind::Remove && peerAt.contains(change.peer) &&
            change.timeMs <= nowMs)
            peers[peerAt.value(change.peer)].removedAtMs = change.timeMs;

    // Groups: runs of consecutive peers that started alike, so that group order is id order.
    QHash<TorrentRole, int> groupsOfRole;
    for (int i = 0; i < peers.size();) {
        int j = i + 1;
        while (j < peers.size() && sameStart(peers.at(j).start, peers.at(i).start))
            ++j;
        const LabPeerStart& start = peers.at(i).start;
        ScenarioGroup group;
        const int n = ++groupsOfRole[start.role];
        const QString base =
            start.role == TorrentRole::Seeder ? QStringLiteral("seeders") : QStringLiteral("leechers");
        group.name = n == 1 ? base : QStringLiteral("%1-%2").arg(base).arg(n);
        group.role = start.role;
        group.count = j - i;
        group.joinMs = start.joinMs;
        group.link = start.conditions;
        group.picker = start.picker;
        group.choker = start.choker;
        QStringList behaviours;
        if (start.freeRider)
            behaviours.append(QStringLiteral("free-rider"));
        if (start.corrupt)
            behaviours.append(QStringLiteral("corrupt"));
        if (start.leaveWhenDone)
            behaviours.append(QStringLiteral("leaves-when-done"));
        if (start.stayMs > 0)
            behaviours.append(QStringLiteral("leaves-after"));
        if (start.freeRider && start.role == TorrentRole::Seeder) {
            note(tr("Group '%1' are seeders made free-riders; a scenario's seeders always upload.")
                     .arg(group.name),
                 true);
            behaviours.removeAll(QStringLiteral("free-rider"));
        }
        if (behaviours.size() > 1)
            note(
                tr("Group '%1' is %2 at once; a scenario gives a group one behaviour, so only %3 is written.")
                    .arg(group.name, behaviours.join(QStringLiteral(" and ")), behaviours.first()),
                true);
        if (!behaviours.isEmpty()) {
            const QString b = behaviours.first();
            if (b == QStringLiteral("free-rider"))
                group.behaviour.kind = PeerBehaviour::FreeRider;
            else if (b == QStringLiteral("corrupt"))
                group.behaviour.kind = PeerBehaviour::Corrupt;
            else if (b == QStringLiteral("leaves-when-done"))
                group.behaviour.kind = PeerBehaviour::LeavesWhenDone;
            else {
                group.behaviour.kind = PeerBehaviour::LeavesAfter;
                group.behaviour.stayMs = start.stayMs;
            }
        }
        for (int k = i; k < j; ++k) {
            peers[k].group = group.name;
            peers[k].index = k - i;
        }
        s.groups.append(group);
        i = j;
    }
    if (s.groups.isEmpty()) {
        note(tr("The torrent has no peers: there is nothing to save."), true);
        out.exact = false;
        return out;
    }
    auto groupOf = [&](const QString& name) {
        return std::find_if(s.groups.cbegin(), s.groups.cend(),
                            [&](const ScenarioGroup& g) { return g.name == name; });
    };
    auto targetOf = [&](const CapturedPeer& peer) {
        ScenarioTarget t;
        t.group = peer.group;
        if (groupOf(peer.group)->count == 1) {
            t.kind = ScenarioTarget::Kind::Group;
        } else {
            t.kind = ScenarioTarget::Kind::Peer;
            t.index = peer.index;
        }
        return t;
    };
    auto present = [](const CapturedPeer& peer, qint64 atMs) {
        return peer.start.joinMs <= atMs && (peer.removedAtMs < 0 || peer.removedAtMs > atMs);
    };
    // An every-peer control reaches the peers there at that moment: "all" when that is every peer, else
    // each whole group, else each peer.
    auto targetsAt = [&](qint64 atMs) {
        QList<ScenarioTarget> targets;
        bool everyone = true;
        for (const ScenarioGroup& group : std::as_const(s.groups)) {
            QList<ScenarioTarget> members;
            bool whole = true;
            for (const CapturedPeer& peer : std::as_const(peers)) {
                if (peer.group != group.name)
                    continue;
                if (present(peer, atMs))
                    members.append(targetOf(peer));
                else
                    whole = false;
            }
            everyone = everyone && whole;
            if (whole)
                targets.append(ScenarioTarget{ScenarioTarget::Kind::Group, group.name, 0});
            else
                targets.append(members);
        }
        if (everyone)
            return QList<ScenarioTarget>{ScenarioTarget{}};
        return targets;
    };

    // --- actions, in the order the lab got them
    int clockControls = 0;
    bool realPauseAll = false;
    for (const LabControlChange& change : log) {
        if (change.timeMs > nowMs)
            continue; // a scenario's own action that has not happened yet
        switch (change.kind) {
        case LabControlChange::Kind::PauseAll:
        case LabControlChange::Kind::ResumeAll:
            realPauseAll = realPauseAll || lab->timeMode() == TimeMode::Real;
            ++clockControls;
            continue;
        case LabControlChange::Kind::Speed:
        case LabControlChange::Kind::Step:
            ++clockControls;
            continue;
        case LabControlChange::Kind::Remove: {
            const auto it = peerAt.constFind(change.peer);
            if (it == peerAt.cend())
                continue;
            ScenarioAction action;
            action.atMs = change.timeMs;
            action.kind = ActionKind::Leave;
            action.target = targetOf(peers.at(*it));
            s.actions.append(action);
            note(tr("#%1 was removed at %2: a scenario cannot remove a peer, so it leaves then instead (a "
                    "leecher's copy stays on disk).")
                     .arg(change.peer)
                     .arg(seconds(change.timeMs)),
                 false);
            continue;
        }
        case LabControlChange::Kind::Command:
            break;
        }
        const std::optional<ActionKind> kind = actionKindOf(change.command.kind);
        if (!kind)
            continue; // folded into the groups above, or noted there
        ScenarioAction action;
        action.atMs = change.timeMs;
        action.kind = *kind;
        action.link = change.command.link;
        action.picker = change.command.picker;
        action.choker = change.command.enabled;
        if (*kind == ActionKind::SetLink && action.link.isEmpty())
            continue;
        QList<ScenarioTarget> targets;
        if (change.peer == SwarmLab::kAllPeers) {
            targets = targetsAt(change.timeMs);
        } else {
            const auto it = peerAt.constFind(change.peer);
            if (it == peerAt.cend())
                continue; // another torrent's peer
            const CapturedPeer& peer = peers.at(*it);
            // A scenario's leaves-after peer leaves on its own: the lab logged that as a command.
            if (*kind == ActionKind::Leave && peer.start.stayMs > 0 &&
                change.timeMs == peer.start.joinMs + peer.start.stayMs)
                continue;
            targets.append(targetOf(peer));
        }
        for (const ScenarioTarget& target : std::as_const(targets)) {
            action.target = target;
            s.actions.append(action);
        }
    }
    if (s.actions.size() > 10'000) {
        note(
            tr("%1 actions; a scenario holds at most 10000, so the rest are left out.").arg(s.actions.size()),
            true);
        s.actions.resize(10'000);
    }
    if (clockControls > 0)
        note(tr("%n clock control(s) (pause, speed, step) are not written: they change how fast you watch, "
                "not what the peers do.",
                nullptr, clockControls),
             false);
    if (realPauseAll)
        note(tr("In real time, Pause paused every peer; that is not written either."), true);

    // --- when it stops: where the lab is now if nothing else ends it
    const bool anyLeecher = std::any_of(s.groups.cbegin(), s.groups.cend(), [](const ScenarioGroup& g) {
        return g.role == TorrentRole::Leecher;
    });
    s.stop.leechersComplete = anyLeecher;
    if (!anyLeecher)
        s.stop.timeLimitMs = qMax<qint64>(1, nowMs);
    out.exact = exact;
    return out;
}

} // namespace swarmscope::ui
