// libFuzzer target for the strict bencode decoder and the canonical encoder.
//
// Invariants checked beyond "no crash, no sanitizer report":
// - the decoder is strict, so whatever it accepts is canonical: encoding the value gives back the input byte
//   for byte, and decoding that gives an equal value;
// - every decoded value's raw span lies inside the input and holds exactly that value's encoding (the info
//   hash is computed over such a span);
// - bencodeDecodePrefix agrees with bencodeDecode, and tighter limits never accept what the defaults reject.

#include "FuzzCheck.h"

#include "bencode/Bencode.h"

#include <cstddef>
#include <cstdint>

using namespace swarmscope;

namespace {

void checkSpans(const BencodeValue& value, const QByteArray& input, int depth) {
    const qsizetype offset = value.rawOffset();
    const qsizetype length = value.rawLength();
    FUZZ_CHECK(offset >= 0 && length > 0 && offset + length <= input.size(),
               QStringLiteral("span %1+%2 of a %3-byte input").arg(offset).arg(length).arg(input.size()));
    FUZZ_CHECK(bencodeEncode(value) == input.mid(offset, length),
               QStringLiteral("the span at %1+%2 is not the value's encoding").arg(offset).arg(length));
    if (depth > 200)
        return;
    if (value.isList()) {
        for (const BencodeValue& item : value.toList())
            checkSpans(item, input, depth + 1);
    } else if (value.isDictionary()) {
        for (const auto& [key, item] : value.toDictionary())
            checkSpans(item, input, depth + 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QByteArray input = fuzz::inputBytes(data, size);

    const BencodeDecodeResult decoded = bencodeDecode(input);
    FUZZ_CHECK(decoded.ok() == decoded.value.has_value(), decoded.errorString());
    if (!decoded.ok()) {
        FUZZ_CHECK(decoded.errorOffset >= 0 && decoded.errorOffset <= input.size(), decoded.errorString());
        FUZZ_CHECK(!decoded.errorString().isEmpty(), QString());
    }

    qsizetype consumed = -1;
    const BencodeDecodeResult prefix = bencodeDecodePrefix(input, &consumed);
    if (decoded.ok()) {
        FUZZ_CHECK(prefix.ok() && consumed == input.size() && *prefix.value == *decoded.value,
                   prefix.errorString());
    }
    if (prefix.ok()) {
        FUZZ_CHECK(consumed > 0 && consumed <= input.size(), QStringLiteral("consumed %1").arg(consumed));
        // The first value alone is a whole, canonical input.
        const BencodeDecodeResult first = bencodeDecode(input.left(consumed));
        FUZZ_CHECK(first.ok() && *first.value == *prefix.value, first.errorString());
    }

    BencodeLimits tight;
    tight.maxDepth = 3;
    tight.maxTokens = 50;
    const BencodeDecodeResult limited = bencodeDecode(input, tight);
    if (limited.ok())
        FUZZ_CHECK(decoded.ok() && *limited.value == *decoded.value, decoded.errorString());

    if (!decoded.ok())
        return 0;

    const QByteArray encoded = bencodeEncode(*decoded.value);
    FUZZ_CHECK(encoded == input,
               QStringLiteral("re-encoding gives %1 bytes for %2 (first difference at %3)")
                   .arg(encoded.size())
                   .arg(input.size())
                   .arg([&] {
                       qsizetype i = 0;
                       while (i < encoded.size() && i < input.size() && encoded[i] == input[i])
                           ++i;
                       return i;
                   }()));
    const BencodeDecodeResult again = bencodeDecode(encoded);
    FUZZ_CHECK(again.ok() && *again.value == *decoded.value, again.errorString());
    checkSpans(*decoded.value, input, 0);
    return 0;
}
