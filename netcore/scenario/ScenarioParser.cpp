#include "scenario/ScenarioParser.h"

#include "scenario/ScenarioActionParser.h"
#include "scenario/TomlTableReader.h"
#include "scenario/Units.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <limits>
#include <string>

namespace swarmscope {

namespace {

const QStringList kRoles = {QStringLiteral("seeder"), QStringLiteral("leecher")};
const QStringList kModes = {QStringLiteral("real"), QStringLiteral("simulated")};
const QStringList kArrivals = {QStringLiteral("at-once"), QStringLiteral("interval"),
                               QStringLiteral("poisson")};
const QStringList kBehaviours = {QStringLiteral("normal"), QStringLiteral("free-rider"),
                                 QStringLiteral("corrupt"), QStringLiteral("leaves-when-done"),
                                 QStringLiteral("leaves-after")};
// In SeedingPolicy's order.
const QStringList kSeedingPolicies = {seedingPolicyName(SeedingPolicy::FewestPiecesFirst),
                                      seedingPolicyName(SeedingPolicy::FastestUpload)};
const QStringList kOutputs = {QStringLiteral("completion"), QStringLiteral("availability"),
                              QStringLiteral("rates"), QStringLiteral("connection-bytes")};

constexpr int kFormatVersion = 1;
constexpr double kMaxJoinsPerSecond = 1000;

QString where(const QString& fileName, int line, const QString& keyPath) {
    QString text = fileName;
    if (line > 0)
        text += u':' + QString::number(line);
    if (!keyPath.isEmpty())
        text += QStringLiteral(": ") + keyPath;
    return text;
}

ScenarioParseResult failure(const QString& fileName, const ScenarioProblem& problem) {
    ScenarioParseResult result;
    result.what = problem.what;
    result.line = problem.line;
    result.keyPath = problem.keyPath;
    result.where = where(fileName, problem.line, problem.keyPath);
    return result;
}

class ScenarioBuilder {
public:
    ScenarioBuilder(const toml::table& root, const QString& baseDir, const ScenarioLimits& limits)
        : m_root(root, QString(), 0), m_baseDir(baseDir), m_limits(limits) {}

    Scenario build() {
        m_root.checkKeys(
            {"format", "name", "description", "content", "time", "groups", "actions", "measure", "stop"});
        if (const std::optional<qint64> format = m_root.integer("format");
            format && *format != kFormatVersion)
            m_root.fail("format", QStringLiteral("this Swarmscope reads scenario format %1, not %2")
                                      .arg(kFormatVersion)
                                      .arg(*format));
        m_scenario.name = m_root.string("name").value_or(QString());
        m_scenario.description = m_root.string("description").value_or(QString());
        readContent();
        readTime();
        readGroups();
        readActions();
        readMeasure();
        readStop();
        return m_scenario;
    }

private:
    void readContent() {
        const std::optional<TomlTableReader> content = m_root.subtable("content");
        if (!content)
            failAt(0, QStringLiteral("content"),
                   QStringLiteral("the scenario has no [content]: give its size, file or folder"));
        const TomlTableReader& c = *content;
        c.checkKeys({"size", "file", "folder", "piece-size"});
        std::string_view given;
        for (const auto& [key, value] : c.entriesInFileOrder()) {
            const std::string_view name = key->str();
            if (name != "size" && name != "file" && name != "folder")
                continue;
            if (!given.empty())
                c.fail(name, QStringLiteral("content is one of size, file or folder, not both %1 and %2")
                                 .arg(QString::fromUtf8(given.data(), qsizetype(given.size())),
                                      QString::fromUtf8(name.data(), qsizetype(name.size()))));
            given = name;
        }
        if (given.empty())
            c.failHere(QStringLiteral("content needs one of size, file or folder"));

        ScenarioContent& out = m_scenario.content;
        if (const std::optional<qint64> size = c.size("size")) {
            if (*size < 1 || *size > kMaxGeneratedContentBytes)
                c.fail("size", QStringLiteral("size must be from 1 byte to %1, not %2")
                                   .arg(formatSizeExact(kMaxGeneratedContentBytes), formatSizeExact(*size)));
            out.source = ContentSource::Generated;
            out.size = *size;
        } else {
            const bool folder = given == "folder";
            out.source = folder ? ContentSource::Folder : ContentSource::File;
            out.pathText = *c.string(given);
            out.path = resolvePath(c, given, out.pathText, folder);
        }

        if (c.has("piece-size")) {
            const std::optional<QString> text =
                c.table().get("piece-size")->is_string() ? c.string("piece-size") : std::nullopt;
            const qint64 pieceSize = text && *text == u"auto" ? 0 : *c.size("piece-size");
            const bool powerOfTwo = (pieceSize & (pieceSize - 1)) == 0;
            if (pieceSize != 0 &&
                (!powerOfTwo || pieceSize < kMinScenarioPieceSize || pieceSize > kMaxScenarioPieceSize))
                c.fail("piece-size",
                       QStringLiteral(
                           "piece-size must be \"auto\" or a power of two from 16KiB to 16MiB, not %1")
                           .arg(formatSizeExact(pieceSize)));
            out.pieceSize = pieceSize;
        }
    }

    QString resolvePath(const TomlTableReader& c, std::string_view key, const QString& text,
                        bool folder) const {
        if (text.isEmpty())
            c.fail(key, QStringLiteral("the path is empty"));
        const QString path = QDir::cleanPath(QDir(m_baseDir).absoluteFilePath(text));
        const QFileInfo info(path);
        if (!info.exists())
            c.fail(key,
                   (folder ? QStringLiteral("no folder at %1") : QStringLiteral("no file at %1")).arg(path));
        if (folder && !info.isDir())
            c.fail(key, QStringLiteral("%1 is not a folder; a single file is content.file").arg(path));
        if (!folder && info.isDir())
            c.fail(key, QStringLiteral("%1 is a folder; a folder is content.folder").arg(path));
        if (!info.isReadable())
            c.fail(key, QStringLiteral("cannot read %1").arg(path));
        if (!folder && info.size() == 0)
            c.fail(key, QStringLiteral("%1 is empty: a torrent needs at least one byte").arg(path));
        return path;
    }

    void readTime() {
        const std::optional<TomlTableReader> time = m_root.subtable("time");
        if (!time)
            return;
        const TomlTableReader& t = *time;
        t.checkKeys({"mode", "seed", "speed"});
        ScenarioTime& out = m_scenario.time;
        if (const std::optional<int> mode = t.choice("mode", kModes))
            out.mode = *mode == 1 ? TimeMode::Simulated : TimeMode::Real;
        if (const std::optional<qint64> seed = t.integer("seed")) {
            if (*seed < 0 || *seed > qint64(std::numeric_limits<quint32>::max()))
                t.fail("seed",
                       QStringLiteral("seed must be an integer from 0 to 4294967295, not %1").arg(*seed));
            out.seed = quint32(*seed);
        }
        if (const std::optional<double> speed = t.number("speed")) {
            if (!(*speed >= 0.1 && *speed <= 100))
                t.fail("speed", QStringLiteral("speed must be from 0.1 to 100, not %1")
                                    .arg(QString::number(*speed, 'g', QLocale::FloatingPointShortest)));
            if (out.mode != TimeMode::Simulated)
                t.fail("speed", QStringLiteral("speed paces simulated time: set mode = \"simulated\" or "
                                               "leave speed out"));
            out.speed = *speed;
        }
    }

    void readGroups() {
        const std::optional<TomlTableReader> groups = m_root.subtable("groups");
        if (!groups || groups->table().empty())
            failAt(groups ? groups->line() : 0, QStringLiteral("groups"),
                   QStringLiteral("the scenario has no peers: add a group such as [groups.leechers]"));
        static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
        QHash<QString, QString> lowerCaseNames;
        int peers = 0;
        for (const auto& [key, value] : groups->entriesInFileOrder()) {
            const std::string_view keyName = key->str();
            const QString name = QString::fromUtf8(keyName.data(), qsizetype(keyName.size()));
            if (!namePattern.match(name).hasMatch())
                groups->fail(keyName, QStringLiteral("a group's name is 1 to 64 letters, digits, '-' or '_', "
                                                     "not '%1'")
                                          .arg(name));
            if (name.compare(u"all", Qt::CaseInsensitive) == 0)
                groups->fail(keyName, QStringLiteral("'all' names every peer in actions; call the group "
                                                     "something else"));
            const QString lower = name.toLower();
            if (lowerCaseNames.contains(lower))
                groups->fail(keyName, QStringLiteral("group '%1' differs from group '%2' only in case")
                                          .arg(name, lowerCaseNames.value(lower)));
            lowerCaseNames.insert(lower, name);
            const std::optional<TomlTableReader> group = groups->subtable(keyName);
            ScenarioGroup g = readGroup(*group, name);
            peers += g.count;
            if (peers > m_limits.maxPeers)
                group->fail("count", QStringLiteral("the groups hold %1 peers, more than the limit of %2")
                                         .arg(totalPeers(*groups))
                                         .arg(m_limits.maxPeers));
            m_scenario.groups.append(g);
        }
    }

    static qint64 totalPeers(const TomlTableReader& groups) {
        qint64 total = 0;
        for (const auto& [key, value] : groups.table())
            if (const toml::table* t = value.as_table())
                if (const auto* count = t->get_as<int64_t>("count"))
                    total += count->get();
        return total;
    }

    // "auto" (the default) or a number of 16 KiB requests, 1 to kMaxScenarioPipelineDepth.
    static int readPipeline(const TomlTableReader& r, std::string_view key) {
        if (!r.has(key))
            return 0;
        if (r.table().get(key)->is_string()) {
            const QString text = *r.string(key);
            if (text != QLatin1String("auto"))
                r.fail(
                    key,
                    QStringLiteral("pipeline must be \"auto\" or a number of requests, not '%1'").arg(text));
            return 0;
        }
        const std::optional<qint64> depth = r.integer(key);
        if (!depth)
            return 0;
        if (*depth < 1 || *depth > kMaxScenarioPipelineDepth)
            r.fail(key, QStringLiteral("pipeline must be from 1 to %1 requests, not %2")
                            .arg(kMaxScenarioPipelineDepth)
                            .arg(*depth));
        return int(*depth);
    }

    ScenarioGroup readGroup(const TomlTableReader& r, const QString& name) const {
        r.checkKeys({"role", "count", "join", "arrival", "interval", "joins-per-second", "latency", "jitter",
                     "up", "down", "picker", "choker", "seeding", "pipeline", "behaviour", "stay"});
        ScenarioGroup g;
        g.name = name;
        r.require("role");
        g.role = *r.choice("role", kRoles) == 0 ? TorrentRole::Seeder : TorrentRole::Leecher;
        r.require("count");
        const qint64 count = *r.integer("count");
        if (count < 1 || count > m_limits.maxPeers)
            r.fail("count",
                   QStringLiteral("count must be from 1 to %1, not %2").arg(m_limits.maxPeers).arg(count));
        g.count = int(count);
        g.joinMs = r.duration("join").value_or(0);

        g.arrival.kind = ArrivalKind(r.choice("arrival", kArrivals).value_or(0));
        if (const std::optional<qint64> interval = r.duration("interval")) {
            if (g.arrival.kind != ArrivalKind::Interval)
                r.fail("interval", QStringLiteral("interval applies only with arrival = \"interval\""));
            if (*interval <= 0)
                r.fail("interval", QStringLiteral("interval must be longer than 0s"));
            g.arrival.intervalMs = *interval;
        } else if (g.arrival.kind == ArrivalKind::Interval) {
            r.require("interval");
        }
        if (const std::optional<double> rate = r.number("joins-per-second")) {
            if (g.arrival.kind != ArrivalKind::Poisson)
                r.fail("joins-per-second",
                       QStringLiteral("joins-per-second applies only with arrival = \"poisson\""));
            if (!(*rate > 0 && *rate <= kMaxJoinsPerSecond))
                r.fail("joins-per-second",
                       QStringLiteral("joins-per-second must be above 0 and at most %1, not %2")
                           .arg(kMaxJoinsPerSecond)
                           .arg(QString::number(*rate, 'g', QLocale::FloatingPointShortest)));
            g.arrival.joinsPerSecond = *rate;
        } else if (g.arrival.kind == ArrivalKind::Poisson) {
            r.require("joins-per-second");
        }

        g.link.latencyMs = readLatency(r, "latency").value_or(0);
        g.link.jitterMs = readLatency(r, "jitter").value_or(0);
        g.link.uploadRate = readCap(r, "up").value_or(0);
        g.link.downloadRate = readCap(r, "down").value_or(0);
        g.picker = readPicker(r, "picker").value_or(PickerStrategy::RarestFirst);
        g.choker = r.boolean("choker").value_or(true);
        g.seeding = SeedingPolicy(r.choice("seeding", kSeedingPolicies).value_or(0));
        g.pipelineDepth = readPipeline(r, "pipeline");

        g.behaviour.kind = PeerBehaviour(r.choice("behaviour", kBehaviours).value_or(0));
        if (g.role == TorrentRole::Seeder && g.behaviour.kind == PeerBehaviour::FreeRider)
            r.fail("behaviour",
                   QStringLiteral("a seeder cannot be a free-rider: it has nothing to download"));
        if (g.role == TorrentRole::Seeder && g.behaviour.kind == PeerBehaviour::LeavesWhenDone)
            r.fail("behaviour", QStringLiteral("a seeder is done from the start; leaves-after or an action "
                                               "makes it leave"));
        if (const std::optional<qint64> stay = r.duration("stay")) {
            if (g.behaviour.kind != PeerBehaviour::LeavesAfter)
                r.fail("stay", QStringLiteral("stay applies only with behaviour = \"leaves-after\""));
            if (*stay <= 0)
                r.fail("stay", QStringLiteral("stay must be longer than 0s"));
            g.behaviour.stayMs = *stay;
        } else if (g.behaviour.kind == PeerBehaviour::LeavesAfter) {
            r.require("stay");
        }
        return g;
    }

    void readActions() {
        const toml::array* actions = m_root.array("actions");
        if (!actions)
            return;
        if (qsizetype(actions->size()) > m_limits.maxActions)
            m_root.fail("actions", QStringLiteral("%1 actions, more than the limit of %2")
                                       .arg(actions->size())
                                       .arg(m_limits.maxActions));
        const ScenarioActionParser parser(m_scenario.groups);
        for (size_t i = 0; i < actions->size(); ++i) {
            const toml::node& node = (*actions)[i];
            const QString path = QStringLiteral("actions[%1]").arg(i);
            const toml::table* table = node.as_table();
            if (!table)
                failAt(int(node.source().begin.line), path,
                       QStringLiteral("expected a table, found %1").arg(tomlTypeName(node)));
            m_scenario.actions.append(
                parser.read(TomlTableReader(*table, path, int(node.source().begin.line))));
        }
    }

    void readMeasure() {
        const std::optional<TomlTableReader> measure = m_root.subtable("measure");
        if (!measure)
            return;
        const TomlTableReader& m = *measure;
        m.checkKeys({"sample-interval", "outputs"});
        ScenarioMeasure& out = m_scenario.measure;
        if (const std::optional<qint64> interval = m.duration("sample-interval")) {
            if (*interval < 10 || *interval > 3'600'000)
                m.fail("sample-interval", QStringLiteral("sample-interval must be from 10ms to 1h, not %1")
                                              .arg(formatDuration(*interval)));
            out.sampleIntervalMs = *interval;
        }
        const toml::array* outputs = m.array("outputs");
        if (!outputs)
            return;
        bool* flags[] = {&out.completion, &out.availability, &out.rates, &out.connectionBytes};
        for (bool* flag : flags)
            *flag = false;
        QSet<int> seen;
        for (size_t i = 0; i < outputs->size(); ++i) {
            const toml::node& node = (*outputs)[i];
            const int line = int(node.source().begin.line);
            const QString path = m.pathOf("outputs") + QStringLiteral("[%1]").arg(i);
            const auto* text = node.as_string();
            if (!text)
                failAt(line, path, QStringLiteral("expected a string, found %1").arg(tomlTypeName(node)));
            const QString name = QString::fromStdString(text->get());
            const qsizetype index = kOutputs.indexOf(name);
            if (index < 0) {
                const QString nearest = nearestName(name, kOutputs);
                failAt(line, path,
                       nearest.isEmpty()
                           ? QStringLiteral("unknown output '%1'; the outputs are %2")
                                 .arg(name, alternatives(kOutputs, QStringLiteral("and")))
                           : QStringLiteral("unknown output '%1'; did you mean '%2'?").arg(name, nearest));
            }
            if (seen.contains(int(index)))
                failAt(line, path, QStringLiteral("'%1' is listed twice").arg(name));
            seen.insert(int(index));
            *flags[index] = true;
        }
    }

    void readStop() {
        const std::optional<TomlTableReader> stop = m_root.subtable("stop");
        ScenarioStop& out = m_scenario.stop;
        if (stop) {
            stop->checkKeys({"leechers-complete", "time-limit"});
            out.leechersComplete = stop->boolean("leechers-complete").value_or(true);
            if (const std::optional<qint64> limit = stop->duration("time-limit")) {
                if (*limit <= 0)
                    stop->fail("time-limit", QStringLiteral("time-limit must be longer than 0s"));
                out.timeLimitMs = *limit;
            }
        }
        const int line = stop ? stop->line() : 0;
        if (!out.leechersComplete && !out.timeLimitMs)
            failAt(line, QStringLiteral("stop"),
                   QStringLiteral("the run never stops: set leechers-complete = true or a time-limit"));
        const bool anyLeecher =
            std::any_of(m_scenario.groups.cbegin(), m_scenario.groups.cend(),
                        [](const ScenarioGroup& g) { return g.role == TorrentRole::Leecher; });
        if (out.leechersComplete && !anyLeecher)
            failAt(stop && stop->has("leechers-complete") ? stop->lineOf("leechers-complete") : line,
                   QStringLiteral("stop.leechers-complete"),
                   QStringLiteral("there are no leechers to complete: set leechers-complete = false and a "
                                  "time-limit"));
    }

    TomlTableReader m_root;
    QString m_baseDir;
    ScenarioLimits m_limits;
    Scenario m_scenario;
};

QString syntaxErrorText(std::string_view description) {
    QString text = QString::fromUtf8(description.data(), qsizetype(description.size()));
    if (!text.isEmpty())
        text[0] = text[0].toLower();
    return QStringLiteral("not valid TOML: ") + text;
}

} // namespace

ScenarioParseResult parseScenario(const QByteArray& toml, const QString& fileName, const QString& baseDir,
                                  const ScenarioLimits& limits) {
    const QString name = fileName.isEmpty() ? QStringLiteral("scenario") : fileName;
    if (toml.size() > limits.maxFileBytes)
        return failure(name, {QStringLiteral("the scenario is %1 bytes, more than the limit of %2")
                                  .arg(toml.size())
                                  .arg(limits.maxFileBytes),
                              0, QString()});
    toml::table root;
    try {
        root = toml::parse(std::string_view(toml.constData(), size_t(toml.size())), name.toStdString());
    } catch (const toml::parse_error& e) {
        return failure(name, {syntaxErrorText(e.description()), int(e.source().begin.line), QString()});
    }
    try {
        ScenarioParseResult result;
        result.scenario = ScenarioBuilder(root, baseDir, limits).build();
        return result;
    } catch (const ScenarioProblem& problem) {
        return failure(name, problem);
    }
}

ScenarioParseResult readScenarioFile(const QString& path, const ScenarioLimits& limits) {
    const QFileInfo info(path);
    const QString name = info.fileName();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failure(
            path, {QStringLiteral("cannot read the scenario: %1").arg(file.errorString()), 0, QString()});
    if (file.size() > limits.maxFileBytes)
        return failure(name, {QStringLiteral("the scenario is %1 bytes, more than the limit of %2")
                                  .arg(file.size())
                                  .arg(limits.maxFileBytes),
                              0, QString()});
    // One byte past the limit is enough to refuse a file that grew since it was measured.
    const QByteArray data = file.read(limits.maxFileBytes + 1);
    if (file.error() != QFileDevice::NoError)
        return failure(
            path, {QStringLiteral("cannot read the scenario: %1").arg(file.errorString()), 0, QString()});
    return parseScenario(data, name, info.absolutePath(), limits);
}

} // namespace swarmscope
