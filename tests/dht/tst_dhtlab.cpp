// A trackerless lab: its clients run DHT nodes bootstrapped from the lab's first clients and find each
// other by the info-hash alone; every leecher completes with data that verifies, and the lab's tracker
// hears nothing. In simulated time (datagrams through the simulated network) and in real time (UDP on
// 127.0.0.1).

#include "../swarm/SwarmLabFixture.h"

#include "swarm/SwarmLab.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

PeerConditions cap(qint64 up) {
    PeerConditions c;
    c.uploadRate = up;
    c.latencyMs = 20;
    return c;
}

} // namespace

class TestDhtLab : public QObject {
    Q_OBJECT
private slots:
    void trackerlessLabCompletes_data() {
        QTest::addColumn<bool>("simulated");
        QTest::newRow("simulated") << true;
        QTest::newRow("real") << false;
    }

    void trackerlessLabCompletes() {
        QFETCH(bool, simulated);
        SwarmLabConfig config;
        config.trackerless = true;
        config.seed = 9;
        config.workerThreads = 1;
        if (simulated)
            config.timeMode = TimeMode::Simulated;
        SwarmLabFixture f(1 * MiB, 32 * KiB, config);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        const QList<int> seeders = lab.addSeeders(f.torrent(), 1, cap(2 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 6, cap(1 * MiB));
        if (simulated) {
            lab.setSpeed(0);
            lab.resumeAll();
        }
        QVERIFY2(f.waitForSnapshot(
                     [&](const SwarmSnapshot& s) {
                         for (int id : leechers)
                             if (!s.peer(id) || !s.peer(id)->isComplete())
                                 return false;
                         return true;
                     },
                     40000),
                 "not every leecher completed");
        const SwarmSnapshot& s = *f.last();
        qint64 found = 0;
        qint64 lastCompletedMs = 0;
        for (int id : leechers)
            lastCompletedMs = qMax(lastCompletedMs, s.peer(id)->completedAtMs);
        for (int id : seeders + leechers) {
            const LabPeerSnapshot* p = s.peer(id);
            QVERIFY(p->dhtNodes > 0);
            found += p->dhtPeersFound;
        }
        for (int id : leechers)
            QVERIFY2(s.peer(id)->dhtPeersFound > 0, qPrintable(QString::number(id)));
        QCOMPARE(lab.trackerAnnounces(), qint64(0));
        qInfo("%s: the last of 6 leechers of 1 MiB completed at lab time %lld ms; %lld peers found through "
              "the DHT "
              "by lab time %lld ms",
              simulated ? "simulated" : "real", lastCompletedMs, found, qint64(s.timeMs));

        QSignalSpy verified(&lab, &SwarmLab::verificationFinished);
        lab.verifyLeechers();
        QVERIFY(verified.wait(20000));
        const auto results = verified.first().first().value<QList<LeecherVerification>>();
        QCOMPARE(results.size(), leechers.size());
        for (const LeecherVerification& v : results)
            QVERIFY2(v.verified, qPrintable(v.dataDir));

        QSignalSpy finished(&lab, &SwarmLab::shutdownFinished);
        lab.shutdown();
        QVERIFY(finished.wait(20000));
    }

    // The same lab with a tracker: the tracker hears announces (what the trackerless test's zero means).
    void labWithTrackerIsAnnouncedTo() {
        SwarmLabConfig config;
        config.seed = 9;
        config.timeMode = TimeMode::Simulated;
        SwarmLabFixture f(256 * KiB, 32 * KiB, config);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(2 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 2, cap(1 * MiB));
        lab.setSpeed(0);
        lab.resumeAll();
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                for (int id : leechers)
                    if (!s.peer(id) || !s.peer(id)->isComplete())
                        return false;
                return true;
            },
            30000));
        QVERIFY(lab.trackerAnnounces() >= 3);
        QCOMPARE(f.last()->peer(leechers.first())->dhtNodes, 0);
        QSignalSpy finished(&lab, &SwarmLab::shutdownFinished);
        lab.shutdown();
        QVERIFY(finished.wait(20000));
    }

    // A lab with a tracker whose clients run DHT nodes with no bootstrap node at all: the handshake's DHT
    // bit and the PORT messages that follow are the only way their nodes learn of each other.
    void portMessagesFillTheRoutingTables() {
        SwarmLabConfig config;
        config.seed = 11;
        config.timeMode = TimeMode::Simulated;
        config.client.dht = true;
        SwarmLabFixture f(256 * KiB, 32 * KiB, config);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        const QList<int> seeders = lab.addSeeders(f.torrent(), 1, cap(2 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 3, cap(1 * MiB));
        lab.setSpeed(0);
        lab.resumeAll();
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                for (int id : seeders + leechers)
                    if (!s.peer(id) || s.peer(id)->dhtNodes < 3)
                        return false;
                return true;
            },
            30000));
        QVERIFY(lab.trackerAnnounces() > 0);
        QSignalSpy finished(&lab, &SwarmLab::shutdownFinished);
        lab.shutdown();
        QVERIFY(finished.wait(20000));
    }
};

QTEST_GUILESS_MAIN(TestDhtLab)
#include "tst_dhtlab.moc"
