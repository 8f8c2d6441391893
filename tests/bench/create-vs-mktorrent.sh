#!/usr/bin/env bash
# Torrent creation: `swarmscope create` against `mktorrent -t 2` on the same 1 GiB file, page cache warm.
# The two run alternately, RUNS times each, so that noise from a shared machine hits both alike; the
# script prints each pair, the medians and their ratio (target: <= 1.0, see DESIGN.md), and checks that
# both produced the same info-hash.
#
# Usage: tests/bench/create-vs-mktorrent.sh [FILE]
#   FILE           the data to hash; default: 1 GiB of random bytes in a temporary directory
# Environment:
#   SWARMSCOPE     the swarmscope executable (default: build/release/app/swarmscope)
#   BENCH_CREATE   time this bench_create executable (tests/bench/bench_create.cpp, same arguments as
#                  `swarmscope create`) instead of `swarmscope create`, to measure the engine on its own
#   RUNS           timed runs of each program (default: 5)
#   PIECE_LOG2     piece size as a power of two (default: 18, 256 KiB)
set -euo pipefail

runs=${RUNS:-5}
piece_log2=${PIECE_LOG2:-18}
root=$(cd "$(dirname "$0")/../.." && pwd)
swarmscope=${SWARMSCOPE:-$root/build/release/app/swarmscope}

die() {
    echo "create-vs-mktorrent: $*" >&2
    exit 1
}

command -v mktorrent >/dev/null || die "mktorrent is not installed (cmake/setup-debian.sh installs it)"
if [ -n "${BENCH_CREATE:-}" ]; then
    ours=("$BENCH_CREATE")
    ours_label="bench_create"
else
    ours=("$swarmscope" create)
    ours_label="swarmscope create"
fi
[ -x "${ours[0]}" ] || die "${ours[0]} is not an executable (set SWARMSCOPE or BENCH_CREATE)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

file=${1:-}
if [ -z "$file" ]; then
    file=$work/random-1GiB.bin
    echo "writing 1 GiB of random data to $file"
    head -c 1073741824 /dev/urandom >"$file"
fi
[ -f "$file" ] || die "$file is not a regular file"

piece_bytes=$((1 << piece_log2))
ours_cmd=("${ours[@]}" "$file" -o "$work/ours.torrent" --piece-size "$((piece_bytes / 1024))KiB" --no-date)
theirs_cmd=(mktorrent -t 2 -l "$piece_log2" -d -o "$work/mktorrent.torrent" "$file")

# Prints the wall time of one run in seconds; stdout and stderr of the run are kept for the hash check.
time_run() {
    local name=$1
    shift
    local start end
    start=$(date +%s%N)
    "$@" >"$work/$name.out" 2>"$work/$name.err" || die "failed: $* ($(head -c 300 "$work/$name.err"))"
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "file: $file ($(stat -c %s "$file") bytes), piece size $piece_bytes, $runs runs each, alternating"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ours:   ${ours_cmd[*]}"
echo "theirs: ${theirs_cmd[*]}"

# Warm the page cache, and let each program run once untimed (dynamic loading, CPU frequency).
cat "$file" >/dev/null
rm -f "$work/mktorrent.torrent"
time_run warmup-ours "${ours_cmd[@]}" >/dev/null
time_run warmup-theirs "${theirs_cmd[@]}" >/dev/null

ours_times=()
theirs_times=()
for ((i = 1; i <= runs; i++)); do
    rm -f "$work/mktorrent.torrent" "$work/ours.torrent" # mktorrent refuses to overwrite
    if ((i % 2)); then
        t_ours=$(time_run ours "${ours_cmd[@]}")
        t_theirs=$(time_run theirs "${theirs_cmd[@]}")
    else
        t_theirs=$(time_run theirs "${theirs_cmd[@]}")
        t_ours=$(time_run ours "${ours_cmd[@]}")
    fi
    ours_times+=("$t_ours")
    theirs_times+=("$t_theirs")
    printf 'run %d: %s %s s   mktorrent -t 2 %s s\n' "$i" "$ours_label" "$t_ours" "$t_theirs"
done

ours_median=$(printf '%s\n' "${ours_times[@]}" | median)
theirs_median=$(printf '%s\n' "${theirs_times[@]}" | median)
ratio=$(awk -v a="$ours_median" -v b="$theirs_median" 'BEGIN { printf "%.3f", a / b }')
echo "median: $ours_label $ours_median s, mktorrent -t 2 $theirs_median s, ratio $ratio (target <= 1.0)"

ours_hash=$(sed -n 's/^info-hash: //p' "$work/ours.out")
if command -v transmission-show >/dev/null; then
    theirs_hash=$(transmission-show "$work/mktorrent.torrent" | sed -n 's/^ *Hash: //p')
    if [ "$ours_hash" = "$theirs_hash" ]; then
        echo "info-hash: $ours_hash (same as mktorrent's)"
    else
        die "info-hash differs: ours $ours_hash, mktorrent $theirs_hash"
    fi
else
    echo "info-hash: $ours_hash (not compared: transmission-show is not installed)"
fi
