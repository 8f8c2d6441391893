#include "wire/MessageEncoder.h"

#include <QtEndian>

#include <cstring>

namespace swarmscope::wire {

namespace {

void put32(char* at, quint32 value) {
    qToBigEndian(value, at);
}

// A frame of 4 + 1 + the given number of 32-bit fields, each written from values.
QByteArray frameWithFields(quint8 id, std::initializer_list<quint32> values) {
    QByteArray out(4 + 1 + 4 * qsizetype(values.size()), Qt::Uninitialized);
    put32(out.data(), quint32(1 + 4 * values.size()));
    out[4] = char(id);
    char* at = out.data() + 5;
    for (quint32 v : values) {
        put32(at, v);
        at += 4;
    }
    return out;
}

QByteArray frameWithPayload(quint8 id, QByteArrayView payload) {
    QByteArray out(4 + 1 + payload.size(), Qt::Uninitialized);
    put32(out.data(), quint32(1 + payload.size()));
    out[4] = char(id);
    if (!payload.isEmpty())
        std::memcpy(out.data() + 5, payload.data(), size_t(payload.size()));
    return out;
}

} // namespace

QByteArray encodeKeepAlive() {
    return QByteArray(4, '\0');
}

QByteArray encodeSimple(MessageType type) {
    Q_ASSERT((int(type) >= 0 && int(type) <= 3) || type == MessageType::HaveAll ||
             type == MessageType::HaveNone);
    return frameWithFields(quint8(type), {});
}

QByteArray encodeHave(quint32 index) {
    return frameWithFields(quint8(MessageType::Have), {index});
}

QByteArray encodeIndexed(MessageType type, quint32 index) {
    Q_ASSERT(type == MessageType::Have || type == MessageType::Suggest || type == MessageType::AllowedFast);
    return frameWithFields(quint8(type), {index});
}

QByteArray encodeReject(quint32 index, quint32 begin, quint32 length) {
    return frameWithFields(quint8(MessageType::Reject), {index, begin, length});
}

QByteArray encodeBitfield(const Bitfield& bitfield) {
    return frameWithPayload(quint8(MessageType::Bitfield), bitfield.toWire());
}

QByteArray encodeRequest(quint32 index, quint32 begin, quint32 length) {
    return frameWithFields(quint8(MessageType::Request), {index, begin, length});
}

QByteArray encodeCancel(quint32 index, quint32 begin, quint32 length) {
    return frameWithFields(quint8(MessageType::Cancel), {index, begin, length});
}

QByteArray encodePort(quint16 port) {
    QByteArray out(4 + 1 + 2, Qt::Uninitialized);
    put32(out.data(), 3);
    out[4] = char(MessageType::Port);
    qToBigEndian(port, out.data() + 5);
    return out;
}

QByteArray encodeExtended(quint8 extendedId, QByteArrayView payload) {
    QByteArray out(4 + 2 + payload.size(), Qt::Uninitialized);
    put32(out.data(), quint32(2 + payload.size()));
    out[4] = char(MessageType::Extended);
    out[5] = char(extendedId);
    if (!payload.isEmpty())
        std::memcpy(out.data() + 6, payload.data(), size_t(payload.size()));
    return out;
}

QByteArray encodePiece(quint32 index, quint32 begin, QByteArrayView block) {
    QByteArray out;
    out.reserve(4 + kPieceHeaderLength + block.size());
    char* at = appendPieceFrame(out, index, begin, block.size());
    if (!block.isEmpty())
        std::memcpy(at, block.data(), size_t(block.size()));
    return out;
}

char* appendPieceFrame(QByteArray& out, quint32 index, quint32 begin, qsizetype blockLength) {
    const qsizetype start = out.size();
    out.resize(start + 4 + kPieceHeaderLength + blockLength);
    char* at = out.data() + start;
    put32(at, quint32(kPieceHeaderLength + blockLength));
    at[4] = char(MessageType::Piece);
    put32(at + 5, index);
    put32(at + 9, begin);
    return at + 13;
}

QByteArray encodeMessage(const WireMessage& message) {
    switch (message.type) {
    case MessageType::KeepAlive:
        return encodeKeepAlive();
    case MessageType::Choke:
    case MessageType::Unchoke:
    case MessageType::Interested:
    case MessageType::NotInterested:
    case MessageType::HaveAll:
    case MessageType::HaveNone:
        return encodeSimple(message.type);
    case MessageType::Have:
    case MessageType::Suggest:
    case MessageType::AllowedFast:
        return encodeIndexed(message.type, message.index);
    case MessageType::Reject:
        return encodeReject(message.index, message.begin, message.length);
    case MessageType::Bitfield:
        return frameWithPayload(quint8(MessageType::Bitfield), message.payload);
    case MessageType::Request:
        return encodeRequest(message.index, message.begin, message.length);
    case MessageType::Piece:
        return encodePiece(message.index, message.begin, message.payload);
    case MessageType::Cancel:
        return encodeCancel(message.index, message.begin, message.length);
    case MessageType::Port:
        return encodePort(message.port);
    case MessageType::Extended:
        return encodeExtended(message.extendedId, message.payload);
    case MessageType::Unknown:
        return frameWithPayload(message.id, message.payload);
    }
    return {};
}

} // namespace swarmscope::wire
