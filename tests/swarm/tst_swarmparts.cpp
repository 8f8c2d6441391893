// The lab's pure parts: assembling worker reports into snapshots, lab peer ids, generated data.
#include "swarm/LabPeerIdentity.h"
#include "swarm/PseudoRandomFile.h"
#include "swarm/SnapshotAssembler.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;

namespace {

LabPeerSnapshot peer(int id, int torrent, TorrentRole role, int pieces, int have) {
    LabPeerSnapshot p;
    p.id = id;
    p.torrent = torrent;
    p.role = role;
    p.pieceCount = pieces;
    p.have = Bitfield(pieces);
    for (int i = 0; i < have; ++i)
        p.have.setBit(i);
    p.downloadRate = 100;
    p.uploadRate = 10;
    return p;
}

WorkerReport report(int worker, QList<LabPeerSnapshot> peers, int events = 0) {
    WorkerReport r;
    r.worker = worker;
    r.peers = std::move(peers);
    for (int i = 0; i < events; ++i) {
        SwarmEvent e;
        e.peer = worker;
        e.event.kind = PeerEventKind::Have;
        r.events.append(e);
    }
    return r;
}

QByteArray sha1(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(&f);
    return h.result();
}

} // namespace

class TestSwarmParts : public QObject {
    Q_OBJECT
private slots:
    void assembler_publishesWhenEveryAskedWorkerAnswered() {
        SnapshotAssembler a(2);
        QCOMPARE(a.startRound(), (QList<int>{0, 1}));
        QVERIFY(a.isWaiting());
        QVERIFY(!a.add(report(1, {peer(2, 1, TorrentRole::Leecher, 8, 3)}, 2)));
        QVERIFY(a.add(
            report(0, {peer(1, 1, TorrentRole::Seeder, 8, 8), peer(3, 1, TorrentRole::Leecher, 8, 8)}, 1)));
        QVERIFY(!a.isWaiting());

        LabTorrentSnapshot t;
        t.id = 1;
        QList<SwarmEvent> events;
        int dropped = -1;
        const SwarmSnapshotPtr s = a.assemble(7, 1234, {t}, {}, &events, &dropped);
        QCOMPARE(s->sequence, quint64(7));
        QCOMPARE(s->timeMs, qint64(1234));
        QCOMPARE(s->peers.size(), 3);
        // Ascending ids across workers, and lookup by id.
        QCOMPARE(s->peers.at(0).id, 1);
        QCOMPARE(s->peers.at(1).id, 2);
        QCOMPARE(s->peers.at(2).id, 3);
        QCOMPARE(s->peer(2)->have.count(), 3);
        QVERIFY(!s->peer(4));
        QCOMPARE(s->downloadRate, qint64(300));
        QCOMPARE(s->uploadRate, qint64(30));
        QCOMPARE(s->torrents.size(), 1);
        QCOMPARE(s->torrents.at(0).seeders, 1);
        QCOMPARE(s->torrents.at(0).leechers, 2);
        QCOMPARE(s->torrents.at(0).completedLeechers, 1);
        QCOMPARE(events.size(), 3);
        QCOMPARE(dropped, 0);
        QVERIFY(!a.hasNews());
    }

    void assembler_lateWorkerIsNotAskedAgainAndKeepsItsLastPart() {
        SnapshotAssembler a(2);
        a.startRound();
        a.add(report(0, {peer(1, 1, TorrentRole::Seeder, 8, 8)}));
        a.add(report(1, {peer(2, 1, TorrentRole::Leecher, 8, 1)}));
        a.assemble(1, 0, {}, {}, nullptr, nullptr);

        QCOMPARE(a.startRound(), (QList<int>{0, 1}));
        QVERIFY(!a.add(report(0, {peer(1, 1, TorrentRole::Seeder, 8, 8)})));
        // Worker 1 is still busy: the next round asks only worker 0, and a snapshot can go out with worker
        // 1's previous part.
        QVERIFY(a.isWaiting() && a.hasNews());
        QCOMPARE(a.startRound(), QList<int>{0});
        const SwarmSnapshotPtr s = a.assemble(2, 0, {}, {}, nullptr, nullptr);
        QCOMPARE(s->peers.size(), 2);
        QCOMPARE(s->peer(2)->have.count(), 1);
    }

    void assembler_dropsRemovedPeersAndSharesBitfields() {
        SnapshotAssembler a(1);
        a.startRound();
        LabPeerSnapshot p = peer(5, 1, TorrentRole::Leecher, 4096, 100);
        const char* bytes = p.have.toWire().constData();
        a.add(report(0, {p, peer(6, 1, TorrentRole::Leecher, 8, 0)}));
        const SwarmSnapshotPtr s = a.assemble(
            1, 0, {}, [](int id) { return id != 6; }, nullptr, nullptr);
        QCOMPARE(s->peers.size(), 1);
        // The bitmap was not copied on its way into the snapshot.
        QCOMPARE(s->peers.at(0).have.toWire().constData(), bytes);
    }

    void assembler_ignoresUnknownWorkers() {
        SnapshotAssembler a(1);
        a.startRound();
        QVERIFY(!a.add(report(3, {})));
        QVERIFY(a.isWaiting());
    }

    void identity_roundTripsAndRejectsOthers() {
        const LabPeerIdentity lab(42);
        const QByteArray id = lab.peerIdFor(17);
        QCOMPARE(id.size(), 20);
        QVERIFY(id.startsWith("-SS0010-"));
        QCOMPARE(lab.labPeerOf(id), 17);
        QCOMPARE(lab.labPeerOf(lab.peerIdFor(299)), 299);
        QCOMPARE(lab.labPeerOf(QByteArray()), -1);
        QCOMPARE(lab.labPeerOf(QByteArray("-qB4650-abcdefghijkl")), -1);
        // Another lab's peers have another tag.
        LabPeerIdentity other(43);
        QVERIFY(other.tag() != lab.tag());
        QCOMPARE(other.labPeerOf(id), -1);
    }

    void pseudoRandomFile_isDeterministicAndExact() {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a")), b = dir.filePath(QStringLiteral("b")),
                      c = dir.filePath(QStringLiteral("c"));
        const qint64 size = 3 * 1024 * 1024 + 5; // not a multiple of the generator's word or chunk
        QVERIFY(writePseudoRandomFile(a, size, 1));
        QVERIFY(writePseudoRandomFile(b, size, 1));
        QVERIFY(writePseudoRandomFile(c, size, 2));
        QCOMPARE(QFileInfo(a).size(), size);
        QCOMPARE(sha1(a), sha1(b));
        QVERIFY(sha1(a) != sha1(c));
        QString error;
        QVERIFY(!writePseudoRandomFile(dir.filePath(QStringLiteral("missing/dir/x")), 10, 1, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestSwarmParts)
#include "tst_swarmparts.moc"
