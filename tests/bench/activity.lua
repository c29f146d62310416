-- activity.lua - POST /api/v1/ingest/events for `make bench`: every
-- request sends the same pre-built body, the file named by BENCH_BODY
-- (tests/bench/run.sh writes it: BENCH_EVENTS events, 500), with
-- "Authorization: Bearer $BENCH_KEY". An answer that did not accept every
-- event counts as not 2xx.

local path = os.getenv("BENCH_BODY")
local events = os.getenv("BENCH_EVENTS") or "500"

if path == nil or path == "" then
	error("activity.lua: BENCH_BODY is not set")
end
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local want = '"accepted":' .. events .. ','

function check(body)
	return body ~= nil and body:gsub("%s", ""):find(want, 1, true) ~= nil
end

-- auth.lua (and through it report.lua) sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "auth.lua")
