-- paths.lua - GET of a path picked at random among the lines of the file
-- BENCH_PATHS (tests/bench/run.sh writes it: the bare baselines'
-- /items/{id}, the growth rows' item reads and searches), with
-- "Authorization: Bearer $BENCH_KEY" when BENCH_KEY is set. An answer
-- without BENCH_WANT in it (when set) counts as not 2xx (report.lua), so
-- a search that finds nothing cannot pass for a fast one. The requests
-- are formatted once, in init(), so that picking one costs wrk next to
-- nothing.

local reqs = {}
local key = os.getenv("BENCH_KEY")
local want = os.getenv("BENCH_WANT")

function init(args)
	local path = os.getenv("BENCH_PATHS")
	local headers = {}

	if path == nil or path == "" then
		error("paths.lua: BENCH_PATHS is not set")
	end
	if key ~= nil and key ~= "" then
		headers["Authorization"] = "Bearer " .. key
	end
	for l in assert(io.open(path)):lines() do
		if l ~= "" then
			reqs[#reqs + 1] = wrk.format("GET", l, headers)
		end
	end
	if #reqs == 0 then
		error("paths.lua: no paths in " .. path)
	end
	-- Each thread its own sequence (a Lua state per thread).
	math.randomseed(os.time() + tonumber(tostring(reqs):match("%x+$"), 16))
end

function request()
	return reqs[math.random(#reqs)]
end

if want ~= nil and want ~= "" then
	function check(body)
		return body ~= nil and body:find(want, 1, true) ~= nil
	end
end

-- report.lua sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "report.lua")
