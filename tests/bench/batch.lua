-- batch.lua - an ingestion endpoint for `make bench` (order lines,
-- activity events): every request POSTs the same pre-built body, the file
-- named by BENCH_BODY (tests/bench/run.sh writes it), with
-- "Authorization: Bearer $BENCH_KEY". An answer without BENCH_WANT in it
-- (white space aside; run.sh names what says every row went in, such as
-- "inserted":5000,) counts as not 2xx.

local path = os.getenv("BENCH_BODY")
local want = os.getenv("BENCH_WANT")

if path == nil or path == "" or want == nil or want == "" then
	error("batch.lua: BENCH_BODY and BENCH_WANT must be set")
end
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function check(body)
	return body ~= nil and body:gsub("%s", ""):find(want, 1, true) ~= nil
end

-- auth.lua (and through it report.lua) sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "auth.lua")
