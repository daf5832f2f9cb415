-- wrk_check.lua - wrk's requests for `make bench-serve`: POST /v1/check
-- with the bodies of a file, one request per line, each thread starting at
-- its own place. Arguments (after --): BODIES_FILE [PACE_MS]. With PACE_MS
-- every connection waits that long between requests, to hold a rate below
-- the peak. done() prints one line of figures for bench/serve.sh to read.
local bodies = {}
local next_body = 1
local pace_ms = nil
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  if args[2] then
    pace_ms = tonumber(args[2])
    -- Defined only when pacing: wrk times every request when it exists.
    delay = function() return pace_ms end
  end
  next_body = (id * 7919) % #bodies + 1
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/v1/check", nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f " ..
    "errors=%d non2xx=%d timeouts=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, e.timeout))
end
