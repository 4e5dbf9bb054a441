-- diagnostics.lua: per-layer statistics that show *why* an initialization works or fails.
--
--   local stats = diagnostics.layer_stats(net, learning_rate)   after net:forward(X) and net:backward(Y)
--   stats[l] = {
--     pre_mean, pre_std     mean and std of the pre-activation Z over the batch
--     act_std               std of the activation A
--     zero_fraction         fraction of activations that are exactly 0 (ReLU outputs switched off)
--     dead_fraction         fraction of units whose activation is 0 for every example ("dead ReLUs")
--     weight_norm           Frobenius norm of W
--     grad_W_norm           Frobenius norm of dW
--     grad_input_norm       Frobenius norm of the gradient with respect to the layer's input A_{l-1}
--     update_ratio          learning_rate * |dW| / |W|: how much one step changes the weights
--   }
--   diagnostics.snapshot(net)  copies of every layer's A and of the gradient reaching its input, for
--                              histograms of activations and gradients (Glorot & Bengio 2010)
--   local rec = diagnostics.recorder{every = 100, learning_rate = lr, last_step = iterations - 1,
--                                    snapshots = true}
--   rec:record(i, net)         in a training loop, after backward: keeps layer_stats every `every`
--                              steps and at the last step (rec.diagnostics = {{step =, layers =}, ...}),
--                              and snapshots at the first and last step (rec.snapshots.first / .last)
--   rec.next_step              the first step after the last one recorded (from 0) at which record keeps
--                              anything (math.huge: none), so a loop over increasing steps can skip
--                              the call on the others, keeping the same:
--                                if i >= rec.next_step then rec:record(i, net) end
--                              (a Lua call on every step costs about 3% of the lesson's small step)
--
-- These allocate: they are meant for every N steps, not every step.
local il = require "initlab"

local diagnostics = {}

-- The gradient with respect to layer l's input: dA_{l-1}, which backward keeps for l > 1; for the
-- first layer (whose input is X) it is computed here, as W1^T dZ1.
local function input_gradient(net, l)
  if l > 1 then return net.current[l - 1].dA end
  return il.matmul_tn(net.layers[1].W, net.current[1].dZ)
end

function diagnostics.layer_stats(net, learning_rate)
  if not net.current then error("layer_stats: call net:forward and net:backward first", 2) end
  local stats = {}
  for l, layer in ipairs(net.layers) do
    local buf = net.current[l]
    local A = buf.A
    local weight_norm, grad_W_norm = layer.W:norm(), layer.dW:norm()
    stats[l] = {
      pre_mean = buf.Z:mean(),
      pre_std = buf.Z:std(),
      act_std = A:std(),
      zero_fraction = il.eq(A, 0):mean(),
      dead_fraction = il.eq(A:max(2), 0):mean(),
      weight_norm = weight_norm,
      grad_W_norm = grad_W_norm,
      grad_input_norm = input_gradient(net, l):norm(),
      update_ratio = weight_norm > 0 and (learning_rate or 0) * grad_W_norm / weight_norm or 0 / 0,
    }
  end
  return stats
end

function diagnostics.snapshot(net)
  if not net.current then error("snapshot: call net:forward and net:backward first", 2) end
  local layers = {}
  for l in ipairs(net.layers) do
    layers[l] = { activations = net.current[l].A:copy(), gradients = input_gradient(net, l):copy() }
  end
  return layers
end

-- The std of every layer's pre-activation Z on X, in layer order (the output layer last): how the
-- signal propagates through the network at initialization.
function diagnostics.pre_activation_stds(net, X)
  net:forward(X)
  local stds = {}
  for l in ipairs(net.layers) do stds[l] = net.current[l].Z:std() end
  return stds
end

local Recorder = {}
Recorder.__index = Recorder

-- The first step after `step` at which record keeps something: the next multiple of every, or the last
-- step (statistics or a snapshot); math.huge when there is none.
local function next_due(self, step)
  local due = self.every and (step // self.every + 1) * self.every or math.huge
  if (self.every or self.keep_snapshots) and self.last_step and step < self.last_step then
    due = math.min(due, self.last_step)
  end
  return due
end

function diagnostics.recorder(opts)
  local rec = setmetatable({ every = opts.every, learning_rate = opts.learning_rate, last_step = opts.last_step,
    keep_snapshots = opts.snapshots, diagnostics = {}, snapshots = {} }, Recorder)
  rec.next_step = (rec.every or rec.keep_snapshots) and 0 or math.huge -- step 0: statistics, first snapshot
  return rec
end

function Recorder:record(step, net)
  if self.every and (step % self.every == 0 or step == self.last_step) then
    self.diagnostics[#self.diagnostics + 1] = { step = step, layers = diagnostics.layer_stats(net, self.learning_rate) }
  end
  if self.keep_snapshots and step == 0 then self.snapshots.first = diagnostics.snapshot(net) end
  if self.keep_snapshots and step == self.last_step then self.snapshots.last = diagnostics.snapshot(net) end
  self.next_step = next_due(self, step)
end

return diagnostics
