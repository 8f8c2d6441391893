#include "wire/MessageFramer.h"

#include "wire/MessageValidator.h"

#include <QtEndian>

#include <cstring>

namespace swarmscope {

namespace {

// Fixed-size fields after the id: have 4, request and cancel 12, piece 8 (index, begin), port 2, extended 1
// (the extended id).
qsizetype fixedFieldBytes(MessageType type) {
    switch (type) {
    case MessageType::Have:
    case MessageType::Suggest:
    case MessageType::AllowedFast:
        return 4;
    case MessageType::Request:
    case MessageType::Cancel:
    case MessageType::Reject:
        return 12;
    case MessageType::Piece:
        return 8;
    case MessageType::Port:
        return 2;
    case MessageType::Extended:
        return 1;
    default:
        return 0;
    }
}

// The exact length prefix of a fixed-size message, or 0 for the variable ones.
quint32 exactLength(MessageType type) {
    switch (type) {
    case MessageType::Choke:
    case MessageType::Unchoke:
    case MessageType::Interested:
    case MessageType::NotInterested:
    case MessageType::HaveAll:
    case MessageType::HaveNone:
        return 1;
    case MessageType::Have:
    case MessageType::Suggest:
    case MessageType::AllowedFast:
        return 5;
    case MessageType::Request:
    case MessageType::Cancel:
    case MessageType::Reject:
        return 13;
    case MessageType::Port:
        return 3;
    default:
        return 0;
    }
}

QString typeName(MessageType type) {
    switch (type) {
    case MessageType::Choke:
        return QStringLiteral("choke");
    case MessageType::Unchoke:
        return QStringLiteral("unchoke");
    case MessageType::Interested:
        return QStringLiteral("interested");
    case MessageType::NotInterested:
        return QStringLiteral("not interested");
    case MessageType::Have:
        return QStringLiteral("have");
    case MessageType::Bitfield:
        return QStringLiteral("bitfield");
    case MessageType::Request:
        return QStringLiteral("request");
    case MessageType::Piece:
        return QStringLiteral("piece");
    case MessageType::Cancel:
        return QStringLiteral("cancel");
    case MessageType::Port:
        return QStringLiteral("port");
    case MessageType::Suggest:
        return QStringLiteral("suggest piece");
    case MessageType::HaveAll:
        return QStringLiteral("have all");
    case MessageType::HaveNone:
        return QStringLiteral("have none");
    case MessageType::Reject:
        return QStringLiteral("reject request");
    case MessageType::AllowedFast:
        return QStringLiteral("allowed fast");
    case MessageType::Extended:
        return QStringLiteral("extended");
    case MessageType::KeepAlive:
        return QStringLiteral("keep-alive");
    case MessageType::Unknown:
        return QStringLiteral("unknown");
    }
    return {};
}

quint32 get32(const char* at) {
    return qFromBigEndian<quint32>(at);
}

} // namespace

MessageFramer::MessageFramer(quint32 maxMessageLength) : m_maxLength(maxMessageLength) {}

MessageType MessageFramer::typeOfId(quint8 id) const {
    if (id <= quint8(MessageType::Port))
        return MessageType(id);
    if (id >= quint8(MessageType::Suggest) && id <= quint8(MessageType::AllowedFast) && m_fastExtension)
        return MessageType(id);
    if (id == quint8(MessageType::Extended) && m_extensionProtocol)
        return MessageType::Extended;
    return MessageType::Unknown;
}

void MessageFramer::setGeometry(const TorrentGeometry& geometry) {
    m_geometry = geometry;
}

quint32 MessageFramer::maxMessageLength() const {
    quint32 limit = m_geometry ? qMax(m_maxLength, m_geometry->maxMessageLength()) : m_maxLength;
    if (m_extensionProtocol)
        limit = qMax(limit, wire::kMaxExtendedMessageLength);
    return limit;
}

QString MessageFramer::errorString() const {
    if (m_error == WireError::None)
        return {};
    const QString what = wireErrorDescription(m_error);
    return m_errorDetail.isEmpty() ? what : what + QStringLiteral(" (") + m_errorDetail + QLatin1Char(')');
}

void MessageFramer::reset() {
    m_headerFilled = 0;
    m_headerNeeded = 4;
    m_length = 0;
    m_type = MessageType::KeepAlive;
    m_payload = QByteArray();
    m_payloadFilled = 0;
    m_error = WireError::None;
    m_errorDetail.clear();
}

void MessageFramer::fail(WireError error, const QString& detail) {
    m_error = error;
    m_errorDetail = detail;
    m_payload = QByteArray();
}

MessageFramer::Step MessageFramer::feed(QByteArrayView data) {
    Step step;
    if (hasFailed()) {
        step.status = Step::Status::Error;
        return step;
    }
    const char* in = data.data();
    qsizetype left = data.size();
    while (left > 0) {
        if (m_headerFilled < m_headerNeeded) {
            const qsizetype n = qMin(left, m_headerNeeded - m_headerFilled);
            std::memcpy(m_header.data() + m_headerFilled, in, size_t(n));
            m_headerFilled += n;
            in += n;
            left -= n;
            if (m_headerFilled < m_headerNeeded)
                break;
            bool messageDone = false;
            if (m_headerFilled == 4)
                messageDone = onLengthComplete();
            else if (m_headerFilled == 5)
                messageDone = onIdComplete();
            else
                messageDone = onFixedFieldsComplete();
            if (hasFailed()) {
                step.status = Step::Status::Error;
                step.consumed = data.size() - left;
                return step;
            }
            if (!messageDone)
                continue;
        } else {
            const qsizetype n = qMin(left, m_payload.size() - m_payloadFilled);
            std::memcpy(m_payload.data() + m_payloadFilled, in, size_t(n));
            m_payloadFilled += n;
            in += n;
            left -= n;
            if (m_payloadFilled < m_payload.size())
                break;
        }
        // A whole message has arrived.
        step.message = takeMessage();
        step.consumed = data.size() - left;
        if (m_geometry) {
            const MessageCheck check = validateMessage(step.message, *m_geometry);
            if (!check.ok()) {
                fail(check.error, check.detail);
                step.status = Step::Status::Error;
                step.message = {};
                return step;
            }
        } else if (const MessageCheck check = validateBlockLength(step.message); !check.ok()) {
            fail(check.error, check.detail);
            step.status = Step::Status::Error;
            step.message = {};
            return step;
        }
        step.status = Step::Status::Message;
        return step;
    }
    step.consumed = data.size();
    return step;
}

// Returns true when the message is complete (a keep-alive).
bool MessageFramer::onLengthComplete() {
    m_length = get32(m_header.data());
    if (m_length == 0)
        return true;
    const quint32 limit = maxMessageLength();
    if (m_length > limit) {
        fail(WireError::MessageTooLong, QStringLiteral("length %1, limit %2").arg(m_length).arg(limit));
        return false;
    }
    m_headerNeeded = 5;
    return false;
}

bool MessageFramer::onIdComplete() {
    const quint8 id = quint8(m_header[4]);
    m_type = typeOfId(id);
    if (const quint32 exact = exactLength(m_type); exact != 0 && m_length != exact) {
        fail(WireError::BadMessageLength,
             QStringLiteral("%1 of length %2, expected %3").arg(typeName(m_type)).arg(m_length).arg(exact));
        return false;
    }
    if (m_type == MessageType::Piece) {
        if (m_length < wire::kPieceHeaderLength) {
            fail(WireError::BadMessageLength, QStringLiteral("piece of length %1, at least %2")
                                                  .arg(m_length)
                                                  .arg(wire::kPieceHeaderLength));
            return false;
        }
        const quint32 block = m_length - wire::kPieceHeaderLength;
        if (block == 0) {
            fail(WireError::EmptyBlock, QStringLiteral("piece"));
            return false;
        }
        if (block > wire::kMaxBlockLength) {
            fail(WireError::BlockTooLong, QStringLiteral("%1 bytes").arg(block));
            return false;
        }
    }
    if (m_type == MessageType::Extended && m_length < 2) {
        fail(WireError::BadMessageLength, QStringLiteral("extended of length %1, at least 2").arg(m_length));
        return false;
    }
    if (m_type == MessageType::Bitfield && m_geometry &&
        m_length - 1 != quint32(m_geometry->bitfieldBytes())) {
        fail(WireError::BitfieldWrongLength,
             QStringLiteral("%1 bytes, expected %2").arg(m_length - 1).arg(m_geometry->bitfieldBytes()));
        return false;
    }
    return onFixedFieldsComplete();
}

// Called once the id and then once the fixed fields are in; sets up the next part to read.
bool MessageFramer::onFixedFieldsComplete() {
    const qsizetype fixedEnd = 5 + fixedFieldBytes(m_type);
    if (m_headerNeeded < fixedEnd) {
        m_headerNeeded = fixedEnd;
        return false;
    }
    const qsizetype variable = qsizetype(m_length) - 1 - fixedFieldBytes(m_type);
    if (variable == 0)
        return true;
    // Allocated only now, after every check the header allows, and at exactly the announced size.
    m_payload = QByteArray(variable, Qt::Uninitialized);
    m_payloadFilled = 0;
    return false;
}

WireMessage MessageFramer::takeMessage() {
    WireMessage message;
    if (m_length == 0) {
        message = WireMessage::keepAlive();
    } else {
        message.type = m_type;
        message.id = quint8(m_header[4]);
        const char* fields = m_header.data() + 5;
        switch (m_type) {
        case MessageType::Have:
        case MessageType::Suggest:
        case MessageType::AllowedFast:
            message.index = get32(fields);
            break;
        case MessageType::Request:
        case MessageType::Cancel:
        case MessageType::Reject:
            message.index = get32(fields);
            message.begin = get32(fields + 4);
            message.length = get32(fields + 8);
            break;
        case MessageType::Piece:
            message.index = get32(fields);
            message.begin = get32(fields + 4);
            message.length = quint32(m_payload.size());
            break;
        case MessageType::Port:
            message.port = qFromBigEndian<quint16>(fields);
            break;
        case MessageType::Extended:
            message.extendedId = quint8(fields[0]);
            break;
        default:
            break;
        }
        message.payload = std::move(m_payload);
    }
    m_payload = QByteArray();
    m_payloadFilled = 0;
    m_headerFilled = 0;
    m_headerNeeded = 4;
    m_length = 0;
    return message;
}

} // namespace swarmscope
