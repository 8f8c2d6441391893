#include "ClockTests.h"
#include "clock/SimScheduler.h"
#include "clock/Timer.h"

#include <QTest>

using namespace swarmscope;
using namespace std::chrono_literals;

class TestTimer : public QObject {
    Q_OBJECT
private slots:
    void oneShot_firesOnceAfterItsDelay() {
        SimScheduler clock(1s);
        QList<SimTime> fired;
        Timer timer(clock, [&] { fired.append(clock.now()); });
        QVERIFY(!timer.isActive());
        timer.start(250ms);
        QVERIFY(timer.isActive());
        QVERIFY(!timer.isRepeating());
        QCOMPARE(timer.deadline(), SimTime(1250ms));
        QVERIFY(clock.runUntil(1100ms));
        QCOMPARE(timer.remaining(), SimTime(150ms));
        QVERIFY(clock.runUntil(5s));
        QCOMPARE(fired, (QList<SimTime>{1250ms}));
        QVERIFY(!timer.isActive());
        QCOMPARE(timer.remaining(), SimTime::zero());
        QVERIFY(!clock.hasEvents());
    }

    void oneShot_withANegativeOrZeroDelay_firesNowNotFromInsideStart() {
        SimScheduler clock(3s);
        int fired = 0;
        Timer timer(clock, [&] { ++fired; });
        timer.start(-5ms);
        QCOMPARE(fired, 0);
        QCOMPARE(timer.deadline(), SimTime(3s));
        QVERIFY(clock.runNext());
        QCOMPARE(fired, 1);
        QCOMPARE(clock.now(), SimTime(3s));
        timer.startAt(1s); // an instant already past
        QVERIFY(clock.runNext());
        QCOMPARE(fired, 2);
        QCOMPARE(clock.now(), SimTime(3s));
    }

    void restart_movesTheDeadlineAndLeavesOneEvent() {
        SimScheduler clock;
        QList<SimTime> fired;
        Timer timer(clock, [&] { fired.append(clock.now()); });
        timer.startMs(100);
        QVERIFY(clock.runUntil(60ms));
        for (int i = 0; i < 1000; ++i)
            timer.startMs(100); // an idle timeout pushed back by every message
        QCOMPARE(clock.pendingEvents(), 1);
        QVERIFY(clock.runUntil(159ms));
        QVERIFY(fired.isEmpty());
        QVERIFY(clock.runAll());
        QCOMPARE(fired, (QList<SimTime>{160ms}));
        // Restarting earlier than the current deadline works too.
        timer.start(1s);
        timer.start(10ms);
        QVERIFY(clock.runAll());
        QCOMPARE(fired, (QList<SimTime>{160ms, 170ms}));
    }

    void stop_cancelsAndIsHarmlessTwice() {
        SimScheduler clock;
        int fired = 0;
        Timer timer(clock, [&] { ++fired; });
        timer.startRepeatingMs(10);
        timer.stop();
        timer.stop();
        QVERIFY(!timer.isActive());
        QVERIFY(!timer.isRepeating());
        QVERIFY(clock.runUntil(1s));
        QCOMPARE(fired, 0);
        QVERIFY(!clock.hasEvents());
    }

    void stopInsideItsOwnCallback_stopsARepeatingTimer() {
        SimScheduler clock;
        int fired = 0;
        Timer timer(clock);
        timer.setCallback([&] {
            QVERIFY(timer.isActive()); // a repeating timer is already armed for its next beat
            if (++fired == 3)
                timer.stop();
        });
        timer.startRepeatingMs(10);
        QVERIFY(clock.runUntil(1s));
        QCOMPARE(fired, 3);
        QVERIFY(!timer.isActive());
        QVERIFY(!clock.hasEvents());
    }

    void restartInsideItsOwnCallback_rearmsAOneShot() {
        SimScheduler clock;
        QList<SimTime> fired;
        Timer timer(clock);
        timer.setCallback([&] {
            QVERIFY(!timer.isActive()); // a one-shot is done when its callback runs
            fired.append(clock.now());
            if (fired.size() < 3)
                timer.startMs(7);
        });
        timer.startMs(7);
        QVERIFY(clock.runAll());
        QCOMPARE(fired, (QList<SimTime>{7ms, 14ms, 21ms}));
    }

    void oneShotStartedInsideARepeatingCallback_replacesTheRepetition() {
        SimScheduler clock;
        QList<SimTime> fired;
        Timer timer(clock);
        timer.setCallback([&] {
            fired.append(clock.now());
            if (fired.size() == 2)
                timer.startMs(100);
        });
        timer.startRepeatingMs(10);
        QVERIFY(clock.runUntil(1s));
        QCOMPARE(fired, (QList<SimTime>{10ms, 20ms, 120ms}));
        QVERIFY(!timer.isActive());
    }

    void destroyInsideItsOwnCallback_isSafe_data() {
        QTest::addColumn<bool>("repeating");
        QTest::newRow("one-shot") << false;
        QTest::newRow("repeating") << true;
    }
    void destroyInsideItsOwnCallback_isSafe() {
        QFETCH(bool, repeating);
        SimScheduler clock;
        int fired = 0;
        auto timer = std::make_unique<Timer>(clock);
        // The callback owns state that lives in its captures; it runs from a copy, so destroying the timer
        // (and the original callback with it) does not pull the captures from under it.
        auto counter = std::make_shared<int>(0);
        timer->setCallback([&, counter] {
            ++fired;
            timer.reset();
            ++*counter; // after the timer is gone
        });
        if (repeating)
            timer->startRepeatingMs(5);
        else
            timer->startMs(5);
        QVERIFY(clock.runUntil(1s));
        QCOMPARE(fired, 1);
        QCOMPARE(*counter, 1);
        QVERIFY(!timer);
        QVERIFY(!clock.hasEvents()); // a repeating timer's next beat went with it
    }

    void destroyedTimer_neverFires() {
        SimScheduler clock;
        int fired = 0;
        {
            Timer timer(clock, [&] { ++fired; });
            timer.startMs(1);
        }
        QVERIFY(clock.runUntil(1s));
        QCOMPARE(fired, 0);
    }

    void repeating_keepsAFixedRate() {
        SimScheduler clock(3ms);
        QList<SimTime> fired;
        Timer timer(clock, [&] { fired.append(clock.now()); });
        timer.startRepeatingMs(10);
        QVERIFY(timer.isRepeating());
        QVERIFY(clock.runUntil(53ms));
        QCOMPARE(fired, (QList<SimTime>{13ms, 23ms, 33ms, 43ms, 53ms}));
        QCOMPARE(timer.deadline(), SimTime(63ms));
    }

    void repeating_zeroIntervalIsOneMicrosecond() {
        SimScheduler clock;
        int fired = 0;
        Timer timer(clock, [&] { ++fired; });
        timer.startRepeating(SimTime::zero());
        QVERIFY(clock.runUntil(100us));
        QCOMPARE(fired, 100);
    }

    void repeating_lateStartSkipsMissedBeatsInsteadOfBunching() {
        // The first beat is long past (a thread that stalled, a grid laid down before now): it fires once,
        // now, then goes on on the grid without firing the beats it missed.
        SimScheduler clock(100ms);
        QList<SimTime> fired;
        Timer timer(clock, [&] { fired.append(clock.now()); });
        timer.startRepeatingAt(15ms, 10ms);
        QVERIFY(clock.runUntil(130ms));
        QCOMPARE(fired, (QList<SimTime>{100ms, 105ms, 115ms, 125ms}));
    }

    void repeating_beatOnNowIsSkippedToo() {
        // The grid passes through now exactly: the beat that is due now has just been fired late, so the
        // next is one interval on, not now again.
        SimScheduler clock(100ms);
        QList<SimTime> fired;
        Timer timer(clock, [&] { fired.append(clock.now()); });
        timer.startRepeatingAt(20ms, 10ms);
        QVERIFY(clock.runUntil(125ms));
        QCOMPARE(fired, (QList<SimTime>{100ms, 110ms, 120ms}));
    }

    void startRepeatingAt_firesAtFirstThenEveryInterval() {
        SimScheduler clock;
        QList<SimTime> fired;
        Timer timer(clock, [&] { fired.append(clock.now()); });
        timer.startRepeatingAt(250ms, 100ms);
        QCOMPARE(timer.deadline(), SimTime(250ms));
        QVERIFY(clock.runUntil(600ms));
        QCOMPARE(fired, (QList<SimTime>{250ms, 350ms, 450ms, 550ms}));
    }

    void remaining_countsDownToTheDeadline() {
        SimScheduler clock;
        Timer timer(clock);
        timer.start(1s);
        QCOMPARE(timer.remaining(), SimTime(1s));
        QVERIFY(clock.runUntil(400ms));
        QCOMPARE(timer.remaining(), SimTime(600ms));
        timer.stop();
        QCOMPARE(timer.remaining(), SimTime::zero());
    }

    void timersAtTheSameInstant_fireInStartOrder() {
        SimScheduler clock;
        QList<int> order;
        Timer first(clock, [&] { order.append(1); });
        Timer second(clock, [&] { order.append(2); });
        Timer third(clock, [&] { order.append(3); });
        second.startMs(10);
        first.startMs(10);
        third.startMs(10);
        first.startMs(10); // restarted: now the last one scheduled
        QVERIFY(clock.runAll());
        QCOMPARE(order, (QList<int>{2, 3, 1}));
    }
};

std::unique_ptr<QObject> swarmscope::createTimerTests() {
    return std::make_unique<TestTimer>();
}

#include "tst_timer.moc"
