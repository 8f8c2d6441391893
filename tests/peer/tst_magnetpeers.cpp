#include "ExtensionFixture.h"
#include "PeerTests.h"

#include "TestSupport.h"
#include "metainfo/Metainfo.h"
#include "metainfo/Sha1.h"
#include "peer/MetadataAssembler.h"
#include "peer/MetadataFetcher.h"
#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MetadataMessage.h"

#include <QSignalSpy>
#include <QTest>

using namespace swarmscope;
using namespace swarmscope::peertest;

namespace {

constexpr int kPiece = wire::kMetadataPieceSize;

// The ut_metadata messages a peer received under the id it gave (read as a BEP 10 peer reads them).
QList<MetadataMessage> metadataReceived(const QByteArray& received, const Metainfo& metainfo, int id) {
    QList<MetadataMessage> out;
    for (const WireMessage& m : parseMessages(received, metainfo, true))
        if (m.type == MessageType::Extended && m.extendedId == id)
            if (const std::optional<MetadataMessage> mm = wire::decodeMetadataMessage(m.payload, nullptr))
                out.append(*mm);
    return out;
}

// A scripted peer the fetcher dials: it answers the handshake with the BEP 10 bit and an extended handshake
// naming metadata_size, then answers every metadata request by rejecting it or with wrong bytes of the
// right length.
class ScriptedMetadataPeer : public QObject {
public:
    enum class Mode { Reject, WrongBytes };
    ScriptedMetadataPeer(const QByteArray& infoHash, qint64 size, Mode mode)
        : m_peer(infoHash), m_size(size), m_mode(mode) {
        m_port = m_peer.listen();
    }
    quint16 port() const { return m_port; }
    // Call in the waiting loop: reacts to what arrived so far.
    void react() {
        const QByteArray& in = m_peer.received();
        if (!m_greeted && in.size() >= Handshake::kLength) {
            m_peer.sendHandshake({}, extensionReserved());
            m_peer.send(wire::encodeExtended(0, QByteArray("d1:md11:ut_metadatai3ee13:metadata_sizei" +
                                                           QByteArray::number(m_size) + "ee")));
            m_greeted = true;
        }
        if (!m_greeted)
            return;
        MessageFramer framer;
        framer.setExtensionProtocol(true);
        QByteArrayView view = QByteArrayView(in).sliced(Handshake::kLength);
        int seen = 0;
        while (!view.isEmpty()) {
            MessageFramer::Step step = framer.feed(view);
            view = view.sliced(step.consumed);
            if (step.isError() || !step.hasMessage())
                break;
            if (step.message.type != MessageType::Extended ||
                step.message.extendedId != 3) // the id it advertised; answers go under ours
                continue;
            if (++seen <= m_answered)
                continue;
            const std::optional<MetadataMessage> request =
                wire::decodeMetadataMessage(step.message.payload, nullptr);
            ++m_answered;
            if (!request)
                continue;
            MetadataMessage reply;
            reply.piece = request->piece;
            if (m_mode == Mode::Reject) {
                reply.type = MetadataMessage::Type::Reject;
            } else {
                reply.type = MetadataMessage::Type::Data;
                reply.totalSize = m_size;
                reply.data = QByteArray(qMin<qint64>(kPiece, m_size - qint64(request->piece) * kPiece), 'w');
            }
            m_peer.send(wire::encodeExtended(wire::kOurUtMetadataId, wire::encodeMetadataMessage(reply)));
        }
    }

private:
    FakePeer m_peer;
    qint64 m_size;
    Mode m_mode;
    quint16 m_port = 0;
    bool m_greeted = false;
    int m_answered = 0;
};

MetadataFetcher::Params fetchParams(const QByteArray& infoHash, QList<quint16> ports) {
    MetadataFetcher::Params params;
    params.infoHash = infoHash;
    for (const quint16 port : ports)
        params.peers.append({QHostAddress(QHostAddress::LocalHost), port});
    return params;
}

class MagnetPeerTests : public QObject {
    Q_OBJECT

private slots:
    void assembler_piecesAndBounds() {
        const QByteArray info = QByteArray(2 * kPiece + 100, 'i');
        MetadataAssembler a(sha1(info));
        QString error;
        QVERIFY(!a.setSize(0, &error));
        QVERIFY(!a.setSize(wire::kMaxMetadataSize + 1, &error));
        QCOMPARE(error, QStringLiteral("metadata_size 16777217 is not in 1..16777216"));
        QCOMPARE(a.add(0, info.first(kPiece), &error), MetadataAssembler::Result::Refused); // no size yet
        QVERIFY(a.setSize(info.size(), &error));
        QVERIFY(!a.setSize(info.size() + 1, &error));
        QCOMPARE(a.pieceCount(), 3);
        QCOMPARE(a.add(3, info.first(100), &error), MetadataAssembler::Result::Refused);
        QCOMPARE(a.add(2, info.first(101), &error), MetadataAssembler::Result::Refused);
        QCOMPARE(error, QStringLiteral("metadata piece 2 of 101 bytes, expected 100"));
        QCOMPARE(a.add(1, info.sliced(kPiece, kPiece), &error), MetadataAssembler::Result::Accepted);
        QCOMPARE(a.add(1, info.sliced(kPiece, kPiece), &error), MetadataAssembler::Result::Refused);
        QCOMPARE(a.missing(), (QList<int>{0, 2}));
        QCOMPARE(a.add(2, info.sliced(2 * kPiece), &error), MetadataAssembler::Result::Accepted);
        QCOMPARE(a.add(0, info.first(kPiece), &error), MetadataAssembler::Result::Complete);
        QCOMPARE(a.infoBytes(), info);
    }

    void assembler_hashMismatchStartsOver() {
        const QByteArray info = QByteArray(kPiece + 1, 'i');
        MetadataAssembler a(sha1(info));
        QVERIFY(a.setSize(info.size(), nullptr));
        QCOMPARE(a.add(0, QByteArray(kPiece, 'x'), nullptr), MetadataAssembler::Result::Accepted);
        QCOMPARE(a.add(1, "i", nullptr), MetadataAssembler::Result::HashMismatch);
        QCOMPARE(a.missing(), (QList<int>{0, 1}));
        QCOMPARE(a.add(0, info.first(kPiece), nullptr), MetadataAssembler::Result::Accepted);
        QCOMPARE(a.add(1, "i", nullptr), MetadataAssembler::Result::Complete);
    }

    // Our seeder serves its info dictionary in 16 KiB pieces under the id the peer gave, and rejects a piece
    // it does not have.
    void seeder_servesMetadataPieces() {
        Fixture f;
        QVERIFY(f.setUp(900 * 16 * 1024, 16 * 1024)); // 900 pieces: an info dictionary of two pieces
        const QByteArray info = f.torrent.metainfo.infoBytes;
        QCOMPARE(wire::metadataPieceCount(info.size()), 2);
        f.peer->sendHandshake({}, extensionReserved());
        f.peer->send(wire::encodeExtended(0, "d1:md11:ut_metadatai3eee"));
        QByteArray requests;
        for (const int piece : {1, 0, 2}) {
            MetadataMessage r;
            r.piece = piece;
            requests += wire::encodeExtended(wire::kOurUtMetadataId, wire::encodeMetadataMessage(r));
        }
        f.peer->send(requests);
        QTRY_COMPARE_WITH_TIMEOUT(metadataReceived(f.peer->received(), f.torrent.metainfo, 3).size(), 3,
                                  5000);
        const QList<MetadataMessage> got = metadataReceived(f.peer->received(), f.torrent.metainfo, 3);
        QCOMPARE(got[0].type, MetadataMessage::Type::Data);
        QCOMPARE(got[0].piece, 1);
        QCOMPARE(got[0].totalSize, info.size());
        QCOMPARE(got[1].data + got[0].data, info);
        QCOMPARE(got[2].type, MetadataMessage::Type::Reject);
        QCOMPARE(got[2].piece, 2);
    }

    // The lab end to end: our seeder serves the metadata of its torrent to our magnet fetcher, which then
    // downloads the data as a normal torrent.
    void magnet_fetchThenDownloadFromOurSeeder() {
        QTemporaryDir tmp;
        const TorrentFixture torrent = makeTorrent(tmp.filePath(QStringLiteral("seed")),
                                                   QStringLiteral("m.bin"), 900 * 16 * 1024 + 7, 16 * 1024);
        QVERIFY(torrent.ok);
        auto seeder = makeClient();
        QVERIFY(addSeeder(seeder.get(), torrent, tmp.filePath(QStringLiteral("seed"))));
        auto leecher = makeClient();
        MetadataFetcher fetcher(leecher.get(),
                                fetchParams(torrent.metainfo.infoHash, {seeder->listenPort()}));
        QSignalSpy fetched(&fetcher, &MetadataFetcher::fetched);
        fetcher.start();
        QVERIFY(fetched.wait(5000));
        QCOMPARE(fetcher.infoBytes(), torrent.metainfo.infoBytes);
        QSignalSpy stopped(&fetcher, &MetadataFetcher::stopped);
        fetcher.stop();
        QVERIFY(stopped.wait(3000));

        MetainfoParseResult parsed = parseMetainfo("d4:info" + fetcher.infoBytes() + "e");
        QVERIFY2(parsed.ok(), qPrintable(parsed.message));
        QCOMPARE(parsed.metainfo->infoHash, torrent.metainfo.infoHash);
        AddTorrentParams params;
        params.metainfo = *parsed.metainfo;
        params.downloadDir = tmp.filePath(QStringLiteral("dl"));
        params.peers = fetcher.knownPeers();
        TorrentSession* download = leecher->addTorrent(params);
        QVERIFY(download);
        QTRY_VERIFY_WITH_TIMEOUT(download->isComplete(), 20'000);
        QCOMPARE(testsupport::readAll(tmp.filePath(QStringLiteral("dl/m.bin"))),
                 testsupport::readAll(torrent.path));
        QVERIFY(stopClient(leecher.get()));
        QVERIFY(stopClient(seeder.get()));
    }

    // A peer that rejects every metadata request, or sends bytes that do not hash to the info-hash, is
    // dropped with its reason; the fetch then succeeds from another peer.
    void magnet_rejectOrMismatch_triesAnotherPeer_data() {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QString>("note");
        QTest::newRow("reject") << int(ScriptedMetadataPeer::Mode::Reject)
                                << QStringLiteral("dropped: rejected metadata piece");
        QTest::newRow("hash mismatch")
            << int(ScriptedMetadataPeer::Mode::WrongBytes)
            << QStringLiteral("dropped: the metadata does not match the info-hash");
    }
    void magnet_rejectOrMismatch_triesAnotherPeer() {
        QFETCH(int, mode);
        QFETCH(QString, note);
        QTemporaryDir tmp;
        const TorrentFixture torrent = makeTorrent(tmp.filePath(QStringLiteral("seed")),
                                                   QStringLiteral("m.bin"), 900 * 16 * 1024, 16 * 1024);
        QVERIFY(torrent.ok);
        ScriptedMetadataPeer liar(torrent.metainfo.infoHash, torrent.metainfo.infoBytes.size(),
                                  ScriptedMetadataPeer::Mode(mode));
        QVERIFY(liar.port() != 0);
        auto leecher = makeClient();
        MetadataFetcher fetcher(leecher.get(), fetchParams(torrent.metainfo.infoHash, {liar.port()}));
        QStringList notes;
        connect(&fetcher, &MetadataFetcher::peerNote, this,
                [&notes](const QString& line) { notes.append(line); });
        QSignalSpy fetched(&fetcher, &MetadataFetcher::fetched);
        fetcher.start();
        QDeadlineTimer deadline(5000);
        while (!notes.join(u'\n').contains(note) && !deadline.hasExpired()) {
            liar.react();
            QTest::qWait(5);
        }
        QVERIFY2(notes.join(u'\n').contains(note), qPrintable(notes.join(u'\n')));
        QCOMPARE(fetched.size(), 0);

        auto seeder = makeClient();
        QVERIFY(addSeeder(seeder.get(), torrent, tmp.filePath(QStringLiteral("seed"))));
        fetcher.addPeer(QHostAddress(QHostAddress::LocalHost), seeder->listenPort());
        QVERIFY(fetched.wait(5000));
        QCOMPARE(fetcher.infoBytes(), torrent.metainfo.infoBytes);
        QVERIFY(stopClient(seeder.get()));
    }
};

} // namespace

std::unique_ptr<QObject> swarmscope::createMagnetPeerTests() {
    return std::make_unique<MagnetPeerTests>();
}

#include "tst_magnetpeers.moc"
