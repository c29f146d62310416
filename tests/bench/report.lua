-- report.lua - wrk script for `make bench`: at the end, one line that
-- tests/bench/run.sh reads:
--   BENCH rate=<req/s> p99_ms=<ms> non2xx=<n> errors=<n>
-- and one with the errors by kind (BENCH_ERRORS).
-- non2xx counts every answer whose status is not 2xx (wrk's own counter
-- only sees >= 400), and every 2xx answer whose body a script's
-- check(body) function (if it defines one) refuses; errors are socket
-- errors and timeouts. A run with either is not a clean number. auth.lua
-- loads this file.

local threads = {}

non2xx = 0	-- per thread (each wrk thread has its own Lua state)

function setup(thread)
	table.insert(threads, thread)
end

function response(status, headers, body)
	if status < 200 or status > 299 or (check ~= nil and not check(body))
	    then
		non2xx = non2xx + 1
	end
end

function done(summary, latency, requests)
	local e, bad = summary.errors, 0

	for _, t in ipairs(threads) do
		bad = bad + t:get("non2xx")
	end
	io.write(string.format(
	    "BENCH rate=%.1f p99_ms=%.2f non2xx=%d errors=%d\n",
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(99) / 1000, bad,
	    e.connect + e.read + e.write + e.timeout))
	-- Which kind, for the run's note when there are any.
	io.write(string.format(
	    "BENCH_ERRORS connect %d, read %d, write %d, timeout %d\n",
	    e.connect, e.read, e.write, e.timeout))
end
