#include "matrix/TransferMatrix.h"

#include <algorithm>

namespace swarmscope::ui {

void TransferMatrix::clear() {
    m_lastCounter.clear();
    m_haveBaseline = false;
    m_bins.clear();
    m_total.clear();
    m_window.clear();
    m_peers.clear();
    m_firstMs = -1;
    m_nowMs = 0;
}

void TransferMatrix::setWindowSeconds(int seconds) {
    m_windowSeconds = qBound(0, seconds, kMaxWindowSeconds);
    rebuildWindow();
}

void TransferMatrix::add(const SwarmSnapshot& snapshot) {
    // A lab started afresh: its times and counters begin again.
    if (snapshot.timeMs < m_nowMs)
        clear();
    m_nowMs = snapshot.timeMs;
    if (m_firstMs < 0)
        m_firstMs = snapshot.timeMs;
    m_peers.clear();
    for (const LabPeerSnapshot& p : snapshot.peers)
        m_peers.append(p.id);

    QHash<quint64, qint64> counters;
    QHash<quint64, qint64> moved;
    for (const LabPeerSnapshot& p : snapshot.peers) {
        for (const LabConnectionSnapshot& c : p.connections) {
            // Connection ids are unique within a client; a restarted client starts them afresh, but its old
            // connections are gone by then, so (peer, id) names one connection for as long as it lives.
            const quint64 key = (quint64(quint32(p.id)) << 40) ^ c.info.id;
            counters.insert(key, c.info.uploaded);
            if (c.remotePeer <= 0 || c.remotePeer == p.id || !m_haveBaseline)
                continue;
            const auto last = m_lastCounter.constFind(key);
            // New since the last snapshot: every byte it has sent was sent since then.
            qint64 delta = last == m_lastCounter.cend() ? c.info.uploaded : c.info.uploaded - *last;
            if (delta < 0)
                delta = c.info.uploaded; // a counter that went back is a new one
            if (delta > 0)
                moved[pairKey(p.id, c.remotePeer)] += delta;
        }
    }
    // The first snapshot seen is the baseline: what was sent before the matrix watched is not in it.
    m_haveBaseline = true;
    m_lastCounter = std::move(counters);

    if (!moved.isEmpty()) {
        const qint64 second = snapshot.timeMs / 1000;
        if (m_bins.empty() || m_bins.back().second != second)
            m_bins.push_back({second, {}});
        for (auto it = moved.cbegin(); it != moved.cend(); ++it) {
            m_bins.back().bytes[it.key()] += it.value();
            m_total[it.key()] += it.value();
        }
    }
    while (!m_bins.empty() && m_bins.front().second <= snapshot.timeMs / 1000 - kMaxWindowSeconds)
        m_bins.pop_front();
    rebuildWindow();
}

void TransferMatrix::rebuildWindow() {
    if (m_windowSeconds == 0) {
        m_window = m_total;
        return;
    }
    m_window.clear();
    // Whole seconds: the window holds the current second and the windowSeconds - 1 before it.
    const qint64 first = m_nowMs / 1000 - m_windowSeconds + 1;
    for (const Bin& bin : m_bins) {
        if (bin.second < first)
            continue;
        for (auto it = bin.bytes.cbegin(); it != bin.bytes.cend(); ++it)
            m_window[it.key()] += it.value();
    }
}

qint64 TransferMatrix::bytes(int sender, int receiver) const {
    return m_window.value(pairKey(sender, receiver), 0);
}

qint64 TransferMatrix::sentBy(int sender) const {
    qint64 sum = 0;
    for (auto it = m_window.cbegin(); it != m_window.cend(); ++it)
        if (int(it.key() >> 32) == sender)
            sum += it.value();
    return sum;
}

qint64 TransferMatrix::receivedBy(int receiver) const {
    qint64 sum = 0;
    for (auto it = m_window.cbegin(); it != m_window.cend(); ++it)
        if (int(it.key() & 0xffffffffu) == receiver)
            sum += it.value();
    return sum;
}

qint64 TransferMatrix::total() const {
    qint64 sum = 0;
    for (qint64 v : m_window)
        sum += v;
    return sum;
}

qint64 TransferMatrix::largestCell() const {
    qint64 largest = 0;
    for (auto it = m_window.cbegin(); it != m_window.cend(); ++it)
        if (m_peers.contains(int(it.key() >> 32)) && m_peers.contains(int(it.key() & 0xffffffffu)))
            largest = std::max(largest, it.value());
    return largest;
}

qint64 TransferMatrix::spanMs() const {
    if (m_firstMs < 0)
        return 0;
    const qint64 from =
        m_windowSeconds > 0 ? std::max(m_firstMs, m_nowMs - qint64(m_windowSeconds) * 1000) : m_firstMs;
    return m_nowMs - from;
}

} // namespace swarmscope::ui
