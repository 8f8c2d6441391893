#include "scenario/ScenarioWriter.h"

#include "scenario/TomlTableReader.h"
#include "scenario/Units.h"

#include <QLocale>

#include <sstream>

namespace swarmscope {

namespace {

constexpr qsizetype kCommentColumn = 32;

// toml++ writes the string with every escape TOML needs: in double quotes, as the documentation does, and as
// a multi-line string when it holds newlines.
QString quoted(const QString& text) {
    constexpr toml::format_flags flags = toml::format_flags::allow_multi_line_strings |
                                         toml::format_flags::allow_unicode_strings |
                                         toml::format_flags::allow_real_tabs_in_strings;
    const toml::value<std::string> value(text.toStdString());
    std::ostringstream out;
    out << toml::toml_formatter(value, flags);
    return QString::fromStdString(out.str());
}

QString number(double value) {
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

class TomlText {
public:
    void comment(const QString& text) { m_text += QStringLiteral("# ") + text + u'\n'; }
    void blank() { m_text += u'\n'; }
    void header(const QString& text) { m_text += text + u'\n'; }
    void field(const QString& key, const QString& value, const QString& note = {}) {
        QString line = key + QStringLiteral(" = ") + value;
        if (!note.isEmpty() && !value.contains(u'\n'))
            line = line.leftJustified(kCommentColumn - 1) + QStringLiteral(" # ") + note;
        m_text += line + u'\n';
    }
    QByteArray bytes() const { return m_text.toUtf8(); }

private:
    QString m_text;
};

QString target(const ScenarioTarget& t) {
    return quoted(scenarioTargetText(t));
}

void writeContent(TomlText& out, const ScenarioContent& content) {
    out.header(QStringLiteral("[content]"));
    switch (content.source) {
    case ContentSource::Generated:
        out.field(QStringLiteral("size"), quoted(formatSizeExact(content.size)),
                  QStringLiteral("pseudo-random data"));
        break;
    case ContentSource::File:
    case ContentSource::Folder:
        out.field(content.source == ContentSource::File ? QStringLiteral("file") : QStringLiteral("folder"),
                  quoted(content.pathText.isEmpty() ? content.path : content.pathText),
                  QStringLiteral("relative to this file's folder"));
        break;
    }
    out.field(QStringLiteral("piece-size"),
              content.pieceSize == 0 ? quoted(QStringLiteral("auto"))
                                     : quoted(formatSizeExact(content.pieceSize)),
              QStringLiteral("\"auto\" or a power of two, 16KiB to 16MiB"));
}

void writeTime(TomlText& out, const ScenarioTime& time) {
    out.header(QStringLiteral("[time]"));
    out.field(QStringLiteral("mode"), quoted(timeModeName(time.mode)), QStringLiteral("real | simulated"));
    if (time.seed)
        out.field(QStringLiteral("seed"), QString::number(*time.seed), QStringLiteral("same seed, same run"));
    else
        out.comment(
            QStringLiteral("seed = N                       # none given: the run picks one and reports it"));
    if (time.speed)
        out.field(QStringLiteral("speed"), number(*time.speed),
                  QStringLiteral("times wall time, 0.1 to 100"));
}

void writeGroup(TomlText& out, const ScenarioGroup& g) {
    out.header(QStringLiteral("[groups.") + tomlKeyText(g.name.toStdString()) + u']');
    out.field(QStringLiteral("role"), quoted(torrentRoleName(g.role)), QStringLiteral("seeder | leecher"));
    out.field(QStringLiteral("count"), QString::number(g.count));
    out.field(QStringLiteral("join"), quoted(formatDuration(g.joinMs)),
              QStringLiteral("when the first joins"));
    out.field(QStringLiteral("arrival"), quoted(arrivalKindName(g.arrival.kind)),
              QStringLiteral("at-once | interval | poisson"));
    if (g.arrival.kind == ArrivalKind::Interval)
        out.field(QStringLiteral("interval"), quoted(formatDuration(g.arrival.intervalMs)),
                  QStringLiteral("between two joins"));
    if (g.arrival.kind == ArrivalKind::Poisson)
        out.field(QStringLiteral("joins-per-second"), number(g.arrival.joinsPerSecond),
                  QStringLiteral("mean rate of arrivals"));
    out.field(QStringLiteral("latency"), quoted(formatDuration(g.link.latencyMs)), QStringLiteral("one way"));
    out.field(QStringLiteral("jitter"), quoted(formatDuration(g.link.jitterMs)));
    out.field(QStringLiteral("up"), quoted(formatRateExact(g.link.uploadRate)),
              QStringLiteral("0: unlimited"));
    out.field(QStringLiteral("down"), quoted(formatRateExact(g.link.downloadRate)),
              QStringLiteral("0: unlimited"));
    out.field(QStringLiteral("picker"), quoted(pickerStrategyName(g.picker)),
              QStringLiteral("rarest-first | random | sequential"));
    out.field(QStringLiteral("choker"), g.choker ? QStringLiteral("true") : QStringLiteral("false"));
    out.field(QStringLiteral("seeding"), quoted(seedingPolicyName(g.seeding)),
              QStringLiteral("fewest-pieces | fastest-upload: whom it uploads to once it seeds"));
    if (g.pipelineDepth > 0)
        out.field(QStringLiteral("pipeline"), QString::number(g.pipelineDepth),
                  QStringLiteral("requests outstanding on each connection"));
    out.field(QStringLiteral("behaviour"), quoted(peerBehaviourName(g.behaviour.kind)),
              QStringLiteral("normal | free-rider | corrupt | leaves-when-done | leaves-after"));
    if (g.behaviour.kind == PeerBehaviour::LeavesAfter)
        out.field(QStringLiteral("stay"), quoted(formatDuration(g.behaviour.stayMs)),
                  QStringLiteral("from its join to its leaving"));
}

QString condition(const ScenarioCondition& c) {
    QString text;
    if (c.kind == ConditionKind::UploadedCopies) {
        text = QStringLiteral("uploaded = ") + number(c.value);
        if (c.subject)
            text += QStringLiteral(", by = ") + target(*c.subject);
    } else {
        text = QStringLiteral("completed = ") + number(c.value);
        if (c.subject)
            text += QStringLiteral(", of = ") + target(*c.subject);
    }
    return QStringLiteral("{ ") + text + QStringLiteral(" }");
}

void writeAction(TomlText& out, const ScenarioAction& a) {
    out.header(QStringLiteral("[[actions]]"));
    if (a.atMs)
        out.field(QStringLiteral("at"), quoted(formatDuration(*a.atMs)));
    if (a.when)
        out.field(QStringLiteral("when"), condition(*a.when),
                  a.when->kind == ConditionKind::UploadedCopies ? QStringLiteral("copies of the content")
                                                                : QStringLiteral("fraction of the leechers"));
    out.field(QStringLiteral("do"), quoted(actionKindName(a.kind)));
    out.field(QStringLiteral("target"), target(a.target));
    switch (a.kind) {
    case ActionKind::SetLink:
        if (a.link.latencyMs)
            out.field(QStringLiteral("latency"), quoted(formatDuration(*a.link.latencyMs)));
        if (a.link.jitterMs)
            out.field(QStringLiteral("jitter"), quoted(formatDuration(*a.link.jitterMs)));
        if (a.link.uploadRate)
            out.field(QStringLiteral("up"), quoted(formatRateExact(*a.link.uploadRate)));
        if (a.link.downloadRate)
            out.field(QStringLiteral("down"), quoted(formatRateExact(*a.link.downloadRate)));
        break;
    case ActionKind::SetPicker:
        out.field(QStringLiteral("picker"), quoted(pickerStrategyName(a.picker)));
        break;
    case ActionKind::SetChoker:
        out.field(QStringLiteral("choker"), a.choker ? QStringLiteral("true") : QStringLiteral("false"));
        break;
    default:
        break;
    }
}

void writeMeasure(TomlText& out, const ScenarioMeasure& m) {
    out.header(QStringLiteral("[measure]"));
    out.field(QStringLiteral("sample-interval"), quoted(formatDuration(m.sampleIntervalMs)),
              QStringLiteral("the timeline's step"));
    QStringList outputs;
    const std::pair<bool, const char*> flags[] = {{m.completion, "completion"},
                                                  {m.availability, "availability"},
                                                  {m.rates, "rates"},
                                                  {m.connectionBytes, "connection-bytes"}};
    for (const auto& [on, name] : flags)
        if (on)
            outputs << quoted(QLatin1String(name));
    out.field(QStringLiteral("outputs"), u'[' + outputs.join(QStringLiteral(", ")) + u']');
}

void writeStop(TomlText& out, const ScenarioStop& s) {
    out.header(QStringLiteral("[stop]"));
    out.field(QStringLiteral("leechers-complete"),
              s.leechersComplete ? QStringLiteral("true") : QStringLiteral("false"),
              QStringLiteral("when every leecher has every piece"));
    if (s.timeLimitMs)
        out.field(QStringLiteral("time-limit"), quoted(formatDuration(*s.timeLimitMs)),
                  QStringLiteral("or at the latest then"));
}

} // namespace

QByteArray writeScenario(const Scenario& scenario) {
    TomlText out;
    out.comment(
        QStringLiteral("A Swarmscope scenario: docs/SCENARIOS.md describes every key. Times count from the "
                       "start of"));
    out.comment(
        QStringLiteral("the run; sizes are bytes (\"256KiB\"), rates bytes per second (\"1MiB/s\")."));
    out.field(QStringLiteral("format"), QStringLiteral("1"));
    out.field(QStringLiteral("name"), quoted(scenario.name));
    out.field(QStringLiteral("description"), quoted(scenario.description));
    out.blank();
    writeContent(out, scenario.content);
    out.blank();
    writeTime(out, scenario.time);
    out.blank();
    out.comment(QStringLiteral("Peer groups, in order; a group's peers are NAME#0, NAME#1, ... in actions."));
    for (const ScenarioGroup& g : scenario.groups) {
        writeGroup(out, g);
        out.blank();
    }
    if (!scenario.actions.isEmpty())
        out.comment(
            QStringLiteral("Actions, in order; each happens once, at a time or when its condition first "
                           "holds."));
    for (const ScenarioAction& a : scenario.actions) {
        writeAction(out, a);
        out.blank();
    }
    writeMeasure(out, scenario.measure);
    out.blank();
    writeStop(out, scenario.stop);
    return out.bytes();
}

} // namespace swarmscope
