#!/usr/bin/env bash
# Runs the interop tests and prints, per client and direction, what our peer logged about the remote on
# connect (peer id, BEP 10 client string, extension names, BEP 6 fast extension): the raw material of
# docs/INTEROP.md's matrix. Usage: tests/interop/interop-matrix.sh [BUILD_DIR]   (default build/dev)
# The lab folders are kept (SWARMSCOPE_KEEP_INTEROP_LOGS=1); their paths are in the ctest output.
set -euo pipefail
build="${1:-build/dev}"
export SWARMSCOPE_KEEP_INTEROP_LOGS=1
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
ctest --test-dir "$build" -L interop \
  -R 'test_interop_(aria2|libtorrent|magnet|ctorrent|rtorrent|qbittorrent|deluge)$' -V >"$log" 2>&1 || {
  echo "interop-matrix: some interop tests failed; the lines below are from those that ran" >&2
}
grep -o 'interop-matrix: .*' "$log" | sed 's/^interop-matrix: //' | sed -E 's/; metadata_size [0-9]+//' |
  sort -u
