-- data.lua: data sets in the lesson's layout: X is features x examples (one column per example),
-- Y is 1 x examples. circles and moons reproduce scikit-learn's make_circles / make_moons exactly,
-- drawing from the global random stream (il.random) as scikit-learn draws from numpy's.
local il = require "initlab"

local data = {}

local function check_options(name, opts, allowed)
  if type(opts) ~= "table" then
    error(("%s: expected a table of options such as {n = 300, noise = 0.05}, got %s"):format(name, type(opts)), 3)
  end
  for key in pairs(opts) do
    if not allowed[key] then
      local names = {}
      for k in pairs(allowed) do names[#names + 1] = k end
      table.sort(names)
      error(("%s: unknown option '%s' (expected %s)"):format(name, tostring(key), table.concat(names, ", ")), 3)
    end
  end
  local n = opts.n
  if math.type(n) == "float" and n == math.floor(n) then n = math.tointeger(n) end
  if math.type(n) ~= "integer" or n < 1 then
    error(("%s: n must be an integer >= 1, got %s"):format(name, tostring(opts.n)), 3)
  end
  if opts.noise ~= nil and (type(opts.noise) ~= "number" or opts.noise < 0 or opts.noise ~= opts.noise) then
    error(("%s: noise must be a number >= 0 (or nil for none), got %s"):format(name, tostring(opts.noise)), 3)
  end
  if opts.shuffle ~= nil and type(opts.shuffle) ~= "boolean" then
    error(("%s: shuffle must be true or false, got %s"):format(name, tostring(opts.shuffle)), 3)
  end
  return n
end

-- Shuffles the examples (scikit-learn shuffles an index array with numpy's shuffle), then adds
-- Gaussian noise drawn as an n x 2 matrix, row by row. A noise of 0 still draws, as scikit-learn does.
local function shuffle_and_noise(X, Y, opts)
  local n = Y:numel()
  if opts.shuffle ~= false then
    local order = {}
    for i = 1, n do order[i] = i end
    il.random.shuffle(order)
    local X2, Y2 = il.zeros(2, n), il.zeros(1, n)
    for j, src in ipairs(order) do
      X2:set(1, j, X:get(1, src))
      X2:set(2, j, X:get(2, src))
      Y2:set(1, j, Y:get(1, src))
    end
    X, Y = X2, Y2
  end
  if opts.noise ~= nil then
    X = X + il.random.normal(0, opts.noise, n, 2):T()
  end
  return X, Y
end

-- data.circles{n =, noise = nil, factor = 0.8, shuffle = true} -> X (2 x n), Y (1 x n)
-- An outer circle of radius 1 (label 0) and an inner one of radius `factor` (label 1).
function data.circles(opts)
  local n = check_options("circles", opts, { n = true, noise = true, factor = true, shuffle = true })
  local factor = opts.factor == nil and 0.8 or opts.factor
  if type(factor) ~= "number" or not (factor >= 0 and factor < 1) then
    error(("circles: factor must be a number in [0, 1), got %s"):format(tostring(opts.factor)), 2)
  end
  local n_out = n // 2
  local n_in = n - n_out
  local X, Y = il.zeros(2, n), il.zeros(1, n)
  for i = 0, n_out - 1 do -- numpy's linspace(0, 2 pi, n_out, endpoint=False)
    local angle = i * (2 * math.pi / n_out)
    X:set(1, i + 1, math.cos(angle))
    X:set(2, i + 1, math.sin(angle))
  end
  for i = 0, n_in - 1 do
    local angle = i * (2 * math.pi / n_in)
    X:set(1, n_out + i + 1, factor * math.cos(angle))
    X:set(2, n_out + i + 1, factor * math.sin(angle))
    Y:set(1, n_out + i + 1, 1)
  end
  return shuffle_and_noise(X, Y, opts)
end

-- numpy's linspace(0, stop, k) with the endpoint: i * (stop / (k - 1)), the last point exactly stop.
local function linspace_point(i, stop, k)
  if k == 1 then return 0.0 end
  if i == k - 1 then return stop end
  return i * (stop / (k - 1))
end

-- data.moons{n =, noise = nil, shuffle = true} -> X (2 x n), Y (1 x n): two interleaving half circles.
function data.moons(opts)
  local n = check_options("moons", opts, { n = true, noise = true, shuffle = true })
  local n_out = n // 2
  local n_in = n - n_out
  local X, Y = il.zeros(2, n), il.zeros(1, n)
  for i = 0, n_out - 1 do
    local t = linspace_point(i, math.pi, n_out)
    X:set(1, i + 1, math.cos(t))
    X:set(2, i + 1, math.sin(t))
  end
  for i = 0, n_in - 1 do
    local t = linspace_point(i, math.pi, n_in)
    X:set(1, n_out + i + 1, 1 - math.cos(t))
    X:set(2, n_out + i + 1, 1 - math.sin(t) - 0.5)
    Y:set(1, n_out + i + 1, 1)
  end
  return shuffle_and_noise(X, Y, opts)
end

-- data.load_dataset() -> train_X, train_Y, test_X, test_Y: the notebook's two-circles data
-- (300 training points drawn after seed 1, 100 test points after seed 2, noise 0.05).
function data.load_dataset()
  il.random.seed(1)
  local train_X, train_Y = data.circles{ n = 300, noise = 0.05 }
  il.random.seed(2)
  local test_X, test_Y = data.circles{ n = 100, noise = 0.05 }
  return train_X, train_Y, test_X, test_Y
end

-- data.csv(path, opts) -> X, Y, info: users' own data (see initlab/csv.lua for the options).
function data.csv(path, opts)
  return require("initlab.csv").read(path, opts)
end

return data
