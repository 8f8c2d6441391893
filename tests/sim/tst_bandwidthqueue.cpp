#include "SimTests.h"
#include "clock/SimScheduler.h"
#include "sim/BandwidthQueue.h"

#include <QTest>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

// A connection with a backlog, counting what the queue lets it move.
class FakeUser final : public BandwidthUser {
public:
    explicit FakeUser(qint64 backlog) : backlog(backlog) {}
    qint64 bandwidthWanted(Direction) const override { return backlog; }
    void bandwidthGranted(Direction, qint64 bytes) override {
        grants.append(bytes);
        granted += bytes;
        backlog -= bytes;
    }
    qint64 backlog;
    qint64 granted = 0;
    QList<qint64> grants;
};

} // namespace

class TestBandwidthQueue : public QObject {
    Q_OBJECT
private slots:
    void unlimited_grantsEverythingAtOnce() {
        SimScheduler clock;
        RateLimiter limiter;
        BandwidthQueue queue(Direction::Upload, limiter, clock);
        FakeUser user(10 * MiB);
        queue.enqueue(&user);
        QCOMPARE(user.granted, 10 * MiB);
        QCOMPARE(queue.waiting(), 0);
        QVERIFY(!queue.isTimerActive());
    }

    void manyConnections_shareTheCapFairlyAndExactly_data() {
        QTest::addColumn<qint64>("rate");
        QTest::addColumn<int>("connections");
        QTest::newRow("1 KiB/s x 5") << KiB << 5;
        QTest::newRow("1 MiB/s x 50") << MiB << 50;
        QTest::newRow("64 MiB/s x 300") << 64 * MiB << 300;
    }
    void manyConnections_shareTheCapFairlyAndExactly() {
        QFETCH(qint64, rate);
        QFETCH(int, connections);
        SimScheduler clock;
        RateLimiter limiter(rate, clock.now());
        BandwidthQueue queue(Direction::Download, limiter, clock);
        std::vector<std::unique_ptr<FakeUser>> users;
        for (int i = 0; i < connections; ++i) {
            users.push_back(std::make_unique<FakeUser>(qint64(1) << 40));
            queue.enqueue(users.back().get());
        }
        // Wakes a little late and irregularly, as a busy event loop would.
        for (int step = 0; clock.now() < 10s; ++step) {
            clock.runUntil(clock.now() + SimTime(700 + (step * 7919) % 3000));
            queue.serve();
        }
        qint64 total = 0;
        for (const auto& user : users)
            total += user->granted;
        const qint64 cap = rate * clock.now().count() / 1'000'000;
        QVERIFY2(total <= cap && total >= cap * 99 / 100,
                 qPrintable(QStringLiteral("%1 of %2").arg(total).arg(cap)));
        const qint64 fair = total / connections;
        for (const auto& user : users)
            QVERIFY2(qAbs(user->granted - fair) <= qMax(fair / 10, BandwidthQueue::grantSize(limiter, true)),
                     qPrintable(QStringLiteral("%1, fair share %2").arg(user->granted).arg(fair)));
        QVERIFY(queue.isTimerActive()); // still waiting for the next grant
    }

    void grants_areWholeAndBounded() {
        SimScheduler clock;
        RateLimiter limiter(MiB, clock.now());
        BandwidthQueue queue(Direction::Upload, limiter, clock);
        FakeUser user(MiB);
        queue.enqueue(&user);
        QCOMPARE(user.granted, 0); // an empty bucket grants nothing yet
        QVERIFY(queue.isTimerActive());
        clock.runUntil(clock.now() + 50ms);
        queue.serve();
        // On a virtual clock a grant is the whole bucket (20 ms of the cap): in 50 ms, two of them, each whole.
        const qint64 size = BandwidthQueue::grantSize(limiter, clock.wakesOnTime());
        QCOMPARE(size, limiter.bucketSize());
        for (qint64 grant : user.grants)
            QCOMPARE(grant, size);
        QCOMPARE(user.grants.size(), qsizetype(MiB * 50 / 1000 / size));
        // On the wall clock, half a bucket (about 10 ms of the cap), the rest being slack for a late wake.
        QCOMPARE(BandwidthQueue::grantSize(limiter, false), limiter.bucketSize() / 2);
    }

    void finishedUsers_leaveTheLine() {
        SimScheduler clock;
        RateLimiter limiter(MiB, clock.now());
        BandwidthQueue queue(Direction::Upload, limiter, clock);
        FakeUser small(100), big(MiB);
        queue.enqueue(&small);
        queue.enqueue(&big);
        clock.runUntil(clock.now() + 1s);
        queue.serve();
        QCOMPARE(small.granted, 100);
        QCOMPARE(queue.waiting(), 1);
        queue.remove(&big);
        QCOMPARE(queue.waiting(), 0);
        QVERIFY(!queue.isTimerActive());
    }

    void rateChange_isServedAtOnce() {
        SimScheduler clock;
        RateLimiter limiter(KiB, clock.now());
        BandwidthQueue queue(Direction::Upload, limiter, clock);
        FakeUser user(MiB);
        queue.enqueue(&user);
        clock.runUntil(clock.now() + 1s);
        queue.serve();
        const qint64 slow = user.granted;
        QVERIFY(slow <= KiB);
        limiter.setRate(0, clock.now());
        queue.serve();
        QCOMPARE(user.granted, MiB);
    }
};

std::unique_ptr<QObject> swarmscope::createBandwidthQueueTests() {
    return std::make_unique<TestBandwidthQueue>();
}

#include "tst_bandwidthqueue.moc"
