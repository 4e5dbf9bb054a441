-- test_diagnostics.lua: per-layer statistics on a network small enough to check by hand, and the
-- training loop that records them.
local lu = require "luaunit"
local il = require "initlab"

local function tiny_net()
  -- layer 1: unit 1 passes x, unit 2 is dead (always negative); layer 2 sums them.
  local net = il.network.new{ sizes = { 1, 2, 1 } }
  net:set_parameters{ W1 = il.matrix{ { 1 }, { 1 } }, b1 = il.matrix{ { 0 }, { -10 } },
    W2 = il.matrix{ { 2, 3 } }, b2 = il.zeros(1, 1) }
  return net
end

TestDiagnostics = {}
function TestDiagnostics.test_layer_stats_by_hand()
  local net = tiny_net()
  local X, Y = il.matrix{ { 1, 2, 3, 4 } }, il.matrix{ { 1, 1, 0, 0 } }
  net:forward(X)
  net:backward(Y)
  local s = il.diagnostics.layer_stats(net, 0.5)
  -- Z1 = {{1,2,3,4}, {-9,-8,-7,-6}}: mean -2.5, A1 = {{1,2,3,4}, {0,0,0,0}}
  lu.assertAlmostEquals(s[1].pre_mean, -2.5, 1e-15)
  lu.assertAlmostEquals(s[1].pre_std, il.matrix{ { 1, 2, 3, 4, -9, -8, -7, -6 } }:std(), 1e-15)
  lu.assertEquals(s[1].zero_fraction, 0.5)
  lu.assertEquals(s[1].dead_fraction, 0.5) -- unit 2 never fires
  lu.assertAlmostEquals(s[1].weight_norm, math.sqrt(2), 1e-15)
  lu.assertAlmostEquals(s[1].grad_W_norm, net.layers[1].dW:norm(), 0)
  lu.assertAlmostEquals(s[1].update_ratio, 0.5 * net.layers[1].dW:norm() / math.sqrt(2), 1e-15)
  -- the gradient reaching layer 1's input is W1^T dZ1; layer 2's is dA1
  lu.assertAlmostEquals(s[1].grad_input_norm, il.matmul_tn(net.layers[1].W, net.current[1].dZ):norm(), 1e-15)
  lu.assertAlmostEquals(s[2].grad_input_norm, net.current[1].dA:norm(), 0)
  lu.assertEquals(s[2].dead_fraction, 0)
end

function TestDiagnostics.test_pre_activation_stds_and_snapshot()
  local net = tiny_net()
  local X = il.matrix{ { 1, 2, 3, 4 } }
  local stds = il.diagnostics.pre_activation_stds(net, X)
  lu.assertEquals(#stds, 2)
  lu.assertAlmostEquals(stds[2], (il.matrix{ { 2, 4, 6, 8 } }):std(), 1e-15)
  net:backward(il.ones(1, 4))
  local snap = il.diagnostics.snapshot(net)
  lu.assertTrue(snap[1].activations == net.current[1].A)
  lu.assertFalse(rawequal(snap[1].activations, net.current[1].A)) -- a copy that later steps cannot change
  local fresh = il.network.new{ sizes = { 1, 1 } }
  lu.assertErrorMsgContains("call net:forward and net:backward first", il.diagnostics.layer_stats, fresh)
end

function TestDiagnostics.test_fit_records_costs_diagnostics_and_snapshots()
  il.random.seed(1)
  local X, Y = il.data.circles{ n = 40, noise = 0.05 }
  local net = il.network.new{ sizes = { 2, 6, 1 } }
  net:initialize("he")
  local lines = {}
  local h = il.train.fit(net, X, Y, { iterations = 25, learning_rate = 0.1, print_every = 10, diagnostics_every = 10,
    snapshots = true, log = function(s) lines[#lines + 1] = s end })
  lu.assertEquals(h.iterations, { 0, 10, 20 })
  lu.assertEquals(#h.costs, 3)
  lu.assertStrContains(lines[1], "Cost after iteration 0: ")
  lu.assertEquals(#h.diagnostics, 4) -- steps 0, 10, 20 and the last (24)
  lu.assertEquals(h.diagnostics[4].step, 24)
  lu.assertNotNil(h.snapshots.first[2].activations)
  lu.assertTrue(h.final_cost < h.costs[1])
  lu.assertTrue(il.train.accuracy(net, X, Y) > 0.5)
  lu.assertErrorMsgContains("iterations must be a positive integer", il.train.fit, net, X, Y, { iterations = 0 })
  lu.assertErrorMsgContains("learning_rate must be a positive number", il.train.fit, net, X, Y, { learning_rate = -1 })
end

function TestDiagnostics.test_recorder_next_step_names_every_step_it_keeps()
  -- rec.next_step lets a loop over increasing steps call record only when due; that keeps exactly what
  -- calling it on every step keeps, for every combination of statistics and snapshots, from any first step
  local X, Y = il.data.circles{ n = 30, noise = 0.05 }
  for _, opts in ipairs{ { every = 4, snapshots = true }, { every = 5 }, { every = 3, snapshots = false },
                         { snapshots = true }, {}, { every = 4, from = 1 } } do -- from: the loop's first step
    local recs = {}
    for _, when_due in ipairs{ false, true } do
      local net = il.network.new{ sizes = { 2, 3, 1 } }
      il.random.seed(4)
      net:initialize("he")
      local rec = il.diagnostics.recorder{ every = opts.every, learning_rate = 0.1, last_step = 10,
        snapshots = opts.snapshots }
      local due = {}
      for i = opts.from or 0, 10 do
        net:forward(X); net:backward(Y)
        if not when_due or i >= rec.next_step then due[#due + 1] = i; rec:record(i, net) end
        net:update(0.1)
      end
      recs[#recs + 1] = { rec = rec, due = due }
    end
    local all, due = recs[1].rec, recs[2].rec
    lu.assertEquals(#due.diagnostics, #all.diagnostics)
    for k, d in ipairs(all.diagnostics) do
      lu.assertEquals(due.diagnostics[k].step, d.step)
      lu.assertEquals(due.diagnostics[k].layers, d.layers)
    end
    lu.assertEquals(due.snapshots.first ~= nil, all.snapshots.first ~= nil)
    lu.assertEquals(due.snapshots.last ~= nil, all.snapshots.last ~= nil)
    lu.assertEquals(due.next_step, opts.every and (10 // opts.every + 1) * opts.every or math.huge)
    if opts.every == 4 then lu.assertEquals(recs[2].due, opts.from and { 1, 4, 8, 10 } or { 0, 4, 8, 10 }) end
    if opts.every == nil and opts.snapshots then lu.assertEquals(recs[2].due, { 0, 10 }) end
    if opts.every == nil and not opts.snapshots then lu.assertEquals(recs[2].due, {}) end
  end
end

os.exit(lu.LuaUnit.run())
