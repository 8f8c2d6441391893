#!/usr/bin/env bash
# The whole test gate, three stages in order, stopping at the first that fails:
#
#   dev         cmake --preset dev         && cmake --build --preset dev         && ctest --preset dev
#   sanitizers  cmake --preset sanitizers  && cmake --build --preset sanitizers  && ctest --preset sanitizers
#   fuzz        cmake --preset fuzz        && cmake --build --preset fuzz        && ctest --preset fuzz
#
#   bash cmake/test-all.sh [STAGE...]      # default: dev sanitizers fuzz
#
# dev is the suite as users build it (optimised, warnings are errors). sanitizers is the same suite built
# with AddressSanitizer + UndefinedBehaviorSanitizer (leak detection on; any finding fails its test), but for
# the tests labelled interop and multihost: they pit the real executable against third-party programs, which
# the dev stage does, and would double the gate's time.
# fuzz builds the libFuzzer targets with clang, replays their corpora and regression inputs, then fuzzes each
# target for SWARMSCOPE_FUZZ_SECONDS (a cache variable of the fuzz preset). Prints each stage's wall time
# at the end; exits with the failing command's status.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

stages=("$@")
[[ ${#stages[@]} -gt 0 ]] || stages=(dev sanitizers fuzz)
for stage in "${stages[@]}"; do
    case "$stage" in
    dev | sanitizers | fuzz) ;;
    *) echo "test-all: unknown stage $stage (dev, sanitizers, fuzz)" >&2; exit 2 ;;
    esac
done

summary=()
started=$SECONDS

report() {
    echo
    echo "== test-all summary"
    printf '%s\n' "${summary[@]}"
    printf '   %-12s %4dm%02ds\n' "total" $(((SECONDS - started) / 60)) $(((SECONDS - started) % 60))
}

run() { # run STAGE STEP COMMAND...
    local stage="$1" step="$2"
    shift 2
    echo
    echo "== test-all: $stage: $*"
    local t0=$SECONDS
    "$@"
    local rc=$?
    step_times+=("$step $((SECONDS - t0))s")
    return $rc
}

for stage in "${stages[@]}"; do
    step_times=()
    t0=$SECONDS
    rc=0
    run "$stage" configure cmake --preset "$stage" &&
        run "$stage" build cmake --build --preset "$stage" &&
        run "$stage" test ctest --preset "$stage" || rc=$?
    elapsed=$((SECONDS - t0))
    line=$(printf '   %-12s %4dm%02ds  %s' "$stage" $((elapsed / 60)) $((elapsed % 60)) "${step_times[*]}")
    if [[ $rc -ne 0 ]]; then
        summary+=("$line  FAILED (exit $rc)")
        report
        exit "$rc"
    fi
    summary+=("$line  passed")
done
report
