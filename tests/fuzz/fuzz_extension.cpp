// libFuzzer target for the extension layer: the MessageFramer with BEP 10 and BEP 6 negotiated,
// decodeExtensionHandshake on every extended handshake it frames, decodeMetadataMessage (BEP 9) on every
// other extended message, and both on the whole input as one payload.
//
// Beyond "no crash":
// - a refused payload says why; an accepted one has ids in 0..255, a port in 0..65535, no negative sizes;
// - an accepted dictionary written back out with encodeExtensionHandshake decodes to the same extensions,
//   port, reqq and metadata_size (the client name is truncated text, so it is only required to survive a
//   second round unchanged);
// - an accepted ut_metadata message has a piece in range and, for data, 1..16 KiB of bytes and a positive
//   total_size; encoded again, it decodes to itself;
// - every message (extended and fast ones included) re-encodes to the bytes it came from.

#include "FuzzCheck.h"

#include "wire/ExtensionHandshake.h"
#include "wire/MessageEncoder.h"
#include "wire/MessageFramer.h"
#include "wire/MetadataMessage.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

void checkHandshakePayload(const QByteArray& payload) {
    QString error;
    const std::optional<ExtensionHandshake> h = wire::decodeExtensionHandshake(payload, &error);
    if (!h) {
        FUZZ_CHECK(!error.isEmpty(), QString::fromLatin1(payload.toHex()));
        return;
    }
    for (const auto& [name, id] : h->extensions)
        FUZZ_CHECK(id >= 0 && id <= 255, QString::fromLatin1(name.toHex()));
    FUZZ_CHECK(h->listenPort >= -1 && h->listenPort <= 65535, QString::number(h->listenPort));
    FUZZ_CHECK(h->metadataSize >= -1, QString::number(h->metadataSize));
    const QByteArray encoded = wire::encodeExtensionHandshake(*h);
    QString againError;
    const std::optional<ExtensionHandshake> again = wire::decodeExtensionHandshake(encoded, &againError);
    FUZZ_CHECK(again.has_value(), againError);
    // Fields left out as "unknown" (0 or -1) come back as -1.
    const auto known = [](qint64 v) { return v > 0 ? v : -1; };
    FUZZ_CHECK(again->extensions == h->extensions, QString::fromLatin1(encoded));
    FUZZ_CHECK(again->listenPort == known(h->listenPort), QString::fromLatin1(encoded));
    FUZZ_CHECK(again->requestQueue == known(h->requestQueue), QString::fromLatin1(encoded));
    FUZZ_CHECK(again->metadataSize == known(h->metadataSize), QString::fromLatin1(encoded));
    const std::optional<ExtensionHandshake> third =
        wire::decodeExtensionHandshake(wire::encodeExtensionHandshake(*again), nullptr);
    FUZZ_CHECK(third.has_value() && third->client == again->client, again->client);
}

void checkMetadataPayload(const QByteArray& payload) {
    QString error;
    const std::optional<MetadataMessage> m = wire::decodeMetadataMessage(payload, &error);
    if (!m) {
        FUZZ_CHECK(!error.isEmpty(), QString::fromLatin1(payload.toHex()));
        return;
    }
    FUZZ_CHECK(m->piece >= 0 && m->piece < wire::metadataPieceCount(wire::kMaxMetadataSize),
               QString::number(m->piece));
    if (m->type == MetadataMessage::Type::Data)
        FUZZ_CHECK(m->totalSize > 0 && !m->data.isEmpty() && m->data.size() <= wire::kMetadataPieceSize,
                   QString::number(m->data.size()));
    const std::optional<MetadataMessage> again =
        wire::decodeMetadataMessage(wire::encodeMetadataMessage(*m), nullptr);
    FUZZ_CHECK(again && *again == *m, QString::fromLatin1(payload.toHex()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);
    checkHandshakePayload(input);
    checkMetadataPayload(input);

    MessageFramer framer;
    framer.setExtensionProtocol(true);
    framer.setFastExtension(true);
    QByteArrayView view(input);
    while (!view.isEmpty()) {
        MessageFramer::Step step = framer.feed(view);
        FUZZ_CHECK(step.consumed > 0 || step.isError(), QStringLiteral("framer stalled"));
        // The whole rest is fed each time, so a message is exactly the bytes consumed for it.
        const QByteArrayView consumed = view.first(step.consumed);
        view = view.sliced(step.consumed);
        if (step.isError() || !step.hasMessage())
            break;
        FUZZ_CHECK(wire::encodeMessage(step.message) == consumed,
                   QStringLiteral("re-encoding of type %1").arg(int(step.message.type)));
        if (step.message.type != MessageType::Extended)
            continue;
        FUZZ_CHECK(step.message.payload.size() + 2 <= qsizetype(wire::kMaxExtendedMessageLength),
                   QString::number(step.message.payload.size()));
        if (step.message.extendedId == 0)
            checkHandshakePayload(step.message.payload);
        else
            checkMetadataPayload(step.message.payload);
    }
    return 0;
}
