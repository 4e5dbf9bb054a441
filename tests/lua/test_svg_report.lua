-- test_svg_report.lua: the SVG figures are well-formed XML with only finite, short numbers, handle the
-- values the lesson produces (inf costs, constant or NaN decision maps), and the HTML report writes
-- every figure beside index.html. (tests/host/test_report_chromium.sh checks that a browser renders them.)
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"
local svg = il.svg
local report = il.report
local files = il.files

local assert_error_like = support.assert_error_like

-- ---- a small XML checker: balanced tags, quoted attributes, entities only -------------------------------

local function check_text(s, where)
  for amp in s:gmatch("&[^;%s]*;?") do
    if not (amp:match("^&%a+;$") or amp:match("^&#%d+;$")) then
      error(("bad entity %q in %s"):format(amp, where))
    end
  end
  if s:find(">", 1, true) then error("bare > in " .. where) end
end

-- Parses SVG text; returns its elements {name =, attrs = {...}} in order and the text content.
local function parse_xml(text)
  local elements, content, stack = {}, {}, {}
  local pos, roots = 1, 0
  while true do
    local s, e, close, name, rest = text:find("<(/?)([%a_][%w_:%-]*)([^<>]*)>", pos)
    local between = text:sub(pos, (s or #text + 1) - 1)
    check_text(between, "text")
    content[#content + 1] = between
    if not s then break end
    if close == "/" then
      local open = table.remove(stack)
      if open ~= name then error(("</%s> closes <%s>"):format(name, tostring(open))) end
    else
      local self_closing = rest:sub(-1) == "/"
      if self_closing then rest = rest:sub(1, -2) end
      local attrs, seen = {}, 0
      for k, v in rest:gmatch('%s+([%a_][%w_:%-]*)="([^"]*)"') do
        if attrs[k] then error(("attribute %s twice in <%s>"):format(k, name)) end
        check_text(v, "attribute " .. k)
        attrs[k] = v
        seen = seen + 1
      end
      local leftover = rest:gsub('%s+([%a_][%w_:%-]*)="([^"]*)"', ""):gsub("%s+", "")
      if leftover ~= "" then error(("malformed attributes in <%s%s>"):format(name, rest)) end
      if #stack == 0 then roots = roots + 1 end
      elements[#elements + 1] = { name = name, attrs = attrs }
      if not self_closing then stack[#stack + 1] = name end
    end
    pos = e + 1
  end
  if #stack > 0 then error("unclosed <" .. stack[#stack] .. ">") end
  if roots ~= 1 then error("expected one root element, found " .. roots) end
  return elements, table.concat(content)
end

local function count(elements, name, pred)
  local n = 0
  for _, el in ipairs(elements) do
    if el.name == name and (not pred or pred(el.attrs)) then n = n + 1 end
  end
  return n
end

-- Every figure: well-formed, an <svg> root with xmlns (needed for <img>), no inf/nan in any attribute,
-- and numbers short (at most 3 decimals).
local function check_svg(text)
  local ok, elements, content = pcall(parse_xml, text)
  lu.assertTrue(ok, "not well-formed XML: " .. tostring(elements))
  lu.assertEquals(elements[1].name, "svg")
  lu.assertEquals(elements[1].attrs.xmlns, "http://www.w3.org/2000/svg")
  for _, el in ipairs(elements) do
    for k, v in pairs(el.attrs) do
      if k ~= "font-family" then
        lu.assertNil(v:lower():find("nan", 1, true), ("%s=%q in <%s>"):format(k, v, el.name))
        lu.assertNil(v:lower():find("inf", 1, true), ("%s=%q in <%s>"):format(k, v, el.name))
        lu.assertNil(v:find("%d%.%d%d%d%d"), ("%s=%q has too many decimals"):format(k, v))
      end
    end
  end
  return elements, content
end

local function range(a, b)
  local t = {}
  for i = a, b do t[#t + 1] = i end
  return t
end

-- ---- ticks ----------------------------------------------------------------------------------------------

TestTicks = {}

function TestTicks.test_nice_ticks()
  lu.assertEquals((svg.nice_ticks(0, 1, 6)), { 0, 0.2, 0.4, 0.6000000000000001, 0.8, 1 })
  local ticks, step = svg.nice_ticks(0, 14999, 8)
  lu.assertEquals(step, 2000)
  lu.assertEquals(ticks, { 0, 2000, 4000, 6000, 8000, 10000, 12000, 14000 })
  lu.assertEquals((svg.nice_ticks(-1.5, 1.5, 7)), { -1.5, -1, -0.5, 0, 0.5, 1, 1.5 })
  lu.assertEquals((svg.nice_ticks(3, 3)), { 3 })
end

function TestTicks.test_ticks_are_round_and_cover_the_range()
  math.randomseed(7)
  for _ = 1, 300 do
    local lo = (math.random() - 0.5) * 10 ^ math.random(-6, 6)
    local hi = lo + math.random() * 10 ^ math.random(-6, 6) + 1e-9
    local want = math.random(2, 10)
    if math.max(math.abs(lo), math.abs(hi)) / (hi - lo) > 1e9 then goto continue end -- below double precision
    local ticks, step = svg.nice_ticks(lo, hi, want)
    local mantissa = step / 10 ^ math.floor(math.log(step, 10) + 1e-9)
    lu.assertTrue(math.abs(mantissa - 1) < 1e-9 or math.abs(mantissa - 2) < 1e-9 or math.abs(mantissa - 5) < 1e-9,
                  "step " .. step .. " is not 1, 2 or 5 times a power of ten")
    lu.assertTrue(#ticks >= 2 and #ticks <= 2 * want + 2, ("%d ticks for %d wanted"):format(#ticks, want))
    for _, t in ipairs(ticks) do
      lu.assertTrue(t >= lo - step * 1e-6 and t <= hi + step * 1e-6)
    end
    ::continue::
  end
  -- Ranges no multiple can count (overflowing, or far below the values' precision) fall back to the ends.
  lu.assertEquals((svg.nice_ticks(-1.7e308, 1.7e308)), { -1.7e308, 1.7e308 })
  lu.assertEquals((svg.nice_ticks(1e17, 1e17 + 64)), { 1e17, 1e17 + 64 })
end

function TestTicks.test_extreme_data_never_writes_inf_or_nan()
  local big = 1.7976931348623157e308
  for _, fig in ipairs {
    svg.scatter { points = { x = { -big, big, 0 }, y = { 1, 2, 3 } } },
    svg.line_chart { series = { { y = { big, -big, 5 } } } },
    svg.line_chart { series = { { y = { big, big } } } },
    svg.line_chart { series = { { y = { 5e-324, 1e308 } } }, logy = true },
    svg.line_chart { series = { { y = { 1, 1 + 1e-15 } } } },
    svg.histogram { values = { -big, big, 0 } },
    svg.bar_chart { values = { big, -big } },
    svg.decision_map { grid = { xmin = -1e308, xmax = 1e308, ymin = 0, ymax = 1e-300, nx = 2, ny = 2, values = { 0, 1, 1, 0 } } },
  } do
    local _, content = check_svg(fig)
    lu.assertNil(content:find("%f[%w%-]%-?inf%f[^%w]"), "an axis label reads inf")
  end
end

function TestTicks.test_labels_are_clean()
  local text = svg.line_chart { series = { { y = { 0, 0.3, 0.7, 1 } } } }
  local _, content = check_svg(text)
  lu.assertStrContains(content, "0.6")
  lu.assertNil(content:find("0.6000000000000001", 1, true))
  -- A log axis over many decades labels powers of ten.
  local _, logcontent = check_svg(svg.line_chart { logy = true, series = { { y = { 1e-8, 1e-4, 1, 1e3 } } } })
  lu.assertStrContains(logcontent, "0.01")
  lu.assertStrContains(logcontent, "10-8") -- 10 with a raised -8
end

-- ---- line chart -----------------------------------------------------------------------------------------

TestLineChart = {}

local function lesson_costs(n)
  local x, y = {}, {}
  for i = 0, n - 1 do
    x[#x + 1] = i
    y[#y + 1] = i == 0 and math.huge or 0.7 * math.exp(-i / 3000) + 0.07
  end
  return x, y
end

function TestLineChart.test_inf_cost_at_iteration_zero_is_skipped_and_noted()
  local x, y = lesson_costs(15000)
  local text = svg.line_chart { title = "Cost", xlabel = "iteration", ylabel = "cost",
                                series = { { name = "random", x = x, y = y }, { name = "he", x = x, y = y, dash = true } } }
  local elements, content = check_svg(text)
  lu.assertStrContains(content, "random: not drawn: y = inf at x = 0")
  lu.assertStrContains(content, "Cost")
  lu.assertStrContains(content, "iteration")
  -- A triangle marks the inf at the top edge (one per series).
  lu.assertEquals(count(elements, "path", function(a) return a.d and a.d:match("l%-4%.5 8h9z$") end), 2)
  -- 15000 points per series stay small: one point per pixel column's extremes.
  lu.assertTrue(#text < 40000, "figure is " .. #text .. " bytes")
end

function TestLineChart.test_non_finite_values_break_the_line()
  local text = svg.line_chart { series = { { name = "s", y = { 1, 2, 0 / 0, 3, 4, -math.huge, 5, 6, 7 } } } }
  local elements, content = check_svg(text)
  local d
  for _, el in ipairs(elements) do
    if el.name == "path" and el.attrs.stroke == svg.palette[1] and el.attrs.fill == "none" then d = el.attrs.d end
  end
  lu.assertNotNil(d)
  local _, moves = d:gsub("M", "")
  lu.assertEquals(moves, 3)
  lu.assertStrContains(content, "y = nan at x = 3; y = -inf at x = 6")
end

function TestLineChart.test_lone_point_is_drawn_as_a_dot()
  local elements = check_svg(svg.line_chart { series = { { y = { 1, 0 / 0, 2, 0 / 0, 3 } } } })
  lu.assertEquals(count(elements, "circle"), 3)
end

function TestLineChart.test_logy_skips_non_positive_values()
  local text = svg.line_chart { logy = true, series = { { name = "std", y = { 10, 1, 0, -1, 0.1 } } } }
  local _, content = check_svg(text)
  lu.assertStrContains(content, "log scale needs &gt; 0")
  lu.assertStrContains(content, "0.1")
end

function TestLineChart.test_all_values_unusable_or_no_series()
  local _, content = check_svg(svg.line_chart { series = { { y = { math.huge, 0 / 0 } } } })
  lu.assertStrContains(content, "no values to draw")
  check_svg(svg.line_chart { series = {} })
  check_svg(svg.line_chart { series = { { y = { 5, 5, 5 } } } }) -- a flat line
  check_svg(svg.line_chart { series = { { y = { 1 } } } })
end

function TestLineChart.test_text_is_escaped()
  local text = svg.line_chart { title = [[<b> & "quotes" 'single']], xlabel = "a < b", ylabel = "x > y",
                                series = { { name = "Tom & Jerry <3", y = { 1, 2 } } } }
  local _, content = check_svg(text)
  lu.assertStrContains(text, "&lt;b&gt; &amp; &quot;quotes&quot; &#39;single&#39;")
  lu.assertStrContains(content, "Tom &amp; Jerry &lt;3")
  check_svg(svg.line_chart { title = "bad \0 control \1 and \255 byte", series = {} })
  -- Colors go into attributes: escaped too.
  local text2 = svg.line_chart { series = { { y = { 1, 2 }, color = 'red" onload="x' } } }
  check_svg(text2)
  lu.assertStrContains(text2, 'stroke="red&quot; onload=&quot;x"')
end

function TestLineChart.test_matrix_input_and_errors()
  local m = il.matrix { 3, 2, 1 }
  check_svg(svg.line_chart { series = { { x = il.matrix { { 1 }, { 2 }, { 3 } }, y = m } } })
  assert_error_like("svg.line_chart: series[1].y must be a vector", svg.line_chart,
                    { series = { { y = il.zeros(2, 2) } } })
  assert_error_like("series[1].y[2] must be a number, got string", svg.line_chart, { series = { { y = { 1, "2" } } } })
  assert_error_like("series[1]: x has 2 values but y has 3", svg.line_chart, { series = { { x = { 1, 2 }, y = { 1, 2, 3 } } } })
  assert_error_like("expected a table of options", svg.line_chart, "cost")
  assert_error_like("ylim must be {lo, hi}", svg.line_chart, { series = {}, ylim = { 1, 0 } })
end

function TestLineChart.test_clip_ids_are_unique()
  local a = svg.line_chart { series = {} }
  local b = svg.line_chart { series = {} }
  lu.assertNotEquals(a:match('clipPath id="([^"]+)"'), b:match('clipPath id="([^"]+)"'))
end

-- ---- scatter and decision map ---------------------------------------------------------------------------------

local function circles_data()
  local x, y, c = {}, {}, {}
  for i = 1, 40 do
    local a = i * 2.399
    local r = i % 2 == 0 and 0.5 or 1
    x[i], y[i], c[i] = r * math.cos(a), r * math.sin(a), i % 2 == 0 and 1 or 0
  end
  return { x = x, y = y, class = c }
end

TestScatter = {}

function TestScatter.test_points_colored_by_class_with_legend()
  local pts = circles_data()
  local elements, content = check_svg(svg.scatter { title = "train", points = pts,
                                                    classes = { { name = "outer" }, { name = "inner" } } })
  local red, blue = svg.class_colors[0], svg.class_colors[1]
  lu.assertEquals(count(elements, "circle", function(a) return a.fill == red end), 20 + 1) -- + the legend's
  lu.assertEquals(count(elements, "circle", function(a) return a.fill == blue end), 20 + 1)
  lu.assertStrContains(content, "outer")
  lu.assertStrContains(content, "inner")
end

function TestScatter.test_matrices_and_skipped_points()
  local x = il.matrix { 1, 2, 0 / 0, 4 }
  local y = il.matrix { 1, 2, 3, math.huge }
  local elements, content = check_svg(svg.scatter { points = { x = x, y = y, class = il.matrix { 0, 1, 0, 1 } } })
  lu.assertStrContains(content, "2 points with inf or nan coordinates not drawn")
  lu.assertEquals(count(elements, "circle"), 2 + 2)
  assert_error_like("points.class has 2 values but there are 4 points", svg.scatter,
                    { points = { x = x, y = y, class = { 0, 1 } } })
end

TestDecisionMap = {}

local function grid(nx, ny, values)
  return { xmin = -1.5, xmax = 1.5, ymin = -1.5, ymax = 1.5, nx = nx, ny = ny, values = values }
end

local function map_rects(elements)
  -- The map's cells: rectangles after the clip path's own, less the frame drawn after them.
  local n, after_clip = 0, false
  for _, el in ipairs(elements) do
    if el.name == "clipPath" then after_clip = true
    elseif after_clip and el.name == "rect" then n = n + 1 end
  end
  return n - 2
end

function TestDecisionMap.test_constant_grid_predicting_one_class()
  local text = svg.decision_map { title = "zeros", grid = grid(60, 50, il.zeros(50, 60)), points = circles_data() }
  local elements, content = check_svg(text)
  lu.assertEquals(map_rects(elements), 1)
  lu.assertStrContains(content, "the classifier predicts class 0 everywhere")
  lu.assertEquals(count(elements, "path", function(a) return a.stroke == "#333" end), 0) -- no boundary
  -- Points on top with a dark outline.
  lu.assertEquals(count(elements, "circle"), 40 + 2)
  local _, constant_prob = check_svg(svg.decision_map { grid = grid(4, 4, il.full(4, 4, 0.5)) })
  lu.assertStrContains(constant_prob, "the probability is 0.5 everywhere")
end

function TestDecisionMap.test_probability_map_has_bands_and_a_boundary()
  local g = grid(80, 80)
  local p = svg.grid_points(g)
  local v = {}
  for k = 1, #p.x do v[k] = 1 / (1 + math.exp(8 * (math.sqrt(p.x[k] ^ 2 + p.y[k] ^ 2) - 0.75))) end
  g.values = v
  local text = svg.decision_map { grid = g, points = circles_data() }
  local elements = check_svg(text)
  lu.assertEquals(count(elements, "path", function(a) return a.stroke == "#333" end), 1)
  lu.assertTrue(map_rects(elements) > 10)
  lu.assertTrue(map_rects(elements) < 80 * 80 / 4, "cells should merge into rectangles")
  lu.assertTrue(#text < 60000, "figure is " .. #text .. " bytes")
end

function TestDecisionMap.test_nan_cells_are_gray_and_noted()
  local values = il.ones(3, 4)
  values:set(2, 2, 0 / 0)
  values:set(3, 4, math.huge)
  local elements, content = check_svg(svg.decision_map { grid = grid(4, 3, values) })
  lu.assertStrContains(content, "2 of 12 cells are nan or inf (gray)")
  lu.assertTrue(count(elements, "rect", function(a) return a.fill == "#bdbdbd" end) >= 2)
  local _, all_nan = check_svg(svg.decision_map { grid = grid(2, 2, il.full(2, 2, 0 / 0)) })
  lu.assertStrContains(all_nan, "every cell is nan or inf")
end

function TestDecisionMap.test_grid_points_order_and_value_forms_agree()
  local g = { xmin = -1, xmax = 1, ymin = 0, ymax = 2, nx = 3, ny = 2 }
  lu.assertEquals(svg.grid_points(g), { x = { -1, 0, 1, -1, 0, 1 }, y = { 0, 0, 0, 2, 2, 2 } })
  local flat = { 0, 0, 1, 0, 1, 1 }
  g.values = flat
  local a = svg.decision_map { grid = g }
  g.values = { { 0, 0, 1 }, { 0, 1, 1 } }
  local b = svg.decision_map { grid = g }
  g.values = il.matrix { { 0, 0, 1 }, { 0, 1, 1 } }
  local c = svg.decision_map { grid = g }
  g.values = il.matrix(flat)
  local d = svg.decision_map { grid = g }
  local function strip(s) return (s:gsub('plot%d+', "plot")) end
  lu.assertEquals(strip(a), strip(b))
  lu.assertEquals(strip(a), strip(c))
  lu.assertEquals(strip(a), strip(d))
  check_svg(svg.decision_map { grid = { xmin = 0, xmax = 1, ymin = 0, ymax = 1, nx = 1, ny = 1, values = { 1 } } })
end

function TestDecisionMap.test_errors()
  assert_error_like("grid.values must be a 3 x 4 matrix (ny x nx) or hold 12 values, got a 4 x 3 matrix",
                    svg.decision_map, { grid = grid(4, 3, il.zeros(4, 3)) })
  assert_error_like("grid.values holds 5 values, expected nx * ny = 12", svg.decision_map,
                    { grid = grid(4, 3, { 1, 2, 3, 4, 5 }) })
  assert_error_like("grid.nx must be a positive integer", svg.decision_map, { grid = grid(0, 3, {}) })
  assert_error_like("grid needs xmin < xmax", svg.decision_map,
                    { grid = { xmin = 1, xmax = 1, ymin = 0, ymax = 1, nx = 1, ny = 1, values = { 0 } } })
  assert_error_like("probability values must lie in [0, 1]", svg.decision_map,
                    { grid = grid(2, 1, { 0.5, 1.5 }), mode = "probability" })
  assert_error_like('mode must be "class" or "probability"', svg.decision_map, { grid = grid(1, 1, { 0 }), mode = "x" })
end

-- ---- histogram and bar chart ---------------------------------------------------------------------------------

TestHistogram = {}

-- The heights (pixels above the base) of a one-set histogram's bins, read from its step outline.
local function bin_heights(text)
  local d = text:match('<path d="(M[^"]*Z)"')
  local base = tonumber(d:match("^M[%d.%-]+ ([%d.%-]+)"))
  local heights = {}
  for v in d:gmatch("V([%d.%-]+)H") do heights[#heights + 1] = base - tonumber(v) end
  return heights
end

function TestHistogram.test_counts()
  local text = svg.histogram { values = { 0, 0, 0, 0.2, 1, 0 / 0 }, bins = 2 }
  local _, content = check_svg(text)
  local h = bin_heights(text)
  lu.assertEquals(#h, 2)
  lu.assertAlmostEquals(h[1] / h[2], 4 / 1, 0.02) -- 1.0 falls in the last bin, as in numpy
  lu.assertStrContains(content, "1 inf or nan value not counted")
end

function TestHistogram.test_matrix_constant_and_series()
  check_svg(svg.histogram { values = il.zeros(20, 30), title = "constant" })
  local text = svg.histogram { series = { { name = "layer 1", values = il.matrix { { 1, 2 }, { 3, 4 } } },
                                          { name = "layer 2", values = { 2, 3, 3 } } }, bins = 3 }
  local elements, content = check_svg(text)
  lu.assertStrContains(content, "layer 1")
  lu.assertEquals(count(elements, "path", function(a) return a["fill-opacity"] == "0.45" end), 2)
  check_svg(svg.histogram { values = { 1, 10, 100, 1000 }, logy = true })
  check_svg(svg.histogram { values = {} })
  assert_error_like("bins must be a positive integer", svg.histogram, { values = { 1 }, bins = 0 })
end

TestBarChart = {}

function TestBarChart.test_log_bars_skip_non_positive()
  local text = svg.bar_chart { title = "std per layer", labels = { "layer 1", "layer 2", "layer 3" }, logy = true,
                               series = { { name = "random", values = { 10, 80, 400 } }, { name = "he", values = { 1.1, 0.9, 0 } } } }
  local elements, content = check_svg(text)
  lu.assertStrContains(content, "he: not drawn: layer 3 = 0 (log scale needs &gt; 0)")
  lu.assertEquals(count(elements, "rect", function(a) return a.height ~= nil and a.width ~= "14" end) - 2, 5)
  lu.assertStrContains(content, "layer 2")
end

function TestBarChart.test_negative_values_and_long_labels()
  local _, content = check_svg(svg.bar_chart { values = { -1, 2, math.huge },
                                               labels = { "a very long category name", "another long name", "c" } })
  lu.assertStrContains(content, "c = inf")
  lu.assertStrContains(content, "0")
end

-- ---- report ---------------------------------------------------------------------------------------------------

TestReport = {}

local scratch
function TestReport.setUp()
  scratch = os.tmpname()
  os.remove(scratch)
  scratch = scratch .. " dir with spaces"
end
function TestReport.tearDown()
  os.execute("rm -rf " .. files.shell_quote(scratch))
end

local function small_page()
  local page = report.new { title = "Initialization <lesson>", subtitle = "zeros, random, He" }
  page:heading("Cost"):paragraph("The cost at iteration 0 is `inf`.\n\nA second & last paragraph.")
  page:figure("cost", svg.line_chart { series = { { y = { math.huge, 1, 0.5 } } } }, "Cost per iteration")
  page:figure("map.svg", svg.decision_map { grid = grid(2, 2, il.zeros(2, 2)) })
  page:table { headers = { "init", "train accuracy", "note" },
               rows = { { "zeros", 0.5, "fails to break symmetry" }, { "he", 0.9933333333333333, "" } },
               caption = "Accuracy" }
  page:code("Cost after iteration 0: inf\nCost after iteration 1000: 0.6879825919728063\n")
  return page
end

function TestReport.test_html_content()
  local html = small_page():html()
  lu.assertStrContains(html, "<!DOCTYPE html>")
  lu.assertStrContains(html, "<title>Initialization &lt;lesson&gt;</title>")
  lu.assertStrContains(html, "<h2>Cost</h2>")
  lu.assertStrContains(html, "<p>The cost at iteration 0 is <code>inf</code>.</p>\n<p>A second &amp; last paragraph.</p>")
  lu.assertStrContains(html, '<img src="cost.svg" alt="Cost per iteration" width="640" height="400">')
  lu.assertStrContains(html, "Figure 1.</span> Cost per iteration")
  lu.assertStrContains(html, '<img src="map.svg"')
  lu.assertStrContains(html, "Figure 2.</span> map")
  lu.assertStrContains(html, '<th class="num">train accuracy</th>')
  lu.assertStrContains(html, '<td class="num">0.993333</td>')
  lu.assertStrContains(html, "<caption>Accuracy</caption>")
  lu.assertStrContains(html, "<pre><code>Cost after iteration 0: inf\nCost after iteration 1000: 0.6879825919728063</code></pre>")
  -- Offline: nothing fetched from elsewhere.
  lu.assertNil(html:find("http", 1, true))
  lu.assertNil(html:find("<link", 1, true))
  lu.assertNil(html:find("<script", 1, true))
end

function TestReport.test_write_creates_the_directory_and_every_file()
  local page = small_page()
  local index = page:write(scratch .. "/nested/report")
  lu.assertEquals(index, scratch .. "/nested/report/index.html")
  lu.assertEquals(files.read(index), page:html())
  check_svg(files.read(scratch .. "/nested/report/cost.svg"))
  check_svg(files.read(scratch .. "/nested/report/map.svg"))
  -- Writing again replaces the files in place.
  page:paragraph("one more")
  page:write(scratch .. "/nested/report")
  lu.assertStrContains(files.read(index), "<p>one more</p>")
end

function TestReport.test_errors()
  local page = report.new { title = "t" }
  local fig = svg.line_chart { series = {} }
  page:figure("a", fig)
  assert_error_like('a figure named "a" is already on the page', page.figure, page, "a", fig)
  assert_error_like("letters, digits", page.figure, page, "../escape", fig)
  assert_error_like("letters, digits", page.figure, page, "two words", fig)
  assert_error_like("must be SVG text", page.figure, page, "b", "<html></html>")
  assert_error_like("must be SVG text", page.figure, page, "b", 42)
  assert_error_like("level must be 2, 3 or 4", page.heading, page, "x", 1)
  assert_error_like("expected text", page.paragraph, page, {})
  assert_error_like("expected {headers", page.table, page, {})
  files.write_atomic(scratch, "a plain file where the directory should go")
  assert_error_like("page:write: cannot create directory " .. scratch .. "/r: Not a directory", page.write, page,
                    scratch .. "/r")
  os.remove(scratch)
end

os.exit(lu.LuaUnit.run())
