-- test_term.lua: the text views a prompt user sees: sparklines, small charts and aligned tables, with
-- inf and nan shown, never crashing.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"
local term = il.term

local assert_error_like = support.assert_error_like

local function lines(s)
  local t = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do t[#t + 1] = line end
  return t
end

TestSparkline = {}

function TestSparkline.test_levels()
  lu.assertEquals(term.sparkline { 1, 2, 3, 4, 5, 6, 7, 8 }, "▁▂▃▄▅▆▇█")
  lu.assertEquals(term.sparkline { 0, 1 }, "▁█")
  lu.assertEquals(term.sparkline { 10, 0, 5 }, "█▁▅")
  lu.assertEquals(term.sparkline { 3, 3, 3 }, "▄▄▄")
  -- the zeros run: costs equal but for one last-bit wobble draw as a flat line
  lu.assertEquals(term.sparkline { 0.6931471805599453, 0.6931471805599455, 0.6931471805599453 }, "▄▄▄")
  lu.assertEquals(term.sparkline {}, "")
end

function TestSparkline.test_non_finite_marks()
  lu.assertEquals(term.sparkline { 1, 0 / 0, 8, math.huge, -math.huge }, "▁×█↑↓")
  lu.assertEquals(term.sparkline { math.huge, 0 / 0 }, "↑×")
  lu.assertEquals(term.sparkline { -1.7e308, 0, 1.7e308 }, "▁▅█") -- a range beyond the largest double
end

function TestSparkline.test_width_squeezes_and_keeps_inf()
  local costs = {}
  for i = 0, 14999 do costs[#costs + 1] = i == 0 and math.huge or 1 / (1 + i) end
  local s = term.sparkline(costs, { width = 30 })
  lu.assertEquals(utf8.len(s), 30)
  lu.assertEquals(s:sub(1, 3), "↑") -- the inf at iteration 0 is not averaged away
  lu.assertEquals(term.sparkline({ 1, 2, 3 }, { width = 10 }), "▁▅█")
end

function TestSparkline.test_matrix_and_errors()
  lu.assertEquals(term.sparkline(il.matrix { 1, 2, 3 }), "▁▅█")
  lu.assertEquals(term.sparkline(il.matrix { { 1 }, { 3 } }), "▁█")
  assert_error_like("must be a vector", term.sparkline, il.zeros(2, 2))
  assert_error_like("values[2] must be a number, got string", term.sparkline, { 1, "x" })
  assert_error_like("opts.width must be a positive integer", term.sparkline, { 1 }, { width = 0 })
end

TestChart = {}

function TestChart.test_single_series_braille_with_axis_labels()
  local x, y = {}, {}
  for i = 0, 99 do x[#x + 1] = i; y[#y + 1] = i == 0 and math.huge or 1 - i / 100 end
  local out = lines(term.chart { title = "cost", series = { { name = "he", x = x, y = y } }, width = 40, height = 8 })
  lu.assertEquals(out[1], "cost")
  lu.assertStrContains(out[2], "0.99 ┤↑")         -- max label on the top row, the inf mark at x = 0
  lu.assertStrContains(out[9], "0.01 ┤")          -- min label on the bottom row
  lu.assertStrContains(out[10], "└" .. string.rep("─", 40))
  lu.assertStrMatches(out[11], "%s+0%s+99")
  lu.assertStrContains(out[12], "he")
  lu.assertStrContains(out[13], "he: 1 not drawn (inf at x = 0)")
  -- Braille dots draw the line.
  local plot = table.concat(out, "\n", 2, 9)
  lu.assertNotNil(plot:find("[\226][\160-\163]"))
  -- Each plot row fits in gutter + 2 + width columns.
  for r = 2, 9 do lu.assertTrue(utf8.len(out[r]) <= 6 + 40, out[r]) end
end

function TestChart.test_several_series_one_marker_each()
  local a, b = {}, {}
  for i = 1, 50 do a[i] = i; b[i] = 50 - i end
  b[10] = 0 / 0
  local text = term.chart { series = { { name = "up", y = a }, { name = "down", y = b } }, width = 30, height = 10 }
  lu.assertStrContains(text, "*")
  lu.assertStrContains(text, "+")
  lu.assertStrContains(text, "* up   + down")
  lu.assertStrContains(text, "×")
  lu.assertStrContains(text, "down: 1 not drawn (nan at x = 10)")
end

function TestChart.test_log_scale_and_degenerate_input()
  local text = term.chart { series = { { y = { 1000, 100, 10, 1, 0 } } }, logy = true, height = 5 }
  lu.assertStrContains(text, "1000 ┤")
  lu.assertStrContains(text, "1 ┤")
  lu.assertStrContains(text, "31.62 ┤") -- the middle row of a log axis is the geometric middle
  lu.assertStrContains(text, "<= 0 at x = 5")
  term.chart { series = {} }
  term.chart { series = { { y = { 2, 2, 2 } } } }
  term.chart { series = { { y = { 0 / 0, math.huge } } } }
  term.chart { series = { { y = il.matrix { 1, 2, 3 } } } }
  lu.assertStrContains(term.chart { series = { { y = { 1e308, -1e308, 1.7e308 } } }, height = 4 }, "-1e308 ┤")
  lu.assertStrContains(term.chart { series = { { y = { 1e300, 1e300 } } }, height = 3 }, "1.1e300 ┤")
end

function TestChart.test_errors()
  assert_error_like("expected a table", term.chart, 3)
  assert_error_like("width and height must be integers", term.chart, { series = {}, width = 1 })
  assert_error_like("series[1].y must be a list of numbers", term.chart, { series = { { y = "x" } } })
  assert_error_like("x has 1 values but y has 2", term.chart, { series = { { x = { 1 }, y = { 1, 2 } } } })
end

TestTable = {}

function TestTable.test_alignment()
  local text = term.table({ "init", "train", "test", "note" },
                          { { "zeros", 0.5, 0.5, "symmetry" }, { "random", 0.83, 0.86 }, { "he", 0.9933333333333333, 0.96, "best" } })
  lu.assertEquals(text, table.concat({
    "init       train  test  note",
    "──────  ────────  ────  ────────",
    "zeros        0.5   0.5  symmetry",
    "random      0.83  0.86",
    "he      0.993333  0.96  best",
  }, "\n"))
end

function TestTable.test_cells_of_every_kind()
  local text = term.table({ "n", "v" }, { { 1, math.huge }, { 200, 0 / 0 }, { 3, 1e-20 }, { "é", true } })
  local out = lines(text)
  lu.assertEquals(out[3], "1    inf")
  lu.assertEquals(out[4], "200  nan")
  lu.assertEquals(out[5], "3    1e-20")
  lu.assertEquals(out[6], "é    true") -- column widths count characters, not bytes
  lu.assertEquals(term.table({}, { { 1, 2 } }), "1  2")
  assert_error_like("rows[1] must be a list of cells", term.table, { "a" }, { 5 })
end

os.exit(lu.LuaUnit.run())
