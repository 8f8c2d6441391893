-- wrk script for tests/bench/tracker-load.sh: BEP 3 announces with many info-hashes and peers, so that the
-- tracker's swarm table really grows. Each request picks an info-hash at random from HASH_FILE (40 hex
-- digits a line) and a peer index at random from 1..PEERS_PER_HASH; the peer_id (20 bytes) encodes that
-- index, so each (info_hash, peer_id) pair is one peer of the table and is re-announced as the run goes on.
-- Both are sent percent-encoded, byte by byte, as real clients send binary values. One peer in five is a
-- seeder (left=0). At the end it prints one line that the shell script parses:
--   RESULT requests=N duration_us=N rps=N p50_us=N p99_us=N max_us=N connect_errors=N read_errors=N
--          write_errors=N timeouts=N non2xx=N failures=N warnings=N

local hash_file = os.getenv("HASH_FILE")
local peers_per_hash = tonumber(os.getenv("PEERS_PER_HASH") or "200")
local numwant = os.getenv("NUMWANT") or "50"
-- KEEPALIVE=0: one announce per connection ("Connection: close"), as clients announce in practice.
local headers = (os.getenv("KEEPALIVE") == "0") and { ["Connection"] = "close" } or nil

local function percent(bytes)
   return (bytes:gsub(".", function(c) return string.format("%%%02X", c:byte()) end))
end

local function fromhex(hex)
   return (hex:gsub("..", function(pair) return string.char(tonumber(pair, 16)) end))
end

-- Main state: remember the threads, to add up their counters in done().
local threads = {}
local next_id = 1

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

-- Thread state.
local hashes = {}
local peer_ids = {}
local lefts = {}
local ports = {}
failures = 0 -- bodies with a "failure reason"
warnings = 0 -- bodies with a "warning message" (a full swarm, say)

function init(args)
   for line in io.lines(hash_file) do
      if #line >= 40 then
         hashes[#hashes + 1] = percent(fromhex(line:sub(1, 40)))
      end
   end
   for p = 1, peers_per_hash do
      local b0, b1, b2 = p % 256, math.floor(p / 256) % 256, math.floor(p / 65536) % 256
      peer_ids[p] = percent("-WK0001-" .. string.char(b2, b1, b0) .. "\255\0&=%+ ?#") -- 8 + 3 + 9 bytes
      lefts[p] = (p % 5 == 0) and "0" or "1048576"
      ports[p] = tostring(1024 + p % 60000)
   end
   math.randomseed(os.time() * 100 + id)
end

function request()
   local h = hashes[math.random(#hashes)]
   local p = math.random(peers_per_hash)
   return wrk.format("GET", "/announce?info_hash=" .. h .. "&peer_id=" .. peer_ids[p] .. "&port=" .. ports[p] ..
                        "&uploaded=0&downloaded=0&left=" .. lefts[p] .. "&compact=1&numwant=" .. numwant, headers)
end

function response(status, headers, body)
   if body:find("failure reason", 1, true) then
      failures = failures + 1
   elseif body:find("warning message", 1, true) then
      warnings = warnings + 1
   end
end

function done(summary, latency, requests)
   local failed, warned = 0, 0
   for _, thread in ipairs(threads) do
      failed = failed + thread:get("failures")
      warned = warned + thread:get("warnings")
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d rps=%.0f p50_us=%d p99_us=%d max_us=%d connect_errors=%d " ..
         "read_errors=%d write_errors=%d timeouts=%d non2xx=%d failures=%d warnings=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
      e.status, failed, warned))
end
