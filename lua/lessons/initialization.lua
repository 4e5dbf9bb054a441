-- Initialization
-- ==============
-- The "Initialization" assignment of the deep-learning course ("Improving Deep Neural Networks",
-- week 1), in initlab. Edit anything here and run it again; nothing needs recompiling:
--
--   scripts/initlab lua/lessons/initialization.lua [--iterations N] [--lr X] [--json FILE]
--                   [--report DIR | --no-report] [--show-mistake] [--diagnostics N]   (--help explains)
--
-- Training your neural network requires specifying an initial value of the weights. A well chosen
-- initialization method will help learning. A well chosen initialization can:
--   - speed up the convergence of gradient descent,
--   - increase the odds of gradient descent converging to a lower training (and generalization) error.
local il = require "initlab"
local fmt = il.fmt

local opts = il.cli.parse(arg, {
  usage = "initlab lua/lessons/initialization.lua [options]",
  { "iterations", "integer", 15000, "gradient descent steps for each model",
    check = function(n) return n >= 1, "must be at least 1" end },
  { "lr", "number", 0.01, "learning rate", check = function(x) return x > 0, "must be positive" end },
  { "json", "string", nil, "write data, initial weights, costs and accuracies as JSON to FILE",
    metavar = "FILE" },
  { "report", "string", "initialization-report", "directory of the HTML report", metavar = "DIR" },
  { "no-report", "flag", false, "do not write the HTML report" },
  { "show-mistake", "flag", false, "also train with the original notebook's rand-instead-of-randn bug" },
  { "diagnostics", "integer", 1000, "record per-layer statistics every N steps for the report and JSON (0: off)",
    check = function(n) return n >= 0, "must be 0 or more" end },
})

-- Per-layer statistics (--diagnostics), recorded by model() for the report; not part of the notebook.
local recorder

local function section(title) print("\n" .. title .. "\n" .. string.rep("-", #title)) end

-- Load the data: blue/red dots in circles. X has one column per example (x1, x2); Y holds 0 for the
-- red outer circle and 1 for the blue inner one. You would like a classifier to separate them.
local train_X, train_Y, test_X, test_Y = il.data.load_dataset()
print(("Training set: %d examples, test set: %d examples"):format(train_X:cols(), test_X:cols()))


-- 1 - Neural Network model
-- You will use a 3-layer neural network: LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID, and
-- try three initializations: "zeros", "random" (large random values) and "he" (He et al., 2015).

-- model(X, Y, learning_rate, num_iterations, print_cost, initialization) -> network, costs, parameters
-- Trains the 3-layer network with plain gradient descent. The cost is printed (and recorded) every
-- 1000 iterations; it is computed from the same forward pass the gradients come from. Returns the
-- trained network, the recorded costs and the initial parameters (the network trains its own copy).
function model(X, Y, learning_rate, num_iterations, print_cost, initialization)
  learning_rate = learning_rate or 0.01
  num_iterations = num_iterations or 15000
  local costs = {}
  local layers_dims = { X:rows(), 10, 5, 1 }

  -- Initialize parameters dictionary.
  local parameters
  if initialization == "zeros" then
    parameters = initialize_parameters_zeros(layers_dims)
  elseif initialization == "random" then
    parameters = initialize_parameters_random(layers_dims)
  elseif initialization == "he" then
    parameters = initialize_parameters_he(layers_dims)
  else
    parameters = initialization(layers_dims) -- any function of layers_dims works too
  end
  local net = il.network.new{ sizes = layers_dims, activations = { "relu", "relu", "sigmoid" } }
  net:set_parameters(parameters)

  -- Loop (gradient descent)
  for i = 0, num_iterations - 1 do
    net:forward(X)                 -- LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID
    if print_cost and i % 1000 == 0 then
      local cost = net:cost(Y)     -- the cross-entropy loss of this forward pass
      print(("Cost after iteration %d: %s"):format(i, fmt.float(cost)))
      costs[#costs + 1] = cost
    end
    net:backward(Y)                -- gradients of every W and b
    if recorder and i >= recorder.next_step then -- per-layer statistics, on the steps they are kept
      recorder:record(i, net)
    end
    net:update(learning_rate)      -- W = W - learning_rate * dW, b = b - learning_rate * db
  end
  return net, costs, parameters
end

-- predict(X, y, net) -> predictions, accuracy: 1 where the network's output is above 0.5; prints the
-- accuracy (the fraction of predictions equal to y).
function predict(X, y, net)
  local p = net:predict(X)
  local accuracy = il.eq(p, y):mean()
  print("Accuracy: " .. fmt.float(accuracy))
  return p, accuracy
end


section("2 - Zero initialization")
-- There are two types of parameters to initialize: the weight matrices W1, W2, ..., WL and the bias
-- vectors b1, b2, ..., bL. Initialize all of them to zeros. You'll see later that this does not work
-- well since it fails to "break symmetry", but let's try it anyway and see what happens.

-- GRADED FUNCTION: initialize_parameters_zeros
-- layers_dims lists the size of each layer: layers_dims[1] is the input size (Lua counts from 1, so
-- the notebook's layers_dims[l] is layers_dims[l + 1] here). Returns {W1 =, b1 =, ..., WL =, bL =}
-- with Wl of shape (layers_dims[l + 1], layers_dims[l]) and bl of shape (layers_dims[l + 1], 1).
function initialize_parameters_zeros(layers_dims)
  local parameters = {}
  local L = #layers_dims -- number of layers in the network, input included
  for l = 1, L - 1 do
    parameters["W" .. l] = il.zeros(layers_dims[l + 1], layers_dims[l])
    parameters["b" .. l] = il.zeros(layers_dims[l + 1], 1)
  end
  return parameters
end

local function show_parameters(parameters)
  for _, name in ipairs{ "W1", "b1", "W2", "b2" } do print(name .. " = " .. tostring(parameters[name])) end
end

show_parameters(initialize_parameters_zeros{ 3, 2, 1 })

local results = {}
local function train_and_evaluate(name, initialization)
  print()
  recorder = opts.diagnostics > 0 and il.diagnostics.recorder{ every = opts.diagnostics, learning_rate = opts.lr,
    last_step = opts.iterations - 1, snapshots = not opts.no_report } or nil
  local net, costs, initial_parameters = model(train_X, train_Y, opts.lr, opts.iterations, true, initialization)
  print("On the train set:")
  local predictions_train, train_accuracy = predict(train_X, train_Y, net)
  print("On the test set:")
  local predictions_test, test_accuracy = predict(test_X, test_Y, net)
  local iterations = {} -- the iterations the costs were recorded at: 0, 1000, ...
  for i = 1, #costs do iterations[i] = (i - 1) * 1000 end
  results[#results + 1] = {
    name = name,
    net = net,
    init = initial_parameters,
    costs = costs,
    iterations = iterations,
    train_accuracy = train_accuracy,
    test_accuracy = test_accuracy,
    diagnostics = recorder and recorder.diagnostics,
    snapshots = recorder and recorder.snapshots,
  }
  return net, predictions_train, predictions_test
end

local _, zeros_train = train_and_evaluate("zeros", "zeros")
-- The performance is really bad: the cost does not decrease and the algorithm performs no better than
-- random guessing. Why? Look at the predictions:
print(("The model predicts %d ones out of %d examples: it predicts 0 for every example.")
  :format(math.tointeger(zeros_train:sum()), zeros_train:cols()))
-- Initializing all the weights to zero makes the network fail to break symmetry: every neuron in each
-- layer computes the same thing and receives the same gradient, so it keeps computing the same thing;
-- the network is no more powerful than a linear classifier such as logistic regression.
-- What you should remember: the weights W should be initialized randomly to break symmetry; it is
-- however okay to initialize the biases b to zeros.


section("3 - Random initialization")
-- To break symmetry, initialize the weights randomly. Following random initialization, each neuron
-- can proceed to learn a different function of its inputs. Here the weights are random but very large
-- (randn * 10) and the biases zeros. The fixed seed makes the "random" weights the same as ours.

-- GRADED FUNCTION: initialize_parameters_random
function initialize_parameters_random(layers_dims)
  il.random.seed(3) -- this seed makes sure your "random" numbers will be the same as ours
  local parameters = {}
  local L = #layers_dims
  for l = 1, L - 1 do
    parameters["W" .. l] = il.random.randn(layers_dims[l + 1], layers_dims[l]) * 10
    parameters["b" .. l] = il.zeros(layers_dims[l + 1], 1)
  end
  return parameters
end

show_parameters(initialize_parameters_random{ 3, 2, 1 })
train_and_evaluate("random", "random")
-- Observations:
-- - The cost starts very high: with large random weights the last activation (sigmoid) outputs
--   values so close to 0 or 1 that they round to exactly 0 or 1 for some examples, and log(0) makes
--   the cost inf (section 6 shows which examples, and a loss that never overflows).
-- - Poor initialization can lead to vanishing/exploding gradients, which slows down optimization.
-- - Training longer gives better results, but overly large random weights slow the optimization down.


section("4 - He initialization")
-- "He initialization" is named for the first author of He et al., 2015. It scales randn by
-- sqrt(2 / dimension of the previous layer), which is what He et al. recommend for ReLU layers.
-- (Xavier initialization uses sqrt(1 / dimension of the previous layer) instead.)

-- GRADED FUNCTION: initialize_parameters_he
function initialize_parameters_he(layers_dims)
  il.random.seed(3)
  local parameters = {}
  local L = #layers_dims - 1 -- number of layers
  for l = 1, L do
    parameters["W" .. l] = il.random.randn(layers_dims[l + 1], layers_dims[l]) * math.sqrt(2 / layers_dims[l])
    parameters["b" .. l] = il.zeros(layers_dims[l + 1], 1)
  end
  return parameters
end

show_parameters(initialize_parameters_he{ 2, 4, 1 })
train_and_evaluate("he", "he")
-- The model with He initialization separates the blue and the red dots very well.


section("5 - Conclusions")
-- For the same number of iterations and the same hyperparameters, measured just now:
local comments = { zeros = "fails to break symmetry", random = "too large weights", he = "recommended method" }
local titles = { zeros = "3-layer NN with zeros initialization", random = "3-layer NN with large random initialization",
  he = "3-layer NN with He initialization" }
local conclusion = {}
for _, r in ipairs(results) do
  conclusion[#conclusion + 1] = { titles[r.name], fmt.percent(r.train_accuracy, 0), fmt.percent(r.test_accuracy, 0),
    comments[r.name] }
end
local headers = { "Model", "Train accuracy", "Test accuracy", "Problem/Comment" }
print(il.term.table(headers, conclusion))
print()
local cost_series = {}
for _, r in ipairs(results) do cost_series[#cost_series + 1] = { name = r.name, x = r.iterations, y = r.costs } end
print(il.term.chart{ title = "cost per iteration", series = cost_series, width = 60, height = 10 })
-- What you should remember:
-- - Different initializations lead to different results.
-- - Random initialization is used to break symmetry and make sure different hidden units can learn
--   different things.
-- - Don't initialize to values that are too large.
-- - He initialization works well for networks with ReLU activations.


section("6 - Why the cost was inf")
-- At iteration 0 of the random run, some outputs of the sigmoid are exactly 0 or 1 in floating point.
-- When such an output is wrong, the loss term -log(0) is inf; when it is right, 0 * log(0) is NaN and
-- numpy's nansum skips it. The same loss computed from the logits Z3 (il.bce_logits:
-- max(z, 0) - z y + log(1 + exp(-|z|))) never overflows.
do
  local net = il.network.new{ sizes = { 2, 10, 5, 1 }, activations = { "relu", "relu", "sigmoid" } }
  net:set_parameters(initialize_parameters_random{ 2, 10, 5, 1 })
  local a3 = net:forward(train_X)
  local z3 = net.current[3].Z
  local saturated = il.eq(a3, 0) + il.eq(a3, 1)                -- 1 where the output is exactly 0 or 1
  local wrong = il.ne(il.gt(a3, 0.5), train_Y)                 -- 1 where the prediction is wrong
  print(("Outputs that are exactly 0 or 1: %d of %d"):format(math.tointeger(saturated:sum()), a3:cols()))
  print(("  of which wrong, each adding -log(0) = inf to the cost: %d"):format(math.tointeger((saturated * wrong):sum())))
  print("Lesson's loss (from probabilities): " .. fmt.float(il.bce(a3, train_Y)))
  print("Stable loss (from logits):          " .. fmt.float(il.bce_logits(z3, train_Y)))
end

if opts.show_mistake then
  section("7 - A mistake worth seeing: rand instead of randn")
  -- The course's own copy of this notebook used np.random.rand (uniform on [0, 1)) instead of randn:
  -- all weights positive and large. It reaches only about 68% / 67% instead of 83% / 86%.
  local function initialize_parameters_rand_mistake(layers_dims)
    il.random.seed(3)
    local parameters = {}
    for l = 1, #layers_dims - 1 do
      parameters["W" .. l] = il.random.rand(layers_dims[l + 1], layers_dims[l]) * 10
      parameters["b" .. l] = il.zeros(layers_dims[l + 1], 1)
    end
    return parameters
  end
  train_and_evaluate("random_rand_bug", initialize_parameters_rand_mistake)
end

-- Results for other programs (--json) and the HTML report (--report DIR).
local lesson_output = require "initlab.lesson_output"
if opts.json then
  lesson_output.write_json(opts.json, { train_X = train_X, train_Y = train_Y, test_X = test_X, test_Y = test_Y },
    results)
  print("\nResults written to " .. opts.json)
end
if not opts.no_report then
  local index = lesson_output.write_report(opts.report, {
    train_X = train_X, train_Y = train_Y, test_X = test_X, test_Y = test_Y,
  }, results, { headers = headers, rows = conclusion, learning_rate = opts.lr })
  print("Report written to " .. index)
end
