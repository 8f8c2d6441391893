// UploadTurns: who may put blocks on a capped upload link. A turn lasts a piece; the next piece goes to the
// back of the line when others wait, once what it wrote has crossed; an idle or stuck holder gives way; a
// link the holders cannot fill gets more turns at once; without a cap everybody may send.
#include "peer/UploadTurns.h"

#include <QTest>

#include <vector>

using namespace swarmscope;

namespace {

// Keys are only compared; these never point anywhere.
UploadTurns::Key key(int n) {
    return reinterpret_cast<UploadTurns::Key>(quintptr(0x1000 + n));
}

struct Woken {
    std::vector<UploadTurns::Key> keys;
    UploadTurns::Wake callback() {
        return [this](UploadTurns::Key k) { keys.push_back(k); };
    }
};

} // namespace

class TestUploadTurns : public QObject {
    Q_OBJECT
private slots:
    void oneTurn_theHolderKeepsItForItsWholePiece() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 7, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 3, true, 0, true)); // waits
        QCOMPARE(turns.waiting(), 1);
        for (int block = 0; block < 15; ++block)
            QVERIFY(turns.mayServe(key(1), 7, true, 10, true));
        QVERIFY(woken.keys.empty());
    }

    void nextPiece_goesToTheBackWhenSomebodyWaits() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 7, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 3, true, 0, true));
        QVERIFY(!turns.mayServe(key(1), 8, true, 5, true)); // piece 7 done: key 2's turn
        QCOMPARE(woken.keys, std::vector<UploadTurns::Key>{key(2)});
        QVERIFY(turns.holds(key(2)));
        QVERIFY(turns.mayServe(key(2), 3, true, 6, true));
        QVERIFY(!turns.holds(key(1)));
        QCOMPARE(turns.waiting(), 1);
    }

    void nextPiece_waitsUntilThePieceHasCrossed() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 7, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 3, true, 0, true));
        // Piece 7's last block is still on its way: nobody else's bytes queue beside it yet.
        QVERIFY(!turns.mayServe(key(1), 8, true, 5, false));
        QVERIFY(turns.holds(key(1)));
        QVERIFY(woken.keys.empty());
        QVERIFY(!turns.mayServe(key(1), 8, true, 9, true)); // crossed: the turn passes
        QCOMPARE(woken.keys, std::vector<UploadTurns::Key>{key(2)});
    }

    void nextPiece_keepsTheTurnWhenNobodyWaits() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 7, true, 0, true));
        QVERIFY(turns.mayServe(key(1), 8, true, 1, true));
        QVERIFY(turns.mayServe(key(1), 9, true, 2, true));
        QCOMPARE(turns.holders(), 1);
    }

    void release_handsTheTurnOnInOrder() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 0, true, 0, true));
        QVERIFY(!turns.mayServe(key(3), 0, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 0, true, 1, true)); // asking again keeps its place
        QCOMPARE(turns.waiting(), 2);
        turns.release(key(1));
        QCOMPARE(woken.keys, std::vector<UploadTurns::Key>{key(2)});
        turns.release(key(3)); // a waiter that leaves wakes nobody
        QCOMPARE(woken.keys.size(), std::size_t(1));
        turns.release(key(2));
        QCOMPARE(turns.holders(), 0);
        QCOMPARE(turns.waiting(), 0);
    }

    void twoTurns_twoHoldersAtOnce() {
        Woken woken;
        UploadTurns turns(2, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        QVERIFY(turns.mayServe(key(2), 1, true, 0, true));
        QVERIFY(!turns.mayServe(key(3), 2, true, 0, true));
        QCOMPARE(turns.holders(), 2);
    }

    void stuckHolder_givesWayToThoseWaiting() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 0, true, 0, true));
        turns.progressed(key(1), 150);
        turns.expire(250, 200); // moved bytes 100 ms ago: keeps its turn
        QVERIFY(turns.holds(key(1)));
        turns.expire(400, 200); // nothing for 250 ms
        QVERIFY(!turns.holds(key(1)));
        QVERIFY(turns.holds(key(2)));
        QCOMPARE(woken.keys, std::vector<UploadTurns::Key>{key(2)});
        QCOMPARE(turns.waiting(), 1); // key 1 waits at the back
    }

    void stuckHolder_keepsItsTurnWhenNobodyWaits() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        turns.expire(10'000, 200);
        QVERIFY(turns.holds(key(1)));
    }

    void linkNotFull_moreTurnsAtOnce_fewerOnceFull() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        for (int k = 2; k <= 6; ++k)
            QVERIFY(!turns.mayServe(key(k), 0, true, 0, true));
        turns.adapt(100, 1000); // the holder filled a tenth of the link
        QCOMPARE(turns.effectiveConcurrent(), 2);
        QCOMPARE(turns.holders(), 2);
        turns.adapt(300, 1000);
        QCOMPARE(turns.effectiveConcurrent(), 3);
        turns.adapt(600, 1000);
        QCOMPARE(turns.effectiveConcurrent(), 5);
        QCOMPARE(turns.holders(), 5);
        QCOMPARE(woken.keys.size(), std::size_t(4));
        turns.adapt(990, 1000); // full: fewer from now on (nobody is cut off)
        QCOMPARE(turns.effectiveConcurrent(), 3);
        QCOMPARE(turns.holders(), 5);
        turns.adapt(850, 1000); // between: unchanged
        QCOMPARE(turns.effectiveConcurrent(), 3);
    }

    void linkNotFull_nobodyWaiting_noMoreTurns() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        turns.adapt(0, 1000);
        QCOMPARE(turns.effectiveConcurrent(), 1);
    }

    void noCap_everybodySends_andNobodyIsLeftWaiting() {
        Woken woken;
        UploadTurns turns(1, woken.callback());
        QVERIFY(turns.mayServe(key(1), 0, true, 0, true));
        QVERIFY(!turns.mayServe(key(2), 0, true, 0, true));
        QVERIFY(!turns.mayServe(key(3), 0, true, 0, true));
        // The cap was lifted: the next caller goes at once and wakes the ones waiting.
        QVERIFY(turns.mayServe(key(1), 1, false, 5, true));
        QCOMPARE(woken.keys, (std::vector<UploadTurns::Key>{key(2), key(3)}));
        QCOMPARE(turns.waiting(), 0);
        QVERIFY(turns.mayServe(key(2), 0, false, 6, true));
        QVERIFY(turns.mayServe(key(3), 0, false, 6, true));
    }

    void off_everybodySends() {
        Woken woken;
        UploadTurns turns(0, woken.callback());
        for (int k = 1; k <= 5; ++k)
            QVERIFY(turns.mayServe(key(k), k, true, 0, true));
        QCOMPARE(turns.holders(), 0);
        turns.adapt(0, 1000);
        QCOMPARE(turns.effectiveConcurrent(), 0);
    }
};

QTEST_GUILESS_MAIN(TestUploadTurns)
#include "tst_uploadturns.moc"
