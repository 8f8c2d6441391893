#include "peer/MetadataAssembler.h"

#include "metainfo/Sha1.h"
#include "wire/MetadataMessage.h"

#include <cstring>

namespace swarmscope {

bool MetadataAssembler::setSize(qint64 size, QString* error) {
    if (size <= 0 || size > wire::kMaxMetadataSize) {
        if (error)
            *error = QStringLiteral("metadata_size %1 is not in 1..%2").arg(size).arg(wire::kMaxMetadataSize);
        return false;
    }
    if (m_size > 0 && size != m_size) {
        if (error)
            *error = QStringLiteral("metadata_size %1, another peer said %2").arg(size).arg(m_size);
        return false;
    }
    if (m_size == 0) {
        m_size = size;
        m_buffer = QByteArray(size, '\0');
        m_have = QList<bool>(wire::metadataPieceCount(size), false);
    }
    return true;
}

QList<int> MetadataAssembler::missing() const {
    QList<int> out;
    for (int i = 0; i < m_have.size(); ++i)
        if (!m_have[i])
            out.append(i);
    return out;
}

MetadataAssembler::Result MetadataAssembler::add(int piece, const QByteArray& data, QString* error) {
    const auto refuse = [error](const QString& why) {
        if (error)
            *error = why;
        return Result::Refused;
    };
    if (m_complete || m_size == 0)
        return refuse(QStringLiteral("metadata piece %1 not asked for").arg(piece));
    if (piece < 0 || piece >= m_have.size())
        return refuse(QStringLiteral("metadata piece %1 of %2").arg(piece).arg(m_have.size()));
    const qint64 offset = qint64(piece) * wire::kMetadataPieceSize;
    const qint64 expected = qMin<qint64>(wire::kMetadataPieceSize, m_size - offset);
    if (data.size() != expected)
        return refuse(QStringLiteral("metadata piece %1 of %2 bytes, expected %3")
                          .arg(piece)
                          .arg(data.size())
                          .arg(expected));
    if (m_have[piece])
        return refuse(QStringLiteral("metadata piece %1 twice").arg(piece));
    std::memcpy(m_buffer.data() + offset, data.constData(), size_t(expected));
    m_have[piece] = true;
    if (++m_received < m_have.size())
        return Result::Accepted;
    if (sha1(m_buffer) == m_infoHash) {
        m_complete = true;
        return Result::Complete;
    }
    m_have.fill(false);
    m_received = 0;
    return Result::HashMismatch;
}

} // namespace swarmscope
