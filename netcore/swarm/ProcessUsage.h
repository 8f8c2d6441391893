#pragma once

#include <QtGlobal>

namespace swarmscope {

// What this process has used so far, for the lab's scale figures: resident memory and CPU time.
struct ProcessUsage {
    qint64 residentBytes = -1;     // VmRSS now; -1 when /proc is unavailable
    qint64 peakResidentBytes = -1; // VmHWM: the high-water mark
    double cpuSeconds = 0;         // user + system, every thread

    static ProcessUsage current();
};

} // namespace swarmscope
