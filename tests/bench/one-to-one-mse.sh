#!/usr/bin/env bash
# One-to-one transfer with and without MSE/PE: our seeder -> our leecher over loopback, each its own process,
# no caps, the leecher alternately with `--encryption require` (RC4 both ways) and `--encryption plaintext`
# (BEP 3 as is). The seeder runs `--encryption prefer`, so it takes both. RUNS timed runs of each, alternating,
# after one untimed run each; every download is compared with the original, and each encrypted run's log
# must say the connection was RC4.
#
# "transfer" is the leecher's own clock from adding the torrent to the last piece verified.
#
# Usage: tests/bench/one-to-one-mse.sh [FILE]
#   FILE         the data; default: 256 MiB of random bytes in a temporary directory
# Environment:
#   SWARMSCOPE   the swarmscope executable (default: build/release/app/swarmscope)
#   RUNS         timed runs of each (default: 3)
#   PERF         when set, the last encrypted run goes under `perf record -g` into $PERF (a file name)
set -euo pipefail

runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
swarmscope=${SWARMSCOPE:-$root/build/release/app/swarmscope}

die() {
    echo "one-to-one-mse: $*" >&2
    exit 1
}

[ -x "$swarmscope" ] || die "$swarmscope is not an executable (set SWARMSCOPE)"

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

file=${1:-}
if [ -z "$file" ]; then
    mkdir -p "$work/data"
    file=$work/data/random-256MiB.bin
    head -c 268435456 /dev/urandom >"$file"
fi
[ -f "$file" ] || die "$file is not a regular file"
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
name=$(basename "$file")
size=$(stat -c %s "$file")

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_line() {
    for _ in $(seq 1 1200); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "timed out waiting for '$2' in $1: $(tail -c 300 "$1")"
}

tracker_port=$(free_port)
tracker_url=http://127.0.0.1:$tracker_port/announce
"$swarmscope" tracker --listen "127.0.0.1:$tracker_port" >"$work/tracker.out" 2>"$work/tracker.err" &
pids+=($!)
wait_for_line "$work/tracker.out" "announce URL"
(cd "$(dirname "$file")" &&
    exec "$swarmscope" peer --role seeder --file "$name" --tracker "$tracker_url" --encryption prefer) \
    >"$work/seeder.out" 2>"$work/seeder.err" &
pids+=($!)
wait_for_line "$work/seeder.err" "^seeding"

echo "file: $file ($size bytes), $runs runs each, alternating"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

# Prints the transfer time of one download with --encryption $1 (and $2: a perf output file, or empty).
run() {
    local policy=$1 perf_out=${2:-} dir=$work/dl transfer
    rm -rf "$dir" && mkdir -p "$dir"
    local cmd=("$swarmscope" peer --role leecher --file "$name" --tracker "$tracker_url" --dir "$dir"
        --encryption "$policy" --exit-when-done)
    if [ -n "$perf_out" ]; then
        cmd=(perf record -g -o "$perf_out" -- "${cmd[@]}")
    fi
    "${cmd[@]}" >"$work/leecher.out" 2>"$work/leecher.err" || die "the leecher failed: $(tail -c 300 "$work/leecher.err")"
    cmp -s "$file" "$dir/$name" || die "the download differs from the original"
    if [ "$policy" = require ]; then
        grep -q "connected outgoing, rc4;" "$work/leecher.err" || die "no RC4 connection in the log: $(tail -c 300 "$work/leecher.err")"
    else
        if grep -q "connected outgoing, rc4" "$work/leecher.err"; then die "an RC4 connection in a plaintext run"; fi
    fi
    transfer=$(sed -n 's/^downloaded .* in \([0-9.]*\) s .*/\1/p' "$work/leecher.err")
    [ -n "$transfer" ] || die "no transfer time in the leecher's output: $(tail -c 300 "$work/leecher.err")"
    echo "$transfer"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

run require >/dev/null
run plaintext >/dev/null

enc=() plain=()
for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then
        e=$(run require)
        p=$(run plaintext)
    else
        p=$(run plaintext)
        e=$(run require)
    fi
    enc+=("$e") plain+=("$p")
    printf 'run %d: rc4 %s s   plaintext %s s\n' "$i" "$e" "$p"
done

et=$(printf '%s\n' "${enc[@]}" | median)
pt=$(printf '%s\n' "${plain[@]}" | median)
mib=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')
echo "median transfer: rc4 $et s ($(awk -v m="$mib" -v t="$et" 'BEGIN { printf "%.0f", m / t }') MiB/s)," \
    "plaintext $pt s ($(awk -v m="$mib" -v t="$pt" 'BEGIN { printf "%.0f", m / t }') MiB/s)," \
    "rc4/plaintext $(awk -v a="$et" -v b="$pt" 'BEGIN { printf "%.2f", a / b }')"
if [ -n "${PERF:-}" ]; then
    echo "perf: rc4 run $(run require "$PERF") s under perf record -g, profile in $PERF"
fi
echo "every download was byte-identical to $file"
