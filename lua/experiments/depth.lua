-- The depth experiment (He et al. 2015, in miniature)
-- ===================================================
-- He et al. ("Delving Deep into Rectifiers", 2015, figure 3) trained a 30-layer ReLU network: with
-- Xavier's scaling (std sqrt(1 / fan_in)) it stalls; with theirs (sqrt(2 / fan_in)) it trains. The
-- reason is signal propagation: a ReLU zeroes half of its input, so each layer multiplies the variance
-- of the signal by fan_in * Var(W) / 2. Xavier's variance 1 / fan_in halves it at every layer — after
-- 30 layers the signal is 2^-15 of what it was and the gradients vanish with it; He's 2 / fan_in keeps
-- it constant. LSUV (Mishkin & Matas 2015) gets the same from the data: it rescales each layer until
-- its pre-activations have unit variance.
--
--   scripts/initlab lua/experiments/depth.lua --depth 30 --width 50 --iterations 3000 --lr 0.05 \
--                   --seed 3 --init he,xavier,lsuv --json depth.json --report depth-report
--
-- The data are the lesson's 300 training circles; the network has --depth hidden ReLU layers of --width
-- units and a sigmoid output, trained by full-batch gradient descent on the lesson's loss.
-- --init takes any name of il.init (xavier meaning randn * sqrt(1 / fan_in)) or lsuv; a comma-separated
-- list runs each in turn. JSON for one init: {init, init_std, costs, iterations, final_cost,
-- train_accuracy, diagnostics}; for several: {runs = {name = that, ...}}.
local il = require "initlab"
local fmt = il.fmt

local opts = il.cli.parse(arg, {
  usage = "initlab lua/experiments/depth.lua [options]",
  { "depth", "integer", 30, "hidden ReLU layers", check = function(n) return n >= 1, "must be at least 1" end },
  { "width", "integer", 50, "units per hidden layer", check = function(n) return n >= 1, "must be at least 1" end },
  { "iterations", "integer", 3000, "gradient descent steps", check = function(n) return n >= 1, "must be at least 1" end },
  { "lr", "number", 0.05, "learning rate", check = function(x) return x > 0, "must be positive" end },
  { "seed", "integer", 3, "seed of the global stream before each initialization",
    check = function(s) return s >= 0 and s <= 0xffffffff, "must be in 0..2^32-1" end },
  { "init", "string", "he,xavier,lsuv", "initializer name(s) of il.init, or lsuv, comma-separated",
    metavar = "NAMES" },
  { "print-every", "integer", 100, "record the cost every N steps", check = function(n) return n >= 1, "must be at least 1" end },
  { "diagnostics-every", "integer", 100, "record per-layer statistics every N steps",
    check = function(n) return n >= 1, "must be at least 1" end },
  { "json", "string", nil, "write the results as JSON to FILE", metavar = "FILE" },
  { "report", "string", nil, "write an HTML report to DIR", metavar = "DIR" },
  { "quiet", "flag", false, "print only the summary" },
})

local inits = {}
for name in opts.init:gmatch("[^,%s]+") do
  if name ~= "lsuv" and not pcall(il.init.get, name) then
    io.stderr:write(("error: --init %s: unknown initializer (known: lsuv, %s)\n"):format(name,
      table.concat(il.init.names(), ", ")))
    os.exit(2)
  end
  inits[#inits + 1] = name
end
if #inits == 0 then io.stderr:write("error: --init needs at least one name\n"); os.exit(2) end

local X, Y = il.data.load_dataset()

local sizes = { X:rows() }
for _ = 1, opts.depth do sizes[#sizes + 1] = opts.width end
sizes[#sizes + 1] = 1

-- One run: initialize, measure the signal at step 0, train, measure the result.
local function run(init_name)
  local net = il.network.new{ sizes = sizes, activations = "relu", output = "sigmoid", loss = "bce" }
  il.random.seed(opts.seed)
  local lsuv_report
  if init_name == "lsuv" then
    lsuv_report = il.init.lsuv(net, X)
  else
    net:initialize(init_name)
  end
  local init_std = il.diagnostics.pre_activation_stds(net, X)
  if not opts.quiet then print(("\n%s: %s"):format(init_name, tostring(net))) end
  local history = il.train.fit(net, X, Y, {
    iterations = opts.iterations, learning_rate = opts.lr, print_every = opts.print_every,
    diagnostics_every = opts.diagnostics_every, snapshots = opts.report ~= nil, quiet = opts.quiet,
  })
  return {
    init = init_name,
    init_std = init_std,
    lsuv = lsuv_report,
    iterations = history.iterations,
    costs = history.costs,
    final_cost = history.final_cost,
    train_accuracy = il.train.accuracy(net, X, Y),
    diagnostics = history.diagnostics,
    snapshots = history.snapshots,
  }
end

local runs = {}
for _, name in ipairs(inits) do runs[#runs + 1] = run(name) end

-- The summary: how the signal propagated at step 0, and where training got.
print(("\n%d hidden ReLU layers of %d units, %d steps at learning rate %s, seed %d")
  :format(opts.depth, opts.width, opts.iterations, fmt.float(opts.lr), opts.seed))
local rows = {}
for _, r in ipairs(runs) do
  local first, last_hidden = r.init_std[1], r.init_std[#r.init_std - 1]
  rows[#rows + 1] = { r.init, ("%.3g"):format(first), ("%.3g"):format(last_hidden), ("%.3g"):format(last_hidden / first),
    ("%.4f"):format(r.final_cost), fmt.percent(r.train_accuracy) }
end
print(il.term.table({ "init", "std(Z) layer 1", "std(Z) last hidden", "ratio", "final cost", "train accuracy" }, rows))
for _, r in ipairs(runs) do
  print(("%-8s std(Z) by layer %s"):format(r.init, il.term.sparkline(r.init_std)))
end

-- What other programs read: snapshots (matrices of activations) stay out of the JSON.
local function json_run(r)
  return { init = r.init, init_std = r.init_std, lsuv = r.lsuv, iterations = r.iterations, costs = r.costs,
    final_cost = r.final_cost, train_accuracy = r.train_accuracy, diagnostics = r.diagnostics }
end
if opts.json then
  local value
  if #runs == 1 then
    value = json_run(runs[1])
  else
    value = { runs = {} }
    for _, r in ipairs(runs) do value.runs[r.init] = json_run(r) end
  end
  value.config = { depth = opts.depth, width = opts.width, iterations = opts.iterations, lr = opts.lr, seed = opts.seed }
  il.json.write(opts.json, value)
  print("Results written to " .. opts.json)
end
if opts.report then
  local index = require("initlab.depth_report").write(opts.report, runs, opts)
  print("Report written to " .. index)
end
