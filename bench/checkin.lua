-- wrk script: each request is one device's check-in with a fresh reportId.
-- DEVICES_FILE: lines of "<credential> <json facts>", made by bench/checkin_rate.py.
local devices = {}
local counter = 0

local function uuid4()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 0xf) or math.random(8, 0xb)
    return string.format("%x", v)
  end))
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  for line in io.lines(os.getenv("DEVICES_FILE")) do
    local space = string.find(line, " ")
    table.insert(devices, {line:sub(1, space - 1), line:sub(space + 1)})
  end
  counter = math.random(1, #devices)
end

function request()
  counter = counter % #devices + 1
  local device = devices[counter]
  local body = '{"reportId":"' .. uuid4() .. '","agentVersion":"1.0.0","facts":' .. device[2]
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
