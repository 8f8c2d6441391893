#include "SimTests.h"
#include "sim/RateLimiter.h"

#include <QRandomGenerator>
#include <QTest>

using namespace swarmscope;
using namespace std::chrono_literals;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr qint64 GiB = 1024 * MiB;

// Request sizes a connection might ask for.
qint64 requestSize(QRandomGenerator& rng, const QString& pattern) {
    if (pattern == QLatin1String("small"))
        return 1 + rng.bounded(1500);
    if (pattern == QLatin1String("large"))
        return 16 * KiB + rng.bounded(int(4 * MiB));
    return rng.bounded(2) ? 1 + rng.bounded(1500) : 16 * KiB + 13;
}

// Saturating demand from now to end in irregular steps: every step asks until the bucket says no.
// Returns the bytes granted and checks the cap is never exceeded at any step.
qint64 saturate(RateLimiter& limiter, SimTime& now, SimTime end, const QString& pattern, quint32 seed,
                qint64 creditAtStart, bool* neverAhead) {
    QRandomGenerator rng(seed);
    const SimTime start = now;
    qint64 total = 0;
    *neverAhead = true;
    while (now < end) {
        now = qMin(end, now + SimTime(50 + rng.bounded(20000)));
        for (;;) {
            const qint64 ask = requestSize(rng, pattern);
            const qint64 granted = limiter.request(ask, now);
            total += granted;
            if (granted < ask)
                break;
        }
        // Never more than rate x elapsed (plus what the bucket held at the start).
        if (total * 1'000'000 > limiter.rate() * (now - start).count() + creditAtStart * 1'000'000)
            *neverAhead = false;
    }
    return total;
}

void addRates() {
    QTest::addColumn<qint64>("rate");
    QTest::addColumn<QString>("pattern");
    for (const auto& [name, rate] :
         {std::pair{"1 KiB/s", KiB}, std::pair{"1 MiB/s", MiB}, std::pair{"1 GiB/s", GiB},
          std::pair{"1000 B/s", qint64(1000)}, std::pair{"33 KiB/s", 33 * KiB}}) {
        for (const char* pattern : {"small", "large", "mixed"})
            QTest::newRow(
                qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(name), QLatin1String(pattern))))
                << rate << QString::fromLatin1(pattern);
    }
}

} // namespace

class TestRateLimiter : public QObject {
    Q_OBJECT
private slots:
    void unlimited_passesEverythingForFree() {
        RateLimiter limiter;
        QVERIFY(limiter.isUnlimited());
        QCOMPARE(limiter.request(qint64(1) << 50, 0us), qint64(1) << 50);
        QCOMPARE(limiter.timeUntilAvailable(qint64(1) << 50, 0us), 0us);
        limiter.consume(GiB, 0us);
        QCOMPARE(limiter.request(GiB, 0us), GiB);
        QCOMPARE(limiter.bucketSize(), 0);
    }

    void accuracy_tenSecondsWithinOnePercent_data() { addRates(); }
    void accuracy_tenSecondsWithinOnePercent() {
        QFETCH(qint64, rate);
        QFETCH(QString, pattern);
        RateLimiter limiter(rate, 0us);
        SimTime now = 0us;
        bool neverAhead = false;
        const qint64 total = saturate(limiter, now, 10s, pattern, quint32(rate), 0, &neverAhead);
        const qint64 expected = rate * 10;
        QVERIFY2(neverAhead, "granted more than rate x elapsed at some moment");
        QVERIFY2(total <= expected && total >= expected * 99 / 100,
                 qPrintable(QStringLiteral("granted %1 of %2").arg(total).arg(expected)));
    }

    void wholeBlocks_throughDebt_keepTheAverage_data() {
        QTest::addColumn<qint64>("rate");
        QTest::newRow("1 KiB/s") << KiB;
        QTest::newRow("10 KiB/s") << 10 * KiB;
        QTest::newRow("1 MiB/s") << MiB;
        QTest::newRow("1 GiB/s") << GiB;
    }
    void wholeBlocks_throughDebt_keepTheAverage() {
        // A sender that must move whole 16 KiB piece messages, even through a bucket smaller than one.
        QFETCH(qint64, rate);
        const qint64 block = 16 * KiB + 13;
        RateLimiter limiter(rate, 0us);
        SimTime now = 0us;
        qint64 sent = 0;
        for (int i = 0; i < 500; ++i) {
            const SimTime wait = limiter.timeUntilAvailable(block, now);
            QVERIFY(wait <= 17s); // never forever, even when the bucket is smaller than the block
            now += wait;
            limiter.consume(block, now);
            sent += block;
            QVERIFY(sent * 1'000'000 <= rate * now.count() + (block + limiter.bucketSize()) * 1'000'000);
        }
        const double average = double(sent) / (double(now.count()) / 1e6);
        QVERIFY2(qAbs(average / double(rate) - 1.0) < 0.01, qPrintable(QString::number(average)));
    }

    void setRate_takesEffectAtOnce_data() {
        QTest::addColumn<qint64>("from");
        QTest::addColumn<qint64>("to");
        QTest::newRow("1 MiB/s -> 100 KiB/s") << MiB << 100 * KiB;
        QTest::newRow("1 KiB/s -> 1 GiB/s") << KiB << GiB;
        QTest::newRow("1 GiB/s -> 1 KiB/s") << GiB << KiB;
        QTest::newRow("256 KiB/s -> 4 MiB/s") << 256 * KiB << 4 * MiB;
    }
    void setRate_takesEffectAtOnce() {
        QFETCH(qint64, from);
        QFETCH(qint64, to);
        RateLimiter limiter(from, 0us);
        SimTime now = 0us;
        bool neverAhead = false;
        const qint64 first = saturate(limiter, now, 5s, QStringLiteral("mixed"), 1, 0, &neverAhead);
        QVERIFY(neverAhead);
        limiter.setRate(to, now);
        QCOMPARE(limiter.rate(), to);
        // What the old rate left in the bucket (at most the new bucket's worth, and the fraction of a byte
        // that balance() rounds away) may still go out.
        const qint64 credit = qMax<qint64>(0, limiter.balance(now)) + 1;
        QVERIFY(credit <= limiter.bucketSize() + 1);
        const qint64 second = saturate(limiter, now, 10s, QStringLiteral("mixed"), 2, credit, &neverAhead);
        QVERIFY2(neverAhead, "the new rate was exceeded");
        QVERIFY(first <= from * 5 && first >= from * 5 * 99 / 100);
        QVERIFY2(second <= to * 5 && second >= to * 5 * 99 / 100,
                 qPrintable(QStringLiteral("%1 of %2").arg(second).arg(to * 5)));
    }

    void setRate_releasesNoBurst() {
        RateLimiter limiter(GiB, 0us);
        QCOMPARE(limiter.available(1s), limiter.bucketSize()); // idle: 20 ms of 1 GiB/s saved up
        limiter.setRate(KiB, 1s);
        QVERIFY(limiter.request(GiB, 1s) <= KiB / 50 + 1);
    }

    void setRate_keepsTheTimeADebtNeeds() {
        RateLimiter limiter(KiB, 0us);
        limiter.consume(16 * KiB, 0us);
        const SimTime before = limiter.timeUntilAvailable(1, 0us);
        QVERIFY(before > 15s);
        limiter.setRate(2 * KiB, 0us);
        const SimTime after = limiter.timeUntilAvailable(1, 0us);
        QVERIFY2(qAbs((after - before).count()) < 1000, qPrintable(QString::number(after.count())));
    }

    void fromUnlimited_startsEmpty() {
        RateLimiter limiter;
        limiter.setRate(MiB, 5s);
        QCOMPARE(limiter.request(1000, 5s), 0);
        QCOMPARE(limiter.request(GiB, 5s + 1ms), MiB / 1000); // 1048.576 bytes, whole bytes only
    }

    void toUnlimited_passesEverything() {
        RateLimiter limiter(KiB, 0us);
        limiter.consume(MiB, 0us); // deep in debt
        limiter.setRate(0, 1s);
        QCOMPARE(limiter.request(GiB, 1s), GiB);
        QCOMPARE(limiter.timeUntilAvailable(GiB, 1s), 0us);
    }

    void idleBurst_isAtMostOneBucket() {
        RateLimiter limiter(MiB, 0us);
        QCOMPARE(limiter.bucketSize(), MiB / 50);
        QCOMPARE(limiter.request(GiB, 100s), MiB / 50);
        QCOMPARE(limiter.request(GiB, 100s), 0);
    }

    void timeUntilAvailable_isExact() {
        QRandomGenerator rng(42);
        for (qint64 rate : {qint64(1), qint64(7), KiB, 3 * MiB + 7, GiB}) {
            RateLimiter limiter(rate, 0us);
            SimTime now = 0us;
            for (int i = 0; i < 200; ++i) {
                now += SimTime(rng.bounded(30000));
                limiter.request(rng.bounded(int(qMin(rate, qint64(1) << 20))) + 1, now);
                const qint64 want = rng.bounded(100000) + 1;
                const qint64 grantable = qMin(want, limiter.bucketSize());
                const SimTime wait = limiter.timeUntilAvailable(want, now);
                if (wait > 0us) {
                    RateLimiter early = limiter;
                    QVERIFY(early.request(want, now + wait - 1us) < grantable);
                }
                RateLimiter onTime = limiter;
                QCOMPARE(onTime.request(want, now + wait), grantable);
            }
        }
    }

    void tinyRate_isExact() {
        RateLimiter limiter(1, 0us);
        qint64 total = 0;
        for (SimTime now = 0us; now <= 10s; now += 100ms)
            total += limiter.request(100, now);
        QCOMPARE(total, 10);
    }

    void timeGoingBackwards_grantsNothingExtra() {
        RateLimiter limiter(MiB, 0us);
        const qint64 first = limiter.request(GiB, 50ms);
        QCOMPARE(first, limiter.bucketSize()); // 50 ms saved up, but the bucket holds 20
        QCOMPARE(limiter.request(GiB, 10ms), 0);
        QCOMPARE(limiter.request(GiB, 50ms), 0);
        QVERIFY(limiter.timeUntilAvailable(1, 10ms) >= 40ms);
    }
};

std::unique_ptr<QObject> swarmscope::createRateLimiterTests() {
    return std::make_unique<TestRateLimiter>();
}

#include "tst_ratelimiter.moc"
