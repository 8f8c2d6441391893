#pragma once

#include "wire/TorrentGeometry.h"
#include "wire/WireError.h"
#include "wire/WireMessage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <array>
#include <optional>

namespace swarmscope {

// Cuts the message stream that follows the handshake into WireMessages, whatever the chunking of the bytes.
// Strict: a length prefix over the limit, a payload length that does not fit the message type, a block of
// 0 or over 16 KiB and (once the geometry is known) an index, block or bitfield that does not fit the
// torrent are errors, reported before the offending payload is buffered where the header already tells.
// It holds at most one message: the fixed header fields plus one payload buffer of exactly the announced
// size, which the message then takes over without a copy.
class MessageFramer {
public:
    struct Step {
        enum class Status {
            NeedMoreData, // all of data was consumed; no message complete yet
            Message,      // message is complete; data after consumed is not read yet
            Error,        // the framer has failed for good; see error() and errorString()
        };
        Status status = Status::NeedMoreData;
        qsizetype consumed = 0; // bytes of data used by this call
        WireMessage message;

        bool hasMessage() const { return status == Status::Message; }
        bool isError() const { return status == Status::Error; }
    };

    // maxMessageLength caps every length prefix; the default fits a piece with a 16 KiB block and a bitfield
    // of up to 131,136 pieces.
    explicit MessageFramer(quint32 maxMessageLength = wire::kMaxPieceMessageLength);

    // From now on every message is checked with validateMessage() and the bitfield length is checked from the
    // header. Raises the limit to geometry.maxMessageLength() if that is larger.
    void setGeometry(const TorrentGeometry& geometry);
    const std::optional<TorrentGeometry>& geometry() const { return m_geometry; }
    void setMaxMessageLength(quint32 length) { m_maxLength = length; }
    // BEP 10 negotiated: id 20 is decoded as an Extended message (at least the extended id) and the length
    // limit covers wire::kMaxExtendedMessageLength. Without it, id 20 stays Unknown.
    void setExtensionProtocol(bool enabled) { m_extensionProtocol = enabled; }
    // BEP 6 negotiated: ids 13-17 are decoded (and checked) as the fast extension's messages; without it
    // they stay Unknown.
    void setFastExtension(bool enabled) { m_fastExtension = enabled; }
    quint32 maxMessageLength() const; // the limit in force, geometry included

    // Reads from data until one message is complete, data runs out or an error. Call again with
    // data.sliced(step.consumed) while there is data left and no error.
    Step feed(QByteArrayView data);

    bool hasFailed() const { return m_error != WireError::None; }
    WireError error() const { return m_error; }
    // "message length over the limit (length 1048576, limit 16393)"
    QString errorString() const;
    // False while a message is partly read: a connection that closes then was cut mid-message.
    bool isAtMessageBoundary() const { return m_headerFilled == 0 && m_payloadFilled == 0; }
    // Block bytes of a PIECE message read so far and not yet complete: what a connection cut now received of
    // a block it will never get whole.
    qsizetype partialBlockBytes() const { return m_type == MessageType::Piece ? m_payloadFilled : 0; }
    // Bytes held now (header plus payload); never more than one message.
    qsizetype bufferedBytes() const { return m_headerFilled + m_payload.size(); }
    // Forgets any partial message and any error.
    void reset();

private:
    bool onLengthComplete();
    bool onIdComplete();
    bool onFixedFieldsComplete();
    MessageType typeOfId(quint8 id) const;
    WireMessage takeMessage();
    void fail(WireError error, const QString& detail);

    // length prefix, id, and up to 12 bytes of fixed fields (request/cancel)
    std::array<char, 4 + 1 + 12> m_header{};
    qsizetype m_headerFilled = 0;
    qsizetype m_headerNeeded = 4;
    quint32 m_length = 0; // the current message's length prefix
    MessageType m_type = MessageType::KeepAlive;
    QByteArray m_payload; // the variable part: bitfield bytes, a block, an unknown payload
    qsizetype m_payloadFilled = 0;

    quint32 m_maxLength;
    bool m_extensionProtocol = false;
    bool m_fastExtension = false;
    std::optional<TorrentGeometry> m_geometry;
    WireError m_error = WireError::None;
    QString m_errorDetail;
};

} // namespace swarmscope
