#include "wire/MessageValidator.h"

#include "wire/Bitfield.h"

namespace swarmscope {

namespace {

MessageCheck fail(WireError error, const QString& detail) {
    return {error, detail};
}

quint32 blockLengthOf(const WireMessage& message) {
    return message.type == MessageType::Piece ? quint32(message.payload.size()) : message.length;
}

bool carriesBlock(MessageType type) {
    return type == MessageType::Request || type == MessageType::Cancel || type == MessageType::Reject ||
           type == MessageType::Piece;
}

} // namespace

QString MessageCheck::errorString() const {
    const QString what = wireErrorDescription(error);
    return detail.isEmpty() ? what : what + QStringLiteral(" (") + detail + QLatin1Char(')');
}

MessageCheck validateBlockLength(const WireMessage& message) {
    if (!carriesBlock(message.type))
        return {};
    const quint32 length = blockLengthOf(message);
    if (length == 0)
        return fail(WireError::EmptyBlock,
                    QStringLiteral("index %1 begin %2").arg(message.index).arg(message.begin));
    if (length > wire::kMaxBlockLength)
        return fail(WireError::BlockTooLong, QStringLiteral("%1 bytes").arg(length));
    return {};
}

MessageCheck validateMessage(const WireMessage& message, const TorrentGeometry& geometry) {
    switch (message.type) {
    case MessageType::Have:
    case MessageType::Suggest:
    case MessageType::AllowedFast:
    case MessageType::Request:
    case MessageType::Cancel:
    case MessageType::Reject:
    case MessageType::Piece:
        if (message.index >= quint32(geometry.pieceCount))
            return fail(WireError::PieceIndexOutOfRange,
                        QStringLiteral("index %1 of %2 pieces").arg(message.index).arg(geometry.pieceCount));
        break;
    case MessageType::Bitfield: {
        const WireError error = Bitfield::checkWire(message.payload, geometry.pieceCount);
        if (error == WireError::BitfieldWrongLength)
            return fail(error, QStringLiteral("%1 bytes, expected %2")
                                   .arg(message.payload.size())
                                   .arg(geometry.bitfieldBytes()));
        if (error != WireError::None)
            return fail(error, QStringLiteral("%1 pieces").arg(geometry.pieceCount));
        return {};
    }
    default:
        return {};
    }
    if (message.type == MessageType::Have || message.type == MessageType::Suggest ||
        message.type == MessageType::AllowedFast)
        return {};
    if (MessageCheck check = validateBlockLength(message); !check.ok())
        return check;
    const qint64 end = qint64(message.begin) + blockLengthOf(message);
    const qint64 pieceSize = geometry.pieceSize(message.index);
    if (end > pieceSize)
        return fail(WireError::BlockOutOfRange,
                    QStringLiteral("index %1 begin %2 length %3, piece is %4 bytes")
                        .arg(message.index)
                        .arg(message.begin)
                        .arg(blockLengthOf(message))
                        .arg(pieceSize));
    return {};
}

} // namespace swarmscope
