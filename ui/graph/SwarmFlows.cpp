#include "graph/SwarmFlows.h"

#include <QSet>

#include <algorithm>
#include <vector>

namespace swarmscope::ui {

namespace {

quint64 key(int from, int to) {
    return (quint64(quint32(from)) << 32) | quint32(to);
}

} // namespace

void SwarmFlows::clear() {
    m_state.clear();
    m_flows.clear();
    m_scaleMax = kMinScale;
    m_lastTimeMs = -1;
    m_flowing = 0;
    m_connections = 0;
}

void SwarmFlows::update(const SwarmSnapshot& snapshot) {
    // A lab started afresh: times would run backwards.
    if (snapshot.timeMs < m_lastTimeMs)
        clear();
    m_lastTimeMs = snapshot.timeMs;

    // Both ends report a connection: the sender its upload rate, the receiver its download rate. Each is
    // the same bytes counted at one end, so a direction's rate is the larger of the two reports.
    // Who is in the snapshot, by id, looked up for every connection and every flow: a table when the ids
    // are dense (they count up from 1), a search otherwise.
    int maxId = 0;
    qsizetype connections = 0;
    for (const LabPeerSnapshot& p : snapshot.peers) {
        maxId = qMax(maxId, p.id);
        connections += p.connections.size();
    }
    const bool dense = maxId <= 16 * snapshot.peers.size() + 1024;
    std::vector<bool> presentIds(dense ? size_t(maxId) + 1 : 0);
    if (dense)
        for (const LabPeerSnapshot& p : snapshot.peers)
            if (p.id > 0)
                presentIds[size_t(p.id)] = true;
    const auto present = [&](int id) {
        if (id <= 0)
            return false;
        return dense ? id <= maxId && presentIds[size_t(id)] : snapshot.peer(id) != nullptr;
    };
    QHash<quint64, qint64> now;
    now.reserve(2 * connections);
    QSet<quint64> pairs;
    pairs.reserve(connections);
    for (const LabPeerSnapshot& p : snapshot.peers) {
        for (const LabConnectionSnapshot& c : p.connections) {
            if (c.remotePeer <= 0 || c.remotePeer == p.id || !present(c.remotePeer))
                continue;
            pairs.insert(key(qMin(p.id, c.remotePeer), qMax(p.id, c.remotePeer)));
            qint64& out = now[key(p.id, c.remotePeer)];
            out = qMax(out, c.info.uploadRate);
            qint64& in = now[key(c.remotePeer, p.id)];
            in = qMax(in, c.info.downloadRate);
        }
    }
    m_connections = int(pairs.size());

    qint64 busiest = 0;
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        if (it.value() < kMinRate)
            continue;
        State& s = m_state[it.key()];
        s.rate = it.value();
        s.lastFlowingMs = snapshot.timeMs;
        busiest = qMax(busiest, it.value());
    }
    // The scale jumps up to a new busiest flow and sinks towards a lower one by a tenth per snapshot, so a
    // brief lull does not blow every line up to full width.
    if (busiest >= m_scaleMax)
        m_scaleMax = busiest;
    else
        m_scaleMax = std::max({kMinScale, busiest, qint64(double(m_scaleMax) * 0.9)});

    m_flows.clear();
    m_flowing = 0;
    for (auto it = m_state.begin(); it != m_state.end();) {
        const int from = int(it.key() >> 32);
        const int to = int(it.key() & 0xffffffffu);
        const qint64 rate = now.value(it.key(), 0);
        const bool flowing = rate >= kMinRate;
        const qint64 since = snapshot.timeMs - it->lastFlowingMs;
        // A peer that left takes its flows with it at once: there is nobody to draw them to.
        if ((!flowing && since >= kFadeMs) || !present(from) || !present(to)) {
            it = m_state.erase(it);
            continue;
        }
        Flow flow;
        flow.from = from;
        flow.to = to;
        flow.rate = flowing ? rate : 0;
        flow.shownRate = it->rate;
        flow.opacity = flowing ? 1.0 : 1.0 - double(since) / kFadeMs;
        m_flowing += flowing ? 1 : 0;
        m_flows.push_back(flow);
        ++it;
    }
    std::sort(m_flows.begin(), m_flows.end(), [](const Flow& a, const Flow& b) {
        if (a.flowing() != b.flowing())
            return a.flowing();
        if (a.shownRate != b.shownRate)
            return a.shownRate > b.shownRate;
        return a.from != b.from ? a.from < b.from : a.to < b.to;
    });
}

double SwarmFlows::level(qint64 rate) const {
    if (rate <= 0 || m_scaleMax <= 0)
        return 0.0;
    return qBound(0.0, double(rate) / double(m_scaleMax), 1.0);
}

} // namespace swarmscope::ui
