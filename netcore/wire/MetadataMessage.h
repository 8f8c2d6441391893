#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace swarmscope {

// A BEP 9 ut_metadata message: the payload of an extended message under the id a peer gave "ut_metadata".
// A bencoded dictionary (msg_type, piece, and total_size for data), then the piece's bytes for data.
struct MetadataMessage {
    enum class Type { Request = 0, Data = 1, Reject = 2 };
    Type type = Type::Request;
    int piece = 0;
    qint64 totalSize = -1; // data only
    QByteArray data;       // data only

    friend bool operator==(const MetadataMessage&, const MetadataMessage&) = default;
};

namespace wire {

// BEP 9: the info dictionary travels in pieces of 16 KiB (the last may be shorter).
constexpr int kMetadataPieceSize = 16 * 1024;
// We neither serve nor fetch an info dictionary larger than this.
constexpr qint64 kMaxMetadataSize = 16LL * 1024 * 1024;

constexpr int metadataPieceCount(qint64 totalSize) {
    return int((totalSize + kMetadataPieceSize - 1) / kMetadataPieceSize);
}

QByteArray encodeMetadataMessage(const MetadataMessage& message);

// Parses a ut_metadata payload. Unknown keys are ignored; an unknown msg_type, a missing or negative piece,
// a data message without total_size or with a piece over 16 KiB, or bytes after the dictionary of a request
// or reject give std::nullopt and *error.
std::optional<MetadataMessage> decodeMetadataMessage(const QByteArray& payload, QString* error);

} // namespace wire
} // namespace swarmscope
