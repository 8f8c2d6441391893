#include "HostileFixture.h"
#include "PeerTests.h"

#include "TestSupport.h"
#include "peer/TorrentSession.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"

#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

constexpr qint64 kBlock = 16 * 1024;
// 10 pieces of one block; the last is short: 5000 bytes.
constexpr qint64 kShortLastSize = 9 * kBlock + 5000;

QByteArray fileBytes(const Fixture& f, qint64 piece, qint64 begin, qint64 length) {
    return testsupport::readAll(f.torrent.path).mid(piece * f.torrent.metainfo.pieceLength + begin, length);
}

// Sends a REQUEST and waits for exactly that block from the file.
bool honestRequestServed(Fixture& f, quint32 piece, quint32 begin, quint32 length) {
    f.peer->send(wire::encodeRequest(piece, begin, length));
    const QByteArray expected = wire::encodePiece(piece, begin, fileBytes(f, piece, begin, length));
    QDeadlineTimer deadline(5000);
    while (!f.peer->received().endsWith(expected) && !deadline.hasExpired())
        QTest::qWait(5);
    return f.peer->received().endsWith(expected) && !f.peer->isDisconnected();
}

class HostilePeerTests2 : public QObject {
    Q_OBJECT

private slots:
    // A REQUEST or CANCEL outside the torrent is a protocol violation (DESIGN.md: indices out of range give
    // a disconnect; a CANCEL names a block like a REQUEST and is checked the same way). The framer rejects it
    // before any queueing, and nothing is served for it.
    void blockOutOfRange_isDisconnected_data() {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<bool>("isRequest");
        const auto past = [](const char* block, const char* piece) {
            return QStringLiteral("block runs past the end of the piece (index %1, piece is %2 bytes)")
                .arg(QLatin1String(block), QLatin1String(piece));
        };
        const auto request = [](const char* name, quint32 index, quint32 begin, quint32 length,
                                const QString& reason) {
            QTest::newRow(qPrintable(QStringLiteral("request: %1").arg(QLatin1String(name))))
                << wire::encodeRequest(index, begin, length) << reason << true;
        };
        const auto cancel = [](const char* name, quint32 index, quint32 begin, quint32 length,
                               const QString& reason) {
            QTest::newRow(qPrintable(QStringLiteral("cancel: %1").arg(QLatin1String(name))))
                << wire::encodeCancel(index, begin, length) << reason << false;
        };
        request("index = piece count", 10u, 0u, 16384u,
                QStringLiteral("piece index out of range (index 10 of 10 pieces)"));
        request("index 2^32-1", 0xffffffffu, 0u, 1u,
                QStringLiteral("piece index out of range (index 4294967295 of 10 pieces)"));
        request("begin+length past a full piece", 3u, 8192u, 16384u,
                past("3 begin 8192 length 16384", "16384"));
        request("begin near 2^32", 3u, 0xfffffff0u, 16u, past("3 begin 4294967280 length 16", "16384"));
        request("full block of the short last piece", 9u, 0u, 16384u, past("9 begin 0 length 16384", "5000"));
        request("one byte past the short last piece", 9u, 4096u, 905u,
                past("9 begin 4096 length 905", "5000"));
        cancel("index", 10u, 0u, 16384u, QStringLiteral("piece index out of range (index 10 of 10 pieces)"));
        cancel("offset", 2u, 16384u, 16384u, past("2 begin 16384 length 16384", "16384"));
        cancel("short last piece", 9u, 0u, 5001u, past("9 begin 0 length 5001", "5000"));
    }
    void blockOutOfRange_isDisconnected() {
        QFETCH(QByteArray, message);
        QFETCH(QString, reason);
        QFETCH(bool, isRequest);
        Fixture f;
        QVERIFY(f.setUp(kShortLastSize, kBlock));
        QVERIFY(f.handshakeAndUnchoke());
        f.peer->send(message);
        QVERIFY(f.peer->waitForDisconnect(5000));
        QCOMPARE(f.disconnectReason(), reason);
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 1);
        if (isRequest) {
            QVERIFY(f.pieces().isEmpty());
            QTRY_COMPARE_WITH_TIMEOUT(f.client->connectionCount(), 0, 5000);
        }
    }

    // The edges of the short last piece are legal and served byte for byte.
    void requestAtTheEndOfTheShortLastPiece_isServed() {
        Fixture f;
        QVERIFY(f.setUp(kShortLastSize, kBlock));
        QVERIFY(f.handshakeAndUnchoke());
        QVERIFY(honestRequestServed(f, 9, 0, 5000));
        QVERIFY(honestRequestServed(f, 9, 4999, 1));
        QCOMPARE(f.pieces().size(), 2);
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
    }

    // A CANCEL in range for a block that was never requested (or already sent) is a no-op.
    void cancelOfUnknownRequest_isIgnored() {
        Fixture f;
        QVERIFY(f.setUp(kShortLastSize, kBlock));
        QVERIFY(f.handshakeAndUnchoke());
        f.peer->send(wire::encodeCancel(2, 0, 16384) + wire::encodeCancel(9, 0, 5000));
        QVERIFY(honestRequestServed(f, 4, 0, 16384));
        QCOMPARE(f.pieces().size(), 1);
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
    }

    // Ids we do not speak (BEP 6 fast extension 13-17, BEP 10 extended 20, anything else) are skipped with
    // their payload, with or without one; the connection goes on serving.
    void unknownMessageIds_areIgnored() {
        Fixture f;
        QVERIFY(f.setUp(kShortLastSize, kBlock));
        QVERIFY(f.handshakeAndUnchoke());
        QByteArray frames;
        frames += rawFrame(13);
        frames += rawFrame(13, QByteArray("\0\0\0\x02", 4)); // suggest piece 2
        frames += rawFrame(14);                              // have all
        frames += rawFrame(14, QByteArray(7, 'x'));
        frames += rawFrame(20, QByteArray("\0d1:md11:ut_metadatai1eee", 25)); // extended handshake
        frames += rawFrame(255);
        frames += rawFrame(255, QByteArray(16384, '\xab')); // as large as a block
        frames += rawFrame(100, QByteArray(1, '\0'));
        // Sent in two halves that split a frame, then an honest request right behind the last one.
        f.peer->send(frames.first(frames.size() / 2));
        QTest::qWait(20);
        f.peer->send(frames.sliced(frames.size() / 2));
        QVERIFY(honestRequestServed(f, 5, 0, 16384));
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
        QCOMPARE(f.pieces().size(), 1);
    }

    // BEP 3: requests while we choke the peer are discarded. They are never served, not queued (a flood of
    // them costs no memory) and not counted against the outstanding-request limit once unchoked.
    void requestsWhileChoked_areDiscardedAndNotCounted() {
        Fixture f;
        ClientConfig config;
        config.limits.maxIncomingRequests = 20;
        QVERIFY(f.setUp(10 * 64 * 1024, 64 * 1024, config));
        // Paused, the torrent keeps every peer choked.
        f.session->pause();
        QCOMPARE(f.session->state(), TorrentState::Paused);
        QVERIFY(f.handshake());
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        // 10,000 requests for pieces 0-4, 500 times the limit, then a HAVE as a marker: once it is reported,
        // every request before it has been handled.
        QByteArray flood;
        for (int i = 0; i < 10'000; ++i)
            flood += wire::encodeRequest(quint32((i / 4) % 5), quint32(i % 4) * kBlock, kBlock);
        flood += wire::encodeHave(7);
        f.peer->send(flood);
        QTRY_VERIFY_WITH_TIMEOUT(f.log->count(PeerEventKind::Have) == 1, 10'000);
        QCOMPARE(f.requestsInOfOnlyConnection(), 0);
        QVERIFY(messagesOfType(f.received(), MessageType::Unchoke).isEmpty());
        QVERIFY(f.pieces().isEmpty());
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);

        // Unchoked, exactly the limit of requests for pieces 5-9 is accepted and served, and nothing else.
        f.session->resume();
        QTRY_VERIFY_WITH_TIMEOUT(!messagesOfType(f.received(), MessageType::Unchoke).isEmpty(), 5000);
        QByteArray honest;
        for (int i = 0; i < 20; ++i)
            honest += wire::encodeRequest(quint32(5 + i / 4), quint32(i % 4) * kBlock, kBlock);
        f.peer->send(honest);
        QTRY_COMPARE_WITH_TIMEOUT(f.pieces().size(), 20, 10'000);
        const QByteArray file = testsupport::readAll(f.torrent.path);
        const QList<WireMessage> pieces = f.pieces();
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(pieces[i].index, quint32(5 + i / 4));
            QCOMPARE(pieces[i].begin, quint32(i % 4) * kBlock);
            QVERIFY(pieces[i].payload == file.mid(pieces[i].index * 65536 + pieces[i].begin, kBlock));
        }
        QTest::qWait(100);
        QCOMPARE(f.pieces().size(), 20);
        QVERIFY(!f.peer->isDisconnected());
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
    }

    // Blocks a leecher never asked for, right or wrong, are dropped and counted as wasted: they never reach
    // the disk or the hash check. The download then completes from an honest seeder.
    void unrequestedPieces_areDroppedAndDownloadCompletes() {
        QTemporaryDir tmp;
        const qint64 pieceLength = 2 * kBlock;
        const TorrentFixture torrent = makeTorrent(tmp.filePath(QStringLiteral("seed")),
                                                   QStringLiteral("u.bin"), 8 * pieceLength, pieceLength);
        QVERIFY(torrent.ok);
        const QByteArray data = testsupport::readAll(torrent.path);
        auto leecher = makeClient();
        QVERIFY(leecher);
        EventLog log(leecher.get());
        AddTorrentParams params;
        params.metainfo = torrent.metainfo;
        params.role = TorrentRole::Leecher;
        params.downloadDir = tmp.filePath(QStringLiteral("dl"));
        TorrentSession* download = leecher->addTorrent(params);
        QVERIFY(download);
        QTRY_COMPARE_WITH_TIMEOUT(download->state(), TorrentState::Downloading, 5000);

        // The fake peer claims every piece and never unchokes, so the leecher asks it for nothing.
        FakePeer fake(torrent.metainfo.infoHash);
        QVERIFY(fake.connectTo(leecher->listenPort()));
        fake.sendHandshake();
        QVERIFY(fake.waitForBytes(Handshake::kLength));
        fake.send(wire::encodeBitfield(Bitfield(torrent.metainfo.pieceCount(), true)));
        QByteArray blocks;
        // Right data: all of pieces 0 and 1, enough to pass their hash check if it were kept.
        for (int piece = 0; piece < 2; ++piece)
            for (qint64 begin = 0; begin < pieceLength; begin += kBlock)
                blocks += wire::encodePiece(quint32(piece), quint32(begin),
                                            data.mid(piece * pieceLength + begin, kBlock));
        // Wrong data: piece 2 filled with garbage, and a short block of piece 3.
        blocks += wire::encodePiece(2, 0, QByteArray(kBlock, '\xee'));
        blocks += wire::encodePiece(2, quint32(kBlock), QByteArray(kBlock, '\xee'));
        blocks += wire::encodePiece(3, 0, QByteArray(100, '\xee'));
        const int sentBlocks = 7;
        const qint64 sentBytes = 6 * kBlock + 100;
        fake.send(blocks);
        QTRY_COMPARE_WITH_TIMEOUT(download->snapshot(false).unrequestedBlocks, sentBlocks, 5000);
        QTest::qWait(200); // a check started by mistake would finish in this time
        TorrentSnapshot snap = download->snapshot(false);
        QVERIFY(snap.have.none());
        QVERIFY(snap.inFlight.none());
        QCOMPARE(snap.wasted, sentBytes);
        QCOMPARE(snap.received, sentBytes);
        QCOMPARE(snap.downloaded, 0);
        QCOMPARE(snap.hashFailures, 0);
        QCOMPARE(log.count(PeerEventKind::PieceVerified), 0);
        QVERIFY(!fake.isDisconnected());
        // The leecher wants the fake peer's pieces, but asked for none of them.
        const auto fromLeecher = [&](MessageType type) {
            return messagesOfType(parseMessages(fake.received(), torrent.metainfo), type).size();
        };
        QTRY_COMPARE_WITH_TIMEOUT(fromLeecher(MessageType::Interested), 1, 5000);
        QCOMPARE(fromLeecher(MessageType::Request), 0);

        auto seeder = makeClient();
        QVERIFY(addSeeder(seeder.get(), torrent, tmp.filePath(QStringLiteral("seed"))));
        QSignalSpy done(download, &TorrentSession::completed);
        download->addPeer(QHostAddress(QHostAddress::LocalHost), seeder->listenPort());
        QVERIFY(done.wait(20'000) || download->isComplete());
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/u.bin"))), data);
        snap = download->snapshot(false);
        QVERIFY(snap.have.all());
        QCOMPARE(snap.hashFailures, 0);
        QCOMPARE(snap.unrequestedBlocks, sentBlocks);
        QVERIFY(snap.wasted >= sentBytes);
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    // 200 connections at once against a cap of 8. First silent ones (a few sending half a handshake, which
    // names the torrent): never more than 8 open, the rest refused at once, the 8 closed by the handshake
    // timeout. Then 200 that complete the handshake: exactly 8 stay, the rest are refused. Afterwards the
    // client serves an honest peer.
    void connectionFlood_staysUnderTheCap() {
        constexpr int kCap = 8;
        constexpr int kFlood = 200;
        int maxSeen = 0; // outlives the fixture: the client reports while it is destroyed
        Fixture f;
        ClientConfig config;
        config.maxConnections = kCap;
        config.limits.handshakeTimeoutMs = 2000;
        QVERIFY(f.setUp(kShortLastSize, kBlock, config, false));
        QObject guard; // destroyed before the fixture, which ends the connection
        connect(f.client.get(), &Client::peerEvent, &guard,
                [&] { maxSeen = qMax(maxSeen, f.client->connectionCount()); });
        const auto countConnected = [](const QList<QTcpSocket*>& sockets) {
            return int(std::count_if(sockets.begin(), sockets.end(), [](const QTcpSocket* s) {
                return s->state() != QAbstractSocket::UnconnectedState;
            }));
        };
        // Opens kFlood sockets in bursts of 50 (a burst fits the listen backlog), each writing what
        // firstBytes(i) returns as soon as it is connected.
        QObject holder;
        const auto flood = [&](const std::function<QByteArray(int)>& firstBytes) {
            QList<QTcpSocket*> sockets;
            for (int i = 0; i < kFlood; ++i) {
                auto* s = new QTcpSocket(&holder);
                s->connectToHost(QHostAddress::LocalHost, f.client->listenPort());
                if (const QByteArray bytes = firstBytes(i); !bytes.isEmpty())
                    s->write(bytes);
                sockets.append(s);
                if (i % 50 == 49)
                    QTest::qWait(1);
            }
            return sockets;
        };
        const auto waitFor = [&](const std::function<bool()>& condition, int timeoutMs) {
            QDeadlineTimer deadline(timeoutMs);
            while (!condition() && !deadline.hasExpired()) {
                maxSeen = qMax(maxSeen, f.client->connectionCount());
                QTest::qWait(2);
            }
            return condition();
        };

        Handshake handshake;
        handshake.infoHash = f.torrent.metainfo.infoHash;
        handshake.peerId = FakePeer::peerIdFor('h');
        const QByteArray halfHandshake = encodeHandshake(handshake).first(Handshake::kInfoHashEnd);
        QList<QTcpSocket*> silent = flood([&](int i) { return i % 20 == 0 ? halfHandshake : QByteArray(); });
        QVERIFY2(waitFor([&] { return countConnected(silent) == 0; }, 30'000),
                 qPrintable(QStringLiteral("%1 still open").arg(countConnected(silent))));
        QTRY_COMPARE_WITH_TIMEOUT(f.client->connectionCount(), 0, 5000);
        QVERIFY(maxSeen >= 1 && maxSeen <= kCap);
        // One Disconnected each, refused or timed out.
        int refused = 0;
        int timedOut = 0;
        for (const PeerEvent& e : std::as_const(f.log->events)) {
            refused += e.reason == QStringLiteral("connection limit reached (8)") ? 1 : 0;
            timedOut += e.reason == QStringLiteral("handshake timed out after 2 s") ? 1 : 0;
        }
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), kFlood);
        QVERIFY2(refused + timedOut == kFlood, qPrintable(f.log->dump()));
        QVERIFY(timedOut >= kCap);
        QCOMPARE(f.log->count(PeerEventKind::Connected), 0);
        qDeleteAll(silent);

        f.log->events.clear();
        maxSeen = 0;
        QList<QTcpSocket*> talking = flood([&](int i) {
            Handshake h = handshake;
            h.peerId = QByteArray("-FK0001-") + QByteArray::number(i).rightJustified(12, '0');
            return encodeHandshake(h);
        });
        QVERIFY(waitFor([&] { return countConnected(talking) == kCap; }, 30'000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Connected), kCap, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), kFlood - kCap, 5000);
        QCOMPARE(f.client->connectionCount(), kCap);
        QCOMPARE(f.log->firstReason(PeerEventKind::Disconnected),
                 QStringLiteral("connection limit reached (8)"));
        QVERIFY(maxSeen <= kCap);
        for (QTcpSocket* s : std::as_const(talking))
            s->abort();
        qDeleteAll(talking);
        QTRY_COMPARE_WITH_TIMEOUT(f.client->connectionCount(), 0, 5000);

        QVERIFY(f.peer->connectTo(f.client->listenPort()));
        QVERIFY(f.handshakeAndUnchoke());
        QVERIFY(honestRequestServed(f, 9, 0, 5000));
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createHostilePeerTests2() {
    return std::make_unique<HostilePeerTests2>();
}

#include "tst_hostilepeers2.moc"
