-- LuaUnit cases for lua/initlab/repl.lua (the prompt's printer, completer and help), run by
-- tests/host/test_host.sh through the host: initlab tests/host/repl_cases.lua
local lu = require "luaunit"
local repl = require "initlab.repl"

TestFormat = {}

function TestFormat.test_scalars_print_like_tostring()
  lu.assertEquals(repl.format(42), "42")
  lu.assertEquals(repl.format(0.5), "0.5")
  lu.assertEquals(repl.format(nil), "nil")
  lu.assertEquals(repl.format(true), "true")
  lu.assertEquals(repl.format("top-level strings stay bare"), "top-level strings stay bare")
end

function TestFormat.test_table_sequence_then_sorted_keys()
  lu.assertEquals(repl.format({}), "{}")
  lu.assertEquals(repl.format({ 1, 2, 3 }), "{1, 2, 3}")
  lu.assertEquals(repl.format({ 10, 20, b = 2, a = 1, [5] = "five", ["x y"] = true }),
    '{10, 20, [5] = "five", a = 1, b = 2, ["x y"] = true}')
  lu.assertEquals(repl.format({ ["end"] = 1 }), '{["end"] = 1}') -- a keyword is not a bare key
end

function TestFormat.test_nested_strings_are_quoted()
  lu.assertEquals(repl.format({ "a\nb" }), '{"a\\nb"}')
end

function TestFormat.test_depth_is_limited()
  lu.assertEquals(repl.format({ { { { { 1 } } } } }), "{{{{...}}}}")
end

function TestFormat.test_cycle_prints_a_mark()
  local t = {}
  t.self = t
  lu.assertStrMatches(repl.format(t), "{self = <cycle: table: .*>}")
end

function TestFormat.test_shared_table_is_not_a_cycle()
  local shared = { 1 }
  lu.assertEquals(repl.format({ shared, shared }), "{{1}, {1}}")
end

function TestFormat.test_long_table_breaks_into_lines()
  local t = {}
  for i = 1, 30 do t[i] = i * 1000 end
  local text = repl.format({ numbers = t })
  lu.assertStrContains(text, "\n")
  lu.assertStrMatches(text, "^{\n  numbers = {\n    1000,\n.*\n  }\n}$")
end

function TestFormat.test_many_items_are_cut()
  local t = {}
  for i = 1, repl.max_items + 5 do t[i] = i end
  lu.assertStrContains(repl.format(t), "... (5 more)")
end

function TestFormat.test_tostring_metamethod_wins()
  local obj = setmetatable({}, { __tostring = function() return "line one\nline two" end })
  lu.assertEquals(repl.format(obj), "line one\nline two")
  -- inside a table a multi-line value keeps its column
  lu.assertEquals(repl.format({ obj }), "{\n  line one\n  line two\n}")
end

function TestFormat.test_matrix_prints_through_its_tostring()
  local il = require "initlab"
  local m = il.ones(2, 2)
  lu.assertEquals(repl.format(m), tostring(m))
end

function TestFormat.test_failing_tostring_does_not_raise()
  local obj = setmetatable({}, { __tostring = function() error("nope") end })
  lu.assertStrContains(repl.format(obj), "__tostring failed")
end

TestComplete = {}

function TestComplete.test_globals_and_keywords()
  local env = { alpha = 1, alps = 2, beta = 3 }
  lu.assertEquals(repl.complete("al", env), { "alpha", "alps" })
  lu.assertEquals(repl.complete("whi", env), { "while" })
end

function TestComplete.test_fields_of_nested_tables()
  local env = { il = { nn = { linear = 1, lstm = 2, relu = 3 } } }
  lu.assertEquals(repl.complete("il.nn.l", env), { "il.nn.linear", "il.nn.lstm" })
  lu.assertEquals(repl.complete("il.", env), { "il.nn" })
  lu.assertEquals(repl.complete("il.missing.x", env), {})
  lu.assertEquals(repl.complete("il[1].x", env), {})
end

function TestComplete.test_methods_come_from_index()
  local class = { frob = function() end, size = 3 }
  local env = { obj = setmetatable({}, { __index = class }), s = "text" }
  lu.assertEquals(repl.complete("obj:", env), { "obj:frob" }) -- ':' offers functions only
  lu.assertEquals(repl.complete("obj.si", env), { "obj.size" })
  lu.assertEquals(repl.complete("s:upp", env), { "s:upper" }) -- strings have the string methods
end

function TestComplete.test_initlab_module()
  local found = repl.complete("il.matm", { il = require "initlab" })
  lu.assertEquals(found[1], "il.matmul")
  for _, name in ipairs(found) do lu.assertStrMatches(name, "il%.matm.*") end
end

TestHelp = {}

local function captured(f, ...)
  local lines = {}
  local saved = print
  print = function(...) -- luacheck: ignore
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(parts, "\t")
  end
  local ok, err = pcall(f, ...)
  print = saved -- luacheck: ignore
  assert(ok, err)
  return table.concat(lines, "\n")
end

function TestHelp.test_tour_lists_the_module()
  local text = captured(repl.help)
  lu.assertStrContains(text, "Ctrl-D quits")
  lu.assertStrContains(text, "The initlab module (il):")
  lu.assertStrContains(text, "matmul")
end

function TestHelp.test_describes_a_table()
  local text = captured(repl.help, { run = function() end, data = {}, size = 3 })
  lu.assertStrContains(text, "functions: run")
  lu.assertStrContains(text, "tables: data")
  lu.assertStrContains(text, "size = 3")
end

function TestHelp.test_describes_a_function_and_a_value()
  lu.assertStrContains(captured(repl.help, print), "written in C")
  lu.assertStrContains(captured(repl.help, 42), "number: 42")
end

os.exit(lu.LuaUnit.run())
