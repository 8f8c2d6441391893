#pragma once

#include "shared/LabController.h"

#include "scenario/Scenario.h"
#include "scenario/ScenarioVariant.h"

#include <QString>

#include <optional>

namespace swarmscope::ui {

// What a comparison runs: one base scenario twice, from the same seed, the two runs differing in exactly one
// setting. Run A gets valueA, run B valueB, and everything else is the base's.
struct CompareSetup {
    Scenario base;
    QString baseName; // "the demo set-up", "rarest-vs-random.toml": what the view says it runs
    VariantSetting setting = VariantSetting::Picker;
    QString valueA;
    QString valueB;
};

// The window's demo swarm as a scenario in simulated time: 8 MiB in 64 KiB pieces, one seeder at 1 MiB/s up,
// eight leechers at 512 KiB/s up, all joining at once, seed 1.
Scenario demoScenario(const DemoSettings& settings = {});

// The two scenarios of a setup, A then B; nothing, with *error, when a value is out of the setting's range.
std::optional<std::pair<Scenario, Scenario>> compareScenarios(const CompareSetup& setup, QString* error);

// --- the Experiments menu
// An experiment of `swarmscope experiment` whose shipped scenario pair is one setting changed, as a
// comparison: rarest-vs-random (picker), free-riders (choker), latency-pipeline (its two extremes of
// latency). Nothing for the others (they vary a count or a condition over several values, which two runs
// side by side cannot show), or when the scenario cannot be read from scenarioDir (*error then says why).
std::optional<CompareSetup> experimentCompareSetup(const QString& experiment, const QString& scenarioDir,
                                                   QString* error = nullptr);
// Whether experimentCompareSetup() maps the experiment onto a comparison at all.
bool experimentFitsCompare(const QString& experiment);

} // namespace swarmscope::ui
