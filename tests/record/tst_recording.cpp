#include "SwarmLabFixture.h"

#include "record/Recording.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = 1024 * KiB;

SwarmLabConfig simulated(quint32 seed = 5) {
    SwarmLabConfig config;
    config.timeMode = TimeMode::Simulated;
    config.seed = seed;
    return config;
}

PeerConditions cap(qint64 up) {
    PeerConditions c;
    c.uploadRate = up;
    return c;
}

// Every field a view reads, the same in both.
QString differs(const LabPeerSnapshot& a, const LabPeerSnapshot& b) {
    auto field = [](const char* name) { return QString::fromLatin1(name); };
    if (a.id != b.id || a.torrent != b.torrent || a.role != b.role)
        return field("id");
    if (a.state != b.state || a.error != b.error)
        return field("state");
    if (a.peerId != b.peerId || a.address != b.address || a.port != b.port || a.dataDir != b.dataDir)
        return field("identity");
    if (a.pieceCount != b.pieceCount || a.have != b.have || a.inFlight != b.inFlight ||
        a.endgame != b.endgame)
        return field("pieces");
    if (a.downloadRate != b.downloadRate || a.uploadRate != b.uploadRate || a.downloaded != b.downloaded ||
        a.uploaded != b.uploaded || a.wasted != b.wasted || a.failed != b.failed)
        return field("bytes");
    if (a.hashFailures != b.hashFailures || a.bannedPeers != b.bannedPeers || a.conditions != b.conditions ||
        a.strategy != b.strategy || a.chokerEnabled != b.chokerEnabled)
        return field("settings");
    if (a.addedAtMs != b.addedAtMs || a.completedAtMs != b.completedAtMs || a.restarts != b.restarts ||
        a.freeRider != b.freeRider || a.corrupt != b.corrupt || a.left != b.left)
        return field("life");
    if (a.connectionCount != b.connectionCount || a.connections.size() != b.connections.size())
        return field("connection count");
    for (qsizetype k = 0; k < a.connections.size(); ++k) {
        const ConnectionSnapshot& x = a.connections[k].info;
        const ConnectionSnapshot& y = b.connections[k].info;
        if (a.connections[k].remotePeer != b.connections[k].remotePeer || x.id != y.id ||
            x.address != y.address || x.port != y.port || x.peerId != y.peerId || x.outgoing != y.outgoing ||
            x.amChoking != y.amChoking || x.amInterested != y.amInterested ||
            x.peerChoking != y.peerChoking || x.peerInterested != y.peerInterested ||
            x.optimistic != y.optimistic || x.snubbed != y.snubbed || x.seed != y.seed ||
            x.downloadRate != y.downloadRate || x.uploadRate != y.uploadRate ||
            x.downloaded != y.downloaded || x.uploaded != y.uploaded || x.requestsOut != y.requestsOut ||
            x.requestsIn != y.requestsIn || x.pipelineDepth != y.pipelineDepth || x.rttMs != y.rttMs ||
            x.connectedAtMs != y.connectedAtMs || x.peerClient != y.peerClient ||
            x.peerExtensions != y.peerExtensions)
            return QStringLiteral("connection %1").arg(k);
        if (x.pieces.size() != y.pieces.size())
            return QStringLiteral("connection %1's pieces").arg(k);
    }
    return {};
}

QString differs(const SwarmSnapshot& a, const SwarmSnapshot& b) {
    if (a.timeMs != b.timeMs || a.sequence != b.sequence || a.downloadRate != b.downloadRate ||
        a.uploadRate != b.uploadRate)
        return QStringLiteral("head at %1 ms").arg(a.timeMs);
    if (a.torrents.size() != b.torrents.size())
        return QStringLiteral("torrents");
    for (qsizetype k = 0; k < a.torrents.size(); ++k) {
        const LabTorrentSnapshot& x = a.torrents[k];
        const LabTorrentSnapshot& y = b.torrents[k];
        if (x.id != y.id || x.infoHash != y.infoHash || x.name != y.name || x.totalSize != y.totalSize ||
            x.pieceCount != y.pieceCount || x.completedLeechers != y.completedLeechers)
            return QStringLiteral("torrent %1").arg(x.id);
    }
    if (a.peers.size() != b.peers.size())
        return QStringLiteral("peer count at %1 ms").arg(a.timeMs);
    for (qsizetype k = 0; k < a.peers.size(); ++k) {
        const QString d = differs(a.peers[k], b.peers[k]);
        if (!d.isEmpty())
            return QStringLiteral("peer %1 at %2 ms: %3").arg(a.peers[k].id).arg(a.timeMs).arg(d);
    }
    return {};
}

} // namespace

class TestRecording : public QObject {
    Q_OBJECT

    // A whole small run, recorded as the window records it, from the lab's snapshots.
    QList<SwarmSnapshotPtr> m_run;
    LabControlLog m_controls;

private slots:
    void initTestCase() {
        SwarmLabFixture f(1 * MiB, 32 * KiB, simulated());
        QVERIFY(f.isValid());
        SwarmLab& lab = f.lab();
        lab.addSeeders(f.torrent(), 1, cap(512 * KiB));
        const QList<int> leechers = lab.addLeechers(f.torrent(), 5, cap(256 * KiB));
        lab.setSnapshotRate(30);
        lab.setSpeed(2);
        lab.resumeAll();
        QVERIFY(f.waitForSnapshot([](const SwarmSnapshot& s) { return s.timeMs > 1000; }, 30000));
        lab.killPeer(leechers[4]);
        lab.setLatency(SwarmLab::kAllPeers, 50);
        QVERIFY(f.waitForSnapshot(
            [](const SwarmSnapshot& s) { return s.torrents.value(0).completedLeechers >= 4; }, 60000));
        m_run = f.snapshots();
        m_controls = lab.controlLog();
        QVERIFY(m_run.size() > 20);
        QCOMPARE(m_controls.size(), 4); // speed, run, kill, latency
    }

    // Every moment reads back exactly as the lab showed it, in order and in any order.
    void everyFrame_readsBackAsTheLabShowedIt() {
        Recording r;
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            r.append(*s);
        QVERIFY(r.frameCount() > 10);
        QVERIFY(r.frameCount() <= m_run.size());
        // Each frame is a snapshot that changed something, read back whole.
        for (int k = 0; k < r.frameCount(); ++k) {
            const SwarmSnapshotPtr got = r.snapshot(k);
            QVERIFY(got);
            SwarmSnapshotPtr want;
            for (const SwarmSnapshotPtr& s : std::as_const(m_run))
                if (s->sequence == got->sequence)
                    want = s;
            QVERIFY(want);
            QCOMPARE(want->timeMs, r.frameTimeMs(k));
            const QString d = differs(*want, *got);
            QVERIFY2(d.isEmpty(), qPrintable(d));
        }
        // Backwards, across keyframes: the same.
        for (int k = r.frameCount() - 1; k >= 0; k -= 7) {
            const SwarmSnapshotPtr a = r.snapshot(k);
            const SwarmSnapshotPtr b = r.snapshot(k);
            QCOMPARE(differs(*a, *b), QString());
            QCOMPARE(a->timeMs, r.frameTimeMs(k));
        }
        // A connection to a lab peer reads that peer's pieces at the same moment.
        const SwarmSnapshotPtr last = r.snapshot(r.frameCount() - 1);
        for (const LabPeerSnapshot& p : last->peers)
            for (const LabConnectionSnapshot& c : p.connections)
                if (const LabPeerSnapshot* remote = last->peer(c.remotePeer))
                    QCOMPARE(c.info.pieces, remote->have);
    }

    // Moments kept for reading again, and frames decoded on from them, read exactly as each frame read on
    // its own from a fresh copy: in a jumping order, back and forth across keyframes, with room for every
    // moment, for a few, and for one. A moment handed out stays as it was while others are read.
    void jumpingReads_matchFreshReads() {
        Recording r;
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            r.append(*s);
        const int n = r.frameCount();
        QVERIFY(n > 10);
        const QByteArray bytes = r.toBytes();
        QList<SwarmSnapshotPtr> fresh;
        for (int k = 0; k < n; ++k) {
            QString error;
            std::optional<Recording> copy = Recording::fromBytes(bytes, &error);
            QVERIFY2(copy, qPrintable(error));
            copy->setKeptBytes(0); // nothing kept from loading: decoded from its keyframe
            fresh.append(copy->snapshot(k));
            QVERIFY(fresh.last());
        }
        // The moments kept while loading are those moments.
        {
            QString error;
            const std::optional<Recording> loaded = Recording::fromBytes(bytes, &error);
            QVERIFY2(loaded, qPrintable(error));
            QVERIFY(loaded->keptBytes() > 0);
            for (int k = 0; k < n; ++k) {
                const QString d = differs(*fresh[k], *loaded->snapshot(k));
                QVERIFY2(d.isEmpty(), qPrintable(QStringLiteral("kept at load, frame %1: %2").arg(k).arg(d)));
            }
        }
        QList<int> order;
        for (int k = 0; k < n; ++k)
            order.append(k);
        for (int k = 0; k < 3 * n; ++k)
            order.append((k * 37 + 11) % n);
        for (int k = n - 1; k >= 0; k -= 3)
            order.append(k);
        for (int k = 0; k < n; k += 5)
            order.append(k);
        r.snapshot(n - 1);
        const qint64 frameBytes = r.keptBytes();
        for (const qint64 room : {Recording::kKeptBytes, 3 * frameBytes, qint64(0)}) {
            r.setKeptBytes(room);
            QList<SwarmSnapshotPtr> handedOut;
            for (int k : std::as_const(order)) {
                const SwarmSnapshotPtr got = r.snapshot(k);
                QVERIFY(got);
                QCOMPARE(got->timeMs, r.frameTimeMs(k));
                const QString d = differs(*fresh[k], *got);
                QVERIFY2(d.isEmpty(),
                         qPrintable(QStringLiteral("frame %1, room %2: %3").arg(k).arg(room).arg(d)));
                for (qsizetype p = 0; p < got->peers.size(); ++p)
                    for (qsizetype c = 0; c < got->peers[p].connections.size(); ++c)
                        QCOMPARE(got->peers[p].connections[c].info.pieces,
                                 fresh[k]->peers[p].connections[c].info.pieces);
                handedOut.append(got);
            }
            QVERIFY(r.keptBytes() <= qMax(room, frameBytes * 4));
            for (qsizetype i = 0; i < handedOut.size(); ++i) {
                const QString d = differs(*fresh[order[i]], *handedOut[i]);
                QVERIFY2(d.isEmpty(), qPrintable(d));
            }
        }
    }

    void snapshotAt_isTheLastFrameAtOrBefore() {
        Recording r;
        QCOMPARE(r.frameAt(100), -1);
        QVERIFY(!r.snapshotAt(100));
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            r.append(*s);
        QCOMPARE(r.frameAt(-5), 0);
        QCOMPARE(r.frameAt(r.endMs() + 100000), r.frameCount() - 1);
        const int mid = r.frameCount() / 2;
        QCOMPARE(r.frameAt(r.frameTimeMs(mid)), mid);
        if (r.frameTimeMs(mid + 1) > r.frameTimeMs(mid) + 1)
            QCOMPARE(r.frameAt(r.frameTimeMs(mid) + 1), mid);
        QCOMPARE(r.snapshotAt(r.frameTimeMs(mid))->timeMs, r.frameTimeMs(mid));
    }

    // Deltas, not snapshots: a frame of peers whose figures did not move costs next to nothing, and a paused
    // clock's repeated instant adds no frame at all.
    void frames_holdOnlyWhatChanged() {
        Recording r;
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            r.append(*s);
        const int frames = r.frameCount();
        const qint64 bytes = r.encodedBytes();
        r.append(*m_run.last()); // the same instant again
        QCOMPARE(r.frameCount(), frames);
        QCOMPARE(r.encodedBytes(), bytes);
        // The whole run, compressed and in deltas, is far below its snapshots held in full.
        qint64 full = 0;
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            for (const LabPeerSnapshot& p : s->peers)
                full += 200 + 2 * Bitfield::wireSize(p.pieceCount) + 120 * p.connections.size();
        QVERIFY2(bytes * 4 < full, qPrintable(QStringLiteral("%1 of %2").arg(bytes).arg(full)));
    }

    void saved_reopensIdentical() {
        Recording r;
        r.setMeta({TimeMode::Simulated, 5, QStringLiteral("test")});
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            r.append(*s);
        for (const LabControlChange& c : std::as_const(m_controls))
            r.appendControl(c);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("run.swrec"));
        QString error;
        QVERIFY2(r.save(path, &error), qPrintable(error));
        std::optional<Recording> back = Recording::load(path, &error);
        QVERIFY2(back, qPrintable(error));
        QCOMPARE(back->meta().timeMode, TimeMode::Simulated);
        QCOMPARE(back->meta().seed, 5u);
        QCOMPARE(back->meta().createdBy, QStringLiteral("test"));
        QCOMPARE(back->frameCount(), r.frameCount());
        QCOMPARE(back->controls(), m_controls);
        for (int k = 0; k < r.frameCount(); ++k) {
            QCOMPARE(back->frameTimeMs(k), r.frameTimeMs(k));
            QCOMPARE(differs(*r.snapshot(k), *back->snapshot(k)), QString());
        }
        QCOMPARE(back->toBytes(), r.toBytes());
    }

    // A damaged or hostile file is refused with the reason, never read past its end.
    void damagedFiles_areRefusedWithTheReason() {
        Recording r;
        for (const SwarmSnapshotPtr& s : std::as_const(m_run))
            r.append(*s);
        const QByteArray good = r.toBytes();
        QString error;
        QVERIFY(Recording::fromBytes(good, &error));

        QVERIFY(!Recording::fromBytes(QByteArray("d8:announce3:urle"), &error));
        QCOMPARE(error, QStringLiteral("not a Swarmscope recording"));
        QVERIFY(!Recording::fromBytes(good.left(good.size() - 3), &error));
        QVERIFY2(error.contains(QStringLiteral("cut short")), qPrintable(error));
        QByteArray future = good;
        future[11] = 9; // the version, big-endian after the magic
        QVERIFY(!Recording::fromBytes(future, &error));
        QVERIFY2(error.contains(QStringLiteral("format 9")), qPrintable(error));
        // Every single-byte change in the first frames is either refused or still reads as frames.
        for (qsizetype at = 12; at < qMin<qsizetype>(good.size(), 2000); at += 3) {
            QByteArray bad = good;
            bad[at] = char(bad[at] ^ 0x5a);
            std::optional<Recording> got = Recording::fromBytes(bad, &error);
            if (got)
                for (int k = 0; k < got->frameCount(); ++k)
                    QVERIFY(got->snapshot(k));
            else
                QVERIFY(!error.isEmpty());
        }
        // A frame that claims more than the bound is not decompressed.
        Recording huge;
        QByteArray claim = good.left(12);
        {
            QByteArray meta;
            QDataStream m(&meta, QIODevice::WriteOnly);
            m.setVersion(QDataStream::Qt_6_0);
            m << quint8(1) << quint32(0) << QString();
            QDataStream out(&claim, QIODevice::Append);
            out.setVersion(QDataStream::Qt_6_0);
            out << quint8(1) << quint32(meta.size());
            out.writeRawData(meta.constData(), int(meta.size()));
            QByteArray frame;
            QDataStream f(&frame, QIODevice::WriteOnly);
            f.setVersion(QDataStream::Qt_6_0);
            f << true << qint64(0) << quint32(0x7fffffff) << quint32(0);
            out << quint8(2) << quint32(frame.size());
            out.writeRawData(frame.constData(), int(frame.size()));
        }
        QVERIFY(!Recording::fromBytes(claim, &error));
        QVERIFY2(error.contains(QStringLiteral("claims")), qPrintable(error));
        QVERIFY(!Recording::load(QStringLiteral("/nonexistent/run.swrec"), &error));
        QVERIFY2(error.contains(QStringLiteral("cannot open")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
