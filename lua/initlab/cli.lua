-- cli.lua: command-line options for lessons and experiments.
--
--   local opts = cli.parse(arg, {
--     usage = "lua/lessons/initialization.lua [options]",
--     { "iterations", "integer", 15000, "gradient steps per model" },
--     { "json", "string", nil, "write the results as JSON to FILE", metavar = "FILE" },
--     { "no-report", "flag", false, "do not write the HTML report" },
--   })
--   opts.iterations, opts.json, opts.no_report    (dashes become underscores)
--
-- Accepts --name value and --name=value. --help prints the usage and exits; a bad option prints what
-- was wrong and the usage on stderr and exits with status 2.
local cli = {}

local converters = {
  integer = function(s)
    local n = math.tointeger(tonumber(s))
    return n, "an integer"
  end,
  number = function(s)
    local x = tonumber(s)
    return x, "a number"
  end,
  string = function(s) return s, "a value" end,
}

function cli.usage(spec)
  local lines = { "usage: " .. (spec.usage or "script [options]"), "", "options:" }
  for _, o in ipairs(spec) do
    local name, kind, default, help = o[1], o[2], o[3], o[4]
    local metavar = o.metavar or (kind == "string" and "VALUE" or kind:upper())
    local left = "  --" .. name .. (kind == "flag" and "" or (" " .. metavar))
    local right = help or ""
    if default ~= nil and kind ~= "flag" then right = right .. (" (default: %s)"):format(tostring(default)) end
    lines[#lines + 1] = ("%-28s %s"):format(left, right)
  end
  lines[#lines + 1] = ("%-28s %s"):format("  --help", "show this help")
  return table.concat(lines, "\n")
end

local function fail(spec, message)
  io.stderr:write("error: ", message, "\n\n", cli.usage(spec), "\n")
  os.exit(2)
end

-- cli.parse(args, spec [, on_error]) -> options table. `on_error(message)` replaces the default
-- (print and exit), which lets tests check the messages.
function cli.parse(args, spec, on_error)
  local report = on_error or function(message) fail(spec, message) end
  local by_name, opts = {}, {}
  for _, o in ipairs(spec) do
    by_name[o[1]] = o
    opts[o[1]:gsub("-", "_")] = o[3]
  end
  local i = 1
  args = args or {}
  while i <= #args do
    local a = args[i]
    local name, value = a:match("^%-%-([%w-]+)=(.*)$")
    name = name or a:match("^%-%-([%w-]+)$")
    if a == "--help" or a == "-h" then
      print(cli.usage(spec))
      os.exit(0)
    end
    local o = name and by_name[name]
    if not o then return report(("unknown option '%s'"):format(a)) end
    local key = name:gsub("-", "_")
    if o[2] == "flag" then
      if value then return report(("--%s takes no value"):format(name)) end
      opts[key] = true
    else
      if not value then
        i = i + 1
        value = args[i]
        if value == nil then return report(("--%s needs a value"):format(name)) end
      end
      local converted, expected = converters[o[2]](value)
      if converted == nil then
        return report(("--%s expects %s, got '%s'"):format(name, expected, value))
      end
      if o.check then
        local ok, why = o.check(converted)
        if not ok then return report(("--%s %s: %s"):format(name, value, why)) end
      end
      opts[key] = converted
    end
    i = i + 1
  end
  return opts
end

return cli
