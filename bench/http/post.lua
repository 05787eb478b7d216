-- Writes as the next of this thread's users: BENCH_KIND=task creates a task (POST /api/tasks/),
-- BENCH_KIND=like toggles the like of a random seeded post (POST /api/community/posts/{id}/like).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
local kind = os.getenv("BENCH_KIND")
local next_user

function init(args)
   next_user = common.ring(common.my_users())
   math.randomseed(1000 + tid)
end

function request()
   local user = next_user()
   if kind == "task" then
      return wrk.format("POST", "/api/tasks/", common.headers(user, true),
         '{"title": "Bench task", "priority": "medium", "tags": ["bench"]}')
   end
   local posts = common.data.posts
   local post = posts[math.random(#posts)]
   return wrk.format("POST", "/api/community/posts/" .. post .. "/like", common.headers(user))
end
