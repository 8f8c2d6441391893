#include "peer/Choker.h"

#include <QSet>
#include <QTest>

using namespace swarmscope;

namespace {

constexpr qint64 kLongAgo = -1'000'000; // connected long before the test starts: not "new"

ChokerPeer makePeer(PeerId id, quint64 downloaded, quint64 uploaded = 0, bool interested = true) {
    ChokerPeer peer;
    peer.id = id;
    peer.interested = interested;
    peer.downloaded = downloaded;
    peer.uploaded = uploaded;
    peer.connectedAtMs = kLongAgo;
    return peer;
}

ChokerConfig slotConfig(int regular, int optimistic) {
    ChokerConfig config;
    config.regularSlots = regular;
    config.optimisticSlots = optimistic;
    return config;
}

QSet<PeerId> toSet(const QList<PeerId>& list) {
    return QSet<PeerId>(list.begin(), list.end());
}

} // namespace

class TestChoker : public QObject {
    Q_OBJECT

private slots:
    void regularSlots_goToFastestUploadersToUs_data();
    void regularSlots_goToFastestUploadersToUs();
    void seeding_ranksByUploadRate();
    void seeding_fewestPiecesFirst();
    void seeding_fewestPiecesFirst_rotatesEverySecond();
    void rates_areMeasuredOverTheRoundWindow();
    void optimistic_goesToAChokedInterestedPeer();
    void optimistic_rotatesEvery30s();
    void optimistic_newPeersThreeTimesAsLikely();
    void snubbedPeer_losesRegularSlot();
    void snubbedPeer_afterSixtySilentSeconds();
    void snub_onlyWhileWeAreInterested();
    void disabled_unchokesEveryone();
    void rechoke_onlyEvery10s();
    void uninterestedFasterPeers_areUnchoked();
    void decisions_areOnlyChanges();
    void departedPeer_isForgottenWithoutChoke();
    void seededChoker_isDeterministic();
};

void TestChoker::regularSlots_goToFastestUploadersToUs_data() {
    QTest::addColumn<QList<quint64>>("downloaded"); // peer i + 1 sent downloaded[i] bytes
    QTest::addColumn<QList<PeerId>>("expected");

    QTest::newRow("eight peers") << QList<quint64>{10, 80, 30, 70, 20, 60, 40, 50}
                                 << QList<PeerId>{2, 4, 6, 8};
    QTest::newRow("fewer than four") << QList<quint64>{5, 1} << QList<PeerId>{1, 2};
    QTest::newRow("exactly four") << QList<quint64>{5, 1, 3, 9} << QList<PeerId>{1, 2, 3, 4};
    QTest::newRow("big numbers") << QList<quint64>{quint64(1) << 40, 1, quint64(1) << 41, 3, 2,
                                                   quint64(1) << 39}
                                 << QList<PeerId>{1, 3, 4, 6};
}

void TestChoker::regularSlots_goToFastestUploadersToUs() {
    QFETCH(QList<quint64>, downloaded);
    QFETCH(QList<PeerId>, expected);
    Choker choker(1, slotConfig(4, 0));
    QList<ChokerPeer> peers;
    for (int i = 0; i < downloaded.size(); ++i)
        peers.append(makePeer(PeerId(i + 1), downloaded[i] * 1000, 1'000'000'000)); // upload rate irrelevant
    const ChokeDecisions d = choker.tick(0, peers, false);
    QVERIFY(d.rechoked);
    QCOMPARE(toSet(d.unchoke), toSet(expected));
    QVERIFY(d.choke.isEmpty());
    QCOMPARE(choker.unchoked(), expected);
    for (PeerId id : expected)
        QCOMPARE(choker.reason(id), UnchokeReason::Regular);
}

void TestChoker::seeding_ranksByUploadRate() {
    ChokerConfig config = slotConfig(4, 0);
    config.seedingPolicy = SeedingPolicy::FastestUpload;
    Choker choker(1, config);
    QList<ChokerPeer> peers;
    const QList<quint64> uploaded = {10, 80, 30, 70, 20, 60, 40, 50};
    for (int i = 0; i < uploaded.size(); ++i)
        peers.append(makePeer(PeerId(i + 1), (8 - i) * 1'000'000, uploaded[i] * 1000));
    choker.tick(0, peers, true);
    QCOMPARE(choker.unchoked(), (QList<PeerId>{2, 4, 6, 8}));
    // The same peers while leeching: by what they send us.
    Choker leeching(1, slotConfig(4, 0));
    leeching.tick(0, peers, false);
    QCOMPARE(leeching.unchoked(), (QList<PeerId>{1, 2, 3, 4}));
}

void TestChoker::seeding_fewestPiecesFirst() {
    ChokerConfig config = slotConfig(4, 0);
    config.seedingSlots = 3;
    Choker choker(1, config);
    QList<ChokerPeer> peers;
    const QList<int> pieces = {10, 0, 7, 64, 3, 2, 9};
    for (int i = 0; i < pieces.size(); ++i) {
        peers.append(makePeer(PeerId(i + 1), 0, (i + 1) * 1'000'000)); // rates would pick 7, 6, 5
        peers.last().pieces = pieces[i];
    }
    choker.tick(0, peers, true);
    QCOMPARE(choker.unchoked(), (QList<PeerId>{2, 5, 6}));
    // Leeching, the same torrent ranks by what the peers send us, with regularSlots.
    Choker leeching(1, config);
    for (ChokerPeer& peer : peers)
        peer.downloaded = quint64(peer.pieces) * 1000;
    leeching.tick(0, peers, false);
    QCOMPARE(leeching.unchoked(), (QList<PeerId>{1, 3, 4, 7}));
}

void TestChoker::seeding_fewestPiecesFirst_rotatesEverySecond() {
    ChokerConfig config = slotConfig(4, 0);
    config.seedingSlots = 2;
    Choker choker(1, config);
    QList<ChokerPeer> peers;
    for (int i = 0; i < 4; ++i)
        peers.append(makePeer(PeerId(i + 1), 0));
    peers[2].pieces = 1;
    peers[3].pieces = 1;
    choker.tick(0, peers, true);
    QCOMPARE(choker.unchoked(), (QList<PeerId>{1, 2}));
    QCOMPARE(choker.nextDeadlineMs(), qint64(1000));
    // The two we served got a piece each; nothing changes before the round is due.
    peers[0].pieces = 2;
    peers[1].pieces = 2;
    QVERIFY(choker.tick(999, peers, true).isEmpty());
    // At the next round those still without our pieces come first.
    const ChokeDecisions d = choker.tick(1000, peers, true);
    QCOMPARE(toSet(d.unchoke), (QSet<PeerId>{3, 4}));
    QCOMPARE(toSet(d.choke), (QSet<PeerId>{1, 2}));
    // Leeching keeps BEP 3's ten seconds.
    Choker leeching(1, config);
    leeching.tick(0, peers, false);
    QCOMPARE(leeching.nextDeadlineMs(), qint64(10'000));
}

void TestChoker::rates_areMeasuredOverTheRoundWindow() {
    Choker choker(1, slotConfig(1, 0));
    ChokerPeer a = makePeer(1, 0);
    ChokerPeer b = makePeer(2, 0);
    a.connectedAtMs = b.connectedAtMs = -10'000;
    a.downloaded = 100'000; // 10 kB/s since it connected
    b.downloaded = 50'000;
    choker.tick(0, {a, b}, false);
    QCOMPARE(choker.downloadRate(1), 10'000);
    QCOMPARE(choker.downloadRate(2), 5'000);
    QCOMPARE(choker.unchoked(), QList<PeerId>{1});
    // Over the next window b is faster, whatever the totals say.
    a.downloaded += 10'000;
    b.downloaded += 30'000;
    b.uploaded += 20'000;
    const ChokeDecisions d = choker.tick(10'000, {a, b}, false);
    QCOMPARE(choker.downloadRate(1), 1'000);
    QCOMPARE(choker.downloadRate(2), 3'000);
    QCOMPARE(choker.uploadRate(2), 2'000);
    QCOMPARE(d.unchoke, QList<PeerId>{2});
    QCOMPARE(d.choke, QList<PeerId>{1});
    QCOMPARE(choker.downloadRate(99), 0);
}

void TestChoker::optimistic_goesToAChokedInterestedPeer() {
    for (quint32 seed = 0; seed < 50; ++seed) {
        Choker choker(seed);
        QList<ChokerPeer> peers;
        for (int i = 1; i <= 8; ++i)
            peers.append(makePeer(PeerId(i), quint64(i) * 1'000'000));
        peers.append(makePeer(9, 0, 0, false)); // not interested: never optimistic
        choker.tick(0, peers, false);
        QCOMPARE(choker.optimistic().size(), 1);
        const PeerId lucky = choker.optimistic().first();
        QVERIFY2(lucky >= 1 && lucky <= 4, qPrintable(QString::number(lucky)));
        QCOMPARE(choker.unchoked().size(), 5);
        QCOMPARE(choker.reason(lucky), UnchokeReason::Optimistic);
    }
}

void TestChoker::optimistic_rotatesEvery30s() {
    Choker choker(7);
    QList<ChokerPeer> peers;
    for (int i = 1; i <= 10; ++i)
        peers.append(makePeer(PeerId(i), 0));
    QList<PeerId> history;
    for (qint64 now = 0; now <= 120'000; now += 5'000) {
        // Peers 1-4 keep sending, so the regular slots never move.
        for (int i = 0; i < 4; ++i)
            peers[i].downloaded += 1'000'000;
        choker.tick(now, peers, false);
        QCOMPARE(choker.optimistic().size(), 1);
        const PeerId current = choker.optimistic().first();
        QVERIFY(current > 4);
        QCOMPARE(choker.unchoked().size(), 5);
        if (now > 0) {
            if (now % 30'000 == 0)
                QVERIFY2(current != history.last(), qPrintable(QString::number(now)));
            else
                QVERIFY2(current == history.last(), qPrintable(QString::number(now)));
        }
        history.append(current);
    }
}

void TestChoker::optimistic_newPeersThreeTimesAsLikely() {
    // Peers 1 and 2 connected 5 s ago; peers 3-6 long ago. Weights 3,3,1,1,1,1: a new peer should win 30 %
    // of draws, an old one 10 %.
    const int trials = 6000;
    QHash<PeerId, int> wins;
    for (int trial = 0; trial < trials; ++trial) {
        Choker choker(quint32(trial), slotConfig(0, 1));
        QList<ChokerPeer> peers;
        for (int i = 1; i <= 6; ++i) {
            ChokerPeer peer = makePeer(PeerId(i), 0);
            peer.connectedAtMs = i <= 2 ? 95'000 : 0;
            peers.append(peer);
        }
        choker.tick(100'000, peers, false);
        QCOMPARE(choker.optimistic().size(), 1);
        ++wins[choker.optimistic().first()];
    }
    const double perNew = (wins[1] + wins[2]) / 2.0;
    const double perOld = (wins[3] + wins[4] + wins[5] + wins[6]) / 4.0;
    const double ratio = perNew / perOld;
    qInfo("new peer wins %.0f, old peer wins %.0f, ratio %.2f", perNew, perOld, ratio);
    QVERIFY2(ratio > 2.6 && ratio < 3.4, qPrintable(QString::number(ratio)));
    for (PeerId id = 1; id <= 6; ++id)
        QVERIFY(wins[id] > 0);
}

void TestChoker::snubbedPeer_losesRegularSlot() {
    // Peer 1 sent the most on average, but nothing in the last 61 s while we wanted its pieces.
    Choker choker(1, slotConfig(4, 0));
    QList<ChokerPeer> peers;
    for (int i = 1; i <= 5; ++i) {
        ChokerPeer peer = makePeer(PeerId(i), quint64(10 - i) * 1'000'000);
        peer.connectedAtMs = 0;
        peer.amInterested = true;
        peer.lastBlockMs = 99'000;
        peers.append(peer);
    }
    peers[0].lastBlockMs = 39'000;
    choker.tick(100'000, peers, false);
    QVERIFY(choker.isSnubbed(1));
    QVERIFY(!choker.isSnubbed(2));
    QCOMPARE(choker.unchoked(), (QList<PeerId>{2, 3, 4, 5}));

    // A snubbed peer can still win the optimistic slot: it is the only choked interested peer.
    Choker withOptimistic(1, slotConfig(4, 1));
    withOptimistic.tick(100'000, peers, false);
    QCOMPARE(withOptimistic.optimistic(), QList<PeerId>{1});
}

void TestChoker::snubbedPeer_afterSixtySilentSeconds() {
    // A, B, C, X hold the regular slots; D (interested in us, nothing we want) waits. From t=0 on, X sends
    // nothing. X keeps its slot on ties until it is snubbed, then D takes it.
    Choker choker(3, slotConfig(4, 0));
    QList<ChokerPeer> peers;
    for (PeerId id : {1, 2, 3, 4}) { // 4 is X
        ChokerPeer peer = makePeer(id, 5'000'000);
        peer.amInterested = true;
        peer.lastBlockMs = 0;
        peers.append(peer);
    }
    peers.append(makePeer(5, 0)); // D
    choker.tick(0, peers, false);
    QCOMPARE(choker.unchoked(), (QList<PeerId>{1, 2, 3, 4}));
    for (qint64 now = 10'000; now <= 70'000; now += 10'000) {
        for (int i = 0; i < 3; ++i) {
            peers[i].downloaded += 100'000;
            peers[i].lastBlockMs = now;
        }
        const ChokeDecisions d = choker.tick(now, peers, false);
        if (now < 60'000) {
            QVERIFY2(d.isEmpty(), qPrintable(QString::number(now)));
            QVERIFY(!choker.isSnubbed(4));
        } else if (now == 60'000) {
            QVERIFY(choker.isSnubbed(4));
            QCOMPARE(d.choke, QList<PeerId>{4});
            QCOMPARE(d.unchoke, QList<PeerId>{5});
        }
    }
    // One block and it is no longer snubbed.
    peers[3].lastBlockMs = 75'000;
    peers[3].downloaded += 16'384;
    choker.tick(80'000, peers, false);
    QVERIFY(!choker.isSnubbed(4));
}

void TestChoker::snub_onlyWhileWeAreInterested() {
    Choker choker(1, slotConfig(4, 0));
    ChokerPeer peer = makePeer(1, 0);
    peer.connectedAtMs = 0;
    choker.tick(100'000, {peer}, false); // never sent anything, but we never asked
    QVERIFY(!choker.isSnubbed(1));
    // We become interested at 100 s: the 60 s count from then, not from the connection.
    peer.amInterested = true;
    choker.tick(101'000, {peer}, false);
    QVERIFY(!choker.isSnubbed(1));
    choker.tick(160'000, {peer}, false);
    QVERIFY(!choker.isSnubbed(1));
    choker.tick(161'000, {peer}, false);
    QVERIFY(choker.isSnubbed(1));
    // Seeding, nobody snubs us.
    choker.tick(170'000, {peer}, true);
    QVERIFY(!choker.isSnubbed(1));
}

void TestChoker::disabled_unchokesEveryone() {
    Choker choker(1);
    QList<ChokerPeer> peers;
    for (int i = 1; i <= 9; ++i)
        peers.append(makePeer(PeerId(i), quint64(i) * 1'000'000));
    choker.tick(0, peers, false);
    QCOMPARE(choker.unchoked().size(), 5);

    choker.setEnabled(false);
    QVERIFY(!choker.isEnabled());
    ChokeDecisions d = choker.tick(1'000, peers, false); // at once, not at the next round
    QCOMPARE(d.unchoke.size(), 4);
    QCOMPARE(choker.unchoked().size(), 9);
    QCOMPARE(choker.reason(1), UnchokeReason::ChokerOff);
    // A peer that connects later is unchoked at the next tick too.
    peers.append(makePeer(10, 0));
    d = choker.tick(2'000, peers, false);
    QCOMPARE(d.unchoke, QList<PeerId>{10});

    choker.setEnabled(true);
    d = choker.tick(3'000, peers, false);
    QVERIFY(d.rechoked);
    QCOMPARE(d.choke.size(), 5);
    QCOMPARE(choker.unchoked().size(), 5);
    QCOMPARE(choker.optimistic().size(), 1);
}

void TestChoker::rechoke_onlyEvery10s() {
    Choker choker(1, slotConfig(2, 0));
    QList<ChokerPeer> peers = {makePeer(1, 3'000'000), makePeer(2, 2'000'000), makePeer(3, 1'000'000)};
    QCOMPARE(choker.nextDeadlineMs(), 0); // a round is pending before the first tick
    ChokeDecisions d = choker.tick(0, peers, false);
    QVERIFY(d.rechoked);
    QCOMPARE(choker.nextDeadlineMs(), 10'000);
    QCOMPARE(choker.unchoked(), (QList<PeerId>{1, 2}));
    // Peer 3 becomes by far the fastest, but nothing moves before the round is due.
    for (qint64 now : {1'000, 5'000, 9'999}) {
        peers[2].downloaded += 100'000'000;
        d = choker.tick(now, peers, false);
        QVERIFY(!d.rechoked);
        QVERIFY(d.isEmpty());
        QCOMPARE(choker.nextDeadlineMs(), 10'000);
    }
    d = choker.tick(10'000, peers, false);
    QVERIFY(d.rechoked);
    QCOMPARE(d.unchoke, QList<PeerId>{3});
    QCOMPARE(d.choke.size(), 1);
    QCOMPARE(choker.nextDeadlineMs(), 20'000);
    // rechokeSoon() brings the next round forward.
    choker.tick(10'400, peers, false);
    choker.rechokeSoon();
    QCOMPARE(choker.nextDeadlineMs(), 10'400);
    QVERIFY(choker.tick(10'500, peers, false).rechoked);
    QCOMPARE(choker.nextDeadlineMs(), 20'500);
}

void TestChoker::uninterestedFasterPeers_areUnchoked() {
    // Peer 10 is not interested but sends us more than anyone: BEP 3 unchokes it too, so it can start at
    // once if it becomes interested. Peer 11, not interested and slow, stays choked.
    QList<ChokerPeer> peers;
    for (int i = 1; i <= 5; ++i)
        peers.append(makePeer(PeerId(i), quint64(10 - i) * 1'000'000));
    peers.append(makePeer(10, 50'000'000, 0, false));
    peers.append(makePeer(11, 1'000, 0, false));
    Choker choker(1, slotConfig(4, 0));
    choker.tick(0, peers, false);
    QCOMPARE(choker.unchoked(), (QList<PeerId>{1, 2, 3, 4, 10}));
    QCOMPARE(choker.reason(10), UnchokeReason::Uninterested);
    QCOMPARE(choker.reason(11), UnchokeReason::Choked);

    ChokerConfig config = slotConfig(4, 0);
    config.unchokeUninterested = false;
    Choker strict(1, config);
    strict.tick(0, peers, false);
    QCOMPARE(strict.unchoked(), (QList<PeerId>{1, 2, 3, 4}));
}

void TestChoker::decisions_areOnlyChanges() {
    Choker choker(1, slotConfig(2, 0));
    QList<ChokerPeer> peers = {makePeer(1, 3'000'000), makePeer(2, 2'000'000), makePeer(3, 1'000'000)};
    QCOMPARE(choker.tick(0, peers, false).unchoke.size(), 2);
    for (ChokerPeer& peer : peers)
        peer.downloaded += 1'000'000 * (4 - peer.id); // the same order as before
    const ChokeDecisions d = choker.tick(10'000, peers, false);
    QVERIFY(d.rechoked);
    QVERIFY(d.isEmpty());
}

void TestChoker::departedPeer_isForgottenWithoutChoke() {
    Choker choker(1, slotConfig(2, 0));
    QList<ChokerPeer> peers = {makePeer(1, 3'000'000), makePeer(2, 2'000'000), makePeer(3, 1'000'000)};
    choker.tick(0, peers, false);
    QVERIFY(choker.isUnchoked(1));
    peers.removeFirst();
    ChokeDecisions d = choker.tick(1'000, peers, false);
    QVERIFY(d.isEmpty()); // nobody to send a CHOKE to
    QVERIFY(!choker.isUnchoked(1));
    QCOMPARE(choker.reason(1), UnchokeReason::Choked);
    QCOMPARE(choker.unchoked(), QList<PeerId>{2});
    // The freed slot is filled at the next round.
    d = choker.tick(10'000, peers, false);
    QCOMPARE(d.unchoke, QList<PeerId>{3});
}

void TestChoker::seededChoker_isDeterministic() {
    auto run = [](quint32 seed) {
        Choker choker(seed);
        QList<ChokerPeer> peers;
        for (int i = 1; i <= 20; ++i) {
            ChokerPeer peer = makePeer(PeerId(i), 0);
            peer.connectedAtMs = i * 3'000;
            peers.append(peer);
        }
        QList<PeerId> trace;
        for (qint64 now = 60'000; now <= 600'000; now += 10'000) {
            for (ChokerPeer& peer : peers)
                peer.downloaded += (peer.id * 7919 + quint64(now)) % 1'000'000;
            const ChokeDecisions d = choker.tick(now, peers, now > 300'000);
            trace += d.unchoke;
            trace.append(0);
            trace += d.choke;
            trace.append(0);
        }
        return trace;
    };
    QCOMPARE(run(5), run(5));
    QVERIFY(run(5) != run(6));
}

QTEST_GUILESS_MAIN(TestChoker)
#include "tst_choker.moc"
