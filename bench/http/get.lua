-- GET BENCH_PATH, each request as the next of this thread's users (so per-user caches are each
-- user's own, as in production). The ceiling is measured with this script too: it ignores the token.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
local path = os.getenv("BENCH_PATH")
local next_user

function init(args)
   next_user = common.ring(common.my_users())
end

function request()
   return wrk.format("GET", path, common.headers(next_user()))
end
