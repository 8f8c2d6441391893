#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace swarmscope {

// A BEP 11 ut_pex message: the payload of an extended message under the id a peer gave "ut_pex". One
// bencoded dictionary of compact endpoint strings: "added"/"added.f"/"dropped" for IPv4 (6 bytes each:
// address, port, big-endian) and "added6"/"added6.f"/"dropped6" for IPv6 (18 bytes each). The ".f" strings
// hold one flags byte per added endpoint.
struct PexMessage {
    struct Peer {
        QHostAddress address;
        quint16 port = 0;
        quint8 flags = 0; // added peers only

        friend bool operator==(const Peer&, const Peer&) = default;
    };
    QList<Peer> added;   // IPv4 and IPv6 together
    QList<Peer> dropped; // flags unused

    friend bool operator==(const PexMessage&, const PexMessage&) = default;
};

namespace wire {

inline constexpr char kUtPex[] = "ut_pex";
constexpr quint8 kOurUtPexId = 2;

// BEP 11 flags of an added peer.
constexpr quint8 kPexPrefersEncryption = 0x01;
constexpr quint8 kPexSeed = 0x02;
constexpr quint8 kPexUtp = 0x04;
constexpr quint8 kPexHolepunch = 0x08;
constexpr quint8 kPexConnectable = 0x10;

// BEP 11: at most 50 added and 50 dropped peers per message (each family counted together).
constexpr int kMaxPexAdded = 50;
constexpr int kMaxPexDropped = 50;
// A message with 50 + 50 IPv6 entries and flags is under 2 KiB; a payload over this is refused unread.
constexpr qsizetype kMaxPexMessageBytes = 4 * 1024;
// BEP 11: a peer sends at most one ut_pex message a minute.
constexpr qint64 kPexIntervalMs = 60'000;

// Encodes at most kMaxPexAdded added and kMaxPexDropped dropped peers (the rest are left out); peers with a
// null address or port 0 are skipped.
QByteArray encodePexMessage(const PexMessage& message);

// Parses a ut_pex payload. Unknown keys are ignored. A payload over kMaxPexMessageBytes, not one bencoded
// dictionary, with a known key that is not a string, a compact string whose length is not a multiple of its
// entry size, a flags string whose length differs from its entries', or more than the BEP 11 limit of
// entries gives std::nullopt and *error (one sentence naming the key at fault). Entries with port 0 are
// dropped silently.
std::optional<PexMessage> decodePexMessage(const QByteArray& payload, QString* error);

} // namespace wire
} // namespace swarmscope
