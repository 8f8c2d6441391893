#!/usr/bin/env bash
# Scale on real sockets (DESIGN.md, "How the targets are measured"; issue 10): one `swarmscope swarm` process
# runs 1 seeder and LEECHERS leechers sharing 8 MiB over loopback, no caps. It must complete with every
# leecher's data verified. The script reports wall time, CPU time, CPU per delivered MiB (the cost that must
# grow linearly with the swarm), peak resident memory per peer (target <= 2 MiB) and the connections per peer
# the lab chose to fit the open-file limit.
#
# Usage: tests/bench/scale.sh [LEECHERS] [PIECE_SIZE]
#   LEECHERS     leechers besides the one seeder (default: 299)
#   PIECE_SIZE   e.g. 16KiB, 256KiB, 1MiB (default: 256KiB)
# Environment:
#   SWARMSCOPE   the swarmscope executable (default: build/release/app/swarmscope)
#   TIMEOUT      seconds before the run counts as failed (default: 600)
#
# A growth table: for n in 149 299 599 999; do tests/bench/scale.sh $n; done
set -euo pipefail

leechers=${1:-299}
piece=${2:-256KiB}
root=$(cd "$(dirname "$0")/../.." && pwd)
swarmscope=${SWARMSCOPE:-$root/build/release/app/swarmscope}

die() {
    echo "scale: $*" >&2
    exit 1
}

[ -x "$swarmscope" ] || die "$swarmscope is not an executable (set SWARMSCOPE)"
command -v python3 >/dev/null || die "python3 is needed to read the JSON results"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
json=$work/scale.json

cmd=("$swarmscope" swarm --seeders 1 --leechers "$leechers" --size 8MiB --piece-size "$piece"
    --timeout "${TIMEOUT:-600}" --json "$json")
echo "command: ${cmd[*]}"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), open files $(ulimit -Hn) (hard)"
start=$(date +%s%N)
status=0
"${cmd[@]}" >"$work/out" 2>"$work/err" || status=$?
end=$(date +%s%N)
[ -s "$json" ] || die "no results (exit $status): $(tail -n 3 "$work/err")"

python3 - "$json" "$status" "$(((end - start) / 1000000))" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
status, wall_ms = int(sys.argv[2]), int(sys.argv[3])
peers = d["seeders"] + d["leechers"]
rss = d["rss_per_peer_bytes"] / 1048576
delivered = d["completed"] * d["file_size"] / 1048576
print(f'peers: {peers} ({d["seeders"]} seeder, {d["leechers"]} leechers), {d["file_size"] / 1048576:.0f} MiB in pieces of {d["piece_size"] // 1024} KiB')
print(f'completed: {d["completed"]} of {d["leechers"]}, verified: {str(d["verified"]).lower()}')
print(f'connections: at most {d["connections_per_peer"]} per peer')
print(f'slowest leecher: {d["max_completion_s"]} s; process wall time {wall_ms / 1000:.1f} s')
print(f'peak RSS: {d["peak_rss_bytes"] / 1048576:.0f} MiB, {rss:.2f} MiB per peer (target <= 2 MiB)')
print(f'CPU: {d["cpu_s"]:.1f} s (user + system, all threads), {1000 * d["cpu_s"] / max(delivered, 1):.1f} ms per delivered MiB')
print(f'row: | {peers} | {d["piece_size"] // 1024} KiB | {d["connections_per_peer"]} | {"verified" if d["verified"] else "NOT verified"} | {wall_ms / 1000:.1f} s | {d["cpu_s"]:.1f} s | {1000 * d["cpu_s"] / max(delivered, 1):.1f} ms | {rss:.2f} MiB |')
sys.exit(0 if status == 0 and d["verified"] else 1)
PY
