#include "scenario/Scenario.h"

namespace swarmscope {

QString scenarioTargetText(const ScenarioTarget& target) {
    switch (target.kind) {
    case ScenarioTarget::Kind::All:
        return QStringLiteral("all");
    case ScenarioTarget::Kind::Group:
        return target.group;
    case ScenarioTarget::Kind::Peer:
        return target.group + u'#' + QString::number(target.index);
    }
    return {};
}

int Scenario::peerCount() const {
    int peers = 0;
    for (const ScenarioGroup& g : groups)
        peers += g.count;
    return peers;
}

const ScenarioGroup* Scenario::group(const QString& name) const {
    for (const ScenarioGroup& g : groups)
        if (g.name == name)
            return &g;
    return nullptr;
}

QString arrivalKindName(ArrivalKind kind) {
    switch (kind) {
    case ArrivalKind::AtOnce:
        return QStringLiteral("at-once");
    case ArrivalKind::Interval:
        return QStringLiteral("interval");
    case ArrivalKind::Poisson:
        return QStringLiteral("poisson");
    }
    return {};
}

QString peerBehaviourName(PeerBehaviour behaviour) {
    switch (behaviour) {
    case PeerBehaviour::Normal:
        return QStringLiteral("normal");
    case PeerBehaviour::FreeRider:
        return QStringLiteral("free-rider");
    case PeerBehaviour::Corrupt:
        return QStringLiteral("corrupt");
    case PeerBehaviour::LeavesWhenDone:
        return QStringLiteral("leaves-when-done");
    case PeerBehaviour::LeavesAfter:
        return QStringLiteral("leaves-after");
    }
    return {};
}

QString actionKindName(ActionKind kind) {
    switch (kind) {
    case ActionKind::Kill:
        return QStringLiteral("kill");
    case ActionKind::Pause:
        return QStringLiteral("pause");
    case ActionKind::Resume:
        return QStringLiteral("resume");
    case ActionKind::Restart:
        return QStringLiteral("restart");
    case ActionKind::Leave:
        return QStringLiteral("leave");
    case ActionKind::SetLink:
        return QStringLiteral("set-link");
    case ActionKind::SetPicker:
        return QStringLiteral("set-picker");
    case ActionKind::SetChoker:
        return QStringLiteral("set-choker");
    }
    return {};
}

} // namespace swarmscope
