-- The focus timer of this thread's users: POST /api/focus-sessions/start (a 1-minute timer), then,
-- once its answer names the session, POST /api/focus-sessions/{id}/complete for it (completed at
-- once: within LEARNFLOW_FOCUS_GRACE_SECONDS of a 1-minute plan, so it counts as completed), then
-- start again. A user has at most one timer running, so each user has one request in flight at most:
-- a thread keeps its idle users in a queue and the sessions waiting for completion in another; each
-- answer names its user_id, which sends the user back to the right queue. wrk's figures mix both.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")
local by_id, idle, to_complete = {}, {}, {}

local function push(queue, item)
   queue[#queue + 1] = item
end

local function pop(queue)
   return table.remove(queue, 1)
end

function init(args)
   for _, user in ipairs(common.my_users()) do
      by_id[user.id] = user
      push(idle, user)
   end
end

function request()
   local pending = pop(to_complete)
   if pending then
      return wrk.format("POST", "/api/focus-sessions/" .. pending.session .. "/complete",
         common.headers(pending.user, true), "{}")
   end
   local user = pop(idle)
   if not user then
      error("focus.lua: more connections than users in a thread")
   end
   return wrk.format("POST", "/api/focus-sessions/start", common.headers(user, true),
      '{"duration_minutes": 1, "session_type": "focus", "topic": "bench"}')
end

function response(status, headers, body)
   local user = by_id[body:match('"user_id":%s*"([%x-]+)"') or ""]
   if not user then
      return -- a failed request (wrk counts its status): its user stays out of the queues
   end
   if status == 201 then
      push(to_complete, { user = user, session = body:match('"session_id":%s*"([%x-]+)"') })
   else
      push(idle, user)
   end
end
