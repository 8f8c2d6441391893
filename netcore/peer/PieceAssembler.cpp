#include "peer/PieceAssembler.h"

#include <cstring>

namespace swarmscope {

bool PieceAssembler::add(int piece, qint64 pieceSize, qint64 offset, const char* data, qint64 length) {
    if (offset < 0 || length < 0 || offset + length > pieceSize)
        return false;
    auto it = m_buffers.find(piece);
    if (it == m_buffers.end()) {
        if (m_onDisk.contains(piece))
            return false;
        if (m_bytes + pieceSize > m_capacity) {
            m_onDisk.insert(piece);
            return false;
        }
        it = m_buffers.insert(piece, QByteArray(pieceSize, Qt::Uninitialized));
        m_bytes += pieceSize;
    }
    std::memcpy(it->data() + offset, data, size_t(length));
    return true;
}

QByteArray PieceAssembler::take(int piece) {
    m_onDisk.remove(piece);
    QByteArray data = m_buffers.take(piece);
    m_bytes -= data.size();
    return data;
}

void PieceAssembler::drop(int piece) {
    take(piece);
}

void PieceAssembler::clear() {
    m_buffers.clear();
    m_onDisk.clear();
    m_bytes = 0;
}

} // namespace swarmscope
