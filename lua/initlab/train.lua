-- train.lua: full-batch gradient descent with optional diagnostics, for experiments.
--
--   local history = train.fit(net, X, Y, {
--     iterations = 3000, learning_rate = 0.05,
--     print_every = 100,          -- record (and print, unless quiet) the cost every N steps
--     diagnostics_every = nil,    -- record diagnostics.layer_stats every N steps (nil: never)
--     snapshots = false,          -- keep activations and gradients at the first and last step
--     quiet = false, log = print,
--   })
--   history.iterations, history.costs          the recorded steps and their costs
--   history.diagnostics = {{step =, layers = {stats per layer}}, ...}
--   history.snapshots = {first = ..., last = ...}
--   history.final_cost                          the cost after the last update
--
-- The step itself (forward, backward, update) allocates nothing; recording allocates a little.
local il = require "initlab"
local diagnostics = require "initlab.diagnostics"

local train = {}

local function positive_integer(opts, key, default)
  local v = opts[key] == nil and default or opts[key]
  if v ~= nil and (math.type(v) ~= "integer" or v < 1) then
    error(("train.fit: %s must be a positive integer, got %s"):format(key, tostring(opts[key])), 3)
  end
  return v
end

function train.fit(net, X, Y, opts)
  opts = opts or {}
  local iterations = positive_integer(opts, "iterations", 1000)
  local print_every = positive_integer(opts, "print_every", 100)
  local diagnostics_every = positive_integer(opts, "diagnostics_every", nil)
  local lr = opts.learning_rate or 0.01
  if type(lr) ~= "number" or not (lr > 0) then
    error(("train.fit: learning_rate must be a positive number, got %s"):format(tostring(opts.learning_rate)), 2)
  end
  local log = opts.log or print
  local recorder = diagnostics.recorder{ every = diagnostics_every, learning_rate = lr, last_step = iterations - 1,
    snapshots = opts.snapshots }
  local history = { iterations = {}, costs = {}, diagnostics = recorder.diagnostics, snapshots = recorder.snapshots }

  for i = 0, iterations - 1 do
    net:forward(X)
    if i % print_every == 0 then
      local cost = net:cost(Y)
      history.iterations[#history.iterations + 1] = i
      history.costs[#history.costs + 1] = cost
      if not opts.quiet then log(("Cost after iteration %d: %s"):format(i, il.fmt.float(cost))) end
    end
    net:backward(Y)
    if i >= recorder.next_step then recorder:record(i, net) end
    net:update(lr)
  end
  net:forward(X)
  history.final_cost = net:cost(Y)
  return history
end

-- The fraction of examples whose predicted class is right.
function train.accuracy(net, X, Y)
  return il.eq(net:predict(X), Y):mean()
end

return train
