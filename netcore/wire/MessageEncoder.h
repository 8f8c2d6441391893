#pragma once

#include "wire/Bitfield.h"
#include "wire/WireMessage.h"

#include <QByteArray>
#include <QByteArrayView>

namespace swarmscope {

// Encoders for the BEP 3 messages: each returns the full frame, length prefix included. All integers are
// four bytes big-endian.
namespace wire {

QByteArray encodeKeepAlive();
// choke, unchoke, interested, not interested, have all, have none: the message types without payload.
QByteArray encodeSimple(MessageType type);
QByteArray encodeHave(quint32 index);
// BEP 6 suggest piece and allowed fast: an id and a piece index.
QByteArray encodeIndexed(MessageType type, quint32 index);
QByteArray encodeReject(quint32 index, quint32 begin, quint32 length);
QByteArray encodeBitfield(const Bitfield& bitfield);
QByteArray encodeRequest(quint32 index, quint32 begin, quint32 length);
QByteArray encodeCancel(quint32 index, quint32 begin, quint32 length);
QByteArray encodePort(quint16 port);
// BEP 10: <len><20><extended id><payload>; extended id 0 is the extended handshake.
QByteArray encodeExtended(quint8 extendedId, QByteArrayView payload);
// One allocation of 13 + block.size() bytes, one copy of the block.
QByteArray encodePiece(quint32 index, quint32 begin, QByteArrayView block);
// Appends a piece frame for a block of blockLength bytes to out and returns where the block goes, so storage
// can read the block from disk straight into the message: no copy at all. The pointer is valid until out
// is next modified.
char* appendPieceFrame(QByteArray& out, quint32 index, quint32 begin, qsizetype blockLength);

// Any message, as the matching function above would encode it; Unknown writes id and payload.
QByteArray encodeMessage(const WireMessage& message);

} // namespace wire
} // namespace swarmscope
