-- test_fused.lua: il.fused, a network's forward / backward / update each in one C call. It must give
-- network.lua's numbers bit for bit (for every activation and loss), train the matrices it is given in
-- place, and refuse bad specifications with messages that say what was wrong.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"

local assert_error_like = support.assert_error_like

local X, Y = il.data.load_dataset()

-- A network of `sizes` with He-scaled weights from seed 3, as the lesson makes them.
local function make(sizes, activations, loss)
  local net = il.network.new{ sizes = sizes, activations = activations, loss = loss }
  net.fused = false -- the reference: network.lua's own layer-by-layer Lua code, not its il.fused plan
  il.random.seed(3)
  local p = {}
  for l = 1, #sizes - 1 do
    p["W" .. l] = il.random.randn(sizes[l + 1], sizes[l]) * math.sqrt(2 / sizes[l])
    p["b" .. l] = il.random.randn(sizes[l + 1], 1) * 0.1
  end
  return net:set_parameters(p)
end

-- The plan over a network's own parameters and its buffers for the batch of X.
local function layers_of(net, Xb)
  net:forward(Xb) -- makes the buffers for this batch size
  local layers = {}
  for l, layer in ipairs(net.layers) do
    local b = net.batch[Xb:cols()][l]
    layers[l] = { W = layer.W, b = layer.b, dW = layer.dW, db = layer.db, Z = b.Z, A = b.A, dZ = b.dZ, dA = b.dA,
      activation = layer.activation }
  end
  return layers
end

local function plan_of(net, Xb) return il.fused{ layers = layers_of(net, Xb), loss = net.loss } end

local function same(net1, net2)
  for l = 1, #net1.layers do
    for _, k in ipairs{ "W", "b", "dW", "db" } do
      if not (net1.layers[l][k] == net2.layers[l][k]) then return false, ("layer %d %s differs"):format(l, k) end
    end
  end
  return true
end

TestFused = {}

function TestFused.test_every_activation_and_loss_matches_network_lua_bit_for_bit()
  local T3 = il.zeros(3, 300) -- three classes for softmax_ce: one-hot of a made-up label
  for j = 1, 300 do T3:set(j % 3 + 1, j, 1) end
  local cases = {
    { { "relu", "relu", "sigmoid" }, "bce", Y, 1 },
    { { "tanh", "leaky_relu", "sigmoid" }, "mse", Y, 1 },
    { { "relu", "sigmoid", "linear" }, "bce_logits", Y, 1 },
    { { "leaky_relu", "relu", "tanh" }, "mse", Y, 1 },
    { { "relu", "softmax", "sigmoid" }, "bce", Y, 1 },
    { { "relu", "tanh", "linear" }, "softmax_ce", T3, 3 },
    { { "sigmoid", "relu", "softmax" }, "mse", T3, 3 },
  }
  for _, c in ipairs(cases) do
    local sizes = { 2, 10, 5, c[4] }
    local a, b = make(sizes, c[1], c[2]), make(sizes, c[1], c[2])
    local plan = plan_of(b, X)
    local costs_a = {}
    for i = 0, 59 do
      a:forward(X)
      if i % 20 == 0 then costs_a[#costs_a + 1] = a:cost(c[3]) end
      a:backward(c[3])
      a:update(0.05)
    end
    local costs_b = plan:train(X, c[3], 0.05, 60, 20)
    local ok, why = same(a, b)
    lu.assertTrue(ok, table.concat(c[1], ",") .. " / " .. c[2] .. ": " .. tostring(why))
    lu.assertEquals(costs_b, costs_a, c[2])
  end
end

function TestFused.test_methods_follow_network_lua()
  local a, b = make({ 2, 10, 5, 1 }, { "relu", "relu", "sigmoid" }), make({ 2, 10, 5, 1 }, { "relu", "relu", "sigmoid" })
  local plan = plan_of(b, X)
  for _ = 1, 5 do
    local A1, A2 = a:forward(X), plan:forward(X)
    lu.assertTrue(A1 == A2)
    lu.assertTrue(rawequal(A2, b.batch[300][3].A), "forward returns the last layer's A buffer itself")
    lu.assertEquals(plan:cost(Y), a:cost(Y))
    a:backward(Y)
    plan:backward(Y)
    a:update(0.01)
    plan:update(0.01)
  end
  lu.assertTrue(same(a, b))
  a:forward(X); a:backward(Y); a:update(0.01)
  plan:step(X, Y, 0.01)
  lu.assertTrue(same(a, b))
  lu.assertEquals(plan:depth(), 3)
  lu.assertEquals(plan:examples(), 300)
  lu.assertStrContains(tostring(plan), "2 -> 10 relu -> 5 relu -> 1 sigmoid, loss bce, 300 examples")
end

function TestFused.test_one_thread_or_two_gives_the_same_bits()
  -- the lesson's model and a deeper, wider one, trained by network.lua's own Lua code and by plans on one
  -- thread, on two (where the machine has two CPUs) and on whichever the timing picks
  for _, spec in ipairs{ { { 2, 10, 5, 1 }, { "relu", "relu", "sigmoid" } },
                         { { 2, 30, 20, 1 }, { "tanh", "relu", "sigmoid" } } } do
    local reference = make(spec[1], spec[2])
    for _ = 1, 30 do reference:forward(X); reference:backward(Y); reference:update(0.05) end
    local most_on_two
    for _, threads in ipairs{ 1, 2, false } do
      local net = make(spec[1], spec[2])
      local layers = layers_of(net, X)
      local plan = il.fused{ layers = layers, threads = threads or nil }
      plan:train(X, Y, 0.05, 30)
      local ok, why = same(reference, net)
      lu.assertTrue(ok, ("threads = %s: %s"):format(tostring(threads), why))
      local last, most = plan:threads()
      if threads == 1 then lu.assertEquals({ last, most }, { 1, 1 }) end
      if threads == 2 then lu.assertEquals(last, most); most_on_two = most end
      if not threads then lu.assertEquals(most, most_on_two) end -- the timing may use what threads = 2 does
    end
  end
  local few = il.fused{ layers = layers_of(make({ 2, 4, 1 }, { "relu", "sigmoid" }), X:slice(1, 2, 1, 128)),
    threads = 2 }
  lu.assertEquals(select(2, few:threads()), 1) -- 128 examples stay on one thread
  local net = il.network.new{ sizes = { 2, 10, 5, 1 }, threads = 1 }
  net:forward(X)
  lu.assertEquals({ net.batch[300].plan:threads() }, { 1, 1 })
  assert_error_like("threads must be 1 or 2 (or nil: whichever is faster), got 3", il.network.new,
    { sizes = { 2, 1 }, threads = 3 })
end

function TestFused.test_the_lesson_costs_with_the_fused_step()
  -- the zeros model gives exactly log(2) at every step, the random one inf at step 0 (exact 0 and 1 outputs)
  local zeros = il.network.new{ sizes = { 2, 10, 5, 1 } }
  local costs = plan_of(zeros, X):train(X, Y, 0.01, 2001, 1000)
  lu.assertEquals(costs, { 0.6931471805599453, 0.6931471805599453, 0.6931471805599453 })
  local random = il.network.new{ sizes = { 2, 10, 5, 1 } }
  il.random.seed(3)
  local p = {}
  for l, n in ipairs{ { 10, 2 }, { 5, 10 }, { 1, 5 } } do
    p["W" .. l], p["b" .. l] = il.random.randn(n[1], n[2]) * 10, il.zeros(n[1], 1)
  end
  random:set_parameters(p)
  lu.assertEquals(plan_of(random, X):train(X, Y, 0.01, 1, 1)[1], math.huge)
end

function TestFused.test_bad_specifications()
  local net = make({ 2, 10, 5, 1 }, { "relu", "relu", "sigmoid" })
  local good = layers_of(net, X)
  local function with(l, key, value)
    local layers = {}
    for i, layer in ipairs(good) do
      layers[i] = {}
      for k, v in pairs(layer) do layers[i][k] = v end
    end
    layers[l][key] = value
    return { layers = layers }
  end
  assert_error_like("to 'initlab.fused' (table expected, got string)", il.fused, "net")
  assert_error_like("got layers = nil", il.fused, {})
  assert_error_like("layers must list 1 to", il.fused, { layers = {} })
  assert_error_like("layers[2] must be a table", il.fused, { layers = { good[1], 7 } })
  assert_error_like("layers[2].dW must be a matrix, got nil", il.fused, with(2, "dW", nil))
  assert_error_like("layers[1].activation must be one of linear, relu", il.fused, with(1, "activation", "swish"))
  assert_error_like("loss must be one of bce, bce_logits, mse, softmax_ce, got hinge", il.fused,
    { layers = good, loss = "hinge" })
  assert_error_like("leaky_slope must be a number", il.fused, { layers = good, leaky_slope = "steep" })
  assert_error_like("threads must be 1 or 2 (or nil: whichever is faster), got 0", il.fused, { layers = good, threads = 0 })
  assert_error_like("threads must be 1 or 2 (or nil: whichever is faster), got many", il.fused,
    { layers = good, threads = "many" })
  assert_error_like("layers[2].W is 5x3 but the layer before gives 10 units", il.fused, with(2, "W", il.zeros(5, 3)))
  assert_error_like("layers[3].b is 2x1, expected 1x1", il.fused, with(3, "b", il.zeros(2, 1)))
  assert_error_like("layers[2].dA is 5x299, expected 5x300", il.fused, with(2, "dA", il.zeros(5, 299)))
  assert_error_like("a role of its own", il.fused, with(2, "A", good[2].Z))
  assert_error_like("the last layer's activation must be linear, got sigmoid", il.fused,
    { layers = good, loss = "bce_logits" })
  local plan = il.fused{ layers = good }
  assert_error_like("fused:cost: call forward first", plan.cost, plan, Y)
  assert_error_like("fused:backward: call forward first", plan.backward, plan, Y)
  assert_error_like("fused:forward: X is 2x100, the network expects 2x300 (features x examples)", plan.forward,
    plan, il.zeros(2, 100))
  assert_error_like("(initlab.fused expected, got initlab.matrix)", plan.forward, X)
  plan:forward(X)
  assert_error_like("fused:backward: Y is 2x300, the network expects 1x300", plan.backward, plan, X)
  assert_error_like("Y is layers[3].A of this network; pass the data, not a buffer", plan.backward, plan, good[3].A)
  assert_error_like("number expected", plan.update, plan, "fast")
  assert_error_like("the number of steps must be >= 0", plan.train, plan, X, Y, 0.1, -1)
end

function TestFused.test_backward_follows_the_last_forward_pass()
  -- the X of the last forward pass, kept alive by the plan even when nothing else holds it
  local a, b = make({ 2, 6, 1 }, { "relu", "sigmoid" }), make({ 2, 6, 1 }, { "relu", "sigmoid" })
  local plan = plan_of(b, X)
  a:forward(X)
  a:forward(X * 0.5)
  a:backward(Y)
  plan:forward(X)
  plan:forward(X * 0.5) -- a temporary: only the plan refers to it
  collectgarbage("collect")
  collectgarbage("collect")
  plan:backward(Y)
  lu.assertTrue(same(a, b))
end

function TestFused.test_the_plan_keeps_its_matrices_alive()
  local plan = (function()
    local net = make({ 2, 4, 1 }, { "relu", "sigmoid" })
    return plan_of(net, X)
  end)()
  collectgarbage("collect")
  collectgarbage("collect")
  plan:step(X, Y, 0.1)
  lu.assertTrue(plan:cost(Y) > 0)
end

os.exit(lu.LuaUnit.run())
