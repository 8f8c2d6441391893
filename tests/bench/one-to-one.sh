#!/usr/bin/env bash
# One-to-one transfer: our seeder -> our leecher against libtorrent's seeder -> libtorrent's leecher, the same
# 1 GiB file and .torrent, loopback, each peer its own process, no caps (see DESIGN.md, "How the targets are
# measured"; libtorrent runs without uTP, as the anchor was measured). The two run alternately, RUNS times
# each, so that noise from a shared machine hits both alike.
#
# Ours goes the documented way: `swarmscope tracker`, `swarmscope peer --role seeder --file F` (hash,
# publish, seed), then per run `swarmscope peer --role leecher --file F --exit-when-done` into a fresh folder.
# libtorrent's seeder starts in seed mode (it trusts the data, as our seeder trusts what it just hashed) and
# its leecher is given the seeder's address directly.
#
# Two times per run: "transfer" is each leecher's own clock from adding the torrent to the last piece
# verified; "wall" is the leecher process from start to exit (it includes the interpreter and library load
# for libtorrent, and fetching the torrent from the tracker for us). The target is the transfer ratio <= 1.0.
# Every download is compared with the original.
#
# Usage: tests/bench/one-to-one.sh [FILE]
#   FILE         the data; default: 1 GiB of random bytes in a temporary directory
# Environment:
#   SWARMSCOPE   the swarmscope executable (default: build/release/app/swarmscope)
#   PYTHON       a Python 3 with the libtorrent module (default: /usr/bin/python3)
#   RUNS         timed runs of each (default: 3)
set -euo pipefail

runs=${RUNS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
swarmscope=${SWARMSCOPE:-$root/build/release/app/swarmscope}
python=${PYTHON:-/usr/bin/python3}

die() {
    echo "one-to-one: $*" >&2
    exit 1
}

[ -x "$swarmscope" ] || die "$swarmscope is not an executable (set SWARMSCOPE)"
"$python" -c 'import libtorrent' 2>/dev/null || die "$python has no libtorrent module (apt install python3-libtorrent)"

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
    file=$work/data/random-1GiB.bin
    echo "writing 1 GiB of random data to $file"
    head -c 1073741824 /dev/urandom >"$file"
fi
[ -f "$file" ] || die "$file is not a regular file"
file=$(cd "$(dirname "$file")" && pwd)/$(basename "$file")
name=$(basename "$file")
size=$(stat -c %s "$file")

# A free TCP port on 127.0.0.1.
free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until a line matching $2 appears in file $1 (a process's log), up to 120 s.
wait_for_line() {
    for _ in $(seq 1 1200); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "timed out waiting for '$2' in $1: $(tail -c 300 "$1")"
}

cat >"$work/lt_peer.py" <<'PY'
import sys, time
import libtorrent as lt

mode, torrent, save_path, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
started = time.monotonic()
session = lt.session({
    "listen_interfaces": "127.0.0.1:%d" % port,
    "enable_outgoing_utp": False,
    "enable_incoming_utp": False,
    "allow_multiple_connections_per_ip": True,
    "enable_dht": False,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
})
params = lt.add_torrent_params()
params.ti = lt.torrent_info(torrent)
params.save_path = save_path
if mode == "seed":
    params.flags |= lt.torrent_flags.seed_mode
    session.add_torrent(params)
    print("seeding", flush=True)
    while True:
        time.sleep(3600)
seed_port = int(sys.argv[5])
added = time.monotonic()
handle = session.add_torrent(params)
handle.connect_peer(("127.0.0.1", seed_port))
while not handle.status().is_seeding:
    time.sleep(0.005)
print("transfer %.3f" % (time.monotonic() - added), flush=True)
PY

# --- set up both swarms once
tracker_port=$(free_port)
tracker_url=http://127.0.0.1:$tracker_port/announce
"$swarmscope" tracker --listen "127.0.0.1:$tracker_port" >"$work/tracker.out" 2>"$work/tracker.err" &
pids+=($!)
wait_for_line "$work/tracker.out" "announce URL"
(cd "$(dirname "$file")" &&
    exec "$swarmscope" peer --role seeder --file "$name" --tracker "$tracker_url") >"$work/seeder.out" 2>"$work/seeder.err" &
pids+=($!)
wait_for_line "$work/seeder.err" "^seeding"

"$swarmscope" create "$file" -o "$work/lt.torrent" --no-date >/dev/null 2>&1 || die "swarmscope create failed"
lt_seed_port=$(free_port)
"$python" "$work/lt_peer.py" seed "$work/lt.torrent" "$(dirname "$file")" "$lt_seed_port" >"$work/lt_seed.out" 2>&1 &
pids+=($!)
wait_for_line "$work/lt_seed.out" "^seeding"

echo "file: $file ($size bytes), $runs runs each, alternating"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "libtorrent $("$python" -c 'import libtorrent; print(libtorrent.__version__)')"

now_ns() { date +%s%N; }
seconds() { awk -v ns="$1" 'BEGIN { printf "%.3f", ns / 1e9 }'; }

# Each prints "<transfer s> <wall s>".
run_ours() {
    local dir=$work/dl-ours start end transfer
    rm -rf "$dir" && mkdir -p "$dir"
    start=$(now_ns)
    "$swarmscope" peer --role leecher --file "$name" --tracker "$tracker_url" --dir "$dir" --exit-when-done \
        >"$work/ours.out" 2>"$work/ours.err" || die "our leecher failed: $(tail -c 300 "$work/ours.err")"
    end=$(now_ns)
    cmp -s "$file" "$dir/$name" || die "our download differs from the original"
    transfer=$(sed -n 's/^downloaded .* in \([0-9.]*\) s .*/\1/p' "$work/ours.err")
    [ -n "$transfer" ] || die "no transfer time in our leecher's output: $(tail -c 300 "$work/ours.err")"
    echo "$transfer $(seconds $((end - start)))"
}

run_theirs() {
    local dir=$work/dl-lt port start end transfer
    rm -rf "$dir" && mkdir -p "$dir"
    port=$(free_port)
    start=$(now_ns)
    "$python" "$work/lt_peer.py" leech "$work/lt.torrent" "$dir" "$port" "$lt_seed_port" >"$work/lt.out" 2>&1 ||
        die "libtorrent's leecher failed: $(tail -c 300 "$work/lt.out")"
    end=$(now_ns)
    cmp -s "$file" "$dir/$name" || die "libtorrent's download differs from the original"
    transfer=$(sed -n 's/^transfer //p' "$work/lt.out")
    echo "$transfer $(seconds $((end - start)))"
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# One untimed run each: page cache, CPU frequency, library loading.
run_ours >/dev/null
run_theirs >/dev/null

ours_t=() ours_w=() theirs_t=() theirs_w=()
for ((i = 1; i <= runs; i++)); do
    if ((i % 2)); then
        read -r ot ow < <(run_ours)
        read -r tt tw < <(run_theirs)
    else
        read -r tt tw < <(run_theirs)
        read -r ot ow < <(run_ours)
    fi
    ours_t+=("$ot") ours_w+=("$ow") theirs_t+=("$tt") theirs_w+=("$tw")
    printf 'run %d: swarmscope transfer %s s (wall %s s)   libtorrent transfer %s s (wall %s s)\n' \
        "$i" "$ot" "$ow" "$tt" "$tw"
done

ot=$(printf '%s\n' "${ours_t[@]}" | median)
ow=$(printf '%s\n' "${ours_w[@]}" | median)
tt=$(printf '%s\n' "${theirs_t[@]}" | median)
tw=$(printf '%s\n' "${theirs_w[@]}" | median)
mib=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1048576 }')
echo "median transfer: swarmscope $ot s ($(awk -v m="$mib" -v t="$ot" 'BEGIN { printf "%.0f", m / t }') MiB/s)," \
    "libtorrent $tt s ($(awk -v m="$mib" -v t="$tt" 'BEGIN { printf "%.0f", m / t }') MiB/s)," \
    "ratio $(awk -v a="$ot" -v b="$tt" 'BEGIN { printf "%.3f", a / b }') (target <= 1.0)"
echo "median wall:     swarmscope $ow s, libtorrent $tw s, ratio $(awk -v a="$ow" -v b="$tw" 'BEGIN { printf "%.3f", a / b }')"
echo "every download was byte-identical to $file"
