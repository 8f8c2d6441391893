#pragma once

namespace swarmscope::cli {

// SIGINT and SIGTERM ask a long run to stop cleanly while this object lives; the default handling comes back
// when it goes. A run polls stopRequested().
class StopSignals {
public:
    StopSignals();
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    static bool stopRequested();
};

} // namespace swarmscope::cli
