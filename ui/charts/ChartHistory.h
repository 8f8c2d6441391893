#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QHash>
#include <QList>

#include <deque>
#include <limits>
#include <vector>

class QTextStream;

namespace swarmscope::ui {

// What the time charts draw: the swarm's rates and every peer's completion, one sample per snapshot, in
// bounded memory. Two tiers: every sample of the last kMaxSamples snapshots (ten minutes at 10 Hz), and a
// thinned history of the whole run whose spacing doubles whenever it fills up, so "all" stays available for
// hours at a fixed cost.
class ChartHistory {
public:
    struct Sample {
        qint64 timeMs = 0;
        qint64 downloadRate = 0;
        qint64 uploadRate = 0;
        std::vector<quint16> completion; // per peer column, in 1/10000; kAbsent: not in the lab then
    };
    static constexpr quint16 kAbsent = 0xffff;
    static constexpr int kMaxSamples = 6000; // per tier

    void add(const SwarmSnapshot& snapshot);
    void clear();
    bool isEmpty() const { return m_recent.empty(); }

    // The samples of the last windowSeconds (everything kept when 0) up to endMs, oldest first, evenly
    // thinned to at most maxPoints (0: all of them); the newest of them is always included.
    std::vector<const Sample*> window(int windowSeconds, int maxPoints, qint64 endMs = kLatest) const;
    static constexpr qint64 kLatest = std::numeric_limits<qint64>::max();

    // The column of a peer's completion in Sample::completion, or -1.
    int columnOf(int peerId) const { return m_columnOfPeer.value(peerId, -1); }
    int peerOfColumn(int column) const { return m_peerOfColumn.value(column); }
    int columnCount() const { return int(m_peerOfColumn.size()); }

    // The data behind the charts, as CSV with a header line.
    void writeRatesCsv(QTextStream& out, int windowSeconds, qint64 endMs = kLatest) const;
    void writeCompletionCsv(QTextStream& out, int windowSeconds, qint64 endMs = kLatest) const;

private:
    std::deque<Sample> m_recent;  // every sample, bounded by kMaxSamples
    std::deque<Sample> m_history; // one sample per m_historyStepMs, bounded by kMaxSamples
    qint64 m_historyStepMs = 1000;
    bool m_recentTrimmed = false; // m_recent no longer reaches back to the first sample
    QHash<int, int> m_columnOfPeer;
    QList<int> m_peerOfColumn;
};

} // namespace swarmscope::ui
