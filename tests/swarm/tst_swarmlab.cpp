// Whole labs on loopback: a small swarm completes and every leecher's data checks out; snapshots arrive at
// about 10 Hz and agree with each other; the control API pauses, resumes, kills, restarts and removes peers
// and changes their network conditions live; the clients' events come through tagged with lab peer ids.
#include "SwarmLabFixture.h"

#include <QDir>
#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * 1024;

bool allComplete(const SwarmSnapshot& s, const QList<int>& ids) {
    for (int id : ids) {
        const LabPeerSnapshot* p = s.peer(id);
        if (!p || !p->isComplete())
            return false;
    }
    return true;
}

// True when every piece set in before is still set in after.
bool isSuperset(const Bitfield& after, const Bitfield& before) {
    if (before.isEmpty())
        return true;
    return after.size() == before.size() && !before.hasAnyNotIn(after);
}

PeerConditions upload(qint64 rate) {
    PeerConditions c;
    c.uploadRate = rate;
    return c;
}

} // namespace

class TestSwarmLab : public QObject {
    Q_OBJECT
private slots:
    void smallLab_completesVerifiedWithConsistentSnapshots() {
        // 1 MiB in 64 pieces; the caps stretch the run to a few seconds so that snapshots see it unfold.
        SwarmLabFixture f(1 * MiB, 16 * KiB);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        QSignalSpy ready(&lab, &SwarmLab::trackerReady);
        const QList<int> seeders = lab.addSeeders(f.torrent(), 1, upload(512 * KiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 4, upload(256 * KiB));
        QCOMPARE(seeders.size(), 1);
        QCOMPARE(leechers.size(), 4);
        QVERIFY(ready.wait(5000) || !lab.announceUrl().isEmpty());
        QVERIFY(lab.announceUrl().startsWith(QStringLiteral("http://127.0.0.1:")));

        QVERIFY2(f.waitForSnapshot([&](const SwarmSnapshot& s) { return allComplete(s, leechers); }, 30000),
                 "the leechers did not complete");
        QTRY_COMPARE_WITH_TIMEOUT(f.completed().size(), 4, 5000);
        for (int id : leechers) {
            const std::optional<LabPeerInfo> info = lab.peerInfo(id);
            QVERIFY(info && info->completionSeconds() > 0);
            QCOMPARE(info->dataDir, QDir(lab.labDir()).filePath(QStringLiteral("peer-%1").arg(id)));
        }

        // About 10 snapshots a second, numbered in order, each with every peer.
        const QList<SwarmSnapshotPtr>& snaps = f.snapshots();
        QVERIFY(snaps.size() >= 10);
        const double seconds = (snaps.last()->timeMs - snaps.first()->timeMs) / 1000.0;
        const double hz = (snaps.size() - 1) / seconds;
        QVERIFY2(hz > 6 && hz < 14, QByteArray::number(hz).constData());
        for (int i = 1; i < snaps.size(); ++i) {
            QCOMPARE(snaps[i]->sequence, snaps[i - 1]->sequence + 1);
            QVERIFY(snaps[i]->timeMs >= snaps[i - 1]->timeMs);
        }

        // Each leecher's pieces only ever grow, and end complete.
        for (int id : leechers) {
            Bitfield previous;
            for (const SwarmSnapshotPtr& s : snaps) {
                const LabPeerSnapshot* p = s->peer(id);
                if (!p)
                    continue;
                QCOMPARE(p->pieceCount, f.metainfo().pieceCount());
                QVERIFY2(isSuperset(p->have, previous), "a leecher lost a verified piece");
                previous = p->have;
            }
            QVERIFY(previous.all());
        }
        const SwarmSnapshot& final = *f.last();
        QCOMPARE(final.peers.size(), 5);
        const LabTorrentSnapshot* torrent = final.torrent(f.torrent());
        QVERIFY(torrent);
        QCOMPARE(torrent->seeders, 1);
        QCOMPARE(torrent->leechers, 4);
        QCOMPARE(torrent->completedLeechers, 4);
        QCOMPARE(final.peer(seeders[0])->state, LabPeerState::Seeding);
        QCOMPARE(final.peer(seeders[0])->conditions.uploadRate, 512 * KiB);

        // Connections name the lab peer at the other end.
        bool sawSeeder = false;
        for (const SwarmSnapshotPtr& s : snaps)
            for (const LabConnectionSnapshot& c :
                 s->peer(leechers[0]) ? s->peer(leechers[0])->connections : QList<LabConnectionSnapshot>())
                sawSeeder = sawSeeder || c.remotePeer == seeders[0];
        QVERIFY(sawSeeder);

        // The events the GUI log needs, tagged with lab ids.
        QSet<PeerEventKind> kinds;
        for (const SwarmEvent& e : f.events()) {
            kinds.insert(e.event.kind);
            QVERIFY(e.peer >= 1 && e.peer <= 5);
            QCOMPARE(e.torrent, f.torrent());
        }
        QVERIFY(kinds.contains(PeerEventKind::Connected));
        QVERIFY(kinds.contains(PeerEventKind::Unchoked) || kinds.contains(PeerEventKind::PeerUnchoked));
        QVERIFY(kinds.contains(PeerEventKind::PieceVerified));
        // A leecher's verified piece names the lab peer that sent it.
        bool verifiedByLeecher = false;
        for (const SwarmEvent& e : f.events()) {
            if (e.event.kind != PeerEventKind::PieceVerified || !leechers.contains(e.peer))
                continue;
            verifiedByLeecher = true;
            QVERIFY(e.event.piece >= 0);
            QVERIFY2(e.remotePeer >= 1 && e.remotePeer <= 5 && e.remotePeer != e.peer,
                     qPrintable(QStringLiteral("piece %1 of #%2 from %3")
                                    .arg(e.event.piece)
                                    .arg(e.peer)
                                    .arg(e.remotePeer)));
        }
        QVERIFY(verifiedByLeecher);

        // Every leecher's file, read back and checked against the piece hashes.
        QSignalSpy verified(&lab, &SwarmLab::verificationFinished);
        lab.verifyLeechers();
        QVERIFY(verified.wait(20000));
        const auto results = verified.first().first().value<QList<LeecherVerification>>();
        QCOMPARE(results.size(), 4);
        for (const LeecherVerification& v : results) {
            QVERIFY2(v.verified, qPrintable(v.dataDir));
            QCOMPARE(v.validPieces, f.metainfo().pieceCount());
        }

        QSignalSpy finished(&lab, &SwarmLab::shutdownFinished);
        lab.shutdown();
        QVERIFY(finished.wait(10000));
    }

    void verify_detectsCorruptedData() {
        SwarmLabFixture f(256 * KiB, 16 * KiB);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1);
        const QList<int> leechers = lab.addLeechers(f.torrent(), 1);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return allComplete(s, leechers); }));
        lab.killPeer(leechers[0]);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) { return s.peer(leechers[0])->state == LabPeerState::Stopped; }));

        QFile file(QDir(lab.peerInfo(leechers[0])->dataDir).filePath(f.metainfo().files.first().path));
        QVERIFY(file.open(QIODevice::ReadWrite));
        file.seek(20 * KiB);
        file.write("corrupt");
        file.close();

        QSignalSpy verified(&lab, &SwarmLab::verificationFinished);
        lab.verifyLeechers({leechers[0]});
        QVERIFY(verified.wait(10000));
        const auto results = verified.first().first().value<QList<LeecherVerification>>();
        QCOMPARE(results.size(), 1);
        QVERIFY(!results.first().verified);
        QCOMPARE(results.first().validPieces, f.metainfo().pieceCount() - 1);
    }

    void pause_stopsProgress_resumeContinues() {
        // A paused client requests nothing more, but blocks already requested still arrive; a short pipeline
        // bounds how many.
        SwarmLabConfig config;
        config.client.limits.maxPipelineDepth = 8;
        SwarmLabFixture f(1 * MiB, 16 * KiB, config);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, upload(256 * KiB));
        const int leecher = lab.addLeechers(f.torrent(), 1).value(0);
        QVERIFY(
            f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.peer(leecher)->have.count() >= 8; }));

        lab.pausePeer(leecher);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) { return s.peer(leecher)->state == LabPeerState::Paused; }));
        const int atPause = f.peer(leecher)->have.count();
        // Progress stops once what was in flight has landed ...
        int settled = -1;
        QVERIFY(QTest::qWaitFor(
            [&] {
                const int now = f.peer(leecher)->have.count();
                QTest::qWait(600);
                const bool still = f.peer(leecher)->have.count() == now;
                if (still)
                    settled = now;
                return still;
            },
            8000));
        QVERIFY2(settled <= atPause + 10, qPrintable(QStringLiteral("%1 -> %2").arg(atPause).arg(settled)));
        // ... and stays stopped.
        QTest::qWait(1500);
        QCOMPARE(f.peer(leecher)->have.count(), settled);
        QVERIFY(settled < f.metainfo().pieceCount());
        QCOMPARE(f.peer(leecher)->state, LabPeerState::Paused);

        lab.resumePeer(leecher);
        QVERIFY(
            f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.peer(leecher)->isComplete(); }, 30000));
    }

    void killAndRestart_keepsVerifiedPieces() {
        SwarmLabFixture f(1 * MiB, 16 * KiB);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, upload(256 * KiB));
        const int leecher = lab.addLeechers(f.torrent(), 1).value(0);
        QVERIFY(
            f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.peer(leecher)->have.count() >= 24; }));
        const QByteArray peerId = f.peer(leecher)->peerId;

        lab.killPeer(leecher);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) { return s.peer(leecher)->state == LabPeerState::Stopped; }));
        const int atKill = f.peer(leecher)->have.count();
        QVERIFY(atKill >= 24 && atKill < f.metainfo().pieceCount());
        QCOMPARE(f.peer(leecher)->connectionCount, 0);

        lab.restartPeer(leecher);
        // After its check, the restarted client holds what it had verified before (a piece verified in memory
        // but not yet written when the client died may be missing).
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) {
            const LabPeerSnapshot* p = s.peer(leecher);
            return p->restarts == 1 &&
                   (p->state == LabPeerState::Downloading || p->state == LabPeerState::Seeding);
        }));
        const LabPeerSnapshot* restarted = f.peer(leecher);
        QCOMPARE(restarted->peerId, peerId);
        QVERIFY2(restarted->have.count() >= atKill - 2,
                 qPrintable(
                     QStringLiteral("%1 pieces before, %2 after").arg(atKill).arg(restarted->have.count())));

        QVERIFY(
            f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.peer(leecher)->isComplete(); }, 30000));
        // The new client fetched only what was missing (plus a few blocks of slack), not the whole file.
        const qint64 missing = qint64(f.metainfo().pieceCount() - atKill + 2) * f.metainfo().pieceLength;
        QVERIFY2(f.peer(leecher)->downloaded <= missing + 64 * KiB,
                 qPrintable(QStringLiteral("downloaded %1 bytes after the restart; %2 were missing")
                                .arg(f.peer(leecher)->downloaded)
                                .arg(missing)));

        QSignalSpy verified(&lab, &SwarmLab::verificationFinished);
        lab.verifyLeechers({leecher});
        QVERIFY(verified.wait(10000));
        QVERIFY(verified.first().first().value<QList<LeecherVerification>>().value(0).verified);
    }

    void conditions_changeLiveAndShowInSnapshots() {
        SwarmLabFixture f(256 * KiB, 16 * KiB);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        const int seeder = lab.addSeeders(f.torrent(), 1).value(0);
        const QList<int> leechers = lab.addLeechers(f.torrent(), 2);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.peers.size() == 3; }));

        lab.setLatency(leechers[0], 50, 5);
        lab.setUploadRate(leechers[0], 300 * KiB);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) {
            const PeerConditions& c = s.peer(leechers[0])->conditions;
            return c.latencyMs == 50 && c.jitterMs == 5 && c.uploadRate == 300 * KiB;
        }));
        QCOMPARE(f.peer(leechers[1])->conditions, PeerConditions{});

        // Every peer at once.
        lab.setDownloadRate(SwarmLab::kAllPeers, 2 * MiB);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) {
            for (const LabPeerSnapshot& p : s.peers)
                if (p.conditions.downloadRate != 2 * MiB)
                    return false;
            return true;
        }));
        QCOMPARE(f.peer(leechers[0])->conditions.latencyMs, qint64(50));

        PeerConditions all;
        all.latencyMs = 10;
        lab.setConditions(seeder, all);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return s.peer(seeder)->conditions == all; }));

        lab.setPickerStrategy(leechers[1], PickerStrategy::Sequential);
        lab.setChokerEnabled(SwarmLab::kAllPeers, false);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) {
            const LabPeerSnapshot* p = s.peer(leechers[1]);
            return p->strategy == PickerStrategy::Sequential && !p->chokerEnabled &&
                   !s.peer(seeder)->chokerEnabled;
        }));
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return allComplete(s, leechers); }, 30000));
    }

    void remove_dropsPeerAndItsData() {
        SwarmLabFixture f(256 * KiB, 16 * KiB);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1);
        const QList<int> leechers = lab.addLeechers(f.torrent(), 2);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return allComplete(s, leechers); }));
        const QString dir = lab.peerInfo(leechers[0])->dataDir;
        QVERIFY(QDir(dir).exists());

        QSignalSpy removed(&lab, &SwarmLab::peerRemoved);
        lab.removePeer(leechers[0], true);
        QCOMPARE(lab.peerIds(), (QList<int>{1, leechers[1]}));
        QVERIFY(removed.wait(10000));
        QCOMPARE(removed.first().first().toInt(), leechers[0]);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) { return !s.peer(leechers[0]) && s.peers.size() == 2; }));
        QVERIFY(!QDir(dir).exists());
        QVERIFY(lab.peerInfo(leechers[0])->removed);
    }

    void badCommands_areIgnored() {
        SwarmLabFixture f(64 * KiB, 16 * KiB);
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        QVERIFY(lab.addSeeders(999, 1).isEmpty());
        QVERIFY(lab.addLeechers(f.torrent(), 0).isEmpty());
        QCOMPARE(lab.addTorrent(Metainfo{}, f.dataDir()), 0);
        lab.pausePeer(12345);
        lab.killPeer(12345);
        lab.removePeer(12345);
        QVERIFY(!lab.peerInfo(12345));
        QVERIFY(f.waitForSnapshot([](const SwarmSnapshot& s) { return s.peers.isEmpty(); }));
    }
};

QTEST_GUILESS_MAIN(TestSwarmLab)
#include "tst_swarmlab.moc"
