#pragma once

#include <QByteArray>
#include <QString>

#include <limits>
#include <map>
#include <optional>

namespace swarmscope {

// The BEP 10 extended handshake: the dictionary sent as extended message 0 once both handshakes set the
// extension protocol bit. Every field is optional on the wire; absent ones keep their "unknown" value here.
struct ExtensionHandshake {
    // Extension name -> the extended message id its sender wants to receive it under; 0 disables it.
    std::map<QByteArray, int> extensions;
    QString client;           // "v": client name and version, as the peer spells it
    int listenPort = -1;      // "p": the sender's listen port
    int requestQueue = -1;    // "reqq": how many outstanding requests the sender takes
    qint64 metadataSize = -1; // "metadata_size" (BEP 9): size of the info dictionary

    // The id the sender gave an extension, or 0 when it does not support it (or disabled it).
    int idOf(const QByteArray& name) const;

    friend bool operator==(const ExtensionHandshake&, const ExtensionHandshake&) = default;
};

namespace wire {

// The extension names this engine speaks, and the ids it asks peers to use for them.
inline constexpr char kUtMetadata[] = "ut_metadata";
constexpr quint8 kOurUtMetadataId = 1;

// Payloads larger than this (after the extended id) are refused as a handshake; BEP 10 dictionaries are a
// few hundred bytes.
constexpr qsizetype kMaxExtensionHandshakeBytes = 16 * 1024;

// The bencoded dictionary (the payload after the extended id 0). Fields with "unknown" values are left out.
QByteArray encodeExtensionHandshake(const ExtensionHandshake& handshake);

// Parses a peer's dictionary. Unknown keys and extensions are ignored; a payload that is not one bencoded
// dictionary, over the size limit, or whose known keys have the wrong type or an impossible value gives
// std::nullopt and *error (one sentence naming the key at fault).
std::optional<ExtensionHandshake> decodeExtensionHandshake(const QByteArray& payload, QString* error);

} // namespace wire
} // namespace swarmscope
