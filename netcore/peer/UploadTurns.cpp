#include "peer/UploadTurns.h"

#include <algorithm>

namespace swarmscope {

UploadTurns::UploadTurns(int concurrent, Wake wake)
    : m_concurrent(qMax(0, concurrent)), m_wake(std::move(wake)) {}

std::vector<UploadTurns::Holder>::iterator UploadTurns::holder(Key key) {
    return std::find_if(m_holders.begin(), m_holders.end(), [key](const Holder& h) { return h.key == key; });
}

std::vector<UploadTurns::Holder>::const_iterator UploadTurns::holder(Key key) const {
    return std::find_if(m_holders.begin(), m_holders.end(), [key](const Holder& h) { return h.key == key; });
}

bool UploadTurns::holds(Key key) const {
    return holder(key) != m_holders.end();
}

bool UploadTurns::mayServe(Key key, int piece, bool capped, qint64 nowMs, bool flushed) {
    m_lastNowMs = nowMs;
    if (!capped || m_concurrent == 0) {
        // Uncapped (perhaps just now), or turns are off: nobody needs a turn, and nobody may be left waiting.
        m_holders.clear();
        std::deque<Key> woken;
        woken.swap(m_waiting);
        for (Key k : woken)
            m_wake(k);
        return true;
    }
    const auto it = holder(key);
    if (it != m_holders.end()) {
        if (it->piece == piece || it->piece < 0 || m_waiting.empty()) {
            if (it->piece != piece)
                it->lastMs = nowMs;
            it->piece = piece;
            return true;
        }
        // Its piece is written and others wait: once it has crossed, to the back of the line.
        if (!flushed)
            return false;
        m_holders.erase(it);
        m_waiting.push_back(key);
        grantWaiting();
        return false;
    }
    if (std::find(m_waiting.begin(), m_waiting.end(), key) != m_waiting.end())
        return false;
    if (int(m_holders.size()) < effectiveConcurrent() && m_waiting.empty()) {
        m_holders.push_back({key, piece, nowMs});
        return true;
    }
    m_waiting.push_back(key);
    grantWaiting();
    return false;
}

void UploadTurns::progressed(Key key, qint64 nowMs) {
    m_lastNowMs = nowMs;
    if (const auto it = holder(key); it != m_holders.end())
        it->lastMs = nowMs;
}

void UploadTurns::expire(qint64 nowMs, qint64 staleMs) {
    m_lastNowMs = nowMs;
    if (m_waiting.empty())
        return;
    std::vector<Key> stale;
    for (const Holder& h : m_holders)
        if (nowMs - h.lastMs >= staleMs)
            stale.push_back(h.key);
    for (Key key : stale) {
        m_holders.erase(holder(key));
        m_waiting.push_back(key);
    }
    grantWaiting();
}

void UploadTurns::adapt(qint64 sentBytes, qint64 capBytes) {
    if (m_concurrent == 0 || capBytes <= 0)
        return;
    if (!m_waiting.empty() && sentBytes * 5 < capBytes * 4) { // under 80 % of the cap while others wait
        m_extra = qMin(kMaxExtra, qMax(1, m_extra * 2));
        grantWaiting();
    } else if (m_extra > 0 && sentBytes * 20 >= capBytes * 19) { // 95 %: the link is full
        m_extra /= 2;
    }
}

void UploadTurns::release(Key key) {
    const auto it = holder(key);
    const bool held = it != m_holders.end();
    if (held)
        m_holders.erase(it);
    dropFromLine(key);
    if (held)
        grantWaiting();
}

void UploadTurns::dropFromLine(Key key) {
    m_waiting.erase(std::remove(m_waiting.begin(), m_waiting.end(), key), m_waiting.end());
}

void UploadTurns::grantWaiting() {
    while (int(m_holders.size()) < effectiveConcurrent() && !m_waiting.empty()) {
        const Key next = m_waiting.front();
        m_waiting.pop_front();
        m_holders.push_back({next, -1, m_lastNowMs}); // its piece is whatever it sends first
        m_wake(next);
    }
}

} // namespace swarmscope
