-- test_seeds.lua: the many-seeds experiment: seed 3 reproduces the lesson's table exactly, and the
-- summary is computed from the runs.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local golden = require "golden"

local initlab = assert(os.getenv("INITLAB_BUILD_DIR"), "run through ctest (INITLAB_BUILD_DIR)") .. "/initlab"

local function run(args)
  local p = assert(io.popen(initlab .. " lua/experiments/seeds.lua " .. args .. " 2>&1"))
  local out = p:read("a")
  local _, _, code = p:close()
  return out, code
end

TestSeeds = {}

function TestSeeds.test_seed_3_is_the_lesson()
  local path = os.tmpname()
  local out, code = run("--seeds 1 --first-seed 3 --json " .. path)
  lu.assertEquals(code, 0, out)
  local r = golden.load_file(path)
  os.remove(path)
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
  local path = os.tmpname()
  local out, code = run("--seeds 3 --iterations 300 --json " .. path)
  lu.assertEquals(code, 0, out)
  local r = golden.load_file(path)
  os.remove(path)
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
  out, code = run("--seeds 0")
  lu.assertEquals(code, 2)
  lu.assertStrContains(out, "--seeds 0: must be at least 1")
end

os.exit(lu.LuaUnit.run())
