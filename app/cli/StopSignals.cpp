#include "cli/StopSignals.h"

#include <csignal>

namespace swarmscope::cli {

namespace {

volatile std::sig_atomic_t g_stopRequested = 0;

void requestStop(int) {
    g_stopRequested = 1;
}

} // namespace

StopSignals::StopSignals() {
    g_stopRequested = 0;
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
}

StopSignals::~StopSignals() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
}

bool StopSignals::stopRequested() {
    return g_stopRequested != 0;
}

} // namespace swarmscope::cli
