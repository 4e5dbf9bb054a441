-- Many seeds
-- ==========
-- The lesson compares zeros, large random and He initialization on one seed (3). A careful
-- experimenter repeats the comparison: here every initialization draws its weights from each of
-- --seeds seeds in turn (the data stay the lesson's), trains the lesson's model as the lesson does,
-- and the spread of the accuracies shows how much of the lesson's table is the initialization and how
-- much is the luck of one draw.
--
--   scripts/initlab lua/experiments/seeds.lua [--seeds 10] [--first-seed 1] [--iterations 15000]
--                                             [--lr 0.01] [--json FILE]
local il = require "initlab"

local opts = il.cli.parse(arg, {
  usage = "initlab lua/experiments/seeds.lua [options]",
  { "seeds", "integer", 10, "how many seeds", check = function(n) return n >= 1, "must be at least 1" end },
  { "first-seed", "integer", 1, "the first seed; the others follow it",
    check = function(s) return s >= 0 and s <= 0xffffffff, "must be in 0..2^32-1" end },
  { "iterations", "integer", 15000, "gradient descent steps for each model",
    check = function(n) return n >= 1, "must be at least 1" end },
  { "lr", "number", 0.01, "learning rate", check = function(x) return x > 0, "must be positive" end },
  { "json", "string", nil, "write every run and the summary as JSON to FILE", metavar = "FILE" },
})

local train_X, train_Y, test_X, test_Y = il.data.load_dataset()

-- The lesson's three initializations as il.init functions (each draws from the global stream).
local initializations = {
  { name = "zeros", init = "zeros" },
  { name = "random", init = "random" }, -- randn * 10
  { name = "he", init = "he" },         -- randn * sqrt(2 / fan_in)
}

local runs = {}
for _, which in ipairs(initializations) do
  runs[which.name] = {}
  for seed = opts.first_seed, opts.first_seed + opts.seeds - 1 do
    local net = il.network.new{ sizes = { 2, 10, 5, 1 }, activations = { "relu", "relu", "sigmoid" } }
    il.random.seed(seed)
    net:initialize(which.init)
    local history = il.train.fit(net, train_X, train_Y, { iterations = opts.iterations, learning_rate = opts.lr,
      print_every = opts.iterations, quiet = true })
    table.insert(runs[which.name], { seed = seed, final_cost = history.final_cost,
      train_accuracy = il.train.accuracy(net, train_X, train_Y), test_accuracy = il.train.accuracy(net, test_X, test_Y) })
  end
end

-- mean, sample standard deviation, min and max of one field over the runs of an initialization
local function spread(list, field)
  local n, sum, lo, hi = #list, 0, math.huge, -math.huge
  for _, r in ipairs(list) do
    sum = sum + r[field]
    lo, hi = math.min(lo, r[field]), math.max(hi, r[field])
  end
  local mean, ss = sum / n, 0
  for _, r in ipairs(list) do ss = ss + (r[field] - mean) ^ 2 end
  return { mean = mean, std = n > 1 and math.sqrt(ss / (n - 1)) or 0, min = lo, max = hi }
end

print(("%d seeds (%d to %d), %d steps at learning rate %s; the lesson's seed is 3")
  :format(opts.seeds, opts.first_seed, opts.first_seed + opts.seeds - 1, opts.iterations, il.fmt.float(opts.lr)))
local summary, rows = {}, {}
local function pct(s) return ("%.1f%% ± %.1f  [%.0f%%, %.0f%%]"):format(100 * s.mean, 100 * s.std, 100 * s.min, 100 * s.max) end
for _, which in ipairs(initializations) do
  local list = runs[which.name]
  summary[which.name] = { train_accuracy = spread(list, "train_accuracy"), test_accuracy = spread(list, "test_accuracy") }
  rows[#rows + 1] = { which.name, pct(summary[which.name].train_accuracy), pct(summary[which.name].test_accuracy) }
end
print(il.term.table({ "initialization", "train accuracy: mean ± std  [min, max]", "test accuracy" }, rows))

if opts.json then
  il.json.write(opts.json, { config = { seeds = opts.seeds, first_seed = opts.first_seed, iterations = opts.iterations,
    lr = opts.lr }, runs = runs, summary = summary })
  print("Results written to " .. opts.json)
end
