#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QHash>
#include <QList>

#include <deque>

namespace swarmscope::ui {

// Who sent how many bytes to whom, from the snapshots' per-connection byte counters: each snapshot adds, for
// every connection between two lab peers, what the sender's counter of bytes sent over it grew by since the
// previous snapshot (a connection new since then adds its whole counter). Counted at the sender, once per
// byte, as the lab counts uploads. Kept per second for the last ten minutes, and in total for the whole run,
// so any of the charts' time windows can be summed.
class TransferMatrix {
public:
    // Seconds of per-second history kept: the longest time window the charts offer.
    static constexpr int kMaxWindowSeconds = 600;

    void add(const SwarmSnapshot& snapshot);
    void clear();

    // 0: the whole run.
    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }

    // The peers of the newest snapshot, ascending: the rows and the columns.
    QList<int> peers() const { return m_peers; }
    // Bytes sender sent receiver in the window.
    qint64 bytes(int sender, int receiver) const;
    qint64 sentBy(int sender) const;
    qint64 receivedBy(int receiver) const;
    qint64 total() const;
    qint64 largestCell() const;
    // The lab time the window covers, for averages: from its start (or the first snapshot) to the newest.
    qint64 spanMs() const;
    qint64 nowMs() const { return m_nowMs; }

private:
    static quint64 pairKey(int sender, int receiver) {
        return (quint64(quint32(sender)) << 32) | quint32(receiver);
    }
    struct Bin {
        qint64 second = 0; // lab time / 1000
        QHash<quint64, qint64> bytes;
    };
    void rebuildWindow();

    QHash<quint64, qint64> m_lastCounter; // (peer, connection id) -> bytes sent over it at the last snapshot
    bool m_haveBaseline = false;
    std::deque<Bin> m_bins;          // oldest first
    QHash<quint64, qint64> m_total;  // the whole run
    QHash<quint64, qint64> m_window; // the sums for the current window
    QList<int> m_peers;
    int m_windowSeconds = 120;
    qint64 m_firstMs = -1;
    qint64 m_nowMs = 0;
};

} // namespace swarmscope::ui
