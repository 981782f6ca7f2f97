-- wrk script for `make load`: POSTs real photos to /v1/analyze, alternating between the files
-- named in $LOAD_PHOTOS (colon-separated), and counts responses by status class so that the
-- report tells deliberate 503s (busy, Retry-After) from failures.
--   LOAD_PHOTOS=a.jpg:b.png LOAD_KEY=... wrk -t2 -c200 -d30s --latency -s bench/serve-load.lua http://127.0.0.1:8080/v1/analyze

local photos = {}
local threads = {}

local function read(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

local function type_of(path)
  if path:match("%.png$") then return "image/png" end
  if path:match("%.webp$") then return "image/webp" end
  return "image/jpeg"
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for path in (os.getenv("LOAD_PHOTOS") or ""):gmatch("[^:]+") do
    table.insert(photos, { body = read(path), type = type_of(path) })
  end
  assert(#photos > 0, "set LOAD_PHOTOS to one or more image paths, colon-separated")
  key = os.getenv("LOAD_KEY")
  next_photo = 0
  ok, busy, client_errors, server_errors = 0, 0, 0, 0
end

function request()
  next_photo = next_photo % #photos + 1
  local photo = photos[next_photo]
  local headers = { ["Content-Type"] = photo.type }
  if key and key ~= "" then headers["Authorization"] = "Bearer " .. key end
  return wrk.format("POST", nil, headers, photo.body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status == 503 then busy = busy + 1
  elseif status >= 500 then server_errors = server_errors + 1
  else client_errors = client_errors + 1 end
end

function done(summary, latency, requests)
  local totals = { ok = 0, busy = 0, client_errors = 0, server_errors = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + (thread:get(name) or 0) end
  end
  local seconds = summary.duration / 1e6
  local failed = totals.client_errors + totals.server_errors + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "requests_per_s": %.1f, "ok_200": %d, "ok_per_s": %.2f, "busy_503": %d, '
    .. '"other_4xx": %d, "other_5xx": %d, "socket_errors": %d, "failed": %d, "p50_ms": %.1f, "p90_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\n',
    summary.requests, seconds, summary.requests / seconds, totals.ok, totals.ok / seconds, totals.busy,
    totals.client_errors, totals.server_errors,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, failed,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
