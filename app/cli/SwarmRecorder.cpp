#include "cli/SwarmRecorder.h"

#include "cli/CliError.h"

#include "swarm/SwarmLab.h"

#include "Version.h"

namespace swarmscope::cli {

void SwarmRecorder::finish(const SwarmLab& lab) {
    m_recording.setMeta({lab.timeMode(), lab.seed(), QStringLiteral("Swarmscope " SWARMSCOPE_VERSION)});
    for (const LabControlChange& change : lab.controlLog())
        m_recording.appendControl(change);
    QString error;
    if (!m_recording.save(m_path, &error))
        throw RuntimeFailure(QStringLiteral("cannot write the recording: %1").arg(error), m_path);
}

} // namespace swarmscope::cli
