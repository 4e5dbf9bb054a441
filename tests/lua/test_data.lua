-- test_data.lua: circles and moons against scikit-learn (tests/golden/datasets.json), the notebook's
-- load_dataset, and the errors for bad options.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local il = require "initlab"
local golden = require "golden"
local cjson = require "cjson"

local cases = golden.load("datasets")

local function check_case(kind, c)
  il.random.seed(math.tointeger(c.seed))
  local noise = c.noise ~= cjson.null and c.noise or nil
  local X, Y = il.data[kind]{ n = c.n, noise = noise, factor = c.factor ~= cjson.null and c.factor or nil,
    shuffle = c.shuffle }
  local label = ("%s n=%s noise=%s seed=%s"):format(kind, c.n, tostring(noise), c.seed)
  local r, cols = X:shape()
  lu.assertEquals({ r, cols }, { 2, math.tointeger(c.n) }, label)
  lu.assertTrue((X - il.matrix(c.X)):abs():max() <= 1e-12, label)
  lu.assertTrue(Y == il.matrix(c.Y), label)
  -- the stream is left where scikit-learn leaves numpy's
  lu.assertEquals(il.random.randn(), c.next_randn, label .. " next_randn")
end

TestDatasets = {}
function TestDatasets.test_circles_match_scikit_learn()
  for _, c in ipairs(cases.circles) do check_case("circles", c) end
end

function TestDatasets.test_moons_match_scikit_learn()
  for _, c in ipairs(cases.moons) do check_case("moons", c) end
end

function TestDatasets.test_load_dataset_is_the_lesson_data()
  local train_X, train_Y, test_X, test_Y = il.data.load_dataset()
  local lesson = golden.load("lesson").dataset
  lu.assertTrue((train_X - il.matrix(lesson.train_X)):abs():max() <= 1e-12)
  lu.assertTrue((test_X - il.matrix(lesson.test_X)):abs():max() <= 1e-12)
  lu.assertTrue(train_Y == il.matrix(lesson.train_Y))
  lu.assertTrue(test_Y == il.matrix(lesson.test_Y))
  lu.assertEquals(train_Y:sum(), 150)
end

function TestDatasets.test_bad_options_are_errors()
  local function err(f, opts, pattern)
    local ok, msg = pcall(f, opts)
    lu.assertFalse(ok)
    lu.assertStrContains(msg, pattern)
  end
  err(il.data.circles, { n = 0 }, "n must be an integer >= 1, got 0")
  err(il.data.circles, { n = 2.5 }, "n must be an integer >= 1, got 2.5")
  err(il.data.circles, { n = "300" }, "n must be an integer >= 1")
  err(il.data.circles, { n = 10, factor = 1 }, "factor must be a number in [0, 1), got 1")
  err(il.data.circles, { n = 10, factor = -0.1 }, "factor must be a number in [0, 1)")
  err(il.data.circles, { n = 10, factor = "big" }, "factor must be a number")
  err(il.data.circles, { n = 10, noise = "lots" }, "noise must be a number >= 0")
  err(il.data.circles, { n = 10, noise = -1 }, "noise must be a number >= 0")
  err(il.data.moons, { n = 10, shuffle = "yes" }, "shuffle must be true or false")
  err(il.data.moons, { n = 10, factor = 0.5 }, "unknown option 'factor'")
  err(il.data.moons, 300, "expected a table of options")
end

os.exit(lu.LuaUnit.run())
