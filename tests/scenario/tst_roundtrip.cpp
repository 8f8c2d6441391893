#include "TestScenario.h"

#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioWriter.h"
#include "scenario/Units.h"

#include <QFileInfo>
#include <QTest>

#include <algorithm>
#include <random>

using namespace swarmscope;
using namespace scenariotest;

namespace {

// Random but valid scenarios: every field the writer can write, at the edges of its range as often as not.
class ScenarioGenerator {
public:
    ScenarioGenerator(quint32 seed, QString baseDir) : m_rng(seed), m_baseDir(std::move(baseDir)) {}

    Scenario next() {
        Scenario s;
        s.name = pick(kStrings);
        s.description = pick(kStrings);
        content(s.content);
        time(s.time);
        const int groupCount = between(1, 6);
        for (int i = 0; i < groupCount; ++i)
            s.groups.append(group(i));
        const bool anyLeecher = std::any_of(s.groups.cbegin(), s.groups.cend(), [](const ScenarioGroup& g) {
            return g.role == TorrentRole::Leecher;
        });
        const int actionCount = between(0, 20);
        for (int i = 0; i < actionCount; ++i)
            s.actions.append(action(s.groups, anyLeecher));
        s.measure.sampleIntervalMs = chance() ? 250 : between(10, 3'600'000);
        s.measure.completion = chance();
        s.measure.availability = chance();
        s.measure.rates = chance();
        s.measure.connectionBytes = chance();
        s.stop.leechersComplete = anyLeecher && chance();
        if (!s.stop.leechersComplete || chance())
            s.stop.timeLimitMs = duration(1, kMaxDurationMs);
        return s;
    }

private:
    inline static const QStringList kStrings = {
        QString(),
        QStringLiteral("Flash crowd"),
        QStringLiteral("quotes \" and 'single' and \\ backslash"),
        QStringLiteral("two\nlines\n"),
        QStringLiteral("ends with a quote\""),
        QStringLiteral("'''triple''' and \"\"\"triple\"\"\""),
        QStringLiteral("tab\tand control \x01 and DEL \x7f"),
        QStringLiteral("ünïcödé → 北京 🐝"),
        QStringLiteral("# not a comment = \"x\""),
    };

    int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_rng); }
    qint64 between64(qint64 low, qint64 high) {
        return std::uniform_int_distribution<qint64>(low, high)(m_rng);
    }
    bool chance() { return m_rng() % 2 == 0; }
    double real(double low, double high) { return std::uniform_real_distribution<double>(low, high)(m_rng); }
    QString pick(const QStringList& list) { return list.at(between(0, int(list.size()) - 1)); }

    // Whole units as often as odd values, since the writer picks the largest unit that is exact.
    qint64 duration(qint64 low, qint64 high) {
        static const qint64 units[] = {1, 1000, 60'000, 3'600'000};
        const qint64 unit = units[between(0, 3)];
        const qint64 value = between64(low, high) / unit * unit;
        return value >= low ? value : low;
    }
    qint64 rate() {
        if (chance())
            return 0;
        static const qint64 units[] = {1, 1024, 1024 * 1024};
        const qint64 unit = units[between(0, 2)];
        return std::max<qint64>(1024, between64(1024, qint64(1) << 40) / unit * unit);
    }

    void content(ScenarioContent& c) {
        switch (between(0, 2)) {
        case 0:
            c.source = ContentSource::Generated;
            c.size = chance() ? between64(1, kMaxGeneratedContentBytes) : qint64(between(1, 64)) << 20;
            break;
        case 1:
            c.source = ContentSource::File;
            c.pathText = QStringLiteral("data.bin");
            c.path = m_baseDir + QStringLiteral("/data.bin");
            break;
        default:
            c.source = ContentSource::Folder;
            c.pathText = QStringLiteral("./sub/");
            c.path = m_baseDir + QStringLiteral("/sub");
            break;
        }
        c.pieceSize = chance() ? 0 : qint64(1) << between(14, 24);
    }

    void time(ScenarioTime& t) {
        t.mode = chance() ? TimeMode::Simulated : TimeMode::Real;
        if (chance())
            t.seed = quint32(m_rng());
        if (t.mode == TimeMode::Simulated && chance())
            t.speed = chance() ? real(0.1, 100) : double(between(1, 100));
    }

    ScenarioGroup group(int i) {
        static const QStringList stems = {QStringLiteral("seeders"),    QStringLiteral("crowd"),
                                          QStringLiteral("slow-links"), QStringLiteral("free_riders"),
                                          QStringLiteral("B2"),         QStringLiteral("x")};
        ScenarioGroup g;
        g.name = stems.at(i) + QString::number(between(0, 9)); // unique even ignoring case
        g.role = chance() ? TorrentRole::Seeder : TorrentRole::Leecher;
        g.count = between(1, 50);
        g.joinMs = chance() ? 0 : duration(0, 3'600'000);
        g.arrival.kind = ArrivalKind(between(0, 2));
        if (g.arrival.kind == ArrivalKind::Interval)
            g.arrival.intervalMs = duration(1, 600'000);
        if (g.arrival.kind == ArrivalKind::Poisson)
            g.arrival.joinsPerSecond = chance() ? real(0.001, 1000) : double(between(1, 1000));
        g.link.latencyMs = duration(0, 60'000);
        g.link.jitterMs = duration(0, 60'000);
        g.link.uploadRate = rate();
        g.link.downloadRate = rate();
        g.picker = PickerStrategy(between(0, 2));
        g.choker = chance();
        g.seeding = SeedingPolicy(between(0, 1));
        g.pipelineDepth = chance() ? 0 : between(1, kMaxScenarioPipelineDepth);
        do
            g.behaviour.kind = PeerBehaviour(between(0, 4));
        while (g.role == TorrentRole::Seeder && (g.behaviour.kind == PeerBehaviour::FreeRider ||
                                                 g.behaviour.kind == PeerBehaviour::LeavesWhenDone));
        if (g.behaviour.kind == PeerBehaviour::LeavesAfter)
            g.behaviour.stayMs = duration(1, 3'600'000);
        return g;
    }

    ScenarioTarget target(const QList<ScenarioGroup>& groups, bool leechersOnly) {
        QList<const ScenarioGroup*> candidates;
        for (const ScenarioGroup& g : groups)
            if (!leechersOnly || g.role == TorrentRole::Leecher)
                candidates.append(&g);
        ScenarioTarget t;
        const int kind = between(0, 2);
        if (kind == 0 || candidates.isEmpty())
            return t;
        const ScenarioGroup* g = candidates.at(between(0, int(candidates.size()) - 1));
        t.group = g->name;
        t.kind = kind == 1 ? ScenarioTarget::Kind::Group : ScenarioTarget::Kind::Peer;
        if (t.kind == ScenarioTarget::Kind::Peer)
            t.index = between(0, g->count - 1);
        return t;
    }

    ScenarioAction action(const QList<ScenarioGroup>& groups, bool anyLeecher) {
        ScenarioAction a;
        a.kind = ActionKind(between(0, 7));
        a.target = target(groups, false);
        if (chance()) {
            a.atMs = duration(0, kMaxDurationMs);
        } else {
            ScenarioCondition c;
            if (!anyLeecher || chance()) {
                c.kind = ConditionKind::UploadedCopies;
                c.value = chance() ? real(0.001, 1000) : double(between(1, 10)) / 2;
                if (chance())
                    c.subject = target(groups, false);
            } else {
                c.kind = ConditionKind::CompletedFraction;
                c.value = chance() ? real(0.001, 1) : double(between(1, 100)) / 100;
                if (chance())
                    c.subject = target(groups, true);
            }
            a.when = c;
        }
        switch (a.kind) {
        case ActionKind::SetLink:
            do {
                if (chance())
                    a.link.latencyMs = duration(0, 60'000);
                if (chance())
                    a.link.jitterMs = duration(0, 60'000);
                if (chance())
                    a.link.uploadRate = rate();
                if (chance())
                    a.link.downloadRate = rate();
            } while (a.link.isEmpty());
            break;
        case ActionKind::SetPicker:
            a.picker = PickerStrategy(between(0, 2));
            break;
        case ActionKind::SetChoker:
            a.choker = chance();
            break;
        default:
            break;
        }
        return a;
    }

    std::mt19937 m_rng;
    QString m_baseDir;
};

} // namespace

void TestScenario::examples_roundTrip_data() {
    QTest::addColumn<QString>("path");
    for (const QString& path : shippedExamples())
        QTest::newRow(qPrintable(QFileInfo(path).fileName())) << path;
}

void TestScenario::examples_roundTrip() {
    QFETCH(QString, path);
    const ScenarioParseResult original = readScenarioFile(path);
    QVERIFY2(original.ok(), qPrintable(original.message()));
    const QByteArray written = writeScenario(*original.scenario);
    const ScenarioParseResult again =
        parseScenario(written, QStringLiteral("written.toml"), QFileInfo(path).absolutePath());
    QVERIFY2(again.ok(), qPrintable(again.message() + QStringLiteral("\n") + QString::fromUtf8(written)));
    QVERIFY2(*again.scenario == *original.scenario, written.constData());
    QCOMPARE(writeScenario(*again.scenario), written);
}

void TestScenario::generatedScenarios_roundTrip() {
    ScenarioGenerator generator(20240611, m_dir.path());
    for (int i = 0; i < 400; ++i) {
        const Scenario scenario = generator.next();
        const QByteArray written = writeScenario(scenario);
        const ScenarioParseResult r = parseText(written, m_dir.path());
        QVERIFY2(r.ok(), qPrintable(QStringLiteral("scenario %1: ").arg(i) + r.message() +
                                    QStringLiteral("\n") + QString::fromUtf8(written)));
        QVERIFY2(*r.scenario == scenario,
                 qPrintable(QStringLiteral("scenario %1 differs after the round trip:\n").arg(i) +
                            QString::fromUtf8(written)));
        QCOMPARE(writeScenario(*r.scenario), written);
    }
}

void TestScenario::awkwardStrings_roundTrip() {
    Scenario s;
    s.content.size = 1000;
    s.groups.append(ScenarioGroup{});
    s.groups[0].name = QStringLiteral("l");
    const QStringList texts = {QStringLiteral("\"\"\""),
                               QStringLiteral("'''"),
                               QStringLiteral("a\\nb"),
                               QStringLiteral("\r\n\r\n"),
                               QStringLiteral("\\"),
                               QStringLiteral("trailing\n"),
                               QStringLiteral("\U0001F41D \u00e9"),
                               QStringLiteral("\x1b[31m")};
    for (const QString& text : texts) {
        s.name = text;
        s.description = text + text;
        const QByteArray written = writeScenario(s);
        const ScenarioParseResult r = parseText(written, m_dir.path());
        QVERIFY2(r.ok(), qPrintable(r.message()));
        QCOMPARE(r.scenario->name, text);
        QCOMPARE(r.scenario->description, text + text);
    }
    // A programmatic scenario without pathText writes the absolute path.
    s.content.source = ContentSource::File;
    s.content.path = m_dir.filePath(QStringLiteral("data.bin"));
    const ScenarioParseResult r = parseText(writeScenario(s), QStringLiteral("/elsewhere"));
    QVERIFY2(r.ok(), qPrintable(r.message()));
    QCOMPARE(r.scenario->content.path, s.content.path);
    QCOMPARE(r.scenario->content.pathText, s.content.path);
}

void TestScenario::writtenFile_isCommented() {
    const ScenarioParseResult r = readScenarioFile(shippedExamples().value(0));
    QVERIFY2(r.ok(), qPrintable(r.message()));
    const QString text = QString::fromUtf8(writeScenario(*r.scenario));
    QVERIFY(text.startsWith(QStringLiteral("# A Swarmscope scenario: docs/SCENARIOS.md")));
    QVERIFY(text.contains(QStringLiteral("# real | simulated")));
    QVERIFY(text.contains(QStringLiteral("[groups.")));
    QVERIFY(text.contains(QStringLiteral("up = \"")));
    // The writer's own comments fit the project's 110 columns; a long name or description may not.
    for (const QString& line : text.split(u'\n'))
        if (line.startsWith(u'#'))
            QVERIFY2(line.size() <= 110, qPrintable(line));
}
