-- auth.lua - report.lua plus "Authorization: Bearer $BENCH_KEY" on every
-- request, for the authenticated endpoints of `make bench`.

local key = os.getenv("BENCH_KEY")

if key == nil or key == "" then
	error("auth.lua: BENCH_KEY is not set")
end
wrk.headers["Authorization"] = "Bearer " .. key

-- report.lua sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "report.lua")
