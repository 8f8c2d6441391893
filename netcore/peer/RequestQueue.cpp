#include "peer/RequestQueue.h"

namespace swarmscope {

namespace {
constexpr int kMaxWithdrawn = 4096;
}

void RequestQueue::add(const BlockRequest& request, qint64 nowUs) {
    m_sent.push_back({request, nowUs});
    m_bytes += request.length;
    m_withdrawn.remove(key(request.piece, request.offset));
}

std::optional<RequestQueue::Sent> RequestQueue::take(int piece, int offset, int length) {
    // Peers answer in order, so this is almost always the front.
    for (auto it = m_sent.begin(); it != m_sent.end(); ++it) {
        if (it->request.piece == piece && it->request.offset == offset && it->request.length == length) {
            Sent sent = *it;
            m_bytes -= length;
            m_sent.erase(it);
            return sent;
        }
    }
    return std::nullopt;
}

bool RequestQueue::takeWithdrawn(int piece, int offset) {
    return m_withdrawn.remove(key(piece, offset));
}

void RequestQueue::remember(const BlockRequest& request) {
    if (m_withdrawn.size() >= kMaxWithdrawn)
        m_withdrawn.clear();
    m_withdrawn.insert(key(request.piece, request.offset));
}

bool RequestQueue::withdraw(const BlockRequest& request) {
    for (auto it = m_sent.begin(); it != m_sent.end(); ++it) {
        if (it->request == request) {
            m_bytes -= request.length;
            m_sent.erase(it);
            remember(request);
            return true;
        }
    }
    return false;
}

QList<BlockRequest> RequestQueue::withdrawAll() {
    return withdrawIf([](const BlockRequest&) { return true; });
}

} // namespace swarmscope
