-- ingest.lua - POST /api/integrations/v1/ingestion/order-lines for `make
-- bench`: every request sends the same pre-built body, the file named by
-- BENCH_BODY (tests/bench/run.sh writes it: BENCH_LINES lines, 5000, over
-- SKUs that already exist), with "Authorization: Bearer $BENCH_KEY". An
-- answer that did not insert every line counts as not 2xx.

local path = os.getenv("BENCH_BODY")
local lines = os.getenv("BENCH_LINES") or "5000"

if path == nil or path == "" then
	error("ingest.lua: BENCH_BODY is not set")
end
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local want = '"inserted":' .. lines .. ","

function check(body)
	return body ~= nil and body:gsub("%s", ""):find(want, 1, true) ~= nil
end

-- auth.lua (and through it report.lua) sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "auth.lua")
