// The experiments' analyses on small seeded runs of the shipped scenarios, in simulated time: rarest first
// keeps the rarest piece more available than random; with the choker on, free riders finish later and fall
// behind in the leech phase, and without it they do not; no flash crowd beats the Kumar–Ross bound.
#include "scenario/Experiment.h"

#include "wire/Bitfield.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace swarmscope;

namespace {

ExperimentOptions small(int runs) {
    ExperimentOptions options;
    options.runs = runs;
    options.seed = 1;
    options.scenarioDir = QStringLiteral(SWARMSCOPE_SOURCE_DIR "/resources/scenarios");
    return options;
}

double summaryMedian(const QJsonObject& results, const QString& group, const QString& key) {
    return results.value(QStringLiteral("summary"))
        .toObject()
        .value(group)
        .toObject()
        .value(key)
        .toObject()
        .value(QStringLiteral("median"))
        .toDouble(std::nan(""));
}

LabPeerSnapshot leecher(int id, const QList<int>& pieces, int pieceCount) {
    LabPeerSnapshot p;
    p.id = id;
    p.role = TorrentRole::Leecher;
    p.state = LabPeerState::Downloading;
    p.pieceCount = pieceCount;
    p.have = Bitfield(pieceCount);
    for (int i : pieces)
        p.have.setBit(i);
    return p;
}

} // namespace

class TestExperiments : public QObject {
    Q_OBJECT
private slots:
    void median_ofOddEvenAndEmpty() {
        QCOMPARE(median({3, 1, 2}), 2.0);
        QCOMPARE(median({4, 1, 2, 3}), 2.5);
        QVERIFY(std::isnan(median({})));
    }

    void leecherAvailability_countsLeechersPresentOnly() {
        SwarmSnapshot s;
        s.peers.append(leecher(1, {0, 1}, 4));
        s.peers.append(leecher(2, {1, 2}, 4));
        LabPeerSnapshot gone = leecher(3, {3}, 4);
        gone.state = LabPeerState::Stopped; // not in the swarm: its pieces do not count
        s.peers.append(gone);
        LabPeerSnapshot seeder = leecher(4, {0, 1, 2, 3}, 4);
        seeder.role = TorrentRole::Seeder;
        s.peers.append(seeder);
        LeecherAvailability a = leecherAvailability(s);
        QCOMPARE(a.minCopies, 0);
        QCOMPARE(a.meanCopies, 1.0);
        QVERIFY(!a.everyPiece);
        s.peers[2].state = LabPeerState::Seeding;
        a = leecherAvailability(s);
        QCOMPARE(a.minCopies, 1);
        QVERIFY(a.everyPiece);
    }

    void list_andUnknownName() {
        QStringList names;
        for (const ExperimentInfo& e : experimentList())
            names.append(e.name);
        QCOMPARE(names, (QStringList{QStringLiteral("rarest-vs-random"), QStringLiteral("free-riders"),
                                     QStringLiteral("flash-crowd-bound"), QStringLiteral("seeder-departure"),
                                     QStringLiteral("latency-pipeline")}));
        QString error;
        QVERIFY(!runExperiment(QStringLiteral("nope"), small(1), &error));
        QVERIFY(error.contains(QStringLiteral("nope")));
    }

    void rarestFirst_keepsTheRarestPieceMoreAvailable() {
        QString error;
        const std::optional<ExperimentOutcome> out =
            runExperiment(QStringLiteral("rarest-vs-random"), small(5), &error);
        QVERIFY2(out, qPrintable(error));
        // Over 5 seeds, after the first full copy among the leechers: the median of the rarest piece's
        // copies.
        const double rarest =
            summaryMedian(out->results, QStringLiteral("rarest-first"), QStringLiteral("median_min_copies"));
        const double random =
            summaryMedian(out->results, QStringLiteral("random"), QStringLiteral("median_min_copies"));
        QVERIFY2(rarest >= random, qPrintable(QStringLiteral("%1 < %2").arg(rarest).arg(random)));
        QCOMPARE(out->results.value(QStringLiteral("runs")).toArray().size(), 10);
        for (const QJsonValue& run : out->results.value(QStringLiteral("runs")).toArray())
            QCOMPARE(run.toObject().value(QStringLiteral("completed")).toInt(), 30);
        QCOMPARE(out->plots.size(), 2);
        QVERIFY(!out->plots.first().series.first().points.isEmpty());
        QVERIFY(!out->verdict.isEmpty());
    }

    void freeRiders_finishLaterWithTheChokerOn() {
        QString error;
        const std::optional<ExperimentOutcome> out =
            runExperiment(QStringLiteral("free-riders"), small(5), &error);
        QVERIFY2(out, qPrintable(error));
        const QJsonObject summary = out->results.value(QStringLiteral("summary")).toObject();
        const auto mode = [&](const char* m, const char* key) {
            return summaryMedian(out->results, QLatin1String(m), QLatin1String(key));
        };
        // With the choker on, over 5 seeds, free riders' median completion is later than contributors'.
        QVERIFY(mode("choker_on", "free_riders_median_s") > mode("choker_on", "contributors_median_s"));
        // In the leech phase they fall behind with the choker on, and keep up without it.
        QVERIFY(mode("choker_on", "progress_ratio_at_first_completion") < 0.9);
        QVERIFY(mode("choker_off", "progress_ratio_at_first_completion") >
                mode("choker_on", "progress_ratio_at_first_completion"));
        QVERIFY(summary.value(QStringLiteral("reproduced")).toBool());
    }

    void flashCrowd_neverBeatsTheBound() {
        QString error;
        ExperimentOptions crowdsUpTo100 = small(1);
        crowdsUpTo100.maxLeechers = 100; // the crowd of 1000 is for the command, not the suite
        const std::optional<ExperimentOutcome> out =
            runExperiment(QStringLiteral("flash-crowd-bound"), crowdsUpTo100, &error);
        QVERIFY2(out, qPrintable(error));
        QVERIFY(out->results.value(QStringLiteral("bound_holds")).toBool());
        const QJsonArray runs = out->results.value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 5);
        double previousBound = 0;
        for (const QJsonValue& v : runs) {
            const QJsonObject run = v.toObject();
            QVERIFY(run.value(QStringLiteral("verified")).toBool());
            QVERIFY(run.value(QStringLiteral("ratio")).toDouble() >= 1.0);
            // More leechers, a longer bound: N F / (u_s + N u) grows with N.
            QVERIFY(run.value(QStringLiteral("bound_s")).toDouble() > previousBound);
            previousBound = run.value(QStringLiteral("bound_s")).toDouble();
        }
    }

    void seederDeparture_moreCopiesLeaveFewerPiecesMissing() {
        QString error;
        const std::optional<ExperimentOutcome> out =
            runExperiment(QStringLiteral("seeder-departure"), small(1), &error);
        QVERIFY2(out, qPrintable(error));
        const QJsonArray rows = out->results.value(QStringLiteral("summary")).toArray();
        QCOMPARE(rows.size(), 5);
        const auto at = [&](int i, const char* key) {
            return rows.at(i)
                .toObject()
                .value(QLatin1String(key))
                .toObject()
                .value(QStringLiteral("median"))
                .toDouble();
        };
        // One copy cannot be enough when some pieces went to several leechers; three are, here.
        QVERIFY(at(0, "pieces_missing_at_end") > 0);
        QCOMPARE(at(4, "pieces_missing_at_end"), 0.0);
        QCOMPARE(at(4, "completed_fraction"), 1.0);
        QVERIFY(at(0, "pieces_missing_at_end") >= at(2, "pieces_missing_at_end"));
    }

    void latencyPipeline_followsTheWindowLawAndTheAutomaticPipelineKeepsTheCap() {
        QString error;
        const std::optional<ExperimentOutcome> out =
            runExperiment(QStringLiteral("latency-pipeline"), small(1), &error);
        QVERIFY2(out, qPrintable(error));
        const double cap = out->results.value(QStringLiteral("cap_bytes_per_s")).toDouble();
        QCOMPARE(cap, 2.0 * 1048576);
        const QJsonArray rows = out->results.value(QStringLiteral("summary")).toArray();
        QCOMPARE(rows.size(), 4 * 7); // pipelines 8, 32, 128 and automatic, 7 round trips each
        const auto value = [](const QJsonObject& row, const char* key) {
            return row.value(QLatin1String(key)).toObject().value(QStringLiteral("median")).toDouble();
        };
        QHash<int, double> previous;
        for (const QJsonValue& v : rows) {
            const QJsonObject row = v.toObject();
            const int depth = row.value(QStringLiteral("pipeline")).toInt();
            const int rtt = row.value(QStringLiteral("rtt_ms")).toInt();
            const double rate = value(row, "steady_rate_bytes_per_s");
            const QByteArray where = QStringLiteral("pipeline %1, RTT %2 ms: %3 B/s")
                                         .arg(depth)
                                         .arg(rtt)
                                         .arg(rate, 0, 'f', 0)
                                         .toUtf8();
            // Never above the cap (one 100 ms sample of slack); a longer round trip never gains rate.
            QVERIFY2(rate <= cap * 1.02, where.constData());
            if (previous.contains(depth))
                QVERIFY2(rate <= previous.value(depth) * 1.02, where.constData());
            previous[depth] = rate;
            if (rtt == 0)
                QVERIFY2(rate >= cap * 0.95, where.constData());
            if (depth > 0 && rtt > 0) {
                // The window law: at most depth blocks per round trip, and close to it once that is the
                // limit.
                const double window = depth * 16384.0 * 1000.0 / rtt;
                QVERIFY2(rate <= window * 1.05, where.constData());
                if (window < cap / 2)
                    QVERIFY2(rate >= window * 0.85, where.constData());
            }
            if (depth == 0) {
                // The automatic pipeline covers the bandwidth-delay product at every round trip measured.
                QVERIFY2(rate >= cap * 0.9, where.constData());
                const double measuredRtt = value(row, "measured_rtt_ms");
                // What the leecher reads as the round trip is never below the link's.
                QVERIFY2(measuredRtt >= rtt, where.constData());
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestExperiments)
#include "tst_experiments.moc"
