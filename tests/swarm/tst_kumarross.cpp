// The Kumar–Ross minimum distribution time, max(F/u_s, F/d_min, N·F/(u_s + Σu_i)), as a table.
#include "swarm/KumarRossBound.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace swarmscope;

namespace {

constexpr qint64 MiB = 1024 * 1024;
const double kUndefined = std::nan("");
const double kInfinite = std::numeric_limits<double>::infinity();

} // namespace

class TestKumarRoss : public QObject {
    Q_OBJECT
private slots:
    void uniformSwarm_data() {
        QTest::addColumn<qint64>("fileSize");
        QTest::addColumn<int>("seeders");
        QTest::addColumn<qint64>("seedUp");
        QTest::addColumn<int>("leechers");
        QTest::addColumn<qint64>("up");
        QTest::addColumn<qint64>("down");
        QTest::addColumn<double>("expected");

        // The swarm-efficiency set-up of DESIGN.md: the aggregate term wins, 20 * 16 / (4 + 20) s.
        QTest::newRow("benchmark") << 16 * MiB << 1 << 4 * MiB << 20 << MiB << qint64(0) << 320.0 / 24.0;
        // A slow seeder: F / u_s.
        QTest::newRow("seeder-bound") << 16 * MiB << 1 << MiB << 2 << 8 * MiB << qint64(0) << 16.0;
        // A slow download: F / d_min.
        QTest::newRow("download-bound") << 16 * MiB << 1 << 4 * MiB << 2 << 4 * MiB << MiB << 16.0;
        // Two seeders add their uploads: u_s = 2 MiB/s.
        QTest::newRow("two seeders") << 8 * MiB << 2 << MiB << 1 << qint64(0) << qint64(0) << 4.0;
        // An unlimited seeder: its terms vanish, only the download cap is left.
        QTest::newRow("unlimited seeder") << 8 * MiB << 1 << qint64(0) << 4 << MiB << 2 * MiB << 4.0;
        // Unlimited leecher uploads: the aggregate term vanishes, F / u_s is left.
        QTest::newRow("unlimited uploads") << 8 * MiB << 1 << 2 * MiB << 10 << qint64(0) << qint64(0) << 4.0;
        // Nothing limited: no bound.
        QTest::newRow("all unlimited")
            << 8 * MiB << 1 << qint64(0) << 4 << qint64(0) << qint64(0) << kUndefined;
        // No leechers: nothing to distribute, no bound.
        QTest::newRow("no leechers") << 8 * MiB << 1 << MiB << 0 << MiB << MiB << kUndefined;
        // No seeders: the file can never be distributed.
        QTest::newRow("no seeders") << 8 * MiB << 0 << MiB << 3 << MiB << MiB << kInfinite;
        // An empty file takes no time.
        QTest::newRow("empty file") << qint64(0) << 1 << MiB << 3 << MiB << MiB << 0.0;
    }

    void uniformSwarm() {
        QFETCH(qint64, fileSize);
        QFETCH(int, seeders);
        QFETCH(qint64, seedUp);
        QFETCH(int, leechers);
        QFETCH(qint64, up);
        QFETCH(qint64, down);
        QFETCH(double, expected);
        const double bound = kumarRossBoundSeconds(fileSize, seeders, seedUp, leechers, up, down);
        if (std::isnan(expected))
            QVERIFY2(std::isnan(bound), QByteArray::number(bound).constData());
        else if (std::isinf(expected))
            QVERIFY(std::isinf(bound) && bound > 0);
        else
            QVERIFY2(std::abs(bound - expected) < 1e-9, QByteArray::number(bound).constData());
    }

    void mixedCapacities_useSumsAndSlowestDownload() {
        SwarmCapacities c;
        c.fileSize = 12 * MiB;
        c.seederUploads = {MiB, 2 * MiB};           // u_s = 3 MiB/s: F/u_s = 4 s
        c.leecherUploads = {MiB, MiB, 2 * MiB};     // N*F/(u_s + 4) = 36/7 s
        c.leecherDownloads = {0, 3 * MiB, 2 * MiB}; // d_min = 2 MiB/s (0 is unlimited): 6 s
        QCOMPARE(kumarRossBoundSeconds(c), 6.0);
        c.leecherDownloads = {0, 0, 0};
        QVERIFY(std::abs(kumarRossBoundSeconds(c) - 36.0 / 7.0) < 1e-9);
        // One unlimited leecher upload makes the whole sum unlimited.
        c.leecherUploads = {MiB, 0, 2 * MiB};
        QCOMPARE(kumarRossBoundSeconds(c), 4.0);
    }
};

QTEST_APPLESS_MAIN(TestKumarRoss)
#include "tst_kumarross.moc"
