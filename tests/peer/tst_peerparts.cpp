#include "PeerTests.h"

#include "metainfo/Sha1.h"
#include "peer/BanList.h"
#include "peer/PeerCandidates.h"
#include "peer/PeerIdentity.h"
#include "peer/PieceHasher.h"
#include "peer/RateMeter.h"
#include "peer/RttEstimator.h"

#include <QTest>

using namespace swarmscope;

namespace {

class PeerPartsTests : public QObject {
    Q_OBJECT

private slots:
    void peerId_hasPrefixAndTwelveAlphanumerics() {
        const QByteArray id = makePeerId();
        QCOMPARE(id.size(), 20);
        QVERIFY(id.startsWith("-SS0010-"));
        for (char c : id.mid(8))
            QVERIFY((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
        QVERIFY(makePeerId() != makePeerId());
        QCOMPARE(makePeerId(7), makePeerId(7));
    }

    void rateMeter_measuresOverItsWindow() {
        RateMeter meter;
        meter.update(0);
        QCOMPARE(meter.rate(), 0);
        meter.add(250'000);
        meter.update(250);
        QCOMPARE(meter.rate(), 1'000'000); // answers after one tick
        for (int t = 500; t <= 5000; t += 250) {
            meter.add(250'000);
            meter.update(t);
        }
        QCOMPARE(meter.rate(), 1'000'000);
        for (int t = 5250; t <= 10'000; t += 250)
            meter.update(t); // silence
        QCOMPARE(meter.rate(), 0);
        QCOMPARE(meter.total(), 20 * 250'000);
    }

    void rateMeter_survivesALateTick() {
        RateMeter meter;
        meter.update(0);
        meter.add(1000);
        meter.update(10'000); // a stalled event loop
        QCOMPARE(meter.rate(), 100);
    }

    void rtt_isTheLowestDelayOfTheLastTwoWindows() {
        constexpr qint64 w = RttEstimator::kWindowUs;
        RttEstimator rtt;
        QVERIFY(!rtt.hasEstimate());
        QCOMPARE(rtt.rttMs(), -1);
        rtt.addSample(50'000, 0);
        QCOMPARE(rtt.rttMs(), 50);
        // A request that waited behind others reads long; the estimate keeps the lowest.
        rtt.addSample(900'000, 1'000'000);
        QCOMPARE(rtt.rttMs(), 50);
        rtt.addSample(40'000, 2'000'000);
        QCOMPARE(rtt.rttMs(), 40);
        // The next window remembers the last one's lowest ...
        rtt.addSample(300'000, w + 1);
        QCOMPARE(rtt.rttMs(), 40);
        // ... and the one after forgets it: a link that became longer is seen within two windows.
        rtt.addSample(310'000, 2 * w + 2);
        QCOMPARE(rtt.rttMs(), 300);
        rtt.addSample(320'000, 3 * w + 3);
        QCOMPARE(rtt.rttMs(), 310);
        // A silence longer than two windows: only what follows counts.
        rtt.addSample(700'000, 6 * w);
        QCOMPARE(rtt.rttMs(), 700);
        rtt.addSample(-5, 6 * w + 1); // a clock that went back: never below zero
        QCOMPARE(rtt.rttMs(), 0);
    }

    void candidates_dedupeBackOffAndForget() {
        PeerCandidates c(1000, 3);
        const QHostAddress lo(QHostAddress::LocalHost);
        QVERIFY(c.add(lo, 6881, {}, 0));
        QVERIFY(!c.add(lo, 6881, "x", 0));
        QVERIFY(!c.add(QHostAddress(QStringLiteral("::ffff:127.0.0.1")), 6881, {}, 0));
        QCOMPARE(c.size(), 1);
        auto first = c.takeDue(0);
        QVERIFY(first);
        QVERIFY(!c.takeDue(0)); // active
        c.failed(lo, 6881, 0);
        QVERIFY(!c.takeDue(999));
        QVERIFY(c.takeDue(1000));
        c.failed(lo, 6881, 1000);
        QVERIFY(!c.takeDue(2999)); // doubled
        QVERIFY(c.takeDue(3000));
        c.failed(lo, 6881, 3000); // the third failure in a row: forgotten
        QCOMPARE(c.size(), 0);
    }

    void banList_bansPeerIdAndEndpointButNotLoopbackAddress() {
        BanList bans;
        const QHostAddress lo(QHostAddress::LocalHost);
        QVERIFY(bans.ban(lo, 7000, "-XX0001-aaaaaaaaaaaa"));
        QVERIFY(!bans.ban(lo, 7000, {}));
        QCOMPARE(bans.count(), 1);
        QVERIFY(bans.isBanned(lo, 7000, {}));
        QVERIFY(bans.isBanned(lo, 1234, "-XX0001-aaaaaaaaaaaa"));
        QVERIFY(!bans.isBanned(lo, 7001, "-XX0001-bbbbbbbbbbbb")); // another lab peer on 127.0.0.1
        const QHostAddress remote(QStringLiteral("192.0.2.7"));
        QVERIFY(bans.ban(remote, 7000, {}));
        QVERIFY(bans.isBanned(remote, 9999, {}));
    }

    void hasher_hashesInOrderAndOutOfOrderAlike() {
        QByteArray piece(64, Qt::Uninitialized);
        for (int i = 0; i < piece.size(); ++i)
            piece[i] = char(i * 7);
        PieceHasher h(1000);
        // Blocks from two peers: the second half first, then the first; a repeat is ignored.
        h.add(0, 32, piece.constData() + 32, 16);
        h.add(0, 48, piece.constData() + 48, 16);
        QCOMPARE(h.waitingBytes(), 32);
        h.add(0, 0, piece.constData(), 16);
        h.add(0, 0, piece.constData(), 16);
        h.add(0, 16, piece.constData() + 16, 16);
        QCOMPARE(h.waitingBytes(), 0);
        const std::optional<QByteArray> digest = h.finish(0, 64);
        QVERIFY(digest);
        QCOMPARE(*digest, sha1(piece));
        QCOMPARE(h.piecesInProgress(), 0);
    }

    void hasher_overItsBudget_leavesThePieceToBeReadBack() {
        const QByteArray block(16, 'x');
        PieceHasher h(20);
        h.add(1, 16, block.constData(), 16); // waits: 16 of 20
        h.add(1, 32, block.constData(), 16); // would pass the budget: this piece is read back instead
        QCOMPARE(h.waitingBytes(), 0);
        h.add(1, 0, block.constData(), 16);
        QVERIFY(!h.finish(1, 48));
        // An incomplete piece has no digest either.
        h.add(2, 0, block.constData(), 16);
        QVERIFY(!h.finish(2, 48));
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createPeerPartsTests() {
    return std::make_unique<PeerPartsTests>();
}

#include "tst_peerparts.moc"
