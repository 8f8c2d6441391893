#include "TestScenario.h"

#include "scenario/ScenarioParser.h"

#include <QFile>
#include <QFileInfo>
#include <QTest>

using namespace swarmscope;
using namespace scenariotest;

void TestScenario::initTestCase() {
    QVERIFY(m_dir.isValid());
    QFile data(m_dir.filePath(QStringLiteral("data.bin")));
    QVERIFY(data.open(QIODevice::WriteOnly));
    data.write(QByteArray(100'000, 'x'));
    data.close();
    QFile empty(m_dir.filePath(QStringLiteral("empty.bin")));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("sub/deeper")));
    QFile inSub(m_dir.filePath(QStringLiteral("sub/deeper/a.txt")));
    QVERIFY(inSub.open(QIODevice::WriteOnly));
    inSub.write("hello");
}

void TestScenario::minimalFile_usesDefaults() {
    const ScenarioParseResult r = parseText(R"([content]
size = "1MiB"

[groups.seeder]
role = "seeder"
count = 1

[groups.leechers]
role = "leecher"
count = 3
)",
                                            m_dir.path());
    QVERIFY2(r.ok(), qPrintable(r.message()));
    const Scenario& s = *r.scenario;
    QCOMPARE(s.name, QString());
    QCOMPARE(s.content.source, ContentSource::Generated);
    QCOMPARE(s.content.size, 1024 * 1024);
    QCOMPARE(s.content.pieceSize, 0);
    QCOMPARE(s.time.mode, TimeMode::Real);
    QVERIFY(!s.time.seed);
    QVERIFY(!s.time.speed);
    QCOMPARE(s.groups.size(), 2);
    const ScenarioGroup& l = s.groups.at(1);
    QCOMPARE(l.name, QStringLiteral("leechers"));
    QCOMPARE(l.role, TorrentRole::Leecher);
    QCOMPARE(l.count, 3);
    QCOMPARE(l.joinMs, 0);
    QCOMPARE(l.arrival, ScenarioArrival{});
    QCOMPARE(l.link, PeerConditions{});
    QCOMPARE(l.picker, PickerStrategy::RarestFirst);
    QVERIFY(l.choker);
    QCOMPARE(l.behaviour.kind, PeerBehaviour::Normal);
    QVERIFY(s.actions.isEmpty());
    QCOMPARE(s.measure, ScenarioMeasure{});
    QVERIFY(s.stop.leechersComplete);
    QVERIFY(!s.stop.timeLimitMs);
    QCOMPARE(s.peerCount(), 4);
    QVERIFY(s.group(QStringLiteral("seeder")));
    QVERIFY(!s.group(QStringLiteral("nobody")));
}

void TestScenario::fullFile_readsEveryKey() {
    const ScenarioParseResult r = parseText(R"(format = 1
name = "Everything"
description = """
Two lines,
"quoted"."""

[content]
file = "data.bin"
piece-size = "32KiB"

[time]
mode = "simulated"
seed = 4294967295
speed = 2.5

[groups.origin]
role = "seeder"
count = 2
up = 4194304
behaviour = "leaves-after"
stay = "1.5s"

[groups.crowd]
role = "leecher"
count = 20
join = "2min"
arrival = "poisson"
joins-per-second = 0.5
latency = "250ms"
jitter = "10ms"
up = "512KiB/s"
down = "2MiB/s"
picker = "sequential"
choker = false
behaviour = "free-rider"

[groups.trickle]
role = "leecher"
count = 5
arrival = "interval"
interval = "3s"
behaviour = "corrupt"

[[actions]]
at = "0"
do = "pause"
target = "all"

[[actions]]
when = { uploaded = 0.9, by = "origin#1" }
do = "leave"
target = "origin"

[[actions]]
when = { completed = "25%", of = "crowd" }
do = "set-link"
target = "trickle#4"
up = "0"
jitter = "1min"

[[actions]]
when = { completed = 1 }
do = "set-picker"
target = "crowd"
picker = "random"

[[actions]]
at = "90s"
do = "set-choker"
target = "crowd#0"
choker = true

[measure]
sample-interval = "1s"
outputs = ["connection-bytes", "completion"]

[stop]
leechers-complete = false
time-limit = "1h"
)",
                                            m_dir.path());
    QVERIFY2(r.ok(), qPrintable(r.message()));
    const Scenario& s = *r.scenario;
    QCOMPARE(s.name, QStringLiteral("Everything"));
    QCOMPARE(s.description, QStringLiteral("Two lines,\n\"quoted\"."));
    QCOMPARE(s.content.source, ContentSource::File);
    QCOMPARE(s.content.pathText, QStringLiteral("data.bin"));
    QCOMPARE(s.content.path, QDir(m_dir.path()).absoluteFilePath(QStringLiteral("data.bin")));
    QCOMPARE(s.content.pieceSize, 32 * 1024);
    QCOMPARE(s.time.mode, TimeMode::Simulated);
    QCOMPARE(s.time.seed, std::optional<quint32>(4294967295u));
    QCOMPARE(s.time.speed, std::optional<double>(2.5));

    QCOMPARE(s.groups.size(), 3);
    const ScenarioGroup& origin = s.groups.at(0);
    QCOMPARE(origin.role, TorrentRole::Seeder);
    QCOMPARE(origin.count, 2);
    QCOMPARE(origin.link.uploadRate, 4 * 1024 * 1024);
    QCOMPARE(origin.behaviour, (ScenarioBehaviour{PeerBehaviour::LeavesAfter, 1500}));
    const ScenarioGroup& crowd = s.groups.at(1);
    QCOMPARE(crowd.joinMs, 120'000);
    QCOMPARE(crowd.arrival, (ScenarioArrival{ArrivalKind::Poisson, 0, 0.5}));
    QCOMPARE(crowd.link, (PeerConditions{250, 10, 512 * 1024, 2 * 1024 * 1024}));
    QCOMPARE(crowd.picker, PickerStrategy::Sequential);
    QVERIFY(!crowd.choker);
    QCOMPARE(crowd.behaviour.kind, PeerBehaviour::FreeRider);
    const ScenarioGroup& trickle = s.groups.at(2);
    QCOMPARE(trickle.arrival, (ScenarioArrival{ArrivalKind::Interval, 3000, 0}));
    QCOMPARE(trickle.behaviour.kind, PeerBehaviour::Corrupt);
    QCOMPARE(s.peerCount(), 27);

    QCOMPARE(s.actions.size(), 5);
    const ScenarioAction& pause = s.actions.at(0);
    QCOMPARE(pause.atMs, std::optional<qint64>(0));
    QVERIFY(!pause.when);
    QCOMPARE(pause.kind, ActionKind::Pause);
    QCOMPARE(pause.target.kind, ScenarioTarget::Kind::All);

    const ScenarioAction& leave = s.actions.at(1);
    QVERIFY(!leave.atMs);
    QCOMPARE(leave.kind, ActionKind::Leave);
    QCOMPARE(leave.target, (ScenarioTarget{ScenarioTarget::Kind::Group, QStringLiteral("origin"), 0}));
    QCOMPARE(leave.when->kind, ConditionKind::UploadedCopies);
    QCOMPARE(leave.when->value, 0.9);
    QCOMPARE(*leave.when->subject, (ScenarioTarget{ScenarioTarget::Kind::Peer, QStringLiteral("origin"), 1}));

    const ScenarioAction& link = s.actions.at(2);
    QCOMPARE(link.kind, ActionKind::SetLink);
    QCOMPARE(link.when->kind, ConditionKind::CompletedFraction);
    QCOMPARE(link.when->value, 0.25);
    QCOMPARE(scenarioTargetText(*link.when->subject), QStringLiteral("crowd"));
    QCOMPARE(scenarioTargetText(link.target), QStringLiteral("trickle#4"));
    QCOMPARE(link.link.uploadRate, std::optional<qint64>(0));
    QCOMPARE(link.link.jitterMs, std::optional<qint64>(60'000));
    QVERIFY(!link.link.latencyMs);
    QVERIFY(!link.link.downloadRate);

    const ScenarioAction& picker = s.actions.at(3);
    QCOMPARE(picker.kind, ActionKind::SetPicker);
    QCOMPARE(picker.picker, PickerStrategy::Random);
    QVERIFY(!picker.when->subject);
    QCOMPARE(picker.when->value, 1.0);

    const ScenarioAction& choker = s.actions.at(4);
    QCOMPARE(choker.kind, ActionKind::SetChoker);
    QVERIFY(choker.choker);
    QCOMPARE(choker.atMs, std::optional<qint64>(90'000));

    QCOMPARE(s.measure.sampleIntervalMs, 1000);
    QVERIFY(s.measure.completion);
    QVERIFY(!s.measure.availability);
    QVERIFY(!s.measure.rates);
    QVERIFY(s.measure.connectionBytes);
    QVERIFY(!s.stop.leechersComplete);
    QCOMPARE(s.stop.timeLimitMs, std::optional<qint64>(3'600'000));
}

void TestScenario::groups_keepFileOrder() {
    // toml++ keeps a table's keys sorted; the scenario keeps the order they were written in.
    const ScenarioParseResult r = parseText(R"([groups.zeta]
role = "leecher"
count = 1
[groups.alpha]
role = "seeder"
count = 1
[groups.mid]
role = "leecher"
count = 1
[content]
size = 1000
)",
                                            m_dir.path());
    QVERIFY2(r.ok(), qPrintable(r.message()));
    QStringList names;
    for (const ScenarioGroup& g : r.scenario->groups)
        names << g.name;
    QCOMPARE(names, (QStringList{QStringLiteral("zeta"), QStringLiteral("alpha"), QStringLiteral("mid")}));

    // Dotted keys and inline tables count as written too.
    const ScenarioParseResult dotted = parseText(R"([content]
size = 1000
[groups]
b.role = "seeder"
b.count = 1
a = { role = "leecher", count = 2 }
)",
                                                 m_dir.path());
    QVERIFY2(dotted.ok(), qPrintable(dotted.message()));
    QCOMPARE(dotted.scenario->groups.at(0).name, QStringLiteral("b"));
    QCOMPARE(dotted.scenario->groups.at(1).name, QStringLiteral("a"));
}

void TestScenario::contentPaths_resolveAgainstBaseDir() {
    const QByteArray groups =
        "\n[groups.s]\nrole = \"seeder\"\ncount = 1\n[groups.l]\nrole = \"leecher\"\ncount = 1\n";
    const ScenarioParseResult folder =
        parseText("[content]\nfolder = \"sub/../sub\"\n" + groups, m_dir.path());
    QVERIFY2(folder.ok(), qPrintable(folder.message()));
    QCOMPARE(folder.scenario->content.source, ContentSource::Folder);
    QCOMPARE(folder.scenario->content.pathText, QStringLiteral("sub/../sub"));
    QCOMPARE(folder.scenario->content.path, m_dir.path() + QStringLiteral("/sub"));

    const QString absolute = m_dir.filePath(QStringLiteral("data.bin"));
    const ScenarioParseResult file = parseText("[content]\nfile = \"" + absolute.toUtf8() + "\"\n" + groups,
                                               QStringLiteral("/nonexistent-base"));
    QVERIFY2(file.ok(), qPrintable(file.message()));
    QCOMPARE(file.scenario->content.path, absolute);
    QCOMPARE(file.scenario->content.pathText, absolute);
}

void TestScenario::shippedExamples_parse() {
    const QStringList examples = shippedExamples();
    QVERIFY(examples.size() >= 3);
    for (const QString& path : examples) {
        const ScenarioParseResult r = readScenarioFile(path);
        QVERIFY2(r.ok(), qPrintable(path + QStringLiteral(": ") + r.message()));
        QVERIFY(!r.scenario->name.isEmpty());
        QVERIFY(!r.scenario->description.isEmpty());
        QVERIFY(r.scenario->peerCount() > 1);
    }
}

void TestScenario::shippedExamples_appearInTheSpecification() {
    // docs/SCENARIOS.md shows each shipped example whole, so the two cannot drift apart.
    QFile doc(QStringLiteral(SWARMSCOPE_SOURCE_DIR "/docs/SCENARIOS.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QByteArray text = doc.readAll();
    for (const QString& path : shippedExamples()) {
        QFile example(path);
        QVERIFY(example.open(QIODevice::ReadOnly));
        const QByteArray block = "```toml\n" + example.readAll() + "```\n";
        QVERIFY2(text.contains(block), qPrintable(QFileInfo(path).fileName()));
    }
}

void TestScenario::specificationExamples_parse() {
    QFile doc(QStringLiteral(SWARMSCOPE_SOURCE_DIR "/docs/SCENARIOS.md"));
    QVERIFY(doc.open(QIODevice::ReadOnly));
    const QList<QByteArray> parts = doc.readAll().split('`');
    int blocks = 0;
    // After splitting at backticks, a fenced block "```toml\n...```" is the part that starts with "toml\n".
    for (const QByteArray& part : parts) {
        if (!part.startsWith("toml\n"))
            continue;
        ++blocks;
        const ScenarioParseResult r =
            parseScenario(part.mid(5), QStringLiteral("SCENARIOS.md"),
                          QStringLiteral(SWARMSCOPE_SOURCE_DIR "/resources/scenarios"));
        QVERIFY2(r.ok(), qPrintable(r.message() + QStringLiteral("\n") + QString::fromUtf8(part)));
    }
    QCOMPARE(blocks, 9); // the smallest scenario and the eight examples
}

void TestScenario::readScenarioFile_namesTheFileInErrors() {
    const QString path = m_dir.filePath(QStringLiteral("typo.toml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[content]\nsize = \"1MiB\"\n\n[groups.l]\nrole = \"leecher\"\ncount = 1\nlatncy = \"5ms\"\n");
    file.close();
    const ScenarioParseResult r = readScenarioFile(path);
    QVERIFY(!r.ok());
    QCOMPARE(r.what, QStringLiteral("unknown key 'latncy'; did you mean 'latency'?"));
    QCOMPARE(r.where, QStringLiteral("typo.toml:7: groups.l.latncy"));
    QCOMPARE(r.message(),
             QStringLiteral("unknown key 'latncy'; did you mean 'latency'? (typo.toml:7: groups.l.latncy)"));

    const ScenarioParseResult missing = readScenarioFile(m_dir.filePath(QStringLiteral("absent.toml")));
    QVERIFY(!missing.ok());
    QVERIFY2(missing.what.startsWith(QStringLiteral("cannot read the scenario: ")), qPrintable(missing.what));
    QCOMPARE(missing.where, m_dir.filePath(QStringLiteral("absent.toml")));
}

void TestScenario::readScenarioFile_refusesLargeFileBeforeReading() {
    const QString path = m_dir.filePath(QStringLiteral("large.toml"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.resize(64LL * 1024 * 1024)); // sparse: nothing to read if the size is checked first
    file.close();
    const ScenarioParseResult r = readScenarioFile(path);
    QVERIFY(!r.ok());
    QCOMPARE(r.what, QStringLiteral("the scenario is 67108864 bytes, more than the limit of 1048576"));
    QCOMPARE(r.where, QStringLiteral("large.toml"));
    QVERIFY(QFile::remove(path));
}

QTEST_GUILESS_MAIN(TestScenario)
