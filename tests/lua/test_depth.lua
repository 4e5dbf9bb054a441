-- test_depth.lua: the depth experiment's claims (He et al. 2015 in miniature), from its JSON output.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"

-- Under AddressSanitizer the kernels run tens of times slower: there the training claims are left to the
-- release build, and the same code runs a few steps to be checked for memory errors.
local sanitized = os.getenv("INITLAB_SANITIZE") == "1"

local function run(args) return support.run("lua/experiments/depth.lua " .. args) end
local function experiment(args) return support.run_json("lua/experiments/depth.lua " .. args .. " --quiet") end

TestDepth = {}

-- Signal propagation at initialization, on the full 30 x 50 network (one step is enough).
function TestDepth.test_signal_propagation_at_initialization()
  local r = experiment("--depth 30 --width 50 --iterations 1 --init he,xavier,lsuv")
  local hidden = 30
  for _, name in ipairs{ "he", "xavier", "lsuv" } do
    lu.assertEquals(#r.runs[name].init_std, hidden + 1, name .. ": one std per layer, the output last")
  end
  local xavier = r.runs.xavier.init_std
  lu.assertTrue(xavier[hidden] < xavier[1] / 1000,
    ("xavier: last hidden std %.3g is not below 1/1000 of the first's %.3g"):format(xavier[hidden], xavier[1]))
  local he = r.runs.he.init_std
  lu.assertTrue(he[hidden] > he[1] / 10, "he keeps the signal within an order of magnitude")
  for l = 1, hidden do
    local s = r.runs.lsuv.init_std[l]
    lu.assertTrue(math.abs(s - 1) <= 0.1, ("lsuv layer %d std %.4f is not within 1 +- 0.1"):format(l, s))
  end
end

-- The claims after training, on a shorter run: at learning rate 0.05 a 30-layer net trains at the edge
-- of stability (its cost jumps up and down, and where it lands after 3000 steps depends on rounding);
-- at 0.01 it trains steadily, and faster.
function TestDepth.test_he_and_lsuv_train_xavier_stalls()
  if sanitized then
    local r = experiment("--depth 30 --width 50 --iterations 20 --print-every 10 --init he,xavier,lsuv " ..
      "--diagnostics-every 10")
    lu.assertEquals(#r.runs.lsuv.diagnostics, 3) -- steps 0, 10 and the last
    return
  end
  local r = experiment("--depth 30 --width 50 --iterations 1500 --lr 0.01 --seed 3 --init he,xavier,lsuv " ..
    "--diagnostics-every 500")
  lu.assertTrue(r.runs.he.train_accuracy >= 0.95, "he: " .. r.runs.he.train_accuracy)
  lu.assertTrue(r.runs.lsuv.train_accuracy >= 0.95, "lsuv: " .. r.runs.lsuv.train_accuracy)
  for i, cost in ipairs(r.runs.xavier.costs) do
    lu.assertTrue(math.abs(cost - math.log(2)) < 1e-3, ("xavier cost %d = %.6f is not stuck at ln 2"):format(i, cost))
  end
  lu.assertEquals(#r.runs.he.costs, 15) -- every 100 steps
  lu.assertEquals(r.config.depth, 30)
  -- per-layer statistics are saved: 4 records (steps 0, 500, 1000 and the last), one entry per layer
  local d = r.runs.he.diagnostics
  lu.assertEquals(#d, 4)
  lu.assertEquals(#d[1].layers, 31)
  for _, key in ipairs{ "pre_mean", "pre_std", "dead_fraction", "zero_fraction", "act_std", "grad_W_norm",
    "grad_input_norm", "weight_norm", "update_ratio" } do
    lu.assertNotNil(d[1].layers[1][key], key)
  end
end

function TestDepth.test_single_init_json_and_errors()
  local r = experiment("--depth 3 --width 4 --iterations 20 --print-every 10 --init kaiming_normal")
  lu.assertEquals(r.init, "kaiming_normal")
  lu.assertEquals(#r.init_std, 4)
  lu.assertEquals(r.iterations, { 0, 10 })
  lu.assertNotNil(r.final_cost)
  local out, code = run("--init nonsense")
  lu.assertEquals(code, 2)
  lu.assertStrContains(out, "--init nonsense: unknown initializer")
  out, code = run("--depth 0")
  lu.assertEquals(code, 2)
  lu.assertStrContains(out, "--depth 0: must be at least 1")
end

os.exit(lu.LuaUnit.run())
