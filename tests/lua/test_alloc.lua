-- test_alloc.lua: a training step allocates nothing. With the collector stopped, Lua's heap (which
-- holds every matrix: their data live inside the userdata) must not grow by a single byte over many
-- steps: network.lua's forward / cost / backward / update for every activation and loss, the layer
-- functions called with their `out` buffers, and the fused plan. (tests/c/test_fused.c counts malloc
-- calls of the C kernels themselves.)
local lu = require "luaunit"
local il = require "initlab"

local X, Y = il.data.load_dataset()

-- Bytes Lua allocated while f ran `steps` times, the collector stopped. Warm-up runs first make the
-- buffers, and (after the full collection, which shrinks the Lua stack and its call records) grow the
-- stack back to what f needs.
local function allocated_by(f, steps)
  f()
  collectgarbage("collect")
  collectgarbage("stop")
  f()
  local before = collectgarbage("count")
  for _ = 1, steps do f() end
  local after = collectgarbage("count")
  collectgarbage("restart")
  return (after - before) * 1024
end

TestAlloc = {}

function TestAlloc.test_the_lesson_step_allocates_nothing()
  local net = il.network.new{ sizes = { 2, 10, 5, 1 }, activations = { "relu", "relu", "sigmoid" } }
  local bytes = allocated_by(function()
    net:forward(X)
    local _ = net:cost(Y)
    net:backward(Y)
    net:update(0.01)
  end, 2000)
  lu.assertEquals(bytes, 0)
end

function TestAlloc.test_every_activation_and_loss_steps_without_allocating()
  local T3 = il.zeros(3, 300)
  for j = 1, 300 do T3:set(j % 3 + 1, j, 1) end
  local cases = {
    { { "tanh", "leaky_relu", "sigmoid" }, "mse", Y, 1 },
    { { "relu", "sigmoid", "linear" }, "bce_logits", Y, 1 },
    { { "relu", "softmax", "tanh" }, "mse", Y, 1 },
    { { "relu", "relu", "linear" }, "softmax_ce", T3, 3 },
    { { "relu", "relu", "relu" }, "bce", Y, 1 }, -- bce through bce_backward, not the sigmoid shortcut
  }
  for _, c in ipairs(cases) do
    for _, fused in ipairs{ true, false } do -- through the network's il.fused plan, and its Lua code
      local net = il.network.new{ sizes = { 2, 10, 5, c[4] }, activations = c[1], loss = c[2] }
      net.fused = fused
      net:initialize("he")
      local bytes = allocated_by(function()
        net:forward(X)
        local _ = net:cost(c[3])
        net:backward(c[3])
        net:update(0.001)
      end, 500)
      lu.assertEquals(bytes, 0, table.concat(c[1], ",") .. " / " .. c[2] .. (fused and "" or " (Lua path)"))
    end
  end
end

function TestAlloc.test_layer_functions_with_out_buffers_allocate_nothing()
  local W, b = il.random.randn(4, 2), il.zeros(4, 1)
  local Z, A, dZ, dA, dW, db = il.zeros(4, 300), il.zeros(4, 300), il.zeros(4, 300), il.zeros(4, 300),
    il.zeros(4, 2), il.zeros(4, 1)
  local bytes = allocated_by(function()
    il.linear(W, X, b, Z)
    il.relu(Z, A)
    il.sigmoid(Z, A)
    il.relu_backward(dA, Z, dZ)
    il.linear_backward(dZ, X, W, dW, db, false)
    il.axpy(W, -0.01, dW)
    il.gemm(dA, W, X)
  end, 1000)
  lu.assertEquals(bytes, 0)
end

function TestAlloc.test_the_fused_plan_allocates_nothing()
  local net = il.network.new{ sizes = { 2, 10, 5, 1 }, activations = { "relu", "relu", "sigmoid" } }
  net:initialize("he")
  net:forward(X)
  local layers = {}
  for l, layer in ipairs(net.layers) do
    local buf = net.batch[300][l]
    layers[l] = { W = layer.W, b = layer.b, dW = layer.dW, db = layer.db, Z = buf.Z, A = buf.A, dZ = buf.dZ,
      dA = buf.dA, activation = layer.activation }
  end
  local plan = il.fused{ layers = layers }
  lu.assertEquals(allocated_by(function() plan:step(X, Y, 0.01) end, 2000), 0)
  lu.assertEquals(allocated_by(function()
    plan:forward(X)
    local _ = plan:cost(Y)
    plan:backward(Y)
    plan:update(0.01)
  end, 2000), 0)
  -- train returns a fresh costs table; what it allocates does not grow with the number of steps
  local short = allocated_by(function() plan:train(X, Y, 0.01, 5) end, 20)
  local long = allocated_by(function() plan:train(X, Y, 0.01, 200) end, 20)
  lu.assertEquals(long, short)
end

os.exit(lu.LuaUnit.run())
