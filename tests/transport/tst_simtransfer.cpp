#include "NetworkTests.h"
#include "SimLab.h"
#include "clock/Timer.h"

#include <QRandomGenerator>
#include <QTest>

#include <array>

using namespace swarmscope;
using namespace swarmscope::nettest;
using namespace std::chrono_literals;

namespace {

struct LinkSettings {
    SimTime latency = SimTime::zero();
    SimTime jitter = SimTime::zero();
    qint64 up = 0;
    qint64 down = 0;
};

void apply(SimulatedLink& link, const LinkSettings& s) {
    link.setLatency(s.latency, s.jitter);
    link.setUploadRate(s.up);
    link.setDownloadRate(s.down);
}

// Writes data in chunks of random size: half of it at once, the rest a chunk per millisecond.
class ChunkWriter {
public:
    ChunkWriter(End& end, Scheduler& clock, QByteArray data, quint32 seed)
        : m_end(end), m_data(std::move(data)), m_rng(seed), m_timer(clock, [this] { writeChunk(); }) {
        while (m_at < m_data.size() / 2)
            writeChunk();
        m_timer.startRepeatingMs(1);
    }
    bool done() const { return m_at >= m_data.size(); }

private:
    void writeChunk() {
        if (done()) {
            m_timer.stop();
            return;
        }
        const qsizetype n = qMin<qsizetype>(1 + m_rng.bounded(40000), m_data.size() - m_at);
        m_end.write(m_data.mid(m_at, n));
        m_at += n;
    }
    End& m_end;
    QByteArray m_data;
    QRandomGenerator m_rng;
    qsizetype m_at = 0;
    Timer m_timer;
};

// n connections from A to B's listener, ends[i] at A and accepted[i] at B.
bool connectMany(SimLab& lab, int n, std::vector<std::unique_ptr<End>>& ends,
                 std::vector<std::unique_ptr<End>>& accepted) {
    QObject::connect(lab.listener.get(), &Listener::newConnection, lab.listener.get(), [&] {
        while (lab.listener->hasPendingConnections()) {
            accepted.push_back(std::make_unique<End>());
            accepted.back()->attach(lab.listener->nextPendingConnection(), lab.clock);
        }
    });
    for (int i = 0; i < n; ++i) {
        ends.push_back(std::make_unique<End>());
        ends.back()->attach(lab.hostA->connectTo(addressB(), kPort), lab.clock);
    }
    return lab.runUntil([&] {
        if (int(accepted.size()) < n)
            return false;
        for (const auto& end : ends)
            if (!end->connected)
                return false;
        return true;
    });
}

} // namespace

Q_DECLARE_METATYPE(LinkSettings)

// Moving bytes on the simulated network: order, caps, latency, counting and determinism, in virtual time.
class TestSimTransfer : public QObject {
    Q_OBJECT
private slots:
    void randomChunksBothWays_arriveByteIdenticalAndInOrder_data() {
        QTest::addColumn<LinkSettings>("a");
        QTest::addColumn<LinkSettings>("b");
        QTest::newRow("transparent") << LinkSettings{} << LinkSettings{};
        QTest::newRow("latency") << LinkSettings{20ms, 0us, 0, 0} << LinkSettings{30ms, 0us, 0, 0};
        QTest::newRow("latency and jitter") << LinkSettings{5ms, 20ms, 0, 0} << LinkSettings{3ms, 10ms, 0, 0};
        QTest::newRow("jitter only") << LinkSettings{0ms, 7ms, 0, 0} << LinkSettings{0ms, 0ms, 0, 0};
        QTest::newRow("caps, latency and jitter")
            << LinkSettings{5ms, 20ms, 2 * MiB, 1 * MiB} << LinkSettings{3ms, 10ms, 512 * KiB, 4 * MiB};
        QTest::newRow("slow caps") << LinkSettings{1ms, 1ms, 300 * KiB, 0}
                                   << LinkSettings{0ms, 0ms, 0, 200 * KiB};
    }
    void randomChunksBothWays_arriveByteIdenticalAndInOrder() {
        QFETCH(LinkSettings, a);
        QFETCH(LinkSettings, b);
        SimPair lab;
        apply(lab.linkA, a);
        apply(lab.linkB, b);
        QVERIFY(lab.open());
        const QByteArray toB = randomBytes(MiB, 1);
        const QByteArray toA = randomBytes(256 * KiB, 2);
        ChunkWriter writerA(lab.a, lab.clock, toB, 3);
        ChunkWriter writerB(lab.b, lab.clock, toA, 4);
        QVERIFY(lab.runUntil(
            [&] { return lab.b.received.size() >= toB.size() && lab.a.received.size() >= toA.size(); },
            lab.clock.now() + 60s));
        QVERIFY(lab.b.received == toB);
        QVERIFY(lab.a.received == toA);
        QCOMPARE(lab.a.sent, toB.size());
        QCOMPARE(lab.b.sent, toA.size());
        QCOMPARE(lab.a->bytesToWrite(), 0);
        QVERIFY(lab.a->isFlushed());
        QCOMPARE(lab.a.reentered + lab.b.reentered, 0);
    }

    void uploadCap_movesRateTimesTime_data() {
        QTest::addColumn<qint64>("rate");
        QTest::addColumn<qint64>("ms");
        QTest::newRow("1 KiB/s for 10 s") << KiB << qint64(10000);
        QTest::newRow("64 KiB/s for 3 s") << 64 * KiB << qint64(3000);
        QTest::newRow("1 MiB/s for 2 s") << MiB << qint64(2000);
        QTest::newRow("16 MiB/s for 1 s") << 16 * MiB << qint64(1000);
        QTest::newRow("1 GiB/s for 20 ms") << 1024 * MiB << qint64(20);
    }
    void uploadCap_movesRateTimesTime() {
        QFETCH(qint64, rate);
        QFETCH(qint64, ms);
        SimPair lab;
        QVERIFY(lab.open());
        const SimTime start = lab.clock.now();
        lab.linkA.setUploadRate(rate); // an empty bucket from here: no head start
        const qint64 budget = rate * ms / 1000;
        const qint64 backlog = budget + MiB;
        for (qint64 at = 0; at < backlog; at += 256 * KiB)
            lab.a.write(QByteArray(qMin(256 * KiB, backlog - at), 'x'));
        QVERIFY(lab.clock.runUntil(start + fromMs(ms)));
        const qint64 grant = BandwidthQueue::grantSize(lab.linkA.uploadLimiter(), true);
        QVERIFY2(lab.a.sent <= budget && lab.a.sent >= budget - grant,
                 qPrintable(
                     QStringLiteral("%1 sent, %2 allowed, grant %3").arg(lab.a.sent).arg(budget).arg(grant)));
        QCOMPARE(lab.b.received.size(), lab.a.sent); // no latency: what crossed is what arrived
        QCOMPARE(lab.a->bytesToWrite(), backlog - lab.a.sent);
    }

    void downloadCap_readsAtTheCapAndHoldsTheSenderBack() {
        SimPair lab;
        lab.linkA.setLatency(10ms);
        lab.linkB.setLatency(10ms);
        QVERIFY(lab.open());
        const SimTime start = lab.clock.now();
        constexpr qint64 rate = 256 * KiB;
        lab.linkB.setDownloadRate(rate);
        // Offered at 6.4 MiB/s, 25 times what B takes in.
        Timer writer(lab.clock, [&] { lab.a.write(QByteArray(64 * KiB, 'y')); });
        writer.startRepeatingAt(start, 10ms);
        qint64 mostInFlight = 0;
        const qint64 grant = BandwidthQueue::grantSize(lab.linkB.downloadLimiter(), true);
        constexpr qint64 window = 256 * KiB; // the smallest window; two round trips of 256 KiB/s are less
        qint64 waiting = -1;
        for (int second = 1; second <= 3; ++second) {
            const SimTime t = start + std::chrono::seconds(second);
            // One event at a time, to look at the bytes on their way at the end of every instant.
            while (lab.clock.nextEventTime() <= t) {
                lab.clock.runNext();
                if (lab.clock.nextEventTime() > lab.clock.now())
                    mostInFlight = qMax(mostInFlight, lab.a.sent - lab.b.received.size());
            }
            QVERIFY(lab.clock.runUntil(t));
            const qint64 read = lab.b.received.size();
            const qint64 most = rate * second;
            const qint64 least =
                rate * (second * 1000 - 20) / 1000 - grant; // the first bytes took 20 ms to come
            QVERIFY2(read <= most && read >= least,
                     qPrintable(QStringLiteral("%1 read by %2 s, expected %3..%4")
                                    .arg(read)
                                    .arg(second)
                                    .arg(least)
                                    .arg(most)));
            // Backpressure: what B cannot take waits at A, and grows; on the way there is at most a window.
            QVERIFY2(lab.a.sent - read <= window, qPrintable(QString::number(lab.a.sent - read)));
            QVERIFY(lab.a->bytesToWrite() > waiting);
            waiting = lab.a->bytesToWrite();
            QCOMPARE(waiting, (second * 100 + 1) * 64 * KiB - lab.a.sent);
        }
        QVERIFY2(mostInFlight <= window, qPrintable(QString::number(mostInFlight)));
        QVERIFY(mostInFlight > window / 2); // the window, not something smaller, is what held A back
    }

    void severalConnections_shareTheHostsCapFairly_data() {
        QTest::addColumn<bool>("upload");
        QTest::addColumn<int>("connections");
        QTest::newRow("A's upload, 3") << true << 3;
        QTest::newRow("A's upload, 10") << true << 10;
        QTest::newRow("B's download, 3") << false << 3;
        QTest::newRow("B's download, 10") << false << 10;
    }
    void severalConnections_shareTheHostsCapFairly() {
        QFETCH(bool, upload);
        QFETCH(int, connections);
        SimLab lab;
        std::vector<std::unique_ptr<End>> ends, accepted;
        QVERIFY(connectMany(lab, connections, ends, accepted));
        constexpr qint64 rate = 300 * KiB;
        const SimTime start = lab.clock.now();
        if (upload)
            lab.linkA.setUploadRate(rate);
        else
            lab.linkB.setDownloadRate(rate);
        for (auto& end : ends)
            end->write(QByteArray(MiB, 'z')); // more than a fair share of 4 s at the cap
        QVERIFY(lab.clock.runUntil(start + 4s));
        qint64 total = 0;
        for (const auto& end : accepted)
            total += end->received.size();
        const qint64 grant =
            BandwidthQueue::grantSize(upload ? lab.linkA.uploadLimiter() : lab.linkB.downloadLimiter(), true);
        QVERIFY2(total <= rate * 4 && total >= rate * 4 - grant,
                 qPrintable(QStringLiteral("%1 of %2").arg(total).arg(rate * 4)));
        const qint64 fair = total / connections;
        for (const auto& end : accepted)
            QVERIFY2(qAbs(end->received.size() - fair) <= grant,
                     qPrintable(QStringLiteral("%1, fair share %2").arg(end->received.size()).arg(fair)));
    }

    void uploadCapChangedLive_takesEffectAtOnce() {
        SimPair lab;
        QVERIFY(lab.open());
        const SimTime start = lab.clock.now();
        const qint64 rates[] = {MiB, 100 * KiB, 4 * MiB, 16 * KiB};
        lab.linkA.setUploadRate(rates[0]);
        for (int i = 1; i < 4; ++i)
            lab.clock.callAt(start + std::chrono::seconds(i),
                             [&lab, rate = rates[i]] { lab.linkA.setUploadRate(rate); });
        lab.a.write(QByteArray(8 * MiB, 'c'));
        qint64 before = 0;
        for (int i = 0; i < 4; ++i) {
            QVERIFY(lab.clock.runUntil(start + std::chrono::seconds(i + 1)));
            const qint64 moved = lab.a.sent - before;
            before = lab.a.sent;
            RateLimiter shape(rates[i]);
            // Credit saved at the old rate is cut to the new bucket; a grant may be left waiting at the end.
            const qint64 most = rates[i] + shape.bucketSize();
            const qint64 least = rates[i] - 2 * BandwidthQueue::grantSize(shape, true);
            QVERIFY2(moved >= least && moved <= most,
                     qPrintable(QStringLiteral("second %1: %2 at %3 B/s").arg(i).arg(moved).arg(rates[i])));
        }
    }

    void downloadCapLifted_letsTheRestThroughAtOnce() {
        SimPair lab;
        QVERIFY(lab.open());
        const SimTime start = lab.clock.now();
        lab.linkB.setDownloadRate(64 * KiB);
        lab.a.write(randomBytes(MiB, 12));
        lab.clock.callAt(start + 1s, [&] { lab.linkB.setDownloadRate(0); });
        QVERIFY(lab.clock.runUntil(start + 1s - SimTime(1)));
        QVERIFY(lab.b.received.size() <= 64 * KiB);
        QVERIFY(lab.clock.runUntil(start + 1s));
        QCOMPARE(lab.b.received.size(), MiB); // no latency: all of it at the instant the cap went
        QVERIFY(lab.b.received == randomBytes(MiB, 12));
    }

    void latency_dataSentAtTArrivesAtTPlusBothLatencies_data() {
        QTest::addColumn<qint64>("latencyAUs");
        QTest::addColumn<qint64>("jitterAUs");
        QTest::addColumn<qint64>("latencyBUs");
        QTest::addColumn<qint64>("jitterBUs");
        QTest::newRow("A only") << qint64(40'000) << qint64(0) << qint64(0) << qint64(0);
        QTest::newRow("both") << qint64(25'000) << qint64(0) << qint64(12'345) << qint64(0);
        QTest::newRow("with jitter") << qint64(10'000) << qint64(15'000) << qint64(5'000) << qint64(3'000);
        QTest::newRow("jitter larger than the gaps")
            << qint64(1'000) << qint64(50'000) << qint64(0) << qint64(0);
    }
    void latency_dataSentAtTArrivesAtTPlusBothLatencies() {
        QFETCH(qint64, latencyAUs);
        QFETCH(qint64, jitterAUs);
        QFETCH(qint64, latencyBUs);
        QFETCH(qint64, jitterBUs);
        SimPair lab;
        lab.linkA.setLatency(SimTime(latencyAUs), SimTime(jitterAUs));
        lab.linkB.setLatency(SimTime(latencyBUs), SimTime(jitterBUs));
        QVERIFY(lab.open());
        // A 100-byte message every 3 ms; each crosses A's (unlimited) link as it is written.
        constexpr int messages = 100;
        QList<SimTime> sentAt;
        Timer writer(lab.clock, [&] {
            sentAt.append(lab.clock.now());
            lab.a.write(QByteArray(100, char('a' + sentAt.size() % 26)));
            if (sentAt.size() == messages)
                writer.stop();
        });
        writer.startRepeatingAt(lab.clock.now(), 3ms);
        QVERIFY(lab.runUntil([&] { return lab.b.received.size() == messages * 100; }));
        const SimTime least(latencyAUs + latencyBUs);
        const SimTime most(latencyAUs + latencyBUs + jitterAUs + jitterBUs);
        qsizetype before = 0;
        QSet<qint64> delays;
        for (const auto& [when, total] : std::as_const(lab.b.arrivals)) {
            for (qsizetype message = before / 100; message < total / 100; ++message) {
                const SimTime delay = when - sentAt[message];
                QVERIFY2(delay >= least && delay <= most,
                         qPrintable(QStringLiteral("message %1: %2 us").arg(message).arg(delay.count())));
                delays.insert(delay.count());
            }
            before = total;
        }
        if (jitterAUs + jitterBUs == 0)
            QCOMPARE(delays.size(), 1);
        else
            QVERIFY(delays.size() > 10);
    }

    void bytesSent_sumsToWhatThePeerRead() {
        SimPair lab;
        apply(lab.linkA, {7ms, 9ms, 700 * KiB, 900 * KiB});
        apply(lab.linkB, {2ms, 4ms, 500 * KiB, 0});
        QVERIFY(lab.open());
        QRandomGenerator rng(9);
        qint64 cancelled = 0;
        // Writes both ways, some taken back while still waiting for the cap.
        Timer writer(lab.clock, [&] {
            for (End* end : {&lab.a, &lab.b}) {
                const quint64 id = end->write(randomBytes(1 + rng.bounded(30000), rng.generate()));
                if (rng.bounded(4) == 0) {
                    const qint64 before = (*end)->bytesToWrite();
                    if (end->cancelWrite(id))
                        cancelled += before - (*end)->bytesToWrite();
                }
            }
        });
        writer.startRepeatingMs(5);
        QVERIFY(lab.clock.runUntil(lab.clock.now() + 2s));
        writer.stop();
        lab.a.close();
        lab.b.close();
        QVERIFY(lab.runUntil([&] { return lab.a.closed && lab.b.closed; }, lab.clock.now() + 60s));
        QVERIFY(cancelled > 0);
        QVERIFY(lab.a.sent > MiB);
        QCOMPARE(lab.a.sent, lab.b.received.size());
        QCOMPARE(lab.b.sent, lab.a.received.size());
        QCOMPARE(lab.a.reentered + lab.b.reentered, 0);
    }

    void sameSeeds_sameArrivalTimes_otherSeeds_otherTimes() {
        const auto run = [](quint64 seedA, quint64 seedB) {
            SimPair lab(seedA, seedB);
            lab.linkA.setLatency(10ms, 20ms);
            lab.linkB.setLatency(5ms, 8ms);
            lab.linkA.setUploadRate(MiB);
            if (!lab.open())
                return QList<std::pair<SimTime, qsizetype>>();
            QRandomGenerator rng(1); // the test's operations are the same in every run
            Timer writer(lab.clock, [&] {
                lab.a.write(QByteArray(1 + rng.bounded(5000), 'd'));
                lab.b.write(QByteArray(1 + rng.bounded(2000), 'e'));
            });
            writer.startRepeatingMs(2);
            lab.clock.runUntil(lab.clock.now() + 1s);
            QList<std::pair<SimTime, qsizetype>> out = lab.b.arrivals;
            out.append({SimTime::zero(), 0}); // a separator
            out.append(lab.a.arrivals);
            return out;
        };
        const auto first = run(5, 6);
        QVERIFY(first.size() > 200);
        QVERIFY(first == run(5, 6));
        QVERIFY(first != run(5, 7));
        QVERIFY(first != run(8, 6));
    }
};

std::unique_ptr<QObject> swarmscope::createSimTransferTests() {
    return std::make_unique<TestSimTransfer>();
}

#include "tst_simtransfer.moc"
