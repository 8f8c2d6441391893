// libFuzzer target for the peer wire codec: decodeHandshake and the MessageFramer (with
// validateMessage when a torrent geometry is set).
//
// Input layout (so seeds can be written by hand; see corpus/make-seeds.py):
//   byte 0      flags: bit 0 set a TorrentGeometry, bit 1 use the 16-bit max message length below
//   bytes 1-4   piece length (big-endian), bytes 5-12 total size, bytes 13-14 max message length
//   bytes 15-18 four chunk sizes, used in turn to cut the stream (0 means "all the rest")
//   bytes 19-   the stream: a handshake and messages, or messages only
//
// Invariants beyond "no crash":
// - the framer gives the same messages, the same error at the same byte, whatever the chunking;
// - it never stalls (a call that returns no message and no error consumed all it was given) and never holds
//   more than one message;
// - each message re-encodes to exactly the bytes it came from, and passes validateMessage when a geometry is
//   set; after an error the framer stays failed until reset();
// - decodeHandshake is monotone over prefixes: Invalid stays Invalid, NeedMoreData only before 68 bytes,
//   the info-hash appears at 48 bytes, and a complete handshake re-encodes to its 68 bytes.

#include "FuzzCheck.h"

#include "wire/Bitfield.h"
#include "wire/Handshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"
#include "wire/MessageValidator.h"

#include <QList>

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

struct Framed {
    QList<WireMessage> messages;
    QList<qsizetype> ends; // stream offset just after each message
    bool failed = false;
    qsizetype errorAt = -1; // stream offset where the framer stopped on its error
    WireError error = WireError::None;
    QString errorString;
    bool atBoundary = true;
};

QString messageName(const WireMessage& m) {
    return QStringLiteral("type %1 id %2 index %3 begin %4 length %5 payload %6 bytes")
        .arg(int(m.type))
        .arg(m.id)
        .arg(m.index)
        .arg(m.begin)
        .arg(m.length)
        .arg(m.payload.size());
}

Framed frame(const QByteArray& stream, const std::optional<TorrentGeometry>& geometry,
             std::optional<quint32> maxLength, const QList<qsizetype>& chunks) {
    MessageFramer framer = maxLength ? MessageFramer(*maxLength) : MessageFramer();
    if (geometry)
        framer.setGeometry(*geometry);
    const qsizetype bufferLimit = 4 + 1 + 12 + qsizetype(framer.maxMessageLength());
    Framed out;
    qsizetype pos = 0;
    int chunkIndex = 0;
    while (pos < stream.size() && !out.failed) {
        qsizetype chunk = chunks.isEmpty() ? 0 : chunks[chunkIndex++ % chunks.size()];
        if (chunk <= 0 || chunk > stream.size() - pos)
            chunk = stream.size() - pos;
        QByteArrayView view(stream.constData() + pos, chunk);
        while (!view.isEmpty()) {
            const MessageFramer::Step step = framer.feed(view);
            FUZZ_CHECK(step.consumed >= 0 && step.consumed <= view.size(),
                       QStringLiteral("consumed %1 of %2").arg(step.consumed).arg(view.size()));
            FUZZ_CHECK(
                framer.bufferedBytes() <= bufferLimit,
                QStringLiteral("holds %1 bytes, limit %2").arg(framer.bufferedBytes()).arg(bufferLimit));
            pos += step.consumed;
            view = view.sliced(step.consumed);
            if (step.isError()) {
                FUZZ_CHECK(framer.hasFailed() && !framer.errorString().isEmpty(), QString());
                out.failed = true;
                out.errorAt = pos;
                out.error = framer.error();
                out.errorString = framer.errorString();
                break;
            }
            FUZZ_CHECK(!framer.hasFailed(), framer.errorString());
            if (step.hasMessage()) {
                FUZZ_CHECK(step.consumed > 0, QStringLiteral("a message out of no bytes"));
                out.messages.append(step.message);
                out.ends.append(pos);
            } else {
                // NeedMoreData: everything given was taken, or the caller's loop would spin forever.
                FUZZ_CHECK(view.isEmpty(), QStringLiteral("stalled with %1 bytes left").arg(view.size()));
            }
        }
    }
    out.atBoundary = framer.isAtMessageBoundary();
    if (out.failed) {
        // Failed for good: more bytes change nothing, until reset().
        FUZZ_CHECK(framer.feed(QByteArrayView("\0\0\0\0", 4)).isError(), QString());
        framer.reset();
        FUZZ_CHECK(!framer.hasFailed() && framer.isAtMessageBoundary() && framer.bufferedBytes() == 0,
                   QString());
        FUZZ_CHECK(framer.feed(QByteArrayView("\0\0\0\0", 4)).hasMessage(), QString());
    }
    return out;
}

void checkHandshakePrefixes(const QByteArray& stream) {
    bool invalid = false;
    const qsizetype last = qMin<qsizetype>(stream.size(), Handshake::kLength);
    for (qsizetype n = 0; n <= last; ++n) {
        const HandshakeDecodeResult r = decodeHandshake(QByteArrayView(stream.constData(), n));
        if (invalid) {
            FUZZ_CHECK(r.isInvalid(), QStringLiteral("prefix %1 valid again after an invalid one").arg(n));
            continue;
        }
        if (r.isInvalid()) {
            FUZZ_CHECK(r.error != WireError::None && !r.errorString().isEmpty() && r.consumed == 0,
                       QString());
            invalid = true;
            continue;
        }
        FUZZ_CHECK(r.isComplete() == (n == Handshake::kLength), QStringLiteral("prefix %1").arg(n));
        FUZZ_CHECK(r.hasInfoHash() == (n >= Handshake::kInfoHashEnd), QStringLiteral("prefix %1").arg(n));
        if (r.hasInfoHash())
            FUZZ_CHECK(r.handshake.infoHash == stream.mid(28, 20), QString());
        if (r.isComplete()) {
            FUZZ_CHECK(r.consumed == Handshake::kLength, QString());
            FUZZ_CHECK(encodeHandshake(r.handshake) == stream.left(Handshake::kLength), QString());
        } else {
            FUZZ_CHECK(r.consumed == 0, QString());
        }
    }
    // Longer input changes nothing: the handshake is exactly the first 68 bytes.
    if (stream.size() > Handshake::kLength) {
        const HandshakeDecodeResult whole = decodeHandshake(stream);
        const HandshakeDecodeResult exact = decodeHandshake(stream.left(Handshake::kLength));
        FUZZ_CHECK(whole.status == exact.status && whole.handshake == exact.handshake, QString());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::FrontReader in(fuzz::inputBytes(data, size));
    const quint8 flags = in.u8();
    const quint32 pieceLengthBits = in.u32();
    const quint64 totalBits = quint64(in.u32()) << 32 | in.u32();
    const quint16 maxLengthBits = in.u16();
    QList<qsizetype> chunks;
    for (int i = 0; i < 4; ++i)
        chunks.append(in.u8());
    const QByteArray stream = in.rest();

    std::optional<TorrentGeometry> geometry;
    if (flags & 1) {
        // Real torrents: pieces up to 512 MiB, at most a few million of them (Metainfo's limits).
        const qint64 pieceLength = 1 + qint64(pieceLengthBits % (512u * 1024 * 1024));
        const quint64 maxTotal = quint64(pieceLength) * 4'000'000;
        const qint64 totalSize = qint64(1 + totalBits % maxTotal);
        const TorrentGeometry g = TorrentGeometry::fromSizes(totalSize, pieceLength);
        FUZZ_CHECK(g.isValid() && g.pieceCount == (totalSize - 1) / pieceLength + 1, QString());
        FUZZ_CHECK(g.pieceSize(g.pieceCount - 1) > 0 && g.pieceSize(g.pieceCount - 1) <= pieceLength,
                   QString());
        geometry = g;
    }
    std::optional<quint32> maxLength;
    if (flags & 2)
        maxLength = maxLengthBits;

    checkHandshakePrefixes(stream);
    const HandshakeDecodeResult handshake = decodeHandshake(stream);
    // As a connection does it: the messages start after a complete handshake.
    const QByteArray messages = handshake.isComplete() ? stream.sliced(Handshake::kLength) : stream;

    const Framed whole = frame(messages, geometry, maxLength, {});
    const Framed chunked = frame(messages, geometry, maxLength, chunks);
    FUZZ_CHECK(whole.messages == chunked.messages && whole.ends == chunked.ends,
               QStringLiteral("%1 messages whole, %2 chunked")
                   .arg(whole.messages.size())
                   .arg(chunked.messages.size()));
    FUZZ_CHECK(whole.failed == chunked.failed && whole.errorAt == chunked.errorAt &&
                   whole.error == chunked.error && whole.errorString == chunked.errorString,
               QStringLiteral("whole: '%1' at %2; chunked: '%3' at %4")
                   .arg(whole.errorString)
                   .arg(whole.errorAt)
                   .arg(chunked.errorString)
                   .arg(chunked.errorAt));
    FUZZ_CHECK(whole.atBoundary == chunked.atBoundary, QString());

    qsizetype start = 0;
    for (qsizetype i = 0; i < whole.messages.size(); ++i) {
        const WireMessage& m = whole.messages[i];
        FUZZ_CHECK(wire::encodeMessage(m) == messages.mid(start, whole.ends[i] - start), messageName(m));
        start = whole.ends[i];
        FUZZ_CHECK(validateBlockLength(m).ok(), messageName(m));
        if (geometry) {
            const MessageCheck check = validateMessage(m, *geometry);
            FUZZ_CHECK(check.ok(), check.errorString() + QStringLiteral(": ") + messageName(m));
            if (m.type == MessageType::Bitfield) {
                FUZZ_CHECK(Bitfield::checkWire(m.payload, geometry->pieceCount) == WireError::None,
                           messageName(m));
                const std::optional<Bitfield> bits = Bitfield::fromWire(m.payload, geometry->pieceCount);
                FUZZ_CHECK(bits && bits->size() == geometry->pieceCount && bits->toWire() == m.payload,
                           messageName(m));
            }
        }
    }
    return 0;
}
