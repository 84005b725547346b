-- wrk script: each request is one device's check-in with a fresh reportId.
-- DEVICES_FILE: lines of "<credential> <json facts>", made by bench/checkin_rate.py.
-- CHANGING=1: each check-in of a device flips its reported firewall, so that every check-in
-- changes a fact its compliance policy evaluates (no quiet check-ins).
-- Each wrk thread takes its own share of the devices, so a device's check-ins come in order.
local threads = 0
local devices = {}
local visits = {}
local counter = 0
local changing = os.getenv("CHANGING") == "1"

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 0xf) or math.random(8, 0xb)
    return string.format("%x", v)
  end))
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  local index = 0
  local share = tonumber(id or 0)
  local count = tonumber(os.getenv("WRK_THREADS") or "2")
  for line in io.lines(os.getenv("DEVICES_FILE")) do
    if index % count == share then
      local space = string.find(line, " ")
      table.insert(devices, {line:sub(1, space - 1), line:sub(space + 1)})
      table.insert(visits, 0)
    end
    index = index + 1
  end
  counter = math.random(1, #devices)
end

function request()
  counter = counter % #devices + 1
  local device = devices[counter]
  local facts = device[2]
  if changing then
    visits[counter] = visits[counter] + 1
    local on = (visits[counter] % 2 == 0) and "true" or "false"
    facts = string.gsub(facts, '"firewallEnabled":%a+', '"firewallEnabled":' .. on)
  end
  local body = '{"reportId":"' .. uuid4() .. '","agentVersion":"1.0.0","facts":' .. facts
    .. ',"inventory":null}'
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. device[1]
  return wrk.format("POST", "/api/v1/agent/checkin", headers, body)
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if non200 < 3 then io.stderr:write("status " .. status .. ": " .. body:sub(1, 300) .. "\n") end
  end
end
