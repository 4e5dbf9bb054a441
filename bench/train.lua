-- bench/train.lua: the workload of bench/train_numpy.py on initlab, the training loop in Lua:
-- a dense ReLU network with a sigmoid output (lua/initlab/network.lua), He initialisation from seed 3,
-- full-batch gradient descent on the lesson's circles, the cost every --every steps.
--
--   initlab bench/train.lua --sizes 2,50x30,1 --examples 300 --steps 500 [--every 100] [--fused]
--
-- --fused runs each step as one C call (il.fused) instead of network.lua's forward / backward / update.
local il = require "initlab"

local opts = il.cli.parse(arg, {
  usage = "initlab bench/train.lua [options]",
  { "sizes", "string", "2,10,5,1", "layer sizes; 50x30 means 30 layers of 50 units" },
  { "examples", "integer", 300, "training examples (circles, noise 0.05, seed 1)" },
  { "steps", "integer", 1000, "gradient descent steps" },
  { "every", "integer", 100, "compute the cost every N steps" },
  { "lr", "number", 0.01, "learning rate" },
  { "fused", "flag", false, "one C call per step (il.fused)" },
})

local sizes = {}
for part in opts.sizes:gmatch("[^,]+") do
  local width, count = part:match("^(%d+)x(%d+)$")
  if width then
    for _ = 1, tonumber(count) do sizes[#sizes + 1] = tonumber(width) end
  else
    sizes[#sizes + 1] = math.tointeger(tonumber(part))
  end
end

il.random.seed(1)
local X, Y = il.data.circles{ n = opts.examples, noise = 0.05 }
local net = il.network.new{ sizes = sizes, activations = "relu", output = "sigmoid", loss = "bce" }
il.random.seed(3)
net:initialize("he")

local clock = os.clock
local started = clock()
local cost
if opts.fused then
  net:forward(X) -- makes this batch's buffers
  local layers = {}
  for l, layer in ipairs(net.layers) do
    local b = net.batch[opts.examples][l]
    layers[l] = { W = layer.W, b = layer.b, dW = layer.dW, db = layer.db, Z = b.Z, A = b.A, dZ = b.dZ, dA = b.dA,
      activation = layer.activation }
  end
  local plan = il.fused{ layers = layers, loss = net.loss }
  local costs = plan:train(X, Y, opts.lr, opts.steps, opts.every)
  cost = costs[#costs]
else
  for i = 0, opts.steps - 1 do
    net:forward(X)
    if i % opts.every == 0 then cost = net:cost(Y) end
    net:backward(Y)
    net:update(opts.lr)
  end
end
print(("initlab%s: %d steps of %s on %d examples: %.3f s (CPU), last cost %.6g"):format(
  opts.fused and " fused" or "", opts.steps, opts.sizes, opts.examples, clock() - started, cost))
