#pragma once

#include "swarm/SwarmSnapshot.h"

#include <QFile>
#include <QString>

namespace swarmscope::cli {

// `swarm --timeline FILE`: every peer's state over the run, as CSV, for plotting and for seeing where an
// experiment lost time. One row per peer per sample, a sample every intervalMs of lab time:
//
//   time_s,peer,role,state,pieces,piece_count,downloaded,uploaded,download_rate,upload_rate,wasted,connections
//
// Rows are written as they come, so an interrupted run keeps what it recorded.
class SwarmTimeline {
public:
    static constexpr qint64 kDefaultIntervalMs = 250;

    // Opens (truncates) path; throws RuntimeFailure when it cannot.
    explicit SwarmTimeline(const QString& path, qint64 intervalMs = kDefaultIntervalMs);

    // Writes a sample when the snapshot is at least intervalMs after the previous one, and always when
    // force is set (the last snapshot of the run).
    void record(const SwarmSnapshot& snapshot, bool force = false);
    // Flushes; throws RuntimeFailure if anything could not be written.
    void finish();

private:
    QFile m_file;
    qint64 m_intervalMs;
    qint64 m_lastMs = -1;
    bool m_failed = false;
};

} // namespace swarmscope::cli
