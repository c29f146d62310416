-- items.lua - GET /api/integrations/v1/inventory/items/{id} for `make
-- bench`, with "Authorization: Bearer $BENCH_KEY": each request names an
-- item picked at random among the public ids in the file BENCH_IDS (one
-- a line; tests/bench/run.sh writes it), read once per wrk thread. The
-- requests are formatted once, in init(), so that picking one costs wrk
-- next to nothing.

local reqs = {}

function init(args)
	local path = os.getenv("BENCH_IDS")

	if path == nil or path == "" then
		error("items.lua: BENCH_IDS is not set")
	end
	for l in assert(io.open(path)):lines() do
		if l ~= "" then
			reqs[#reqs + 1] = wrk.format("GET",
			    "/api/integrations/v1/inventory/items/" .. l)
		end
	end
	if #reqs == 0 then
		error("items.lua: no ids in " .. path)
	end
	-- Each thread its own sequence (a Lua state per thread).
	math.randomseed(os.time() + tonumber(tostring(reqs):match("%x+$"), 16))
end

function request()
	return reqs[math.random(#reqs)]
end

-- auth.lua (and through it report.lua) sits next to this file.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") ..
    "auth.lua")
