-- wrk script for bench/load_test.sh.
--   wrk ... http://127.0.0.1:PORT -s bench/load/mix.lua -- mix ITEMS_FILE CUSTOMERS_FILE
--   wrk ... http://127.0.0.1:PORT -s bench/load/mix.lua -- constant
-- "mix" sends the three per-email routes of `cobuy serve`, each request chosen at random
-- (seeded per thread):
--   40% GET  /v1/items/{id}/bought-together?limit=10
--   35% POST /v1/recommendations (a basket of 1-4 items; half of them also name a customer)
--   25% POST /v1/offers (a customer and a one-line order, "preview": true: the offer log is left alone)
-- ITEMS_FILE and CUSTOMERS_FILE hold one real id a line (items the model knows, customers of the
-- data). "constant" sends GET /v1/constant, the HTTP round-trip reference.
-- COBUY_KEY, when set, is sent as "Authorization: Bearer <key>".
-- Every answer other than 200 is an error. done() prints the answers by status and one line
--   LOAD_RESULT requests=N ok=N errors=N socket_errors=N
-- that bench/load_test.sh checks (socket errors: connect, read, write and timeouts).
-- The split by route is in the server's /metrics (wrk does not say which request an answer is for).

local threads = {}
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

local mode, items, customers
local headers = { ["Content-Type"] = "application/json" }
if os.getenv("COBUY_KEY") and os.getenv("COBUY_KEY") ~= "" then
  headers["Authorization"] = "Bearer " .. os.getenv("COBUY_KEY")
end

-- Per thread, read by done() through thread:get.
statuses = {}
errors = 0

local function read_lines(path)
  local out = {}
  local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
  for line in f:lines() do
    if line ~= "" then table.insert(out, line) end
  end
  f:close()
  return out
end

function init(args)
  mode = args[1] or "mix"
  if mode == "mix" then
    items = read_lines(args[2])
    customers = read_lines(args[3])
    assert(#items >= 4 and #customers > 0, "mix needs at least 4 item ids and one customer id")
  else
    assert(mode == "constant", "mode must be mix or constant, not " .. mode)
  end
  math.randomseed(id * 7919 + os.time())
end

local function pick(list)
  return list[math.random(#list)]
end

local function basket(n)
  local seen, out = {}, {}
  while #out < n do
    local item = pick(items)
    if not seen[item] then
      seen[item] = true
      table.insert(out, '"' .. item .. '"')
    end
  end
  return "[" .. table.concat(out, ",") .. "]"
end

function request()
  if mode == "constant" then return wrk.format("GET", "/v1/constant", headers) end
  local r = math.random(100)
  if r <= 40 then
    return wrk.format("GET", "/v1/items/" .. pick(items) .. "/bought-together?limit=10", headers)
  elseif r <= 75 then
    local body = '{"items":' .. basket(math.random(4)) .. ',"limit":10'
    if math.random(2) == 1 then body = body .. ',"customer_id":"' .. pick(customers) .. '"' end
    return wrk.format("POST", "/v1/recommendations", headers, body .. "}")
  end
  local body = '{"customer_id":"' .. pick(customers) .. '","context":"shipping","limit":5,"preview":true,' ..
               '"order":{"order_id":"load-' .. math.random(1000000) .. '","timestamp":"2011-12-10T12:00:00Z",' ..
               '"items":[{"item_id":"' .. pick(items) .. '","quantity":2}]}}'
  return wrk.format("POST", "/v1/offers", headers, body)
end

function response(status, _, _)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 then errors = errors + 1 end
end

function done(summary, _, _)
  local total, errs, by_status = 0, 0, {}
  for _, t in ipairs(threads) do
    errs = errs + t:get("errors")
    for s, n in pairs(t:get("statuses")) do
      by_status[s] = (by_status[s] or 0) + n
      total = total + n
    end
  end
  local codes = {}
  for s, n in pairs(by_status) do table.insert(codes, s .. ":" .. n) end
  table.sort(codes)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write("statuses ", table.concat(codes, " "), "\n")
  io.write(string.format("LOAD_RESULT requests=%d ok=%d errors=%d socket_errors=%d\n",
                         total, total - errs, errs, socket_errors))
end
