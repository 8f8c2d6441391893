#!/usr/bin/env bash
# Scale (DESIGN.md, "How the targets are measured"): one `swarmscope swarm` process runs 1 seeder and 299
# leechers sharing 8 MiB over loopback, no caps. It must complete with every leecher's data verified; the
# script reports the peak resident memory per peer (target <= 2 MiB) and the CPU time.
#
# Usage: tests/bench/scale.sh [LEECHERS]
#   LEECHERS     leechers besides the one seeder (default: 299)
# Environment:
#   SWARMSCOPE   the swarmscope executable (default: build/release/app/swarmscope)
#   TIMEOUT      seconds before the run counts as failed (default: 600)
set -euo pipefail

leechers=${1:-299}
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

cmd=("$swarmscope" swarm --seeders 1 --leechers "$leechers" --size 8MiB --timeout "${TIMEOUT:-600}" --json "$json")
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
print(f'peers: {peers} ({d["seeders"]} seeder, {d["leechers"]} leechers), {d["file_size"] / 1048576:.0f} MiB in pieces of {d["piece_size"] // 1024} KiB')
print(f'completed: {d["completed"]} of {d["leechers"]}, verified: {str(d["verified"]).lower()}')
print(f'slowest leecher: {d["max_completion_s"]} s; process wall time {wall_ms / 1000:.1f} s')
print(f'peak RSS: {d["peak_rss_bytes"] / 1048576:.0f} MiB, {rss:.2f} MiB per peer (target <= 2 MiB)')
print(f'CPU: {d["cpu_s"]:.1f} s (user + system, all threads)')
sys.exit(0 if status == 0 and d["verified"] else 1)
PY
