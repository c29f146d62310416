-- scim.lua - the SCIM directory rows of `make bench`, GET
-- /api/scim/v2/Users with "Authorization: Bearer $BENCH_KEY" (a scim
-- key) over the BENCH_SCIM_USERS users tests/bench/run.sh seeds
-- (bench-u<N>, u<N>@bench.example, N from 1). BENCH_SCIM picks the row:
--   username  ?filter=userName eq "bench-u<N>"         N at random
--   email     ?filter=emails.value eq "u<N>@bench.example"
--   page      ?startIndex=<S>&count=100, S at random in 1..users-100
-- An answer whose totalResults is not 1 (the filters) or the number of
-- users, or a page without 100 users, counts as not 2xx (report.lua):
-- a broken filter must not pass for a fast empty answer. The requests
-- are formatted once, in init(), so that picking one costs wrk next to
-- nothing. Besides report.lua's line, done() prints
--   LATENCY p50_ms=<ms> p95_ms=<ms> mean_ms=<ms> requests=<n>
-- which run.sh reads from its one-connection runs.

local mode = os.getenv("BENCH_SCIM")
local users = tonumber(os.getenv("BENCH_SCIM_USERS") or "")
local path = "/api/scim/v2/Users"
local reqs = {}

if users == nil or users < 101 then
	error("scim.lua: BENCH_SCIM_USERS must be a number above 100")
end

local function target(n)
	if mode == "username" then
		return path .. "?filter=userName%20eq%20%22bench-u" .. n .. "%22"
	elseif mode == "email" then
		return path .. "?filter=emails.value%20eq%20%22u" .. n ..
		    "%40bench.example%22"
	elseif mode == "page" then
		return path .. "?startIndex=" .. n .. "&count=100"
	end
	error("scim.lua: BENCH_SCIM is username, email or page, not " ..
	    tostring(mode))
end

function init(args)
	local last = (mode == "page") and users - 100 or users

	for n = 1, last do
		reqs[n] = wrk.format("GET", target(n))
	end
	-- Each thread its own sequence (a Lua state per thread).
	math.randomseed(os.time() + tonumber(tostring(reqs):match("%x+$"), 16))
end

function request()
	return reqs[math.random(#reqs)]
end

local function number(body, name)
	return tonumber(body:match('"' .. name .. '"%s*:%s*(%d+)') or "")
end

function check(body)
	if body == nil then
		return false
	end
	if mode == "page" then
		return number(body, "totalResults") == users and
		    number(body, "itemsPerPage") == 100
	end
	return number(body, "totalResults") == 1
end

-- auth.lua (and through it report.lua) sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "auth.lua")

local report_done = done

function done(summary, latency, requests)
	report_done(summary, latency, requests)
	io.write(string.format(
	    "LATENCY p50_ms=%.2f p95_ms=%.2f mean_ms=%.2f requests=%d\n",
	    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
	    latency.mean / 1000, summary.requests))
end
