-- test_seeds.lua: the many-seeds experiment: seed 3 reproduces the lesson's table exactly, and the
-- summary is computed from the runs.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local golden = require "golden"

local support = require "support"

local function run(args) return support.run("lua/experiments/seeds.lua " .. args) end
local function experiment(args) return support.run_json("lua/experiments/seeds.lua " .. args) end

TestSeeds = {}

function TestSeeds.test_seed_3_is_the_lesson()
  local r = experiment("--seeds 1 --first-seed 3")
  local lesson = golden.load("lesson").runs
  for _, name in ipairs{ "zeros", "random", "he" } do
    lu.assertEquals(#r.runs[name], 1)
    lu.assertEquals(r.runs[name][1].seed, 3)
    lu.assertEquals(r.runs[name][1].train_accuracy, lesson[name].train_accuracy, name)
    lu.assertEquals(r.runs[name][1].test_accuracy, lesson[name].test_accuracy, name)
    lu.assertEquals(r.summary[name].train_accuracy.std, 0)
  end
end

function TestSeeds.test_summary_of_several_seeds()
  local r, out = experiment("--seeds 3 --iterations 300")
  lu.assertEquals(#r.runs.he, 3)
  local sum, lo = 0, math.huge
  for _, run_ in ipairs(r.runs.he) do
    sum = sum + run_.train_accuracy
    lo = math.min(lo, run_.train_accuracy)
  end
  lu.assertAlmostEquals(r.summary.he.train_accuracy.mean, sum / 3, 1e-15)
  lu.assertEquals(r.summary.he.train_accuracy.min, lo)
  lu.assertEquals(r.summary.zeros.train_accuracy.mean, 0.5) -- zeros never breaks symmetry, whatever the seed
  lu.assertStrContains(out, "train accuracy: mean ± std")
  local code
  out, code = run("--seeds 0")
  lu.assertEquals(code, 2)
  lu.assertStrContains(out, "--seeds 0: must be at least 1")
end

os.exit(lu.LuaUnit.run())
