// Churn in an in-process lab (one tracker, real peers on 127.0.0.1): leechers join and leave at random from
// a seeded generator (the seed is printed; SWARMSCOPE_CHURN_SEED=N repeats a run), some killed abruptly
// (no "stopped", data kept; some of those come back later and re-check their data), some removed cleanly
// ("stopped" announced). The only seeder leaves as soon as one full copy is out among the leechers: the
// union of the verified pieces of the leechers still running covers every piece. After that a leecher may
// leave only while the others still hold a full copy between them (otherwise no one could finish). Every
// leecher still running at the end must complete, and the lab's verifier, reading their files back from
// disk, must find every piece right: zero bytes lost.

#include "metainfo/TorrentCreator.h"
#include "swarm/PseudoRandomFile.h"
#include "swarm/SwarmLab.h"

#include <QDir>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <array>
#include <random>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr int kInitialLeechers = 4;
constexpr int kMinRunning = 2;
constexpr int kMaxRunning = 8;
constexpr int kEvents = 14;           // churn events in all...
constexpr int kEventsAfterSeeder = 3; // ...of which at least this many once the seeder has gone
constexpr int kCompletionBoundMs = 90000;

enum class Churn { Join, Rejoin, Kill, Remove };

const char* churnName(Churn c) {
    switch (c) {
    case Churn::Join:
        return "join";
    case Churn::Rejoin:
        return "rejoin";
    case Churn::Kill:
        return "kill";
    case Churn::Remove:
        return "remove";
    }
    return "?";
}

PeerConditions upload(qint64 rate) {
    PeerConditions c;
    c.uploadRate = rate;
    return c;
}

quint32 churnSeed() {
    bool ok = false;
    const quint32 given = qEnvironmentVariable("SWARMSCOPE_CHURN_SEED").toUInt(&ok);
    if (ok && given != 0)
        return given;
    return QRandomGenerator::system()->bounded(1u, 0x7fffffffu);
}

// The union of the verified pieces of peers, from a snapshot; excluded is left out.
Bitfield unionOf(const SwarmSnapshot& s, const QList<int>& peers, int pieceCount, int excluded = 0) {
    Bitfield all(pieceCount);
    for (int id : peers) {
        const LabPeerSnapshot* p = s.peer(id);
        if (id != excluded && p && p->have.size() == pieceCount)
            all = all | p->have;
    }
    return all;
}

} // namespace

class ChurnTest : public QObject {
    Q_OBJECT
private slots:
    void randomJoinsAndLeaves_seederLeavesAfterOneCopy_everyRemainingLeecherCompletes();
};

void ChurnTest::randomJoinsAndLeaves_seederLeavesAfterOneCopy_everyRemainingLeecherCompletes() {
    const quint32 seed = churnSeed();
    qInfo("churn seed %u (repeat with SWARMSCOPE_CHURN_SEED=%u)", seed, seed);
    std::mt19937 rng(seed);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString source = tmp.filePath(QStringLiteral("source"));
    QVERIFY(QDir().mkpath(source));
    const QString file = QDir(source).filePath(QStringLiteral("data.bin"));
    QVERIFY(writePseudoRandomFile(file, 2 * MiB, seed));
    TorrentCreateOptions options;
    options.path = file;
    options.pieceLength = 32 * KiB; // 64 pieces
    options.includeDate = false;
    TorrentCreator creator(options);
    const TorrentCreateResult created = creator.run();
    QVERIFY2(created.ok(), qPrintable(created.error));
    MetainfoParseResult parsed = parseMetainfo(created.torrent);
    QVERIFY(parsed.ok());
    const Metainfo meta = *parsed.metainfo;
    const int pieces = meta.pieceCount();

    SwarmLabConfig config;
    config.labDir = tmp.filePath(QStringLiteral("lab"));
    config.seed = seed;
    config.announceIntervalSeconds = 2;
    config.snapshotConnections = false;
    SwarmLab lab(config);
    QStringList failures;
    connect(&lab, &SwarmLab::peerFailed, this, [&](int peer, const QString& error) {
        failures.append(QStringLiteral("peer %1: %2").arg(peer).arg(error));
    });
    QVERIFY2(lab.start(), qPrintable(lab.errorString()));
    const int torrent = lab.addTorrent(meta, source, true);
    QVERIFY(torrent > 0);
    // The seeder has to upload every piece at least once before it may leave: 2 MiB at 384 KiB/s, over 5 s.
    const int seeder = lab.addSeeders(torrent, 1, upload(384 * KiB)).value(0);
    const PeerConditions leecherLink = upload(256 * KiB);
    QList<int> running = lab.addLeechers(torrent, kInitialLeechers, leecherLink);
    QList<int> killed;
    std::array<int, 4> counts{};
    QElapsedTimer clock;
    clock.start();
    qint64 seederLeftMs = -1;
    int events = 0;
    int eventsAfterSeeder = 0;

    // The first three events are one of each kind of churn, in a random order; then any kind.
    std::vector<Churn> opening{Churn::Join, Churn::Kill, Churn::Remove};
    std::shuffle(opening.begin(), opening.end(), rng);

    const auto pick = [&](const QList<int>& from) { return from.at(int(rng() % quint32(from.size()))); };
    while (events < kEvents || eventsAfterSeeder < kEventsAfterSeeder || seederLeftMs < 0) {
        QVERIFY2(
            clock.elapsed() < 60000,
            qPrintable(QStringLiteral("after %1 churn events in 60 s the seeder had not left").arg(events)));
        QTest::qWait(250 + int(rng() % 450));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
        const SwarmSnapshotPtr s = lab.lastSnapshot();
        if (!s)
            continue;

        if (seederLeftMs < 0 && unionOf(*s, running, pieces).all()) {
            lab.removePeer(seeder);
            seederLeftMs = clock.elapsed();
            qInfo("%.1f s: one full copy is out among %d running leechers; the seeder leaves",
                  seederLeftMs / 1000.0, int(running.size()));
            continue;
        }
        if (events >= kEvents && eventsAfterSeeder >= kEventsAfterSeeder)
            continue; // only waiting for the seeder to go

        Churn kind = size_t(events) < opening.size() ? opening[size_t(events)] : Churn(rng() % 4);
        // A leave is allowed while enough leechers run and, without a seeder, the others keep a full copy.
        const auto canLeave = [&](int victim) {
            return running.size() > kMinRunning &&
                   (seederLeftMs < 0 || unionOf(*s, running, pieces, victim).all());
        };
        int victim = 0;
        if (kind == Churn::Kill || kind == Churn::Remove) {
            victim = pick(running);
            if (!canLeave(victim))
                kind = Churn::Join;
        }
        if (kind == Churn::Rejoin && killed.isEmpty())
            kind = Churn::Join;
        if ((kind == Churn::Join || kind == Churn::Rejoin) && running.size() >= kMaxRunning)
            continue;

        switch (kind) {
        case Churn::Join:
            running.append(lab.addLeechers(torrent, 1, leecherLink));
            break;
        case Churn::Rejoin: {
            const int back = pick(killed);
            killed.removeOne(back);
            lab.restartPeer(back); // same peer id and data: it checks what it has and goes on
            running.append(back);
            break;
        }
        case Churn::Kill:
            lab.killPeer(victim); // abrupt: sockets aborted, no "stopped", data kept
            running.removeOne(victim);
            killed.append(victim);
            break;
        case Churn::Remove:
            lab.removePeer(victim); // clean: "stopped" announced
            running.removeOne(victim);
            break;
        }
        ++counts[size_t(kind)];
        ++events;
        if (seederLeftMs >= 0)
            ++eventsAfterSeeder;
        qInfo("%.1f s: %s%s, %d leechers running", clock.elapsed() / 1000.0, churnName(kind),
              victim && (kind == Churn::Kill || kind == Churn::Remove)
                  ? qPrintable(QStringLiteral(" peer %1").arg(victim))
                  : "",
              int(running.size()));
    }
    QVERIFY(counts[size_t(Churn::Join)] >= 1 && counts[size_t(Churn::Kill)] >= 1 &&
            counts[size_t(Churn::Remove)] >= 1);

    // Every leecher still running completes, from the others only.
    QElapsedTimer completion;
    completion.start();
    const bool allComplete = QTest::qWaitFor(
        [&] {
            const SwarmSnapshotPtr s = lab.lastSnapshot();
            return s && std::all_of(running.begin(), running.end(), [&](int id) {
                       const LabPeerSnapshot* p = s->peer(id);
                       return p && p->isComplete();
                   });
        },
        kCompletionBoundMs);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u'\n')));
    QVERIFY2(allComplete,
             qPrintable(QStringLiteral("not every remaining leecher completed within %1 s (seed %2)")
                            .arg(kCompletionBoundMs / 1000)
                            .arg(seed)));
    const double completedAfter = completion.elapsed() / 1000.0;

    QSignalSpy verified(&lab, &SwarmLab::verificationFinished);
    lab.verifyLeechers(running);
    QVERIFY(verified.wait(30000));
    const QList<LeecherVerification> results = verified.first().first().value<QList<LeecherVerification>>();
    QCOMPARE(results.size(), running.size());
    qint64 bytesLost = 0;
    for (const LeecherVerification& r : results) {
        QVERIFY2(r.verified && r.validPieces == pieces,
                 qPrintable(QStringLiteral("leecher %1: %2 of %3 pieces right on disk (seed %4)")
                                .arg(r.peer)
                                .arg(r.validPieces)
                                .arg(pieces)
                                .arg(seed)));
        bytesLost += qint64(r.pieceCount - r.validPieces) * meta.pieceLength;
    }
    qInfo(
        "seed %u: %d churn events (%d joins, %d rejoins after a kill, %d kills, %d clean removals), %d after "
        "the seeder left at %.1f s; %d remaining leechers all complete %.1f s after the churn stopped and "
        "verified from disk; bytes lost: %lld",
        seed, events, counts[size_t(Churn::Join)], counts[size_t(Churn::Rejoin)], counts[size_t(Churn::Kill)],
        counts[size_t(Churn::Remove)], eventsAfterSeeder, seederLeftMs / 1000.0, int(running.size()),
        completedAfter, bytesLost);
    QCOMPARE(bytesLost, qint64(0));

    QSignalSpy shut(&lab, &SwarmLab::shutdownFinished);
    lab.shutdown();
    QVERIFY(shut.wait(20000));
}

QTEST_GUILESS_MAIN(ChurnTest)
#include "tst_churn.moc"
