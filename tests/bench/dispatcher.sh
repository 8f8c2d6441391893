#!/usr/bin/env bash
# Event-dispatcher cost with many sockets on one worker thread: Qt's default dispatcher (glib), Qt's UNIX
# dispatcher (QT_NO_GLIB=1, which Qt reads once per process) and swarmscope::EpollEventDispatcher, side by
# side. Each runs bench_dispatcher (see its header comment): N idle loopback TCP pairs plus one pair doing
# 16 KiB request/response ("pingpong"), and N pairs all trickling 1 KiB messages ("trickle"); the CPU time
# is the worker thread's (user + system), per round trip and per MiB moved in both directions.
#
# Usage: tests/bench/dispatcher.sh [PAIRS]
#   PAIRS        idle pair counts, comma-separated (default: 100,1000,5000)
# Environment:
#   BENCH_DISPATCHER  the program (default: build/dev/tests/bench/bench_dispatcher)
#   SECONDS_PER_RUN   measured seconds of each run (default: 3)
#   MODES             pingpong,trickle (default: both)
set -euo pipefail

pairs=${1:-100,1000,5000}
root=$(cd "$(dirname "$0")/../.." && pwd)
bench=${BENCH_DISPATCHER:-$root/build/dev/tests/bench/bench_dispatcher}
seconds=${SECONDS_PER_RUN:-3}
modes=${MODES:-pingpong,trickle}

die() {
    echo "dispatcher: $*" >&2
    exit 1
}

[ -x "$bench" ] || die "$bench is not an executable (set BENCH_DISPATCHER)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), open files $(ulimit -n) (soft)"
args=(--pairs "$pairs" --modes "$modes" --seconds "$seconds")
status=0
env -u QT_NO_GLIB "$bench" --dispatcher default "${args[@]}" >"$work/glib" || status=1
QT_NO_GLIB=1 "$bench" --dispatcher default "${args[@]}" >"$work/unix" || status=1
env -u QT_NO_GLIB "$bench" --dispatcher epoll "${args[@]}" >"$work/epoll" || status=1
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
# Every run as measured (throughput included), then the table.
grep -h -E '^(result|error|skip)' "$work/glib" "$work/unix" "$work/epoll" | sed 's/^/  /' || true
echo

# One row per mode and pair count, the three dispatchers side by side.
cat "$work/glib" "$work/unix" "$work/epoll" | awk '
/^result / {
    delete f
    for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["mode"] SUBSEP f["pairs"]
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    rt[key, f["dispatcher"]] = f["cpu_us_per_rt"]
    mib[key, f["dispatcher"]] = f["cpu_ms_per_mib"]
    setup[key, f["dispatcher"]] = f["setup_s"]
}
END {
    printf "%-9s %6s | %-27s | %-27s | %-24s\n", "", "", "CPU us per round trip", "CPU ms per MiB moved", "setup s (open pairs)"
    printf "%-9s %6s | %8s %8s %9s | %8s %8s %9s | %7s %7s %8s\n", "mode", "pairs", "glib", "unix", "epoll", "glib", "unix", "epoll", "glib", "unix", "epoll"
    for (i = 1; i <= n; i++) {
        k = order[i]; split(k, parts, SUBSEP)
        printf "%-9s %6s | %8s %8s %9s | %8s %8s %9s | %7s %7s %8s\n", parts[1], parts[2],
            rt[k, "glib"], rt[k, "unix"], rt[k, "epoll"], mib[k, "glib"], mib[k, "unix"], mib[k, "epoll"],
            setup[k, "glib"], setup[k, "unix"], setup[k, "epoll"]
    }
}'
exit $status
