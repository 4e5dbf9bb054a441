-- report_chromium_page.lua DIR: writes a small report into DIR with the Lua API, for
-- test_report_chromium.sh to open in a browser. It holds what the lesson produces that is hardest to
-- draw: an inf cost at iteration 0, a decision map that predicts one class everywhere (zeros
-- initialization), one with NaN cells, a table, and text that needs escaping.
local il = require "initlab"
local svg, report = il.svg, il.report

local dir = assert(arg[1], "usage: report_chromium_page.lua DIR")

-- Two rings of points, like the lesson's circles data set.
local pts = { x = {}, y = {}, class = {} }
for i = 1, 300 do
  local a = i * 2.39996 -- the golden angle spreads the points evenly
  local r = i % 2 == 0 and 0.8 or 1.0
  local wobble = 0.05 * math.sin(i * 12.9898)
  pts.x[i], pts.y[i], pts.class[i] = (r + wobble) * math.cos(a), (r + wobble) * math.sin(a), i % 2 == 0 and 1 or 0
end

-- Costs as the random initialization prints them: inf at iteration 0, then falling.
local iters, random_cost, he_cost = {}, {}, {}
for i = 0, 14999, 10 do
  iters[#iters + 1] = i
  random_cost[#random_cost + 1] = i == 0 and math.huge or 0.62 * math.exp(-i / 5000) + 0.35
  he_cost[#he_cost + 1] = 0.8 * math.exp(-i / 2500) + 0.07
end

local grid = { xmin = -1.5, xmax = 1.5, ymin = -1.5, ymax = 1.5, nx = 150, ny = 150 }
local sample = svg.grid_points(grid)
local probability = {}
for k = 1, #sample.x do
  local r = math.sqrt(sample.x[k] ^ 2 + sample.y[k] ^ 2)
  probability[k] = 1 / (1 + math.exp(14 * (r - 0.9)))
  if math.abs(sample.x[k] - 1.2) < 0.15 and math.abs(sample.y[k] + 1.2) < 0.15 then probability[k] = 0 / 0 end
end

local page = report.new { title = "Initialization <check> & report", subtitle = "A page built by the report test" }
page:heading("Training cost")
page:paragraph("With weights drawn as `randn * 10` the first cost is `inf`: the chart leaves it out and says so.")
page:figure("cost", svg.line_chart {
  title = "Cost during training", xlabel = "iteration", ylabel = "cost",
  series = { { name = "random × 10", x = iters, y = random_cost }, { name = "He", x = iters, y = he_cost } },
}, "The cost per iteration; the inf at iteration 0 is marked on the top edge.")
page:heading("Data and decisions")
page:figure("data", svg.scatter {
  title = "Training set", xlabel = "x1", ylabel = "x2", points = pts,
  classes = { { name = "outer (0)" }, { name = "inner (1)" } },
}, "The two classes.")
grid.values = il.zeros(grid.ny, grid.nx)
page:figure("zeros_map", svg.decision_map {
  title = "Zeros initialization", grid = grid, points = pts,
}, "A classifier that predicts class 0 everywhere: the map is one color.")
grid.values = probability
page:figure("he_map", svg.decision_map {
  title = "He initialization", grid = grid, points = pts,
}, "Probability of class 1, with the 0.5 boundary and a patch of NaN cells (gray).")
page:heading("Results")
page:table {
  headers = { "initialization", "train accuracy", "test accuracy", "comment" },
  rows = {
    { "zeros", 0.5, 0.5, "fails to break symmetry" },
    { "random × 10", 0.83, 0.86, "too large weights" },
    { "He", 0.9933333333333333, 0.96, "recommended" },
  },
  caption = "Accuracy of each initialization.",
}
io.write(page:write(dir), "\n")
