// The numbers the lab shows are a promise. In both time modes, on real runs: in a closed swarm every byte
// uploaded is downloaded or wasted, exactly, once nothing is on its way; no peer's upload over any second
// beats its cap by more than a block and 2%; a paused peer moves no payload once the pause has taken effect;
// and a latency change never produces a rate above the caps.
#include "SwarmLabFixture.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;
constexpr qint64 kBlock = 16 * KiB;
constexpr qint64 kSampleMs = 250;

struct Totals {
    qint64 uploaded = 0;
    qint64 downloaded = 0;
    qint64 wasted = 0;
    int connections = 0;
};

Totals totals(const SwarmSnapshot& s) {
    Totals t;
    for (const LabPeerSnapshot& p : s.peers) {
        t.uploaded += p.uploaded;
        t.downloaded += p.downloaded;
        t.wasted += p.wasted;
        t.connections += p.connectionCount;
    }
    return t;
}

PeerConditions caps(qint64 up, qint64 down = 0, qint64 latencyMs = 0) {
    PeerConditions c;
    c.uploadRate = up;
    c.downloadRate = down;
    c.latencyMs = latencyMs;
    return c;
}

SwarmLabConfig configFor(TimeMode mode) {
    SwarmLabConfig config;
    config.timeMode = mode;
    config.seed = 11;
    config.sampleIntervalMs = kSampleMs;
    // One worker in real time too, so that each sample is one instant for every peer.
    config.workerThreads = 1;
    // The rows' MSE/PE: RC4 between every pair of peers, or plaintext.
    QFETCH(bool, rc4);
    if (rc4)
        config.client.encryption = mse::Policy::Require;
    return config;
}

// Samples as they come; in simulated time the clock runs at speed (0: as fast as possible).
struct Recorder {
    QList<SwarmSnapshotPtr> samples;
    explicit Recorder(SwarmLab& lab) {
        QObject::connect(&lab, &SwarmLab::sampleReady, &lab,
                         [this](const SwarmSnapshotPtr& s) { samples.append(s); });
    }
};

void run(SwarmLab& lab, double speed) {
    if (lab.controlsClock())
        lab.setSpeed(speed);
    lab.resumeAll();
}

bool allComplete(const SwarmSnapshot& s, const QList<int>& ids) {
    for (int id : ids) {
        const LabPeerSnapshot* p = s.peer(id);
        if (!p || !p->isComplete())
            return false;
    }
    return true;
}

// Upload over every window of about one second, against the peer's cap at both ends of the window.
QString checkCaps(const QList<SwarmSnapshotPtr>& samples, double slack = 0.02) {
    for (int i = 0; i < samples.size(); ++i) {
        for (int j = i + 1; j < samples.size(); ++j) {
            const qint64 span = samples[j]->timeMs - samples[i]->timeMs;
            if (span < 1000)
                continue;
            for (const LabPeerSnapshot& after : samples[j]->peers) {
                const LabPeerSnapshot* before = samples[i]->peer(after.id);
                if (!before || after.conditions.uploadRate == 0 ||
                    before->conditions.uploadRate != after.conditions.uploadRate ||
                    after.restarts != before->restarts)
                    continue;
                const qint64 moved = after.uploaded - before->uploaded;
                const double allowed =
                    double(after.conditions.uploadRate) * span / 1000.0 * (1 + slack) + kBlock;
                if (moved > allowed)
                    return QStringLiteral(
                               "peer %1 uploaded %2 bytes in %3 ms under a cap of %4 B/s (at most %5)")
                        .arg(after.id)
                        .arg(moved)
                        .arg(span)
                        .arg(after.conditions.uploadRate)
                        .arg(qint64(allowed));
            }
            break; // the shortest window of at least a second from i
        }
    }
    return {};
}

} // namespace

class TestAccounting : public QObject {
    Q_OBJECT
private slots:
    void closedSwarm_everyUploadedByteIsDownloadedOrWasted_data() { modes(); }
    void closedSwarm_everyUploadedByteIsDownloadedOrWasted() {
        QFETCH(int, mode);
        SwarmLabFixture f(2 * MiB, 32 * KiB, configFor(TimeMode(mode)));
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        Recorder recorder(lab);
        lab.addSeeders(f.torrent(), 1, caps(1 * MiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 6, caps(512 * KiB));
        run(lab, 0);
        QVERIFY2(QTest::qWaitFor([&] { return f.last() && allComplete(*f.last(), leechers); }, 60000),
                 "the swarm did not complete");
        // Once everyone seeds, the connections close (both are seeds); then nothing is on its way.
        QVERIFY2(QTest::qWaitFor([&] { return f.last() && totals(*f.last()).connections == 0; }, 20000),
                 "connections stay open");
        QTest::qWait(300);
        QVERIFY(!recorder.samples.isEmpty());
        lab.sampleNow();
        const int before = int(recorder.samples.size());
        QTRY_VERIFY_WITH_TIMEOUT(recorder.samples.size() > before, 5000);
        const Totals end = totals(*recorder.samples.last());
        QVERIFY(end.downloaded == 6 * 2 * MiB);
        QCOMPARE(end.uploaded, end.downloaded + end.wasted);

        // At every moment the difference is bytes on their way: never negative, never more than the
        // connections could hold in flight.
        for (const SwarmSnapshotPtr& s : std::as_const(recorder.samples)) {
            const Totals t = totals(*s);
            const qint64 inFlight = t.uploaded - t.downloaded - t.wasted;
            QVERIFY2(inFlight >= 0, qPrintable(QStringLiteral("%1 at %2 ms").arg(inFlight).arg(s->timeMs)));
            QVERIFY2(inFlight <= qint64(t.connections + 1) * 512 * KiB,
                     qPrintable(QStringLiteral("%1 in flight at %2 ms over %3 connections")
                                    .arg(inFlight)
                                    .arg(s->timeMs)
                                    .arg(t.connections)));
        }
        QVERIFY2(checkCaps(recorder.samples).isEmpty(), qPrintable(checkCaps(recorder.samples)));
    }

    void slowCaps_uploadStaysUnderTheCapsAndMatchesDownload_data() { modes(); }
    void slowCaps_uploadStaysUnderTheCapsAndMatchesDownload() {
        // The window's case: every peer at 20 KiB/s up and down. The charted upload ran at twice the
        // download, above the sum of the caps.
        QFETCH(int, mode);
        const bool simulated = TimeMode(mode) == TimeMode::Simulated;
        SwarmLabFixture f(2 * MiB, 64 * KiB, configFor(TimeMode(mode)));
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        Recorder recorder(lab);
        const qint64 cap = 20 * KiB;
        lab.addSeeders(f.torrent(), 1, caps(cap, cap));
        lab.addLeechers(f.torrent(), 8, caps(cap, cap));
        run(lab, 0);
        // 20 s of the swarm: simulated, in moments; in real time, 6 s of it is enough.
        const qint64 until = simulated ? 20000 : 6000;
        QVERIFY(QTest::qWaitFor(
            [&] { return !recorder.samples.isEmpty() && recorder.samples.last()->timeMs >= until; }, 60000));
        QVERIFY2(checkCaps(recorder.samples).isEmpty(), qPrintable(checkCaps(recorder.samples)));
        const qint64 sumOfCaps = 9 * cap;
        // The rates the views chart: bytes count as they arrive, not a whole block at a time, so the
        // download rate never beats the caps either (counted per block it showed 240 KiB/s against 180).
        for (const SwarmSnapshotPtr& s : recorder.samples) {
            qint64 down = 0;
            for (const LabPeerSnapshot& p : s->peers)
                down += p.downloadRate;
            QVERIFY2(down <= sumOfCaps * 102 / 100 + kBlock / 2,
                     qPrintable(QStringLiteral("%1 B/s down at %2 ms against caps of %3")
                                    .arg(down)
                                    .arg(s->timeMs)
                                    .arg(sumOfCaps)));
        }
        for (int i = 4; i < recorder.samples.size(); ++i) {
            const Totals a = totals(*recorder.samples[i - 4]);
            const Totals b = totals(*recorder.samples[i]);
            const double seconds = (recorder.samples[i]->timeMs - recorder.samples[i - 4]->timeMs) / 1000.0;
            const double up = (b.uploaded - a.uploaded) / seconds;
            const double down = (b.downloaded + b.wasted - a.downloaded - a.wasted) / seconds;
            QVERIFY2(up <= sumOfCaps * 1.02 + kBlock / seconds,
                     qPrintable(QStringLiteral("%1 B/s up against caps of %2").arg(up).arg(sumOfCaps)));
            // What goes up comes down, give or take what is on its way at the two ends of the window.
            const qint64 inFlight = qint64(b.connections + a.connections + 2) * (kBlock + 2 * KiB);
            QVERIFY2(qAbs(up - down) * seconds <= inFlight,
                     qPrintable(QStringLiteral("%1 B/s up, %2 B/s received at %3 ms")
                                    .arg(up)
                                    .arg(down)
                                    .arg(recorder.samples[i]->timeMs)));
        }
    }

    void pausedPeer_movesNoPayloadOnceThePauseTookEffect_data() { modes(); }
    void pausedPeer_movesNoPayloadOnceThePauseTookEffect() {
        QFETCH(int, mode);
        const bool simulated = TimeMode(mode) == TimeMode::Simulated;
        SwarmLabFixture f(4 * MiB, 64 * KiB, configFor(TimeMode(mode)));
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        Recorder recorder(lab);
        lab.addSeeders(f.torrent(), 1, caps(512 * KiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 4, caps(256 * KiB));
        const int paused = leechers.first();
        // Slow enough in simulated time for a command from this thread to land mid-run.
        run(lab, 4);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) {
            const LabPeerSnapshot* p = s.peer(paused);
            return p && p->have.count() >= p->pieceCount / 4;
        }));
        lab.pausePeer(paused);
        QVERIFY(f.waitForSnapshot(
            [&](const SwarmSnapshot& s) { return s.peer(paused)->state == LabPeerState::Paused; }, 10000));
        // A tick (the client's, 250 ms) in simulated time, 100 ms in real time, then nothing moves.
        const qint64 settled = f.last()->timeMs + (simulated ? 250 : 100);
        const qint64 until = settled + 3000;
        QVERIFY(QTest::qWaitFor(
            [&] { return !recorder.samples.isEmpty() && recorder.samples.last()->timeMs >= until; }, 30000));
        const LabPeerSnapshot* first = nullptr;
        for (const SwarmSnapshotPtr& s : std::as_const(recorder.samples)) {
            if (s->timeMs < settled + kSampleMs)
                continue;
            const LabPeerSnapshot* p = s->peer(paused);
            QCOMPARE(p->state, LabPeerState::Paused);
            if (!first) {
                first = p;
                continue;
            }
            QCOMPARE(p->downloaded, first->downloaded);
            QCOMPARE(p->uploaded, first->uploaded);
        }
        QVERIFY(first);
        QVERIFY(!first->isComplete());
        // The others go on and the paused one finishes once resumed.
        lab.resumePeer(paused);
        QVERIFY(f.waitForSnapshot([&](const SwarmSnapshot& s) { return allComplete(s, leechers); }, 60000));
    }

    void latencyRaised_neverProducesARateAboveTheCaps_data() { modes(); }
    void latencyRaised_neverProducesARateAboveTheCaps() {
        // The window's other case: 21 peers at 1 MiB/s, latency moved to 1000 ms; the upload line spiked to
        // about 48 MiB/s.
        QFETCH(int, mode);
        const bool simulated = TimeMode(mode) == TimeMode::Simulated;
        SwarmLabFixture f(8 * MiB, 64 * KiB, configFor(TimeMode(mode)));
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        Recorder recorder(lab);
        lab.addSeeders(f.torrent(), 1, caps(MiB));
        lab.addLeechers(f.torrent(), 20, caps(MiB));
        run(lab, simulated ? 4 : 0);
        QVERIFY(QTest::qWaitFor([&] { return f.last() && f.last()->timeMs >= 1500; }, 20000));
        lab.setLatency(SwarmLab::kAllPeers, 1000);
        const qint64 until = f.last()->timeMs + 4000;
        QVERIFY(QTest::qWaitFor(
            [&] { return !recorder.samples.isEmpty() && recorder.samples.last()->timeMs >= until; }, 40000));
        QVERIFY2(checkCaps(recorder.samples).isEmpty(), qPrintable(checkCaps(recorder.samples)));
        for (const SwarmSnapshotPtr& s : std::as_const(recorder.samples))
            QVERIFY2(s->uploadRate <= 21 * MiB * 102 / 100,
                     qPrintable(QStringLiteral("%1 B/s at %2 ms").arg(s->uploadRate).arg(s->timeMs)));
    }

private:
    void modes() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<bool>("rc4");
        QTest::newRow("simulated") << int(TimeMode::Simulated) << false;
        QTest::newRow("real") << int(TimeMode::Real) << false;
        QTest::newRow("simulated, rc4") << int(TimeMode::Simulated) << true;
        QTest::newRow("real, rc4") << int(TimeMode::Real) << true;
    }
};

QTEST_GUILESS_MAIN(TestAccounting)
#include "tst_accounting.moc"
