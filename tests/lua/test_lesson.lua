-- test_lesson.lua: the Initialization lesson against the numpy original (tests/golden/lesson.json,
-- written by tests/golden/gen_golden.py from the notebook's own code).
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local golden = require "golden"
local run = require("support").run

local want = golden.load("lesson")

local function max_abs_diff(a, b)
  local worst = 0
  for i = 1, #a do
    for j = 1, #a[i] do worst = math.max(worst, math.abs(a[i][j] - b[i][j])) end
  end
  return worst
end

local json_path = os.tmpname()
local output, code = run("lua/lessons/initialization.lua --no-report --json " .. json_path)
local got = golden.load_file(json_path)
os.remove(json_path)

TestLesson = {}

function TestLesson.test_exits_cleanly()
  lu.assertEquals(code, 0, output)
end

function TestLesson.test_data_matches_scikit_learn()
  for _, name in ipairs{ "train_X", "train_Y", "test_X", "test_Y" } do
    lu.assertTrue(max_abs_diff(got.dataset[name], want.dataset[name]) <= 1e-12, name)
    lu.assertEquals(#got.dataset[name][1], #want.dataset[name][1], name)
  end
end

function TestLesson.test_initial_weights_are_identical()
  for _, run_name in ipairs{ "zeros", "random", "he" } do
    for _, p in ipairs{ "W1", "b1", "W2", "b2", "W3", "b3" } do
      lu.assertEquals(got.runs[run_name].init[p], want.runs[run_name].init[p], run_name .. " " .. p)
    end
  end
end

function TestLesson.test_zeros_and_he_costs_within_1e_9()
  for _, run_name in ipairs{ "zeros", "he" } do
    local g, w = got.runs[run_name].costs, want.runs[run_name].costs
    lu.assertEquals(#g, 15)
    for i = 1, #w do
      lu.assertTrue(math.abs(g[i] - w[i]) <= 1e-9 * math.abs(w[i]),
        ("%s cost %d: %.17g vs numpy %.17g"):format(run_name, i, g[i], w[i]))
    end
  end
end

function TestLesson.test_random_cost_is_inf_at_iteration_0_then_falls()
  local g, w = got.runs.random.costs, want.runs.random.costs
  lu.assertEquals(g[1], math.huge)
  lu.assertEquals(w[1], math.huge)
  for i = 2, #w do
    -- large weights make these sensitive to summation order (about 2% between BLAS and a plain loop)
    lu.assertTrue(math.abs(g[i] - w[i]) <= 0.05 * w[i], ("random cost %d: %.6g vs %.6g"):format(i, g[i], w[i]))
  end
  lu.assertTrue(g[#g] < g[2])
end

function TestLesson.test_diagnostics_are_saved()
  local d = got.runs.zeros.diagnostics
  lu.assertEquals(#d, 16) -- every 1000 steps and the last
  lu.assertEquals(#d[1].layers, 3)
  -- zeros: no gradient reaches the first two layers, ever: the symmetry is never broken
  for _, record in ipairs(d) do
    lu.assertEquals(record.layers[1].grad_W_norm, 0)
    lu.assertEquals(record.layers[2].grad_W_norm, 0)
  end
  lu.assertTrue(got.runs.he.diagnostics[1].layers[1].grad_W_norm > 0)
end

function TestLesson.test_accuracies_exact()
  local expected = { zeros = { 0.5, 0.5 }, random = { 0.83, 0.86 }, he = { 0.9933333333333333, 0.96 } }
  for name, acc in pairs(expected) do
    lu.assertEquals(got.runs[name].train_accuracy, acc[1], name)
    lu.assertEquals(got.runs[name].test_accuracy, acc[2], name)
    lu.assertEquals(got.runs[name].train_accuracy, want.runs[name].train_accuracy, name)
  end
end

function TestLesson.test_prints_like_the_notebook()
  lu.assertStrContains(output, "W1 = [[ 17.88628473   4.36509851   0.96497468]\n [-18.63492703  -2.77388203  -3.54758979]]")
  lu.assertStrContains(output, "W2 = [[-0.03098412 -0.33744411 -0.92904268  0.62552248]]")
  lu.assertStrContains(output, "Cost after iteration 0: 0.6931471805599453\n")
  lu.assertStrContains(output, "Cost after iteration 0: inf\n")
  lu.assertStrContains(output, "Cost after iteration 0: 0.8830537463419761\n")
  lu.assertStrContains(output, "Cost after iteration 1000: 0.6879825919728063\n")
  lu.assertStrContains(output, "Accuracy: 0.9933333333333333\n")
  lu.assertStrContains(output, "Accuracy: 0.86\n")
  -- the conclusion table, with accuracies measured by this run
  lu.assertStrMatches(output, ".*3%-layer NN with He initialization%s+99%%%s+96%%%s+recommended method.*")
  lu.assertStrMatches(output, ".*3%-layer NN with large random initialization%s+83%%%s+86%%.*")
end

function TestLesson.test_options_are_checked()
  local out, status = run("lua/lessons/initialization.lua --iterations many")
  lu.assertEquals(status, 2)
  lu.assertStrContains(out, "--iterations expects an integer, got 'many'")
  out, status = run("lua/lessons/initialization.lua --lr -1")
  lu.assertEquals(status, 2)
  lu.assertStrContains(out, "must be positive")
  out, status = run("lua/lessons/initialization.lua --bogus")
  lu.assertEquals(status, 2)
  lu.assertStrContains(out, "unknown option '--bogus'")
end

function TestLesson.test_short_run_with_other_options_and_a_report()
  local dir = os.tmpname()
  os.remove(dir)
  local out, status = run("lua/lessons/initialization.lua --iterations 1001 --lr 0.02 --show-mistake --report " .. dir)
  lu.assertEquals(status, 0, out)
  lu.assertStrContains(out, "Cost after iteration 1000:")
  lu.assertNotStrContains(out, "Cost after iteration 2000:")
  lu.assertStrContains(out, "rand instead of randn")
  lu.assertStrContains(out, "Report written to " .. dir .. "/index.html")
  local html = assert(io.open(dir .. "/index.html")):read("a")
  -- every figure the page shows exists beside it, including the zeros model's constant map
  local figures = 0
  for name in html:gmatch('src="([%w_]+%.svg)"') do
    local f = assert(io.open(dir .. "/" .. name), "missing figure " .. name)
    lu.assertStrContains(f:read("a"), "<svg")
    f:close()
    figures = figures + 1
  end
  -- data, costs, 4 decision boundaries (zeros, random, he, the rand mistake), the signal per layer, and
  -- for each run its gradient norms and 2 histograms
  lu.assertEquals(figures, 2 + 4 + 1 + 4 * 3)
  lu.assertStrContains(html, "3-layer NN with He initialization")
  os.execute("rm -rf '" .. dir .. "'")
end

os.exit(lu.LuaUnit.run())
