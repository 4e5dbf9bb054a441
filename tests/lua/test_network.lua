-- test_network.lua: the layer-list model: construction errors, parameters, a training step against a
-- hand-written one, other losses, predictions; and the small helpers fmt and cli.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"

local assert_error_like = support.assert_error_like

TestNetwork = {}
function TestNetwork.test_construction_errors()
  local new = il.network.new
  assert_error_like("expected {sizes =", new, {})
  assert_error_like("sizes[2] must be a positive integer, got 0", new, { sizes = { 2, 0, 1 } })
  assert_error_like("2 layers need 2 activations, got 1", new, { sizes = { 2, 3, 1 }, activations = { "relu" } })
  assert_error_like("unknown activation 'swish' for layer 1", new, { sizes = { 2, 3, 1 }, activations = { "swish", "sigmoid" } })
  assert_error_like("unknown loss 'hinge'", new, { sizes = { 2, 1 }, loss = "hinge" })
  assert_error_like("output activation must be 'linear'", new, { sizes = { 2, 1 }, loss = "bce_logits" })
end

function TestNetwork.test_parameters_round_trip_and_shape_errors()
  local net = il.network.new{ sizes = { 2, 3, 1 } }
  lu.assertEquals(tostring(net), "network: LINEAR(2->3) -> RELU -> LINEAR(3->1) -> SIGMOID (loss bce)")
  local p = { W1 = il.ones(3, 2), b1 = il.zeros(3, 1), W2 = il.ones(1, 3), b2 = il.full(1, 1, 0.5) }
  net:set_parameters(p)
  lu.assertTrue(net:parameters().W2 == p.W2)
  lu.assertFalse(rawequal(net:parameters().W2, p.W2)) -- copied, the caller's matrices stay untouched
  p.W1 = il.ones(2, 3)
  assert_error_like("W1 is 2x3, expected 3x2", net.set_parameters, net, p)
  p.W1 = nil
  assert_error_like("W1 is missing or not a matrix", net.set_parameters, net, p)
  assert_error_like("X has 3 rows (features), the network expects 2", net.forward, net, il.zeros(3, 4))
  assert_error_like("call forward first", il.network.new{ sizes = { 2, 1 } }.backward, il.network.new{ sizes = { 2, 1 } }, il.zeros(1, 1))
end

function TestNetwork.test_one_step_matches_the_notebook_formulas()
  local g = il.random.generator(0)
  local X, Y = g:randn(2, 7), il.matrix{ { 1, 0, 1, 1, 0, 0, 1 } }
  local net = il.network.new{ sizes = { 2, 4, 3, 1 } }
  net:initialize(function(r, c) return g:randn(r, c) end)
  local W1, b1, W2, b2, W3, b3 = net.layers[1].W:copy(), net.layers[1].b:copy(), net.layers[2].W:copy(),
    net.layers[2].b:copy(), net.layers[3].W:copy(), net.layers[3].b:copy()
  -- the notebook's forward and backward propagation, written out with allocating operations
  local Z1 = il.matmul(W1, X) + b1; local A1 = il.relu(Z1)
  local Z2 = il.matmul(W2, A1) + b2; local A2 = il.relu(Z2)
  local Z3 = il.matmul(W3, A2) + b3; local A3 = 1 / (1 + (-Z3):exp())
  local m = 7
  local dZ3 = (A3 - Y) * (1 / m)
  local dW3, db3 = il.matmul(dZ3, A2:T()), dZ3:rowsum()
  local dZ2 = il.matmul(W3:T(), dZ3) * il.gt(A2, 0)
  local dW2, db2 = il.matmul(dZ2, A1:T()), dZ2:rowsum()
  local dZ1 = il.matmul(W2:T(), dZ2) * il.gt(A1, 0)
  local dW1, db1 = il.matmul(dZ1, X:T()), dZ1:rowsum()

  local A = net:forward(X)
  lu.assertTrue((A - A3):abs():max() < 1e-15)
  net:backward(Y)
  local want = { { dW1, db1 }, { dW2, db2 }, { dW3, db3 } }
  for l = 1, 3 do
    lu.assertTrue((net.layers[l].dW - want[l][1]):abs():max() < 1e-15, "dW" .. l)
    lu.assertTrue((net.layers[l].db - want[l][2]):abs():max() < 1e-15, "db" .. l)
  end
  net:update(0.1)
  lu.assertTrue((net.layers[1].W - (W1 - dW1 * 0.1)):abs():max() < 1e-15)
end

-- Two networks of `spec` from seed `seed`, the first fused and the second not (net.fused = false), each
-- trained by train(net, fused) and then run forward on X: they must end with the same bits.
local function fused_and_lua_agree(spec, seed, X, Y, train)
  local nets = {}
  for _, fused in ipairs{ true, false } do
    local net = il.network.new(spec)
    net.fused = fused
    il.random.seed(seed)
    net:initialize("he")
    train(net, fused)
    net:forward(X)
    nets[#nets + 1] = net
  end
  for l = 1, #spec.sizes - 1 do lu.assertTrue(nets[1].layers[l].W == nets[2].layers[l].W, "W" .. l) end
  lu.assertEquals(nets[1]:cost(Y), nets[2]:cost(Y))
  return nets
end

function TestNetwork.test_fused_plan_and_lua_code_agree_bit_for_bit()
  local X, Y = il.data.moons{ n = 50, noise = 0.2 }
  local nets = fused_and_lua_agree({ sizes = { 2, 7, 4, 1 }, activations = { "tanh", "relu", "sigmoid" } }, 5, X, Y,
    function(net) for _ = 1, 50 do net:forward(X); net:backward(Y); net:update(0.1) end end)
  lu.assertNotNil(nets[1].current.plan)
end

-- The fused step skips a ReLU layer's Z and dA (training reads A and dZ only): net.current shows them
-- recomputed, with the bits of a network that keeps every buffer and of network.lua's own Lua code, until an
-- update (or set_parameters) changes the weights they came from.
function TestNetwork.test_skipped_buffers_read_back_as_if_kept_until_the_weights_change()
  local X, Y = il.data.moons{ n = 60, noise = 0.2 }
  local nets = {}
  for _, case in ipairs{ { "needed", true }, { "all", true }, { "needed", false } } do
    local net = il.network.new{ sizes = { 2, 6, 5, 1 }, activations = { "relu", "relu", "sigmoid" }, keep = case[1] }
    net.fused = case[2]
    il.random.seed(4)
    net:initialize("he")
    for _ = 1, 20 do net:forward(X); net:backward(Y); net:update(0.1) end
    net:forward(X)
    net:backward(Y)
    nets[#nets + 1] = net
  end
  local lean, kept, lua = nets[1], nets[2], nets[3]
  lu.assertNil(rawget(lean.current[1], "Z")) -- not a buffer the step wrote ...
  lu.assertFalse(lean.batch[60].kept[1].Z == kept.current[1].Z) -- ... and not up to date until read
  for l = 1, 3 do
    for _, k in ipairs{ "Z", "A", "dZ", "dA" } do
      lu.assertTrue(lean.current[l][k] == kept.current[l][k], ("layer %d %s"):format(l, k))
      lu.assertTrue(lua.current[l][k] == kept.current[l][k], ("layer %d %s (Lua code)"):format(l, k))
    end
  end
  -- once the weights change, the skipped buffers are gone, with an error that says why
  lean:forward(X)
  lean:update(0.1)
  assert_error_like("Z is not kept by the fused step", function() return lean.current[2].Z end)
  lu.assertTrue(lean.current[2].A == lean.batch[60].kept[2].A) -- the kept ones stay readable
  lean:backward(Y)
  lean:update(0.1)
  assert_error_like("since the backward pass", function() return lean.current[1].dA end)
  lean:forward(X) -- a new pass: readable again
  lu.assertTrue(lean.current[1].Z == il.linear(lean.layers[1].W, X, lean.layers[1].b))
  local Z1 = lean.current[1].Z:copy()
  local p = {}
  for k, m in pairs(lean:parameters()) do p[k] = m * 2 end
  lean:set_parameters(p)
  lu.assertTrue(lean.current[1].Z == Z1) -- read before the change: still that pass's
  lean:forward(X)
  lean:set_parameters(p) -- the same values: nothing changed
  lu.assertTrue(lean.current[1].Z == il.linear(lean.layers[1].W, X, lean.layers[1].b))
  lean:forward(X)
  for k, m in pairs(p) do p[k] = m * 0.5 end
  lean:set_parameters(p)
  assert_error_like("Z is not kept", function() return lean.current[1].Z end)
  -- any write in place is noticed: a user's own update method, for one
  lean.update = function(self, lr)
    for _, layer in ipairs(self.layers) do il.axpy(layer.W, -lr, layer.dW) end
  end
  lean:forward(X)
  lean:backward(Y)
  lean:update(0.1)
  assert_error_like("a weight it comes from has changed", function() return lean.current[1].Z end)
  assert_error_like("since the backward pass", function() return lean.current[1].dA end)
  lean.update = nil
  -- another batch in between changes nothing here
  lean:forward(X)
  lean:backward(Y)
  lean:forward(il.random.randn(2, 7))
  lean:forward(X)
  lu.assertTrue(lean.current[1].dA == il.matmul_tn(lean.layers[2].W, lean.current[2].dZ))
  -- network.lua's own Lua code writes every buffer: they stay what that pass made
  lua:update(0.1)
  lu.assertTrue(lua.current[1].Z == kept.current[1].Z)
  assert_error_like('keep must be "needed" (the default) or "all", got every', il.network.new,
    { sizes = { 2, 1 }, keep = "every" })
end

-- A fused (lean) forward, then network.lua's own backward: its ReLU mask reads A, which the fused step
-- writes (not Z, which it skips), so the gradients are those of a network that keeps every buffer.
function TestNetwork.test_a_fused_forward_then_the_lua_backward()
  local X, Y = il.data.moons{ n = 40, noise = 0.2 }
  for _, spec in ipairs{ { { "relu", "relu", "sigmoid" }, "bce" }, { { "relu", "tanh", "relu" }, "mse" } } do
    local grads = {}
    for _, keep in ipairs{ "needed", "all" } do
      local net = il.network.new{ sizes = { 2, 6, 5, 1 }, activations = spec[1], loss = spec[2], keep = keep }
      il.random.seed(8)
      net:initialize("he")
      for _ = 1, 3 do net:forward(X); net:backward(Y); net:update(0.1) end
      net:forward(X)
      net.fused = false
      net:backward(Y)
      grads[keep] = net
    end
    for l = 1, 3 do
      lu.assertTrue(grads.needed.layers[l].dW == grads.all.layers[l].dW, spec[2] .. " dW" .. l)
      lu.assertTrue(grads.needed.layers[l].db == grads.all.layers[l].db, spec[2] .. " db" .. l)
    end
  end
end

function TestNetwork.test_forward_follows_each_new_X()
  -- forward checks a new X and picks its batch's buffers; the same X again reuses them
  local net = il.network.new{ sizes = { 2, 3, 1 } }
  il.random.seed(2)
  net:initialize("he")
  local X1 = il.random.randn(2, 5)
  local X2, X3 = X1 * 2, il.random.randn(2, 7)
  local a1 = net:forward(X1):totable()
  lu.assertNotEquals(net:forward(X2):totable(), a1)
  lu.assertEquals(net:forward(X1):totable(), a1)
  lu.assertEquals(net:forward(X3):cols(), 7)
  lu.assertEquals(net:forward(X1):totable(), a1)
  assert_error_like("X has 3 rows", net.forward, net, il.zeros(3, 5))
  lu.assertEquals(net:forward(X1):totable(), a1)
  net:backward(il.ones(1, 5)) -- backward follows the last forward pass: X1's 5 examples
  assert_error_like("Y is 1x7", net.backward, net, il.ones(1, 7))
end

function TestNetwork.test_the_loop_calls_the_plan_directly_and_follows_every_switch()
  -- After a forward pass, net.forward, net.backward and net.update are the plan's bound C methods (no Lua
  -- function between the loop and the plan). Another X of the same size, another batch size, and
  -- net.fused = false then true again all still give network.lua's own results, to the bit.
  local X, Y = il.data.moons{ n = 40, noise = 0.2 }
  local X3, Y3 = il.data.moons{ n = 24, noise = 0.2 }
  local X2 = X * 0.5
  local nets = fused_and_lua_agree({ sizes = { 2, 6, 3, 1 }, activations = { "relu", "relu", "sigmoid" } }, 8, X, Y,
    function(net, fused)
      local function steps(n, x, y) for _ = 1, n do net:forward(x); net:backward(y); net:update(0.1) end end
      steps(5, X, Y)
      if fused then
        lu.assertEquals(debug.getinfo(rawget(net, "forward"), "S").what, "C")
        lu.assertEquals(debug.getinfo(rawget(net, "update"), "S").what, "C")
      end
      steps(2, X2, Y); steps(2, X3, Y3); steps(1, X, Y)
      if fused then net.fused = false end
      steps(2, X, Y); steps(1, X3, Y3)
      if fused then net.fused = true end
      steps(3, X, Y); steps(1, X3, Y3)
    end)
  lu.assertTrue(rawequal(nets[1]:forward(X), nets[1].current[3].A)) -- the bound forward returns the last A
  -- a bad X is still reported at the caller's line, as network.lua's error(..., 2) does
  local ok, err = pcall(function() nets[1]:forward(il.zeros(3, 40)) end)
  lu.assertFalse(ok)
  lu.assertStrContains(err, "test_network.lua:")
  lu.assertStrContains(err, "forward: X has 3 rows (features), the network expects 2")
  assert_error_like("Y is 1x24", nets[1].backward, nets[1], Y3)
end

function TestNetwork.test_bound_methods_run_the_plan_only_in_the_case_they_cover()
  local X, Y = il.data.moons{ n = 20, noise = 0.2 }
  local net = il.network.new{ sizes = { 2, 4, 1 } }
  il.random.seed(3)
  net:initialize("he")
  net:forward(X)
  local calls = {}
  local function spy(name)
    return function(...) calls[#calls + 1] = name; return il.network[name](...) end
  end
  local f, b, u = net.current.plan:bind(net, spy("forward"), spy("backward"), spy("update"), net.current)
  f(net, X); b(net, Y); u(net, 0.1)
  lu.assertEquals(calls, {}) -- the case they cover: no Lua method in between
  net.fused = false
  f(net, X); b(net, Y); u(net, 0.1)
  net.fused = nil
  lu.assertEquals(calls, { "forward", "backward", "update" })
  calls = {}
  local current = net.current
  net.current = nil
  f(net, X)
  lu.assertEquals(calls, { "forward" })
  lu.assertTrue(rawequal(net.current, current)) -- network.lua's forward set it again
  calls = {}
  f(net, X * 1) -- another X
  f(il.network.new{ sizes = { 2, 4, 1 } }, X) -- another network
  f(net, X, 1) -- another argument count: network.lua's forward decides what it means
  lu.assertEquals(calls, { "forward", "forward", "forward" })
end

function TestNetwork.test_bound_methods_respect_the_users_methods_and_subclasses()
  local X = il.data.moons{ n = 10, noise = 0.2 }
  local net = il.network.new{ sizes = { 2, 3, 1 } }
  local mine = function(self, x) return il.network.forward(self, x) end
  net.forward = mine
  net:forward(X)
  lu.assertTrue(rawequal(net.forward, mine)) -- never replaced
  lu.assertEquals(debug.getinfo(rawget(net, "update"), "S").what, "C")
  local Sub = setmetatable({}, { __index = il.network })
  Sub.__index = Sub
  local sub = setmetatable(il.network.new{ sizes = { 2, 3, 1 } }, Sub)
  sub:forward(X)
  lu.assertNil(rawget(sub, "forward")) -- a subclass keeps its own lookups
end

function TestNetwork.test_training_lowers_every_loss()
  local X, Y = il.data.moons{ n = 60, noise = 0.1 }
  local onehot = il.zeros(2, 60)
  for j = 1, 60 do onehot:set(Y:get(1, j) + 1, j, 1) end
  local setups = {
    { loss = "bce", output = "sigmoid", Y = Y },
    { loss = "bce_logits", output = "linear", Y = Y },
    { loss = "mse", output = "sigmoid", Y = Y },
    { loss = "softmax_ce", output = "linear", Y = onehot, classes = 2 },
    { loss = "bce", output = "sigmoid", Y = Y, hidden = "tanh" },
    { loss = "bce", output = "sigmoid", Y = Y, hidden = "leaky_relu" },
  }
  for _, s in ipairs(setups) do
    il.random.seed(1)
    local net = il.network.new{ sizes = { 2, 8, s.classes or 1 }, activations = s.hidden or "relu", output = s.output,
      loss = s.loss }
    net:initialize("he")
    net:forward(X)
    local first = net:cost(s.Y)
    for _ = 1, 200 do net:forward(X); net:backward(s.Y); net:update(0.5) end
    net:forward(X)
    lu.assertTrue(net:cost(s.Y) < first, s.loss .. " did not decrease")
  end
end

function TestNetwork.test_predictions()
  local net = il.network.new{ sizes = { 1, 1 } }
  net:set_parameters{ W1 = il.matrix{ { 1 } }, b1 = il.zeros(1, 1) }
  lu.assertEquals(net:predict(il.matrix{ { -1, 0, 2 } }):totable(), { { 0, 0, 1 } })
  local soft = il.network.new{ sizes = { 1, 3 }, output = "softmax", loss = "mse" }
  soft:set_parameters{ W1 = il.matrix{ { 1 }, { 0 }, { -1 } }, b1 = il.zeros(3, 1) }
  lu.assertEquals(soft:predict(il.matrix{ { 2, -2 } }):totable(), { { 0, 2 } })
end

function TestNetwork.test_initialize_errors()
  local net = il.network.new{ sizes = { 2, 3, 1 } }
  assert_error_like("must return a 3x2 matrix", net.initialize, net, function() return il.zeros(2, 2) end)
  assert_error_like("layer 1 needs an initializer name or function", net.initialize, net, 42)
end

TestFmt = {}
function TestFmt.test_float_reads_like_python_repr()
  -- expected strings are Python's repr of the same doubles
  local cases = { { 0.6879825919728063, "0.6879825919728063" }, { 0.5, "0.5" }, { 1.0, "1.0" }, { 1e-05, "1e-05" },
    { 1e16, "1e+16" }, { 123456789012345680.0, "1.2345678901234568e+17" }, { 0.0001, "0.0001" },
    { 2.5e-7, "2.5e-07" }, { 100.0, "100.0" }, { 0.1 + 0.2, "0.30000000000000004" }, { -0.0, "-0.0" },
    { math.huge, "inf" }, { -math.huge, "-inf" }, { 0 / 0, "nan" }, { 9999999999999998.0, "9999999999999998.0" } }
  for _, c in ipairs(cases) do lu.assertEquals(il.fmt.float(c[1]), c[2]) end
  lu.assertEquals(il.fmt.percent(0.9933333333333333, 0), "99%")
end

TestCli = {}
local spec = {
  usage = "test [options]",
  { "iterations", "integer", 10, "steps", check = function(n) return n > 0, "must be positive" end },
  { "lr", "number", 0.5 },
  { "name", "string", nil },
  { "no-report", "flag", false },
}
local function parse(args)
  local err
  local opts = il.cli.parse(args, spec, function(message) err = message end)
  return opts, err
end

function TestCli.test_values_defaults_and_flags()
  local o = parse{ "--iterations", "20", "--lr=0.1", "--no-report", "--name", "x y" }
  lu.assertEquals({ o.iterations, o.lr, o.no_report, o.name }, { 20, 0.1, true, "x y" })
  o = parse{}
  lu.assertEquals({ o.iterations, o.lr, o.no_report }, { 10, 0.5, false })
  lu.assertStrContains(il.cli.usage(spec), "--iterations INTEGER")
end

function TestCli.test_errors()
  lu.assertEquals(select(2, parse{ "--iterations", "1.5" }), "--iterations expects an integer, got '1.5'")
  lu.assertEquals(select(2, parse{ "--iterations", "0" }), "--iterations 0: must be positive")
  lu.assertEquals(select(2, parse{ "--lr" }), "--lr needs a value")
  lu.assertEquals(select(2, parse{ "--no-report=1" }), "--no-report takes no value")
  lu.assertEquals(select(2, parse{ "extra" }), "unknown option 'extra'")
end

os.exit(lu.LuaUnit.run())
