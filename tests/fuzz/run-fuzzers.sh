#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time. Builds nothing.
#
#   tests/fuzz/run-fuzzers.sh [--time SECONDS] [--only NAME]... [--keep-going] [--corpus-out DIR] BUILD_DIR
#
#   cmake --preset fuzz && cmake --build --preset fuzz
#   tests/fuzz/run-fuzzers.sh --time 60 build/fuzz
#
# For each fuzz_* executable under BUILD_DIR: replays tests/fuzz/regressions/<name>/ (inputs that once crashed
# it), then fuzzes for SECONDS (default 30, or $FUZZ_SECONDS) starting from a temporary copy of
# tests/fuzz/corpus/<name>/, so the repository is never modified. Prints, per target, the inputs executed and
# the corpus size at the end. Exits 1 if any target crashed, leaked, timed out or ran out of memory, and
# prints the path of the input that did it (kept under BUILD_DIR/fuzz-artifacts/<name>/).
#
# --keep-going fuzzes in libFuzzer's fork mode and goes on after a crash, collecting every failing input
# (to look past a known bug); the exit status is still 1 if anything failed.
# --corpus-out DIR keeps each grown corpus in DIR/<name>/ (to minimise into the seeds by hand, e.g. with
# `fuzz_x -merge=1 tests/fuzz/corpus/fuzz_x DIR/fuzz_x`).
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${FUZZ_SECONDS:-30}"
only=()
corpus_out=""
keep_going=0
build=""

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
    --time) seconds="$2"; shift 2 ;;
    --only) only+=("$2"); shift 2 ;;
    --corpus-out) corpus_out="$2"; shift 2 ;;
    --keep-going) keep_going=1; shift ;;
    -h | --help) usage ;;
    -*) echo "run-fuzzers.sh: unknown option $1" >&2; usage ;;
    *) build="$1"; shift ;;
    esac
done
[[ -n "$build" && -d "$build" ]] || { echo "run-fuzzers.sh: give the fuzz build directory" >&2; usage; }
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "run-fuzzers.sh: --time needs whole seconds" >&2; exit 2; }
build="$(cd "$build" && pwd)"

mapfile -t fuzzers < <(find "$build" -type f -perm -u+x -name 'fuzz_*' ! -name '*.*' ! -path '*/CMakeFiles/*' | sort)
if [[ ${#only[@]} -gt 0 ]]; then
    selected=()
    for name in "${only[@]}"; do
        match=""
        for f in "${fuzzers[@]}"; do [[ "$(basename "$f")" == "$name" ]] && match="$f"; done
        [[ -n "$match" ]] || { echo "run-fuzzers.sh: no fuzz target $name under $build" >&2; exit 2; }
        selected+=("$match")
    done
    fuzzers=("${selected[@]}")
fi
[[ ${#fuzzers[@]} -gt 0 ]] || { echo "run-fuzzers.sh: no fuzz_* executables under $build (build with the fuzz preset)" >&2; exit 2; }

# Per-target flags. fuzz_peer_connection: its clients free a connection's objects through the event loop, so
# every input ends with more mallocs than frees and libFuzzer would run a full leak scan after each one
# (about 30 times slower). ASan still reports leaks at exit.
extra_flags() {
    case "$1" in
    fuzz_peer_connection) echo "-detect_leaks=0" ;;
    esac
}

work="$(mktemp -d "${TMPDIR:-/tmp}/swarmscope-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT

failed=0
summary=()
for exe in "${fuzzers[@]}"; do
    name="$(basename "$exe")"
    artifacts="$build/fuzz-artifacts/$name"
    rm -rf "$artifacts"
    mkdir -p "$artifacts" "$work/$name/corpus"
    if [[ -d "$here/corpus/$name" ]]; then
        find "$here/corpus/$name" -maxdepth 1 -type f ! -name 'README*' -exec cp {} "$work/$name/corpus/" \;
    fi
    seeds=$(find "$work/$name/corpus" -type f | wc -l)
    log="$work/$name/log"
    # shellcheck disable=SC2207
    flags=(-rss_limit_mb=2048 -timeout=25 -print_final_stats=1 -artifact_prefix="$artifacts/" $(extra_flags "$name"))
    status="ok"

    mapfile -t regressions < <(find "$here/regressions/$name" -maxdepth 1 -type f ! -name 'README*' 2>/dev/null | sort)
    if [[ ${#regressions[@]} -gt 0 ]]; then
        echo "== $name: replaying ${#regressions[@]} regression input(s)"
        if ! "$exe" "${flags[@]}" "${regressions[@]}" >"$log.replay" 2>&1; then
            status="FAILED on a regression input"
            tail -n 40 "$log.replay"
        fi
    fi

    echo "== $name: fuzzing for ${seconds} s from $seeds seed(s)"
    mode=()
    [[ $keep_going -eq 1 ]] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    "$exe" "${flags[@]}" "${mode[@]}" -max_total_time="$seconds" "$work/$name/corpus" >"$log" 2>&1
    rc=$?
    if [[ $rc -ne 0 ]]; then
        status="FAILED (exit $rc)"
        grep -E -A 30 '^==[0-9]+==ERROR|fuzz invariant broken|^SUMMARY|ALARM|out-of-memory|deadly signal' "$log" | head -n 60
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    # Fork mode prints no final stats; its last status line "#N ..." counts the inputs run.
    [[ -z "$execs" ]] && execs=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/^#\([0-9]*\).*/\1/p')
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    new_units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -n 1)
    entries=$(find "$work/$name/corpus" -type f | wc -l)
    [[ -z "$rate" && -n "$execs" ]] && rate=$((execs / seconds))
    [[ -z "$new_units" ]] && new_units=$((entries - seeds))
    bytes=$(find "$work/$name/corpus" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*/\1 edges, \2 features/p')

    mapfile -t found < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [[ ${#found[@]} -gt 0 ]]; then
        [[ "$status" == ok ]] && status="FAILED"
        for f in "${found[@]}"; do echo "   failing input: $f"; done
        echo "   reproduce: $exe $(extra_flags "$name") ${found[0]}"
    fi
    if [[ "$status" != ok ]]; then
        failed=1
        cp "$log" "$artifacts/fuzz.log"
        echo "   full log: $artifacts/fuzz.log"
    fi
    if [[ -n "$corpus_out" ]]; then
        mkdir -p "$corpus_out/$name" && cp "$work/$name/corpus/"* "$corpus_out/$name/" 2>/dev/null
    fi
    line=$(printf '%-24s %-8s executions %10s (%s/s)  corpus %5s inputs %8s bytes (%s new)  %s' \
        "$name" "$status" "${execs:-?}" "${rate:-?}" "$entries" "$bytes" "${new_units:-?}" "${cov:-}")
    echo "   $line"
    summary+=("$line")
done

echo
echo "== summary (${seconds} s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
