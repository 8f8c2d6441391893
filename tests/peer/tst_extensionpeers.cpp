#include "HostileFixture.h"
#include "PeerTests.h"

#include "TestSupport.h"
#include "peer/PeerIdentity.h"
#include "sim/SimulatedLink.h"
#include "transport/TcpNode.h"
#include "wire/AllowedFastSet.h"
#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"

#include <QTest>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

// Reserved bytes with the BEP 10 bit, and with the BEP 6 bit too.
QByteArray extensionReserved() {
    Handshake h;
    h.setExtensionProtocol();
    return h.reserved;
}
QByteArray bothReserved() {
    Handshake h;
    h.setExtensionProtocol();
    h.setFastExtension();
    return h.reserved;
}

// What the scripted peer received, read as a peer that negotiated both extensions.
QList<WireMessage> negotiatedMessages(const Fixture& f) {
    return parseMessages(f.peer->received(), f.torrent.metainfo, true);
}

// Handshake with both bits; waits for the seeder's HAVE ALL and its allowed-fast set.
bool fastHandshake(Fixture& f) {
    f.peer->sendHandshake({}, bothReserved());
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        const QList<WireMessage> m = negotiatedMessages(f);
        if (!messagesOfType(m, MessageType::HaveAll).isEmpty() &&
            messagesOfType(m, MessageType::AllowedFast).size() ==
                qMin(10, f.torrent.metainfo.pieceCount() / 2))
            return true;
        QTest::qWait(5);
    }
    return false;
}

QList<int> allowedFastFor(const Fixture& f) {
    return allowedFastSet(QHostAddress(QHostAddress::LocalHost).toIPv4Address(), f.torrent.metainfo.infoHash,
                          f.torrent.metainfo.pieceCount(), qMin(10, f.torrent.metainfo.pieceCount() / 2));
}

// The scripted peer's handshake with the given reserved bytes; waits for the seeder's handshake, bitfield and
// (when BEP 10 is on) its extended handshake.
bool handshakeWith(Fixture& f, const QByteArray& reserved) {
    f.peer->sendHandshake({}, reserved);
    if (!f.peer->waitForBytes(Handshake::kLength + 4 + 1 +
                              Bitfield::wireSize(f.torrent.metainfo.pieceCount())))
        return false;
    Handshake sent;
    sent.reserved = reserved.isEmpty() ? sent.reserved : reserved;
    if (!sent.supportsExtensionProtocol())
        return true;
    QDeadlineTimer deadline(5000);
    while (!deadline.hasExpired()) {
        for (const WireMessage& m : f.received())
            if (m.type == MessageType::Unknown && m.id == 20)
                return true;
        QTest::qWait(5);
    }
    return false;
}

// The seeder's extended handshake, as the scripted peer received it (the hostile parser does not negotiate
// BEP 10, so it arrives as an unknown id 20).
std::optional<ExtensionHandshake> seedersExtensionHandshake(const Fixture& f) {
    for (const WireMessage& m : f.received())
        if (m.type == MessageType::Unknown && m.id == 20 && !m.payload.isEmpty() && m.payload[0] == '\0')
            return wire::decodeExtensionHandshake(m.payload.sliced(1), nullptr);
    return std::nullopt;
}

class ExtensionPeerTests : public QObject {
    Q_OBJECT

private slots:
    // With the bit on both sides the seeder sends its dictionary after the bitfield, and records the
    // peer's; without it, nothing is sent and id 20 stays an unknown message.
    void extendedHandshake_isExchangedAndRecorded() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, extensionReserved()));
        const std::optional<ExtensionHandshake> ours = seedersExtensionHandshake(f);
        QVERIFY(ours);
        QCOMPARE(ours->client, clientName());
        QCOMPARE(ours->listenPort, int(f.client->listenPort()));
        QCOMPARE(ours->requestQueue, f.client->limits().maxIncomingRequests);
        QCOMPARE(ours->metadataSize, f.torrent.metainfo.infoBytes.size());
        // The handshake bytes the seeder sent carry the bit too.
        QVERIFY(decodeHandshake(f.peer->received().first(Handshake::kLength))
                    .handshake.supportsExtensionProtocol());

        f.peer->send(wire::encodeExtended(
            0, "d1:md11:lt_donthavei7e6:ut_pexi0e3:zzzi9ee4:reqqi2e1:v12:FakePeer 1.04:zzzzi1ee"));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Extensions), 1, 5000);
        QCOMPARE(f.log->firstReason(PeerEventKind::Extensions),
                 QStringLiteral("client \"FakePeer 1.0\"; extensions: lt_donthave, zzz; reqq 2"));
        const ConnectionSnapshot c = f.session->snapshot(true).connections.first();
        QVERIFY(c.extensionProtocol);
        QCOMPARE(c.peerClient, QStringLiteral("FakePeer 1.0"));
        QCOMPARE(c.peerExtensions, (QList<QByteArray>{"lt_donthave", "zzz"}));
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
    }

    void noExtensionBit_noExtendedHandshake() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, {}));
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        QTRY_VERIFY_WITH_TIMEOUT(!messagesOfType(f.received(), MessageType::Unchoke).isEmpty(), 5000);
        QVERIFY(!seedersExtensionHandshake(f));
        QVERIFY(!f.session->snapshot(true).connections.first().extensionProtocol);
    }

    // A hostile peer that negotiated BEP 10: each row closes the connection with its reason as the
    // disconnect event, and nothing crashes or waits.
    void malformedExtendedMessages_disconnect_data() {
        QTest::addColumn<QByteArray>("frames");
        QTest::addColumn<QString>("reason");
        QTest::newRow("handshake not bencode")
            << wire::encodeExtended(0, "hello")
            << QStringLiteral("extended handshake: unexpected character (byte 0)");
        QTest::newRow("handshake a list")
            << wire::encodeExtended(0, "le") << QStringLiteral("extended handshake is not a dictionary");
        QTest::newRow("handshake with trailing bytes")
            << wire::encodeExtended(0, "d1:mdeeXX") << QStringLiteral("extended handshake: ");
        QTest::newRow("m not a dictionary")
            << wire::encodeExtended(0, "d1:mi1ee")
            << QStringLiteral("extended handshake: \"m\" is not a dictionary");
        QTest::newRow("m id out of range")
            << wire::encodeExtended(0, "d1:md6:ut_pexi300eee")
            << QStringLiteral("extended handshake: id of \"m\".\"ut_pex\" is not in 0..255");
        QTest::newRow("handshake over the size limit")
            << wire::encodeExtended(0, QByteArray(QByteArray("d1:x17000:") + QByteArray(17000, 'a') + "e"))
            << QStringLiteral("extended handshake of 17011 bytes, limit 16384");
        QTest::newRow("extended message past the limit")
            << rawLengthPrefix(wire::kMaxExtendedMessageLength + 1) + QByteArray(1, char(20))
            << QStringLiteral("message length over the limit (length %1, limit %2)")
                   .arg(wire::kMaxExtendedMessageLength + 1)
                   .arg(wire::kMaxExtendedMessageLength);
        QTest::newRow("no extended id")
            << rawFrame(20)
            << QStringLiteral("wrong payload length for the message type (extended "
                              "of length 1, at least 2)");
        QTest::newRow("id never advertised")
            << wire::encodeExtended(77, "d8:msg_typei0e5:piecei0ee")
            << QStringLiteral("extended message id 77, which we never advertised");
    }
    void malformedExtendedMessages_disconnect() {
        QFETCH(QByteArray, frames);
        QFETCH(QString, reason);
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, extensionReserved()));
        f.peer->send(frames);
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QVERIFY2(f.disconnectReason().startsWith(reason), qPrintable(f.disconnectReason()));
        QCOMPARE(f.log->count(PeerEventKind::Extensions), 0);
    }

    // BEP 6 on both sides: HAVE ALL instead of the bitfield, then the canonical allowed-fast set.
    void fastExtension_haveAllAndAllowedFastSet() {
        Fixture f;
        QVERIFY(f.setUp(40 * 16 * 1024, 16 * 1024));
        QVERIFY(fastHandshake(f));
        const QList<WireMessage> m = negotiatedMessages(f);
        QVERIFY(messagesOfType(m, MessageType::Bitfield).isEmpty());
        QCOMPARE(m.first().type, MessageType::HaveAll);
        QList<int> announced;
        for (const WireMessage& a : messagesOfType(m, MessageType::AllowedFast))
            announced.append(int(a.index));
        QCOMPARE(announced, allowedFastFor(f));
        QCOMPARE(announced.size(), 10);
        QVERIFY(f.session->snapshot(true).connections.first().fastExtension);
    }

    // While the seeder chokes the peer: a request for its allowed-fast set is served, any other is
    // rejected, and each request gets exactly one answer.
    void fastExtension_requestsWhileChoked_servedOrRejected() {
        Fixture f;
        QVERIFY(f.setUp(40 * 16 * 1024, 16 * 1024));
        QVERIFY(fastHandshake(f));
        const QList<int> allowed = allowedFastFor(f);
        int other = 0;
        while (allowed.contains(other))
            ++other;
        f.peer->send(wire::encodeRequest(quint32(allowed.first()), 0, 16384) +
                     wire::encodeRequest(quint32(other), 0, 16384));
        QTRY_VERIFY_WITH_TIMEOUT(messagesOfType(negotiatedMessages(f), MessageType::Piece).size() == 1 &&
                                     messagesOfType(negotiatedMessages(f), MessageType::Reject).size() == 1,
                                 5000);
        const QList<WireMessage> m = negotiatedMessages(f);
        QCOMPARE(messagesOfType(m, MessageType::Piece).first().index, quint32(allowed.first()));
        QCOMPARE(messagesOfType(m, MessageType::Reject).first(),
                 WireMessage::reject(quint32(other), 0, 16384));
        QVERIFY(messagesOfType(m, MessageType::Unchoke).isEmpty());
        QCOMPARE(f.log->count(PeerEventKind::Disconnected), 0);
    }

    // A choke with requests queued (a slow link) rejects every one of them explicitly: each request is
    // answered once, by a block or a reject.
    void fastExtension_chokeRejectsQueuedRequests() {
        TcpNode slowNode;
        slowNode.link().setUploadRate(64 * 1024);
        ClientConfig config;
        config.network = &slowNode.network();
        Fixture f;
        QVERIFY(f.setUp(40 * 16 * 1024, 16 * 1024, config));
        QVERIFY(fastHandshake(f));
        f.peer->send(wire::encodeSimple(MessageType::Interested));
        QTRY_VERIFY_WITH_TIMEOUT(!messagesOfType(negotiatedMessages(f), MessageType::Unchoke).isEmpty(),
                                 5000);
        const QList<int> allowed = allowedFastFor(f);
        QList<BlockRequest> asked;
        QByteArray requests;
        for (int piece = 0; piece < 40 && asked.size() < 20; ++piece) {
            if (allowed.contains(piece))
                continue;
            asked.append({piece, 0, 16384});
            requests += wire::encodeRequest(quint32(piece), 0, 16384);
        }
        f.peer->send(requests);
        QTRY_VERIFY_WITH_TIMEOUT(!messagesOfType(negotiatedMessages(f), MessageType::Piece).isEmpty(), 5000);
        f.session->pause();
        QTRY_VERIFY_WITH_TIMEOUT(!messagesOfType(negotiatedMessages(f), MessageType::Choke).isEmpty(), 5000);
        const auto answers = [&f] {
            const QList<WireMessage> m = negotiatedMessages(f);
            return messagesOfType(m, MessageType::Piece).size() +
                   messagesOfType(m, MessageType::Reject).size();
        };
        QTRY_COMPARE_WITH_TIMEOUT(answers(), asked.size(), 5000);
        QTest::qWait(100);
        const QList<WireMessage> m = negotiatedMessages(f);
        const QList<WireMessage> pieces = messagesOfType(m, MessageType::Piece);
        const QList<WireMessage> rejects = messagesOfType(m, MessageType::Reject);
        QVERIFY2(!rejects.isEmpty(), "no request was rejected");
        QCOMPARE(pieces.size() + rejects.size(), asked.size());
        QSet<int> answered;
        for (const WireMessage& w : pieces + rejects)
            answered.insert(int(w.index));
        QCOMPARE(answered.size(), asked.size());
        QCOMPARE(f.requestsInOfOnlyConnection(), 0);
    }

    // A leecher whose seeder rejects the first request for every block asks again and completes: each
    // block is counted once, nothing wasted.
    void fastExtension_rejectedBlocksAreRequestedAgain() {
        QTemporaryDir tmp;
        const TorrentFixture torrent = makeTorrent(tmp.filePath(QStringLiteral("seed")),
                                                   QStringLiteral("r.bin"), 6 * 32 * 1024 + 1000, 32 * 1024);
        QVERIFY(torrent.ok);
        FakePeer seeder(torrent.metainfo.infoHash);
        const quint16 port = seeder.listen();
        QVERIFY(port != 0);
        seeder.serveAsSeeder(torrent.metainfo, 0, testsupport::readAll(torrent.path));
        seeder.setRejectFirstRequests(true);
        auto leecher = makeClient();
        AddTorrentParams params;
        params.metainfo = torrent.metainfo;
        params.downloadDir = tmp.filePath(QStringLiteral("dl"));
        params.peers.append({QHostAddress(QHostAddress::LocalHost), port});
        TorrentSession* download = leecher->addTorrent(params);
        QVERIFY(download);
        QTRY_VERIFY_WITH_TIMEOUT(download->isComplete(), 10'000);
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/r.bin"))),
                 testsupport::readAll(torrent.path));
        const int blocks = 6 * 2 + 1;
        QCOMPARE(seeder.requestsRejected(), blocks);
        QCOMPARE(seeder.requestsServed(), blocks);
        const TorrentSnapshot snap = download->snapshot(false);
        QCOMPARE(snap.downloaded, torrent.metainfo.totalSize);
        QCOMPARE(snap.wasted, qint64(0));
        QCOMPARE(snap.hashFailures, 0);
    }

    void malformedFastMessages_disconnect_data() {
        QTest::addColumn<QByteArray>("frames");
        QTest::addColumn<QString>("reason");
        QTest::newRow("have all with a payload")
            << rawFrame(14, "x")
            << QStringLiteral("wrong payload length for the message type (have all of length 2, expected 1)");
        QTest::newRow("have none with a payload")
            << rawFrame(15, "xyzw")
            << QStringLiteral(
                   "wrong payload length for the message type (have none of length 5, expected 1)");
        QTest::newRow("short suggest")
            << rawFrame(13, QByteArray(2, '\0'))
            << QStringLiteral(
                   "wrong payload length for the message type (suggest piece of length 3, expected 5)");
        QTest::newRow("suggest out of range")
            << wire::encodeIndexed(MessageType::Suggest, 10)
            << QStringLiteral("piece index out of range (index 10 of 10 pieces)");
        QTest::newRow("allowed fast out of range")
            << wire::encodeIndexed(MessageType::AllowedFast, 0xffffffffu)
            << QStringLiteral("piece index out of range (index 4294967295 of 10 pieces)");
        QTest::newRow("reject past the piece")
            << wire::encodeReject(3, 8192, 16384) << QStringLiteral("block runs past the end of the piece");
        QTest::newRow("reject of 0 bytes")
            << wire::encodeReject(3, 0, 0) << QStringLiteral("block of zero bytes");
        QTest::newRow("long reject")
            << rawFrame(16, QByteArray(16, '\0'))
            << QStringLiteral(
                   "wrong payload length for the message type (reject request of length 17, expected 13)");
    }
    void malformedFastMessages_disconnect() {
        QFETCH(QByteArray, frames);
        QFETCH(QString, reason);
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(fastHandshake(f));
        f.peer->send(frames);
        QVERIFY(f.peer->waitForDisconnect(5000));
        QTRY_COMPARE_WITH_TIMEOUT(f.log->count(PeerEventKind::Disconnected), 1, 5000);
        QVERIFY2(f.disconnectReason().startsWith(reason), qPrintable(f.disconnectReason()));
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createExtensionPeerTests() {
    return std::make_unique<ExtensionPeerTests>();
}

#include "tst_extensionpeers.moc"
