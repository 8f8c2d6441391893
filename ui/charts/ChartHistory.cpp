#include "charts/ChartHistory.h"

#include <QTextStream>

#include <algorithm>
#include <climits>
#include <cmath>

namespace swarmscope::ui {

void ChartHistory::clear() {
    m_recent.clear();
    m_history.clear();
    m_historyStepMs = 1000;
    m_recentTrimmed = false;
    m_columnOfPeer.clear();
    m_peerOfColumn.clear();
}

void ChartHistory::add(const SwarmSnapshot& snapshot) {
    // A lab restarted from zero starts a new history: its times would otherwise run backwards.
    if (!m_recent.empty() && snapshot.timeMs < m_recent.back().timeMs)
        clear();
    if (!m_recent.empty() && snapshot.timeMs == m_recent.back().timeMs)
        return;
    Sample sample;
    sample.timeMs = snapshot.timeMs;
    sample.downloadRate = snapshot.downloadRate;
    sample.uploadRate = snapshot.uploadRate;
    for (const LabPeerSnapshot& p : snapshot.peers) {
        if (!m_columnOfPeer.contains(p.id)) {
            m_columnOfPeer.insert(p.id, int(m_peerOfColumn.size()));
            m_peerOfColumn.append(p.id);
        }
    }
    sample.completion.assign(size_t(m_peerOfColumn.size()), kAbsent);
    for (const LabPeerSnapshot& p : snapshot.peers)
        sample.completion[size_t(m_columnOfPeer.value(p.id))] = quint16(qRound(p.progress() * 10000.0));

    if (m_history.empty() || sample.timeMs - m_history.back().timeMs >= m_historyStepMs) {
        m_history.push_back(sample);
        if (int(m_history.size()) > kMaxSamples) {
            // Halve the resolution of the long history rather than forget its beginning.
            std::deque<Sample> thinned;
            for (size_t i = 0; i < m_history.size(); i += 2)
                thinned.push_back(std::move(m_history[i]));
            m_history = std::move(thinned);
            m_historyStepMs *= 2;
        }
    }
    m_recent.push_back(std::move(sample));
    if (int(m_recent.size()) > kMaxSamples) {
        m_recent.pop_front();
        m_recentTrimmed = true;
    }
}

std::vector<const ChartHistory::Sample*> ChartHistory::window(int windowSeconds, int maxPoints,
                                                              qint64 endMs) const {
    std::vector<const Sample*> all;
    if (m_recent.empty())
        return all;
    // The newest sample at or before endMs (the oldest kept when endMs is before every sample).
    const auto last = std::upper_bound(m_recent.begin(), m_recent.end(), endMs,
                                       [](qint64 t, const Sample& s) { return t < s.timeMs; });
    const Sample* newest = nullptr;
    if (last != m_recent.begin()) {
        newest = &*(last - 1);
    } else {
        const auto old = std::upper_bound(m_history.begin(), m_history.end(), endMs,
                                          [](qint64 t, const Sample& s) { return t < s.timeMs; });
        newest = old != m_history.begin() ? &*(old - 1) : &m_recent.front();
    }
    const qint64 now = newest->timeMs;
    const qint64 from = windowSeconds > 0 ? now - qint64(windowSeconds) * 1000 : LLONG_MIN;
    // The full-rate samples when they reach back far enough, else the thinned history plus the newest.
    const bool recentCovers = !m_recentTrimmed || m_recent.front().timeMs <= from;
    if (recentCovers) {
        for (const Sample& s : m_recent)
            if (s.timeMs >= from && s.timeMs <= now)
                all.push_back(&s);
    } else {
        for (const Sample& s : m_history)
            if (s.timeMs >= from && s.timeMs <= now)
                all.push_back(&s);
        if (all.empty() || all.back()->timeMs != now)
            all.push_back(newest);
    }
    if (maxPoints <= 1 || int(all.size()) <= maxPoints)
        return all;
    std::vector<const Sample*> out;
    const double step = double(all.size() - 1) / (maxPoints - 1);
    out.reserve(size_t(maxPoints));
    for (int i = 0; i < maxPoints; ++i)
        out.push_back(all[size_t(std::lround(i * step))]);
    return out;
}

void ChartHistory::writeRatesCsv(QTextStream& out, int windowSeconds, qint64 endMs) const {
    out << "time_s,download_bytes_per_s,upload_bytes_per_s\n";
    for (const Sample* s : window(windowSeconds, 0, endMs))
        out << QString::number(s->timeMs / 1000.0, 'f', 3) << ',' << s->downloadRate << ',' << s->uploadRate
            << '\n';
}

void ChartHistory::writeCompletionCsv(QTextStream& out, int windowSeconds, qint64 endMs) const {
    const std::vector<const Sample*> samples = window(windowSeconds, 0, endMs);
    auto present = [](const Sample* s, int column) {
        return column < int(s->completion.size()) && s->completion[size_t(column)] != kAbsent;
    };
    // Every peer seen in the window, in the order they joined.
    QList<int> columns;
    for (int column = 0; column < columnCount(); ++column) {
        for (const Sample* s : samples) {
            if (present(s, column)) {
                columns.append(column);
                break;
            }
        }
    }
    out << "time_s";
    for (int column : columns)
        out << ",peer_" << m_peerOfColumn[column];
    out << '\n';
    for (const Sample* s : samples) {
        out << QString::number(s->timeMs / 1000.0, 'f', 3);
        for (int column : columns) {
            out << ',';
            if (present(s, column))
                out << QString::number(s->completion[size_t(column)] / 100.0, 'f', 2);
        }
        out << '\n';
    }
}

} // namespace swarmscope::ui
