#include "ClockTests.h"
#include "clock/EventQueue.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

struct Taken {
    SimTime at;
    Scheduler::Id id;
};

// Empties the queue, running each callback, and returns what came out in order.
std::vector<Taken> drain(EventQueue& queue, QList<int>* ran = nullptr) {
    std::vector<Taken> out;
    while (!queue.isEmpty()) {
        const Scheduler::Id id = queue.nextId();
        const SimTime next = queue.nextTime();
        SimTime at;
        Scheduler::Callback callback = queue.takeNext(&at);
        if (!callback || at != next)
            return {};
        out.push_back({at, id});
        if (ran)
            callback();
    }
    return out;
}

bool inOrder(const std::vector<Taken>& taken) {
    return std::is_sorted(taken.begin(), taken.end(), [](const Taken& a, const Taken& b) {
        return a.at != b.at ? a.at < b.at : a.id < b.id;
    });
}

} // namespace

class TestEventQueue : public QObject {
    Q_OBJECT
private slots:
    void empty_hasNoNextEntry() {
        EventQueue queue;
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.size(), 0);
        QCOMPARE(queue.nextTime(), SimTime::max());
        QCOMPARE(queue.nextId(), Scheduler::Id(0));
        SimTime at = 5ms;
        QVERIFY(!queue.takeNext(&at));
        QCOMPARE(at, SimTime(5ms)); // untouched
    }

    void ids_growFromOneAndNeverRepeat() {
        EventQueue queue;
        Scheduler::Id last = 0;
        for (int i = 0; i < 100; ++i) {
            const Scheduler::Id id = queue.push(SimTime(100 - i), [] {});
            QVERIFY(id > last);
            QCOMPARE(queue.lastId(), id);
            last = id;
            if (i % 3 == 0)
                queue.cancel(id);
        }
        QVERIFY(last != 0);
    }

    void entries_comeOutByTimeThenBySchedulingOrder() {
        EventQueue queue;
        QList<int> ran;
        const SimTime times[] = {30ms, 10ms, 20ms, 10ms, 30ms, 0ms, 10ms, 20ms};
        for (int i = 0; i < int(std::size(times)); ++i)
            queue.push(times[i], [&ran, i] { ran.append(i); });
        QCOMPARE(queue.size(), qsizetype(std::size(times)));
        const std::vector<Taken> taken = drain(queue, &ran);
        QCOMPARE(taken.size(), std::size(times));
        QVERIFY(inOrder(taken));
        QCOMPARE(ran, (QList<int>{5, 1, 3, 6, 2, 7, 0, 4}));
    }

    void cancel_removesOnlyThatEntry() {
        EventQueue queue;
        QList<int> ran;
        QList<Scheduler::Id> ids;
        for (int i = 0; i < 5; ++i)
            ids.append(queue.push(SimTime(i), [&ran, i] { ran.append(i); }));
        queue.cancel(ids[2]);
        QCOMPARE(queue.size(), 4);
        drain(queue, &ran);
        QCOMPARE(ran, (QList<int>{0, 1, 3, 4}));
    }

    void cancelOfTheTop_exposesTheNextEntry() {
        EventQueue queue;
        const Scheduler::Id first = queue.push(1ms, [] {});
        const Scheduler::Id second = queue.push(2ms, [] {});
        QCOMPARE(queue.nextId(), first);
        queue.cancel(first);
        QCOMPARE(queue.nextId(), second);
        QCOMPARE(queue.nextTime(), SimTime(2ms));
        queue.cancel(second);
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.nextTime(), SimTime::max());
        QVERIFY(!queue.takeNext());
    }

    void cancelOfUnknownOrFinishedIds_isIgnored() {
        EventQueue queue;
        const Scheduler::Id a = queue.push(1ms, [] {});
        const Scheduler::Id b = queue.push(2ms, [] {});
        QVERIFY(queue.takeNext());
        queue.cancel(a);        // already taken
        queue.cancel(b + 1000); // never pushed
        queue.cancel(0);        // the "no id" value
        queue.cancel(b);
        queue.cancel(b); // twice
        QVERIFY(queue.isEmpty());
        QCOMPARE(queue.size(), 0);
    }

    // An idle timeout restarted on every message: push, cancel, push, ... many thousand times.
    void repeatedRestarts_keepOneLiveEntryAndItsOrder() {
        EventQueue queue;
        const Scheduler::Id early = queue.push(5ms, [] {});
        const Scheduler::Id late = queue.push(SimTime(1h), [] {});
        Scheduler::Id restarted = queue.push(10ms, [] {});
        for (int i = 0; i < 20000; ++i) {
            queue.cancel(restarted);
            restarted = queue.push(SimTime(10ms) + SimTime(i), [] {});
            QCOMPARE(queue.size(), 3);
        }
        QCOMPARE(queue.nextId(), early);
        const std::vector<Taken> taken = drain(queue);
        QCOMPARE(taken.size(), size_t(3));
        QCOMPARE(taken[0].id, early);
        QCOMPARE(taken[1].id, restarted);
        QCOMPARE(taken[1].at, SimTime(10ms) + SimTime(19999));
        QCOMPARE(taken[2].id, late);
    }

    void compaction_keepsOrderAndCallbacks_data() {
        QTest::addColumn<int>("entries");
        QTest::addColumn<int>("keepOneIn");
        QTest::newRow("a few stale") << 100 << 2;
        QTest::newRow("mostly stale") << 1000 << 7;
        QTest::newRow("almost all stale") << 5000 << 97;
    }
    void compaction_keepsOrderAndCallbacks() {
        QFETCH(int, entries);
        QFETCH(int, keepOneIn);
        EventQueue queue;
        QRandomGenerator rng(42);
        struct Pushed {
            SimTime at;
            Scheduler::Id id;
            int label;
        };
        std::vector<Pushed> kept;
        QList<int> ran;
        for (int i = 0; i < entries; ++i) {
            // Few distinct times, so ties are common and their order is checked too.
            const SimTime at(rng.bounded(50));
            const Scheduler::Id id = queue.push(at, [&ran, i] { ran.append(i); });
            if (i % keepOneIn == 0)
                kept.push_back({at, id, i});
            else
                queue.cancel(id); // cancels go on while the heap grows: compaction runs in between
        }
        QCOMPARE(queue.size(), qsizetype(kept.size()));
        std::stable_sort(kept.begin(), kept.end(),
                         [](const Pushed& a, const Pushed& b) { return a.at < b.at; });
        const std::vector<Taken> taken = drain(queue, &ran);
        QCOMPARE(taken.size(), kept.size());
        QVERIFY(inOrder(taken));
        for (size_t i = 0; i < kept.size(); ++i) {
            QCOMPARE(taken[i].id, kept[i].id);
            QCOMPARE(ran[qsizetype(i)], kept[i].label);
        }
    }

    void compactionAfterPushesAndTakes_keepsOrder() {
        EventQueue queue;
        QRandomGenerator rng(7);
        std::vector<Taken> all;
        QList<Scheduler::Id> live;
        SimTime floor = SimTime::zero();
        // Pushes, cancels and takes interleaved, as a running scheduler does them.
        for (int round = 0; round < 3000; ++round) {
            const Scheduler::Id id = queue.push(floor + SimTime(rng.bounded(1000)), [] {});
            live.append(id);
            if (rng.bounded(3) != 0 && !live.isEmpty())
                queue.cancel(live.takeAt(rng.bounded(int(live.size()))));
            if (round % 5 == 0 && !queue.isEmpty()) {
                const Scheduler::Id next = queue.nextId();
                SimTime at;
                QVERIFY(queue.takeNext(&at));
                QVERIFY(at >= floor);
                floor = at; // as a clock would: nothing is pushed before now
                live.removeOne(next);
                all.push_back({at, next});
            }
        }
        QCOMPARE(queue.size(), live.size());
        const std::vector<Taken> rest = drain(queue);
        QVERIFY(inOrder(rest));
        QVERIFY(rest.empty() || rest.front().at >= floor);
        all.insert(all.end(), rest.begin(), rest.end());
        // Everything taken came out in time order.
        QVERIFY(std::is_sorted(all.begin(), all.end(),
                               [](const Taken& a, const Taken& b) { return a.at < b.at; }));
    }
};

std::unique_ptr<QObject> swarmscope::createEventQueueTests() {
    return std::make_unique<TestEventQueue>();
}

#include "tst_eventqueue.moc"
