-- bench/step.lua: one training step of the lesson's model ([2, 10, 5, 1], relu/relu/sigmoid, the lesson's
-- cross-entropy, 300 examples), timed four ways in one process:
--   network   network.lua's net:forward(X); net:backward(Y); net:update(lr)   (the lesson's loop; each
--             method is one call of the network's il.fused plan)
--   calls     the same layer functions called straight from Lua, no network.lua in between
--   lua       network.lua with net.fused = false: its layer-by-layer Lua code
--   step      il.fused's plan:step(X, Y, lr): one C call per step
--   fused     plan:train(X, Y, lr, n): the steps looped in C (the fused C training step)
-- All five compute the same bits. Each round times every way over --steps steps, one after the other (the
-- order rotating from round to round); a way's time is the median over --rounds rounds, and its ratio to
-- the fused step the median of the rounds' ratios (ways timed close together share the machine's load).
-- Every way runs on one thread (threads = 1): this measures what the Lua calls cost, and os.clock, the CPU
-- time of the process, would count a second thread's too (the fused step's helper, which spins between
-- tasks; the lesson itself lets each plan time both and choose, see README).
--
--   initlab bench/step.lua [--rounds 15] [--steps 2000]
-- prints lines "name microseconds ratio-to-fused".
local il = require "initlab"

local opts = il.cli.parse(arg, {
  usage = "initlab bench/step.lua [options]",
  { "rounds", "integer", 15, "rounds of timing (the median is reported)" },
  { "steps", "integer", 2000, "steps per timing" },
})

local X, Y = il.data.load_dataset()
local lr = 0.01

local function he_network()
  local net = il.network.new{ sizes = { 2, 10, 5, 1 }, activations = { "relu", "relu", "sigmoid" }, threads = 1 }
  il.random.seed(3)
  net:initialize("he")
  net:forward(X)
  return net
end

-- Every buffer of layer l (net.current[l] shows a ReLU layer's Z and dA recomputed on each read).
local function buffers(net, l) return net.batch[X:cols()].kept[l] end

local function plan_of(net)
  local layers = {}
  for l, layer in ipairs(net.layers) do
    local b = buffers(net, l)
    layers[l] = { W = layer.W, b = layer.b, dW = layer.dW, db = layer.db, Z = b.Z, A = b.A, dZ = b.dZ, dA = b.dA,
      activation = layer.activation }
  end
  return il.fused{ layers = layers, loss = net.loss, lean = true, threads = 1 } -- as the network's own plan
end

-- The step as straight-line calls of the layer functions, on a network's own matrices.
local function direct_step(net)
  local L1, L2, L3 = net.layers[1], net.layers[2], net.layers[3]
  local B1, B2, B3 = buffers(net, 1), buffers(net, 2), buffers(net, 3)
  local linear, relu, sigmoid, sbce = il.linear, il.relu, il.sigmoid, il.sigmoid_bce_backward
  local linear_backward, relu_backward, axpy = il.linear_backward, il.relu_backward, il.axpy
  return function()
    linear(L1.W, X, L1.b, B1.Z); relu(B1.Z, B1.A)
    linear(L2.W, B1.A, L2.b, B2.Z); relu(B2.Z, B2.A)
    linear(L3.W, B2.A, L3.b, B3.Z); sigmoid(B3.Z, B3.A)
    sbce(B3.A, Y, B3.dZ)
    linear_backward(B3.dZ, B2.A, L3.W, L3.dW, L3.db, B2.dA); relu_backward(B2.dA, B2.Z, B2.dZ)
    linear_backward(B2.dZ, B1.A, L2.W, L2.dW, L2.db, B1.dA); relu_backward(B1.dA, B1.Z, B1.dZ)
    linear_backward(B1.dZ, X, L1.W, L1.dW, L1.db, false)
    axpy(L1.W, -lr, L1.dW); axpy(L1.b, -lr, L1.db)
    axpy(L2.W, -lr, L2.dW); axpy(L2.b, -lr, L2.db)
    axpy(L3.W, -lr, L3.dW); axpy(L3.b, -lr, L3.db)
  end
end

-- network.lua's own layer-by-layer Lua code, without its il.fused plan.
local function lua_network()
  local n = he_network()
  n.fused = false
  return n
end

local nets = { network = he_network(), calls = he_network(), lua = lua_network(), step = he_network(),
  fused = he_network() }
local net, calls, lnet = nets.network, direct_step(nets.calls), nets.lua
local plan_step, plan_fused = plan_of(nets.step), plan_of(nets.fused)
local ways = {
  network = function(n) for _ = 1, n do net:forward(X); net:backward(Y); net:update(lr) end end,
  calls = function(n) for _ = 1, n do calls() end end,
  lua = function(n) for _ = 1, n do lnet:forward(X); lnet:backward(Y); lnet:update(lr) end end,
  step = function(n) for _ = 1, n do plan_step:step(X, Y, lr) end end,
  fused = function(n) plan_fused:train(X, Y, lr, n) end,
}
local order = { "network", "calls", "lua", "step", "fused" }

local times = { network = {}, calls = {}, lua = {}, step = {}, fused = {} }
for _, name in ipairs(order) do ways[name](200) end -- warm up
for round = 1, opts.rounds do
  for k = 0, #order - 1 do
    local name = order[(round + k - 1) % #order + 1]
    local t0 = os.clock()
    ways[name](opts.steps)
    table.insert(times[name], (os.clock() - t0) / opts.steps * 1e6)
  end
end

local function median(t)
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

-- The ways trained copies of one network by the same number of steps: the same bits.
for _, name in ipairs{ "calls", "lua", "step", "fused" } do
  for l = 1, 3 do
    assert(nets[name].layers[l].W == nets.network.layers[l].W, name .. " computed different weights")
  end
end
for _, name in ipairs(order) do
  local ratios = {}
  for r = 1, opts.rounds do ratios[r] = times[name][r] / times.fused[r] end
  print(("%s %.3f %.4f"):format(name, median(times[name]), median(ratios)))
end
