#include "SimTests.h"
#include "sim/DelayLine.h"

#include <QTest>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

QByteArray chunk(int n) {
    return QByteArray::number(n);
}

} // namespace

class TestDelayLine : public QObject {
    Q_OBJECT
private slots:
    void latency_deliversExactlyOnTime() {
        DelayLine line;
        line.setLatency(100ms);
        line.push("a", 1s);
        QCOMPARE(line.nextDeadline(), std::optional<SimTime>(1s + 100ms));
        QVERIFY(line.popReady(1s + 100ms - 1us).isEmpty());
        QCOMPARE(line.popReady(1s + 100ms), QList<QByteArray>{"a"});
        QVERIFY(line.isEmpty());
        QCOMPARE(line.nextDeadline(), std::nullopt);
    }

    void jitter_staysWithinLatencyPlusJitter() {
        DelayLine line(7);
        line.setLatency(50ms, 20ms);
        SimTime smallest = SimTime::max(), largest = SimTime::min();
        for (int i = 0; i < 2000; ++i) {
            const SimTime now = SimTime(1s) * i; // far apart, so ordering never holds a chunk back
            line.push(chunk(i), now);
            const SimTime delay = *line.nextDeadline() - now;
            smallest = qMin(smallest, delay);
            largest = qMax(largest, delay);
            QCOMPARE(line.popReady(now + 70ms).size(), 1);
        }
        QVERIFY(smallest >= 50ms && largest <= 70ms);
        QVERIFY(smallest < 51ms && largest > 69ms); // uniform over the whole range
    }

    void jitter_neverReorders() {
        DelayLine line(3);
        line.setLatency(10ms, 50ms);
        for (int i = 0; i < 1000; ++i)
            line.push(chunk(i), SimTime(i * 10));
        QList<QByteArray> out;
        SimTime last = SimTime::zero();
        for (SimTime now = 0us; now <= 100ms; now += 137us) {
            if (const auto due = line.nextDeadline())
                QVERIFY(*due >= last);
            for (QByteArray& c : line.popReady(now))
                out.append(c);
            if (const auto due = line.nextDeadline())
                last = *due;
        }
        QCOMPARE(out.size(), 1000);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(out[i], chunk(i));
    }

    void latencyChange_appliesToNewChunksWithoutReordering() {
        DelayLine line;
        line.setLatency(100ms);
        line.push("old", 0us);
        line.setLatency(0us);
        QVERIFY(!line.isPassThrough()); // something is still in the line
        line.push("new", 1ms);
        QVERIFY(line.popReady(50ms).isEmpty()); // "new" waits for "old"
        QCOMPARE(line.popReady(100ms), (QList<QByteArray>{"old", "new"}));
        QVERIFY(line.isPassThrough());
        line.setLatency(20ms);
        line.push("later", 200ms);
        QCOMPARE(line.nextDeadline(), std::optional<SimTime>(220ms));
    }

    void sameSeed_sameSchedule() {
        const auto schedule = [](quint64 seed) {
            DelayLine line(seed);
            line.setLatency(5ms, 30ms);
            QList<SimTime> out;
            for (int i = 0; i < 100; ++i) {
                line.push(chunk(i), SimTime(1s) * i);
                out.append(*line.nextDeadline());
                line.popReady(SimTime(1s) * (i + 1));
            }
            return out;
        };
        QCOMPARE(schedule(11), schedule(11));
        QVERIFY(schedule(11) != schedule(12));
    }

    void zeroLatency_isPassThrough() {
        DelayLine line;
        QVERIFY(line.isPassThrough());
        line.setLatency(0us, 1us);
        QVERIFY(!line.isPassThrough());
        line.setLatency(0us);
        line.push("x", 5us);
        QCOMPARE(line.queuedBytes(), 1);
        QCOMPARE(line.popReady(5us), QList<QByteArray>{"x"});
        QCOMPARE(line.queuedBytes(), 0);
    }

    void emptyChunks_areDropped() {
        DelayLine line;
        line.setLatency(1ms);
        line.push(QByteArray(), 0us);
        QVERIFY(line.isEmpty());
    }
};

std::unique_ptr<QObject> swarmscope::createDelayLineTests() {
    return std::make_unique<TestDelayLine>();
}

#include "tst_delayline.moc"
