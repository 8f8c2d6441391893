// libFuzzer target for the MSE/PE responder (mse::Handshake): what a hostile initiator can send us.
//
// Input layout:
//   byte 0      mode: bit 0 clear, the rest of the input is the whole stream from the peer; bit 0 set, a real
//               initiator's bytes (keys from byte 1) come first, with the byte at offset (bytes 2-3) xored
//               with byte 4, then the rest of the input
//   byte 5      chunk size to cut the stream with (0: all at once); bit 7 of byte 0 picks policy require
//   bytes 6-    the stream (or, in mode 1, what follows the initiator's bytes)
//
// Invariants beyond "no crash": the outcome (done, failed and its error, selected method, initial payload)
// does not depend on the chunking; a done handshake selected a method the initiator offered, names the one
// torrent we know, and its initial payload is at most 65535 bytes; it never holds more than the sync window
// plus the largest pads and payload.

#include "FuzzCheck.h"

#include "wire/Mse.h"

#include <QRandomGenerator>

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

const QByteArray kInfoHash(20, '\x7e');

std::function<QByteArray(int)> randomFrom(quint32 seed) {
    auto rng = std::make_shared<QRandomGenerator>(seed);
    return [rng](int size) {
        QByteArray b(size, '\0');
        for (char& c : b)
            c = char(rng->generate());
        return b;
    };
}

struct Outcome {
    bool done = false;
    bool failed = false;
    QString error;
    quint32 selected = 0;
    QByteArray ia;
    QByteArray remainder;
    bool operator==(const Outcome&) const = default;
};

Outcome respond(const QByteArray& stream, qsizetype chunk, mse::Policy policy) {
    mse::Handshake::Options o;
    o.role = mse::Handshake::Role::Responder;
    o.policy = policy;
    o.random = randomFrom(7);
    o.infoHashes = [] { return QList<QByteArray>{kInfoHash}; };
    mse::Handshake h(o);
    QByteArrayView view(stream);
    if (chunk <= 0)
        chunk = view.size() + 1;
    while (!view.isEmpty() && !h.hasFailed()) {
        const qsizetype n = qMin(chunk, view.size());
        h.feed(view.first(n));
        view = view.sliced(n);
        const QByteArray out = h.takeOutput();
        FUZZ_CHECK(out.size() <= mse::kKeyBytes + mse::kMaxPad + 8 + 6 + mse::kMaxPad,
                   QStringLiteral("%1 bytes out at once").arg(out.size()));
    }
    Outcome r;
    r.done = h.isDone();
    r.failed = h.hasFailed();
    r.error = h.errorString();
    if (r.done) {
        r.selected = h.selected();
        r.ia = h.takeInitialPayload();
        r.remainder = h.takeRemainder();
        FUZZ_CHECK(h.infoHash() == kInfoHash, QString());
        FUZZ_CHECK(r.selected == mse::kCryptoRc4 ||
                       (r.selected == mse::kCryptoPlaintext && policy != mse::Policy::Require),
                   QStringLiteral("selected 0x%1").arg(r.selected, 0, 16));
        FUZZ_CHECK(r.ia.size() <= 0xffff, QString());
    }
    FUZZ_CHECK(!(r.done && r.failed), QString());
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 6)
        return 0;
    const QByteArray input = fuzz::inputBytes(data, size);
    const uchar mode = uchar(input[0]);
    const mse::Policy policy = (mode & 0x80) ? mse::Policy::Require : mse::Policy::Prefer;
    const qsizetype chunk = uchar(input[5]);
    QByteArray stream = input.sliced(6);
    if (mode & 1) {
        // A real initiator's first bytes: it needs our Yb, so run it against a responder of the same seed.
        mse::Handshake::Options oi;
        oi.role = mse::Handshake::Role::Initiator;
        oi.policy = (mode & 2) ? mse::Policy::Require : mse::Policy::Prefer;
        oi.random = randomFrom(uchar(input[1]));
        oi.infoHash = kInfoHash;
        oi.initialPayload = [&] { return stream.left(64); };
        mse::Handshake initiator(oi);
        mse::Handshake::Options orr;
        orr.role = mse::Handshake::Role::Responder;
        orr.policy = policy;
        orr.random = randomFrom(7);
        orr.infoHashes = [] { return QList<QByteArray>{kInfoHash}; };
        mse::Handshake probe(orr);
        QByteArray sent = initiator.takeOutput();
        probe.feed(sent);
        initiator.feed(probe.takeOutput());
        sent += initiator.takeOutput();
        const qsizetype at = (uchar(input[2]) << 8 | uchar(input[3]));
        if (at < sent.size())
            sent[at] = char(sent[at] ^ input[4]);
        stream = sent + stream;
    }
    const Outcome whole = respond(stream, 0, policy);
    const Outcome cut = respond(stream, chunk, policy);
    FUZZ_CHECK(whole == cut,
               QStringLiteral("chunked by %1: %2 vs %3").arg(chunk).arg(whole.error, cut.error));
    const Outcome bytes = respond(stream, 1, policy);
    FUZZ_CHECK(whole == bytes, QStringLiteral("byte by byte: %1 vs %2").arg(whole.error, bytes.error));
    return 0;
}
