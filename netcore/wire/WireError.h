#pragma once

#include <QString>

namespace swarmscope {

// Why a peer's bytes were rejected. Every value is a reason to close the connection; the text from
// wireErrorDescription() is what the connection logs and shows as its disconnect reason.
enum class WireError {
    None,
    // Handshake
    BadProtocolLength, // the first byte is not 19
    BadProtocolString, // the 19 bytes after it are not "BitTorrent protocol"
    // Framing
    MessageTooLong,   // a length prefix over the largest legal message of this connection
    BadMessageLength, // a length that does not fit the message type (a have that is not 5 bytes, ...)
    // Contents
    BlockTooLong,         // a request, cancel or piece block over 16 KiB
    EmptyBlock,           // a request, cancel or piece of zero bytes
    PieceIndexOutOfRange, // a piece index not below the torrent's piece count
    BlockOutOfRange,      // begin + length past the end of the piece
    BitfieldWrongLength,  // not ceil(pieces / 8) bytes
    BitfieldSpareBits,    // a bit set past the last piece
};

// A short English description of an error kind, e.g. "message length over the limit".
QString wireErrorDescription(WireError error);

} // namespace swarmscope
