#!/usr/bin/env bash
# Tracker load: `swarmscope tracker` against Debian's opentracker, side by side in one run, each driven in
# turn by the same wrk load on loopback: CONNECTIONS concurrent connections sending BEP 3 announces for
# DURATION seconds (tests/bench/tracker-load.lua), by default one announce per connection, as clients
# announce in practice (opentracker closes every connection after its answer anyway). Each announce names one of HASHES random
# info-hashes and one of PEERS_PER_HASH peer ids (binary, percent-encoded), so the swarm table grows to up to
# HASHES x PEERS_PER_HASH peers and then takes re-announces. opentracker's Debian build serves only
# whitelisted info-hashes, so the same hashes are its whitelist.
#
# Reported per tracker: requests/s, p50/p99/max latency, socket errors (wrk counts a connection the server
# closes after an answer it did not announce as the last as a read error), non-2xx answers, bodies with a
# "failure reason" or a "warning message", peak RSS (VmHWM) and RSS at half time and at the end (a bounded
# table stops growing), and the peers and torrents the tracker holds afterwards (counted by scrape).
#
# Usage: tests/bench/tracker-load.sh
# Environment:
#   SWARMSCOPE      the swarmscope executable (default: build/release/app/swarmscope)
#   DURATION        seconds of load per tracker (default: 30)
#   CONNECTIONS     concurrent connections (default: 100)
#   THREADS         wrk threads (default: 2)
#   HASHES          distinct info-hashes (default: 1000)
#   PEERS_PER_HASH  distinct peers per info-hash (default: 200)
#   NUMWANT         numwant of each announce (default: 50)
#   KEEPALIVE       1: keep-alive connections, many announces each (default: 0, "Connection: close")
#   INTERVAL        when set, `swarmscope tracker --interval INTERVAL`, and after the load the script waits
#                   two intervals and scrapes again: every peer must have expired
#   ONLY            swarmscope or opentracker, to run just one
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
swarmscope=${SWARMSCOPE:-$root/build/release/app/swarmscope}
duration=${DURATION:-30}
connections=${CONNECTIONS:-100}
threads=${THREADS:-2}
hashes=${HASHES:-1000}
peers_per_hash=${PEERS_PER_HASH:-200}
numwant=${NUMWANT:-50}
keepalive=${KEEPALIVE:-0}
interval=${INTERVAL:-}
only=${ONLY:-}
python=/usr/bin/python3

die() {
    echo "tracker-load: $*" >&2
    exit 1
}

[ -x "$swarmscope" ] || die "$swarmscope is not an executable (set SWARMSCOPE)"
command -v wrk >/dev/null || die "wrk is not installed (apt install wrk; cmake/setup-debian.sh does)"
command -v opentracker >/dev/null || die "opentracker is not installed (apt install opentracker)"
[ -x "$python" ] || die "$python is needed"

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# opentracker, started as root, chroots into its directory and runs as nobody, who must read the whitelist.
chmod 755 "$work"

"$python" - "$work/hashes.txt" "$hashes" <<'PY'
import os, sys
with open(sys.argv[1], "w") as f:
    for _ in range(int(sys.argv[2])):
        f.write(os.urandom(20).hex() + "\n")
PY
chmod 644 "$work/hashes.txt"

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# tracker.py ready|count URL HASHFILE: waits until an announce of the first hash is accepted, or prints
# "peers torrents" summed over a scrape of every hash (50 per request: opentracker's multi-scrape limit is 64).
cat >"$work/tracker.py" <<'PY'
import sys, time, urllib.parse, urllib.request

def bdecode(data, i=0):
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c in (b"l", b"d"):
        i += 1
        items = []
        while data[i:i + 1] != b"e":
            value, i = bdecode(data, i)
            items.append(value)
        return (dict(zip(items[::2], items[1::2])) if c == b"d" else items), i + 1
    colon = data.index(b":", i)
    n = int(data[i:colon])
    return data[colon + 1:colon + 1 + n], colon + 1 + n

def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()

mode, base, hash_file = sys.argv[1:4]
hashes = [bytes.fromhex(line.strip()) for line in open(hash_file) if line.strip()]
if mode == "ready":
    query = urllib.parse.urlencode({"info_hash": hashes[0], "peer_id": b"-WK0000-readiness-00", "port": 9,
                                    "uploaded": 0, "downloaded": 0, "left": 0, "event": "stopped"})
    for _ in range(100):
        try:
            body = get(base + "/announce?" + query)
            if b"failure reason" not in body:
                sys.exit(0)
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit("tracker never accepted an announce")
peers = torrents = 0
for at in range(0, len(hashes), 50):
    query = "&".join("info_hash=" + urllib.parse.quote_from_bytes(h, safe="") for h in hashes[at:at + 50])
    files = bdecode(get(base + "/scrape?" + query))[0].get(b"files", {})
    for counts in files.values():
        n = counts.get(b"complete", 0) + counts.get(b"incomplete", 0)
        peers += n
        torrents += 1 if n else 0
print(peers, torrents)
PY

rss_kib() { # rss_kib PID FIELD
    awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null || echo 0
}

results=()
run_one() { # run_one NAME
    local name="$1" port pid base
    port=$(free_port)
    base="http://127.0.0.1:$port"
    if [ "$name" = swarmscope ]; then
        local args=(tracker --listen "127.0.0.1:$port")
        [ -n "$interval" ] && args+=(--interval "$interval")
        "$swarmscope" "${args[@]}" >"$work/$name.out" 2>&1 &
    else
        (cd "$work" && exec opentracker -i 127.0.0.1 -p "$port" -P "$(free_port)" -d "$work" \
            -w hashes.txt >"$work/$name.out" 2>&1) &
    fi
    pid=$!
    pids+=("$pid")
    "$python" "$work/tracker.py" ready "$base" "$work/hashes.txt" || die "$name did not come up: $(tail -n 3 "$work/$name.out")"
    local before
    before=$(rss_kib "$pid" VmRSS)

    echo "== $name on $base: wrk -t$threads -c$connections -d${duration}s, $hashes info-hashes x $peers_per_hash peers, numwant $numwant, keep-alive $keepalive"
    HASH_FILE="$work/hashes.txt" PEERS_PER_HASH="$peers_per_hash" NUMWANT="$numwant" KEEPALIVE="$keepalive" \
        wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s "$root/tests/bench/tracker-load.lua" \
        "$base/announce" >"$work/$name.wrk" 2>&1 &
    local wrk_pid=$!
    sleep $((duration / 2))
    local half
    half=$(rss_kib "$pid" VmRSS)
    wait "$wrk_pid" || die "wrk failed: $(tail -n 5 "$work/$name.wrk")"
    local end peak held
    end=$(rss_kib "$pid" VmRSS)
    peak=$(rss_kib "$pid" VmHWM)
    kill -0 "$pid" 2>/dev/null || die "$name exited during the load: $(tail -n 5 "$work/$name.out")"
    sed -n '/Latency Distribution/,/^Requests/p' "$work/$name.wrk" | sed 's/^/   /'
    held=$("$python" "$work/tracker.py" count "$base" "$work/hashes.txt")
    local line
    line=$(grep '^RESULT ' "$work/$name.wrk") || die "no result from wrk: $(tail -n 5 "$work/$name.wrk")"
    local expired=""
    if [ "$name" = swarmscope ] && [ -n "$interval" ]; then
        sleep $((2 * interval + interval / 4 + 2))
        expired=$("$python" "$work/tracker.py" count "$base" "$work/hashes.txt")
        expired=" after_expiry_peers=${expired% *} after_expiry_rss_kib=$(rss_kib "$pid" VmRSS)"
    fi
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    results+=("$name ${line#RESULT } rss_before_kib=$before rss_half_kib=$half rss_end_kib=$end peak_rss_kib=$peak held_peers=${held% *} held_torrents=${held#* }$expired")
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
for name in swarmscope opentracker; do
    [ -z "$only" ] || [ "$only" = "$name" ] || continue
    run_one "$name"
done

echo
"$python" - "$hashes" "$peers_per_hash" "${results[@]}" <<'PY'
import sys
universe = int(sys.argv[1]) * int(sys.argv[2])
rows = []
for arg in sys.argv[3:]:
    name, *pairs = arg.split()
    rows.append((name, {k: float(v) for k, v in (p.split("=") for p in pairs)}))
print(f"{'tracker':<12} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'conn/read/write/timeout errors':>31} "
      f"{'non-2xx':>7} {'failure':>7} {'warning':>7} {'peak RSS':>9} {'RSS half/end':>14} {'peers held':>11}")
for name, r in rows:
    errors = "/".join(f"{r[k]:.0f}" for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    print(f"{name:<12} {r['rps']:>8.0f} {r['p50_us'] / 1000:>7.2f} {r['p99_us'] / 1000:>7.2f} "
          f"{r['max_us'] / 1000:>7.1f} {errors:>31} {r['non2xx']:>7.0f} {r['failures']:>7.0f} "
          f"{r['warnings']:>7.0f} {r['peak_rss_kib'] / 1024:>7.1f} MiB "
          f"{r['rss_half_kib'] / 1024:>6.1f}/{r['rss_end_kib'] / 1024:<6.1f} {r['held_peers']:>11.0f}")
    if "after_expiry_peers" in r:
        print(f"{'':<12} after two intervals: {r['after_expiry_peers']:.0f} peers held, "
              f"RSS {r['after_expiry_rss_kib'] / 1024:.1f} MiB")
counts = ", ".join(f"{n} {r['requests']:.0f}" for n, r in rows)
print(f"(requests: {counts}; distinct peers possible: {universe})")
if len(rows) == 2:
    a, b = rows[0][1], rows[1][1]
    print(f"{rows[0][0]} / {rows[1][0]}: requests/s x{a['rps'] / b['rps']:.2f}, p99 x{a['p99_us'] / b['p99_us']:.2f}, "
          f"peak RSS x{a['peak_rss_kib'] / b['peak_rss_kib']:.2f}")
PY
