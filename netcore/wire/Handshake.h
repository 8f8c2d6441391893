#pragma once

#include "wire/WireError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace swarmscope {

// The BEP 3 handshake: <19>"BitTorrent protocol"<8 reserved><20 info_hash><20 peer_id>.
struct Handshake {
    static constexpr qsizetype kLength = 68;
    static constexpr qsizetype kInfoHashEnd = 48; // bytes needed before the info hash is known

    QByteArray reserved = QByteArray(8, '\0'); // kept as received; extension bits live here
    QByteArray infoHash;                       // 20 raw bytes
    QByteArray peerId;                         // 20 raw bytes

    // Extension bits of the reserved bytes: BEP 10 (byte 5, 0x10) and BEP 6 (byte 7, 0x04).
    bool supportsExtensionProtocol() const { return reservedBit(5, 0x10); }
    void setExtensionProtocol() { setReservedBit(5, 0x10); }
    bool supportsFastExtension() const { return reservedBit(7, 0x04); }
    void setFastExtension() { setReservedBit(7, 0x04); }
    // BEP 5: the sender runs a DHT node and sends PORT (byte 7, 0x01).
    bool supportsDht() const { return reservedBit(7, 0x01); }
    void setDht() { setReservedBit(7, 0x01); }

    friend bool operator==(const Handshake&, const Handshake&) = default;

private:
    bool reservedBit(int byte, char mask) const { return reserved.size() == 8 && (reserved[byte] & mask); }
    void setReservedBit(int byte, char mask) { reserved[byte] = char(reserved[byte] | mask); }
};

struct HandshakeDecodeResult {
    enum class Status {
        NeedMoreData, // a valid prefix so far; call again with more bytes
        Invalid,      // error says why; close the connection
        Complete,     // handshake holds the result and consumed is kLength
    };
    Status status = Status::NeedMoreData;
    WireError error = WireError::None;
    qsizetype consumed = 0; // bytes that belong to the handshake (kLength when complete, else 0)
    // Filled in as soon as the bytes are there: infoHash once kInfoHashEnd bytes arrived (a listening client
    // picks its torrent from it and may answer before the peer id arrives), everything once complete.
    Handshake handshake;

    bool isComplete() const { return status == Status::Complete; }
    bool isInvalid() const { return status == Status::Invalid; }
    bool hasInfoHash() const { return handshake.infoHash.size() == 20; }
    QString errorString() const { return wireErrorDescription(error); }
};

// Encodes a handshake. reserved must be 8 bytes, infoHash and peerId 20 each; anything else is a programming
// error (asserted) and gives an empty array.
QByteArray encodeHandshake(const Handshake& handshake);

// Decodes the handshake at the start of data, which may be any prefix of the stream (the caller keeps at
// most kLength bytes of it). Rejects a bad protocol name as soon as the offending byte arrives. Bytes after
// the handshake are the first messages: the caller passes data.sliced(consumed) to the MessageFramer.
HandshakeDecodeResult decodeHandshake(QByteArrayView data);

} // namespace swarmscope
