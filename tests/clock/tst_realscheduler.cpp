#include "ClockTests.h"
#include "clock/RealScheduler.h"
#include "clock/Timer.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTest>

using namespace swarmscope;
using namespace std::chrono_literals;

class TestRealScheduler : public QObject {
    Q_OBJECT
private slots:
    void now_isTheSteadyClock() {
        RealScheduler scheduler;
        const SimTime before = RealScheduler::steadyNow();
        const SimTime now = scheduler.now();
        QVERIFY(now >= before);
        QVERIFY(now - before < 1s);
        QTest::qWait(20);
        QVERIFY(scheduler.now() - now >= 20ms);
    }

    void callbacks_runInTimeThenSchedulingOrder() {
        RealScheduler scheduler;
        QList<int> order;
        const SimTime base = scheduler.now();
        scheduler.callAt(base + 30ms, [&] { order.append(5); });
        scheduler.callAt(base + 10ms, [&] { order.append(2); });
        scheduler.callAt(base + 10ms, [&] { order.append(3); });
        scheduler.post([&] { order.append(0); });
        scheduler.callAt(base + 20ms, [&] { order.append(4); });
        scheduler.callAt(base - 1s, [&] { order.append(1); }); // long due: still after the post before it
        QVERIFY(order.isEmpty());                              // never from inside callAt
        QCOMPARE(scheduler.pendingCallbacks(), 6);
        QTRY_COMPARE(order.size(), 6);
        // Due ones by time: the one a second late comes first, then the post (due at base).
        QCOMPARE(order, (QList<int>{1, 0, 2, 3, 4, 5}));
        QCOMPARE(scheduler.pendingCallbacks(), 0);
    }

    void callbacks_neverRunBeforeTheirTime() {
        RealScheduler scheduler;
        int early = 0;
        int ran = 0;
        for (int i = 0; i < 50; ++i) {
            const SimTime at = scheduler.now() + SimTime(i * 613);
            scheduler.callAt(at, [&, at] {
                ++ran;
                if (scheduler.now() < at)
                    ++early;
            });
        }
        QTRY_COMPARE(ran, 50);
        QCOMPARE(early, 0);
    }

    void postsFromARunningCallback_runOnTheNextPass() {
        RealScheduler scheduler;
        QStringList order;
        QObject receiver;
        scheduler.post([&] {
            order.append(QStringLiteral("first"));
            scheduler.post([&] { order.append(QStringLiteral("posted by first")); });
            // Queued behind the pass: a socket event, say. It must come before the post made above.
            QMetaObject::invokeMethod(
                &receiver, [&] { order.append(QStringLiteral("event loop")); }, Qt::QueuedConnection);
        });
        scheduler.post([&] { order.append(QStringLiteral("second")); }); // same pass as the first
        QTRY_COMPARE(order.size(), 4);
        QCOMPARE(order, (QStringList{QStringLiteral("first"), QStringLiteral("second"),
                                     QStringLiteral("event loop"), QStringLiteral("posted by first")}));
    }

    void chainOfPosts_doesNotStarveTheEventLoop() {
        RealScheduler scheduler;
        int posts = 0;
        bool stop = false;
        std::function<void()> again = [&] {
            ++posts;
            if (!stop)
                scheduler.post(again);
        };
        scheduler.post(again);
        QObject receiver;
        bool handled = false;
        QMetaObject::invokeMethod(
            &receiver, [&] { handled = true; }, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(handled, 2000);
        stop = true;
        QVERIFY(posts >= 1);
        QTRY_VERIFY(scheduler.pendingCallbacks() == 0);
    }

    void timer_of20ms_firesOnTime() {
        RealScheduler scheduler;
        QElapsedTimer wall;
        qint64 firedAfterUs = -1;
        Timer timer(scheduler, [&] { firedAfterUs = wall.nsecsElapsed() / 1000; });
        wall.start();
        timer.startMs(20);
        QTRY_VERIFY_WITH_TIMEOUT(firedAfterUs >= 0, 2000);
        // Never early; late by at most a generous margin on a shared machine and a sanitized build.
        QVERIFY2(firedAfterUs >= 20'000 && firedAfterUs < 20'000 + 150'000,
                 qPrintable(QString::number(firedAfterUs)));
    }

    void repeatingTimer_keepsItsRateInRealTime() {
        RealScheduler scheduler;
        QList<SimTime> beats;
        Timer timer(scheduler, [&] { beats.append(scheduler.now()); });
        const SimTime start = scheduler.now();
        timer.startRepeatingAt(start + 10ms, 10ms);
        QTRY_VERIFY_WITH_TIMEOUT(beats.size() >= 10, 3000);
        timer.stop();
        // Never before the first slot of the grid, and never bunched: no more beats than slots so far.
        QVERIFY(beats.first() >= start + 10ms);
        for (qsizetype i = 1; i < beats.size(); ++i)
            QVERIFY(beats[i] > beats[i - 1]);
        QVERIFY2(
            beats.size() <= (beats.last() - start) / 10ms,
            qPrintable(
                QStringLiteral("%1 beats in %2 us").arg(beats.size()).arg((beats.last() - start).count())));
    }

    void cancel_keepsACallbackFromRunning() {
        RealScheduler scheduler;
        bool cancelledRan = false;
        bool postCancelledRan = false;
        bool laterRan = false;
        const Scheduler::Id soon = scheduler.callAfter(10ms, [&] { cancelledRan = true; });
        const Scheduler::Id posted = scheduler.post([&] { postCancelledRan = true; });
        scheduler.callAfter(40ms, [&] { laterRan = true; });
        scheduler.cancel(soon);
        scheduler.cancel(posted);
        scheduler.cancel(soon);        // twice
        scheduler.cancel(posted + 99); // unknown
        QCOMPARE(scheduler.pendingCallbacks(), 1);
        // The QTimer armed for the cancelled one finds nothing due, and is armed again for the later one.
        QTRY_VERIFY_WITH_TIMEOUT(laterRan, 2000);
        QVERIFY(!cancelledRan);
        QVERIFY(!postCancelledRan);
    }

    void cancelFromInsideACallback_ofOneDueInTheSamePass() {
        RealScheduler scheduler;
        bool victimRan = false;
        int ran = 0;
        Scheduler::Id victim = 0;
        scheduler.post([&] {
            ++ran;
            scheduler.cancel(victim);
        });
        victim = scheduler.post([&] { victimRan = true; });
        scheduler.post([&] { ++ran; });
        QTRY_COMPARE(ran, 2);
        QTest::qWait(10);
        QVERIFY(!victimRan);
    }

    void earlierCallback_scheduledWhileTheTimerWaitsForALaterOne_runsOnTime() {
        RealScheduler scheduler;
        QElapsedTimer wall;
        wall.start();
        qint64 earlyAtMs = -1;
        bool lateRan = false;
        scheduler.callAfter(500ms, [&] { lateRan = true; });
        scheduler.callAfter(20ms, [&] { earlyAtMs = wall.elapsed(); });
        QTRY_VERIFY_WITH_TIMEOUT(earlyAtMs >= 0, 2000);
        QVERIFY2(earlyAtMs >= 20 && earlyAtMs < 300, qPrintable(QString::number(earlyAtMs)));
        QVERIFY(!lateRan);
    }

    void destroyedScheduler_dropsWhatIsPending() {
        int ran = 0;
        {
            RealScheduler scheduler;
            scheduler.post([&] { ++ran; });
            scheduler.callAfter(1ms, [&] { ++ran; });
        }
        QTest::qWait(20);
        QCOMPARE(ran, 0);
    }
};

std::unique_ptr<QObject> swarmscope::createRealSchedulerTests() {
    return std::make_unique<TestRealScheduler>();
}

#include "tst_realscheduler.moc"
