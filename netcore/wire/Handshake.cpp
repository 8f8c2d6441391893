#include "wire/Handshake.h"

namespace swarmscope {

namespace {

constexpr char kProtocol[] = "BitTorrent protocol";
constexpr qsizetype kProtocolLength = 19;
constexpr qsizetype kReservedAt = 1 + kProtocolLength;
constexpr qsizetype kInfoHashAt = kReservedAt + 8;
constexpr qsizetype kPeerIdAt = kInfoHashAt + 20;
static_assert(sizeof(kProtocol) - 1 == kProtocolLength);
static_assert(kPeerIdAt + 20 == Handshake::kLength && kPeerIdAt == Handshake::kInfoHashEnd);

} // namespace

QByteArray encodeHandshake(const Handshake& handshake) {
    Q_ASSERT(handshake.reserved.size() == 8 && handshake.infoHash.size() == 20 &&
             handshake.peerId.size() == 20);
    if (handshake.reserved.size() != 8 || handshake.infoHash.size() != 20 || handshake.peerId.size() != 20)
        return {};
    QByteArray out;
    out.reserve(Handshake::kLength);
    out.append(char(kProtocolLength));
    out.append(kProtocol, kProtocolLength);
    out.append(handshake.reserved);
    out.append(handshake.infoHash);
    out.append(handshake.peerId);
    return out;
}

HandshakeDecodeResult decodeHandshake(QByteArrayView data) {
    HandshakeDecodeResult result;
    if (data.isEmpty())
        return result;
    if (uchar(data[0]) != kProtocolLength) {
        result.status = HandshakeDecodeResult::Status::Invalid;
        result.error = WireError::BadProtocolLength;
        return result;
    }
    // Compare what has arrived of the protocol name, so garbage is refused without waiting for 68 bytes.
    const qsizetype nameBytes = qMin(data.size() - 1, kProtocolLength);
    if (data.sliced(1, nameBytes) != QByteArrayView(kProtocol, nameBytes)) {
        result.status = HandshakeDecodeResult::Status::Invalid;
        result.error = WireError::BadProtocolString;
        return result;
    }
    if (data.size() >= Handshake::kInfoHashEnd) {
        result.handshake.reserved = data.sliced(kReservedAt, 8).toByteArray();
        result.handshake.infoHash = data.sliced(kInfoHashAt, 20).toByteArray();
    }
    if (data.size() < Handshake::kLength)
        return result;
    result.handshake.peerId = data.sliced(kPeerIdAt, 20).toByteArray();
    result.status = HandshakeDecodeResult::Status::Complete;
    result.consumed = Handshake::kLength;
    return result;
}

} // namespace swarmscope
