-- golden.lua: reads the numpy/scikit-learn reference data in tests/golden/ (written by gen_golden.py).
-- Non-finite numbers are stored as the strings "inf", "-inf" and "nan"; they come back as numbers.
local cjson = require "cjson"

local golden = {}

local nonfinite = { inf = math.huge, ["-inf"] = -math.huge, nan = 0 / 0 }

local function restore(v)
  if type(v) == "string" and nonfinite[v] then return nonfinite[v] end
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = restore(x) end
  end
  return v
end

-- golden.load_file(path) -> the decoded JSON file with non-finite numbers restored
function golden.load_file(path)
  local f = assert(io.open(path, "r"), "cannot open " .. path .. " (run the tests from the source root)")
  local text = f:read("a")
  f:close()
  return restore(cjson.decode(text))
end

-- golden.load("lesson") -> tests/golden/lesson.json, decoded
function golden.load(name)
  return golden.load_file("tests/golden/" .. name .. ".json")
end

return golden
