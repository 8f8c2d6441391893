#pragma once

#include "peer/PiecePicker.h"

#include <QList>
#include <QSet>

#include <deque>
#include <optional>

namespace swarmscope {

// Our requests to one peer, oldest first, and the blocks we gave up on. A block asked for, then withdrawn
// (a CANCEL, or the peer's CHOKE discarding it) may still arrive, and is still good data; a block never asked
// for is not, and the connection drops it.
class RequestQueue {
public:
    struct Sent {
        BlockRequest request;
        qint64 sentUs = 0;
    };

    int size() const { return int(m_sent.size()); }
    bool isEmpty() const { return m_sent.empty(); }
    qint64 bytes() const { return m_bytes; }

    void add(const BlockRequest& request, qint64 nowUs);
    // The request a PIECE answers, removed; nothing when the block was not asked for or was withdrawn.
    std::optional<Sent> take(int piece, int offset, int length);
    // A block that arrived after we withdrew its request: true once per withdrawal.
    bool takeWithdrawn(int piece, int offset);
    // Withdraws one request (false when not pending) or all of them.
    bool withdraw(const BlockRequest& request);
    QList<BlockRequest> withdrawAll();
    // Withdraws the requests for which drop(request) is true, and returns them.
    template <typename Predicate> QList<BlockRequest> withdrawIf(Predicate drop) {
        QList<BlockRequest> out;
        for (auto it = m_sent.begin(); it != m_sent.end();) {
            if (!drop(it->request)) {
                ++it;
                continue;
            }
            out.append(it->request);
            m_bytes -= it->request.length;
            remember(it->request);
            it = m_sent.erase(it);
        }
        return out;
    }

private:
    static quint64 key(int piece, int offset) { return (quint64(quint32(piece)) << 32) | quint32(offset); }
    void remember(const BlockRequest& request);

    std::deque<Sent> m_sent;
    qint64 m_bytes = 0;
    QSet<quint64> m_withdrawn; // bounded: forgotten wholesale when it grows past a few thousand
};

} // namespace swarmscope
