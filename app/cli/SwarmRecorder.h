#pragma once

#include "record/Recording.h"

#include <QString>

namespace swarmscope {
class SwarmLab;
}

namespace swarmscope::cli {

// `swarm --record FILE`: the run as a recording (netcore/record), the same format as the window's File →
// Save Recording, so `swarmscope --replay FILE` and File → Open Recording show any moment of it. Frames are
// the lab's samples on its grid of lab time; the lab's control log goes in at the end.
class SwarmRecorder {
public:
    // Every peer's connections are in the samples too (the graph and the who-sent-what matrix need them).
    static constexpr qint64 kIntervalMs = 250;

    explicit SwarmRecorder(const QString& path) : m_path(path) {}

    void record(const SwarmSnapshot& sample) { m_recording.append(sample); }
    // Adds the lab's controls and meta and writes the file; throws RuntimeFailure when it cannot.
    void finish(const SwarmLab& lab);

private:
    QString m_path;
    Recording m_recording;
};

} // namespace swarmscope::cli
