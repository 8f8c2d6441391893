#include "EpollThread.h"
#include "TransportTests.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QSemaphore>
#include <QTest>
#include <QTimer>
#include <QTimerEvent>

#include <atomic>
#include <vector>

using namespace swarmscope;
using namespace swarmscope::transporttest;

namespace {

// Generous: the machines that run the suite are shared, and a late wake-up is not what these tests are
// about. Early is never allowed for a precise timer.
constexpr qint64 lateToleranceMs = 250;

qint64 elapsedMs(const QElapsedTimer& timer) {
    return timer.nsecsElapsed() / 1000000;
}

// A QObject with its own timers (QObject::startTimer), as QAbstractSocket and friends use them.
class Ticker : public QObject {
public:
    int ticks = 0;

protected:
    void timerEvent(QTimerEvent*) override { ++ticks; }
};

class ValueEvent : public QEvent {
public:
    static QEvent::Type kind() {
        static const auto type = QEvent::Type(QEvent::registerEventType());
        return type;
    }
    explicit ValueEvent(int v) : QEvent(kind()), value(v) {}
    int value;
};

class EventLog : public QObject {
public:
    std::vector<int> values;
    QSemaphore* done = nullptr;
    int expected = 0;

protected:
    bool event(QEvent* e) override {
        if (e->type() != ValueEvent::kind())
            return QObject::event(e);
        values.push_back(static_cast<ValueEvent*>(e)->value);
        if (int(values.size()) == expected)
            done->release();
        return true;
    }
};

} // namespace

class TestEpollTimers : public QObject {
    Q_OBJECT
private slots:
    void workerThread_runsOnTheEpollDispatcher() {
        EpollThread worker;
        const bool ours = worker.run([] {
            return qobject_cast<EpollEventDispatcher*>(QAbstractEventDispatcher::instance()) != nullptr;
        });
        QVERIFY(ours);
        QCOMPARE(QAbstractEventDispatcher::instance(&worker.thread()), worker.dispatcher());
        QVERIFY(worker.stop());
    }

    void singleShotTimers_fireInOrderAndNeverEarly() {
        EpollThread worker;
        struct Shot {
            int interval;
            qint64 atMs;
        };
        std::vector<Shot> shots;
        const std::vector<int> intervals = {40, 10, 30, 10, 20, 1};
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            auto* clock = new QElapsedTimer;
            clock->start();
            for (int interval : intervals) {
                QTimer::singleShot(interval, Qt::PreciseTimer, &loop, [&, clock, interval] {
                    shots.push_back({interval, elapsedMs(*clock)});
                    if (shots.size() == intervals.size()) {
                        delete clock;
                        loop.quit();
                    }
                });
            }
        }));
        std::vector<int> order;
        for (const Shot& shot : shots) {
            order.push_back(shot.interval);
            QVERIFY2(shot.atMs >= shot.interval, qPrintable(QString::number(shot.atMs)));
            QVERIFY2(shot.atMs - shot.interval < lateToleranceMs, qPrintable(QString::number(shot.atMs)));
        }
        QCOMPARE(order, (std::vector<int>{1, 10, 10, 20, 30, 40}));
    }

    void repeatingPreciseTimer_keepsItsPeriod() {
        EpollThread worker;
        std::vector<qint64> ticksNs;
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            auto* timer = new QTimer(&loop);
            auto* clock = new QElapsedTimer;
            timer->setTimerType(Qt::PreciseTimer);
            timer->setInterval(10);
            connect(timer, &QTimer::timeout, &loop, [&, timer, clock] {
                ticksNs.push_back(clock->nsecsElapsed());
                if (ticksNs.size() == 20) {
                    timer->stop();
                    delete clock;
                    loop.quit();
                }
            });
            clock->start();
            timer->start();
        }));
        QCOMPARE(ticksNs.size(), std::size_t(20));
        for (std::size_t k = 0; k < ticksNs.size(); ++k) // tick k+1 is due (k+1) intervals after the start
            QVERIFY2(ticksNs[k] >= qint64(k + 1) * 10000000, qPrintable(QString::number(k)));
        QVERIFY(ticksNs.back() / 1000000 < 200 + lateToleranceMs);
    }

    void coarseTimer_firesWithinFivePercent() {
        EpollThread worker;
        qint64 atMs = -1;
        QList<QAbstractEventDispatcher::TimerInfo> registered;
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            auto* timer = new QTimer(&loop);
            auto* clock = new QElapsedTimer;
            timer->setSingleShot(true);
            timer->setTimerType(Qt::CoarseTimer);
            connect(timer, &QTimer::timeout, &loop, [&, clock] {
                atMs = elapsedMs(*clock);
                delete clock;
                loop.quit();
            });
            clock->start();
            timer->start(200);
            registered = QAbstractEventDispatcher::instance()->registeredTimers(timer);
        }));
        QCOMPARE(registered.size(), 1);
        QCOMPARE(registered.front().interval, 200);
        QCOMPARE(registered.front().timerType, Qt::CoarseTimer);
        QVERIFY2(atMs >= 190 && atMs < 200 + lateToleranceMs, qPrintable(QString::number(atMs)));
    }

    void veryCoarseTimer_runsInWholeSeconds() {
        EpollThread worker;
        qint64 atMs = -1;
        QList<QAbstractEventDispatcher::TimerInfo> registered;
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            auto* timer = new QTimer(&loop);
            auto* clock = new QElapsedTimer;
            timer->setSingleShot(true);
            timer->setTimerType(Qt::VeryCoarseTimer);
            connect(timer, &QTimer::timeout, &loop, [&, clock] {
                atMs = elapsedMs(*clock);
                delete clock;
                loop.quit();
            });
            clock->start();
            timer->start(1300);
            registered = QAbstractEventDispatcher::instance()->registeredTimers(timer);
        }));
        QCOMPARE(registered.size(), 1);
        QCOMPARE(registered.front().interval, 1000);
        QCOMPARE(registered.front().timerType, Qt::VeryCoarseTimer);
        // One second, on a whole second of the clock: half a second either way.
        QVERIFY2(atMs >= 500 && atMs < 1500 + lateToleranceMs, qPrintable(QString::number(atMs)));
    }

    void zeroTimer_firesOnceOnEveryLoopPassWithoutStarvingOthers() {
        EpollThread worker;
        std::vector<int> passAtTick;
        bool postedDelivered = false;
        bool otherTimerFired = false;
        int passes = 0;
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            connect(QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, &loop,
                    [&] { ++passes; });
            auto* zero = new QTimer(&loop);
            zero->setInterval(0);
            connect(zero, &QTimer::timeout, &loop, [&, zero] {
                passAtTick.push_back(passes);
                if (passAtTick.size() == 1)
                    QMetaObject::invokeMethod(
                        &loop, [&] { postedDelivered = true; }, Qt::QueuedConnection);
                if (passAtTick.size() >= 100 && postedDelivered && otherTimerFired) {
                    zero->stop();
                    loop.quit();
                }
            });
            QTimer::singleShot(5, Qt::PreciseTimer, &loop, [&] { otherTimerFired = true; });
            zero->start();
        }));
        QVERIFY(postedDelivered);
        QVERIFY(otherTimerFired);
        QVERIFY(passAtTick.size() >= 100);
        for (std::size_t i = 1; i < passAtTick.size(); ++i)
            QVERIFY2(passAtTick[i] == passAtTick[i - 1] + 1, qPrintable(QString::number(i)));
    }

    void timerStoppedOrDeletedByAnEarlierTimeout_neverFires() {
        EpollThread worker;
        bool firstFired = false;
        bool stoppedFired = false;
        Ticker* doomed = nullptr;
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            auto* first = new QTimer(&loop);
            auto* stopped = new QTimer(&loop);
            doomed = new Ticker;
            for (QTimer* timer : {first, stopped}) {
                timer->setTimerType(Qt::PreciseTimer);
                timer->setSingleShot(true);
            }
            connect(first, &QTimer::timeout, &loop, [&, stopped] {
                firstFired = true;
                stopped->stop();
                delete doomed; // its timer goes with it (QObject's destructor unregisters it)
                doomed = nullptr;
            });
            connect(stopped, &QTimer::timeout, &loop, [&] { stoppedFired = true; });
            first->start(10);
            stopped->start(12);
            doomed->startTimer(11, Qt::PreciseTimer);
            // All three are overdue by the time the loop runs, so they expire in the same pass.
            QThread::msleep(30);
            QTimer::singleShot(60, Qt::PreciseTimer, &loop, &QEventLoop::quit);
        }));
        QVERIFY(firstFired);
        QVERIFY(!stoppedFired);
        QVERIFY(doomed == nullptr);
    }

    void timerRestartedInsideItsOwnTimeout_waitsTheNewInterval() {
        EpollThread worker;
        std::vector<qint64> ticksMs;
        QVERIFY(worker.runLoop([&](QEventLoop& loop) {
            auto* timer = new QTimer(&loop);
            auto* clock = new QElapsedTimer;
            timer->setTimerType(Qt::PreciseTimer);
            connect(timer, &QTimer::timeout, &loop, [&, timer, clock] {
                ticksMs.push_back(elapsedMs(*clock));
                if (ticksMs.size() == 1) {
                    timer->start(80); // kills and registers again, possibly under the same id
                } else if (ticksMs.size() == 3) {
                    timer->stop();
                    delete clock;
                    loop.quit();
                }
            });
            clock->start();
            timer->start(10);
        }));
        QCOMPARE(ticksMs.size(), std::size_t(3));
        QVERIFY2(ticksMs[1] - ticksMs[0] >= 80 - 1, qPrintable(QString::number(ticksMs[1] - ticksMs[0])));
        QVERIFY2(ticksMs[2] - ticksMs[0] >= 160 - 1, qPrintable(QString::number(ticksMs[2] - ticksMs[0])));
    }

    void remainingTime_countsDownAndIsZeroWhenOverdue() {
        EpollThread worker;
        struct Readings {
            int atStart = -2, after100ms = -2, overdue = -2, stopped = -2, unknown = -2;
        };
        const Readings r = worker.run([] {
            Readings out;
            QTimer timer;
            timer.setTimerType(Qt::PreciseTimer);
            timer.start(500);
            out.atStart = timer.remainingTime();
            QThread::msleep(100);
            out.after100ms = timer.remainingTime();
            QTimer shortOne;
            shortOne.setTimerType(Qt::PreciseTimer);
            shortOne.start(10);
            QThread::msleep(30); // no event loop runs here, so it stays overdue
            out.overdue = shortOne.remainingTime();
            timer.stop();
            out.stopped = timer.remainingTime();
            out.unknown = QAbstractEventDispatcher::instance()->remainingTime(999999);
            return out;
        });
        QVERIFY2(r.atStart > 450 && r.atStart <= 500, qPrintable(QString::number(r.atStart)));
        QVERIFY2(r.after100ms > 0 && r.after100ms <= 400, qPrintable(QString::number(r.after100ms)));
        QCOMPARE(r.overdue, 0);
        QCOMPARE(r.stopped, -1);
        QCOMPARE(r.unknown, -1);
    }

    void registeredTimers_listsAnObjectsTimersUntilKilled() {
        EpollThread worker;
        struct Seen {
            int afterStart = -1, afterKill = -1, afterUnregisterAll = -1;
            int firstInterval = -1;
            Qt::TimerType secondType = Qt::PreciseTimer;
        };
        const Seen seen = worker.run([] {
            Seen out;
            QAbstractEventDispatcher* dispatcher = QAbstractEventDispatcher::instance();
            Ticker ticker;
            const int first = ticker.startTimer(100, Qt::PreciseTimer);
            ticker.startTimer(250, Qt::CoarseTimer);
            ticker.startTimer(300, Qt::PreciseTimer);
            const auto timers = dispatcher->registeredTimers(&ticker);
            out.afterStart = int(timers.size());
            out.firstInterval = timers.value(0, {0, 0, Qt::PreciseTimer}).interval;
            out.secondType = timers.value(1, {0, 0, Qt::PreciseTimer}).timerType;
            ticker.killTimer(first);
            out.afterKill = int(dispatcher->registeredTimers(&ticker).size());
            dispatcher->unregisterTimers(&ticker);
            out.afterUnregisterAll = int(dispatcher->registeredTimers(&ticker).size());
            return out;
        });
        QCOMPARE(seen.afterStart, 3);
        QCOMPARE(seen.firstInterval, 100);
        QCOMPARE(seen.secondType, Qt::CoarseTimer);
        QCOMPARE(seen.afterKill, 2);
        QCOMPARE(seen.afterUnregisterAll, 0);
    }

    void eventsPostedFromAnotherThread_arriveInOrder() {
        QSemaphore done;
        EpollThread worker;
        auto* log = new EventLog;
        log->done = &done;
        log->expected = 2000;
        log->moveToThread(&worker.thread());
        for (int i = 0; i < log->expected; ++i)
            QCoreApplication::postEvent(log, new ValueEvent(i));
        QVERIFY(done.tryAcquire(1, 10000));
        const std::vector<int> values = worker.run([log] {
            std::vector<int> out = log->values;
            delete log;
            return out;
        });
        QCOMPARE(values.size(), std::size_t(2000));
        for (int i = 0; i < 2000; ++i)
            QCOMPARE(values[std::size_t(i)], i);
    }

    void deleteLater_deletesOnTheThreadsOwnLoop() {
        QSemaphore destroyed;
        EpollThread worker;
        worker.run([&] {
            auto* object = new QObject;
            connect(object, &QObject::destroyed, [&] { destroyed.release(); });
            object->deleteLater();
        });
        QVERIFY(destroyed.tryAcquire(1, 5000));
    }

    void wakeUpFromAnotherThread_unblocksAWaitingPass() {
        QSemaphore waiting;
        QSemaphore returned;
        std::atomic<qint64> blockedMs{-1};
        EpollThread worker; // declared last, so it is joined before the semaphores go
        QMetaObject::invokeMethod(
            worker.dispatcher(),
            [&] {
                QAbstractEventDispatcher* dispatcher = QAbstractEventDispatcher::instance();
                dispatcher->processEvents(QEventLoop::AllEvents); // drain any wake-up already signalled
                QElapsedTimer clock;
                waiting.release();
                clock.start();
                dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
                blockedMs = clock.elapsed();
                returned.release();
            },
            Qt::QueuedConnection);
        QVERIFY(waiting.tryAcquire(1, 5000));
        QVERIFY(!returned.tryAcquire(1, 150)); // nothing to do: it sleeps
        worker.dispatcher()->wakeUp();
        QVERIFY(returned.tryAcquire(1, 5000));
        QVERIFY2(blockedMs >= 140, qPrintable(QString::number(blockedMs)));
    }

    void interruptFromAnotherThread_endsAWaitingPass() {
        QSemaphore waiting;
        QSemaphore returned;
        EpollThread worker; // declared last, so it is joined before the semaphores go
        QMetaObject::invokeMethod(
            worker.dispatcher(),
            [&] {
                QAbstractEventDispatcher* dispatcher = QAbstractEventDispatcher::instance();
                dispatcher->processEvents(QEventLoop::AllEvents);
                waiting.release();
                dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
                returned.release();
            },
            Qt::QueuedConnection);
        QVERIFY(waiting.tryAcquire(1, 5000));
        QVERIFY(!returned.tryAcquire(1, 100));
        worker.dispatcher()->interrupt();
        QVERIFY(returned.tryAcquire(1, 5000));
    }

    void excludedTimers_waitForALaterPass() {
        EpollThread worker;
        struct Seen {
            bool firedWhileExcluded = true;
            bool firedAfter = false;
        };
        const Seen seen = worker.run([] {
            Seen out;
            QAbstractEventDispatcher* dispatcher = QAbstractEventDispatcher::instance();
            bool fired = false;
            QTimer timer;
            timer.setTimerType(Qt::PreciseTimer);
            timer.setSingleShot(true);
            connect(&timer, &QTimer::timeout, [&] { fired = true; });
            timer.start(5);
            QThread::msleep(20);
            dispatcher->processEvents(QEventLoop::X11ExcludeTimers);
            out.firedWhileExcluded = fired;
            dispatcher->processEvents(QEventLoop::AllEvents);
            out.firedAfter = fired;
            return out;
        });
        QVERIFY(!seen.firedWhileExcluded);
        QVERIFY(seen.firedAfter);
    }
};

std::unique_ptr<QObject> swarmscope::createEpollTimerTests() {
    return std::make_unique<TestEpollTimers>();
}

#include "tst_epolltimers.moc"
