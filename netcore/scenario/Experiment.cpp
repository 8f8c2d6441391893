#include "scenario/Experiment.h"

#include "scenario/ScenarioParser.h"
#include "swarm/SwarmLab.h"

#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace swarmscope {

namespace {

constexpr int kRunWallLimitMs = 10 * 60 * 1000;

QString fixed(double value, int decimals = 3) {
    return std::isfinite(value) ? QString::number(value, 'f', decimals) : QString();
}

QJsonValue jsonNumber(double value) {
    return std::isfinite(value) ? QJsonValue(std::round(value * 1000.0) / 1000.0) : QJsonValue();
}

// "12.3 (10.1-14.0)": the median over runs and the range.
struct Spread {
    double median = std::nan("");
    double low = std::nan("");
    double high = std::nan("");
};

Spread spreadOf(const QList<double>& values) {
    Spread s;
    QList<double> finite;
    for (double v : values)
        if (std::isfinite(v))
            finite.append(v);
    if (finite.isEmpty())
        return s;
    s.median = median(finite);
    s.low = *std::min_element(finite.begin(), finite.end());
    s.high = *std::max_element(finite.begin(), finite.end());
    return s;
}

QString spreadText(const Spread& s, int decimals = 1) {
    if (!std::isfinite(s.median))
        return QStringLiteral("n/a");
    return QStringLiteral("%1 (%2-%3)")
        .arg(fixed(s.median, decimals), fixed(s.low, decimals), fixed(s.high, decimals));
}

QJsonObject spreadJson(const Spread& s) {
    QJsonObject o;
    o.insert(QStringLiteral("median"), jsonNumber(s.median));
    o.insert(QStringLiteral("min"), jsonNumber(s.low));
    o.insert(QStringLiteral("max"), jsonNumber(s.high));
    return o;
}

std::optional<Scenario> loadScenario(const ExperimentOptions& options, const QString& file, QString* error) {
    const QString path = QDir(options.scenarioDir).filePath(file);
    const ScenarioParseResult r = readScenarioFile(path);
    if (!r.ok()) {
        *error = r.message();
        return std::nullopt;
    }
    Scenario s = *r.scenario;
    s.time.mode = TimeMode::Simulated;
    return s;
}

void log(const ExperimentOptions& options, const QString& line) {
    if (options.log)
        options.log(line);
}

// The sorted completion times as a cumulative distribution: (seconds, fraction of leechers done).
ExperimentSeries completionCurve(const QString& name, QList<double> seconds, int leechers) {
    ExperimentSeries series;
    series.name = name;
    std::sort(seconds.begin(), seconds.end());
    for (int i = 0; i < seconds.size(); ++i)
        series.points.append(QPointF(seconds.at(i), double(i + 1) / qMax(1, leechers)));
    return series;
}

QList<double> completions(const ScenarioResult& r, const QString& group = {}) {
    QList<double> out;
    for (const ScenarioPeer* p : r.leechers())
        if ((group.isEmpty() || p->group == group) && p->completedAtMs >= 0)
            out.append(p->completionSeconds());
    return out;
}

double maxOf(const QList<double>& values) {
    return values.isEmpty() ? std::nan("") : *std::max_element(values.begin(), values.end());
}

double meanOf(const QList<double>& values) {
    if (values.isEmpty())
        return std::nan("");
    double sum = 0;
    for (double v : values)
        sum += v;
    return sum / values.size();
}

int runCount(const ExperimentOptions& options, const ExperimentInfo& info) {
    return options.runs > 0 ? options.runs : info.defaultRuns;
}

// --- rarest-vs-random

std::optional<ExperimentOutcome> rarestVsRandom(const Scenario& scenario, int runs,
                                                const ExperimentOptions& options, QString* error) {
    ExperimentOutcome out;
    ExperimentTable table{QStringLiteral("runs.csv"),
                          {QStringLiteral("picker"), QStringLiteral("seed"),
                           QStringLiteral("first_full_copy_s"), QStringLiteral("median_min_copies"),
                           QStringLiteral("lowest_min_copies"), QStringLiteral("median_last_pieces_s"),
                           QStringLiteral("mean_completion_s"), QStringLiteral("max_completion_s")},
                          {}};
    ExperimentTable series{QStringLiteral("availability.csv"),
                           {QStringLiteral("picker"), QStringLiteral("seed"), QStringLiteral("time_s"),
                            QStringLiteral("min_copies"), QStringLiteral("mean_copies")},
                           {}};
    ExperimentPlot availability{
        QStringLiteral("availability.png"),
        QStringLiteral("Copies of the rarest piece among the leechers (seed %1)").arg(options.seed),
        QStringLiteral("time (s)"),
        QStringLiteral("copies"),
        {},
        false};
    ExperimentPlot completion{QStringLiteral("completion.png"),
                              QStringLiteral("Leechers complete (all %1 seeds pooled)").arg(runs),
                              QStringLiteral("completion time (s)"),
                              QStringLiteral("fraction of leechers done"),
                              {},
                              false};
    QJsonArray runsJson;
    QJsonObject summary;
    QHash<QString, Spread> minCopiesSpread;
    QHash<QString, Spread> lastPiecesSpread;
    QHash<QString, Spread> meanCompletionSpread;
    QHash<QString, QList<double>> perRunMedianMin;
    for (const PickerStrategy picker : {PickerStrategy::RarestFirst, PickerStrategy::Random}) {
        const QString pickerName = pickerStrategyName(picker);
        QList<double> medianMins, lastPieces, meanCompletions, maxCompletions, firstFulls;
        QList<double> pooled;
        int leecherCount = 0;
        for (int k = 0; k < runs; ++k) {
            const quint32 seed = options.seed + quint32(k);
            Scenario s = scenario;
            for (ScenarioGroup& g : s.groups)
                g.picker = picker;
            QList<QPointF> minPoints, meanPoints;
            qint64 firstFullMs = -1;
            QHash<int, qint64> reachedLast; // leecher -> lab ms it had all but its last 5 % of pieces
            const std::optional<ScenarioResult> r = runScenarioToEnd(
                s, seed,
                [&](const SwarmSnapshot& sample) {
                    const LeecherAvailability a = leecherAvailability(sample);
                    minPoints.append(QPointF(sample.timeMs / 1000.0, a.minCopies));
                    meanPoints.append(QPointF(sample.timeMs / 1000.0, a.meanCopies));
                    if (firstFullMs < 0 && a.everyPiece)
                        firstFullMs = sample.timeMs;
                    for (const LabPeerSnapshot& p : sample.peers) {
                        if (p.role != TorrentRole::Leecher || reachedLast.contains(p.id) || p.pieceCount == 0)
                            continue;
                        const int threshold = p.pieceCount - int(std::ceil(p.pieceCount * 0.05));
                        if (p.have.count() >= threshold)
                            reachedLast.insert(p.id, sample.timeMs);
                    }
                    series.rows.append({pickerName, QString::number(seed), fixed(sample.timeMs / 1000.0),
                                        QString::number(a.minCopies), fixed(a.meanCopies)});
                },
                error);
            if (!r)
                return std::nullopt;
            leecherCount += int(r->leechers().size());
            const QList<double> done = completions(*r);
            pooled += done;
            qint64 lastDoneMs = 0;
            QList<double> lastPieceTimes;
            for (const ScenarioPeer* p : r->leechers()) {
                lastDoneMs = qMax(lastDoneMs, p->completedAtMs);
                if (p->completedAtMs >= 0 && reachedLast.contains(p->id))
                    lastPieceTimes.append((p->completedAtMs - reachedLast.value(p->id)) / 1000.0);
            }
            // From the first full copy among the leechers to the last completion: the phase in which a
            // piece missing from every leecher would hold the swarm back.
            QList<double> window;
            for (const QPointF& pt : std::as_const(minPoints))
                if (firstFullMs >= 0 && pt.x() * 1000.0 >= firstFullMs && pt.x() * 1000.0 <= lastDoneMs)
                    window.append(pt.y());
            const double medianMin = median(window);
            const double lowestMin =
                window.isEmpty() ? std::nan("") : *std::min_element(window.begin(), window.end());
            medianMins.append(medianMin);
            lastPieces.append(median(lastPieceTimes));
            meanCompletions.append(meanOf(done));
            maxCompletions.append(maxOf(done));
            firstFulls.append(firstFullMs >= 0 ? firstFullMs / 1000.0 : std::nan(""));
            table.rows.append({pickerName, QString::number(seed), fixed(firstFulls.last()), fixed(medianMin),
                               fixed(lowestMin), fixed(lastPieces.last()), fixed(meanCompletions.last()),
                               fixed(maxCompletions.last())});
            QJsonObject run;
            run.insert(QStringLiteral("picker"), pickerName);
            run.insert(QStringLiteral("seed"), double(seed));
            run.insert(QStringLiteral("first_full_copy_s"), jsonNumber(firstFulls.last()));
            run.insert(QStringLiteral("median_min_copies"), jsonNumber(medianMin));
            run.insert(QStringLiteral("lowest_min_copies"), jsonNumber(lowestMin));
            run.insert(QStringLiteral("median_last_pieces_s"), jsonNumber(lastPieces.last()));
            run.insert(QStringLiteral("mean_completion_s"), jsonNumber(meanCompletions.last()));
            run.insert(QStringLiteral("max_completion_s"), jsonNumber(maxCompletions.last()));
            run.insert(QStringLiteral("completed"), r->completedLeechers());
            run.insert(QStringLiteral("leechers"), int(r->leechers().size()));
            runsJson.append(run);
            if (k == 0) {
                availability.series.append({pickerName + QStringLiteral(": rarest piece"), minPoints});
                availability.series.append({pickerName + QStringLiteral(": mean"), meanPoints});
            }
            log(options,
                QStringLiteral("%1 seed %2: median min copies %3, last pieces %4 s, max completion %5 s")
                    .arg(pickerName)
                    .arg(seed)
                    .arg(fixed(medianMin, 1), fixed(lastPieces.last(), 2), fixed(maxCompletions.last(), 1)));
        }
        completion.series.append(completionCurve(pickerName, pooled, leecherCount));
        perRunMedianMin.insert(pickerName, medianMins);
        minCopiesSpread.insert(pickerName, spreadOf(medianMins));
        lastPiecesSpread.insert(pickerName, spreadOf(lastPieces));
        meanCompletionSpread.insert(pickerName, spreadOf(meanCompletions));
        QJsonObject p;
        p.insert(QStringLiteral("median_min_copies"), spreadJson(minCopiesSpread.value(pickerName)));
        p.insert(QStringLiteral("median_last_pieces_s"), spreadJson(lastPiecesSpread.value(pickerName)));
        p.insert(QStringLiteral("mean_completion_s"), spreadJson(meanCompletionSpread.value(pickerName)));
        p.insert(QStringLiteral("max_completion_s"), spreadJson(spreadOf(maxCompletions)));
        p.insert(QStringLiteral("first_full_copy_s"), spreadJson(spreadOf(firstFulls)));
        summary.insert(pickerName, p);
    }
    const QString rf = pickerStrategyName(PickerStrategy::RarestFirst);
    const QString rnd = pickerStrategyName(PickerStrategy::Random);
    int higher = 0;
    for (int k = 0; k < runs; ++k)
        if (perRunMedianMin.value(rf).value(k) >= perRunMedianMin.value(rnd).value(k))
            ++higher;
    const bool reproduced = minCopiesSpread.value(rf).median >= minCopiesSpread.value(rnd).median;
    summary.insert(QStringLiteral("seeds_with_rarest_first_at_least_random"), higher);
    summary.insert(QStringLiteral("reproduced"), reproduced);
    out.verdict = {
        QStringLiteral(
            "copies of the rarest piece among leechers, median over the run (median over %1 seeds, "
            "range): rarest-first %2, random %3")
            .arg(runs)
            .arg(spreadText(minCopiesSpread.value(rf)), spreadText(minCopiesSpread.value(rnd))),
        QStringLiteral("last 5 % of pieces take (s): rarest-first %1, random %2")
            .arg(spreadText(lastPiecesSpread.value(rf), 2), spreadText(lastPiecesSpread.value(rnd), 2)),
        QStringLiteral("mean completion (s): rarest-first %1, random %2")
            .arg(spreadText(meanCompletionSpread.value(rf)), spreadText(meanCompletionSpread.value(rnd))),
        QStringLiteral("verdict: %1 (rarest-first at least as high in %2 of %3 seeds); Legout et al. 2006: "
                       "rarest first keeps the rarest piece's availability higher than random")
            .arg(reproduced ? QStringLiteral("reproduced") : QStringLiteral("not reproduced"))
            .arg(higher)
            .arg(runs),
    };
    out.results.insert(QStringLiteral("runs"), runsJson);
    out.results.insert(QStringLiteral("summary"), summary);
    out.tables = {table, series};
    out.plots = {availability, completion};
    return out;
}

// --- free-riders

std::optional<ExperimentOutcome> freeRiders(const Scenario& scenario, int runs,
                                            const ExperimentOptions& options, QString* error) {
    ExperimentOutcome out;
    ExperimentTable table{QStringLiteral("runs.csv"),
                          {QStringLiteral("variation"), QStringLiteral("seed"),
                           QStringLiteral("contributors_median_s"), QStringLiteral("free_riders_median_s"),
                           QStringLiteral("contributors_max_s"), QStringLiteral("free_riders_max_s"),
                           QStringLiteral("ratio"), QStringLiteral("progress_ratio_at_first_completion")},
                          {}};
    ExperimentPlot plot{
        QStringLiteral("completion.png"),
        QStringLiteral("Completion of contributors and free riders (%1 seeds pooled)").arg(runs),
        QStringLiteral("completion time (s)"),
        QStringLiteral("fraction of the group done"),
        {},
        false};
    QJsonArray runsJson;
    QJsonObject summary;
    QStringList verdict;
    // The claim's two variations, then the lab's own seeding rule, which feeds the poorest peers (free riders
    // among them): with the scenario's seeders set to BEP 3's rule (fastest upload), tit-for-tat is what
    // decides who gets what.
    struct Variation {
        QString key;
        QString name;
        QString plotName; // short, for the legend
        bool choker;
        std::optional<SeedingPolicy> seeding; // nothing: as the scenario says
    };
    const QList<Variation> variations{
        {QStringLiteral("choker_on"), QStringLiteral("choker on"), QStringLiteral("choker on"), true,
         std::nullopt},
        {QStringLiteral("choker_off"), QStringLiteral("choker off"), QStringLiteral("off"), false,
         std::nullopt},
        {QStringLiteral("choker_on_fewest_pieces_seeding"),
         QStringLiteral("choker on, seeders feed the fewest pieces"), QStringLiteral("poorest-first seed"),
         true, SeedingPolicy::FewestPiecesFirst},
    };
    QHash<int, Spread> ratioSpread;
    QHash<int, Spread> progressSpread;
    QHash<int, int> later;
    for (int v = 0; v < variations.size(); ++v) {
        const Variation& variation = variations.at(v);
        const bool choker = variation.choker;
        const QString& mode = variation.name;
        QList<double> ratios, contribMedians, riderMedians, progressRatios;
        QList<double> pooledContrib, pooledRiders;
        int contribCount = 0, riderCount = 0;
        for (int k = 0; k < runs; ++k) {
            const quint32 seed = options.seed + quint32(k);
            Scenario s = scenario;
            for (ScenarioGroup& g : s.groups) {
                g.choker = choker;
                if (variation.seeding)
                    g.seeding = *variation.seeding;
            }
            // The leech phase: how far each group has got when the first contributor completes (after that,
            // finished contributors seed to everyone alike).
            double progressRatio = std::nan("");
            const std::optional<ScenarioResult> r = runScenarioToEnd(
                s, seed,
                [&](const SwarmSnapshot& sample) {
                    if (std::isfinite(progressRatio))
                        return;
                    double contribHave = 0, riderHave = 0;
                    int contribN = 0, riderN = 0;
                    bool contributorDone = false;
                    for (const LabPeerSnapshot& p : sample.peers) {
                        if (p.role != TorrentRole::Leecher)
                            continue;
                        if (p.freeRider) {
                            riderHave += p.progress();
                            ++riderN;
                        } else {
                            contribHave += p.progress();
                            ++contribN;
                            contributorDone = contributorDone || p.isComplete();
                        }
                    }
                    if (contributorDone && contribN > 0 && riderN > 0 && contribHave > 0)
                        progressRatio = (riderHave / riderN) / (contribHave / contribN);
                },
                error);
            if (!r)
                return std::nullopt;
            progressRatios.append(progressRatio);
            QList<double> contrib, riders;
            for (const ScenarioPeer* p : r->leechers()) {
                if (p->behaviour == PeerBehaviour::FreeRider) {
                    ++riderCount;
                    if (p->completedAtMs >= 0)
                        riders.append(p->completionSeconds());
                } else {
                    ++contribCount;
                    if (p->completedAtMs >= 0)
                        contrib.append(p->completionSeconds());
                }
            }
            pooledContrib += contrib;
            pooledRiders += riders;
            const double c = median(contrib);
            const double f = median(riders);
            contribMedians.append(c);
            riderMedians.append(f);
            ratios.append(f / c);
            if (f > c)
                later[v] += 1;
            table.rows.append({variation.key, QString::number(seed), fixed(c), fixed(f),
                               fixed(maxOf(contrib)), fixed(maxOf(riders)), fixed(f / c),
                               fixed(progressRatio)});
            QJsonObject run;
            run.insert(QStringLiteral("variation"), variation.key);
            run.insert(QStringLiteral("choker"), choker);
            run.insert(QStringLiteral("seed"), double(seed));
            run.insert(QStringLiteral("contributors_median_s"), jsonNumber(c));
            run.insert(QStringLiteral("free_riders_median_s"), jsonNumber(f));
            run.insert(QStringLiteral("contributors_max_s"), jsonNumber(maxOf(contrib)));
            run.insert(QStringLiteral("free_riders_max_s"), jsonNumber(maxOf(riders)));
            run.insert(QStringLiteral("progress_ratio_at_first_completion"), jsonNumber(progressRatio));
            run.insert(QStringLiteral("completed"), r->completedLeechers());
            runsJson.append(run);
            log(options,
                QStringLiteral("%1 seed %2: contributors %3 s, free riders %4 s (median); free riders "
                               "at %5 of the contributors' progress at the first completion")
                    .arg(mode)
                    .arg(seed)
                    .arg(fixed(c, 1), fixed(f, 1), fixed(progressRatio, 2)));
        }
        // One colour per variation; free riders dashed.
        ExperimentSeries contribCurve = completionCurve(variation.plotName + QStringLiteral(": contributors"),
                                                        pooledContrib, contribCount);
        contribCurve.colour = v;
        ExperimentSeries riderCurve =
            completionCurve(variation.plotName + QStringLiteral(": free riders"), pooledRiders, riderCount);
        riderCurve.colour = v;
        riderCurve.dashed = true;
        plot.series.append(contribCurve);
        plot.series.append(riderCurve);
        ratioSpread.insert(v, spreadOf(ratios));
        progressSpread.insert(v, spreadOf(progressRatios));
        QJsonObject m;
        m.insert(QStringLiteral("contributors_median_s"), spreadJson(spreadOf(contribMedians)));
        m.insert(QStringLiteral("free_riders_median_s"), spreadJson(spreadOf(riderMedians)));
        m.insert(QStringLiteral("ratio"), spreadJson(ratioSpread.value(v)));
        m.insert(QStringLiteral("seeds_with_free_riders_later"), later.value(v));
        m.insert(QStringLiteral("progress_ratio_at_first_completion"), spreadJson(progressSpread.value(v)));
        summary.insert(variation.key, m);
        verdict.append(
            QStringLiteral("%1: median completion, contributors %2 s, free riders %3 s; free riders / "
                           "contributors %4; free riders later in %5 of %6 seeds")
                .arg(mode, spreadText(spreadOf(contribMedians)), spreadText(spreadOf(riderMedians)),
                     spreadText(ratioSpread.value(v), 2))
                .arg(later.value(v))
                .arg(runs));
        verdict.append(QStringLiteral("%1: when the first contributor completes, free riders have %2 of the "
                                      "contributors' mean progress")
                           .arg(mode, spreadText(progressSpread.value(v), 2)));
    }
    // The claim is about the leech phase: with the choker on, free riders fall behind; without it, not.
    const double on = progressSpread.value(0).median;
    const double off = progressSpread.value(1).median;
    const double fed = progressSpread.value(2).median;
    const bool behind = on < 0.9;
    const bool gapCloses = off > on + 0.05;
    const bool laterToo = ratioSpread.value(0).median > 1.05;
    summary.insert(QStringLiteral("reproduced"), behind && gapCloses);
    QString what;
    if (behind && gapCloses)
        what =
            QStringLiteral("reproduced in the leech phase (free riders fall behind with the choker on, not "
                           "without it)");
    else if (behind)
        what = QStringLiteral(
            "partly reproduced (free riders fall behind with the choker on, and without it too)");
    else
        what = QStringLiteral("not reproduced (free riders keep up with the choker on)");
    if (!laterToo)
        what += QStringLiteral("; their completion is hardly later, because contributors that finish keep "
                               "seeding to everyone alike");
    if (fed > on + 0.05)
        what +=
            QStringLiteral(
                "; seeders that feed the peers with the fewest pieces (the lab's default) give free riders "
                "back most of what tit-for-tat withheld (%1 of the contributors' progress instead of %2)")
                .arg(fixed(fed, 2), fixed(on, 2));
    verdict.append(
        QStringLiteral("verdict: %1; Cohen 2003 and Legout et al. 2006: with tit-for-tat choking a "
                       "free rider gets only optimistic unchokes (and seeds) and finishes later")
            .arg(what));
    out.verdict = verdict;
    out.results.insert(QStringLiteral("runs"), runsJson);
    out.results.insert(QStringLiteral("summary"), summary);
    out.tables = {table};
    out.plots = {plot};
    return out;
}

// --- flash-crowd-bound

std::optional<ExperimentOutcome> flashCrowdBound(const Scenario& scenario, int runs,
                                                 const ExperimentOptions& options, QString* error) {
    ExperimentOutcome out;
    ExperimentTable table{QStringLiteral("runs.csv"),
                          {QStringLiteral("leechers"), QStringLiteral("seed"),
                           QStringLiteral("max_completion_s"), QStringLiteral("mean_completion_s"),
                           QStringLiteral("bound_s"), QStringLiteral("ratio")},
                          {}};
    ExperimentPlot plot{QStringLiteral("bound.png"),
                        QStringLiteral("Last completion against the Kumar-Ross bound (%1 seeds)").arg(runs),
                        QStringLiteral("leechers N"),
                        QStringLiteral("seconds"),
                        {},
                        true};
    ExperimentSeries boundSeries{QStringLiteral("Kumar-Ross bound"), {}};
    ExperimentSeries medianSeries{QStringLiteral("last completion, median"), {}};
    ExperimentSeries lowSeries{QStringLiteral("last completion, fastest seed"), {}};
    ExperimentSeries highSeries{QStringLiteral("last completion, slowest seed"), {}};
    QJsonArray runsJson;
    QJsonArray summary;
    QStringList lines;
    bool boundHolds = true;
    for (const int n : {5, 10, 20, 50, 100, 1000}) {
        if (options.maxLeechers > 0 && n > options.maxLeechers)
            continue;
        QList<double> ratios, maxes;
        double bound = 0;
        for (int k = 0; k < runs; ++k) {
            const quint32 seed = options.seed + quint32(k);
            Scenario s = scenario;
            for (ScenarioGroup& g : s.groups)
                if (g.role == TorrentRole::Leecher)
                    g.count = n;
            const std::optional<ScenarioResult> r = runScenarioToEnd(s, seed, {}, error);
            if (!r)
                return std::nullopt;
            const QList<double> done = completions(*r);
            bound = r->boundSeconds;
            const double last = done.size() == n ? maxOf(done) : std::nan("");
            maxes.append(last);
            ratios.append(last / bound);
            if (std::isfinite(last) && last < bound)
                boundHolds = false;
            table.rows.append({QString::number(n), QString::number(seed), fixed(last), fixed(meanOf(done)),
                               fixed(bound), fixed(last / bound)});
            QJsonObject run;
            run.insert(QStringLiteral("leechers"), n);
            run.insert(QStringLiteral("seed"), double(seed));
            run.insert(QStringLiteral("max_completion_s"), jsonNumber(last));
            run.insert(QStringLiteral("mean_completion_s"), jsonNumber(meanOf(done)));
            run.insert(QStringLiteral("bound_s"), jsonNumber(bound));
            run.insert(QStringLiteral("ratio"), jsonNumber(last / bound));
            run.insert(QStringLiteral("verified"), r->verified());
            runsJson.append(run);
            log(options, QStringLiteral("N = %1 seed %2: last completion %3 s, bound %4 s, ratio %5")
                             .arg(n)
                             .arg(seed)
                             .arg(fixed(last, 2), fixed(bound, 2), fixed(last / bound, 3)));
        }
        const Spread m = spreadOf(maxes);
        const Spread rs = spreadOf(ratios);
        boundSeries.points.append(QPointF(n, bound));
        medianSeries.points.append(QPointF(n, m.median));
        lowSeries.points.append(QPointF(n, m.low));
        highSeries.points.append(QPointF(n, m.high));
        QJsonObject row;
        row.insert(QStringLiteral("leechers"), n);
        row.insert(QStringLiteral("bound_s"), jsonNumber(bound));
        row.insert(QStringLiteral("max_completion_s"), spreadJson(m));
        row.insert(QStringLiteral("ratio"), spreadJson(rs));
        summary.append(row);
        lines.append(QStringLiteral("N = %1: last completion %2 s, bound %3 s, ratio %4")
                         .arg(n)
                         .arg(spreadText(m), fixed(bound, 1), spreadText(rs, 2)));
    }
    lines.append(
        QStringLiteral("verdict: the bound %1 (no run beat it); Kumar-Ross / Qiu-Srikant: the time to "
                       "distribute grows like N F / (u_s + N u), and a swarm cannot beat it")
            .arg(boundHolds ? QStringLiteral("holds") : QStringLiteral("was beaten, which is a bug")));
    out.verdict = lines;
    out.results.insert(QStringLiteral("runs"), runsJson);
    out.results.insert(QStringLiteral("summary"), summary);
    out.results.insert(QStringLiteral("bound_holds"), boundHolds);
    plot.series = {boundSeries, medianSeries, lowSeries, highSeries};
    out.tables = {table};
    out.plots = {plot};
    return out;
}

// --- seeder-departure

std::optional<ExperimentOutcome> seederDeparture(const Scenario& scenario, int runs,
                                                 const ExperimentOptions& options, QString* error) {
    ExperimentOutcome out;
    ExperimentTable table{QStringLiteral("runs.csv"),
                          {QStringLiteral("copies"), QStringLiteral("seed"), QStringLiteral("seeder_left_s"),
                           QStringLiteral("completed_fraction"), QStringLiteral("pieces_missing_at_end"),
                           QStringLiteral("max_completion_s")},
                          {}};
    ExperimentPlot completedPlot{
        QStringLiteral("completed.png"),
        QStringLiteral("Leechers that complete after the seeder leaves (%1 seeds)").arg(runs),
        QStringLiteral("copies the seeder uploads before it leaves"),
        QStringLiteral("fraction of leechers that complete"),
        {},
        false};
    ExperimentPlot missingPlot{QStringLiteral("missing.png"),
                               QStringLiteral("Pieces no leecher has at the end (%1 seeds)").arg(runs),
                               QStringLiteral("copies the seeder uploads before it leaves"),
                               QStringLiteral("pieces"),
                               {},
                               false};
    ExperimentSeries doneMedian{QStringLiteral("median"), {}}, doneLow{QStringLiteral("lowest seed"), {}},
        doneHigh{QStringLiteral("highest seed"), {}};
    ExperimentSeries missMedian{QStringLiteral("median"), {}}, missLow{QStringLiteral("lowest seed"), {}},
        missHigh{QStringLiteral("highest seed"), {}};
    QJsonArray runsJson;
    QJsonArray summary;
    QStringList lines;
    double firstAllComplete = std::nan("");
    for (const double copies : {1.0, 1.25, 1.5, 2.0, 3.0}) {
        QList<double> fractions, missing;
        int allComplete = 0;
        for (int k = 0; k < runs; ++k) {
            const quint32 seed = options.seed + quint32(k);
            Scenario s = scenario;
            for (ScenarioAction& a : s.actions)
                if (a.when && a.when->kind == ConditionKind::UploadedCopies)
                    a.when->value = copies;
            LeecherAvailability last;
            const std::optional<ScenarioResult> r = runScenarioToEnd(
                s, seed, [&](const SwarmSnapshot& sample) { last = leecherAvailability(sample); }, error);
            if (!r)
                return std::nullopt;
            const int leechers = int(r->leechers().size());
            const double fraction = leechers > 0 ? double(r->completedLeechers()) / leechers : 0.0;
            const double left =
                r->actionTimesMs.value(0, -1) >= 0 ? r->actionTimesMs.value(0) / 1000.0 : std::nan("");
            fractions.append(fraction);
            missing.append(last.missingPieces);
            if (r->completedLeechers() == leechers)
                ++allComplete;
            const QList<double> done = completions(*r);
            table.rows.append({QString::number(copies), QString::number(seed), fixed(left), fixed(fraction),
                               QString::number(last.missingPieces), fixed(maxOf(done))});
            QJsonObject run;
            run.insert(QStringLiteral("copies"), copies);
            run.insert(QStringLiteral("seed"), double(seed));
            run.insert(QStringLiteral("seeder_left_s"), jsonNumber(left));
            run.insert(QStringLiteral("completed_fraction"), jsonNumber(fraction));
            run.insert(QStringLiteral("pieces_missing_at_end"), last.missingPieces);
            run.insert(QStringLiteral("max_completion_s"), jsonNumber(maxOf(done)));
            runsJson.append(run);
            log(options,
                QStringLiteral("%1 copies seed %2: seeder left at %3 s, %4 of the leechers complete, %5 "
                               "pieces missing")
                    .arg(copies)
                    .arg(seed)
                    .arg(fixed(left, 1), fixed(fraction, 2))
                    .arg(last.missingPieces));
        }
        const Spread f = spreadOf(fractions);
        const Spread m = spreadOf(missing);
        doneMedian.points.append(QPointF(copies, f.median));
        doneLow.points.append(QPointF(copies, f.low));
        doneHigh.points.append(QPointF(copies, f.high));
        missMedian.points.append(QPointF(copies, m.median));
        missLow.points.append(QPointF(copies, m.low));
        missHigh.points.append(QPointF(copies, m.high));
        if (!std::isfinite(firstAllComplete) && allComplete == runs)
            firstAllComplete = copies;
        QJsonObject row;
        row.insert(QStringLiteral("copies"), copies);
        row.insert(QStringLiteral("completed_fraction"), spreadJson(f));
        row.insert(QStringLiteral("pieces_missing_at_end"), spreadJson(m));
        row.insert(QStringLiteral("seeds_all_complete"), allComplete);
        summary.append(row);
        lines.append(
            QStringLiteral("seeder leaves after %1 copies: %2 of the leechers complete, %3 pieces missing "
                           "at the end; all complete in %4 of %5 seeds")
                .arg(copies)
                .arg(spreadText(f, 2), spreadText(m, 0))
                .arg(allComplete)
                .arg(runs));
    }
    lines.append(
        std::isfinite(firstAllComplete)
            ? QStringLiteral(
                  "verdict: one copy is the minimum in theory; here the seeder must upload %1 copies "
                  "before every leecher completes in every seed, because it sends some pieces to "
                  "several leechers and loses the blocks in flight when it leaves")
                  .arg(firstAllComplete)
            : QStringLiteral("verdict: even 3 copies are not enough here for every seed"));
    out.verdict = lines;
    out.results.insert(QStringLiteral("runs"), runsJson);
    out.results.insert(QStringLiteral("summary"), summary);
    out.results.insert(QStringLiteral("copies_for_all_complete"), jsonNumber(firstAllComplete));
    completedPlot.series = {doneMedian, doneLow, doneHigh};
    missingPlot.series = {missMedian, missLow, missHigh};
    out.tables = {table};
    out.plots = {completedPlot, missingPlot};
    return out;
}

// --- latency-pipeline

// The request pipelines the experiment compares: fixed depths whose bandwidth-delay limit falls inside the
// range of round trips, and the engine's own sizing (0).
constexpr int kPipelineDepths[] = {8, 32, 128, 0};
// One-way latency of the leecher's link; the seeder's has none, so the round trip is twice this.
constexpr int kPipelineLatenciesMs[] = {0, 25, 50, 100, 200, 400, 800};
constexpr double kBlockBytes = 16 * 1024;

QString pipelineName(int depth) {
    return depth > 0 ? QStringLiteral("%1 requests").arg(depth) : QStringLiteral("automatic");
}

std::optional<ExperimentOutcome> latencyPipeline(const Scenario& scenario, int runs,
                                                 const ExperimentOptions& options, QString* error) {
    qint64 cap = 0;
    for (const ScenarioGroup& g : scenario.groups)
        if (g.role == TorrentRole::Seeder)
            cap += g.link.uploadRate;
    const double capMiB = double(cap) / 1048576.0;
    ExperimentOutcome out;
    ExperimentTable table{
        QStringLiteral("runs.csv"),
        {QStringLiteral("pipeline"), QStringLiteral("latency_ms"), QStringLiteral("rtt_ms"),
         QStringLiteral("seed"), QStringLiteral("completion_s"), QStringLiteral("steady_rate_bytes_per_s"),
         QStringLiteral("steady_fraction_of_cap"), QStringLiteral("window_limit_bytes_per_s"),
         QStringLiteral("measured_rtt_ms"), QStringLiteral("pipeline_depth_median")},
        {}};
    ExperimentPlot ratePlot{
        QStringLiteral("throughput.png"),
        QStringLiteral(
            "One connection's throughput against the round trip (seeder capped at %1 MiB/s, %2 seeds)")
            .arg(fixed(capMiB, 0))
            .arg(runs),
        QStringLiteral("round-trip time (ms)"),
        QStringLiteral("throughput (MiB/s)"),
        {},
        false};
    ExperimentPlot depthPlot{QStringLiteral("depth.png"),
                             QStringLiteral("The automatic pipeline against the bandwidth-delay product"),
                             QStringLiteral("round-trip time (ms)"),
                             QStringLiteral("16 KiB requests"),
                             {},
                             false};
    QList<ExperimentSeries> measured, limits;
    ExperimentSeries bdp{QStringLiteral("bandwidth-delay product: cap x RTT / 16 KiB"), {}, true, 0};
    ExperimentSeries autoDepth{
        QStringLiteral("automatic pipeline, median in the steady state"), {}, false, 1};
    ExperimentSeries rule{
        QStringLiteral("its rule at the cap: max(3 s, RTT) x cap / 16 KiB, 5 to 250"), {}, true, 2};
    QJsonArray runsJson;
    QJsonArray summary;
    QStringList lines;
    // The highest round trip at which each pipeline still keeps 90 % of the cap.
    QHash<int, int> reach;
    int colour = 0;
    for (const int depth : kPipelineDepths) {
        ExperimentSeries series{pipelineName(depth), {}, false, colour};
        ExperimentSeries limit{
            depth > 0 ? QStringLiteral("%1 x 16 KiB / RTT").arg(depth) : QString(), {}, true, colour};
        ++colour;
        QStringList cells;
        for (const int latency : kPipelineLatenciesMs) {
            const int rttMs = 2 * latency;
            QList<double> rates, fractions, rtts, depths;
            for (int k = 0; k < runs; ++k) {
                const quint32 seed = options.seed + quint32(k);
                Scenario s = scenario;
                for (ScenarioGroup& g : s.groups) {
                    g.link.latencyMs = g.role == TorrentRole::Leecher ? latency : 0;
                    if (g.role == TorrentRole::Leecher)
                        g.pipelineDepth = depth;
                }
                // The steady state: from a quarter to three quarters of the content, past the handshakes and
                // the first requests, before the endgame.
                qint64 quarterMs = -1, threeQuartersMs = -1, quarterBytes = 0, threeQuartersBytes = 0;
                QList<double> seenDepths;
                qint64 lastRtt = -1;
                const std::optional<ScenarioResult> r = runScenarioToEnd(
                    s, seed,
                    [&](const SwarmSnapshot& sample) {
                        for (const LabPeerSnapshot& p : sample.peers) {
                            if (p.role != TorrentRole::Leecher || p.pieceCount == 0)
                                continue;
                            const double progress = p.progress();
                            if (quarterMs < 0 && progress >= 0.25) {
                                quarterMs = sample.timeMs;
                                quarterBytes = p.downloaded;
                            }
                            if (threeQuartersMs < 0 && progress >= 0.75) {
                                threeQuartersMs = sample.timeMs;
                                threeQuartersBytes = p.downloaded;
                            }
                            if (quarterMs >= 0 && threeQuartersMs < 0)
                                for (const LabConnectionSnapshot& c : p.connections) {
                                    seenDepths.append(c.info.pipelineDepth);
                                    if (c.info.rttMs >= 0)
                                        lastRtt = c.info.rttMs;
                                }
                        }
                    },
                    error, true);
                if (!r)
                    return std::nullopt;
                const QList<double> done = completions(*r);
                const double seconds = done.isEmpty() ? std::nan("") : done.first();
                const double steadyRate = threeQuartersMs > quarterMs && quarterMs >= 0
                                              ? double(threeQuartersBytes - quarterBytes) * 1000.0 /
                                                    double(threeQuartersMs - quarterMs)
                                              : std::nan("");
                const double fraction = cap > 0 ? steadyRate / double(cap) : std::nan("");
                const double windowLimit =
                    depth > 0 && rttMs > 0 ? depth * kBlockBytes * 1000.0 / rttMs : std::nan("");
                const double depthMedian = median(seenDepths);
                rates.append(steadyRate);
                fractions.append(fraction);
                rtts.append(lastRtt >= 0 ? double(lastRtt) : std::nan(""));
                depths.append(depthMedian);
                table.rows.append({pipelineName(depth), QString::number(latency), QString::number(rttMs),
                                   QString::number(seed), fixed(seconds), fixed(steadyRate, 0),
                                   fixed(fraction), fixed(windowLimit, 0),
                                   lastRtt >= 0 ? QString::number(lastRtt) : QString(),
                                   fixed(depthMedian, 1)});
                QJsonObject run;
                run.insert(QStringLiteral("pipeline"), depth);
                run.insert(QStringLiteral("latency_ms"), latency);
                run.insert(QStringLiteral("rtt_ms"), rttMs);
                run.insert(QStringLiteral("seed"), double(seed));
                run.insert(QStringLiteral("completion_s"), jsonNumber(seconds));
                run.insert(QStringLiteral("steady_rate_bytes_per_s"), jsonNumber(steadyRate));
                run.insert(QStringLiteral("steady_fraction_of_cap"), jsonNumber(fraction));
                run.insert(QStringLiteral("measured_rtt_ms"),
                           jsonNumber(lastRtt >= 0 ? lastRtt : std::nan("")));
                run.insert(QStringLiteral("pipeline_depth_median"), jsonNumber(depthMedian));
                runsJson.append(run);
                log(options,
                    QStringLiteral("pipeline %1, RTT %2 ms, seed %3: %4 MiB/s in the steady state (%5 of "
                                   "the cap), RTT read %6 ms, depth %7")
                        .arg(pipelineName(depth))
                        .arg(rttMs)
                        .arg(seed)
                        .arg(fixed(steadyRate / 1048576.0, 3), fixed(fraction, 3))
                        .arg(lastRtt)
                        .arg(fixed(depthMedian, 0)));
            }
            const Spread rate = spreadOf(rates);
            const Spread f = spreadOf(fractions);
            const Spread measuredRtt = spreadOf(rtts);
            const Spread d = spreadOf(depths);
            series.points.append(QPointF(rttMs, rate.median / 1048576.0));
            if (depth == 0) {
                autoDepth.points.append(QPointF(rttMs, d.median));
                bdp.points.append(QPointF(rttMs, double(cap) * rttMs / 1000.0 / kBlockBytes));
                rule.points.append(QPointF(
                    rttMs, qBound(5.0, double(cap) * qMax(3000, rttMs) / 1000.0 / kBlockBytes, 250.0)));
            }
            if (f.low >= 0.9)
                reach[depth] = rttMs;
            QJsonObject row;
            row.insert(QStringLiteral("pipeline"), depth);
            row.insert(QStringLiteral("rtt_ms"), rttMs);
            row.insert(QStringLiteral("steady_rate_bytes_per_s"), spreadJson(rate));
            row.insert(QStringLiteral("steady_fraction_of_cap"), spreadJson(f));
            row.insert(QStringLiteral("measured_rtt_ms"), spreadJson(measuredRtt));
            row.insert(QStringLiteral("pipeline_depth_median"), spreadJson(d));
            if (depth > 0 && rttMs > 0)
                row.insert(QStringLiteral("window_limit_bytes_per_s"), depth * kBlockBytes * 1000.0 / rttMs);
            summary.append(row);
            cells.append(QStringLiteral("%1 ms: %2").arg(rttMs).arg(spreadText(f, 2)));
        }
        // The window limit drawn finely, so that its curve shows between the measured round trips.
        if (depth > 0) {
            for (int rtt = 0; rtt <= 2 * kPipelineLatenciesMs[std::size(kPipelineLatenciesMs) - 1];
                 rtt += 20) {
                const double limitRate = rtt > 0 ? depth * kBlockBytes * 1000.0 / rtt : INFINITY;
                limit.points.append(QPointF(rtt, qMin(double(cap), limitRate) / 1048576.0));
            }
            limits.append(limit);
        }
        measured.append(series);
        lines.append(QStringLiteral("pipeline %1: fraction of the cap in the steady state by RTT: %2")
                         .arg(pipelineName(depth), cells.join(QStringLiteral(", "))));
    }
    QStringList reached;
    for (const int depth : kPipelineDepths)
        reached.append(QStringLiteral("%1 up to %2")
                           .arg(pipelineName(depth))
                           .arg(reach.contains(depth) ? QStringLiteral("%1 ms").arg(reach.value(depth))
                                                      : QStringLiteral("no RTT")));
    const int longest = 2 * kPipelineLatenciesMs[std::size(kPipelineLatenciesMs) - 1];
    lines.append(
        QStringLiteral(
            "verdict: a fixed pipeline keeps the cap only while its requests cover the bandwidth-delay "
            "product, then falls as depth x 16 KiB / RTT, as the window law says; at least 90 % of "
            "the cap: %1. The automatic pipeline %2")
            .arg(
                reached.join(QStringLiteral(", ")),
                reach.value(0, -1) >= longest
                    ? QStringLiteral("covers every round trip measured (up to %1 ms)").arg(longest)
                    : QStringLiteral("does not cover every round trip measured (up to %1 ms)").arg(longest)));
    out.verdict = lines;
    out.results.insert(QStringLiteral("runs"), runsJson);
    out.results.insert(QStringLiteral("summary"), summary);
    out.results.insert(QStringLiteral("cap_bytes_per_s"), double(cap));
    QJsonObject reachJson;
    for (const int depth : kPipelineDepths)
        reachJson.insert(depth > 0 ? QString::number(depth) : QStringLiteral("auto"),
                         reach.contains(depth) ? QJsonValue(reach.value(depth)) : QJsonValue());
    out.results.insert(QStringLiteral("rtt_ms_at_90_percent"), reachJson);
    ratePlot.series = measured + limits;
    depthPlot.series = {bdp, rule, autoDepth};
    out.tables = {table};
    out.plots = {ratePlot, depthPlot};
    return out;
}

// Each runs its variations of the scenario, `runs` seeds per variation.
using Runner = std::optional<ExperimentOutcome> (*)(const Scenario&, int runs, const ExperimentOptions&,
                                                    QString*);

struct Entry {
    ExperimentInfo info;
    Runner run;
};

const QList<Entry>& entries() {
    static const QList<Entry> list{
        {{QStringLiteral("rarest-vs-random"),
          QStringLiteral("rarest-first against random piece selection: availability of the rarest piece, the "
                         "last pieces, completion"),
          QStringLiteral("rarest-vs-random.toml"), 5},
         rarestVsRandom},
        {{QStringLiteral("free-riders"),
          QStringLiteral(
              "20 % free riders against contributors, with the choker on and off: completion times"),
          QStringLiteral("free-riders-choker.toml"), 5},
         freeRiders},
        {{QStringLiteral("flash-crowd-bound"),
          QStringLiteral("N = 5, 10, 20, 50, 100 and 1000 leechers at once: the last completion against the "
                         "Kumar-Ross bound"),
          QStringLiteral("flash-crowd-bound.toml"), 3},
         flashCrowdBound},
        {{QStringLiteral("seeder-departure"),
          QStringLiteral(
              "the only seeder leaves after uploading 1, 1.25, 1.5, 2 or 3 copies: how many leechers "
              "still complete"),
          QStringLiteral("seeder-departure-copies.toml"), 5},
         seederDeparture},
        {{QStringLiteral("latency-pipeline"),
          QStringLiteral(
              "one seeder, one leecher, round trips from 0 to 1600 ms, pipelines of 8, 32 and 128 requests "
              "and the automatic one: throughput against the bandwidth-delay product"),
          QStringLiteral("latency-pipeline.toml"), 3},
         latencyPipeline},
    };
    return list;
}

} // namespace

double median(QList<double> values) {
    if (values.isEmpty())
        return std::nan("");
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2.0;
}

LeecherAvailability leecherAvailability(const SwarmSnapshot& sample) {
    LeecherAvailability a;
    QList<int> copies;
    for (const LabPeerSnapshot& p : sample.peers) {
        if (p.role != TorrentRole::Leecher || p.pieceCount == 0)
            continue;
        if (p.state != LabPeerState::Downloading && p.state != LabPeerState::Seeding &&
            p.state != LabPeerState::Paused)
            continue;
        if (copies.isEmpty())
            copies = QList<int>(p.pieceCount, 0);
        if (p.have.size() != copies.size())
            continue;
        p.have.forEachSet([&](int i) { ++copies[i]; });
    }
    if (copies.isEmpty())
        return a;
    qint64 total = 0;
    a.minCopies = copies.first();
    for (int c : std::as_const(copies)) {
        a.minCopies = qMin(a.minCopies, c);
        total += c;
    }
    a.meanCopies = double(total) / copies.size();
    a.missingPieces = int(std::count(copies.cbegin(), copies.cend(), 0));
    a.everyPiece = a.minCopies > 0;
    return a;
}

std::optional<ScenarioResult> runScenarioToEnd(const Scenario& scenario, quint32 seed,
                                               const std::function<void(const SwarmSnapshot&)>& onSample,
                                               QString* error, bool connections) {
    ScenarioRunOptions options;
    options.seed = seed;
    options.connections = connections;
    options.timeMode = TimeMode::Simulated;
    ScenarioRun run(scenario, options);
    const ContentPrepResult prepared = run.prepare();
    if (!prepared.ok()) {
        *error = prepared.error;
        return std::nullopt;
    }
    if (!run.start()) {
        *error = run.errorString();
        return std::nullopt;
    }
    if (onSample)
        QObject::connect(&run, &ScenarioRun::sampled,
                         [&onSample](const SwarmSnapshotPtr& sample) { onSample(*sample); });
    QEventLoop loop;
    QObject::connect(&run, &ScenarioRun::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(kRunWallLimitMs, &loop, &QEventLoop::quit);
    if (!run.isFinished())
        loop.exec();
    if (!run.isFinished()) {
        *error = QStringLiteral("a run of '%1' did not end within %2 minutes of wall time")
                     .arg(scenario.name)
                     .arg(kRunWallLimitMs / 60000);
        return std::nullopt;
    }
    if (run.result().stopReason == ScenarioStopReason::Failed) {
        *error = run.result().error;
        return std::nullopt;
    }
    return run.result();
}

QList<ExperimentInfo> experimentList() {
    QList<ExperimentInfo> out;
    for (const Entry& e : entries())
        out.append(e.info);
    return out;
}

const ExperimentInfo* findExperiment(const QString& name) {
    for (const Entry& e : entries())
        if (e.info.name == name)
            return &e.info;
    return nullptr;
}

std::optional<ExperimentOutcome> runExperiment(const QString& name, const ExperimentOptions& options,
                                               QString* error) {
    for (const Entry& e : entries()) {
        if (e.info.name != name)
            continue;
        const std::optional<Scenario> scenario = loadScenario(options, e.info.scenario, error);
        if (!scenario)
            return std::nullopt;
        std::optional<ExperimentOutcome> out = e.run(*scenario, runCount(options, e.info), options, error);
        if (out) {
            out->results.insert(QStringLiteral("experiment"), name);
            out->results.insert(QStringLiteral("scenario"), e.info.scenario);
            out->results.insert(QStringLiteral("first_seed"), double(options.seed));
            out->results.insert(QStringLiteral("runs_per_variation"), runCount(options, e.info));
            out->results.insert(QStringLiteral("verdict"), QJsonArray::fromStringList(out->verdict));
        }
        return out;
    }
    *error = QStringLiteral("no experiment named '%1'").arg(name);
    return std::nullopt;
}

} // namespace swarmscope
