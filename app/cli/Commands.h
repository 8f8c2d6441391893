#pragma once

#include <QStringList>

namespace swarmscope::cli {

// Each subcommand takes its own arguments (after the subcommand's name) and returns the process exit code.
// Bad input is thrown as BadInput, failures at run time as RuntimeFailure.
int runCreate(const QStringList& args);
int runInspect(const QStringList& args);
int runVerify(const QStringList& args);
int runTracker(const QStringList& args);
int runPeer(const QStringList& args);
int runObserve(const QStringList& args);
int runSwarm(const QStringList& args);
int runExperiment(const QStringList& args);

// The top-level usage text.
QString usageText();

} // namespace swarmscope::cli
