#include "peer/PiecePicker.h"

#include <QElapsedTimer>
#include <QSet>
#include <QTest>

#include <deque>
#include <random>

using namespace swarmscope;

Q_DECLARE_METATYPE(swarmscope::PickerStrategy)

namespace swarmscope {
char* toString(const BlockRequest& b) {
    return QTest::toString(QStringLiteral("(%1, %2, %3)").arg(b.piece).arg(b.offset).arg(b.length));
}
} // namespace swarmscope

namespace {

constexpr int kBlock = PiecePicker::kBlockSize;
constexpr PeerId kA = 1;
constexpr PeerId kB = 2;
constexpr PeerId kC = 3;

Bitfield bits(int size, std::initializer_list<int> set) {
    Bitfield result(size);
    for (int piece : set)
        result.setBit(piece);
    return result;
}

Bitfield randomBits(int size, double density, std::mt19937& rng) {
    Bitfield result(size);
    std::bernoulli_distribution coin(density);
    for (int i = 0; i < size; ++i)
        if (coin(rng))
            result.setBit(i);
    return result;
}

// A torrent of pieces pieces of blocks full blocks each.
TorrentGeometry geometry(int pieces, int blocks) {
    return TorrentGeometry::fromSizes(qint64(pieces) * blocks * kBlock, qint64(blocks) * kBlock);
}

// Receives every block of the list from peer, verifying each piece that completes.
void deliver(PiecePicker& picker, PeerId peer, const QList<BlockRequest>& blocks) {
    for (const BlockRequest& b : blocks) {
        const BlockReceipt receipt = picker.blockReceived(peer, b.piece, b.offset, b.length);
        QVERIFY(receipt.accepted);
        if (receipt.pieceComplete)
            picker.pieceVerified(b.piece);
    }
}

QList<int> piecesOf(const QList<BlockRequest>& blocks) {
    QList<int> pieces;
    for (const BlockRequest& b : blocks)
        if (pieces.isEmpty() || pieces.last() != b.piece)
            pieces.append(b.piece);
    return pieces;
}

} // namespace

class TestPicker : public QObject {
    Q_OBJECT

private slots:
    void blocks_lastPieceAndLastBlockAreShort_data();
    void blocks_lastPieceAndLastBlockAreShort();
    void availability_followsBitfieldsHavesAndDepartures();
    void rarestFirst_randomForFirstPiecesThenRarest();
    void rarestFirst_firstPiecesAreRandom();
    void rarestFirst_tiesAreBrokenRandomly();
    void partialPieces_areFinishedFirst_data();
    void partialPieces_areFinishedFirst();
    void sequential_picksInIndexOrder();
    void random_coversEveryPieceOnce();
    void pick_neverWhatPeerLacksOrWeHave_data();
    void pick_neverWhatPeerLacksOrWeHave();
    void strategy_canChangeMidDownload();
    void endgame_duplicatesAndCancelList();
    void endgame_notBeforeEveryBlockIsRequested();
    void endgame_ignoresPiecesNobodyHas();
    void blockReceived_rejectsDuplicatesAndBadBlocks();
    void blockReceived_acceptsUnrequestedBlockWeNeed();
    void requestCancelled_returnsBlockToPool();
    void peerGone_releasesItsRequests();
    void peerChoked_releasesRequestsButKeepsTrust();
    void pieceFailed_returnsBlocksAndContributors();
    void pieceFailed_soleContributorIsBanned();
    void mainContributor_isWhoSentMostBlocks();
    void pieceFailed_repeatedFailuresBan();
    void pieceVerified_fromResumeData();
    void inFlightPieces_showsOutstandingRequests();
    void seededPicker_isDeterministic();
    void strategyNames_roundTrip();
    void largeSwarm_pickLoopIsFastAndCorrect_data();
    void largeSwarm_pickLoopIsFastAndCorrect();
};

void TestPicker::blocks_lastPieceAndLastBlockAreShort_data() {
    QTest::addColumn<qint64>("pieceLength");
    QTest::addColumn<qint64>("totalSize");
    QTest::addColumn<int>("piece");
    QTest::addColumn<QList<int>>("lengths");

    const qint64 odd = 2 * kBlock + 100;
    QTest::newRow("odd piece, first") << odd << 3 * odd + 5 << 0 << QList<int>{kBlock, kBlock, 100};
    QTest::newRow("odd piece, middle") << odd << 3 * odd + 5 << 2 << QList<int>{kBlock, kBlock, 100};
    QTest::newRow("odd piece, last is 5 bytes") << odd << 3 * odd + 5 << 3 << QList<int>{5};
    QTest::newRow("exact blocks") << qint64(4 * kBlock) << qint64(8 * kBlock) << 1
                                  << QList<int>{kBlock, kBlock, kBlock, kBlock};
    QTest::newRow("last piece one block and a bit")
        << qint64(4 * kBlock) << qint64(5 * kBlock + 1) << 1 << QList<int>{kBlock, 1};
    QTest::newRow("piece smaller than a block")
        << qint64(8192) << qint64(8192 * 3 - 1) << 2 << QList<int>{8191};
    QTest::newRow("single piece torrent") << qint64(kBlock) << qint64(10) << 0 << QList<int>{10};
}

void TestPicker::blocks_lastPieceAndLastBlockAreShort() {
    QFETCH(qint64, pieceLength);
    QFETCH(qint64, totalSize);
    QFETCH(int, piece);
    QFETCH(QList<int>, lengths);

    PiecePicker picker(TorrentGeometry::fromSizes(totalSize, pieceLength));
    picker.setStrategy(PickerStrategy::Sequential);
    QCOMPARE(picker.blockCount(piece), lengths.size());
    const Bitfield peer = bits(picker.pieceCount(), {piece});
    picker.peerBitfield(peer);
    const QList<BlockRequest> picked = picker.pick(kA, peer, 100);
    QCOMPARE(picked.size(), lengths.size());
    for (int i = 0; i < lengths.size(); ++i) {
        QCOMPARE(picked[i], (BlockRequest{piece, i * kBlock, lengths[i]}));
        QCOMPARE(picker.blockLength(piece, i * kBlock), lengths[i]);
    }
    QCOMPARE(picker.blockLength(piece, int(lengths.size()) * kBlock), 0);
    QCOMPARE(picker.blockLength(piece, 1), 0); // not a block boundary

    // The short block is only accepted at its real length.
    const BlockRequest last = picked.last();
    if (last.length != kBlock)
        QVERIFY(!picker.blockReceived(kA, piece, last.offset, kBlock).accepted);
    for (const BlockRequest& b : picked)
        QVERIFY(picker.blockReceived(kA, b.piece, b.offset, b.length).accepted);
    picker.pieceVerified(piece);
    QCOMPARE(picker.bytesLeft(), totalSize - picker.pieceSize(piece));
}

void TestPicker::availability_followsBitfieldsHavesAndDepartures() {
    PiecePicker picker(geometry(10, 1));
    const Bitfield a = bits(10, {0, 1, 2});
    const Bitfield b = bits(10, {1, 2, 3});
    picker.peerBitfield(a);
    picker.peerBitfield(b);
    picker.peerHas(9);
    picker.peerHas(9);
    QCOMPARE(picker.availability(0), 1);
    QCOMPARE(picker.availability(1), 2);
    QCOMPARE(picker.availability(3), 1);
    QCOMPARE(picker.availability(4), 0);
    QCOMPARE(picker.availability(9), 2);
    picker.peerLost(a);
    QCOMPARE(picker.availability(0), 0);
    QCOMPARE(picker.availability(1), 1);
    // An unbalanced departure cannot drive availability negative.
    picker.peerLost(a);
    QCOMPARE(picker.availability(0), 0);
    // Wrong sizes and indices are ignored, not trusted.
    picker.peerBitfield(Bitfield(11, true));
    picker.peerHas(10);
    picker.peerHas(-1);
    QCOMPARE(picker.availability(5), 0);
    QCOMPARE(picker.availability(10), 0);
}

// Piece i has availability kAvail[i]; with a single-block piece, each pick of one block is one piece.
void TestPicker::rarestFirst_randomForFirstPiecesThenRarest() {
    const QList<int> avail = {5, 3, 9, 1, 7, 2, 8, 6, 4, 10, 12, 11};
    const int n = int(avail.size());
    PiecePicker picker(geometry(n, 1), 7);
    for (int piece = 0; piece < n; ++piece)
        for (int k = 0; k < avail[piece]; ++k)
            picker.peerHas(piece);
    const Bitfield seed(n, true);

    QList<int> order;
    while (!picker.isComplete()) {
        const QList<BlockRequest> picked = picker.pick(kA, seed, 1);
        QCOMPARE(picked.size(), 1);
        order.append(picked.first().piece);
        deliver(picker, kA, picked);
    }
    QCOMPARE(order.size(), n);
    QCOMPARE(QSet<int>(order.begin(), order.end()).size(), n);

    // After the 4 random ones, the rest come strictly rarest first.
    QList<int> rest = order.mid(PiecePicker::kDefaultRandomFirstPieces);
    QList<int> expected = rest;
    std::sort(expected.begin(), expected.end(), [&](int x, int y) { return avail[x] < avail[y]; });
    QCOMPARE(rest, expected);
}

void TestPicker::rarestFirst_firstPiecesAreRandom() {
    // Over many seeds, the first piece is not always the rarest one, and every piece shows up.
    const int n = 8;
    QSet<int> firsts;
    for (quint32 seed = 0; seed < 200; ++seed) {
        PiecePicker picker(geometry(n, 1), seed);
        for (int piece = 0; piece < n; ++piece)
            for (int k = 0; k <= piece; ++k)
                picker.peerHas(piece);
        firsts.insert(picker.pick(kA, Bitfield(n, true), 1).first().piece);
    }
    QCOMPARE(firsts.size(), n);

    // With the random phase off, the rarest piece comes first every time.
    for (quint32 seed = 0; seed < 20; ++seed) {
        PiecePicker picker(geometry(n, 1), seed);
        picker.setRandomFirstPieces(0);
        for (int piece = 0; piece < n; ++piece)
            for (int k = 0; k <= piece; ++k)
                picker.peerHas(piece);
        QCOMPARE(picker.pick(kA, Bitfield(n, true), 1).first().piece, 0);
    }
}

void TestPicker::rarestFirst_tiesAreBrokenRandomly() {
    // Pieces 0..9 have availability 1, 10..19 availability 2. The first rarest-first pick is always among
    // the rarest ten, and over seeds it lands on each of them.
    const int n = 20;
    QHash<int, int> hits;
    for (quint32 seed = 0; seed < 400; ++seed) {
        PiecePicker picker(geometry(n, 1), seed);
        picker.setRandomFirstPieces(0);
        picker.peerBitfield(Bitfield(n, true));
        for (int piece = 10; piece < n; ++piece)
            picker.peerHas(piece);
        const int first = picker.pick(kA, Bitfield(n, true), 1).first().piece;
        QVERIFY2(first < 10, qPrintable(QString::number(first)));
        ++hits[first];
    }
    QCOMPARE(hits.size(), 10);
    for (int count : hits)
        QVERIFY2(count >= 20, qPrintable(QString::number(count))); // 40 expected each
}

void TestPicker::partialPieces_areFinishedFirst_data() {
    QTest::addColumn<PickerStrategy>("strategy");
    QTest::newRow("rarest-first") << PickerStrategy::RarestFirst;
    QTest::newRow("random") << PickerStrategy::Random;
    QTest::newRow("sequential") << PickerStrategy::Sequential;
}

void TestPicker::partialPieces_areFinishedFirst() {
    QFETCH(PickerStrategy, strategy);
    const int n = 50;
    PiecePicker picker(geometry(n, 4), 3);
    picker.setStrategy(strategy);
    picker.setRandomFirstPieces(0);
    const Bitfield all(n, true);
    picker.peerBitfield(all);
    picker.peerBitfield(all);

    // A starts a piece and gets 2 of its 4 blocks; B asks for 4 and must finish that piece first.
    const QList<BlockRequest> a = picker.pick(kA, all, 2);
    QCOMPARE(a.size(), 2);
    const int started = a.first().piece;
    QCOMPARE(a.last().piece, started);
    QCOMPARE(picker.partialPieces(), QList<int>{started});

    const QList<BlockRequest> b = picker.pick(kB, all, 4);
    QCOMPARE(b.size(), 4);
    QCOMPARE(b[0], (BlockRequest{started, 2 * kBlock, kBlock}));
    QCOMPARE(b[1], (BlockRequest{started, 3 * kBlock, kBlock}));
    QVERIFY(b[2].piece != started);
    QCOMPARE(b[3].piece, b[2].piece);

    // A peer that lacks the partial piece gets a fresh one instead.
    Bitfield lacking = all;
    lacking.clearBit(started);
    lacking.clearBit(b[2].piece);
    const QList<BlockRequest> c = picker.pick(kC, lacking, 1);
    QCOMPARE(c.size(), 1);
    QVERIFY(c.first().piece != started && c.first().piece != b[2].piece);
}

void TestPicker::sequential_picksInIndexOrder() {
    const int n = 10;
    PiecePicker picker(geometry(n, 2));
    picker.setStrategy(PickerStrategy::Sequential);
    const Bitfield peer = bits(n, {1, 3, 4, 7, 9});
    picker.peerBitfield(peer);
    picker.pieceVerified(3);
    QCOMPARE(piecesOf(picker.pick(kA, peer, 3)), (QList<int>{1, 4}));
    QCOMPARE(piecesOf(picker.pick(kB, peer, 5)), (QList<int>{4, 7, 9}));
    QVERIFY(picker.pick(kC, peer, 100).isEmpty() || picker.isEndgame());
}

void TestPicker::random_coversEveryPieceOnce() {
    const int n = 300;
    PiecePicker picker(geometry(n, 1), 11);
    picker.setStrategy(PickerStrategy::Random);
    const Bitfield all(n, true);
    picker.peerBitfield(all);
    QList<int> order;
    while (!picker.isComplete()) {
        const QList<BlockRequest> picked = picker.pick(kA, all, 7);
        QVERIFY(!picked.isEmpty());
        for (const BlockRequest& b : picked)
            order.append(b.piece);
        deliver(picker, kA, picked);
    }
    QCOMPARE(order.size(), n);
    QCOMPARE(QSet<int>(order.begin(), order.end()).size(), n);
    QList<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    QVERIFY(order != sorted);
    QCOMPARE(picker.bytesLeft(), 0);
}

void TestPicker::pick_neverWhatPeerLacksOrWeHave_data() {
    QTest::addColumn<PickerStrategy>("strategy");
    QTest::newRow("rarest-first") << PickerStrategy::RarestFirst;
    QTest::newRow("random") << PickerStrategy::Random;
    QTest::newRow("sequential") << PickerStrategy::Sequential;
}

void TestPicker::pick_neverWhatPeerLacksOrWeHave() {
    QFETCH(PickerStrategy, strategy);
    const int n = 200;
    const int peers = 6;
    std::mt19937 rng(5);
    PiecePicker picker(geometry(n, 3), 5);
    picker.setStrategy(strategy);
    QList<Bitfield> has;
    for (int p = 0; p < peers; ++p) {
        has.append(randomBits(n, 0.4, rng));
        picker.peerBitfield(has.last());
    }
    // Some pieces are ours already.
    for (int piece = 0; piece < n; piece += 9)
        picker.pieceVerified(piece);

    QList<std::deque<BlockRequest>> outstanding(peers);
    for (int step = 0; step < 20'000 && !picker.isComplete(); ++step) {
        const int p = int(rng() % peers);
        const PeerId id = PeerId(p + 1);
        // Now and then the peer chokes us, or drops and comes back.
        if (rng() % 40 == 0) {
            if (rng() % 2) {
                QCOMPARE(picker.peerChoked(id).size(), qsizetype(outstanding[p].size()));
            } else {
                QCOMPARE(picker.peerGone(id).size(), qsizetype(outstanding[p].size()));
                picker.peerLost(has[p]);
                picker.peerBitfield(has[p]);
            }
            outstanding[p].clear();
        }
        const QList<BlockRequest> picked = picker.pick(id, has[p], 1 + int(rng() % 4));
        for (const BlockRequest& b : picked) {
            QVERIFY(has[p].testBit(b.piece));
            QVERIFY(!picker.have().testBit(b.piece));
            for (const BlockRequest& mine : outstanding[p])
                QVERIFY2(!(mine == b), "the same block twice from one peer");
            outstanding[p].push_back(b);
        }
        // The incremental endgame and in-flight bookkeeping agree with a brute-force look at every block.
        bool anyRequested = false;
        bool anyOpen = false;
        Bitfield inFlight(n);
        for (int piece = 0; piece < n; ++piece) {
            for (int block = 0; block < picker.blockCount(piece); ++block) {
                const BlockStatus status = picker.blockStatus(piece, block * kBlock);
                if (status == BlockStatus::Requested) {
                    anyRequested = true;
                    inFlight.setBit(piece);
                }
                if (status == BlockStatus::Missing && picker.availability(piece) > 0)
                    anyOpen = true;
            }
        }
        QCOMPARE(picker.isEndgame(), anyRequested && !anyOpen);
        QCOMPARE(picker.inFlightPieces(), inFlight);
        // Deliver, lose or drop a few.
        if (!outstanding[p].empty()) {
            const BlockRequest b = outstanding[p].front();
            outstanding[p].pop_front();
            if (rng() % 10 == 0) {
                picker.requestCancelled(id, b.piece, b.offset);
            } else {
                const BlockReceipt r = picker.blockReceived(id, b.piece, b.offset, b.length);
                for (PeerId other : r.cancel) {
                    auto& queue = outstanding[int(other) - 1];
                    queue.erase(std::remove(queue.begin(), queue.end(), b), queue.end());
                }
                if (r.pieceComplete)
                    picker.pieceVerified(b.piece);
            }
        }
    }
    // Pieces nobody has stay missing; everything else arrived.
    Bitfield anyone(n);
    for (const Bitfield& h : has)
        anyone = anyone | h;
    for (int piece = 0; piece < n; ++piece)
        if (anyone.testBit(piece))
            QVERIFY2(picker.have().testBit(piece), qPrintable(QString::number(piece)));
}

void TestPicker::strategy_canChangeMidDownload() {
    const int n = 40;
    PiecePicker picker(geometry(n, 2), 9);
    const Bitfield all(n, true);
    picker.peerBitfield(all);
    deliver(picker, kA, picker.pick(kA, all, 5)); // rarest-first, random phase
    picker.setStrategy(PickerStrategy::Sequential);
    QCOMPARE(picker.strategy(), PickerStrategy::Sequential);
    // The half-done piece is finished first, then the lowest missing index.
    const QList<BlockRequest> next = picker.pick(kA, all, 3);
    QCOMPARE(next.size(), 3);
    const int lowest = picker.have().nextClearBit(0);
    QVERIFY(next[1].piece == lowest || next[0].piece == lowest);
}

void TestPicker::endgame_duplicatesAndCancelList() {
    PiecePicker picker(geometry(2, 2));
    const Bitfield all(2, true);
    for (int i = 0; i < 3; ++i)
        picker.peerBitfield(all);
    QVERIFY(!picker.isEndgame());

    const QList<BlockRequest> a = picker.pick(kA, all, 10);
    QCOMPARE(a.size(), 4);
    QVERIFY(picker.isEndgame());
    QVERIFY(picker.pick(kA, all, 10).isEmpty()); // never the same block twice from one peer

    const QList<BlockRequest> b = picker.pick(kB, all, 10);
    QCOMPARE(b.size(), 4);
    QVERIFY(picker.pick(kB, all, 10).isEmpty());
    // Every block has two requesters now, the most endgame allows: C gets nothing.
    QCOMPARE(PiecePicker::kMaxEndgameRequesters, 2);
    QVERIFY(picker.pick(kC, all, 10).isEmpty());
    const BlockRequest x = b[0];
    QCOMPARE(picker.requesters(x.piece, x.offset), (QList<PeerId>{kA, kB}));

    // The first copy wins; everyone else who had it requested gets a CANCEL.
    const BlockReceipt r = picker.blockReceived(kB, x.piece, x.offset, x.length);
    QVERIFY(r.accepted);
    QCOMPARE(r.cancel, (QList<PeerId>{kA}));
    QCOMPARE(picker.blockStatus(x.piece, x.offset), BlockStatus::Received);
    QVERIFY(picker.requesters(x.piece, x.offset).isEmpty());
    // A's copy arrives anyway: dropped.
    QVERIFY(!picker.blockReceived(kA, x.piece, x.offset, x.length).accepted);

    // A peer that drops out frees its places: C may then take the blocks B had asked for.
    picker.peerGone(kB);
    const QList<BlockRequest> c = picker.pick(kC, all, 10);
    QCOMPARE(c.size(), 3);
    for (const BlockRequest& y : c)
        QCOMPARE(picker.requesters(y.piece, y.offset), (QList<PeerId>{kA, kC}));
}

void TestPicker::endgame_notBeforeEveryBlockIsRequested() {
    PiecePicker picker(geometry(3, 2));
    const Bitfield all(3, true);
    picker.peerBitfield(all);
    picker.peerBitfield(all);
    QCOMPARE(picker.pick(kA, all, 4).size(), 4);
    QVERIFY(!picker.isEndgame());
    // B gets the two unrequested blocks, not duplicates of A's; only then does endgame start.
    const QList<BlockRequest> b = picker.pick(kB, all, 2);
    QCOMPARE(b.size(), 2);
    for (const BlockRequest& x : b)
        QCOMPARE(picker.requesters(x.piece, x.offset), QList<PeerId>{kB});
    QVERIFY(picker.isEndgame());
    // Withdrawing a request leaves endgame.
    QVERIFY(picker.requestCancelled(kB, b[0].piece, b[0].offset));
    QVERIFY(!picker.isEndgame());
}

void TestPicker::endgame_ignoresPiecesNobodyHas() {
    PiecePicker picker(geometry(3, 1));
    const Bitfield some = bits(3, {0, 1});
    picker.peerBitfield(some);
    QCOMPARE(picker.pick(kA, some, 10).size(), 2);
    QVERIFY(picker.isEndgame());
    // Piece 2 appears: there is an unrequested block someone has, so no endgame until it is requested.
    picker.peerHas(2);
    QVERIFY(!picker.isEndgame());
    QCOMPARE(picker.pick(kB, Bitfield(3, true), 1), (QList<BlockRequest>{{2, 0, kBlock}}));
    QVERIFY(picker.isEndgame());
}

void TestPicker::blockReceived_rejectsDuplicatesAndBadBlocks() {
    PiecePicker picker(TorrentGeometry::fromSizes(3 * kBlock + 10, 2 * kBlock));
    const Bitfield all(2, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> picked = picker.pick(kA, all, 10);
    QCOMPARE(picked.size(), 4); // 2 + 2: the last piece is one block and 10 bytes
    QVERIFY(!picker.blockReceived(kA, 2, 0, kBlock).accepted);          // no such piece
    QVERIFY(!picker.blockReceived(kA, -1, 0, kBlock).accepted);         // no such piece
    QVERIFY(!picker.blockReceived(kA, 0, 100, kBlock).accepted);        // not a block boundary
    QVERIFY(!picker.blockReceived(kA, 0, 2 * kBlock, kBlock).accepted); // past the piece
    QVERIFY(!picker.blockReceived(kA, 1, kBlock, kBlock).accepted);     // wrong length for a short block
    QVERIFY(!picker.blockReceived(kA, 0, 0, 100).accepted);             // short length for a full block
    QVERIFY(picker.blockReceived(kA, 0, 0, kBlock).accepted);
    QVERIFY(!picker.blockReceived(kA, 0, 0, kBlock).accepted); // twice
    const BlockReceipt done = picker.blockReceived(kA, 0, kBlock, kBlock);
    QVERIFY(done.accepted && done.pieceComplete);
    picker.pieceVerified(0);
    QVERIFY(!picker.blockReceived(kA, 0, 0, kBlock).accepted); // the piece is ours
    QVERIFY(!picker.requestCancelled(kA, 0, 0));
}

void TestPicker::blockReceived_acceptsUnrequestedBlockWeNeed() {
    PiecePicker picker(geometry(4, 2));
    const Bitfield all(4, true);
    picker.peerBitfield(all);
    // A late block after a choke released the request is still good data.
    const QList<BlockRequest> picked = picker.pick(kA, all, 1);
    picker.peerChoked(kA);
    QCOMPARE(picker.blockStatus(picked[0].piece, picked[0].offset), BlockStatus::Missing);
    const BlockReceipt r = picker.blockReceived(kA, picked[0].piece, picked[0].offset, picked[0].length);
    QVERIFY(r.accepted);
    QVERIFY(r.cancel.isEmpty());
    // Its other block is now the first choice for the next pick (partial first).
    QCOMPARE(picker.pick(kB, all, 1).first().piece, picked[0].piece);
    // And a block for a piece nobody requested at all.
    const int untouched = (picked[0].piece + 1) % 4;
    QCOMPARE(picker.blockStatus(untouched, kBlock), BlockStatus::Missing);
    QVERIFY(picker.blockReceived(kB, untouched, kBlock, kBlock).accepted);
    QCOMPARE(picker.blockStatus(untouched, kBlock), BlockStatus::Received);
}

void TestPicker::requestCancelled_returnsBlockToPool() {
    PiecePicker picker(geometry(5, 4));
    const Bitfield all(5, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> a = picker.pick(kA, all, 2);
    QVERIFY(picker.requestCancelled(kA, a[1].piece, a[1].offset));
    QVERIFY(!picker.requestCancelled(kA, a[1].piece, a[1].offset));
    QVERIFY(!picker.requestCancelled(kB, a[0].piece, a[0].offset)); // not B's request
    QCOMPARE(picker.blockStatus(a[1].piece, a[1].offset), BlockStatus::Missing);
    // The freed block is picked again, before the piece's untouched ones.
    QCOMPARE(picker.pick(kB, all, 1).first(), a[1]);
    // Withdrawing every request of a piece with nothing received makes it fresh again.
    QVERIFY(picker.requestCancelled(kA, a[0].piece, a[0].offset));
    QVERIFY(picker.requestCancelled(kB, a[1].piece, a[1].offset));
    QVERIFY(picker.partialPieces().isEmpty());
    QVERIFY(picker.inFlightPieces().none());
}

void TestPicker::peerGone_releasesItsRequests() {
    PiecePicker picker(geometry(6, 4), 2);
    const Bitfield all(6, true);
    picker.peerBitfield(all);
    picker.peerBitfield(all);
    const QList<BlockRequest> a = picker.pick(kA, all, 6);
    const QList<BlockRequest> b = picker.pick(kB, all, 3);
    deliver(picker, kB, b.mid(0, 1));
    QCOMPARE(picker.peerGone(kA), a);
    picker.peerLost(all);
    for (const BlockRequest& x : a)
        QCOMPARE(picker.blockStatus(x.piece, x.offset), BlockStatus::Missing);
    for (const BlockRequest& x : b.mid(1))
        QCOMPARE(picker.requesters(x.piece, x.offset), QList<PeerId>{kB});
    QVERIFY(picker.peerGone(kA).isEmpty());
    // Everything A held is available to C again.
    const QList<BlockRequest> c = picker.pick(kC, all, 100);
    for (const BlockRequest& x : a)
        QVERIFY(c.contains(x));
}

void TestPicker::peerChoked_releasesRequestsButKeepsTrust() {
    PiecePicker picker(geometry(6, 1));
    const Bitfield all(6, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> first = picker.pick(kA, all, 1);
    deliver(picker, kA, first);
    QCOMPARE(picker.trust(kA), 1);
    const QList<BlockRequest> more = picker.pick(kA, all, 3);
    QCOMPARE(picker.peerChoked(kA), more);
    QCOMPARE(picker.trust(kA), 1);
    picker.peerGone(kA);
    QCOMPARE(picker.trust(kA), 0);
}

void TestPicker::pieceFailed_returnsBlocksAndContributors() {
    PiecePicker picker(geometry(4, 2));
    const Bitfield all(4, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> a = picker.pick(kA, all, 1);
    const QList<BlockRequest> b = picker.pick(kB, all, 1);
    QCOMPARE(a[0].piece, b[0].piece);
    const int piece = a[0].piece;
    QVERIFY(!picker.blockReceived(kA, a[0].piece, a[0].offset, a[0].length).pieceComplete);
    QVERIFY(picker.blockReceived(kB, b[0].piece, b[0].offset, b[0].length).pieceComplete);
    QVERIFY(!picker.isEndgame());

    const PieceFailure failure = picker.pieceFailed(piece);
    QCOMPARE(failure.contributors, (QList<PeerId>{kA, kB}));
    QVERIFY(failure.banned.isEmpty());
    QCOMPARE(picker.trust(kA), -PiecePicker::kTrustPenalty);
    QCOMPARE(picker.trust(kB), -PiecePicker::kTrustPenalty);
    QVERIFY(!picker.have().testBit(piece));
    QCOMPARE(picker.blockStatus(piece, 0), BlockStatus::Missing);
    QCOMPARE(picker.blockStatus(piece, kBlock), BlockStatus::Missing);
    QVERIFY(picker.partialPieces().isEmpty());

    // The piece can be downloaded again, and failing a piece not in progress changes nothing.
    picker.setStrategy(PickerStrategy::Sequential);
    const QList<BlockRequest> again = picker.pick(kC, bits(4, {piece}), 10);
    QCOMPARE(again.size(), 2);
    QVERIFY(picker.pieceFailed((piece + 1) % 4).contributors.isEmpty());
}

void TestPicker::mainContributor_isWhoSentMostBlocks() {
    PiecePicker picker(geometry(2, 3));
    const Bitfield all(2, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> a = picker.pick(kA, all, 1);
    const int piece = a[0].piece;
    QCOMPARE(picker.mainContributor(piece), PeerId(0)); // requested, nothing arrived yet
    const QList<BlockRequest> b = picker.pick(kB, bits(2, {piece}), 2);
    QCOMPARE(b.size(), 2);
    QVERIFY(picker.blockReceived(kA, piece, a[0].offset, a[0].length).accepted);
    QCOMPARE(picker.mainContributor(piece), kA);
    QVERIFY(picker.blockReceived(kB, piece, b[0].offset, b[0].length).accepted);
    QCOMPARE(picker.mainContributor(piece), kA); // a tie goes to the first
    QVERIFY(picker.blockReceived(kB, piece, b[1].offset, b[1].length).pieceComplete);
    QCOMPARE(picker.mainContributor(piece), kB);
    QCOMPARE(picker.mainContributor(1 - piece), PeerId(0)); // never started
    QCOMPARE(picker.mainContributor(-1), PeerId(0));
    picker.pieceVerified(piece);
    QCOMPARE(picker.mainContributor(piece), PeerId(0));
}

void TestPicker::pieceFailed_soleContributorIsBanned() {
    PiecePicker picker(geometry(4, 2));
    const Bitfield all(4, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> a = picker.pick(kA, all, 2);
    QCOMPARE(a[0].piece, a[1].piece);
    for (const BlockRequest& x : a)
        picker.blockReceived(kA, x.piece, x.offset, x.length);
    const PieceFailure failure = picker.pieceFailed(a[0].piece);
    QCOMPARE(failure.contributors, QList<PeerId>{kA});
    QCOMPARE(failure.banned, QList<PeerId>{kA});
}

void TestPicker::pieceFailed_repeatedFailuresBan() {
    // A and B share every piece; every piece fails. Both are banned on the third failure, not before.
    PiecePicker picker(geometry(10, 2));
    const Bitfield all(10, true);
    picker.peerBitfield(all);
    for (int round = 1; round <= 3; ++round) {
        const QList<BlockRequest> a = picker.pick(kA, all, 1);
        const QList<BlockRequest> b = picker.pick(kB, all, 1);
        QCOMPARE(a[0].piece, b[0].piece);
        picker.blockReceived(kA, a[0].piece, a[0].offset, a[0].length);
        QVERIFY(picker.blockReceived(kB, b[0].piece, b[0].offset, b[0].length).pieceComplete);
        const PieceFailure failure = picker.pieceFailed(a[0].piece);
        QCOMPARE(failure.contributors.size(), 2);
        if (round < 3)
            QVERIFY(failure.banned.isEmpty());
        else
            QCOMPARE(failure.banned, (QList<PeerId>{kA, kB}));
    }
    // Good pieces earn trust back, up to the cap.
    PiecePicker fresh(geometry(20, 1));
    fresh.peerBitfield(Bitfield(20, true));
    for (int i = 0; i < 15; ++i)
        deliver(fresh, kC, fresh.pick(kC, Bitfield(20, true), 1));
    QCOMPARE(fresh.trust(kC), PiecePicker::kTrustMax);
}

void TestPicker::pieceVerified_fromResumeData() {
    PiecePicker picker(TorrentGeometry::fromSizes(5 * kBlock + 7, kBlock));
    for (int piece = 0; piece < 5; ++piece)
        picker.pieceVerified(piece);
    picker.pieceVerified(2); // twice is harmless
    QCOMPARE(picker.have().count(), 5);
    QCOMPARE(picker.bytesLeft(), 7);
    QVERIFY(!picker.isComplete());
    const Bitfield all(6, true);
    QVERIFY(picker.isInteresting(all));
    QCOMPARE(picker.pick(kA, all, 10), (QList<BlockRequest>{{5, 0, 7}}));
    deliver(picker, kA, {{5, 0, 7}});
    QVERIFY(picker.isComplete());
    QVERIFY(!picker.isInteresting(all));
    QVERIFY(picker.pick(kA, all, 10).isEmpty());
    QVERIFY(!picker.isEndgame());
}

void TestPicker::inFlightPieces_showsOutstandingRequests() {
    PiecePicker picker(geometry(8, 2));
    picker.setStrategy(PickerStrategy::Sequential);
    const Bitfield all(8, true);
    picker.peerBitfield(all);
    const QList<BlockRequest> a = picker.pick(kA, all, 3); // piece 0 whole, piece 1 half
    QCOMPARE(picker.inFlightPieces(), bits(8, {0, 1}));
    deliver(picker, kA, a.mid(0, 2)); // piece 0 done and verified
    QCOMPARE(picker.inFlightPieces(), bits(8, {1}));
    QCOMPARE(picker.partialPieces(), QList<int>{1});
    deliver(picker, kA, a.mid(2));
    QCOMPARE(picker.inFlightPieces(), bits(8, {})); // piece 1 half in, nothing outstanding
    QCOMPARE(picker.partialPieces(), QList<int>{1});
}

void TestPicker::seededPicker_isDeterministic() {
    auto run = [](quint32 seed) {
        PiecePicker picker(geometry(500, 2), seed);
        std::mt19937 rng(1);
        QList<Bitfield> has;
        for (int p = 0; p < 5; ++p) {
            has.append(randomBits(500, 0.5, rng));
            picker.peerBitfield(has.last());
        }
        QList<BlockRequest> all;
        for (int step = 0; step < 100; ++step) {
            const QList<BlockRequest> picked = picker.pick(PeerId(step % 5 + 1), has[step % 5], 3);
            all += picked;
            deliver(picker, PeerId(step % 5 + 1), picked);
        }
        return all;
    };
    QCOMPARE(run(42), run(42));
    QVERIFY(run(42) != run(43));
}

void TestPicker::strategyNames_roundTrip() {
    for (PickerStrategy s : {PickerStrategy::RarestFirst, PickerStrategy::Random, PickerStrategy::Sequential})
        QCOMPARE(pickerStrategyFromName(pickerStrategyName(s)), std::optional<PickerStrategy>(s));
    QCOMPARE(pickerStrategyName(PickerStrategy::RarestFirst), QStringLiteral("rarest-first"));
    QVERIFY(!pickerStrategyFromName(u"fastest").has_value());
}

void TestPicker::largeSwarm_pickLoopIsFastAndCorrect_data() {
    QTest::addColumn<PickerStrategy>("strategy");
    QTest::newRow("rarest-first") << PickerStrategy::RarestFirst;
    QTest::newRow("random") << PickerStrategy::Random;
    QTest::newRow("sequential") << PickerStrategy::Sequential;
}

// 10,000 pieces of 4 blocks, 300 peers (3 seeds, the rest with 5-95 % of the pieces). Each peer keeps up to 8
// requests in flight; a random peer delivers its oldest one at each step, so endgame and CANCEL happen at
// the end. Checks correctness only; the time is printed for a human to read.
void TestPicker::largeSwarm_pickLoopIsFastAndCorrect() {
    QFETCH(PickerStrategy, strategy);
    const int n = 10'000;
    const int peers = 300;
    const int pipeline = 8;
    std::mt19937 rng(2024);
    QList<Bitfield> has;
    for (int p = 0; p < peers; ++p)
        has.append(p < 3 ? Bitfield(n, true)
                         : randomBits(n, 0.05 + 0.9 * double(rng() % 1000) / 1000.0, rng));

    QElapsedTimer timer;
    timer.start();
    PiecePicker picker(geometry(n, 4), 99);
    picker.setStrategy(strategy);
    for (const Bitfield& h : has)
        picker.peerBitfield(h);
    const qint64 setupMs = timer.elapsed();

    std::vector<std::deque<BlockRequest>> outstanding(peers);
    qint64 picks = 0;
    qint64 delivered = 0;
    qint64 duplicates = 0;
    qint64 cancels = 0;
    bool sawEndgame = false;
    for (int p = 0; p < peers; ++p) {
        for (const BlockRequest& b : picker.pick(PeerId(p + 1), has[p], pipeline))
            outstanding[p].push_back(b);
        ++picks;
    }
    qint64 steps = 0;
    while (!picker.isComplete()) {
        QVERIFY2(++steps < 10'000'000, "no progress");
        const int p = int(rng() % peers);
        if (!outstanding[p].empty()) {
            const BlockRequest b = outstanding[p].front();
            outstanding[p].pop_front();
            const BlockReceipt r = picker.blockReceived(PeerId(p + 1), b.piece, b.offset, b.length);
            if (!r.accepted) {
                ++duplicates;
            } else {
                ++delivered;
                for (PeerId other : r.cancel) {
                    auto& queue = outstanding[int(other) - 1];
                    queue.erase(std::remove(queue.begin(), queue.end(), b), queue.end());
                    ++cancels;
                }
                if (r.pieceComplete)
                    picker.pieceVerified(b.piece);
            }
        }
        sawEndgame = sawEndgame || picker.isEndgame();
        const int want = pipeline - int(outstanding[p].size());
        if (want > 0) {
            for (const BlockRequest& b : picker.pick(PeerId(p + 1), has[p], want))
                outstanding[p].push_back(b);
            ++picks;
        }
    }
    const qint64 elapsedMs = timer.elapsed();
    qInfo("%s: setup %lld ms, %lld picks, %lld blocks, %lld duplicates, %lld cancels, total %lld ms",
          qPrintable(pickerStrategyName(strategy)), setupMs, picks, delivered, duplicates, cancels,
          elapsedMs);
    QCOMPARE(delivered, qint64(n) * 4); // every block arrived exactly once
    QCOMPARE(picker.have().count(), n);
    QVERIFY(sawEndgame);
    QVERIFY(picker.inFlightPieces().none());
}

QTEST_GUILESS_MAIN(TestPicker)
#include "tst_picker.moc"
