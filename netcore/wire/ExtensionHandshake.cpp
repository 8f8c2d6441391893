#include "wire/ExtensionHandshake.h"

#include "bencode/Bencode.h"

namespace swarmscope {

namespace {

// A dictionary of a few keys needs few tokens; the limit keeps a hostile one cheap to refuse.
constexpr BencodeLimits kLimits{8, 4096};
constexpr qsizetype kMaxClientNameBytes = 256;

bool failWith(QString* error, const QString& message) {
    if (error)
        *error = message;
    return false;
}

// An integer field in [min, max], or absent (out stays as it is).
template <typename T>
bool readInteger(const BencodeValue& dict, const char* key, qint64 min, qint64 max, T* out, QString* error) {
    const BencodeValue* value = dict.find(key);
    if (!value)
        return true;
    if (!value->isInteger() || value->toInteger() < min || value->toInteger() > max)
        return failWith(error, QStringLiteral("extended handshake: \"%1\" is not an integer in %2..%3")
                                   .arg(QLatin1String(key))
                                   .arg(min)
                                   .arg(max));
    *out = T(value->toInteger());
    return true;
}

} // namespace

int ExtensionHandshake::idOf(const QByteArray& name) const {
    const auto it = extensions.find(name);
    return it == extensions.end() ? 0 : it->second;
}

namespace wire {

QByteArray encodeExtensionHandshake(const ExtensionHandshake& handshake) {
    BencodeValue dict = BencodeValue::dictionary();
    BencodeValue m = BencodeValue::dictionary();
    for (const auto& [name, id] : handshake.extensions)
        m.insert(name, qint64(id));
    dict.insert("m", m);
    if (!handshake.client.isEmpty())
        dict.insert("v", handshake.client.toUtf8());
    if (handshake.listenPort > 0)
        dict.insert("p", qint64(handshake.listenPort));
    if (handshake.requestQueue > 0)
        dict.insert("reqq", qint64(handshake.requestQueue));
    if (handshake.metadataSize > 0)
        dict.insert("metadata_size", handshake.metadataSize);
    return bencodeEncode(dict);
}

std::optional<ExtensionHandshake> decodeExtensionHandshake(const QByteArray& payload, QString* error) {
    if (payload.size() > kMaxExtensionHandshakeBytes) {
        failWith(error, QStringLiteral("extended handshake of %1 bytes, limit %2")
                            .arg(payload.size())
                            .arg(kMaxExtensionHandshakeBytes));
        return std::nullopt;
    }
    const BencodeDecodeResult decoded = bencodeDecode(payload, kLimits);
    if (!decoded.ok()) {
        failWith(error, QStringLiteral("extended handshake: %1").arg(decoded.errorString()));
        return std::nullopt;
    }
    const BencodeValue& dict = *decoded.value;
    if (!dict.isDictionary()) {
        failWith(error, QStringLiteral("extended handshake is not a dictionary"));
        return std::nullopt;
    }
    ExtensionHandshake result;
    if (const BencodeValue* m = dict.find("m")) {
        if (!m->isDictionary()) {
            failWith(error, QStringLiteral("extended handshake: \"m\" is not a dictionary"));
            return std::nullopt;
        }
        for (const auto& [name, id] : m->toDictionary()) {
            // BEP 10 ids are one byte; a peer's unknown extensions are kept only so the lab can show them.
            if (!id.isInteger() || id.toInteger() < 0 || id.toInteger() > 255) {
                failWith(error, QStringLiteral("extended handshake: id of \"m\".\"%1\" is not in 0..255")
                                    .arg(QString::fromUtf8(name.left(64))));
                return std::nullopt;
            }
            result.extensions[name] = int(id.toInteger());
        }
    }
    if (const BencodeValue* v = dict.find("v"); v && v->isString())
        result.client = QString::fromUtf8(v->toByteArray().left(kMaxClientNameBytes));
    if (!readInteger(dict, "p", 0, 65535, &result.listenPort, error) ||
        !readInteger(dict, "reqq", 0, 1 << 20, &result.requestQueue, error) ||
        !readInteger(dict, "metadata_size", 0, std::numeric_limits<qint64>::max(), &result.metadataSize,
                     error))
        return std::nullopt;
    return result;
}

} // namespace wire
} // namespace swarmscope
