#include "scenario/ScenarioActionParser.h"

#include "scenario/Units.h"

#include <QLocale>
#include <QRegularExpression>

#include <algorithm>

namespace swarmscope {

namespace {

const QStringList kActionNames = {QStringLiteral("kill"),       QStringLiteral("pause"),
                                  QStringLiteral("resume"),     QStringLiteral("restart"),
                                  QStringLiteral("leave"),      QStringLiteral("set-link"),
                                  QStringLiteral("set-picker"), QStringLiteral("set-choker")};

QString keyName(std::string_view key) {
    return QString::fromUtf8(key.data(), qsizetype(key.size()));
}

QString formatNumber(double value) {
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace

std::optional<qint64> readLatency(const TomlTableReader& r, std::string_view key) {
    const std::optional<qint64> ms = r.duration(key);
    if (ms && *ms > kMaxLatencyMs)
        r.fail(key, QStringLiteral("%1 must be from 0 to %2, not %3")
                        .arg(QString::fromUtf8(key.data(), qsizetype(key.size())),
                             formatDuration(kMaxLatencyMs), formatDuration(*ms)));
    return ms;
}

std::optional<qint64> readCap(const TomlTableReader& r, std::string_view key) {
    const std::optional<qint64> rate = r.rate(key);
    if (rate && *rate != 0 && (*rate < kMinCapRate || *rate > kMaxCapRate))
        r.fail(key,
               QStringLiteral("%1 must be 0 (unlimited) or from %2 to %3, not %4")
                   .arg(QString::fromUtf8(key.data(), qsizetype(key.size())), formatRateExact(kMinCapRate),
                        formatRateExact(kMaxCapRate), formatRateExact(*rate)));
    return rate;
}

std::optional<PickerStrategy> readPicker(const TomlTableReader& r, std::string_view key) {
    static const QStringList names = {pickerStrategyName(PickerStrategy::RarestFirst),
                                      pickerStrategyName(PickerStrategy::Random),
                                      pickerStrategyName(PickerStrategy::Sequential)};
    const std::optional<int> index = r.choice(key, names);
    if (!index)
        return std::nullopt;
    return pickerStrategyFromName(names.at(*index));
}

const ScenarioGroup* ScenarioActionParser::group(const QString& name) const {
    for (const ScenarioGroup& g : m_groups)
        if (g.name == name)
            return &g;
    return nullptr;
}

ScenarioAction ScenarioActionParser::read(const TomlTableReader& r) const {
    r.require("do");
    ScenarioAction action;
    action.kind = ActionKind(*r.choice("do", kActionNames));

    std::vector<std::string_view> allowed = {"at", "when", "do", "target"};
    switch (action.kind) {
    case ActionKind::SetLink:
        allowed.insert(allowed.end(), {"latency", "jitter", "up", "down"});
        break;
    case ActionKind::SetPicker:
        allowed.push_back("picker");
        break;
    case ActionKind::SetChoker:
        allowed.push_back("choker");
        break;
    default:
        break;
    }
    const QString kindName = actionKindName(action.kind);
    r.checkKeys(allowed, [&kindName](std::string_view key) {
        static const std::vector<std::string_view> settings = {"latency", "jitter", "up",
                                                               "down",    "picker", "choker"};
        if (std::find(settings.begin(), settings.end(), key) == settings.end())
            return QString();
        return QStringLiteral("%1 does not apply to do = \"%2\"").arg(keyName(key), kindName);
    });

    if (r.has("at") && r.has("when"))
        r.fail(r.lineOf("at") <= r.lineOf("when") ? "when" : "at",
               QStringLiteral("an action happens at a time or when a condition holds, not both"));
    if (!r.has("at") && !r.has("when"))
        r.failHere(QStringLiteral("an action needs at (a time such as \"30s\") or when (a condition)"));
    action.atMs = r.duration("at");
    if (const std::optional<TomlTableReader> when = r.subtable("when"))
        action.when = readCondition(*when);

    r.require("target");
    action.target = readTarget(r, "target");

    switch (action.kind) {
    case ActionKind::SetLink:
        action.link.latencyMs = readLatency(r, "latency");
        action.link.jitterMs = readLatency(r, "jitter");
        action.link.uploadRate = readCap(r, "up");
        action.link.downloadRate = readCap(r, "down");
        if (action.link.isEmpty())
            r.failHere(QStringLiteral("set-link needs at least one of latency, jitter, up or down"));
        break;
    case ActionKind::SetPicker:
        r.require("picker");
        action.picker = *readPicker(r, "picker");
        break;
    case ActionKind::SetChoker:
        r.require("choker");
        action.choker = *r.boolean("choker");
        break;
    default:
        break;
    }
    return action;
}

ScenarioTarget ScenarioActionParser::readTarget(const TomlTableReader& r, std::string_view key) const {
    const QString text = *r.string(key);
    ScenarioTarget target;
    if (text == u"all")
        return target;
    static const QRegularExpression pattern(QStringLiteral("^([A-Za-z0-9_-]+)(?:#([0-9]+))?$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        r.fail(key, QStringLiteral("'%1' is not a target: write all, a group's name, or a group's name and a "
                                   "peer's index such as leechers#0")
                        .arg(text));
    target.group = match.captured(1);
    const ScenarioGroup* g = group(target.group);
    if (!g) {
        QStringList names;
        for (const ScenarioGroup& each : m_groups)
            names << each.name;
        const QString nearest = nearestName(target.group, names);
        r.fail(key,
               nearest.isEmpty()
                   ? QStringLiteral("no group named '%1'; the groups are %2")
                         .arg(target.group, alternatives(names, QStringLiteral("and")))
                   : QStringLiteral("no group named '%1'; did you mean '%2'?").arg(target.group, nearest));
    }
    if (!match.hasCaptured(2)) {
        target.kind = ScenarioTarget::Kind::Group;
        return target;
    }
    bool ok = false;
    const int index = match.captured(2).toInt(&ok);
    if (!ok || index >= g->count)
        r.fail(
            key,
            g->count == 1
                ? QStringLiteral("group '%1' has 1 peer, #0; there is no #%2").arg(g->name, match.captured(2))
                : QStringLiteral("group '%1' has %2 peers, #0 to #%3; there is no #%4")
                      .arg(g->name, QString::number(g->count), QString::number(g->count - 1),
                           match.captured(2)));
    target.kind = ScenarioTarget::Kind::Peer;
    target.index = index;
    return target;
}

ScenarioCondition ScenarioActionParser::readCondition(const TomlTableReader& r) const {
    r.checkKeys({"uploaded", "by", "completed", "of"});
    const bool uploaded = r.has("uploaded");
    const bool completed = r.has("completed");
    if (uploaded && completed)
        r.fail(r.lineOf("uploaded") <= r.lineOf("completed") ? "completed" : "uploaded",
               QStringLiteral("a condition is uploaded or completed, not both"));
    if (!uploaded && !completed)
        r.failHere(
            QStringLiteral("a condition needs uploaded (copies of the content) or completed (a fraction "
                           "of the leechers)"));
    ScenarioCondition condition;
    if (uploaded) {
        if (r.has("of"))
            r.fail("of", QStringLiteral("of goes with completed; uploaded takes by"));
        condition.kind = ConditionKind::UploadedCopies;
        condition.value = *r.number("uploaded");
        if (!(condition.value > 0 && condition.value <= kMaxUploadedCopies))
            r.fail("uploaded",
                   QStringLiteral("uploaded must be a number of copies above 0 and at most %1, not %2")
                       .arg(kMaxUploadedCopies)
                       .arg(formatNumber(condition.value)));
        if (r.has("by"))
            condition.subject = readTarget(r, "by");
        return condition;
    }
    if (r.has("by"))
        r.fail("by", QStringLiteral("by goes with uploaded; completed takes of"));
    condition.kind = ConditionKind::CompletedFraction;
    condition.value = *r.fraction("completed");
    if (condition.value <= 0)
        r.fail("completed",
               QStringLiteral("completed must be above 0: no leecher has completed when a run starts"));
    if (r.has("of")) {
        condition.subject = readTarget(r, "of");
        if (condition.subject->kind != ScenarioTarget::Kind::All &&
            group(condition.subject->group)->role == TorrentRole::Seeder)
            r.fail("of", QStringLiteral("'%1' is a group of seeders; completed counts leechers")
                             .arg(condition.subject->group));
    }
    const bool anyLeecher = std::any_of(m_groups.cbegin(), m_groups.cend(), [](const ScenarioGroup& g) {
        return g.role == TorrentRole::Leecher;
    });
    if (!anyLeecher)
        r.fail("completed", QStringLiteral("there are no leechers to complete"));
    return condition;
}

} // namespace swarmscope
