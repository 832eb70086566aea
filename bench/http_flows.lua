-- The request flows of bench/http_bench.py for wrk: wrk -s http_flows.lua URL -- DATA MODE [LIMIT]
-- DATA is a Lua file returning the bench's plan; MODE is one of
--   get     GET DATA.path again and again as DATA.cookie's owner (keeping the cookie a browser would keep)
--   insert  POST DATA.insert with a body as large as a quiz submit (the ceiling of the quiz flow)
--   quiz    per learner: POST start (302 to /attempts/<id>), POST every answer (302); needs -t = -c
--   mixed   per learner: home, course, two modules, quiz page, start, submit, result, profile; needs -t = -c
-- request() builds the next request from the state (it only skips learners who are done, so wrk's
-- extra call to check the script changes nothing that matters); response() moves the state on.
-- done() prints one line, "HTTPBENCH {json}", for the bench to read.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local plan, mode
local mine = {}            -- the learners of this thread, each {cookie=, csrf=, i=, n=}
local turn, step = 1, 1
local attempt, passing = nil, true
ok, bad, starts, sent, acked = 0, 0, 0, 0, 0
ids = ""                   -- "id:p,id:f,…": the acknowledged submits and how they were answered

function init(args)
  plan = dofile(args[1])
  mode = args[2]
  turn = plan.first or 1   -- a later mixed run starts further on, at learners and courses not yet taken
  local n = plan.threads
  for i, learner in ipairs(plan.learners) do
    if (i - 1) % n == tid then table.insert(mine, {cookie = learner[1], csrf = learner[2], i = i, n = 0}) end
  end
  if #mine == 0 then mine = {{cookie = plan.cookie, csrf = plan.csrf, i = 0, n = 0}} end
end

local function headers(learner, post)
  local h = {Cookie = "session=" .. learner.cookie}
  if post then h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end

local function course()
  return plan.courses[(turn - 1) % #plan.courses + 1]
end

-- the mixed flow, one entry per request: a path, or "start" / "submit"
local MIXED = {"/", "course", "module1", "module2", "quizpage", "start", "submit", "result", "/me"}

local function build(learner, what)
  local c = course()
  if what == "start" then
    return wrk.format("POST", c.start, headers(learner, true), "csrf_token=" .. learner.csrf)
  elseif what == "submit" then
    local answers = passing and c.right or c.wrong
    return wrk.format("POST", "/attempts/" .. attempt, headers(learner, true),
                      "csrf_token=" .. learner.csrf .. "&" .. answers)
  end
  local path = what
  if what == "course" then path = c.page
  elseif what == "module1" then path = c.modules[(turn - 1) % #c.modules + 1]
  elseif what == "module2" then path = c.modules[turn % #c.modules + 1]
  elseif what == "quizpage" then path = c.start
  elseif what == "result" then path = "/attempts/" .. attempt end
  return wrk.format("GET", path, headers(learner, false))
end

local function current()
  if mode == "quiz" then return attempt and "submit" or "start" end
  return MIXED[step]
end

function request()
  local learner = mine[(turn - 1) % #mine + 1]
  if mode == "get" then return wrk.format("GET", plan.path, headers(learner, false)) end
  if mode == "insert" then
    return wrk.format("POST", plan.insert, headers(learner, true), "csrf_token=" .. learner.csrf .. "&" .. plan.courses[1].right)
  end
  local what = current()
  if mode == "quiz" and what == "start" then  -- skip the learners who passed: their course is done
    local tries = 0
    while mine[(turn - 1) % #mine + 1].n >= 3 and tries < #mine do turn, tries = turn + 1, tries + 1 end
    learner = mine[(turn - 1) % #mine + 1]
  end
  if what == "submit" then sent = sent + 1 end
  return build(learner, what)
end

local function keep_cookie(learner, h)
  local set = h["Set-Cookie"]
  local value = set and set:match("^session=([^;]+)")
  if value then learner.cookie = value end
end

local function next_learner()
  attempt, step, turn = nil, 1, turn + 1
end

function response(status, h, body)
  local learner = mine[(turn - 1) % #mine + 1]
  keep_cookie(learner, h)
  if mode == "get" then
    if status == 200 then ok = ok + 1 else bad = bad + 1 end
    return
  elseif mode == "insert" then
    if status == 302 then ok = ok + 1 else bad = bad + 1 end
    return
  end
  local what = current()
  if what == "start" then
    local id = status == 302 and (h["Location"] or ""):match("/attempts/(%d+)$")
    if id then
      ok, starts, attempt = ok + 1, starts + 1, id
      learner.n = learner.n + 1
      -- in the quiz flow each learner fails twice and passes on the third attempt (ISO-01 allows 3,
      -- and a pass completes the course: that learner is then done)
      passing = mode ~= "quiz" or learner.n % 3 == 0
      step = step + 1
    else
      bad = bad + 1
      next_learner()
    end
  elseif what == "submit" then
    if status == 302 and (h["Location"] or ""):match("/attempts/" .. attempt .. "$") then
      ok, acked = ok + 1, acked + 1
      ids = ids .. attempt .. (passing and ":p," or ":f,")
      step = step + 1
      if mode == "quiz" then next_learner() end
    else
      bad = bad + 1
      next_learner()
    end
  else
    if status == 200 then ok = ok + 1 else bad = bad + 1 end
    step = step + 1
    if step > #MIXED then next_learner() end
  end
end

function done(summary, latency, requests)
  local totals = {ok = 0, bad = 0, starts = 0, sent = 0, acked = 0}
  local all = {}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + (thread:get(key) or 0) end
    table.insert(all, thread:get("ids") or "")
  end
  local e = summary.errors
  io.write(string.format(
    'HTTPBENCH {"seconds": %.6f, "requests": %d, "ok": %d, "bad": %d, "starts": %d, "sent_submits": %d, ' ..
    '"acked": %d, "socket_errors": %d, "non_2xx_3xx": %d, "p50_ms": %.3f, "p99_ms": %.3f, "ids": "%s"}\n',
    summary.duration / 1e6, summary.requests, totals.ok, totals.bad, totals.starts, totals.sent, totals.acked,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, table.concat(all)))
end
