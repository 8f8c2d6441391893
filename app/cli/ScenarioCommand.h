#pragma once

namespace swarmscope::cli {

class CommandLine;

// `swarmscope swarm --scenario FILE`: runs the swarm a scenario file describes, headless, with the same
// table, summary, --json and --timeline as `swarm`. --time and --seed override the file's.
int runSwarmScenario(const CommandLine& cl);

} // namespace swarmscope::cli
