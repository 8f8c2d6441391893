#include "peer/PeerCandidates.h"

namespace swarmscope {

namespace {
constexpr qint64 kMaxDelayMs = 300'000;
}

qsizetype PeerCandidates::indexOf(const QHostAddress& address, quint16 port) const {
    for (qsizetype i = 0; i < m_list.size(); ++i)
        if (m_list[i].port == port && m_list[i].address.isEqual(address, QHostAddress::TolerantConversion))
            return i;
    return -1;
}

bool PeerCandidates::add(const QHostAddress& address, quint16 port, const QByteArray& peerId, qint64 nowMs,
                         const QByteArray& source) {
    if (address.isNull() || port == 0)
        return false;
    if (const qsizetype i = indexOf(address, port); i >= 0) {
        if (m_list[i].peerId.isEmpty())
            m_list[i].peerId = peerId;
        return false;
    }
    m_list.append({address, port, peerId, 0, nowMs, false, source});
    return true;
}

std::optional<PeerCandidates::Candidate> PeerCandidates::takeDue(qint64 nowMs) {
    for (Candidate& c : m_list) {
        if (!c.active && c.dueMs <= nowMs) {
            c.active = true;
            return c;
        }
    }
    return std::nullopt;
}

void PeerCandidates::succeeded(const QHostAddress& address, quint16 port) {
    if (const qsizetype i = indexOf(address, port); i >= 0) {
        m_list[i].failures = 0;
        m_list[i].active = true;
    }
}

void PeerCandidates::failed(const QHostAddress& address, quint16 port, qint64 nowMs) {
    const qsizetype i = indexOf(address, port);
    if (i < 0)
        return;
    Candidate& c = m_list[i];
    c.active = false;
    if (++c.failures >= m_maxAttempts) {
        m_list.removeAt(i);
        return;
    }
    c.dueMs = nowMs + qMin(m_delayMs << qMin(c.failures - 1, 16), kMaxDelayMs);
}

void PeerCandidates::closed(const QHostAddress& address, quint16 port, qint64 nowMs) {
    if (const qsizetype i = indexOf(address, port); i >= 0) {
        m_list[i].active = false;
        m_list[i].dueMs = nowMs + m_delayMs;
    }
}

void PeerCandidates::remove(const QHostAddress& address, quint16 port) {
    if (const qsizetype i = indexOf(address, port); i >= 0)
        m_list.removeAt(i);
}

void PeerCandidates::makeAllDue(qint64 nowMs) {
    for (Candidate& c : m_list)
        if (!c.active)
            c.dueMs = qMin(c.dueMs, nowMs);
}

int PeerCandidates::dueCount(qint64 nowMs) const {
    int n = 0;
    for (const Candidate& c : m_list)
        n += (!c.active && c.dueMs <= nowMs) ? 1 : 0;
    return n;
}

} // namespace swarmscope
