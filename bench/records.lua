-- Rotate over signed-in citizens (one session cookie per line of
-- bench/out/cookies.txt) so that requests hit different people's rows, then
-- print wrk's figures as one JSON line, like percentiles.lua.
local cookies = {}
local counter = 0

init = function(args)
  local path = os.getenv("BENCH_COOKIES") or "bench/out/cookies.txt"
  for line in io.lines(path) do
    if #line > 0 then table.insert(cookies, line) end
  end
end

request = function()
  counter = counter + 1
  local cookie = cookies[(counter % #cookies) + 1]
  return wrk.format("GET", wrk.path, { ["Cookie"] = cookie })
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
