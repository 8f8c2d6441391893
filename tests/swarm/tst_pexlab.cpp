// A swarm that survives its tracker's death through PEX (BEP 11), in simulated time.
//
// Every client asks the tracker for one peer (numwant 1). A seeder and a first wave of leechers join (they
// leave once complete); a second wave joins at 8 s, announces once (each of them learns one peer, or none),
// and the tracker dies at 9 s, before anyone's next announce. From then on the only way a second-wave peer
// learns of more peers is peer exchange. With PEX on, each of them reaches the whole swarm and every leecher
// completes; with PEX off, each stays with the peer the tracker gave it and whoever happened to dial it, and
// those whose only sources leave with the first wave never complete.
#include "SwarmLabFixture.h"

#include <QSet>
#include <QTest>

#include <climits>
#include <map>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr int kFirstWave = 6;
constexpr int kSecondWave = 6;
constexpr qint64 kSecondWaveAtMs = 8'000;
constexpr qint64 kTrackerDiesAtMs = 9'000;
constexpr qint64 kRunForMs = 150'000;

struct Outcome {
    std::map<int, QSet<int>> reached; // second-wave peer -> lab peers it was connected to at some point
    int completed = 0;                // leechers of both waves that completed
    int peersFromPex = 0;             // over the second wave
    int pexReceived = 0;              // over every peer
    int pexSent = 0;
};

Outcome run(bool pex) {
    SwarmLabConfig config;
    config.timeMode = TimeMode::Simulated;
    config.seed = 11;
    config.workerThreads = 1;
    config.sampleIntervalMs = 250;
    config.client.numwant = 1;
    config.client.pex = pex;
    SwarmLabFixture f(2 * MiB, 64 * KiB, config);
    Outcome out;
    if (!f.isValid())
        return out;
    SwarmLab& lab = f.lab();
    PeerConditions link;
    link.uploadRate = 256 * KiB;
    link.latencyMs = 20;
    lab.addSeeders(f.torrent(), 1, link);
    LabPeerOptions early;
    early.leaveWhenDone = true;
    const QList<int> first = lab.addPeers(f.torrent(), TorrentRole::Leecher, kFirstWave, link, early);
    LabPeerOptions late;
    late.joinAtMs = kSecondWaveAtMs;
    const QList<int> second = lab.addPeers(f.torrent(), TorrentRole::Leecher, kSecondWave, link, late);
    lab.killTracker(kTrackerDiesAtMs);
    QList<SwarmSnapshotPtr> samples;
    QObject::connect(&lab, &SwarmLab::sampleReady, [&](const SwarmSnapshotPtr& s) { samples.append(s); });
    lab.setClockLimit(kRunForMs);
    lab.setHoldClockWhenDone(true);
    lab.setSpeed(0);
    lab.resumeAll();
    const auto allDone = [&](const SwarmSnapshot& s) {
        for (int id : first + second)
            if (!s.peer(id) || !s.peer(id)->isComplete())
                return false;
        return true;
    };
    f.waitForSnapshot([&](const SwarmSnapshot& s) { return allDone(s) || s.timeMs >= kRunForMs; }, 60000);
    for (const SwarmSnapshotPtr& s : std::as_const(samples))
        for (int id : second)
            if (const LabPeerSnapshot* p = s->peer(id))
                for (const LabConnectionSnapshot& c : p->connections)
                    if (c.remotePeer > 0)
                        out.reached[id].insert(c.remotePeer);
    const SwarmSnapshotPtr last = f.last();
    if (!last)
        return out;
    for (int id : first + second)
        if (const LabPeerSnapshot* p = last->peer(id); p && p->isComplete())
            ++out.completed;
    for (const LabPeerSnapshot& p : last->peers) {
        out.pexReceived += p.pexReceived;
        out.pexSent += p.pexSent;
    }
    for (int id : second)
        if (const LabPeerSnapshot* p = last->peer(id))
            out.peersFromPex += p->peersFromPex;
    return out;
}

int minReached(const Outcome& o) {
    int least = INT_MAX;
    for (const auto& [id, set] : o.reached)
        least = qMin(least, int(set.size()));
    return o.reached.size() < size_t(kSecondWave) ? 0 : least;
}

int maxReached(const Outcome& o) {
    int most = 0;
    for (const auto& [id, set] : o.reached)
        most = qMax(most, int(set.size()));
    return most;
}

QString describe(const Outcome& o) {
    QStringList parts;
    for (const auto& [id, set] : o.reached)
        parts.append(QStringLiteral("%1:%2").arg(id).arg(set.size()));
    return QStringLiteral(
               "completed %1, second wave reached {%2}, learned via PEX %3, PEX sent %4 received %5")
        .arg(o.completed)
        .arg(parts.join(QStringLiteral(" ")))
        .arg(o.peersFromPex)
        .arg(o.pexSent)
        .arg(o.pexReceived);
}

} // namespace

class TestPexLab : public QObject {
    Q_OBJECT
private slots:
    void trackerDies_pexKeepsTheSwarmConnected() {
        const Outcome on = run(true);
        const Outcome off = run(false);
        qInfo("PEX on:  %s", qPrintable(describe(on)));
        qInfo("PEX off: %s", qPrintable(describe(off)));

        // Off: nothing is exchanged, and a second-wave peer knows at most what one announce and the dials of
        // others gave it.
        QCOMPARE(off.pexSent, 0);
        QCOMPARE(off.pexReceived, 0);
        QCOMPARE(off.peersFromPex, 0);
        QVERIFY2(off.completed < kFirstWave + kSecondWave, qPrintable(describe(off)));

        // On: every leecher completes although the tracker died before the second wave could learn more
        // than one peer from it, and each second-wave peer reached more of the swarm than any did without.
        QVERIFY(on.pexSent > 0);
        QVERIFY(on.pexReceived > 0);
        QVERIFY(on.peersFromPex > 0);
        QCOMPARE(on.completed, kFirstWave + kSecondWave);
        QVERIFY2(minReached(on) > maxReached(off),
                 qPrintable(describe(on) + QStringLiteral(" / ") + describe(off)));
    }
};

QTEST_GUILESS_MAIN(TestPexLab)
#include "tst_pexlab.moc"
