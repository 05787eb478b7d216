-- What every wrk script of bench/http shares: the users and their access tokens (the data file that
-- run.py writes, named by BENCH_DATA), each wrk thread's own share of them, and a done() that prints
-- the figures as one JSON line for run.py.
--
-- wrk runs setup() and done() in its main Lua state, init() / request() / response() in one state per
-- thread; setup() numbers the threads, so thread `tid` of BENCH_THREADS takes users tid+1,
-- tid+1+BENCH_THREADS, ... (two threads never share a user: the focus timer allows one per user).

local common = {}

common.data = dofile(os.getenv("BENCH_DATA"))
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
local numbered = 0

function setup(thread)
   thread:set("tid", numbered)
   numbered = numbered + 1
end

function common.my_users()
   local mine = {}
   for i, user in ipairs(common.data.users) do
      if (i - 1) % thread_count == tid then
         mine[#mine + 1] = user
      end
   end
   return mine
end

-- A ring over a list: next() returns its items in turn, starting at a thread-dependent place.
function common.ring(items)
   local position = (tid or 0) % #items
   return function()
      position = position % #items + 1
      return items[position]
   end
end

function common.headers(user, with_body)
   local headers = { ["Authorization"] = "Bearer " .. user.token }
   if with_body then
      headers["Content-Type"] = "application/json"
   end
   return headers
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests": %.0f, "duration_us": %.0f, "p50_us": %.0f, "p99_us": %.0f, '
         .. '"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, "timeout": %.0f}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end

return common
