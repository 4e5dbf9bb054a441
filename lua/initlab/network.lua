-- network.lua: a fully connected network as a list of layers, each LINEAR -> ACTIVATION.
--
--   local net = network.new{sizes = {2, 10, 5, 1}, activations = {"relu", "relu", "sigmoid"}, loss = "bce"}
--   net:set_parameters{W1 = ..., b1 = ..., W2 = ...}  or  net:initialize(init, opts)
--   local AL = net:forward(X)        -- A of the last layer (features x examples)
--   local cost = net:cost(Y)         -- the loss of the last forward pass
--   net:backward(Y)                  -- gradients dW, db of every layer
--   net:update(learning_rate)        -- W = W - lr dW, b = b - lr db
--
-- Every intermediate (Z, A, dZ, dA, dW, db) lives in a buffer made on first use for a batch size and
-- reused afterwards, and every kernel writes into its buffer: a training step allocates nothing.
-- net.current[l] holds layer l's buffers of the last pass ({Z =, A =, dZ =, dA =}). Parameters are the
-- matrices themselves: net.layers[l].W is the W{l} of the notebook.
--
-- Forward, backward and update are written below layer by layer in Lua. When every activation is a
-- built-in one, each of them runs instead as one call of an il.fused plan over the same matrices, which
-- computes the same bits without the Lua calls in between (a training step of the lesson's model costs
-- about what the fused C step costs; the plan's methods are even put on the network itself, as
-- net.forward, net.backward and net.update, so the loop calls C directly). Set net.fused = false to run
-- the Lua code below; an activation added to the table below that il.fused does not know makes the
-- network use it automatically.
--
-- The fused step does not write what training never reads: a ReLU layer's Z (its mask comes from A) and
-- dA (dZ is computed straight into its buffer), about a tenth of the lesson's step. Reading
-- net.current[l].Z or .dA recomputes them, the same bits, from the weights of that pass; once one of
-- those weights has changed (an update, or any write in place: the plan keeps a fingerprint), reading
-- them is an error that says so. network.new{..., keep = "all"} keeps every buffer instead. (The X of the
-- last forward, changed in place, is not checked: Z would follow the change.)
local il = require "initlab"

local network = {}
network.__index = network

-- Activation name -> forward(Z, out) and backward(dA, input, out), where `input` is the layer's Z, or its
-- output A when from_output is set (sigmoid, tanh and softmax differentiate best from their output; relu's
-- mask is the same from either, and A is what the fused step keeps).
-- Most are the C functions themselves: a training step makes no Lua call it does not need.
local activations = {
  relu = { forward = il.relu, backward = il.relu_backward, from_output = true },
  leaky_relu = {
    forward = function(Z, out) return il.leaky_relu(Z, 0.01, out) end,
    backward = function(dA, Z, out) return il.leaky_relu_backward(dA, Z, 0.01, out) end,
  },
  sigmoid = { forward = il.sigmoid, backward = il.sigmoid_backward, from_output = true },
  tanh = { forward = il.tanh, backward = il.tanh_backward, from_output = true },
  softmax = { forward = il.softmax, backward = il.softmax_backward, from_output = true },
  linear = { forward = il.copy, backward = function(dA, _, out) return il.copy(dA, out) end },
}

-- dZ of a layer from its dA, through its activation's backward.
local function activation_backward(act, buf)
  return act.backward(buf.dA, act.from_output and buf.A or buf.Z, buf.dZ)
end
network.activations = activations

-- Loss name -> cost(net, Y) and output_gradient(net, Y, dZ): the gradient with respect to the last Z.
local losses = {
  -- The lesson's cross-entropy on probabilities. With a sigmoid output, dZ = (1/m)(A - Y) directly,
  -- as the notebook computes it; otherwise through dA and the activation's backward.
  bce = {
    cost = function(last, Y) return il.bce(last.A, Y) end,
    gradient = function(last, Y)
      if last.activation == "sigmoid" then return il.sigmoid_bce_backward(last.A, Y, last.dZ) end
      il.bce_backward(last.A, Y, last.dA)
      return activation_backward(activations[last.activation], last)
    end,
  },
  -- Cross-entropy from logits: the output layer must be linear; never inf.
  bce_logits = {
    cost = function(last, Y) return il.bce_logits(last.Z, Y) end,
    gradient = function(last, Y) return il.bce_logits_backward(last.Z, Y, last.dZ) end,
    requires = "linear",
  },
  softmax_ce = {
    cost = function(last, Y) return il.softmax_ce(last.Z, Y) end,
    gradient = function(last, Y) return il.softmax_ce_backward(last.Z, Y, last.dZ) end,
    requires = "linear",
  },
  mse = {
    cost = function(last, Y) return il.mse(last.A, Y) end,
    gradient = function(last, Y)
      il.mse_backward(last.A, Y, last.dA)
      return activation_backward(activations[last.activation], last)
    end,
  },
}
network.losses = losses

local function names_of(t)
  local names = {}
  for k in pairs(t) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

-- network.new{sizes = {n0, n1, ..., nL}, activations = {...} or one name for hidden layers,
--             output = "sigmoid", loss = "bce", keep = "needed", threads = nil}
-- `activations` lists one activation per layer; given as a single string it applies to the hidden
-- layers and `output` (default "sigmoid") to the last. keep = "all": the fused step writes every buffer
-- (see the top of this file). threads = 1 or 2: the fused step on one thread, or on two where the batch
-- allows it (il.fused); nil: whichever a short timing finds faster. The bits are the same either way.
function network.new(opts)
  if type(opts) ~= "table" or type(opts.sizes) ~= "table" then
    error("network.new: expected {sizes = {n_x, n_h1, ..., n_y}, activations = ...}", 2)
  end
  local sizes = opts.sizes
  if #sizes < 2 then error("network.new: sizes needs at least an input and an output size", 2) end
  for i, n in ipairs(sizes) do
    if math.type(n) ~= "integer" or n < 1 then
      error(("network.new: sizes[%d] must be a positive integer, got %s"):format(i, tostring(n)), 2)
    end
  end
  local L = #sizes - 1
  local acts = opts.activations or "relu"
  if type(acts) == "string" then
    local list = {}
    for l = 1, L - 1 do list[l] = acts end
    list[L] = opts.output or "sigmoid"
    acts = list
  end
  if #acts ~= L then
    error(("network.new: %d layers need %d activations, got %d"):format(L, L, #acts), 2)
  end
  for l, a in ipairs(acts) do
    if not activations[a] then
      error(("network.new: unknown activation '%s' for layer %d (expected one of %s)"):format(
        tostring(a), l, names_of(activations)), 2)
    end
  end
  local loss = opts.loss or "bce"
  if not losses[loss] then
    error(("network.new: unknown loss '%s' (expected one of %s)"):format(tostring(loss), names_of(losses)), 2)
  end
  if losses[loss].requires and acts[L] ~= losses[loss].requires then
    error(("network.new: the %s loss takes logits: the output activation must be '%s', got '%s'"):format(
      loss, losses[loss].requires, acts[L]), 2)
  end
  local keep = opts.keep or "needed"
  if keep ~= "needed" and keep ~= "all" then
    error(("network.new: keep must be \"needed\" (the default) or \"all\", got %s"):format(tostring(keep)), 2)
  end
  local threads = opts.threads
  if threads ~= nil and threads ~= 1 and threads ~= 2 then
    error(("network.new: threads must be 1 or 2 (or nil: whichever is faster), got %s"):format(tostring(threads)), 2)
  end
  local self = setmetatable({ sizes = sizes, loss = loss, layers = {}, batch = {}, keep = keep, threads = threads },
    network)
  for l = 1, L do
    self.layers[l] = {
      activation = acts[l],
      W = il.zeros(sizes[l + 1], sizes[l]),
      b = il.zeros(sizes[l + 1], 1),
      dW = il.zeros(sizes[l + 1], sizes[l]),
      db = il.zeros(sizes[l + 1], 1),
    }
  end
  return self
end

function network:depth() return #self.layers end

-- The notebook's parameters dictionary: {W1 = net.layers[1].W, b1 = ..., ...} (the matrices themselves).
function network:parameters()
  local p = {}
  for l, layer in ipairs(self.layers) do
    p["W" .. l], p["b" .. l] = layer.W, layer.b
  end
  return p
end

-- Copies parameters {W1 =, b1 =, ...} into the network, checking every shape.
function network:set_parameters(p)
  for l, layer in ipairs(self.layers) do
    for _, name in ipairs{ "W", "b" } do
      local key = name .. l
      local m = p[key]
      if not il.ismatrix(m) then
        error(("set_parameters: %s is missing or not a matrix"):format(key), 2)
      end
      local r, c = m:shape()
      local er, ec = layer[name]:shape()
      if r ~= er or c ~= ec then
        error(("set_parameters: %s is %dx%d, expected %dx%d"):format(key, r, c, er, ec), 2)
      end
      il.copy(m, layer[name])
    end
  end
  return self
end

-- net:initialize(init [, opts]): W of each layer from an initializer, biases 0. `init` is a name of
-- il.init (e.g. "he"), a function(rows, cols, opts) -> matrix, or a list of those, one per layer.
function network:initialize(init, opts)
  for l, layer in ipairs(self.layers) do
    local f = type(init) == "table" and init[l] or init
    if type(f) == "string" then f = il.init.get(f) end -- an unknown name is an error listing the known ones
    if type(f) ~= "function" then
      error(("initialize: layer %d needs an initializer name or function, got %s"):format(l, type(f)), 2)
    end
    local r, c = layer.W:shape()
    local W = f(r, c, opts)
    if not il.ismatrix(W) or W:rows() ~= r or W:cols() ~= c then
      error(("initialize: the initializer for layer %d must return a %dx%d matrix"):format(l, r, c), 2)
    end
    il.copy(W, layer.W)
    layer.b:fill(0)
  end
  return self
end

-- The activations il.fused computes exactly as the table above does.
local fusable = { linear = true, relu = true, leaky_relu = true, sigmoid = true, tanh = true, softmax = true }

-- An il.fused plan over the network's matrices and one batch's buffers, or nil when a layer's
-- activation is not one il.fused knows.
local function fused_plan(self, kept)
  local layers = {}
  for l, layer in ipairs(self.layers) do
    if not fusable[layer.activation] then return nil end
    local b = kept[l]
    layers[l] = { W = layer.W, b = layer.b, dW = layer.dW, db = layer.db, Z = b.Z, A = b.A, dZ = b.dZ, dA = b.dA,
      activation = layer.activation }
  end
  return il.fused{ layers = layers, loss = self.loss, leaky_slope = 0.01, lean = self.keep ~= "all",
    threads = self.threads }
end

-- net.current[l] of a ReLU layer on a lean plan: A and dZ as they are; Z and (below another layer) dA,
-- which the plan's passes skip, kept out of the table (pairs and the REPL show what is stored) and
-- recomputed by the plan when they are read.
local function recomputed(plan, b, last)
  local skipped = { Z = b.Z, dA = not last and b.dA or nil }
  return setmetatable({ A = b.A, dZ = b.dZ, dA = last and b.dA or nil }, {
    __index = function(_, key)
      local m = skipped[key]
      if m then plan:recompute(key) end
      return m
    end,
  })
end

-- Every function plan:bind made (weak keys): install_methods replaces only these, never a method the
-- user put on the network.
local bound_methods = setmetatable({}, { __mode = "k" })

-- Buffers for a batch of m examples (and their fused plan), made once per m: b.kept[l] holds every
-- buffer of layer l (the Lua code below writes them all), b[l] is what net.current[l] shows.
local function buffers(self, m)
  local b = self.batch[m]
  if b then return b end
  b = { kept = {} }
  for l in ipairs(self.layers) do
    local n = self.sizes[l + 1]
    b.kept[l] = { Z = il.zeros(n, m), A = il.zeros(n, m), dZ = il.zeros(n, m), dA = il.zeros(n, m) }
  end
  b.plan = fused_plan(self, b.kept)
  for l, layer in ipairs(self.layers) do
    local lean = b.plan and self.keep ~= "all" and layer.activation == "relu"
    b[l] = lean and recomputed(b.plan, b.kept[l], l == #self.layers) or b.kept[l]
  end
  if b.plan then -- the plan's own forward, backward and update, installed on self while b is current
    b.methods = { b.plan:bind(self, network.forward, network.backward, network.update, b) }
    for _, f in ipairs(b.methods) do bound_methods[f] = true end
  end
  self.batch[m] = b
  return b
end

-- While buf is current, net:forward(X), net:backward(Y) and net:update(lr) call its plan's bound methods
-- straight from the loop (il.fused's plan:bind: no Lua function in between); those come back to the
-- methods below for any other X, or when net.fused is false. Only on a plain network (not one whose
-- metatable is a subclass), and never over a method the user set on it.
local function install_methods(self, buf)
  if getmetatable(self) ~= network then return end
  local bound = buf.methods or {}
  for k, name in ipairs{ "forward", "backward", "update" } do
    local current = rawget(self, name)
    if current == nil or bound_methods[current] then rawset(self, name, bound[k]) end
  end
end

-- Forward pass: returns A of the last layer. Keeps X and every Z, A for backward.
local linear, linear_backward, axpy = il.linear, il.linear_backward, il.axpy
local rawequal = rawequal

function network:forward(X)
  local buf = self.current
  -- A new X is checked and gets its batch's buffers; the last one keeps them (a matrix keeps its shape).
  if not rawequal(X, self.X) or not buf then
    local rows, m = X:shape()
    if rows ~= self.sizes[1] then
      error(("forward: X has %d rows (features), the network expects %d"):format(rows, self.sizes[1]), 2)
    end
    buf = buffers(self, m)
    self.X, self.current = X, buf
    install_methods(self, buf)
  end
  if buf.plan and self.fused ~= false then return buf.plan:forward(X) end
  local A = X
  for l, layer in ipairs(self.layers) do
    local out = buf.kept[l]
    linear(layer.W, A, layer.b, out.Z)
    activations[layer.activation].forward(out.Z, out.A)
    A = out.A
  end
  if buf.plan then buf.plan:note("forward") end
  return A
end

-- The view of the last layer that losses need: its activation and this batch's buffers.
local function last_layer(self)
  local L = #self.layers
  local out = self.current.kept[L]
  out.activation = self.layers[L].activation
  return out
end

function network:cost(Y)
  if not self.current then error("cost: call forward first", 2) end
  return losses[self.loss].cost(last_layer(self), Y)
end

-- Backward pass after forward: fills layer.dW and layer.db.
function network:backward(Y)
  local buf = self.current
  if not buf then error("backward: call forward first", 2) end
  if buf.plan and self.fused ~= false then return buf.plan:backward(Y) end
  local L = #self.layers
  local dZ = losses[self.loss].gradient(last_layer(self), Y)
  for l = L, 1, -1 do
    local layer = self.layers[l]
    local A_prev = l > 1 and buf.kept[l - 1].A or self.X
    local dA_prev = l > 1 and buf.kept[l - 1].dA or false
    linear_backward(dZ, A_prev, layer.W, layer.dW, layer.db, dA_prev)
    if l > 1 then
      local prev = buf.kept[l - 1]
      dZ = activation_backward(activations[self.layers[l - 1].activation], prev)
    end
  end
  if buf.plan then buf.plan:note("backward") end
end

-- Plain gradient descent: W = W - lr dW, b = b - lr db.
function network:update(learning_rate)
  local plan = self.current and self.current.plan
  if plan and self.fused ~= false then return plan:update(learning_rate) end
  for _, layer in ipairs(self.layers) do
    axpy(layer.W, -learning_rate, layer.dW)
    axpy(layer.b, -learning_rate, layer.db)
  end
end

-- Probabilities of the last layer for X (a copy, safe to keep).
function network:probabilities(X)
  return self:forward(X):copy()
end

-- Class predictions: 1 where the output is above 0.5 (one output unit), else the argmax row (0-based).
function network:predict(X)
  local A = self:forward(X)
  if A:rows() == 1 then return il.gt(A, 0.5) end
  return A:argmax(1) - 1
end

function network:__tostring()
  local parts = {}
  for l, layer in ipairs(self.layers) do
    parts[#parts + 1] = ("LINEAR(%d->%d) -> %s"):format(self.sizes[l], self.sizes[l + 1], layer.activation:upper())
  end
  return "network: " .. table.concat(parts, " -> ") .. " (loss " .. self.loss .. ")"
end

return network
