-- fmt.lua: numbers printed as Python and numpy print them, so lesson output reads like the notebook's.
local fmt = {}

-- fmt.float(x): Python's repr of a float: the shortest text that reads back as the same double
-- ("0.6879825919728063", "0.5", "1.0", "inf", "nan", "1e-05").
function fmt.float(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  local s
  for digits = 1, 17 do
    s = string.format("%." .. digits .. "e", x)
    if tonumber(s) == x then break end
  end
  -- s is d.ddde±XX with the fewest digits; Python writes it positionally when -4 <= exponent < 16
  local mantissa, exponent = s:match("^(-?[%d.]+)e([-+]%d+)$")
  exponent = tonumber(exponent)
  local sign = mantissa:sub(1, 1) == "-" and "-" or ""
  local digits = mantissa:gsub("[-.]", "")
  digits = digits:gsub("0+$", "")
  if digits == "" then digits = "0" end
  if exponent < -4 or exponent >= 16 then
    local tail = #digits > 1 and ("." .. digits:sub(2)) or ""
    return string.format("%s%s%se%s%02d", sign, digits:sub(1, 1), tail, exponent < 0 and "-" or "+", math.abs(exponent))
  end
  if exponent < 0 then
    return sign .. "0." .. string.rep("0", -exponent - 1) .. digits
  end
  local int_len = exponent + 1
  if #digits <= int_len then
    return sign .. digits .. string.rep("0", int_len - #digits) .. ".0"
  end
  return sign .. digits:sub(1, int_len) .. "." .. digits:sub(int_len + 1)
end

-- fmt.percent(x): 0.9933 -> "99.3%"
function fmt.percent(x, decimals)
  return string.format("%." .. (decimals or 1) .. "f%%", 100 * x)
end

return fmt
