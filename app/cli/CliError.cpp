#include "cli/CliError.h"

#include <cstdio>

namespace swarmscope::cli {

void printError(const QString& message) {
    std::fprintf(stderr, "swarmscope: error: %s\n", message.toUtf8().constData());
    std::fflush(stderr);
}

} // namespace swarmscope::cli
