#include "wire/MetadataMessage.h"

#include "bencode/Bencode.h"

namespace swarmscope::wire {

namespace {

constexpr BencodeLimits kLimits{4, 64};

std::optional<MetadataMessage> failWith(QString* error, const QString& message) {
    if (error)
        *error = QStringLiteral("ut_metadata: %1").arg(message);
    return std::nullopt;
}

} // namespace

QByteArray encodeMetadataMessage(const MetadataMessage& message) {
    BencodeValue dict = BencodeValue::dictionary();
    dict.insert("msg_type", qint64(message.type));
    dict.insert("piece", qint64(message.piece));
    if (message.type == MetadataMessage::Type::Data)
        dict.insert("total_size", message.totalSize);
    QByteArray out = bencodeEncode(dict);
    if (message.type == MetadataMessage::Type::Data)
        out += message.data;
    return out;
}

std::optional<MetadataMessage> decodeMetadataMessage(const QByteArray& payload, QString* error) {
    qsizetype consumed = 0;
    const BencodeDecodeResult decoded = bencodeDecodePrefix(payload, &consumed, kLimits);
    if (!decoded.ok())
        return failWith(error, decoded.errorString());
    const BencodeValue& dict = *decoded.value;
    if (!dict.isDictionary())
        return failWith(error, QStringLiteral("not a dictionary"));
    const BencodeValue* type = dict.find("msg_type");
    if (!type || !type->isInteger() || type->toInteger() < 0 || type->toInteger() > 2)
        return failWith(error, QStringLiteral("\"msg_type\" is not 0, 1 or 2"));
    const BencodeValue* piece = dict.find("piece");
    if (!piece || !piece->isInteger() || piece->toInteger() < 0 ||
        piece->toInteger() >= metadataPieceCount(kMaxMetadataSize))
        return failWith(error, QStringLiteral("\"piece\" is missing or out of range"));
    MetadataMessage message;
    message.type = MetadataMessage::Type(type->toInteger());
    message.piece = int(piece->toInteger());
    const QByteArray rest = payload.sliced(consumed);
    if (message.type != MetadataMessage::Type::Data) {
        if (!rest.isEmpty())
            return failWith(error, QStringLiteral("%1 bytes after a request or reject").arg(rest.size()));
        return message;
    }
    const BencodeValue* total = dict.find("total_size");
    if (!total || !total->isInteger() || total->toInteger() <= 0)
        return failWith(error, QStringLiteral("\"total_size\" is missing or not positive"));
    if (rest.isEmpty() || rest.size() > kMetadataPieceSize)
        return failWith(error, QStringLiteral("a data piece of %1 bytes").arg(rest.size()));
    message.totalSize = total->toInteger();
    message.data = rest;
    return message;
}

} // namespace swarmscope::wire
