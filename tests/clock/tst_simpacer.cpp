#include "ClockTests.h"
#include "clock/SimPacer.h"
#include "clock/Timer.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <thread>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

// An event every `every` of virtual time, for ever: a simulation that never runs dry.
class Metronome {
public:
    Metronome(SimScheduler& clock, SimTime every) : m_timer(clock, [this] { ++beats; }) {
        m_timer.startRepeating(every);
    }
    qint64 beats = 0;

private:
    Timer m_timer;
};

} // namespace

class TestSimPacer : public QObject {
    Q_OBJECT
private slots:
    void startsPaused_andRunsNothing() {
        SimScheduler clock;
        SimPacer pacer(clock);
        QVERIFY(pacer.isPaused());
        QCOMPARE(pacer.speed(), 1.0);
        bool ran = false;
        clock.callAt(SimTime::zero(), [&] { ran = true; });
        QTest::qWait(50);
        QVERIFY(!ran);
        QCOMPARE(clock.now(), SimTime::zero());
    }

    void setSpeed_clampsToTheRange_data() {
        QTest::addColumn<double>("asked");
        QTest::addColumn<double>("expected");
        QTest::newRow("too slow") << 0.01 << SimPacer::kMinSpeed;
        QTest::newRow("in range") << 3.5 << 3.5;
        QTest::newRow("too fast") << 1000.0 << SimPacer::kMaxSpeed;
        QTest::newRow("zero: as fast as possible") << 0.0 << 0.0;
        QTest::newRow("negative: as fast as possible") << -2.0 << 0.0;
    }
    void setSpeed_clampsToTheRange() {
        QFETCH(double, asked);
        QFETCH(double, expected);
        SimScheduler clock;
        SimPacer pacer(clock);
        pacer.setSpeed(asked);
        QCOMPARE(pacer.speed(), expected);
    }

    void step_advancesExactlyDtAndStaysPaused() {
        SimScheduler clock(1s);
        SimPacer pacer(clock);
        QSignalSpy advanced(&pacer, &SimPacer::advanced);
        QList<SimTime> ran;
        clock.callAt(1010ms, [&] { ran.append(clock.now()); });
        clock.callAt(1020ms, [&] { ran.append(clock.now()); }); // exactly at the end of the step: runs
        clock.callAt(1021ms, [&] { ran.append(clock.now()); });
        pacer.step(20ms);
        QCOMPARE(clock.now(), SimTime(1020ms));
        QCOMPARE(ran, (QList<SimTime>{1010ms, 1020ms}));
        QVERIFY(pacer.isPaused());
        QCOMPARE(advanced.size(), 1);
        QCOMPARE(advanced.first().first().value<SimTime>(), SimTime(1020ms));
        pacer.step(SimTime(7)); // as small as a step gets
        QCOMPARE(clock.now(), SimTime(1020007us));
        pacer.step(SimTime::zero());
        pacer.step(-5ms);
        QCOMPARE(clock.now(), SimTime(1020007us));
        QCOMPARE(advanced.size(), 2);
        QTest::qWait(30);
        QCOMPARE(ran.size(), 2); // still paused
    }

    void step_isIgnoredWhileRunning() {
        SimScheduler clock;
        SimPacer pacer(clock);
        pacer.setSpeed(1.0);
        pacer.setPaused(false);
        const SimTime before = clock.now();
        pacer.step(1h);
        QVERIFY(clock.now() - before < 1s);
        pacer.setPaused(true);
    }

    void speed10x_runsTenVirtualSecondsInAWallSecond() {
        SimScheduler clock;
        SimPacer pacer(clock);
        Metronome metronome(clock, 10ms);
        pacer.setSpeed(10);
        QElapsedTimer wall;
        wall.start();
        pacer.setPaused(false);
        QTest::qWait(1000);
        pacer.setPaused(true);
        const double wallSeconds = double(wall.nsecsElapsed()) / 1e9;
        const double virtualSeconds = double(clock.now().count()) / 1e6;
        const double speed = virtualSeconds / wallSeconds;
        // Never ahead of the speed asked (beyond timing noise), and not far behind it on a busy machine.
        QVERIFY2(
            speed > 7.0 && speed < 10.5,
            qPrintable(QStringLiteral("%1 virtual s in %2 wall s").arg(virtualSeconds).arg(wallSeconds)));
        QCOMPARE(metronome.beats, clock.now() / 10ms); // every event on the way ran
        QVERIFY2(pacer.achievedSpeed() == 0.0, "cleared on pause");
        // Paused: the clock stands.
        const SimTime stopped = clock.now();
        QTest::qWait(50);
        QCOMPARE(clock.now(), stopped);
    }

    void speed0_runsAsFastAsPossibleAndYieldsToTheEventLoop() {
        SimScheduler clock;
        SimPacer pacer(clock);
        Metronome metronome(clock, 1ms);
        pacer.setSpeed(0);
        QObject receiver;
        std::atomic<bool> handled = false;
        SimTime handledAt = SimTime::zero();
        QElapsedTimer wall;
        wall.start();
        pacer.setPaused(false);
        // A command from another thread, as the GUI sends them: it must get through while the run goes on.
        std::thread commander([&] {
            std::this_thread::sleep_for(50ms);
            QMetaObject::invokeMethod(
                &receiver,
                [&] {
                    handledAt = clock.now();
                    pacer.setPaused(true);
                    handled = true;
                },
                Qt::QueuedConnection);
        });
        QTRY_VERIFY_WITH_TIMEOUT(handled, 5000);
        commander.join();
        const qint64 wallMs = wall.elapsed();
        QVERIFY(pacer.isPaused());
        QCOMPARE(clock.now(), handledAt); // paused between two events, where the command was handled
        // Far faster than real time: at least ten times even in a sanitized build.
        QVERIFY2(
            handledAt > 10 * fromMs(wallMs),
            qPrintable(QStringLiteral("%1 us virtual in %2 ms wall").arg(handledAt.count()).arg(wallMs)));
        QCOMPARE(metronome.beats, handledAt / 1ms);
    }

    // Running dry is not a pause: only setPaused() and setPauseAt() pause, and new events (a command from the
    // GUI, a peer joining) run when they come.
    void speed0_withNothingToDo_staysRunningAndWaitsForNewEvents() {
        SimScheduler clock;
        SimPacer pacer(clock);
        QSignalSpy paused(&pacer, &SimPacer::pausedChanged);
        pacer.setSpeed(0);
        pacer.setPaused(false);
        QTest::qWait(30);
        QVERIFY(!pacer.isPaused());
        QCOMPARE(paused.size(), 1);             // only the unpause
        QCOMPARE(clock.now(), SimTime::zero()); // as fast as possible, yet no event: no time passes
        bool ran = false;
        clock.callAt(5s, [&] { ran = true; });
        QTRY_VERIFY_WITH_TIMEOUT(ran, 2000);
        QCOMPARE(clock.now(), SimTime(5s));
        pacer.setPaused(true);
    }

    void pauseFromInsideAnEvent_stopsTheClockRightAfterIt_data() {
        QTest::addColumn<double>("speed");
        QTest::newRow("as fast as possible") << 0.0;
        QTest::newRow("100x") << 100.0;
    }
    void pauseFromInsideAnEvent_stopsTheClockRightAfterIt() {
        QFETCH(double, speed);
        SimScheduler clock;
        SimPacer pacer(clock);
        QSignalSpy paused(&pacer, &SimPacer::pausedChanged);
        QList<int> ran;
        clock.callAt(100ms, [&] { ran.append(1); });
        clock.callAt(200ms, [&] {
            ran.append(2);
            pacer.setPaused(true);
        });
        clock.callAt(200ms, [&] { ran.append(3); }); // the same instant, after the pause
        clock.callAt(300ms, [&] { ran.append(4); });
        pacer.setSpeed(speed);
        pacer.setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(pacer.isPaused(), 5000);
        QTest::qWait(30);
        QCOMPARE(ran, (QList<int>{1, 2}));
        QCOMPARE(clock.now(), SimTime(200ms));
        QCOMPARE(paused.size(), 2); // false, then true
        QCOMPARE(paused.last().first().toBool(), true);
        // Resumed, it goes on with the event after the one that paused.
        pacer.setPaused(false);
        QTRY_COMPARE_WITH_TIMEOUT(ran.size(), 4, 5000);
        QCOMPARE(ran, (QList<int>{1, 2, 3, 4}));
        pacer.setPaused(true);
    }

    void setPauseAt_stopsExactlyThere_data() {
        QTest::addColumn<double>("speed");
        QTest::newRow("as fast as possible") << 0.0;
        QTest::newRow("100x") << 100.0;
        QTest::newRow("10x") << 10.0;
    }
    void setPauseAt_stopsExactlyThere() {
        QFETCH(double, speed);
        SimScheduler clock;
        SimPacer pacer(clock);
        Metronome metronome(clock, 7ms);
        bool atPauseRan = false;
        clock.callAt(350ms, [&] { atPauseRan = true; }); // at the pause instant: runs
        pacer.setSpeed(speed);
        pacer.setPauseAt(350ms);
        pacer.setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(pacer.isPaused(), 5000);
        QCOMPARE(clock.now(), SimTime(350ms));
        QVERIFY(atPauseRan);
        QCOMPARE(metronome.beats, 350 / 7); // every beat up to 350 ms, and the one at 350 ms itself
        QTest::qWait(30);
        QCOMPARE(clock.now(), SimTime(350ms));
        // A later limit lets it go on, to exactly there.
        pacer.setPauseAt(500ms);
        pacer.setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(pacer.isPaused(), 5000);
        QCOMPARE(clock.now(), SimTime(500ms));
        QCOMPARE(metronome.beats, 500 / 7);
    }

    void advanced_reportsTheClockWhileRunning() {
        SimScheduler clock;
        SimPacer pacer(clock);
        QList<SimTime> reported;
        connect(&pacer, &SimPacer::advanced, &pacer, [&](SimTime now) {
            QCOMPARE(now, clock.now());
            reported.append(now);
        });
        pacer.setSpeed(50);
        pacer.setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(reported.size() >= 5, 3000);
        pacer.setPaused(true);
        QVERIFY(std::is_sorted(reported.begin(), reported.end()));
        QVERIFY(reported.last() > SimTime::zero());
    }
};

std::unique_ptr<QObject> swarmscope::createSimPacerTests() {
    return std::make_unique<TestSimPacer>();
}

#include "tst_simpacer.moc"
