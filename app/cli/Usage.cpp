#include "cli/Commands.h"

namespace swarmscope::cli {

QString usageText() {
    return QStringLiteral(
        "Swarmscope: a BitTorrent swarm lab.\n"
        "\n"
        "Usage:\n"
        "  swarmscope                        the desktop lab, with an embedded tracker on 127.0.0.1\n"
        "  swarmscope --demo                 the desktop lab with a demo swarm already running\n"
        "  swarmscope [--demo] --time simulated [--seed N]\n"
        "                                    the desktop lab on a simulated network and a virtual clock\n"
        "  swarmscope [--demo] --screenshot FILE [--after SECONDS]\n"
        "                                    save a PNG of the window after SECONDS (default 2), then quit\n"
        "  swarmscope --replay FILE [--at SECONDS] [--screenshot FILE]\n"
        "                                    the desktop lab replaying a recording, at that moment\n"
        "  swarmscope create PATH [-o FILE] [--piece-size SIZE] [--tracker URL]... [--private]\n"
        "                    [--comment TEXT] [--no-date]\n"
        "  swarmscope inspect TORRENT|MAGNET [--json]\n"
        "  swarmscope verify TORRENT DIR\n"
        "  swarmscope tracker [--listen HOST:PORT] [--udp-listen HOST:PORT|off] [--interval SECONDS]\n"
        "  swarmscope peer --role seeder|leecher (--torrent FILE | --file PATH_OR_NAME) [--tracker URL] "
        "[--dir DIR]\n"
        "                  [--listen HOST:PORT] [--latency MS] [--up RATE] [--down RATE] [--exit-when-done]\n"
        "  swarmscope peer --magnet URI [--dir DIR] [--tracker URL] [--listen HOST:PORT] [--exit-when-done]\n"
        "  swarmscope observe (--torrent FILE | --magnet URI) [--tracker URL] [--listen HOST:PORT]\n"
        "                     [--interval SECONDS] [--duration SECONDS] [--json]\n"
        "                                    watch a swarm the lab does not run, downloading nothing\n"
        "  swarmscope swarm [--seeders N] [--leechers N] [--size SIZE | --file PATH] [--piece-size SIZE]\n"
        "                   [--latency MS] [--seed-up RATE] [--up RATE] [--down RATE] [--json FILE] "
        "[--timeout S]\n"
        "  swarmscope swarm --scenario FILE [--json FILE] [--timeline FILE] [--record FILE] [--time "
        "real|simulated] [--seed N]\n"
        "  swarmscope experiment NAME [--out DIR] [--runs K] [--seed N] | --list\n"
        "  swarmscope --help | --version\n"
        "\n"
        "SIZE is like 16KiB, 256KiB, 64MiB, 1GiB. RATE is like 1MiB/s; 0 means unlimited.\n"
        "Bad input exits with code 2, a failure at run time with code 1.\n"
        "Run 'swarmscope COMMAND --help' for a command's options.\n");
}

} // namespace swarmscope::cli
