-- wrk script for scripts/bench.sh (run with one thread: -t1).
-- Arguments after "--": <requests file> <cycle|once> <Host header>.
-- The file holds one request per line: METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY
-- (cookie and body may be empty). "cycle" repeats the lines; "once" sends
-- each line once (fresh one-time codes) and counts any request past the end
-- as "exhausted", which makes the run invalid.

local requests = {}
local next_index = 0
local once = false
exhausted = 0
-- 503 answers (the server's documented `busy`), counted apart.
busy = 0

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local path, mode, host = args[1], args[2], args[3]
   once = mode == "once"
   for line in io.lines(path) do
      local method, target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = { ["Host"] = host, ["Accept"] = "application/json" }
      if cookie ~= "" then headers["Cookie"] = cookie end
      if body ~= "" then
         headers["Content-Type"] = "application/json"
         headers["X-MFA-CSRF"] = "1"
      else
         body = nil
      end
      table.insert(requests, wrk.format(method, target, headers, body))
   end
end

function request()
   next_index = next_index + 1
   if next_index > #requests then
      if once then
         exhausted = exhausted + 1
         next_index = #requests
      else
         next_index = 1
      end
   end
   return requests[next_index]
end

function response(status, _headers, _body)
   if status == 503 then busy = busy + 1 end
end

function done(summary, latency, _requests)
   local past_the_end = 0
   local busy_answers = 0
   for _, thread in ipairs(threads) do
      past_the_end = past_the_end + (thread:get("exhausted") or 0)
      busy_answers = busy_answers + (thread:get("busy") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
      '"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"exhausted":%d,"busy":%d}\n',
      summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
      latency:percentile(50), latency:percentile(99), latency.mean, latency.max, past_the_end,
      busy_answers))
end
