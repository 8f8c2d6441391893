#pragma once

#include "swarm/ProcessUsage.h"
#include "swarm/TimeMode.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace swarmscope {
class SwarmLab;
}

namespace swarmscope::cli {

class CommandLine;

// What `swarm` reports at the end of a run, however the swarm was described (flags or a scenario file): the
// table of leechers and the summary on stdout, and the results as JSON (DESIGN.md's `swarm --json`).
struct SwarmReport {
    qint64 fileSize = 0;
    qint64 pieceSize = 0;
    int seeders = 0;
    struct Leecher {
        int peer = 0;
        double seconds = -1; // from joining to completing; negative: did not complete
    };
    QList<Leecher> leechers;
    double boundSeconds = 0; // Kumar–Ross; NaN when undefined
    bool verified = false;
    int verifiedCount = 0;
    bool timedOut = false;
    bool interrupted = false;
    TimeMode time = TimeMode::Real;
    quint32 seed = 0;
    double labSeconds = 0;
    double wallSeconds = 0;
    ProcessUsage usage;
    int connectionsPerPeer = 0;
    bool connectionsFitted = false;
    qint64 openFileLimit = 0;
    QString keptDirectory; // printed when set
    // More keys for the JSON (a scenario's name and stop reason, ...), after the standard ones.
    QJsonObject extra;

    int completedCount() const;
    bool allCompleted() const { return !leechers.isEmpty() && completedCount() == leechers.size(); }
};

// The table (one row per leecher) and the summary lines, on stdout.
void printSwarmReport(const SwarmReport& report);
// The JSON results; in simulated time only what the seed determines, so that the same run gives the same
// bytes. Throws RuntimeFailure when the file cannot be written.
void writeSwarmJson(const SwarmReport& report, const QString& path);

// Checks --json FILE and --timeline FILE before the run (throws BadInput) and returns them.
struct SwarmOutputFiles {
    QString json;
    QString timeline;
    QString record;
};
SwarmOutputFiles swarmOutputFiles(const CommandLine& cl);

// Announces "stopped" for every peer of the lab and waits for it; the lab bounds how long that takes.
void shutdownLab(SwarmLab& lab);

// Progress on stderr while a swarm runs: one redrawn line on a terminal, a line per tenth through a pipe.
class SwarmProgressLine {
public:
    SwarmProgressLine();
    void show(int completed, int leechers, double fraction, qint64 downloadRate, double labSeconds);
    void finish();

private:
    bool m_terminal;
    bool m_drewLine = false;
    int m_lastDecile = -1;
};

} // namespace swarmscope::cli
