#pragma once

#include <QByteArray>

namespace swarmscope {

// The message kinds of the BEP 3 stream. The values of the real ids are their wire ids.
enum class MessageType : int {
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,
    Port = 9, // BEP 5: the sender's DHT node listens on this UDP port
    // BEP 6 fast extension, only on a connection where both sides set its bit:
    Suggest = 13,
    HaveAll = 14,
    HaveNone = 15,
    Reject = 16,
    AllowedFast = 17,
    Extended = 20,   // BEP 10, only on a connection where both sides set the extension protocol bit
    KeepAlive = 256, // a zero length prefix, no id
    Unknown = 257,   // any other id, or an extension's id on a connection that did not negotiate it
};

namespace wire {
constexpr quint32 kMaxBlockLength = 16 * 1024; // BEP 3: all implementations use and accept 2^14
constexpr quint32 kPieceHeaderLength = 9;      // id, index, begin
// The largest message that is not a bitfield: a piece carrying a 16 KiB block.
constexpr quint32 kMaxPieceMessageLength = kPieceHeaderLength + kMaxBlockLength;
// BEP 10: the largest extended message we take (id, extended id, payload). A ut_metadata piece is a 16 KiB
// block behind a small dictionary; an extended handshake is far smaller.
constexpr quint32 kMaxExtendedMessageLength = 2 + kMaxBlockLength + 1024;
} // namespace wire

// One decoded (or to-be-encoded) message. Which fields mean something depends on type:
//   Have, Suggest, AllowedFast: index. Request, Cancel, Reject: index, begin, length. Piece: index, begin,
//   payload (the block). Bitfield: payload (the wire bytes). Port: port. Extended: extendedId, payload (after
//   the extended id). Unknown: id, payload. Others: nothing.
struct WireMessage {
    MessageType type = MessageType::KeepAlive;
    quint8 id = 0; // the wire id; 0 for a keep-alive
    quint32 index = 0;
    quint32 begin = 0;
    quint32 length = 0; // request and cancel block length; for a piece, payload.size()
    quint16 port = 0;
    QByteArray payload;
    quint8 extendedId = 0; // BEP 10: 0 is the extended handshake, others as the receiver advertised them

    static WireMessage keepAlive() { return {}; }
    static WireMessage simple(MessageType type) { return {type, quint8(type), 0, 0, 0, 0, {}}; }
    static WireMessage have(quint32 index) { return {MessageType::Have, 4, index, 0, 0, 0, {}}; }
    static WireMessage bitfield(const QByteArray& bytes) {
        return {MessageType::Bitfield, 5, 0, 0, 0, 0, bytes};
    }
    static WireMessage request(quint32 index, quint32 begin, quint32 length) {
        return {MessageType::Request, 6, index, begin, length, 0, {}};
    }
    static WireMessage piece(quint32 index, quint32 begin, const QByteArray& block) {
        return {MessageType::Piece, 7, index, begin, quint32(block.size()), 0, block};
    }
    static WireMessage cancel(quint32 index, quint32 begin, quint32 length) {
        return {MessageType::Cancel, 8, index, begin, length, 0, {}};
    }
    static WireMessage indexed(MessageType type, quint32 index) {
        return {type, quint8(type), index, 0, 0, 0, {}};
    }
    static WireMessage reject(quint32 index, quint32 begin, quint32 length) {
        return {MessageType::Reject, 16, index, begin, length, 0, {}};
    }
    static WireMessage portMessage(quint16 port) { return {MessageType::Port, 9, 0, 0, 0, port, {}}; }
    static WireMessage extended(quint8 extendedId, const QByteArray& payload) {
        return {MessageType::Extended, 20, 0, 0, 0, 0, payload, extendedId};
    }
    static WireMessage unknown(quint8 id, const QByteArray& payload) {
        return {MessageType::Unknown, id, 0, 0, 0, 0, payload};
    }

    friend bool operator==(const WireMessage&, const WireMessage&) = default;
};

} // namespace swarmscope
