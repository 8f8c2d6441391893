#include "wire/WireError.h"

namespace swarmscope {

QString wireErrorDescription(WireError error) {
    switch (error) {
    case WireError::None:
        return QStringLiteral("no error");
    case WireError::BadProtocolLength:
        return QStringLiteral("handshake protocol name length is not 19");
    case WireError::BadProtocolString:
        return QStringLiteral("handshake protocol is not \"BitTorrent protocol\"");
    case WireError::MessageTooLong:
        return QStringLiteral("message length over the limit");
    case WireError::BadMessageLength:
        return QStringLiteral("wrong payload length for the message type");
    case WireError::BlockTooLong:
        return QStringLiteral("block longer than 16 KiB");
    case WireError::EmptyBlock:
        return QStringLiteral("block of zero bytes");
    case WireError::PieceIndexOutOfRange:
        return QStringLiteral("piece index out of range");
    case WireError::BlockOutOfRange:
        return QStringLiteral("block runs past the end of the piece");
    case WireError::BitfieldWrongLength:
        return QStringLiteral("bitfield of the wrong length");
    case WireError::BitfieldSpareBits:
        return QStringLiteral("bitfield has spare bits set");
    }
    return QStringLiteral("unknown error");
}

} // namespace swarmscope
