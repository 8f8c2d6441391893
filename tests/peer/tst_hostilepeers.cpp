#include "HostileFixture.h"
#include "PeerTests.h"

#include "TestSupport.h"
#include "peer/TorrentSession.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

class HostilePeerTests : public QObject {
    Q_OBJECT

private slots:
    void wrongInfoHash_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp());
        f.peer->sendHandshake(QByteArray(20, '\x42'));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("unknown info-hash")),
                 qPrintable(f.log->dump()));
        // Nothing of ours went out: we answer only a handshake for a torrent we have.
        QCOMPARE(f.peer->received().size(), 0);
    }

    void badProtocolName_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp());
        f.peer->send(QByteArray("\x13"
                                "BitTorrent protocoX",
                                20));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("bad handshake")), qPrintable(f.log->dump()));
    }

    void handshakeTimeout_isDisconnected() {
        Fixture f;
        ClientConfig config;
        config.limits.handshakeTimeoutMs = 300;
        QVERIFY(f.setUp(10 * 16 * 1024, 16 * 1024, config));
        f.peer->send(QByteArray("\x13"
                                "BitTorrent",
                                11)); // a valid prefix, then silence
        QVERIFY(f.peer->waitForDisconnect(3000));
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("handshake timed out")),
                 qPrintable(f.log->dump()));
    }

    void oversizedLengthPrefix_isDisconnectedWithoutBuffering() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(f.handshake());
        // Announces a 1 GiB message; only the prefix is ever sent, so a client that waited for it would hang,
        // and one that allocated it would use a gigabyte.
        f.peer->send(rawLengthPrefix(1u << 30));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("message length over the limit")),
                 qPrintable(f.log->dump()));
    }

    void bitfieldWithSpareBits_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp()); // 10 pieces: 2 bytes, 6 spare bits
        QVERIFY(f.handshake());
        f.peer->send(rawLengthPrefix(3) + QByteArray("\x05\xff\xff", 3));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("spare bits")), qPrintable(f.log->dump()));
    }

    void bitfieldOfWrongLength_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(f.handshake());
        f.peer->send(rawLengthPrefix(4) + QByteArray("\x05\xff\xc0\x00", 4));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("bitfield of the wrong length")),
                 qPrintable(f.log->dump()));
    }

    void haveIndexOutOfRange_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(f.handshake());
        f.peer->send(wire::encodeHave(10));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("piece index out of range")),
                 qPrintable(f.log->dump()));
    }

    void requestOver16KiB_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp(4 * 64 * 1024, 64 * 1024));
        QVERIFY(f.handshake());
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        f.peer->send(wire::encodeRequest(0, 0, 32 * 1024));
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("block longer than 16 KiB")),
                 qPrintable(f.log->dump()));
    }

    void tooManyOutstandingRequests_isDisconnected() {
        Fixture f;
        QVERIFY(f.setUp(4 * 1024 * 1024, 256 * 1024));
        QVERIFY(f.handshake());
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        // Wait to be unchoked: requests while choked are discarded, not queued.
        const QByteArray unchoke = wire::encodeSimple(MessageType::Unchoke);
        QTRY_VERIFY_WITH_TIMEOUT(f.peer->received().contains(unchoke), 3000);
        QByteArray burst;
        for (int i = 0; i < 600; ++i)
            burst += wire::encodeRequest(quint32((i / 16) % 16), quint32(i % 16) * 16384, 16384);
        f.peer->send(burst);
        QVERIFY(f.peer->waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("too many outstanding requests")),
                 qPrintable(f.log->dump()));
    }

    void silentPeer_getsKeepAlivesAndIsClosedWhenIdle() {
        Fixture f;
        ClientConfig config;
        config.limits.keepAliveIntervalMs = 300;
        config.limits.idleTimeoutMs = 1200;
        QVERIFY(f.setUp(10 * 16 * 1024, 16 * 1024, config));
        QVERIFY(f.handshake());
        const qsizetype before = f.peer->received().size();
        QTRY_VERIFY_WITH_TIMEOUT(f.peer->received().mid(before).contains(QByteArray(4, '\0')), 2000);
        QVERIFY(f.peer->waitForDisconnect(3000));
        QVERIFY2(f.disconnectReason().startsWith(QStringLiteral("idle for")), qPrintable(f.log->dump()));
    }

    void connectionCap_refusesConnectionsBeyondIt() {
        Fixture f;
        ClientConfig config;
        config.maxConnections = 1;
        QVERIFY(f.setUp(10 * 16 * 1024, 16 * 1024, config));
        QVERIFY(f.handshake());
        FakePeer second(f.torrent.metainfo.infoHash);
        second.connectTo(f.client->listenPort());
        QVERIFY(second.waitForDisconnect());
        QVERIFY2(f.disconnectReason().contains(QStringLiteral("connection limit")),
                 qPrintable(f.log->dump()));
        QVERIFY(!f.peer->isDisconnected());
    }

    void honestRequests_areServed() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(f.handshake());
        const qsizetype before = f.peer->received().size();
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        QTRY_VERIFY_WITH_TIMEOUT(f.peer->received().size() > before, 3000);
        f.peer->send(wire::encodeRequest(3, 0, 16384));
        const QByteArray expected =
            wire::encodePiece(3, 0, testsupport::readAll(f.torrent.path).mid(3 * 16384, 16384));
        QTRY_VERIFY_WITH_TIMEOUT(f.peer->received().endsWith(expected), 3000);
        QVERIFY(!f.peer->isDisconnected());
    }

    void corruptPeer_isBannedAndDownloadCompletesFromHonestSeeder() {
        QTemporaryDir tmp;
        const TorrentFixture torrent =
            makeTorrent(tmp.filePath(QStringLiteral("seed")), QStringLiteral("c.bin"), 1 << 20, 64 << 10);
        QVERIFY(torrent.ok);
        FakePeer corrupt(torrent.metainfo.infoHash);
        const quint16 corruptPort = corrupt.listen();
        QVERIFY(corruptPort != 0);
        corrupt.serveAsSeeder(torrent.metainfo, '\xee');

        auto leecher = makeClient();
        EventLog log(leecher.get());
        AddTorrentParams params;
        params.metainfo = torrent.metainfo;
        params.downloadDir = tmp.filePath(QStringLiteral("dl"));
        params.peers.append({QHostAddress(QHostAddress::LocalHost), corruptPort});
        TorrentSession* download = leecher->addTorrent(params);
        QVERIFY(download);
        // Alone, the corrupt peer is the only contributor of every piece it sends: banned on the first.
        QTRY_VERIFY_WITH_TIMEOUT(log.count(PeerEventKind::PeerBanned) >= 1, 5000);
        QVERIFY(corrupt.waitForDisconnect());
        QVERIFY(log.count(PeerEventKind::HashFailed) >= 1);
        QVERIFY2(log.firstReason(PeerEventKind::PeerBanned).contains(QStringLiteral("sole contributor")),
                 qPrintable(log.dump()));

        auto seeder = makeClient();
        QVERIFY(addSeeder(seeder.get(), torrent, tmp.filePath(QStringLiteral("seed"))));
        download->addPeer(QHostAddress(QHostAddress::LocalHost), seeder->listenPort());
        // A banned peer is not reconnected, even when offered again.
        download->addPeer(QHostAddress(QHostAddress::LocalHost), corruptPort);
        QSignalSpy done(download, &TorrentSession::completed);
        QVERIFY(done.wait(20'000) || download->isComplete());
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/c.bin"))),
                 testsupport::readAll(torrent.path));
        const TorrentSnapshot snap = download->snapshot();
        QVERIFY(snap.hashFailures >= 1);
        QCOMPARE(snap.bannedPeers, 1);
        QVERIFY(snap.failed >= 64 << 10);
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createHostilePeerTests() {
    return std::make_unique<HostilePeerTests>();
}

#include "tst_hostilepeers.moc"
