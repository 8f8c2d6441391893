// The behaviours a lab can give a peer, in simulated time so that each is exact: a free-rider uploads
// nothing and still downloads; a corrupt peer's pieces fail their receivers' checks; a leecher that leaves
// when done stops, gracefully and restartably; a peer joins at its lab time; a command given for a lab time
// takes effect then.
#include "SwarmLabFixture.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

SwarmLabConfig simulated() {
    SwarmLabConfig config;
    config.timeMode = TimeMode::Simulated;
    config.seed = 5;
    config.sampleIntervalMs = 250;
    config.workerThreads = 1;
    return config;
}

PeerConditions cap(qint64 up) {
    PeerConditions c;
    c.uploadRate = up;
    return c;
}

void runFast(SwarmLab& lab) {
    lab.setSpeed(0);
    lab.resumeAll();
}

} // namespace

class TestBehaviours : public QObject {
    Q_OBJECT
private slots:
    void freeRider_downloadsButUploadsNothing() {
        SwarmLabFixture f(1 * MiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        LabPeerOptions rider;
        rider.freeRider = true;
        const QList<int> riders = lab.addPeers(f.torrent(), TorrentRole::Leecher, 1, cap(256 * KiB), rider);
        const QList<int> others = lab.addLeechers(f.torrent(), 3, cap(256 * KiB));
        runFast(lab);
        QVERIFY2(f.waitForSnapshot(
                     [&](const SwarmSnapshot& s) {
                         for (int id : riders + others)
                             if (!s.peer(id) || !s.peer(id)->isComplete())
                                 return false;
                         return true;
                     },
                     60000),
                 "the swarm did not complete");
        const LabPeerSnapshot* p = f.peer(riders.first());
        QVERIFY(p->freeRider);
        QCOMPARE(p->uploaded, qint64(0));
        QCOMPARE(p->downloaded, 1 * MiB);
    }

    void freeRider_canBeTurnedOnLive() {
        SwarmLabFixture f(2 * MiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(512 * KiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 3, cap(128 * KiB));
        LabCommand on;
        on.kind = LabCommand::Kind::SetFreeRider;
        lab.command(leechers.first(), on, 1000);
        runFast(lab);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.timeMs >= 1500; }, 30000));
        const qint64 at = f.peer(leechers.first())->uploaded;
        QVERIFY(f.peer(leechers.first())->freeRider);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.timeMs >= 4000; }, 30000));
        // What was granted before the choke (its pipeline) may still go; nothing after that.
        QVERIFY2(f.peer(leechers.first())->uploaded - at <= 256 * KiB,
                 qPrintable(QString::number(f.peer(leechers.first())->uploaded - at)));
    }

    void longLink_aPeerThatDialledUsIsNotDialledBack() {
        // The seeder learns of the leecher from the tracker after the leecher has dialled it; dialling back
        // made a second connection, and keeping one of two closed the working one, its requests with it (on
        // this link, 1.6 s without a byte).
        SwarmLabFixture f(4 * MiB, 256 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        QList<SwarmEvent> events;
        connect(&lab, &SwarmLab::eventsReady, this,
                [&](const QList<SwarmEvent>& batch, int) { events += batch; });
        lab.addSeeders(f.torrent(), 1, cap(512 * KiB));
        PeerConditions far;
        far.latencyMs = 400;
        const QList<int> leecher = lab.addLeechers(f.torrent(), 1, far);
        runFast(lab);
        QVERIFY2(f.waitForSnapshot(
                     [&](const SwarmSnapshot& s) { return s.peer(leecher.first())->isComplete(); }, 60000),
                 "the leecher did not complete");
        QVERIFY(f.lab().nowMs() > 8000); // past the seeder's second announce
        int connected = 0;
        bool done = false;
        for (const SwarmEvent& e : std::as_const(events)) {
            QVERIFY2(!(e.event.kind == PeerEventKind::Disconnected &&
                       e.event.reason.contains(QLatin1String("duplicate"))),
                     qPrintable(e.event.reason));
            // Until the download ends (then the two seeds part, and may meet again through the tracker).
            done = done || (e.event.kind == PeerEventKind::Disconnected &&
                            e.event.reason == QLatin1String("both are seeds"));
            connected += !done && e.event.kind == PeerEventKind::Connected;
        }
        QCOMPARE(connected, 2); // one connection, seen from both ends
    }

    void corruptPeer_piecesFailTheReceiversChecks() {
        SwarmLabFixture f(1 * MiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        LabPeerOptions bad;
        bad.corrupt = true;
        // The only source sends damaged blocks: nothing can verify.
        lab.addPeers(f.torrent(), TorrentRole::Seeder, 1, cap(1 * MiB), bad);
        const QList<int> leechers = lab.addLeechers(f.torrent(), 1, {});
        runFast(lab);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                return s.peer(leechers.first()) && s.peer(leechers.first())->hashFailures > 0;
            },
            30000));
        const LabPeerSnapshot* p = f.peer(leechers.first());
        QCOMPARE(p->have.count(), 0);
    }

    void leaveWhenDone_leavesGracefullyAndCanComeBack() {
        SwarmLabFixture f(1 * MiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        LabPeerOptions leave;
        leave.leaveWhenDone = true;
        const QList<int> leechers = lab.addPeers(f.torrent(), TorrentRole::Leecher, 2, cap(256 * KiB), leave);
        runFast(lab);
        QVERIFY2(f.waitForSnapshot(
                     [&](const SwarmSnapshot& s) {
                         for (int id : leechers) {
                             const LabPeerSnapshot* p = s.peer(id);
                             if (!p || !p->isComplete() || !p->left || p->state != LabPeerState::Stopped)
                                 return false;
                         }
                         return true;
                     },
                     30000),
                 "the leechers did not leave");
        lab.restartPeer(leechers.first());
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                const LabPeerSnapshot* p = s.peer(leechers.first());
                return p && !p->left && p->state != LabPeerState::Stopped;
            },
            30000));
    }

    void joinAt_thePeerAppearsAtItsTime() {
        SwarmLabFixture f(512 * KiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        LabPeerOptions late;
        late.joinAtMs = 3000;
        const QList<int> leechers = lab.addPeers(f.torrent(), TorrentRole::Leecher, 1, {}, late);
        runFast(lab);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                return s.peer(leechers.first()) && s.peer(leechers.first())->isComplete();
            },
            30000));
        // Nothing before its time: the first byte and its completion are after 3 s of lab time.
        for (const SwarmSnapshotPtr& s : f.snapshots()) {
            const LabPeerSnapshot* p = s->peer(leechers.first());
            if (s->timeMs < 3000 && p)
                QCOMPARE(p->downloaded, qint64(0));
        }
        QVERIFY(f.peer(leechers.first())->addedAtMs >= 3000);
    }

    // A peer removed before its join time never joins, and the lab hears that it is gone.
    void joinAt_removedBeforeItsTime_neverJoins() {
        SwarmLabFixture f(512 * KiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        LabPeerOptions late;
        late.joinAtMs = 2000;
        const QList<int> leechers = lab.addPeers(f.torrent(), TorrentRole::Leecher, 2, {}, late);
        QSignalSpy removed(&lab, &SwarmLab::peerRemoved);
        lab.removePeer(leechers.first(), true);
        QVERIFY(removed.wait(10000) || removed.count() == 1);
        QCOMPARE(removed.first().first().toInt(), leechers.first());
        runFast(lab);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                return s.peer(leechers.last()) && s.peer(leechers.last())->isComplete();
            },
            30000));
        for (const SwarmSnapshotPtr& s : f.snapshots())
            QVERIFY(!s->peer(leechers.first()));
        QCOMPARE(removed.count(), 1);
    }

    // Two connections each: leechers that hold the same pieces as the only peers they are connected to would
    // wait forever. At the connection limit a connection on which neither side is interested is closed after
    // a while, so they find the pieces elsewhere.
    void smallConnectionBudget_noLeecherIsStranded() {
        SwarmLabConfig config = simulated();
        config.client.maxConnections = 2;
        SwarmLabFixture f(512 * KiB, 16 * KiB, config);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(256 * KiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 40, cap(128 * KiB));
        runFast(lab);
        const bool done = f.waitForSnapshot(
            [&](const SwarmSnapshot& s) {
                if (s.timeMs > 600'000)
                    return true;
                for (int id : leechers)
                    if (!s.peer(id) || !s.peer(id)->isComplete())
                        return false;
                return true;
            },
            60000);
        QVERIFY(done);
        int complete = 0;
        for (int id : leechers)
            complete += f.peer(id)->isComplete() ? 1 : 0;
        QCOMPARE(complete, int(leechers.size()));
    }

    // Under a cap, a client sends whole pieces in turn rather than every piece at once (UploadTurns): a seed
    // at 1 MiB/s serving four leechers finishes a 256 KiB piece about every 0.25 s, where sharing the cap
    // block by block would finish all four together after a second.
    void cappedUpload_finishesOnePieceAtATime() {
        SwarmLabFixture f(1 * MiB, 256 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        LabPeerOptions rider;
        rider.freeRider = true; // only the seed uploads
        const QList<int> leechers = lab.addPeers(f.torrent(), TorrentRole::Leecher, 4, cap(1 * MiB), rider);
        QList<SwarmSnapshotPtr> samples; // every sample of the run, one each 250 ms of lab time
        QObject::connect(&lab, &SwarmLab::sampleReady, &lab,
                         [&samples](const SwarmSnapshotPtr& s) { samples.append(s); });
        runFast(lab);
        QVERIFY2(f.waitForSnapshot(
                     [&](const SwarmSnapshot& s) {
                         for (int id : leechers)
                             if (!s.peer(id) || !s.peer(id)->isComplete())
                                 return false;
                         return true;
                     },
                     60000),
                 "the swarm did not complete");
        qint64 firstPieceMs = -1;
        int piecesAtOneSecond = -1;
        for (const SwarmSnapshotPtr& s : std::as_const(samples)) {
            int pieces = 0;
            for (int id : leechers)
                if (const LabPeerSnapshot* p = s->peer(id))
                    pieces += int(p->have.count());
            if (pieces > 0 && firstPieceMs < 0)
                firstPieceMs = s->timeMs;
            if (s->timeMs >= 1000 && piecesAtOneSecond < 0)
                piecesAtOneSecond = pieces;
        }
        QVERIFY2(firstPieceMs > 0 && firstPieceMs <= 500, qPrintable(QString::number(firstPieceMs)));
        QVERIFY2(piecesAtOneSecond >= 3, qPrintable(QString::number(piecesAtOneSecond)));
    }

    // A lab that has shut down keeps its object alive (a run's results still read it) but runs nothing:
    // its simulated clock no longer races on, sampling stopped peers at full speed.
    void shutDown_theSimulatedClockStops() {
        SwarmLabFixture f(256 * KiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 2, cap(256 * KiB));
        int samples = 0;
        QObject::connect(&lab, &SwarmLab::sampleReady, &lab,
                         [&samples](const SwarmSnapshotPtr&) { ++samples; });
        runFast(lab);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.timeMs > 2000; }, 30000));
        QSignalSpy finished(&lab, &SwarmLab::shutdownFinished);
        lab.shutdown();
        QVERIFY(finished.wait(30000));
        QTest::qWait(50); // samples posted before the end
        const int atEnd = samples;
        QTest::qWait(300);
        QCOMPARE(samples, atEnd);
    }

    // Every control the lab is given is logged with the lab time it takes effect at: the timeline's
    // markers, the event log, recordings and saved scenarios all read this one log.
    void controlLog_holdsEveryControlAtItsLabTime() {
        SwarmLabFixture f(256 * KiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 2, cap(256 * KiB));
        QSignalSpy changed(&lab, &SwarmLab::controlChanged);
        LabCommand slow;
        slow.kind = LabCommand::Kind::SetLink;
        slow.link.uploadRate = 64 * KiB;
        lab.command(1, slow, 2000);
        lab.setLatency(SwarmLab::kAllPeers, 200, 0);
        lab.setPickerStrategy(leechers[0], PickerStrategy::Random);
        lab.pausePeer(leechers[1]);
        lab.killPeer(999); // no such peer: nothing to log
        lab.setSpeed(2.0);
        // The clock's own controls are logged at once; in simulated time a peer command is logged by the
        // peers' worker, at the lab instant it applies it, so it comes a moment later.
        QTRY_COMPARE(lab.controlLog().size(), 5);
        const LabControlLog& log = lab.controlLog();
        QCOMPARE(changed.size(), 5);
        QCOMPARE(log[0].kind, LabControlChange::Kind::Speed);
        QVERIFY(!log[0].changesPeers());
        QCOMPARE(changed.first().at(0).value<LabControlChange>(), log[0]);
        QCOMPARE(log[1].kind, LabControlChange::Kind::Command);
        QCOMPARE(log[1].timeMs, 2000);
        QCOMPARE(log[1].peer, 1);
        QCOMPARE(log[1].label(), QStringLiteral("up 64 KiB/s"));
        QCOMPARE(log[2].peer, SwarmLab::kAllPeers);
        QCOMPARE(log[2].label(), QStringLiteral("latency 200 ms"));
        QCOMPARE(log[2].target(), QStringLiteral("every peer"));
        QCOMPARE(log[3].label(), QStringLiteral("picker random"));
        QCOMPARE(log[4].label(), QStringLiteral("pause"));
        QCOMPARE(log[4].target(), QStringLiteral("#%1").arg(leechers[1]));
        QCOMPARE(changed.last().at(0).value<LabControlChange>(), log[4]);
        // Taken while the clock runs: each at the lab time it was given.
        runFast(lab);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.timeMs > 1000; }, 30000));
        const qint64 before = lab.nowMs();
        const qsizetype logged = lab.controlLog().size();
        lab.resumePeer(leechers[1]);
        QTRY_COMPARE(lab.controlLog().size(), logged + 1);
        QCOMPARE(lab.controlLog().last().kind, LabControlChange::Kind::Command);
        QCOMPARE(lab.controlLog().last().peer, leechers[1]);
        QVERIFY(lab.controlLog().last().timeMs >= before);
        QVERIFY(lab.controlLog().last().timeMs <= lab.nowMs());
    }

    void timedCommand_takesEffectAtItsLabTime() {
        SwarmLabFixture f(4 * MiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(1 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 1, cap(0));
        LabCommand slow;
        slow.kind = LabCommand::Kind::SetLink;
        slow.link.uploadRate = 64 * KiB;
        lab.command(1, slow, 2000); // the seeder is peer 1
        runFast(lab);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.timeMs >= 5000; }, 30000));
        const LabPeerSnapshot* seeder = f.peer(1);
        QCOMPARE(seeder->conditions.uploadRate, 64 * KiB);
        // Before 2 s the seeder ran at 1 MiB/s; between 3 s and 5 s, at most its new cap.
        // Snapshots come when the window's timer asks, so their lab times are read, not assumed.
        qint64 at3 = -1, at5 = -1, at2 = -1, t3 = 0, t5 = 0;
        for (const SwarmSnapshotPtr& s : f.snapshots()) {
            const LabPeerSnapshot* p = s->peer(1);
            if (!p)
                continue;
            if (at2 < 0 && s->timeMs >= 1750)
                at2 = p->uploaded;
            if (at3 < 0 && s->timeMs >= 3000) {
                at3 = p->uploaded;
                t3 = s->timeMs;
            }
            if (at5 < 0 && s->timeMs >= 5000) {
                at5 = p->uploaded;
                t5 = s->timeMs;
            }
        }
        QVERIFY2(at2 > 1 * MiB, qPrintable(QString::number(at2)));
        QVERIFY2(at5 - at3 <= 64 * KiB * (t5 - t3) / 1000 * 102 / 100 + 16 * KiB,
                 qPrintable(QStringLiteral("%1 bytes in %2 ms").arg(at5 - at3).arg(t5 - t3)));
        QVERIFY(!leechers.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBehaviours)
#include "tst_behaviours.moc"
