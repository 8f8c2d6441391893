#!/usr/bin/env bash
# Swarm efficiency (DESIGN.md, "How the targets are measured"): one seeder at 4 MiB/s and 20 leechers at
# 1 MiB/s up share 16 MiB in 256 KiB pieces, all in one `swarmscope swarm` process. The score is the slowest
# leecher's completion time over the Kumar–Ross bound (here 20 * 16 MiB / 24 MiB/s = 13.33 s). Target:
# ratio <= 1.20; libtorrent, in the same set-up, measured 1.53.
#
# Usage: tests/bench/swarm-efficiency.sh [RUNS]
#   RUNS         runs of the swarm (default: 3); the script prints each and the median ratio
# Environment:
#   SWARMSCOPE   the swarmscope executable (default: build/release/app/swarmscope)
set -euo pipefail

runs=${1:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
swarmscope=${SWARMSCOPE:-$root/build/release/app/swarmscope}

die() {
    echo "swarm-efficiency: $*" >&2
    exit 1
}

[ -x "$swarmscope" ] || die "$swarmscope is not an executable (set SWARMSCOPE)"
command -v python3 >/dev/null || die "python3 is needed to read the JSON results"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmd=("$swarmscope" swarm --seeders 1 --leechers 20 --size 16MiB --piece-size 256KiB --seed-up 4MiB/s --up 1MiB/s
    --timeout 120)
echo "command: ${cmd[*]} --json FILE"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

ratios=()
for ((i = 1; i <= runs; i++)); do
    json=$work/run-$i.json
    "${cmd[@]}" --json "$json" >"$work/run-$i.out" 2>"$work/run-$i.err" ||
        die "run $i failed: $(tail -n 3 "$work/run-$i.err")"
    line=$(python3 - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verified"], "not verified"
print(f'{d["ratio"]:.3f} {d["max_completion_s"]:.3f} {d["bound_s"]:.3f} {d["cpu_s"]:.2f}')
PY
    ) || die "run $i: unusable results in $json"
    read -r ratio max bound cpu <<<"$line"
    printf 'run %d: max completion %s s, bound %s s, ratio %s (cpu %s s)\n' "$i" "$max" "$bound" "$ratio" "$cpu"
    ratios+=("$ratio")
done

median=$(printf '%s\n' "${ratios[@]}" | sort -n |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "ratio: $median (median of $runs; target <= 1.20, libtorrent 1.53)"
