#include "compare/CompareSetup.h"

#include "scenario/Experiment.h"
#include "scenario/ScenarioParser.h"

#include <QDir>

namespace swarmscope::ui {

namespace {

struct ExperimentCompare {
    const char* experiment;
    VariantSetting setting;
    const char* valueA;
    const char* valueB;
};

// The experiments that run their scenario with one setting changed everywhere, and the two values they
// compare. latency-pipeline sweeps seven latencies; side by side it shows the two ends of the sweep.
constexpr ExperimentCompare kExperimentCompares[] = {
    {"rarest-vs-random", VariantSetting::Picker, "rarest-first", "random"},
    {"free-riders", VariantSetting::Choker, "on", "off"},
    {"latency-pipeline", VariantSetting::Latency, "0ms", "400ms"},
};

const ExperimentCompare* findCompare(const QString& experiment) {
    for (const ExperimentCompare& c : kExperimentCompares)
        if (experiment == QLatin1String(c.experiment))
            return &c;
    return nullptr;
}

} // namespace

Scenario demoScenario(const DemoSettings& settings) {
    Scenario s;
    s.name = QStringLiteral("Demo swarm");
    s.description = QStringLiteral("The window's demo swarm: one seeder and eight leechers joining at once.");
    s.content.source = ContentSource::Generated;
    s.content.size = settings.fileSize;
    s.content.pieceSize = settings.pieceLength;
    s.time.mode = TimeMode::Simulated;
    s.time.seed = 1;
    ScenarioGroup seeder;
    seeder.name = QStringLiteral("seeder");
    seeder.role = TorrentRole::Seeder;
    seeder.count = settings.seeders;
    seeder.link.uploadRate = settings.seederUploadRate;
    ScenarioGroup leechers;
    leechers.name = QStringLiteral("leechers");
    leechers.role = TorrentRole::Leecher;
    leechers.count = settings.leechers;
    leechers.link.uploadRate = settings.leecherUploadRate;
    s.groups = {seeder, leechers};
    s.measure.sampleIntervalMs = 250;
    s.stop.leechersComplete = true;
    s.stop.timeLimitMs = 30LL * 60 * 1000; // a set-up that cannot complete still ends
    return s;
}

std::optional<std::pair<Scenario, Scenario>> compareScenarios(const CompareSetup& setup, QString* error) {
    Scenario a = setup.base;
    Scenario b = setup.base;
    // Simulated time, so that both runs are deterministic and can share one clock.
    a.time.mode = TimeMode::Simulated;
    b.time.mode = TimeMode::Simulated;
    QString why;
    if (!applyVariant(a, setup.setting, setup.valueA, &why) ||
        !applyVariant(b, setup.setting, setup.valueB, &why)) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return std::make_pair(std::move(a), std::move(b));
}

bool experimentFitsCompare(const QString& experiment) {
    return findCompare(experiment) != nullptr;
}

std::optional<CompareSetup> experimentCompareSetup(const QString& experiment, const QString& scenarioDir,
                                                   QString* error) {
    const ExperimentCompare* c = findCompare(experiment);
    const ExperimentInfo* info = findExperiment(experiment);
    if (!c || !info) {
        if (error)
            *error = QStringLiteral("the experiment '%1' does not compare two values of one setting")
                         .arg(experiment);
        return std::nullopt;
    }
    const ScenarioParseResult r = readScenarioFile(QDir(scenarioDir).filePath(info->scenario));
    if (!r.ok()) {
        if (error)
            *error = r.message();
        return std::nullopt;
    }
    CompareSetup setup;
    setup.base = *r.scenario;
    setup.baseName = info->scenario;
    setup.setting = c->setting;
    setup.valueA = QString::fromLatin1(c->valueA);
    setup.valueB = QString::fromLatin1(c->valueB);
    return setup;
}

} // namespace swarmscope::ui
