#include "ClockTests.h"
#include "clock/SimScheduler.h"

#include <QTest>

#include <chrono>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

// Keeps the CPU busy for a while of wall time, so a wall budget runs out.
void spin(std::chrono::microseconds wall) {
    const auto until = std::chrono::steady_clock::now() + wall;
    while (std::chrono::steady_clock::now() < until) {
    }
}

} // namespace

class TestSimScheduler : public QObject {
    Q_OBJECT
private slots:
    void clock_startsWhereItIsToldAndStandsStill() {
        SimScheduler fromZero;
        QCOMPARE(fromZero.now(), SimTime::zero());
        SimScheduler later(5s);
        QCOMPARE(later.now(), SimTime(5s));
        QCOMPARE(later.nowMs(), 5000);
        QVERIFY(!later.hasEvents());
        QCOMPARE(later.nextEventTime(), SimTime::max());
        QVERIFY(!later.runNext());
        QCOMPARE(later.now(), SimTime(5s)); // nothing happens between events
    }

    void runNext_movesTheClockToTheEventExactly() {
        SimScheduler clock;
        QList<SimTime> seen;
        clock.callAt(1500us, [&] { seen.append(clock.now()); });
        clock.callAt(250ms, [&] { seen.append(clock.now()); });
        clock.callAfter(1us, [&] { seen.append(clock.now()); });
        QCOMPARE(clock.pendingEvents(), 3);
        QCOMPARE(clock.nextEventTime(), SimTime(1us));
        QVERIFY(clock.runNext());
        QCOMPARE(clock.now(), SimTime(1us));
        QVERIFY(clock.runNext());
        QCOMPARE(clock.now(), SimTime(1500us));
        QVERIFY(clock.runNext());
        QCOMPARE(clock.now(), SimTime(250ms));
        QVERIFY(!clock.runNext());
        QCOMPARE(clock.now(), SimTime(250ms));
        QCOMPARE(seen, (QList<SimTime>{1us, 1500us, 250ms}));
        QCOMPARE(clock.eventsRun(), quint64(3));
    }

    void runUntil_runsWhatIsDueAndMovesTheClockExactlyThere_data() {
        QTest::addColumn<qint64>("untilUs");
        QTest::addColumn<int>("expectedRun");
        QTest::newRow("before the first") << qint64(999) << 0;
        QTest::newRow("exactly at the first") << qint64(1000) << 1;
        QTest::newRow("between") << qint64(2500) << 2;
        QTest::newRow("exactly at the last") << qint64(3000) << 3;
        QTest::newRow("after the last") << qint64(10'000'000) << 3;
    }
    void runUntil_runsWhatIsDueAndMovesTheClockExactlyThere() {
        QFETCH(qint64, untilUs);
        QFETCH(int, expectedRun);
        SimScheduler clock;
        int ran = 0;
        for (int ms = 1; ms <= 3; ++ms)
            clock.callAt(SimTime(ms * 1000), [&] { ++ran; });
        QVERIFY(clock.runUntil(SimTime(untilUs)));
        QCOMPARE(ran, expectedRun);
        QCOMPARE(clock.now(), SimTime(untilUs));
        QCOMPARE(clock.pendingEvents(), 3 - expectedRun);
    }

    void runUntil_neverMovesTheClockBackwards() {
        SimScheduler clock;
        QVERIFY(clock.runUntil(10s));
        QCOMPARE(clock.now(), SimTime(10s));
        bool ran = false;
        clock.callAt(12s, [&] { ran = true; });
        QVERIFY(clock.runUntil(3s));
        QCOMPARE(clock.now(), SimTime(10s));
        QVERIFY(!ran);
        QVERIFY(clock.runUntil(10s));
        QCOMPARE(clock.now(), SimTime(10s));
    }

    void eventsScheduledForThePast_runAtNow() {
        SimScheduler clock(1s);
        QList<SimTime> seen;
        clock.callAt(SimTime::zero(), [&] { seen.append(clock.now()); });
        clock.callAt(-5s, [&] { seen.append(clock.now()); });
        clock.callAfter(-3ms, [&] { seen.append(clock.now()); });
        QCOMPARE(clock.nextEventTime(), SimTime(1s));
        QVERIFY(clock.runUntil(2s));
        QCOMPARE(seen, (QList<SimTime>{1s, 1s, 1s})); // never back in time, in scheduling order
        // And from inside an event, after the clock moved.
        seen.clear();
        clock.callAt(3s, [&] { clock.callAt(SimTime(1ms), [&] { seen.append(clock.now()); }); });
        QVERIFY(clock.runUntil(4s));
        QCOMPARE(seen, (QList<SimTime>{3s}));
    }

    void eventsAtTheSameInstant_runInSchedulingOrder_andThoseTheyScheduleRunAfter() {
        SimScheduler clock;
        QStringList order;
        const auto note = [&](const QString& name) {
            order.append(name);
            QCOMPARE(clock.now(), SimTime(7ms));
        };
        clock.callAt(7ms, [&] {
            note(QStringLiteral("a"));
            clock.post([&] { note(QStringLiteral("a1")); });
            clock.callAt(7ms, [&] {
                note(QStringLiteral("a2"));
                clock.post([&] { note(QStringLiteral("a2x")); });
            });
        });
        clock.callAt(7ms, [&] {
            note(QStringLiteral("b"));
            clock.callAfter(0us, [&] { note(QStringLiteral("b1")); });
        });
        clock.callAt(7ms, [&] { note(QStringLiteral("c")); });
        clock.callAt(8ms, [&] { order.append(QStringLiteral("later")); });
        QVERIFY(clock.runUntil(7ms));
        QCOMPARE(order, (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"),
                                     QStringLiteral("a1"), QStringLiteral("a2"), QStringLiteral("b1"),
                                     QStringLiteral("a2x")}));
        QCOMPARE(clock.pendingEvents(), 1);
    }

    void cancel_fromAnEvent_dropsALaterOneAtTheSameInstant() {
        SimScheduler clock;
        bool victimRan = false;
        Scheduler::Id victim = 0;
        clock.callAt(1ms, [&] { clock.cancel(victim); });
        victim = clock.callAt(1ms, [&] { victimRan = true; });
        clock.cancel(victim + 100); // unknown: ignored
        QVERIFY(clock.runAll());
        QVERIFY(!victimRan);
        QCOMPARE(clock.eventsRun(), quint64(1));
        QVERIFY(!clock.hasEvents());
    }

    void requestStop_returnsAfterTheCurrentEvent() {
        SimScheduler clock;
        QList<int> ran;
        clock.callAt(1s, [&] { ran.append(1); });
        clock.callAt(2s, [&] {
            ran.append(2);
            clock.requestStop();
        });
        clock.callAt(2s, [&] { ran.append(3); }); // same instant, after the stop
        clock.callAt(3s, [&] { ran.append(4); });
        QVERIFY(!clock.runUntil(10s));
        QCOMPARE(ran, (QList<int>{1, 2}));
        QCOMPARE(clock.now(), SimTime(2s)); // at the last event run, not at until
        QVERIFY(clock.runUntil(10s));       // the stop was consumed: the run resumes
        QCOMPARE(ran, (QList<int>{1, 2, 3, 4}));
        QCOMPARE(clock.now(), SimTime(10s));
    }

    void requestStop_outsideARun_doesNotStopTheNextOne() {
        SimScheduler clock;
        int ran = 0;
        clock.callAt(1s, [&] { ++ran; });
        clock.callAt(2s, [&] { ++ran; });
        clock.requestStop();
        QVERIFY(clock.runUntil(5s));
        QCOMPARE(ran, 2);
    }

    void runAll_stopsWithTheLastEventOrAtUntil() {
        SimScheduler clock;
        int ran = 0;
        clock.callAt(1s, [&] {
            ++ran;
            clock.callAfter(1s, [&] { ++ran; });
        });
        QVERIFY(clock.runAll());
        QCOMPARE(ran, 2);
        QCOMPARE(clock.now(), SimTime(2s)); // the last event, not SimTime::max()
        clock.callAt(5s, [&] { ++ran; });
        clock.callAt(9s, [&] { ++ran; });
        QVERIFY(clock.runAll(6s));
        QCOMPARE(ran, 3);
        QCOMPARE(clock.now(), SimTime(6s));
        QVERIFY(clock.hasEvents());
    }

    void wallBudget_stopsARunThatTakesTooLong() {
        SimScheduler clock;
        constexpr int events = 2000;
        int ran = 0;
        SimTime lastRunAt = SimTime::zero();
        for (int i = 1; i <= events; ++i)
            clock.callAt(SimTime(i * 1000), [&] {
                ++ran;
                lastRunAt = clock.now();
                spin(100us);
            });
        const auto start = std::chrono::steady_clock::now();
        QVERIFY(!clock.runUntil(10s, 10ms));
        const auto wall = std::chrono::steady_clock::now() - start;
        QVERIFY2(ran > 0 && ran < events, qPrintable(QString::number(ran)));
        QCOMPARE(clock.now(), lastRunAt); // not at until: the run was cut short
        // The budget is looked at every few dozen events, not after each: a bounded overrun.
        QVERIFY2(
            wall < 10ms + 64 * 100us + 50ms,
            qPrintable(QString::number(std::chrono::duration_cast<std::chrono::milliseconds>(wall).count())));
        QVERIFY(clock.runUntil(10s));
        QCOMPARE(ran, events);
        QCOMPARE(clock.now(), SimTime(10s));
    }

    void wallBudget_unusedByAQuickRun() {
        SimScheduler clock;
        int ran = 0;
        for (int i = 0; i < 1000; ++i)
            clock.callAt(SimTime(i), [&] { ++ran; });
        QVERIFY(clock.runUntil(1s, 5s));
        QCOMPARE(ran, 1000);
        QCOMPARE(clock.now(), SimTime(1s));
    }

    void postWithContext_isDroppedWhenTheContextIsGone() {
        SimScheduler clock;
        auto context = std::make_unique<QObject>();
        int ran = 0;
        clock.post(context.get(), [&] { ++ran; });
        clock.post(context.get(), [&] { ++ran; });
        QVERIFY(clock.runNext());
        QCOMPARE(ran, 1);
        context.reset();
        QVERIFY(clock.runNext()); // the event still runs, the callback does not
        QCOMPARE(ran, 1);
    }
};

std::unique_ptr<QObject> swarmscope::createSimSchedulerTests() {
    return std::make_unique<TestSimScheduler>();
}

#include "tst_simscheduler.moc"
