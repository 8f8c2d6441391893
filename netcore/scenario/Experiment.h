#pragma once

#include "scenario/Scenario.h"
#include "scenario/ScenarioRun.h"

#include <QJsonObject>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace swarmscope {

// `swarmscope experiment NAME`: a shipped scenario run several times in simulated time, on consecutive
// seeds and with the variations the experiment compares, then analysed. Everything here is values and
// plain runs; the command line renders the plots and writes the files.

struct ExperimentSeries {
    QString name;
    QList<QPointF> points;
    bool dashed = false; // a bound or a theory beside what was measured
    int colour = -1;     // series with the same index share a colour; -1: the chart's next one
};

struct ExperimentPlot {
    QString file; // "availability.png"
    QString title;
    QString xLabel;
    QString yLabel;
    QList<ExperimentSeries> series;
    bool logX = false;
};

struct ExperimentTable {
    QString file; // "runs.csv"
    QStringList header;
    QList<QStringList> rows;
};

struct ExperimentOutcome {
    QJsonObject results; // results.json
    QList<ExperimentTable> tables;
    QList<ExperimentPlot> plots;
    QStringList verdict; // a few lines: what we measured, with the spread over runs, against the claim
};

struct ExperimentOptions {
    int runs = 0;        // seeds per variation; 0: the experiment's default
    quint32 seed = 1;    // the first seed; run k uses seed + k
    QString scenarioDir; // where the shipped scenario files are (":/scenarios" in the executable)
    std::function<void(const QString&)> log; // one line per run, for progress
    int maxLeechers = 0; // 0: every variation; else variations with more leechers are left out (tests)
};

struct ExperimentInfo {
    QString name;
    QString summary;
    QString scenario; // the file it runs, in scenarioDir
    int defaultRuns = 5;
};

QList<ExperimentInfo> experimentList();
const ExperimentInfo* findExperiment(const QString& name);

// Runs the named experiment to the end (an event loop spins meanwhile). Nothing, with *error, when the
// scenario cannot be read or a run fails.
std::optional<ExperimentOutcome> runExperiment(const QString& name, const ExperimentOptions& options,
                                               QString* error);

// --- the parts, for the tests

// One run of a scenario to its end in simulated time, with what each sample shows handed to onSample (with
// every peer's connections when asked).
std::optional<ScenarioResult> runScenarioToEnd(const Scenario& scenario, quint32 seed,
                                               const std::function<void(const SwarmSnapshot&)>& onSample,
                                               QString* error, bool connections = false);

// Copies of every piece among the leechers present (downloading, seeding or paused) in one sample.
struct LeecherAvailability {
    int minCopies = 0;
    double meanCopies = 0;
    bool everyPiece = false; // every piece has at least one copy among them
    int missingPieces = 0;   // pieces none of them has
};
LeecherAvailability leecherAvailability(const SwarmSnapshot& sample);

double median(QList<double> values); // NaN when empty

} // namespace swarmscope
