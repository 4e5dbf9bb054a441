--- initlab.repl: how the interactive prompt shows results, completes names and offers help().
--
-- The host (src/main.c) uses it at the prompt only:
--   show(...)       prints the values of an expression typed at the prompt
--   complete(text)  the candidates for the word before the cursor when Tab is pressed
--   help            becomes the global help() unless one exists
-- Everything here can be changed to taste without a rebuild; format(v) is handy in scripts too.
local M = {}

M.max_depth = 3  -- tables nested deeper than this print as {...}
M.max_items = 40 -- entries shown per table before "... (N more)"
M.width = 78     -- a table whose one-line form fits in this many columns stays on one line

local keywords = {}
for word in ([[and break do else elseif end false for function goto if in local nil not or repeat
               return then true until while]]):gmatch("%a+") do
  keywords[word] = true
end

local function is_name(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil and not keywords[s]
end

local function quote(s)
  return (string.format("%q", s):gsub("\\\n", "\\n"))
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

-- Keys sort numbers first, then strings, then anything else by its tostring.
local key_rank = { number = 1, string = 2 }
local function key_before(a, b)
  local ra, rb = key_rank[type(a)] or 3, key_rank[type(b)] or 3
  if ra ~= rb then return ra < rb end
  if ra == 3 then return tostring(a) < tostring(b) end
  return a < b
end

local format

-- `open` holds the tables being printed around this one, so a cycle prints as a mark, not forever.
local function format_table(t, depth, open, indent)
  if open[t] then return "<cycle: " .. tostring(t) .. ">" end
  if depth > M.max_depth then return "{...}" end
  open[t] = true
  local len = 0 -- the sequence part, printed without keys
  while rawget(t, len + 1) ~= nil do len = len + 1 end
  local keys = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= len) then keys[#keys + 1] = k end
  end
  table.sort(keys, key_before)

  local inner = indent .. "  "
  local total = len + #keys
  local shown = math.min(total, M.max_items)
  local items = {}
  for i = 1, math.min(len, shown) do
    items[#items + 1] = format(rawget(t, i), depth + 1, open, inner)
  end
  for i = 1, shown - math.min(len, shown) do
    local k = keys[i]
    local key = is_name(k) and k or "[" .. format(k, depth + 1, open, inner) .. "]"
    items[#items + 1] = key .. " = " .. format(rawget(t, k), depth + 1, open, inner)
  end
  if total > shown then items[#items + 1] = "... (" .. (total - shown) .. " more)" end
  open[t] = nil

  if #items == 0 then return "{}" end
  local one_line = "{" .. table.concat(items, ", ") .. "}"
  if #indent + #one_line <= M.width and not one_line:find("\n", 1, true) then return one_line end
  return "{\n" .. inner .. table.concat(items, ",\n" .. inner) .. "\n" .. indent .. "}"
end

function format(v, depth, open, indent)
  local tv = type(v)
  if tv == "string" then return quote(v) end
  if tv == "table" and not has_tostring(v) then return format_table(v, depth, open, indent) end
  local ok, s = pcall(tostring, v) -- matrices print through their own __tostring
  if not ok then s = "<" .. tv .. " whose __tostring failed: " .. tostring(s) .. ">" end
  return (s:gsub("\n", "\n" .. indent)) -- a multi-line value inside a table keeps its column
end

--- The text the prompt shows for one value: strings as they are, tables readably, the rest by tostring.
function M.format(v)
  if type(v) == "string" then return v end
  return format(v, 1, {}, "")
end

--- Prints values the way the prompt does, separated by tabs.
function M.show(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = M.format((select(i, ...))) end
  io.stdout:write(table.concat(parts, "\t"), "\n")
end

-- ---- Tab completion -------------------------------------------------------------------------

local function field(v, name)
  local tv = type(v)
  if tv ~= "table" and tv ~= "userdata" and tv ~= "string" then return nil end
  local ok, value = pcall(function() return v[name] end)
  if ok then return value end
  return nil
end

-- The names reachable from v: its own string keys and, for objects, the methods behind __index.
local function add_names(v, pool, seen)
  if v == nil or seen[v] then return end
  seen[v] = true
  if type(v) == "table" then
    for k in next, v do
      if is_name(k) then pool[k] = true end
    end
  end
  local mt = getmetatable(v)
  if type(mt) == "table" and type(rawget(mt, "__index")) == "table" then
    add_names(rawget(mt, "__index"), pool, seen)
  end
end

--- Completions of `text` (what is typed before the cursor, such as "il.ma" or "m:tr"), looked up in
-- `env` (default _G). Returns a sorted list of whole replacements for `text`.
function M.complete(text, env)
  local scope = env or _G
  local head, sep, word = text:match("^(.-)([.:])([%w_]*)$")
  if head then
    for name in (head .. "."):gmatch("(.-)%.") do
      if not is_name(name) then return {} end
      scope = field(scope, name)
      if scope == nil then return {} end
    end
  else
    if not text:match("^[%w_]*$") then return {} end
    head, sep, word = "", "", text
  end
  local pool = {}
  add_names(scope, pool, {})
  if head == "" then
    for k in pairs(keywords) do pool[k] = true end
  end
  local found = {}
  for name in pairs(pool) do
    if name:sub(1, #word) == word and (sep ~= ":" or type(field(scope, name)) == "function") then
      found[#found + 1] = head .. sep .. name
    end
  end
  table.sort(found)
  return found
end

-- ---- help() -----------------------------------------------------------------------------------

local function wrapped(title, names)
  if #names == 0 then return end
  table.sort(names)
  local lines, line = {}, "  " .. title .. ":"
  for _, name in ipairs(names) do
    if #line + #name + 1 > M.width then
      lines[#lines + 1] = line
      line = "   "
    end
    line = line .. " " .. name
  end
  lines[#lines + 1] = line
  print(table.concat(lines, "\n"))
end

local function describe(t)
  local groups = { ["function"] = {}, table = {}, other = {} }
  local pool = {}
  add_names(t, pool, {})
  for name in pairs(pool) do
    local v = field(t, name)
    local tv = type(v)
    if tv == "function" then
      table.insert(groups["function"], name)
    elseif tv == "table" and not has_tostring(v) then
      table.insert(groups.table, name)
    else
      table.insert(groups.other, name .. " = " .. M.format(v):gsub("\n.*", " ..."))
    end
  end
  wrapped("functions", groups["function"])
  wrapped("tables", groups.table)
  for _, line in ipairs(groups.other) do print("  " .. line) end
end

local tour = [[
initlab: a prompt for experimenting with neural-network weight initialization.
  An expression prints its value:   1 + 1      {1, 2, x = 3}      il
  A statement runs:                 x = 2      for i = 1, 3 do print(i) end
  An unfinished line continues at the ">>" prompt (a function, a loop, a table...).
  Tab completes names (try il.<Tab>), Up and Down browse the history (~/.initlab_history),
  Ctrl-C stops a computation or drops the line being typed, Ctrl-D quits.
  help(t) lists what a table or object holds; help(il) the initlab module, kept in the global il.]]

--- help() shows a short tour of the prompt and the initlab module; help(x) describes x.
function M.help(x, ...)
  if select("#", ...) > 0 or x ~= nil then
    local tx = type(x)
    if tx == "table" and not has_tostring(x) then
      print("a table holding:")
      describe(x)
    elseif tx == "table" or tx == "userdata" then
      print(M.format(x):match("^[^\n]*") .. " (" .. tx .. "), with:")
      describe(x)
    elseif tx == "function" then
      local info = debug.getinfo(x, "S")
      print(info.what == "C" and "a function written in C"
        or ("a Lua function defined at %s:%d"):format(info.short_src, info.linedefined))
    else
      print(tx .. ": " .. M.format(x))
    end
    return
  end
  print(tour)
  local il = package.loaded.initlab
  if type(il) == "table" then
    print("The initlab module (il):")
    describe(il)
    print(M.lua_modules_text())
  end
end

-- The Lua layers under lua/initlab/, which il loads on first use (il.data, il.network...): they are not
-- in the table until then, so help lists them from the directory that holds them.
function M.lua_modules_text()
  local path = package.searchpath("initlab.data", package.path)
  local dir = path and path:match("^(.*)[/\\]data%.lua$")
  local names = {}
  local listing = dir and io.popen("ls '" .. dir:gsub("'", "'\\''") .. "' 2>/dev/null")
  if listing then
    for file in listing:lines() do
      local name = file:match("^([%w_]+)%.lua$")
      if name and name ~= "repl" then names[#names + 1] = name == "initializers" and "init" or name end
    end
    listing:close()
  end
  table.sort(names)
  return "  Lua modules, loaded on first use: il." .. table.concat(names, ", il.") ..
    "\n  (help(il.data) lists one; lessons in lua/lessons/, experiments in lua/experiments/)"
end

return M
