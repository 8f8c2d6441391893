#include "ExtensionFixture.h"
#include "PeerTests.h"

#include "TestSupport.h"
#include "peer/PeerIdentity.h"
#include "sim/SimulatedLink.h"
#include "transport/TcpNode.h"
#include "wire/AllowedFastSet.h"
#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"
#include "wire/PexMessage.h"

#include <QTest>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

QList<int> allowedFastFor(const Fixture& f) {
    return allowedFastSet(QHostAddress(QHostAddress::LocalHost).toIPv4Address(), f.torrent.metainfo.infoHash,
                          f.torrent.metainfo.pieceCount(), qMin(10, f.torrent.metainfo.pieceCount() / 2));
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
        QCOMPARE(ours->idOf(wire::kUtPex), int(wire::kOurUtPexId));
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

    // BEP 11: the peers a ut_pex message names become candidates, counted as learned through PEX; ourselves
    // is not.
    void pexMessage_addsCandidates() {
        Fixture f;
        QVERIFY(f.setUp());
        QVERIFY(handshakeWith(f, extensionReserved()));
        PexMessage pex;
        pex.added.append({QHostAddress(QStringLiteral("127.0.0.2")), 1, wire::kPexConnectable});
        pex.added.append({QHostAddress(QStringLiteral("127.0.0.3")), 1, wire::kPexSeed});
        pex.added.append({QHostAddress::LocalHost, f.client->listenPort(), 0}); // ourselves
        f.peer->send(wire::encodeExtended(0, "d1:md6:ut_pexi5eee") +
                     wire::encodeExtended(wire::kOurUtPexId, wire::encodePexMessage(pex)));
        QTRY_COMPARE_WITH_TIMEOUT(f.session->snapshot(false).pexReceived, 1, 5000);
        QCOMPARE(f.session->snapshot(false).peersFromPex, 2);
        // The sender stays connected (the dials to the named endpoints fail on their own).
        QVERIFY(!f.peer->isDisconnected());
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
};

} // namespace

std::unique_ptr<QObject> swarmscope::createExtensionPeerTests() {
    return std::make_unique<ExtensionPeerTests>();
}

#include "tst_extensionpeers.moc"
