--- initlab.json: results as JSON, exact and stable.
--
--   json.encode(value [, opts])        a JSON text; opts.indent = spaces per level (pretty output)
--   json.write(path, value [, opts])   writes the text (plus a newline) atomically; returns path
--   json.null                          encodes as null (a Lua table cannot hold nil)
--   json.object([t])                   marks t (default {}) as an object, so an empty one encodes as {}
--
-- Mapping: a table with keys 1..n (no holes) is an array, a table with string keys an object (keys
-- sorted, so the same value always gives the same text), an empty table [] unless marked by json.object;
-- numbers keep every bit (the shortest form that reads back to the same double, at most %.17g);
-- inf, -inf and NaN, which JSON cannot write, become the strings "inf", "-inf", "nan"; an initlab
-- matrix becomes a list of rows. Cycles, mixed tables, functions and other userdata are errors that
-- name where in the value they were found.
local M = {}

local files = require "initlab.files"

M.null = setmetatable({}, { __name = "json.null", __tostring = function() return "null" end })

local object_mt = { __name = "json.object" }
function M.object(t)
  return setmetatable(t or {}, object_mt)
end

local il = require "initlab"
local is_matrix = il.ismatrix

-- ---- numbers ------------------------------------------------------------------------------------

local function encode_number(x)
  if math.type(x) == "integer" then return string.format("%d", x) end
  if x ~= x then return '"nan"' end
  if x == math.huge then return '"inf"' end
  if x == -math.huge then return '"-inf"' end
  -- %.17g always reads back exactly; a shorter form that does too is kinder to readers (0.1, not
  -- 0.10000000000000001). Integral doubles stay integers ("3"): %g drops the ".0".
  local s
  for digits = 15, 17 do
    s = string.format("%." .. digits .. "g", x)
    if tonumber(s) == x then break end
  end
  return (s:gsub(",", ".")) -- a C locale with a decimal comma must not break the JSON
end

-- ---- strings (RFC 8259 section 7) --------------------------------------------------------------

local short_escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                        ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
local function escape_char(c)
  return short_escapes[c] or string.format("\\u%04x", c:byte())
end

local function encode_string(s, where)
  if not utf8.len(s) then error(("json: invalid UTF-8 in the string at %s"):format(where), 0) end
  s = s:gsub('[%c"\\]', function(c)
    if c == "\127" then return c end -- DEL is allowed as is
    return escape_char(c)
  end)
  -- U+2028 and U+2029 are valid JSON but end a line in JavaScript: escape them so the text can be
  -- pasted into a <script>.
  s = s:gsub("\226\128\168", "\\u2028"):gsub("\226\128\169", "\\u2029")
  return '"' .. s .. '"'
end

-- ---- tables --------------------------------------------------------------------------------------

local function path_key(where, k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") then return where .. "." .. k end
  if type(k) == "string" then return where .. "[" .. string.format("%q", k) .. "]" end
  return where .. "[" .. tostring(k) .. "]"
end

-- Classifies t as "array" (with its length) or "object" (with its sorted keys).
local function classify(t, where)
  local n, count, has_string, has_other = 0, 0, false, nil
  for k in next, t do
    count = count + 1
    if math.type(k) == "integer" and k >= 1 then
      if k > n then n = k end
    elseif type(k) == "string" then
      has_string = true
    else
      has_other = has_other or k
    end
  end
  if has_other ~= nil then
    error(("json: table at %s has a key of type %s (%s); only strings or 1..n are allowed")
          :format(where, math.type(has_other) or type(has_other), tostring(has_other)), 0)
  end
  if has_string and n > 0 then
    error(("json: table at %s mixes string keys with array indices"):format(where), 0)
  end
  if has_string or (count == 0 and getmetatable(t) == object_mt) then
    local keys = {}
    for k in next, t do keys[#keys + 1] = k end
    table.sort(keys)
    return "object", keys
  end
  if n ~= count then
    error(("json: array at %s has holes (%d entries, largest index %d)"):format(where, count, n), 0)
  end
  return "array", n
end

local encode_value -- forward: values nest

local function newline(opts, depth)
  if not opts.indent then return "" end
  return "\n" .. string.rep(" ", opts.indent * depth)
end

local function encode_list(out, items, n, opts, depth, where, get)
  if n == 0 then out[#out + 1] = "[]" return end
  out[#out + 1] = "["
  for i = 1, n do
    if i > 1 then out[#out + 1] = "," end
    out[#out + 1] = newline(opts, depth + 1)
    encode_value(out, get(items, i), opts, depth + 1, where .. "[" .. i .. "]")
  end
  out[#out + 1] = newline(opts, depth)
  out[#out + 1] = "]"
end

local function rawindex(t, i) return rawget(t, i) end

local function encode_table(out, t, opts, depth, where)
  if opts.seen[t] then error(("json: cycle at %s (a table contains itself)"):format(where), 0) end
  opts.seen[t] = true
  local kind, info = classify(t, where)
  if kind == "array" then
    encode_list(out, t, info, opts, depth, where, rawindex)
  elseif #info == 0 then
    out[#out + 1] = "{}"
  else
    out[#out + 1] = "{"
    for i, k in ipairs(info) do
      if i > 1 then out[#out + 1] = "," end
      out[#out + 1] = newline(opts, depth + 1)
      out[#out + 1] = encode_string(k, where)
      out[#out + 1] = opts.indent and ": " or ":"
      encode_value(out, rawget(t, k), opts, depth + 1, path_key(where, k))
    end
    out[#out + 1] = newline(opts, depth)
    out[#out + 1] = "}"
  end
  opts.seen[t] = nil -- the same table may appear twice side by side; only nesting in itself is a cycle
end

function encode_value(out, v, opts, depth, where)
  local tv = type(v)
  if v == nil or v == M.null then
    out[#out + 1] = "null"
  elseif tv == "boolean" then
    out[#out + 1] = tostring(v)
  elseif tv == "number" then
    out[#out + 1] = encode_number(v)
  elseif tv == "string" then
    out[#out + 1] = encode_string(v, where)
  elseif tv == "table" then
    encode_table(out, v, opts, depth, where)
  elseif is_matrix(v) then
    encode_list(out, v:totable(), (v:shape()), opts, depth, where, rawindex)
  else
    error(("json: cannot encode a %s at %s"):format(tv, where), 0)
  end
end

function M.encode(value, opts)
  opts = opts or {}
  local indent = opts.indent
  if indent == true then indent = 2 end
  if indent ~= nil and indent ~= false and (math.type(indent) ~= "integer" or indent < 0) then
    error("json.encode: opts.indent must be a non-negative integer", 2)
  end
  local state = { indent = indent or nil, seen = {} }
  local out = {}
  local ok, err = pcall(encode_value, out, value, state, 0, "value")
  if not ok then error(err, 2) end
  return table.concat(out)
end

function M.write(path, value, opts)
  local ok, text = pcall(M.encode, value, opts)
  if not ok then error(text, 2) end
  return files.write_atomic(path, text .. "\n")
end

return M
