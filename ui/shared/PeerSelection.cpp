#include "shared/PeerSelection.h"

#include <algorithm>

namespace swarmscope::ui {

namespace {

QList<int> sortedUnique(QList<int> peers) {
    peers.removeAll(0);
    std::sort(peers.begin(), peers.end());
    peers.erase(std::unique(peers.begin(), peers.end()), peers.end());
    return peers;
}

} // namespace

PeerSelection::PeerSelection(QObject* parent) : QObject(parent) {}

bool PeerSelection::contains(int peer) const {
    return std::binary_search(m_peers.cbegin(), m_peers.cend(), peer);
}

void PeerSelection::setPeers(const QList<int>& peers, int current) {
    const QList<int> sorted = sortedUnique(peers);
    int newCurrent = 0;
    if (!sorted.isEmpty())
        newCurrent = std::binary_search(sorted.cbegin(), sorted.cend(), current) ? current : sorted.first();
    if (sorted == m_peers && newCurrent == m_current)
        return;
    m_peers = sorted;
    m_current = newCurrent;
    if (!contains(m_anchor))
        m_anchor = m_current;
    emit changed();
}

void PeerSelection::selectOnly(int peer) {
    m_anchor = peer;
    setPeers(peer > 0 ? QList<int>{peer} : QList<int>{}, peer);
}

void PeerSelection::click(int peer, Qt::KeyboardModifiers modifiers, const QList<int>& order) {
    if (peer <= 0)
        return;
    const bool ctrl = modifiers & Qt::ControlModifier;
    const bool shift = modifiers & Qt::ShiftModifier;
    if (shift && m_anchor > 0 && order.contains(m_anchor) && order.contains(peer)) {
        const qsizetype a = order.indexOf(m_anchor);
        const qsizetype b = order.indexOf(peer);
        QList<int> run = order.mid(qMin(a, b), qAbs(a - b) + 1);
        if (ctrl)
            run += m_peers;
        const int anchor = m_anchor;
        setPeers(run, peer);
        m_anchor = anchor; // a second Shift+click extends from the same place
        return;
    }
    if (ctrl) {
        QList<int> peers = m_peers;
        int current = peer;
        if (contains(peer)) {
            peers.removeAll(peer);
            current = m_current == peer ? (peers.isEmpty() ? 0 : peers.last()) : m_current;
        } else {
            peers.append(peer);
        }
        m_anchor = peer;
        setPeers(peers, current);
        return;
    }
    selectOnly(peer);
}

void PeerSelection::band(const QList<int>& peers, Qt::KeyboardModifiers modifiers) {
    const bool add = modifiers & (Qt::ControlModifier | Qt::ShiftModifier);
    QList<int> chosen = peers;
    if (add)
        chosen += m_peers;
    const int current = contains(m_current) && add ? m_current : (peers.isEmpty() ? 0 : peers.first());
    setPeers(chosen, current);
    m_anchor = m_current;
}

void PeerSelection::retain(const QList<int>& existing) {
    QList<int> kept;
    for (int peer : m_peers)
        if (existing.contains(peer))
            kept.append(peer);
    if (kept.size() != m_peers.size())
        setPeers(kept, m_current);
}

} // namespace swarmscope::ui
