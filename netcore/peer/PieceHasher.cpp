#include "peer/PieceHasher.h"

namespace swarmscope {

void PieceHasher::release(Piece& p) {
    for (const auto& [offset, block] : p.ahead)
        m_waiting -= block.size();
    p.ahead.clear();
}

void PieceHasher::add(int piece, qint64 offset, const char* data, qint64 length) {
    if (length <= 0 || offset < 0)
        return;
    Piece& p = m_pieces[piece];
    if (p.readBack || offset < p.hashed || p.ahead.count(offset))
        return;
    if (offset > p.hashed) {
        if (m_waiting + length > m_budget) {
            p.readBack = true;
            release(p);
            return;
        }
        p.ahead.emplace(offset, QByteArray(data, length));
        m_waiting += length;
        return;
    }
    p.hasher->add(data, length);
    p.hashed += length;
    // The blocks that were waiting for this one.
    for (auto it = p.ahead.begin(); it != p.ahead.end() && it->first <= p.hashed;) {
        const qint64 skip = p.hashed - it->first;
        if (skip < it->second.size()) {
            p.hasher->add(it->second.constData() + skip, it->second.size() - skip);
            p.hashed = it->first + it->second.size();
        }
        m_waiting -= it->second.size();
        it = p.ahead.erase(it);
    }
}

std::optional<QByteArray> PieceHasher::finish(int piece, qint64 pieceSize) {
    const auto it = m_pieces.find(piece);
    if (it == m_pieces.end())
        return std::nullopt;
    std::optional<QByteArray> digest;
    if (!it->second.readBack && it->second.hashed == pieceSize && it->second.ahead.empty())
        digest = it->second.hasher->result();
    release(it->second);
    m_pieces.erase(it);
    return digest;
}

void PieceHasher::drop(int piece) {
    const auto it = m_pieces.find(piece);
    if (it == m_pieces.end())
        return;
    release(it->second);
    m_pieces.erase(it);
}

void PieceHasher::clear() {
    m_pieces.clear();
    m_waiting = 0;
}

} // namespace swarmscope
