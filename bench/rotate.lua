-- wrk script for bench/run.py: rotate over paths (BENCH_PATHS, one per line)
-- and session cookies (BENCH_COOKIES, one per line, optional), give each
-- request its own client address in X-Forwarded-For (the bench runs with
-- TRUSTED_PROXY_COUNT=1, as behind a load balancer, so per-IP limits see
-- many citizens, not one), then print the figures as one JSON line.
local paths, cookies = {}, {}
local counter = 0
local offset = 0

local function read_lines(path, into)
  if path == nil or path == "" then return end
  for line in io.lines(path) do
    if #line > 0 then table.insert(into, line) end
  end
end

init = function(args)
  read_lines(os.getenv("BENCH_PATHS"), paths)
  read_lines(os.getenv("BENCH_COOKIES"), cookies)
  offset = math.random(0, 1000000)
end

request = function()
  counter = counter + 1
  local n = counter + offset
  local headers = {
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", n / 65025 % 250, n / 255 % 255, n % 255),
  }
  if #cookies > 0 then headers["Cookie"] = cookies[(n % #cookies) + 1] end
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
