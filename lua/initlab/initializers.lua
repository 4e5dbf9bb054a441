-- initializers.lua: il.init, the weight initializers of the major frameworks, the lesson's, and LSUV.
--
-- An initializer is a function (rows, cols [, opts]) -> a NEW rows x cols matrix. W is fan_out x fan_in:
-- rows = units of this layer (fan_out), cols = inputs to it (fan_in), as W{l} in the lesson.
-- Every random draw comes from opts.generator (an il.random.generator) or else the global stream
-- il.random.stream(), through its methods, so a seed reproduces the weights exactly.
-- Any Lua function with the same signature is an initializer too: net:initialize accepts both.
--
--   il.init.he(4, 2)                                   the lesson's He: randn * sqrt(2 / fan_in)
--   il.init.xavier_uniform(64, 32, {gain = il.init.calculate_gain("tanh")})
--   il.init.kaiming_normal(64, 32, {mode = "fan_out", nonlinearity = "relu", generator = g})
--   net:initialize("orthogonal", {gain = 2})  or  il.init.lsuv(net, X)
--
-- Besides the initializers: il.init.calculate_gain(nonlinearity [, param]), il.init.get(name_or_function),
-- il.init.names() (every initializer's name, sorted), il.init.fans(rows, cols) -> fan_in, fan_out, and
-- il.init.lsuv(net, X [, opts]). Options are checked: a misspelt or mistyped option is an error.
--
-- Where the frameworks differ (names follow the framework that made them famous):
--   PyTorch torch.nn.init: zeros, ones, constant, uniform, normal, trunc_normal, eye, sparse, orthogonal,
--     xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal, calculate_gain.
--     (nn.Linear's own default is kaiming_uniform{a = math.sqrt(5)}: bound 1 / sqrt(fan_in).)
--   Keras / JAX: variance_scaling, lecun_uniform, lecun_normal, glorot_uniform, glorot_normal,
--     he_uniform, he_normal. Their *_normal variants are TRUNCATED normals at +-2 std, with the std
--     divided by .87962566103423978 (the std of a standard normal truncated to [-2, 2]) so that the
--     final variance is the intended one. glorot_uniform is xavier_uniform with gain 1, but
--     glorot_normal differs from PyTorch's (untruncated) xavier_normal, and he_normal from kaiming_normal.
--   The lesson: zeros, random (randn * 10), he (randn * sqrt(2 / fan_in)) and what its text calls
--     "Xavier": xavier = randn * sqrt(1 / fan_in). That is LeCun's variance 1 / fan_in with an
--     untruncated normal, NOT Glorot's xavier_normal (variance 2 / (fan_in + fan_out)).
local il = require "initlab"

local init = {}

-- ---- helpers: options, fans, gains ------------------------------------------------------------------

local GENERATOR_MT = getmetatable(il.random.stream())
-- std of a standard normal truncated to [-2, 2]; Keras divides by it to keep the intended variance.
local TRUNCATED_STD = .87962566103423978

local function fail(name, message, ...)
  error(("il.init.%s: " .. message):format(name, ...), 0)
end

-- The options table of an initializer, checked: nil or a table whose keys are all in `allowed`
-- (a misspelt option is an error, not a silently ignored default).
local function options(name, opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail(name, "opts must be a table, got %s", type(opts)) end
  for key in pairs(opts) do
    if key ~= "generator" and not allowed[key] then
      local names = { "generator" }
      for k in pairs(allowed) do names[#names + 1] = k end
      table.sort(names)
      fail(name, "unknown option '%s' (expected %s)", tostring(key), table.concat(names, ", "))
    end
  end
  local g = opts.generator
  if g ~= nil and getmetatable(g) ~= GENERATOR_MT then
    fail(name, "option 'generator' must be an il.random.generator, got %s", type(g))
  end
  return opts
end

local function generator(opts) return opts.generator or il.random.stream() end

-- A finite number option, or its default.
local function number(name, opts, key, default)
  local v = opts[key]
  if v == nil then v = default end
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
    fail(name, "option '%s' must be a finite number, got %s", key, type(v) == "number" and tostring(v) or type(v))
  end
  return v
end

local function nonnegative(name, opts, key, default)
  local v = number(name, opts, key, default)
  if v < 0 then fail(name, "option '%s' must not be negative, got %s", key, tostring(v)) end
  return v
end

local function choice(name, opts, key, default, allowed)
  local v = opts[key]
  if v == nil then return default end
  for _, a in ipairs(allowed) do
    if v == a then return v end
  end
  fail(name, "unknown %s '%s' (expected one of %s)", key, tostring(v), table.concat(allowed, ", "))
end

local function size(name, what, v)
  local n = type(v) == "number" and math.tointeger(v)
  if not n or n < 0 then fail(name, "%s must be a non-negative integer, got %s", what, tostring(v)) end
  return n
end

-- fan_in, fan_out of a fan_out x fan_in weight matrix.
function init.fans(rows, cols) return cols, rows end

-- The fan named by `mode` (fan_in, fan_out or fan_avg = (fan_in + fan_out) / 2), never 0 since it is
-- divided by.
local function fan(name, rows, cols, mode)
  local fan_in, fan_out = init.fans(rows, cols)
  local f = ({ fan_in = fan_in, fan_out = fan_out, fan_avg = (fan_in + fan_out) / 2 })[mode]
  if f == 0 then
    fail(name, "%s is 0 for a %dx%d matrix (W is fan_out x fan_in); it is divided by", mode, rows, cols)
  end
  return f
end

-- PyTorch's torch.nn.init.calculate_gain: the factor that keeps the variance of activations steady.
local gains = {
  linear = 1, identity = 1, sigmoid = 1,
  conv1d = 1, conv2d = 1, conv3d = 1, conv_transpose1d = 1, conv_transpose2d = 1, conv_transpose3d = 1,
  tanh = 5.0 / 3,
  relu = math.sqrt(2.0),
  selu = 3.0 / 4, -- PyTorch's choice for SELU networks (self-normalizing ones use gain 1 with LeCun)
  leaky_relu = function(param)   -- sqrt(2 / (1 + slope^2)), slope 0.01 by default
    local negative_slope = 0.01
    if param ~= nil then
      if type(param) ~= "number" then
        error(("il.init.calculate_gain: the negative slope of leaky_relu must be a number, got %s"):format(
          type(param)), 0)
      end
      negative_slope = param
    end
    return math.sqrt(2.0 / (1 + negative_slope ^ 2))
  end,
}

local function sorted_keys(t, filter)
  local names = {}
  for k, v in pairs(t) do
    if not filter or filter(k, v) then names[#names + 1] = k end
  end
  table.sort(names)
  return table.concat(names, ", ")
end

-- calculate_gain(nonlinearity [, param]): param is leaky_relu's negative slope (ignored by the others).
function init.calculate_gain(nonlinearity, param)
  local g = gains[nonlinearity]
  if g == nil then
    error(("il.init.calculate_gain: unknown nonlinearity '%s' (expected one of %s)"):format(
      tostring(nonlinearity), sorted_keys(gains)), 0)
  end
  if type(g) == "function" then return g(param) end
  return g
end

-- ---- truncated normal draws ------------------------------------------------------------------------
-- One draw of a standard normal restricted to [lo, hi], by rejection from the proposal that suits the
-- interval (Robert 1995, "Simulation of truncated normal variables"), so that even a far tail such as
-- [8, 9] takes a few draws, never millions. Every branch accepts at least ~20% of its proposals.
local SQRT_2PI = math.sqrt(2 * math.pi)

local function standard_truncated(g, lo, hi)
  if hi < 0 then return -standard_truncated(g, -hi, -lo) end -- mirror a negative interval
  if lo <= 0 then
    if hi - lo >= SQRT_2PI then -- wide, around 0: plain normal draws until one lands inside
      local z
      repeat z = g:normal(0, 1) until lo <= z and z <= hi
      return z
    end
    while true do -- narrow, around 0: uniform proposal, kept with probability exp(-z^2 / 2)
      local z = g:uniform(lo, hi)
      if g:rand() <= math.exp(-z * z / 2) then return z end
    end
  end
  -- 0 < lo: a tail. Exponential proposal of rate lambda shifted to lo, unless the interval is short
  -- against 1 / lambda, where a uniform proposal wastes less.
  local lambda = (lo + math.sqrt(lo * lo + 4)) / 2
  if lambda * (hi - lo) < 1 then
    while true do
      local z = g:uniform(lo, hi)
      if g:rand() <= math.exp((lo * lo - z * z) / 2) then return z end
    end
  end
  while true do
    local z = lo - math.log(1 - g:rand()) / lambda
    if z <= hi and g:rand() <= math.exp(-(z - lambda) ^ 2 / 2) then return z end
  end
end

-- rows x cols values of N(mean, std^2) restricted to the absolute bounds [a, b].
local function truncated_normal(name, g, rows, cols, mean, std, a, b)
  if std == 0 then -- a point mass
    if a <= mean and mean <= b then return il.full(rows, cols, mean) end
    fail(name, "std is 0 and the mean %s lies outside [%s, %s]", tostring(mean), tostring(a), tostring(b))
  end
  if not (a < b) then fail(name, "the bounds need a < b, got a = %s, b = %s", tostring(a), tostring(b)) end
  local lo, hi = (a - mean) / std, (b - mean) / std
  local W
  if lo <= 0 and 0 <= hi and hi - lo >= SQRT_2PI then
    -- The usual case ([-2, 2] std): draw all at once and redraw the few values outside.
    W = g:normal(mean, std, rows, cols)
    for i = 1, rows do
      for j = 1, cols do
        local w = W:get(i, j)
        if w < a or w > b then
          repeat w = g:normal(mean, std) until a <= w and w <= b
          W:set(i, j, w)
        end
      end
    end
    return W
  end
  W = il.zeros(rows, cols)
  for i = 1, rows do
    for j = 1, cols do
      -- Clamped because mean + std * z can round just past a bound.
      W:set(i, j, math.min(math.max(mean + std * standard_truncated(g, lo, hi), a), b))
    end
  end
  return W
end

-- ---- the initializers --------------------------------------------------------------------------------
-- Each: (rows, cols [, opts]) -> a new matrix. `schemes` lists them for get() and the error messages.
local schemes = {}

local function scheme(name, allowed, body)
  local allowed_set = {}
  for _, k in ipairs(allowed) do allowed_set[k] = true end
  local f = function(rows, cols, opts)
    rows, cols = size(name, "rows", rows), size(name, "cols", cols)
    return body(rows, cols, options(name, opts, allowed_set), name)
  end
  schemes[name] = f
  init[name] = f
end

-- zeros: W = 0
scheme("zeros", {}, function(rows, cols) return il.zeros(rows, cols) end)

-- ones: W = 1
scheme("ones", {}, function(rows, cols) return il.ones(rows, cols) end)

-- constant{value}: W = value
scheme("constant", { "value" }, function(rows, cols, o, name)
  if o.value == nil then fail(name, "option 'value' is required") end
  return il.full(rows, cols, number(name, o, "value"))
end)

-- uniform{a = 0, b = 1}: W ~ U(a, b)
scheme("uniform", { "a", "b" }, function(rows, cols, o, name)
  local a, b = number(name, o, "a", 0), number(name, o, "b", 1)
  if a > b then fail(name, "the bounds need a <= b, got a = %s, b = %s", tostring(a), tostring(b)) end
  return generator(o):uniform(a, b, rows, cols)
end)

-- normal{mean = 0, std = 1}: W ~ N(mean, std^2)
scheme("normal", { "mean", "std" }, function(rows, cols, o, name)
  return generator(o):normal(number(name, o, "mean", 0), nonnegative(name, o, "std", 1), rows, cols)
end)

-- trunc_normal{mean = 0, std = 1, a = -2, b = 2}: N(mean, std^2) restricted to [a, b] (PyTorch: a and b
-- are absolute bounds; std is the std BEFORE truncation, so the result's std is smaller).
-- trunc_normal{mean, std, keras = true}: Keras' TruncatedNormal with its variance correction: the normal
-- has std / .8796... and is cut at mean +- 2 of those stds, so the result's std is `std` (a, b ignored).
scheme("trunc_normal", { "mean", "std", "a", "b", "keras" }, function(rows, cols, o, name)
  local mean, std = number(name, o, "mean", 0), nonnegative(name, o, "std", 1)
  if o.keras ~= nil and type(o.keras) ~= "boolean" then
    fail(name, "option 'keras' must be a boolean, got %s", type(o.keras))
  end
  if o.keras then
    if o.a ~= nil or o.b ~= nil then fail(name, "keras = true sets the bounds itself (mean +- 2 std): drop a and b") end
    local s = std / TRUNCATED_STD
    return truncated_normal(name, generator(o), rows, cols, mean, s, mean - 2 * s, mean + 2 * s)
  end
  local a, b = o.a == nil and -2 or o.a, o.b == nil and 2 or o.b
  for key, v in pairs{ a = a, b = b } do -- infinite bounds are fine: a half-normal, or no bound at all
    if type(v) ~= "number" or v ~= v then fail(name, "option '%s' must be a number, got %s", key, tostring(v)) end
  end
  return truncated_normal(name, generator(o), rows, cols, mean, std, a, b)
end)

-- eye{gain = 1}: W = gain * I (rows x cols, ones on the leading diagonal)
scheme("eye", { "gain" }, function(rows, cols, o, name)
  return il.scale(il.eye(rows, cols), number(name, o, "gain", 1))
end)

-- sparse{sparsity, std = 0.01}: N(0, std^2), then ceil(sparsity * rows) zeros in each column at
-- random rows (Martens 2010; PyTorch's sparse_).
scheme("sparse", { "sparsity", "std" }, function(rows, cols, o, name)
  if o.sparsity == nil then fail(name, "option 'sparsity' is required (the fraction of zeros per column)") end
  local sparsity, std = number(name, o, "sparsity"), nonnegative(name, o, "std", 0.01)
  if sparsity < 0 or sparsity > 1 then fail(name, "option 'sparsity' must be in [0, 1], got %s", tostring(sparsity)) end
  local g = generator(o)
  local W = g:normal(0, std, rows, cols)
  local zeros = math.ceil(sparsity * rows)
  for j = 1, cols do
    local order = g:permutation(rows)
    for k = 1, zeros do W:set(order[k], j, 0) end
  end
  return W
end)

-- orthogonal{gain = 1}: gain * Q from the QR of a Gaussian matrix, with Q's columns multiplied by
-- sign(diag(R)) so that Q is uniformly distributed (Saxe et al. 2014; Mezzadri 2007). Orthonormal rows
-- when rows <= cols (from the QR of the transpose), else orthonormal columns.
scheme("orthogonal", { "gain" }, function(rows, cols, o, name)
  local gain = number(name, o, "gain", 1)
  local A = generator(o):randn(rows, cols)
  local wide = rows < cols
  if wide then A = A:T() end
  local Q, R = il.qr(A)
  local signs = il.zeros(1, Q:cols())
  for j = 1, Q:cols() do signs:set(1, j, R:get(j, j) < 0 and -gain or gain) end
  il.mul(Q, signs, Q)
  return wide and Q:T() or Q
end)

-- xavier_uniform{gain = 1}: U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out))  (Glorot & Bengio 2010)
scheme("xavier_uniform", { "gain" }, function(rows, cols, o, name)
  local fan_sum = 2 * fan(name, rows, cols, "fan_avg") -- fan_in + fan_out
  local bound = nonnegative(name, o, "gain", 1) * math.sqrt(6 / fan_sum)
  return generator(o):uniform(-bound, bound, rows, cols)
end)

-- xavier_normal{gain = 1}: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))
scheme("xavier_normal", { "gain" }, function(rows, cols, o, name)
  local fan_sum = 2 * fan(name, rows, cols, "fan_avg") -- fan_in + fan_out
  local std = nonnegative(name, o, "gain", 1) * math.sqrt(2 / fan_sum)
  return generator(o):normal(0, std, rows, cols)
end)

-- The gain and fan of kaiming_*: PyTorch's defaults a = 0, mode "fan_in", nonlinearity "leaky_relu",
-- hence gain sqrt(2 / (1 + 0^2)) = sqrt(2), He et al. 2015's ReLU gain.
local function kaiming(name, rows, cols, o)
  local a = number(name, o, "a", 0)
  local mode = choice(name, o, "mode", "fan_in", { "fan_in", "fan_out" })
  local nonlinearity = o.nonlinearity or "leaky_relu"
  if type(nonlinearity) ~= "string" then fail(name, "option 'nonlinearity' must be a string, got %s", type(nonlinearity)) end
  if gains[nonlinearity] == nil then
    fail(name, "unknown nonlinearity '%s' (expected one of %s)", nonlinearity, sorted_keys(gains))
  end
  return init.calculate_gain(nonlinearity, a), fan(name, rows, cols, mode)
end

-- kaiming_uniform{a = 0, mode = "fan_in", nonlinearity = "leaky_relu"}: U(-bound, bound), bound = gain * sqrt(3 / fan)
scheme("kaiming_uniform", { "a", "mode", "nonlinearity" }, function(rows, cols, o, name)
  local gain, f = kaiming(name, rows, cols, o)
  local bound = gain * math.sqrt(3 / f)
  return generator(o):uniform(-bound, bound, rows, cols)
end)

-- kaiming_normal{a = 0, mode = "fan_in", nonlinearity = "leaky_relu"}: N(0, std^2), std = gain / sqrt(fan)
scheme("kaiming_normal", { "a", "mode", "nonlinearity" }, function(rows, cols, o, name)
  local gain, f = kaiming(name, rows, cols, o)
  return generator(o):normal(0, gain / math.sqrt(f), rows, cols)
end)

-- Keras' VarianceScaling: variance scale / fan, drawn from one of three distributions.
local function variance_scaling(name, rows, cols, o, scale, mode, distribution)
  local n = fan(name, rows, cols, mode)
  local g = generator(o)
  if distribution == "truncated_normal" then -- cut at +-2 std, std corrected to keep the variance
    local std = math.sqrt(scale / n) / TRUNCATED_STD
    return truncated_normal(name, g, rows, cols, 0, std, -2 * std, 2 * std)
  elseif distribution == "untruncated_normal" then
    return g:normal(0, math.sqrt(scale / n), rows, cols)
  end
  local limit = math.sqrt(3 * scale / n) -- uniform
  return g:uniform(-limit, limit, rows, cols)
end

-- variance_scaling{scale = 1, mode = "fan_in", distribution = "truncated_normal"}: Var(W) = scale / fan,
-- distribution "truncated_normal" (std sqrt(scale / fan) / .8796... within +-2 std),
-- "untruncated_normal" (std sqrt(scale / fan)) or "uniform" (limit sqrt(3 scale / fan)).
scheme("variance_scaling", { "scale", "mode", "distribution" }, function(rows, cols, o, name)
  local scale = number(name, o, "scale", 1)
  if scale <= 0 then fail(name, "option 'scale' must be positive, got %s", tostring(scale)) end
  local mode = choice(name, o, "mode", "fan_in", { "fan_in", "fan_out", "fan_avg" })
  local distribution = choice(name, o, "distribution", "truncated_normal",
    { "truncated_normal", "untruncated_normal", "uniform" })
  return variance_scaling(name, rows, cols, o, scale, mode, distribution)
end)

-- Keras' named variance scalings: {scale, mode, distribution}.
for name, v in pairs{
  lecun_uniform = { 1, "fan_in", "uniform" },            -- limit sqrt(3 / fan_in)
  lecun_normal = { 1, "fan_in", "truncated_normal" },    -- std sqrt(1 / fan_in) / .8796... within +-2 std
  glorot_uniform = { 1, "fan_avg", "uniform" },          -- limit sqrt(6 / (fan_in + fan_out)) = xavier_uniform
  glorot_normal = { 1, "fan_avg", "truncated_normal" },  -- std sqrt(2 / (fan_in + fan_out)) / .8796..., truncated
  he_uniform = { 2, "fan_in", "uniform" },               -- limit sqrt(6 / fan_in)
  he_normal = { 2, "fan_in", "truncated_normal" },       -- std sqrt(2 / fan_in) / .8796..., truncated
} do
  scheme(name, {}, function(rows, cols, o) return variance_scaling(name, rows, cols, o, v[1], v[2], v[3]) end)
end

-- The lesson's three, drawn exactly as the notebook does (randn row by row, then one multiplication),
-- so that after il.random.seed(3) they equal numpy's numbers bit for bit.
-- random: W = randn * 10 (deliberately too large)
scheme("random", {}, function(rows, cols, o)
  local W = generator(o):randn(rows, cols)
  return il.scale(W, 10, W)
end)

-- he: W = randn * sqrt(2 / fan_in)
scheme("he", {}, function(rows, cols, o, name)
  local W = generator(o):randn(rows, cols)
  return il.scale(W, math.sqrt(2 / fan(name, rows, cols, "fan_in")), W)
end)

-- xavier: W = randn * sqrt(1 / fan_in), the lesson's "Xavier" (LeCun's variance; see the header)
scheme("xavier", {}, function(rows, cols, o, name)
  local W = generator(o):randn(rows, cols)
  return il.scale(W, math.sqrt(1 / fan(name, rows, cols, "fan_in")), W)
end)

-- get(name_or_function): the initializer itself; a function is returned as it is.
function init.get(x)
  if type(x) == "function" then return x end
  if type(x) == "string" and schemes[x] then return schemes[x] end
  error(("il.init.get: unknown initializer %s (expected a function or one of %s)"):format(
    type(x) == "string" and "'" .. x .. "'" or "of type " .. type(x), sorted_keys(schemes)), 2)
end

-- The names of every initializer, sorted.
function init.names()
  local names = {}
  for k in pairs(schemes) do names[#names + 1] = k end
  table.sort(names)
  return names
end

-- ---- LSUV: layer-sequential unit-variance initialization (Mishkin & Matas 2015) ------------------------
-- lsuv(net, X [, opts]) with opts {tol = 0.1, max_iter = 10, include_output = true, generator}:
-- 1. every W orthogonal, every b 0;
-- 2. layer by layer from the first, the output layer included as in the paper (include_output = false
--    leaves it orthogonal), forward X and divide W
--    by the std of that layer's pre-activation Z until Var(Z) is within 1 +- tol, at most max_iter times.
-- Returns one {layer, std_before, std_after, iterations, converged} per adjusted layer. A layer whose Z
-- has zero variance on X (dead: every unit constant) cannot be scaled to unit variance: an error.
function init.lsuv(net, X, opts)
  local name = "lsuv"
  if type(net) ~= "table" or type(net.layers) ~= "table" or type(net.forward) ~= "function" then
    fail(name, "net must be a network (il.network.new{...}), got %s", type(net))
  end
  if not il.ismatrix(X) then fail(name, "X must be a matrix (features x examples), got %s", type(X)) end
  local o = options(name, opts, { tol = true, max_iter = true, include_output = true })
  local tol = number(name, o, "tol", 0.1)
  if tol <= 0 then fail(name, "option 'tol' must be positive, got %s", tostring(tol)) end
  local max_iter = o.max_iter == nil and 10 or o.max_iter
  if math.type(max_iter) ~= "integer" or max_iter < 1 then
    fail(name, "option 'max_iter' must be a positive integer, got %s", tostring(max_iter))
  end
  if o.include_output ~= nil and type(o.include_output) ~= "boolean" then
    fail(name, "option 'include_output' must be a boolean, got %s", type(o.include_output))
  end

  local ortho = { generator = o.generator }
  for _, layer in ipairs(net.layers) do
    local r, c = layer.W:shape()
    il.copy(init.orthogonal(r, c, ortho), layer.W)
    layer.b:fill(0)
  end

  -- Var(Z) of layer l on X; refuses the values no scaling can fix.
  local function variance(l)
    net:forward(X)
    local var = net.current[l].Z:var()
    if not (var > 0 and var < math.huge) then
      fail(name, "layer %d's pre-activation Z has variance %s on X: %s", l, tostring(var),
        var == 0 and "a dead layer (every unit constant) cannot be scaled to unit variance"
        or "not a finite number")
    end
    return var
  end

  local report = {}
  local last = o.include_output == false and #net.layers - 1 or #net.layers
  for l = 1, last do
    local W = net.layers[l].W
    local var = variance(l)
    local entry = { layer = l, std_before = math.sqrt(var), iterations = 0 }
    while math.abs(var - 1) > tol and entry.iterations < max_iter do
      il.scale(W, 1 / math.sqrt(var), W)
      entry.iterations = entry.iterations + 1
      var = variance(l)
    end
    entry.std_after = math.sqrt(var)
    entry.converged = math.abs(var - 1) <= tol
    report[l] = entry
  end
  return report
end

return init
