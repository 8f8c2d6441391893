#include "TransportTests.h"
#include "transport/DispatcherTimerQueue.h"

#include <QTest>
#include <QTimerEvent>

#include <functional>
#include <vector>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

using TimePoint = DispatcherTimerQueue::TimePoint;
using Duration = DispatcherTimerQueue::Clock::duration;

// An instant with a ragged sub-second part, so that rounding has something to do.
const TimePoint t0 = TimePoint(1000s + 3217us);

// Records the timer events it receives and runs a hook for each.
class TimerLog : public QObject {
public:
    std::vector<int> fired;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent* event) override {
        fired.push_back(event->timerId());
        if (onTimer)
            onTimer(event->timerId());
    }
};

TimePoint nextExpiry(const DispatcherTimerQueue& queue, TimePoint now) {
    return now + queue.timeUntilNext(now).value_or(Duration::max() / 2);
}

qint64 msSinceEpoch(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool isWholeMs(TimePoint t) {
    return t.time_since_epoch() % 1ms == Duration::zero();
}

} // namespace

class TestDispatcherTimerQueue : public QObject {
    Q_OBJECT
private slots:
    void preciseTimer_firesAtItsIntervalNeverEarly() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 100, Qt::PreciseTimer, &log, t0);
        QCOMPARE(queue.timeUntilNext(t0), std::optional<Duration>(100ms));
        QCOMPARE(queue.fireDue(t0 + 100ms - 1ns), 0);
        QVERIFY(log.fired.empty());
        QCOMPARE(queue.fireDue(t0 + 100ms), 1);
        QCOMPARE(log.fired, std::vector<int>{1});
        QCOMPARE(nextExpiry(queue, t0 + 100ms), t0 + 200ms);
    }

    void coarseTimer_movesOntoARoundInstantWithinFivePercent_data() {
        QTest::addColumn<int>("interval");
        QTest::addColumn<int>("grid"); // ms: the expiry lands on a multiple of it
        QTest::newRow("21 ms") << 21 << 1;
        QTest::newRow("49 ms") << 49 << 1;
        QTest::newRow("50 ms") << 50 << 5;
        QTest::newRow("99 ms") << 99 << 5;
        QTest::newRow("100 ms") << 100 << 10;
        QTest::newRow("250 ms") << 250 << 10;
        QTest::newRow("500 ms") << 500 << 50;
        QTest::newRow("1234 ms") << 1234 << 100;
        QTest::newRow("5000 ms") << 5000 << 500;
        QTest::newRow("19999 ms") << 19999 << 1000;
    }
    void coarseTimer_movesOntoARoundInstantWithinFivePercent() {
        QFETCH(int, interval);
        QFETCH(int, grid);
        for (const Duration offset : {Duration(0ms), Duration(7ms), Duration(333333us), Duration(999999us)}) {
            DispatcherTimerQueue queue;
            TimerLog log;
            const TimePoint start = t0 + offset;
            queue.add(1, interval, Qt::CoarseTimer, &log, start);
            TimePoint ideal = start;
            // Fifty expiries in a row: each within 5% of its ideal instant, so the error never accumulates.
            for (int i = 0; i < 50; ++i) {
                ideal += std::chrono::milliseconds(interval);
                const TimePoint expiry = nextExpiry(queue, start);
                QVERIFY2(isWholeMs(expiry) && msSinceEpoch(expiry) % grid == 0,
                         qPrintable(QString::number(i)));
                const auto error = expiry > ideal ? expiry - ideal : ideal - expiry;
                QVERIFY2(error * 20 <= std::chrono::milliseconds(interval), qPrintable(QString::number(i)));
                QCOMPARE(queue.fireDue(expiry), 1);
            }
            QCOMPARE(queue.timersOf(&log).front().timerType, Qt::CoarseTimer);
        }
    }

    void coarseTimer_under20msIsPreciseAndFrom20sVeryCoarse() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 20, Qt::CoarseTimer, &log, t0);
        queue.add(2, 20000, Qt::CoarseTimer, &log, t0);
        const auto timers = queue.timersOf(&log);
        QCOMPARE(timers.size(), 2);
        QCOMPARE(timers[0].timerType, Qt::PreciseTimer);
        QCOMPARE(timers[1].timerType, Qt::VeryCoarseTimer);
        QCOMPARE(timers[1].interval, 20000);
        QCOMPARE(nextExpiry(queue, t0), t0 + 20ms);
    }

    void veryCoarseTimer_runsInWholeSeconds_data() {
        QTest::addColumn<int>("interval");
        QTest::addColumn<int>("seconds");
        QTest::newRow("400 ms is one second, not zero") << 400 << 1;
        QTest::newRow("1499 ms") << 1499 << 1;
        QTest::newRow("1500 ms") << 1500 << 2;
        QTest::newRow("2600 ms") << 2600 << 3;
    }
    void veryCoarseTimer_runsInWholeSeconds() {
        QFETCH(int, interval);
        QFETCH(int, seconds);
        for (const Duration offset : {Duration(0ms), Duration(499ms), Duration(501ms)}) {
            DispatcherTimerQueue queue;
            TimerLog log;
            const TimePoint start = t0 + offset;
            queue.add(1, interval, Qt::VeryCoarseTimer, &log, start);
            QCOMPARE(queue.timersOf(&log).front().interval, seconds * 1000);
            TimePoint expiry = nextExpiry(queue, start);
            for (int i = 0; i < 5; ++i) {
                QCOMPARE(expiry.time_since_epoch() % 1s, Duration::zero());
                const auto error = expiry - (start + std::chrono::seconds(seconds * (i + 1)));
                QVERIFY(error >= -500ms && error <= 500ms);
                QCOMPARE(queue.fireDue(expiry), 1);
                expiry = nextExpiry(queue, expiry);
            }
        }
    }

    void repeatingTimer_keepsItsPhaseAndSkipsMissedExpiries() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 10, Qt::PreciseTimer, &log, t0);
        QCOMPARE(queue.fireDue(t0 + 13ms), 1); // 3 ms late: the next one is still due at 20 ms
        QCOMPARE(nextExpiry(queue, t0 + 13ms), t0 + 20ms);
        QCOMPARE(queue.fireDue(t0 + 45ms), 1); // 20, 30 and 40 missed: one event, then a fresh interval
        QCOMPARE(log.fired.size(), std::size_t(2));
        QCOMPARE(nextExpiry(queue, t0 + 45ms), t0 + 55ms);
    }

    void equalExpiries_fireInRegistrationOrder() {
        DispatcherTimerQueue queue;
        TimerLog log;
        for (int id : {5, 3, 9, 1})
            queue.add(id, 10, Qt::PreciseTimer, &log, t0);
        queue.add(7, 5, Qt::PreciseTimer, &log, t0);
        QCOMPARE(queue.fireDue(t0 + 10ms), 5);
        QCOMPARE(log.fired, (std::vector<int>{7, 5, 3, 9, 1}));
    }

    void zeroTimer_firesOncePerPass() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 0, Qt::CoarseTimer, &log, t0);
        queue.add(2, 0, Qt::PreciseTimer, &log, t0);
        QCOMPARE(queue.timeUntilNext(t0), std::optional<Duration>(Duration::zero()));
        QCOMPARE(queue.fireDue(t0), 0); // fired, but zero-interval timers are not counted
        QCOMPARE(log.fired, (std::vector<int>{1, 2}));
        QCOMPARE(queue.timeUntilNext(t0), std::optional<Duration>(Duration::zero()));
        queue.fireDue(t0);
        QCOMPARE(log.fired, (std::vector<int>{1, 2, 1, 2}));
    }

    void timerKilledByAnEarlierHandler_doesNotFire() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 10, Qt::PreciseTimer, &log, t0);
        queue.add(2, 10, Qt::PreciseTimer, &log, t0);
        queue.add(3, 10, Qt::PreciseTimer, &log, t0);
        log.onTimer = [&](int id) {
            if (id == 1)
                QVERIFY(queue.remove(2));
        };
        QCOMPARE(queue.fireDue(t0 + 10ms), 2);
        QCOMPARE(log.fired, (std::vector<int>{1, 3}));
        QCOMPARE(queue.count(), 2);
    }

    void objectDeletedByAnEarlierHandler_losesItsTimers() {
        DispatcherTimerQueue queue;
        TimerLog killer;
        auto victim = std::make_unique<TimerLog>();
        QObject* const victimAddress = victim.get(); // only compared, never used after the delete
        queue.add(1, 10, Qt::PreciseTimer, &killer, t0);
        queue.add(2, 10, Qt::PreciseTimer, victim.get(), t0);
        queue.add(3, 10, Qt::PreciseTimer, victim.get(), t0);
        killer.onTimer = [&](int) {
            QVERIFY(queue.removeAll(victim.get())); // what QObject's destructor asks the dispatcher
            victim.reset();
        };
        QCOMPARE(queue.fireDue(t0 + 10ms), 1);
        QCOMPARE(queue.count(), 1);
        QVERIFY(!queue.removeAll(victimAddress));
    }

    void timerRestartedInItsOwnHandler_waitsTheNewInterval() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 10, Qt::PreciseTimer, &log, t0);
        log.onTimer = [&](int id) {
            QVERIFY(queue.remove(id)); // what QTimer::start() does to a running timer: kill, then register
            queue.add(id, 50, Qt::PreciseTimer, &log, t0 + 10ms);
        };
        QCOMPARE(queue.fireDue(t0 + 10ms), 1);
        log.onTimer = nullptr;
        QCOMPARE(queue.fireDue(t0 + 59ms), 0);
        QCOMPARE(queue.fireDue(t0 + 60ms), 1);
        QCOMPARE(log.fired, (std::vector<int>{1, 1}));
    }

    void singleShotKilledInItsOwnHandler_isGone() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(4, 10, Qt::PreciseTimer, &log, t0);
        log.onTimer = [&](int id) { QVERIFY(queue.remove(id)); };
        QCOMPARE(queue.fireDue(t0 + 10ms), 1);
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.timeUntilNext(t0 + 10ms), std::nullopt);
        QCOMPARE(queue.remainingMs(4, t0 + 10ms), -1);
    }

    void nestedPassInsideAHandler_skipsThatTimerButFiresOthers() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 10, Qt::PreciseTimer, &log, t0);
        queue.add(2, 25, Qt::PreciseTimer, &log, t0);
        std::optional<Duration> waitSeenInside;
        log.onTimer = [&](int id) {
            if (id != 1 || log.fired.size() != 1)
                return;
            // A nested event loop 15 ms later: timer 1 is due again (at 20 ms) but still in its handler.
            waitSeenInside = queue.timeUntilNext(t0 + 25ms);
            QCOMPARE(queue.fireDue(t0 + 25ms), 1);
        };
        QCOMPARE(queue.fireDue(t0 + 10ms), 1);
        QCOMPARE(log.fired, (std::vector<int>{1, 2}));
        QCOMPARE(waitSeenInside, std::optional<Duration>(Duration::zero())); // timer 2, not timer 1
        QCOMPARE(nextExpiry(queue, t0 + 25ms), t0 + 30ms); // timer 1 moved on without firing
    }

    void remainingMs_roundsUpAndIsZeroWhenDue() {
        DispatcherTimerQueue queue;
        TimerLog log;
        queue.add(1, 100, Qt::PreciseTimer, &log, t0);
        QCOMPARE(queue.remainingMs(1, t0), 100);
        QCOMPARE(queue.remainingMs(1, t0 + 500us), 100);
        QCOMPARE(queue.remainingMs(1, t0 + 99ms), 1);
        QCOMPARE(queue.remainingMs(1, t0 + 100ms), 0);
        QCOMPARE(queue.remainingMs(1, t0 + 1s), 0);
        QCOMPARE(queue.remainingMs(2, t0), -1);
    }

    void timersOf_listsOnlyThatObjectsTimers() {
        DispatcherTimerQueue queue;
        TimerLog a;
        TimerLog b;
        queue.add(1, 100, Qt::PreciseTimer, &a, t0);
        queue.add(2, 300, Qt::CoarseTimer, &b, t0);
        queue.add(3, 5000, Qt::VeryCoarseTimer, &a, t0);
        const auto ofA = queue.timersOf(&a);
        QCOMPARE(ofA.size(), 2);
        QCOMPARE(ofA[0].timerId, 1);
        QCOMPARE(ofA[0].interval, 100);
        QCOMPARE(ofA[1].timerId, 3);
        QCOMPARE(ofA[1].timerType, Qt::VeryCoarseTimer);
        QVERIFY(queue.removeAll(&a));
        QVERIFY(queue.timersOf(&a).isEmpty());
        QCOMPARE(queue.count(), 1);
        QCOMPARE(queue.timersOf(&b).front().timerId, 2);
    }
};

std::unique_ptr<QObject> swarmscope::createDispatcherTimerQueueTests() {
    return std::make_unique<TestDispatcherTimerQueue>();
}

#include "tst_dispatchertimerqueue.moc"
