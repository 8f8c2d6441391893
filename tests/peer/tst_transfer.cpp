#include "PeerTestSupport.h"
#include "PeerTests.h"

#include "TestSupport.h"
#include "peer/PeerIdentity.h"
#include "peer/TorrentSession.h"
#include "sim/SimulatedLink.h"
#include "tracker/TrackerServer.h"
#include "transport/TcpNode.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

bool waitComplete(TorrentSession* session, int timeoutMs) {
    if (session->isComplete())
        return true;
    QSignalSpy spy(session, &TorrentSession::completed);
    return spy.wait(timeoutMs) || session->isComplete();
}

bool waitState(TorrentSession* session, TorrentState state, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (session->state() != state && !deadline.hasExpired())
        QTest::qWait(5);
    return session->state() == state;
}

class TransferTests : public QObject {
    Q_OBJECT

private slots:
    void seederToLeecher_fileIdenticalAndVerified_data() {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("pieceLength");
        QTest::newRow("4 MiB, 256 KiB pieces (hashed on the pool)") << qint64(4 << 20) << qint64(256 << 10);
        QTest::newRow("1 MiB + 5 bytes, 16 KiB pieces (hashed inline)")
            << qint64((1 << 20) + 5) << qint64(16 << 10);
    }
    void seederToLeecher_fileIdenticalAndVerified() {
        QFETCH(qint64, size);
        QFETCH(qint64, pieceLength);
        QTemporaryDir tmp;
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("data.bin"), size, pieceLength);
        QVERIFY(fixture.ok);
        auto seeder = makeClient();
        auto leecher = makeClient();
        QVERIFY(seeder && leecher);
        EventLog seederLog(seeder.get());
        EventLog leecherLog(leecher.get());
        QString error;
        QVERIFY(addSeeder(seeder.get(), fixture, tmp.filePath(QStringLiteral("seed"))));
        TorrentSession* download =
            leecher->addTorrent(leecherParams(fixture, tmp.filePath(QStringLiteral("dl")), *seeder), &error);
        QVERIFY2(download, qPrintable(error));
        QVERIFY2(waitComplete(download, 20'000), qPrintable(leecherLog.dump()));

        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/data.bin"))),
                 testsupport::readAll(fixture.path));
        const TorrentSnapshot snap = download->snapshot();
        QVERIFY(snap.have.all());
        QCOMPARE(snap.state, TorrentState::Seeding);
        QCOMPARE(snap.bytesLeft, 0);
        QCOMPARE(snap.hashFailures, 0);
        QCOMPARE(snap.downloaded, size);
        QCOMPARE(leecherLog.count(PeerEventKind::PieceVerified), fixture.metainfo.pieceCount());
        QCOMPARE(leecherLog.count(PeerEventKind::Completed), 1);
        QVERIFY(leecherLog.count(PeerEventKind::PeerUnchoked) >= 1);
        QVERIFY(seederLog.count(PeerEventKind::Unchoked) >= 1);
        // Both are seeds now, so the connection closes.
        QTRY_COMPARE_WITH_TIMEOUT(leecher->connectionCount(), 0, 3000);
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void snapshot_showsConnectionFlagsWhileDownloading() {
        QTemporaryDir tmp;
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("d.bin"), 2 << 20, 64 << 10);
        QVERIFY(fixture.ok);
        TcpNode slowLinkNode;
        SimulatedLink& slowLink = slowLinkNode.link();
        slowLink.setUploadRate(512 * 1024);
        ClientConfig seederConfig;
        seederConfig.network = &slowLinkNode.network();
        auto seeder = makeClient(seederConfig);
        auto leecher = makeClient();
        QVERIFY(addSeeder(seeder.get(), fixture, tmp.filePath(QStringLiteral("seed"))));
        TorrentSession* download =
            leecher->addTorrent(leecherParams(fixture, tmp.filePath(QStringLiteral("dl")), *seeder));
        QVERIFY(download);
        QTRY_VERIFY_WITH_TIMEOUT(download->snapshot().downloaded > 0, 5000);
        QTest::qWait(600);
        const ClientSnapshot snap = leecher->snapshot();
        QCOMPARE(snap.peerId, leecher->peerId());
        QCOMPARE(snap.torrents.size(), 1);
        const TorrentSnapshot& t = snap.torrents.first();
        QCOMPARE(t.connections.size(), 1);
        const ConnectionSnapshot& c = t.connections.first();
        QCOMPARE(c.peerId, seeder->peerId());
        QVERIFY(c.amInterested);
        QVERIFY(!c.peerChoking);
        QVERIFY(!c.peerInterested);
        QVERIFY(c.seed);
        QVERIFY(c.requestsOut > 0);
        QVERIFY(c.downloadRate > 0);
        QVERIFY(c.rttMs >= 0);
        // Both set the BEP 10 bit; the seeder's extended handshake named it.
        QVERIFY(c.extensionProtocol);
        QCOMPARE(c.peerClient, clientName());
        QVERIFY(!t.inFlight.none());
        QVERIFY(t.downloadRate > 0);
        QVERIFY(leecher->stats().downloaded > 0);
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void twoTorrents_shareOneListenPort() {
        QTemporaryDir tmp;
        const QString seedDir = tmp.filePath(QStringLiteral("seed"));
        const TorrentFixture a = makeTorrent(seedDir, QStringLiteral("a.bin"), 1 << 20, 32 << 10, 1);
        const TorrentFixture b = makeTorrent(seedDir, QStringLiteral("b.bin"), 3 << 19, 64 << 10, 2);
        QVERIFY(a.ok && b.ok);
        auto seeder = makeClient();
        auto leecher = makeClient();
        QVERIFY(addSeeder(seeder.get(), a, seedDir));
        QVERIFY(addSeeder(seeder.get(), b, seedDir));
        QCOMPARE(seeder->torrents().size(), 2);
        TorrentSession* da =
            leecher->addTorrent(leecherParams(a, tmp.filePath(QStringLiteral("dl")), *seeder));
        TorrentSession* db =
            leecher->addTorrent(leecherParams(b, tmp.filePath(QStringLiteral("dl")), *seeder));
        QVERIFY(da && db);
        QVERIFY(waitComplete(da, 20'000));
        QVERIFY(waitComplete(db, 20'000));
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/a.bin"))),
                 testsupport::readAll(a.path));
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/b.bin"))),
                 testsupport::readAll(b.path));
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void latencyAndCaps_completeAndCapIsRoughlyRespected() {
        QTemporaryDir tmp;
        const qint64 size = 3 << 19; // 1.5 MiB
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("c.bin"), size, 64 << 10);
        QVERIFY(fixture.ok);
        TcpNode linkNode;
        SimulatedLink& link = linkNode.link();
        link.setLatency(std::chrono::milliseconds(30));
        const qint64 cap = 1 << 20; // 1 MiB/s
        link.setDownloadRate(cap);
        ClientConfig config;
        config.network = &linkNode.network();
        auto seeder = makeClient();
        auto leecher = makeClient(config);
        QVERIFY(addSeeder(seeder.get(), fixture, tmp.filePath(QStringLiteral("seed"))));
        QElapsedTimer clock;
        clock.start();
        TorrentSession* download =
            leecher->addTorrent(leecherParams(fixture, tmp.filePath(QStringLiteral("dl")), *seeder));
        QVERIFY(download);
        QVERIFY(waitComplete(download, 20'000));
        const double seconds = clock.elapsed() / 1000.0;
        const double ideal = double(size) / double(cap);
        qInfo("1.5 MiB at a 1 MiB/s cap with 30 ms latency: %.2f s (ideal %.2f s)", seconds, ideal);
        // The bucket's 100 ms burst and the handshake round trips move the bounds a little either way.
        QVERIFY2(seconds >= ideal * 0.85, qPrintable(QString::number(seconds)));
        QVERIFY2(seconds <= ideal * 3 + 1, qPrintable(QString::number(seconds)));
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/c.bin"))),
                 testsupport::readAll(fixture.path));
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void uploadCap_isRoughlyRespected() {
        QTemporaryDir tmp;
        const qint64 size = 1 << 20;
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("u.bin"), size, 32 << 10);
        QVERIFY(fixture.ok);
        TcpNode linkNode;
        SimulatedLink& link = linkNode.link();
        const qint64 cap = 512 * 1024;
        link.setUploadRate(cap);
        ClientConfig config;
        config.network = &linkNode.network();
        auto seeder = makeClient(config);
        auto leecher = makeClient();
        EventLog seederLog(seeder.get());
        EventLog leecherLog(leecher.get());
        QVERIFY(addSeeder(seeder.get(), fixture, tmp.filePath(QStringLiteral("seed"))));
        QElapsedTimer clock;
        clock.start();
        TorrentSession* download =
            leecher->addTorrent(leecherParams(fixture, tmp.filePath(QStringLiteral("dl")), *seeder));
        while (!download->isComplete() && clock.elapsed() < 20'000) {
            QTest::qWait(100);
            if (qEnvironmentVariableIsSet("SWARMSCOPE_TRACE"))
                qInfo("%lld ms: %lld bytes", clock.elapsed(), download->snapshot().downloaded);
        }
        QVERIFY(waitComplete(download, 20'000));
        const double seconds = clock.elapsed() / 1000.0;
        qInfo("1 MiB at a 512 KiB/s upload cap: %.2f s (ideal 2.0 s)", seconds);
        if (qEnvironmentVariableIsSet("SWARMSCOPE_TRACE"))
            qInfo("seeder:\n%s\nleecher:\n%s", qPrintable(seederLog.dump()), qPrintable(leecherLog.dump()));
        QVERIFY2(seconds >= 1.7 && seconds <= 6.0, qPrintable(QString::number(seconds)));
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void existingData_isVerifiedAndKept() {
        QTemporaryDir tmp;
        const qint64 pieceLength = 64 << 10;
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("r.bin"), 1 << 20, pieceLength);
        QVERIFY(fixture.ok);
        // The first half is already there (a restarted download); the rest is garbage.
        QByteArray partial = testsupport::readAll(fixture.path);
        partial.replace(partial.size() / 2, partial.size() / 2, QByteArray(partial.size() / 2, 'z'));
        QDir().mkpath(tmp.filePath(QStringLiteral("dl")));
        QFile out(tmp.filePath(QStringLiteral("dl/r.bin")));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(partial);
        out.close();

        auto leecher = makeClient();
        AddTorrentParams params;
        params.metainfo = fixture.metainfo;
        params.downloadDir = tmp.filePath(QStringLiteral("dl"));
        params.resumeFile = tmp.filePath(QStringLiteral("r.resume"));
        TorrentSession* download = leecher->addTorrent(params);
        QVERIFY(download);
        QCOMPARE(download->state(), TorrentState::Checking);
        QVERIFY(waitState(download, TorrentState::Downloading, 5000));
        QCOMPARE(download->have().count(), fixture.metainfo.pieceCount() / 2);
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(QFile::exists(params.resumeFile));

        // Restarted with its resume file and a seeder: it keeps its pieces and fetches only the rest.
        auto seeder = makeClient();
        QVERIFY(addSeeder(seeder.get(), fixture, tmp.filePath(QStringLiteral("seed"))));
        auto again = makeClient();
        params.peers.append({QHostAddress(QHostAddress::LocalHost), seeder->listenPort()});
        download = again->addTorrent(params);
        QVERIFY(download);
        QVERIFY(waitComplete(download, 20'000));
        QCOMPARE(download->snapshot().downloaded, fixture.metainfo.totalSize / 2);
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/r.bin"))),
                 testsupport::readAll(fixture.path));
        QVERIFY(stopClient(again.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void pauseResume_stopsAndRestartsTheDownload() {
        QTemporaryDir tmp;
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("p.bin"), 1 << 20, 32 << 10);
        QVERIFY(fixture.ok);
        TcpNode linkNode;
        SimulatedLink& link = linkNode.link();
        link.setUploadRate(400 * 1024);
        ClientConfig config;
        config.network = &linkNode.network();
        auto seeder = makeClient(config);
        auto leecher = makeClient();
        QVERIFY(addSeeder(seeder.get(), fixture, tmp.filePath(QStringLiteral("seed"))));
        TorrentSession* download =
            leecher->addTorrent(leecherParams(fixture, tmp.filePath(QStringLiteral("dl")), *seeder));
        QTRY_VERIFY_WITH_TIMEOUT(download->snapshot().downloaded > 100 * 1024, 5000);
        download->pause();
        QCOMPARE(download->state(), TorrentState::Paused);
        QTest::qWait(1000); // blocks already queued at the seeder still land
        const qint64 atPause = download->snapshot().downloaded;
        QTest::qWait(700);
        QCOMPARE(download->snapshot().downloaded, atPause);
        QVERIFY(!download->isComplete());
        download->resume();
        QVERIFY(waitComplete(download, 20'000));
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/p.bin"))),
                 testsupport::readAll(fixture.path));
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void smallSwarm_leechersTradeAndAllComplete() {
        QTemporaryDir tmp;
        const QString seedDir = tmp.filePath(QStringLiteral("seed"));
        const TorrentFixture fixture = makeTorrent(seedDir, QStringLiteral("s.bin"), 2 << 20, 32 << 10);
        QVERIFY(fixture.ok);
        // A slow seeder makes the leechers fetch most pieces from each other.
        TcpNode seedLinkNode;
        SimulatedLink& seedLink = seedLinkNode.link();
        seedLink.setUploadRate(1 << 20);
        ClientConfig seedConfig;
        seedConfig.network = &seedLinkNode.network();
        auto seeder = makeClient(seedConfig);
        QVERIFY(addSeeder(seeder.get(), fixture, seedDir));
        std::vector<std::unique_ptr<Client>> leechers;
        QList<TorrentSession*> downloads;
        for (int i = 0; i < 4; ++i) {
            leechers.push_back(makeClient());
            AddTorrentParams params =
                leecherParams(fixture, tmp.filePath(QStringLiteral("dl%1").arg(i)), *seeder);
            for (const auto& other : leechers)
                if (other != leechers.back())
                    params.peers.append({QHostAddress(QHostAddress::LocalHost), other->listenPort()});
            downloads.append(leechers.back()->addTorrent(params));
            QVERIFY(downloads.back());
        }
        for (TorrentSession* d : downloads)
            QVERIFY(waitComplete(d, 20'000));
        qint64 tradedBetweenLeechers = 0;
        qint64 wasted = 0;
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl%1/s.bin").arg(i))),
                     testsupport::readAll(fixture.path));
            const TorrentSnapshot snap = downloads[i]->snapshot();
            tradedBetweenLeechers += snap.uploaded;
            wasted += snap.wasted;
            QCOMPARE(snap.downloaded, fixture.metainfo.totalSize);
        }
        qInfo("leechers uploaded %lld bytes to each other, the seeder %lld; %lld bytes wasted",
              tradedBetweenLeechers, seeder->stats().uploaded, wasted);
        QVERIFY(tradedBetweenLeechers > 0);
        for (const auto& l : leechers)
            QVERIFY(stopClient(l.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void chokerOff_unchokesEveryInterestedPeer() {
        QTemporaryDir tmp;
        const QString seedDir = tmp.filePath(QStringLiteral("seed"));
        const TorrentFixture fixture = makeTorrent(seedDir, QStringLiteral("o.bin"), 1 << 20, 16 << 10);
        QVERIFY(fixture.ok);
        TcpNode seedLinkNode;
        SimulatedLink& seedLink = seedLinkNode.link();
        seedLink.setUploadRate(256 << 10); // slow, so all leechers are still interested when we look
        ClientConfig seedConfig;
        seedConfig.network = &seedLinkNode.network();
        auto seeder = makeClient(seedConfig);
        TorrentSession* seed = addSeeder(seeder.get(), fixture, seedDir);
        QVERIFY(seed);
        seed->setChokerEnabled(false);
        std::vector<std::unique_ptr<Client>> leechers;
        for (int i = 0; i < 7; ++i) {
            leechers.push_back(makeClient());
            QVERIFY(leechers.back()->addTorrent(
                leecherParams(fixture, tmp.filePath(QStringLiteral("dl%1").arg(i)), *seeder)));
        }
        // More than the 4 + 1 slots a choker would give.
        QTRY_COMPARE_WITH_TIMEOUT(seed->snapshot().connectionCount, 7, 5000);
        const auto unchoked = [seed] {
            int n = 0;
            for (const ConnectionSnapshot& c : seed->snapshot().connections)
                n += (!c.amChoking && c.peerInterested) ? 1 : 0;
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(unchoked(), 7, 3000);
        QVERIFY(!seed->snapshot().chokerEnabled);
        for (const auto& l : leechers)
            QVERIFY(stopClient(l.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    void throughTracker_leecherFindsSeeder() {
        QTemporaryDir tmp;
        TrackerServer tracker;
        QVERIFY(tracker.listen());
        const TorrentFixture fixture =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("t.bin"), 1 << 20, 64 << 10);
        QVERIFY(fixture.ok);
        auto seeder = makeClient();
        auto leecher = makeClient();
        AddTorrentParams seed = seederParams(fixture, tmp.filePath(QStringLiteral("seed")));
        seed.trackers = {tracker.announceUrl()};
        QVERIFY(seeder->addTorrent(seed));
        QTRY_VERIFY_WITH_TIMEOUT(tracker.swarms().torrentCount() == 1, 5000);
        AddTorrentParams leech = seederParams(fixture, tmp.filePath(QStringLiteral("dl")));
        leech.role = TorrentRole::Leecher;
        leech.trackers = {tracker.announceUrl()};
        QSignalSpy completedAtTracker(&tracker, &TrackerServer::peerCompleted);
        QSignalSpy stoppedAtTracker(&tracker, &TrackerServer::peerStopped);
        TorrentSession* download = leecher->addTorrent(leech);
        QVERIFY(waitComplete(download, 20'000));
        QTRY_COMPARE_WITH_TIMEOUT(completedAtTracker.size(), 1, 5000);
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
        QCOMPARE(stoppedAtTracker.size(), 2);
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createTransferTests() {
    return std::make_unique<TransferTests>();
}

#include "tst_transfer.moc"
