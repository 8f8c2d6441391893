// Running a scenario on a lab in simulated time, where every instant is exact: a timed action happens at its
// time, a condition's action fires once at the sample that shows it, Poisson arrivals repeat for a seed and
// differ across seeds, a time limit ends the run there, and a run that completes is verified.
#include "scenario/ScenarioParser.h"
#include "scenario/ScenarioRun.h"
#include "swarm/SwarmLab.h"

#include <QEventLoop>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace swarmscope;

namespace {

// The lab's own clean stop, so no run leaves a worker behind.
void shutdown(ScenarioRun& run) {
    if (!run.lab())
        return;
    QEventLoop loop;
    QObject::connect(run.lab(), &SwarmLab::shutdownFinished, &loop, &QEventLoop::quit);
    run.lab()->shutdown();
    if (run.lab()->isShuttingDown())
        loop.exec();
}

struct Recorded {
    std::unique_ptr<ScenarioRun> run;
    QList<SwarmSnapshotPtr> samples;
    QList<QPair<int, qint64>> actions;
};

QString g_error;

std::optional<Scenario> parse(const QString& text, const QString& dir) {
    const ScenarioParseResult r = parseScenario(text.toUtf8(), QStringLiteral("test.toml"), dir);
    if (!r.ok()) {
        g_error = r.message();
        return std::nullopt;
    }
    return r.scenario;
}

// Runs to the end (at most timeoutMs of wall time); the run is null when it could not start.
Recorded runScenario(const Scenario& scenario, std::optional<quint32> seed = std::nullopt,
                     int timeoutMs = 60000) {
    Recorded r;
    ScenarioRunOptions options;
    options.seed = seed;
    r.run = std::make_unique<ScenarioRun>(scenario, options);
    ScenarioRun* run = r.run.get();
    if (!run->prepare().ok() || !run->start()) {
        g_error = run->errorString();
        r.run.reset();
        return r;
    }
    QObject::connect(run, &ScenarioRun::sampled, [&r](const SwarmSnapshotPtr& s) { r.samples.append(s); });
    QObject::connect(run, &ScenarioRun::actionTaken, [&r](int action, qint64 at) {
        r.actions.append({action, at});
    });
    QEventLoop loop;
    QObject::connect(run, &ScenarioRun::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!run->isFinished())
        loop.exec();
    QObject::disconnect(run, nullptr, nullptr, nullptr);
    shutdown(*run);
    return r;
}

const LabPeerSnapshot* peerAt(const Recorded& r, qint64 timeMs, int id) {
    for (const SwarmSnapshotPtr& s : r.samples)
        if (s->timeMs == timeMs)
            return s->peer(id);
    return nullptr;
}

const char* kBase = R"(
[content]
size = "%1"
piece-size = "32KiB"

[time]
mode = "simulated"
seed = 3

[groups.seeder]
role = "seeder"
count = 1
up = "%2"

[measure]
sample-interval = "250ms"
)";

const char* kTimedKill = R"(
[groups.leechers]
role = "leecher"
count = 3
up = "128KiB/s"

[[actions]]
at = "2s"
do = "kill"
target = "leechers#1"

[stop]
leechers-complete = false
time-limit = "4s"
)";

const char* kWhenHalfComplete = R"(
[groups.leechers]
role = "leecher"
count = 4
arrival = "interval"
interval = "1s"
up = "256KiB/s"

[[actions]]
when = { completed = "50%" }
do = "set-link"
target = "seeder"
up = "64KiB/s"

[stop]
leechers-complete = true
time-limit = "2min"
)";

const char* kPoissonCrowd = R"(
[groups.crowd]
role = "leecher"
count = 12
arrival = "poisson"
joins-per-second = 4
join = "500ms"

[stop]
leechers-complete = false
time-limit = "1s"
)";

const char* kTimeLimited = R"(
[groups.leechers]
role = "leecher"
count = 2

[stop]
time-limit = "%1"
)";

QString text(const char* size, const char* up, const QString& rest) {
    return QString::fromLatin1(kBase).arg(QLatin1String(size), QLatin1String(up)) + rest;
}

} // namespace

class TestScenarioRun : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void timedKill_happensAtItsTime() {
        const std::optional<Scenario> s =
            parse(text("4MiB", "512KiB/s", QString::fromLatin1(kTimedKill)), m_dir.path());
        QVERIFY2(s, qPrintable(g_error));
        const Recorded r = runScenario(*s);
        QVERIFY2(r.run, qPrintable(g_error));
        const ScenarioResult& result = r.run->result();
        QCOMPARE(result.stopReason, ScenarioStopReason::TimeLimit);
        QCOMPARE(result.actionTimesMs.value(0), qint64(2000));
        const int victim = result.peers.at(2).id; // seeder, leechers#0, leechers#1
        QCOMPARE(result.peers.at(2).group, QStringLiteral("leechers"));
        QCOMPARE(result.peers.at(2).index, 1);
        const LabPeerSnapshot* before = peerAt(r, 1750, victim);
        const LabPeerSnapshot* after = peerAt(r, 2250, victim);
        const LabPeerSnapshot* atEnd = peerAt(r, 4000, victim);
        QVERIFY(before && after && atEnd);
        QVERIFY(before->state != LabPeerState::Stopped);
        QVERIFY(before->downloaded > 0);
        QCOMPARE(after->state, LabPeerState::Stopped);
        QVERIFY(!after->left); // killed, not left
        // Nothing after the kill: a dead peer's counters stand still.
        QCOMPARE(atEnd->downloaded, after->downloaded);
        // The others carry on.
        const LabPeerSnapshot* other = peerAt(r, 4000, result.peers.at(1).id);
        QVERIFY(other && other->state != LabPeerState::Stopped);
    }

    void whenAction_firesOnceAtTheSampleThatShowsIt() {
        const std::optional<Scenario> s =
            parse(text("1MiB", "1MiB/s", QString::fromLatin1(kWhenHalfComplete)), m_dir.path());
        QVERIFY2(s, qPrintable(g_error));
        const Recorded r = runScenario(*s);
        QVERIFY2(r.run, qPrintable(g_error));
        const ScenarioResult& result = r.run->result();
        QCOMPARE(result.stopReason, ScenarioStopReason::LeechersComplete);
        QCOMPARE(r.actions.size(), 1);
        const qint64 firedAt = r.actions.first().second;
        QCOMPARE(result.actionTimesMs.value(0), firedAt);
        // The first sample with two of four leechers complete, and not one before.
        qint64 firstHalf = -1;
        for (const SwarmSnapshotPtr& sample : r.samples) {
            int done = 0;
            for (const ScenarioPeer* p : result.leechers())
                if (p->completedAtMs >= 0 && p->completedAtMs <= sample->timeMs)
                    ++done;
            if (done >= 2) {
                firstHalf = sample->timeMs;
                break;
            }
        }
        QCOMPARE(firedAt, firstHalf);
        // The seeder's link changed at that instant: the sample before shows the old cap, the next the new.
        const int seeder = result.peers.first().id;
        QCOMPARE(peerAt(r, firedAt, seeder)->conditions.uploadRate, qint64(1024 * 1024));
        QCOMPARE(peerAt(r, firedAt + 250, seeder)->conditions.uploadRate, qint64(64 * 1024));
        QCOMPARE(result.completedLeechers(), 4);
        QVERIFY(result.verified());
    }

    void poissonArrivals_repeatForASeedAndDifferAcrossSeeds() {
        const std::optional<Scenario> s =
            parse(text("256KiB", "1MiB/s", QString::fromLatin1(kPoissonCrowd)), m_dir.path());
        QVERIFY2(s, qPrintable(g_error));
        const ScenarioGroup& crowd = s->groups.at(1);
        const QList<qint64> a = ScenarioRun::joinTimes(crowd, 1, 11);
        QCOMPARE(a, ScenarioRun::joinTimes(crowd, 1, 11));
        QVERIFY(a != ScenarioRun::joinTimes(crowd, 1, 12));
        QCOMPARE(a.size(), 12);
        for (int i = 0; i < a.size(); ++i) {
            QVERIFY(a.at(i) >= 500);
            QVERIFY(i == 0 || a.at(i) >= a.at(i - 1));
        }
        // The mean gap is about 1/4 s: over 200 arrivals, within 20 %.
        ScenarioGroup many = crowd;
        many.count = 200;
        const QList<qint64> m = ScenarioRun::joinTimes(many, 1, 11);
        const double meanGap = double(m.last() - 500) / 200.0;
        QVERIFY2(meanGap > 200 && meanGap < 300, qPrintable(QString::number(meanGap)));

        // A run's peers join at those times, the same in two runs with the same seed.
        const auto joins = [](const ScenarioResult& result) {
            QList<qint64> out;
            for (const ScenarioPeer* p : result.leechers())
                out.append(p->joinMs);
            return out;
        };
        const Recorded first = runScenario(*s, 11);
        const Recorded second = runScenario(*s, 11);
        const Recorded other = runScenario(*s, 12);
        QVERIFY(first.run && second.run && other.run);
        QCOMPARE(joins(first.run->result()), a);
        QCOMPARE(joins(second.run->result()), a);
        QVERIFY(joins(other.run->result()) != a);
    }

    void timeLimit_stopsTheRunThere() {
        for (const char* limit : {"3s", "2100ms"}) {
            const std::optional<Scenario> s =
                parse(text("8MiB", "256KiB/s", QString::fromLatin1(kTimeLimited).arg(QLatin1String(limit))),
                      m_dir.path());
            QVERIFY2(s, qPrintable(g_error));
            const Recorded r = runScenario(*s);
            QVERIFY2(r.run, qPrintable(g_error));
            const ScenarioResult& result = r.run->result();
            QCOMPARE(result.stopReason, ScenarioStopReason::TimeLimit);
            QCOMPARE(result.endMs, *s->stop.timeLimitMs);
            QCOMPARE(r.samples.last()->timeMs, *s->stop.timeLimitMs);
            QCOMPARE(result.completedLeechers(), 0);
            QVERIFY(!result.verified());
        }
    }
};

QTEST_GUILESS_MAIN(TestScenarioRun)
#include "tst_scenariorun.moc"
