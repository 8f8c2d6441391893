// libFuzzer target for the connection state machine (PeerConnection inside a real Client), driven over a
// real loopback TCP connection inside the fuzzer process.
//
// PeerConnection needs a Client, a TorrentSession and a socket, so the target builds them once: one client
// seeding a small torrent and one client downloading it, both listening on 127.0.0.1. Each input opens a
// fresh connection to one of them, sends a valid handshake, then plays a small script taken from the input:
//
//   byte 0   flags: bit 0 talk to the leecher (else the seeder), bit 1 the next 8 bytes are the reserved
//   bytes then     operations, each an opcode byte (low 3 bits) and its operands:
//            0 n        send the next n + 1 raw bytes (1..256)
//            1 hi lo    send the next (hi << 8 | lo) raw bytes, for whole pieces
//            2          wait until the client sends something (at most 5 ms), then until it goes quiet
//            3 mode     answer every request the client sent us and we have not answered: mode 0 with the
//                       right block, 1 with a corrupt one, 2 one byte short, 3 at the wrong offset, else drop
//            4          send a full bitfield;  5 send unchoke;  6 send interested
//            7 i b l    send a request for piece i % pieceCount, block b % blocks, length l == 0 ? 16 KiB : l
//
// After the script the fuzzer hangs up and waits for the client to drop the connection. Checked beyond "no
// crash, no sanitizer report":
// - the client closes the connection once the peer hung up (no connection outlives its socket);
// - everything the client sends is a valid handshake followed by well-formed, in-range messages, and every
//   block the seeder serves holds the torrent's real bytes.
//
// The clients keep state across inputs (the picker's availability, the choker, finished pieces), which makes
// runs not exactly repeatable; the leecher is rebuilt whenever it has verified a piece, so it stays a
// leecher. A crash's input still reproduces the crash in nearly every case.

#include "FuzzCheck.h"

#include "bencode/Bencode.h"
#include "metainfo/Metainfo.h"
#include "peer/Client.h"
#include "peer/TorrentSession.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

using namespace swarmscope;

namespace {

constexpr qint64 kPieceLength = 32 * 1024;
constexpr qint64 kTotalSize = 3 * kPieceLength + 5000; // 4 pieces, the last one short
constexpr qint64 kBlock = 16 * 1024;

struct World {
    std::unique_ptr<QCoreApplication> app;
    std::unique_ptr<QTemporaryDir> dir;
    QByteArray content;
    Metainfo metainfo;
    TorrentGeometry geometry;
    std::unique_ptr<Client> seeder;
    std::unique_ptr<Client> leecher;
    int leecherGeneration = 0;
    quint64 connections = 0;
};

World* world = nullptr;

bool pumpUntil(const std::function<bool()>& done, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() >= timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    }
    return true;
}

[[noreturn]] void setupFailed(const char* what) {
    std::fprintf(stderr, "fuzz_peer_connection: set-up failed: %s\n", what);
    std::exit(1);
}

Metainfo makeMetainfo(const QByteArray& content) {
    QByteArray pieces;
    for (qint64 at = 0; at < content.size(); at += kPieceLength)
        pieces += QCryptographicHash::hash(content.mid(at, kPieceLength), QCryptographicHash::Sha1);
    BencodeValue info = BencodeValue::dictionary();
    info.insert("length", qint64(content.size()));
    info.insert("name", QByteArray("data.bin"));
    info.insert("piece length", kPieceLength);
    info.insert("pieces", pieces);
    BencodeValue root = BencodeValue::dictionary();
    root.insert("info", info);
    const MetainfoParseResult parsed = parseMetainfo(bencodeEncode(root));
    if (!parsed.ok())
        setupFailed("the torrent does not parse");
    return *parsed.metainfo;
}

std::unique_ptr<Client> makeClient(TorrentRole role, const QString& downloadDir, TorrentState ready) {
    ClientConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.seed = 1;
    auto client = std::make_unique<Client>(config);
    if (!client->listen())
        setupFailed("a client cannot listen on 127.0.0.1");
    AddTorrentParams params;
    params.metainfo = world->metainfo;
    params.role = role;
    params.downloadDir = downloadDir;
    QString error;
    TorrentSession* session = client->addTorrent(params, &error);
    if (!session)
        setupFailed(qPrintable(error));
    if (!pumpUntil([&] { return session->state() == ready; }, 10'000))
        setupFailed("a torrent did not start");
    return client;
}

void rebuildLeecher() {
    if (world->leecher) {
        Client* old = world->leecher.get();
        old->stop();
        pumpUntil([old] { return old->isStopped(); }, 5'000);
        world->leecher.reset();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    const QString dir = world->dir->filePath(QStringLiteral("leech%1").arg(++world->leecherGeneration));
    QDir().mkpath(dir);
    world->leecher = makeClient(TorrentRole::Leecher, dir, TorrentState::Downloading);
}

// One fuzzed connection: our socket, what the client sent, and its requests we have not answered.
class Session {
public:
    Session(Client* client, bool leecher) : m_client(client), m_leecher(leecher) {
        m_framer.setGeometry(world->geometry);
    }

    bool connect(const QByteArray& reserved) {
        m_waited.start();
        m_socket.connectToHost(QHostAddress::LocalHost, m_client->listenPort());
        if (!pumpUntil([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5'000))
            return false;
        Handshake handshake;
        handshake.reserved = reserved;
        handshake.infoHash = world->metainfo.infoHash;
        // A new peer id every time: a peer id the leecher banned for bad data stays banned.
        handshake.peerId = "-FZ0001-" + QByteArray::number(++world->connections).rightJustified(12, '0');
        m_socket.write(encodeHandshake(handshake));
        return true;
    }

    void send(const QByteArray& bytes) {
        if (m_socket.state() == QAbstractSocket::ConnectedState)
            m_socket.write(bytes);
    }

    // Waits for the client's answer to what was sent: until its first byte (at most 5 ms), then until it goes
    // quiet for 1 ms. No wait goes past 50 ms after the connection opened, so that an input made mostly of
    // wait opcodes (one byte in eight, for random bytes) still runs in milliseconds.
    void waitForReply() {
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        const auto budget = [this](int ms) {
            return int(qMax<qint64>(0, qMin<qint64>(ms, 50 - m_waited.elapsed())));
        };
        const qsizetype before = m_received;
        if (!pumpUntil([&] { return read() > before; }, budget(5)))
            return;
        for (;;) {
            const qsizetype seen = m_received;
            if (!pumpUntil([&] { return read() > seen; }, budget(1)))
                return;
        }
    }

    void answerRequests(quint8 mode) {
        read();
        while (!m_requests.empty()) {
            const WireMessage r = m_requests.front();
            m_requests.pop_front();
            if (mode > 3)
                continue;
            const qint64 at = qint64(r.index) * kPieceLength + r.begin;
            QByteArray block = world->content.mid(at, r.length);
            quint32 begin = r.begin;
            if (mode == 1 && !block.isEmpty())
                block[block.size() / 2] = char(block[block.size() / 2] ^ 0x5a);
            else if (mode == 2)
                block.chop(1);
            else if (mode == 3)
                begin += quint32(kBlock);
            if (!block.isEmpty())
                send(wire::encodePiece(r.index, begin, block));
        }
    }

    void hangUp() {
        m_socket.disconnectFromHost();
        const bool closed = pumpUntil(
            [this] {
                read();
                return m_client->connectionCount() == 0 &&
                       m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            5'000);
        FUZZ_CHECK(closed, QStringLiteral("the %1 still has %2 connection(s) 5 s after the peer hung up")
                               .arg(m_leecher ? QStringLiteral("leecher") : QStringLiteral("seeder"))
                               .arg(m_client->connectionCount()));
        m_socket.abort();
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }

private:
    // Reads what the client sent and checks it as it comes; returns the bytes received so far.
    qsizetype read() {
        const QByteArray bytes = m_socket.readAll();
        m_received += bytes.size();
        QByteArrayView view(bytes);
        if (!m_handshakeDone) {
            const qsizetype take = qMin(view.size(), Handshake::kLength - m_handshake.size());
            m_handshake += view.first(take).toByteArray();
            view = view.sliced(take);
            const HandshakeDecodeResult hs = decodeHandshake(m_handshake);
            FUZZ_CHECK(!hs.isInvalid(), QStringLiteral("the client's handshake: ") + hs.errorString());
            if (!hs.isComplete())
                return m_received;
            FUZZ_CHECK(hs.handshake.infoHash == world->metainfo.infoHash &&
                           hs.handshake.peerId == m_client->peerId(),
                       QStringLiteral("the client's handshake names another torrent or peer"));
            m_handshakeDone = true;
        }
        while (!view.isEmpty()) {
            const MessageFramer::Step step = m_framer.feed(view);
            FUZZ_CHECK(!step.isError(),
                       QStringLiteral("the client sent a bad message: ") + m_framer.errorString());
            view = view.sliced(step.consumed);
            if (!step.hasMessage())
                continue;
            const WireMessage& m = step.message;
            if (m.type == MessageType::Request) {
                m_requests.push_back(m);
            } else if (m.type == MessageType::Cancel) {
                std::erase_if(m_requests, [&](const WireMessage& r) {
                    return r.index == m.index && r.begin == m.begin && r.length == m.length;
                });
            } else if (m.type == MessageType::Piece) {
                const qint64 at = qint64(m.index) * kPieceLength + m.begin;
                FUZZ_CHECK(m.payload == world->content.mid(at, m.payload.size()),
                           QStringLiteral("the client served wrong data for piece %1 at %2")
                               .arg(m.index)
                               .arg(m.begin));
            }
        }
        return m_received;
    }

    Client* m_client;
    bool m_leecher;
    QTcpSocket m_socket;
    qsizetype m_received = 0;
    QByteArray m_handshake;
    bool m_handshakeDone = false;
    MessageFramer m_framer;
    std::deque<WireMessage> m_requests;
    QElapsedTimer m_waited; // since the connection opened, for the wait budget
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    // Qt gets its own argument list, so that it cannot take any of libFuzzer's flags.
    static int qtArgc = 1;
    static char* qtArgv[] = {(*argc > 0 ? (*argv)[0] : const_cast<char*>("fuzz_peer_connection")), nullptr};
    world = new World;
    world->app = std::make_unique<QCoreApplication>(qtArgc, qtArgv);
    world->dir =
        std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/fuzz_peer_connection-XXXXXX"));
    if (!world->dir->isValid())
        setupFailed("no temporary directory");

    world->content.resize(kTotalSize);
    quint32 x = 12345;
    for (char& c : world->content) {
        x = x * 1664525u + 1013904223u;
        c = char(x >> 24);
    }
    world->metainfo = makeMetainfo(world->content);
    world->geometry = TorrentGeometry::fromMetainfo(world->metainfo);

    const QString seedDir = world->dir->filePath(QStringLiteral("seed"));
    QDir().mkpath(seedDir);
    QFile file(seedDir + QStringLiteral("/data.bin"));
    if (!file.open(QIODevice::WriteOnly) || file.write(world->content) != kTotalSize)
        setupFailed("cannot write the seeder's data");
    file.close();
    world->seeder = makeClient(TorrentRole::Seeder, seedDir, TorrentState::Seeding);
    rebuildLeecher();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::FrontReader in(fuzz::inputBytes(data, size));
    const quint8 flags = in.u8();
    const bool toLeecher = flags & 1;
    QByteArray reserved(8, '\0');
    if (flags & 2)
        reserved = in.take(8).leftJustified(8, '\0');

    if (toLeecher) {
        TorrentSession* torrent = world->leecher->torrent(world->metainfo.infoHash);
        if (!torrent || torrent->state() != TorrentState::Downloading || torrent->have().count() > 0)
            rebuildLeecher();
    }
    Client* client = toLeecher ? world->leecher.get() : world->seeder.get();

    Session session(client, toLeecher);
    FUZZ_CHECK(session.connect(reserved), QStringLiteral("cannot connect to the client"));
    const int pieceCount = world->geometry.pieceCount;
    while (in.remaining() > 0) {
        const quint8 op = in.u8() & 7;
        switch (op) {
        case 0:
            session.send(in.take(qsizetype(in.u8()) + 1));
            break;
        case 1:
            session.send(in.take(in.u16()));
            break;
        case 2:
            session.waitForReply();
            break;
        case 3:
            session.answerRequests(in.u8());
            break;
        case 4:
            session.send(wire::encodeBitfield(Bitfield(pieceCount, true)));
            break;
        case 5:
            session.send(wire::encodeSimple(MessageType::Unchoke));
            break;
        case 6:
            session.send(wire::encodeSimple(MessageType::Interested));
            break;
        case 7: {
            const quint32 index = in.u8() % quint32(pieceCount);
            const quint32 begin = quint32(in.u8() % (kPieceLength / kBlock)) * quint32(kBlock);
            const quint8 length = in.u8();
            session.send(wire::encodeRequest(index, begin, length == 0 ? quint32(kBlock) : length));
            break;
        }
        }
    }
    session.hangUp();
    return 0;
}
