#include "swarm/LabControlChange.h"

namespace swarmscope {

namespace {

QString rate(qint64 bytesPerSecond) {
    if (bytesPerSecond <= 0)
        return QStringLiteral("unlimited");
    if (bytesPerSecond >= 1024 * 1024 && bytesPerSecond % (1024 * 1024) == 0)
        return QStringLiteral("%1 MiB/s").arg(bytesPerSecond / (1024 * 1024));
    if (bytesPerSecond >= 1024 && bytesPerSecond % 1024 == 0)
        return QStringLiteral("%1 KiB/s").arg(bytesPerSecond / 1024);
    return QStringLiteral("%1 B/s").arg(bytesPerSecond);
}

QString linkLabel(const LabCommand::LinkChange& link) {
    QStringList parts;
    if (link.latencyMs)
        parts << QStringLiteral("latency %1 ms").arg(*link.latencyMs);
    if (link.jitterMs && *link.jitterMs > 0)
        parts << QStringLiteral("jitter %1 ms").arg(*link.jitterMs);
    if (link.uploadRate)
        parts << QStringLiteral("up %1").arg(rate(*link.uploadRate));
    if (link.downloadRate)
        parts << QStringLiteral("down %1").arg(rate(*link.downloadRate));
    return parts.isEmpty() ? QStringLiteral("link unchanged") : parts.join(QStringLiteral(", "));
}

QString onOff(bool on) {
    return on ? QStringLiteral("on") : QStringLiteral("off");
}

} // namespace

QString LabControlChange::label() const {
    switch (kind) {
    case Kind::PauseAll:
        return QStringLiteral("pause all");
    case Kind::ResumeAll:
        return QStringLiteral("run");
    case Kind::Speed:
        return speed > 0 ? QStringLiteral("speed %1\u00d7").arg(speed) : QStringLiteral("speed: fastest");
    case Kind::Step:
        return QStringLiteral("step %1 ms").arg(stepMs);
    case Kind::Remove:
        return QStringLiteral("remove");
    case Kind::Command:
        break;
    }
    switch (command.kind) {
    case LabCommand::Kind::Pause:
        return QStringLiteral("pause");
    case LabCommand::Kind::Resume:
        return QStringLiteral("resume");
    case LabCommand::Kind::Kill:
        return QStringLiteral("kill");
    case LabCommand::Kind::Restart:
        return QStringLiteral("restart");
    case LabCommand::Kind::Leave:
        return QStringLiteral("leave");
    case LabCommand::Kind::SetLink:
        return linkLabel(command.link);
    case LabCommand::Kind::SetPicker:
        return QStringLiteral("picker %1").arg(pickerStrategyName(command.picker));
    case LabCommand::Kind::SetChoker:
        return QStringLiteral("choker %1").arg(onOff(command.enabled));
    case LabCommand::Kind::SetFreeRider:
        return QStringLiteral("free-rider %1").arg(onOff(command.enabled));
    case LabCommand::Kind::SetCorrupt:
        return QStringLiteral("corrupt %1").arg(onOff(command.enabled));
    }
    return {};
}

QString LabControlChange::target() const {
    return peer == 0 ? QStringLiteral("every peer") : QStringLiteral("#%1").arg(peer);
}

} // namespace swarmscope
