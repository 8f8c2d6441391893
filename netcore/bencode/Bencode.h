#pragma once

#include "bencode/BencodeValue.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace swarmscope {

enum class BencodeError {
    None,
    UnexpectedEnd,       // input ends inside a value
    UnexpectedCharacter, // a byte that cannot start or continue a value
    EmptyInteger,        // "ie"
    LeadingZero,         // "i03e" or "03:abc"
    NegativeZero,        // "i-0e"
    IntegerOverflow,     // beyond 64-bit signed
    StringPastEnd,       // a string length that runs past the end of the input
    NonStringKey,        // a dictionary key that is not a string
    UnsortedKeys,        // dictionary keys not in ascending raw-byte order
    DuplicateKey,        // the same key twice in one dictionary
    TrailingData,        // bytes after the top-level value
    TooDeep,             // nesting past the depth limit
    TooManyTokens,       // more values than the token limit
};

struct BencodeLimits {
    int maxDepth = 100;
    qsizetype maxTokens = 4'000'000;
};

struct BencodeDecodeResult {
    std::optional<BencodeValue> value;
    BencodeError error = BencodeError::None;
    qsizetype errorOffset = -1; // byte offset in the input where decoding failed

    bool ok() const { return error == BencodeError::None; }
    // "leading zero in integer (byte 12)"
    QString errorString() const;
};

// A short English description of an error kind, without the offset.
QString bencodeErrorDescription(BencodeError error);

// Strict decoder: the whole input must be exactly one canonical value.
BencodeDecodeResult bencodeDecode(const QByteArray& input, const BencodeLimits& limits = {});

// Decodes the first value of input and reports where it ended (for streams holding more data after it).
BencodeDecodeResult bencodeDecodePrefix(const QByteArray& input, qsizetype* consumed,
                                        const BencodeLimits& limits = {});

// Canonical encoding: dictionary keys in raw-byte order, integers without leading zeros.
QByteArray bencodeEncode(const BencodeValue& value);

} // namespace swarmscope
