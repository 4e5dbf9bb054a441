-- test_gradcheck.lua: every layer's and every loss's backward pass against central finite differences.
--
-- A layer y = f(x) is checked through the scalar objective J = sum(y ⊙ R) with a random R: then dJ/dy = R,
-- so f_backward(R, ...) must equal the numerical gradient of J. A loss is already a scalar.
-- Agreement is measured as the course's gradient-checking lesson does, over the whole gradient:
--   difference = ||analytic - numeric|| / (||analytic|| + ||numeric||)   and it must stay below 1e-6.
local lu = require "luaunit"
local il = require "initlab"

local TOLERANCE = 1e-6
local STEP = 1e-6 -- central differences: truncation error ~ STEP^2, rounding ~ 1e-16 / STEP

local rng = il.random.generator(2024)

-- d f() / d x, element by element, by central differences; x is perturbed in place and restored.
local function numeric_gradient(f, x)
  local rows, cols = x:shape()
  local grad = il.zeros(rows, cols)
  for i = 1, rows do
    for j = 1, cols do
      local old = x:get(i, j)
      x:set(i, j, old + STEP)
      local up = f()
      x:set(i, j, old - STEP)
      local down = f()
      x:set(i, j, old)
      grad:set(i, j, (up - down) / (2 * STEP))
    end
  end
  return grad
end

-- The relative difference of two gradients (0 when both vanish).
local function relative_difference(analytic, numeric)
  local scale = il.norm(analytic) + il.norm(numeric)
  if scale == 0 then return 0 end
  return il.norm(il.sub(analytic, numeric)) / scale
end

-- Checks an analytic gradient of f() with respect to x against the numerical one.
local function assert_gradient(analytic, f, x, what)
  local numeric = numeric_gradient(f, x)
  local difference = relative_difference(analytic, numeric)
  lu.assertTrue(difference < TOLERANCE, string.format("%s: relative difference %.3g (tolerance %g)\nanalytic %s\nnumeric %s",
    what, difference, TOLERANCE, tostring(analytic), tostring(numeric)))
end

-- J = sum(y ⊙ R)
local function objective(y, R) return il.sum(il.mul(y, R)) end

-- Random values kept at least `gap` away from 0, where relu and leaky relu have their kink.
local function away_from_zero(rows, cols, gap)
  return rng:randn(rows, cols):map(function(v) return v >= 0 and v + gap or v - gap end)
end

-- Probabilities in [lo, hi].
local function uniform(rows, cols, lo, hi)
  return il.add(il.scale(rng:rand(rows, cols), hi - lo), lo)
end

-- One-hot columns: example j belongs to class (j mod classes) + 1.
local function one_hot(classes, m)
  local Y = il.zeros(classes, m)
  for j = 1, m do Y:set((j % classes) + 1, j, 1) end
  return Y
end

TestGradientCheck = {}

-- The checker itself must catch a wrong gradient, or every test below proves nothing.
function TestGradientCheck.test_checker_catches_a_wrong_gradient()
  local Z, R = rng:randn(3, 4), rng:randn(3, 4)
  local wrong = il.sigmoid_backward(R, Z) -- fed the input instead of the output
  local numeric = numeric_gradient(function() return objective(il.sigmoid(Z), R) end, Z)
  lu.assertTrue(relative_difference(wrong, numeric) > 1e-2)
end

-- ---- layers ----

function TestGradientCheck.test_linear()
  local W, A, b = rng:randn(3, 4), rng:randn(4, 5), rng:randn(3, 1)
  local R = rng:randn(3, 5)
  local function J() return objective(il.linear(W, A, b), R) end
  local dW, db, dA = il.linear_backward(R, A, W)
  assert_gradient(dW, J, W, "linear wrt W")
  assert_gradient(db, J, b, "linear wrt b")
  assert_gradient(dA, J, A, "linear wrt A")
end

function TestGradientCheck.test_relu()
  local Z, R = away_from_zero(4, 5, 0.1), rng:randn(4, 5)
  assert_gradient(il.relu_backward(R, Z), function() return objective(il.relu(Z), R) end, Z, "relu")
end

function TestGradientCheck.test_leaky_relu()
  local Z, R = away_from_zero(4, 5, 0.1), rng:randn(4, 5)
  for _, slope in ipairs{0.01, 0.2} do
    assert_gradient(il.leaky_relu_backward(R, Z, slope),
      function() return objective(il.leaky_relu(Z, slope), R) end, Z, "leaky_relu slope " .. slope)
  end
end

function TestGradientCheck.test_sigmoid()
  local Z, R = rng:randn(4, 5), rng:randn(4, 5)
  assert_gradient(il.sigmoid_backward(R, il.sigmoid(Z)), function() return objective(il.sigmoid(Z), R) end,
    Z, "sigmoid")
end

function TestGradientCheck.test_tanh()
  local Z, R = rng:randn(4, 5), rng:randn(4, 5)
  assert_gradient(il.tanh_backward(R, il.tanh(Z)), function() return objective(il.tanh(Z), R) end, Z, "tanh")
end

function TestGradientCheck.test_softmax()
  local Z, R = il.scale(rng:randn(4, 5), 2), rng:randn(4, 5)
  assert_gradient(il.softmax_backward(R, il.softmax(Z)), function() return objective(il.softmax(Z), R) end,
    Z, "softmax")
end

-- ---- losses ----

function TestGradientCheck.test_bce()
  local A = uniform(1, 6, 0.1, 0.9)
  for _, Y in ipairs{il.matrix{{1, 0, 0, 1, 1, 0}}, uniform(1, 6, 0, 1)} do -- hard and soft labels
    assert_gradient(il.bce_backward(A, Y), function() return il.bce(A, Y) end, A, "bce")
  end
end

function TestGradientCheck.test_bce_logits()
  local Z, Y = il.scale(rng:randn(2, 6), 3), il.matrix{{1, 0, 0, 1, 1, 0}, {0, 0, 1, 1, 0, 1}}
  assert_gradient(il.bce_logits_backward(Z, Y), function() return il.bce_logits(Z, Y) end, Z, "bce_logits")
end

function TestGradientCheck.test_mse()
  local A, Y = rng:randn(3, 4), rng:randn(3, 4)
  assert_gradient(il.mse_backward(A, Y), function() return il.mse(A, Y) end, A, "mse")
end

function TestGradientCheck.test_softmax_ce()
  local Z = il.scale(rng:randn(4, 6), 2)
  local soft = il.softmax(rng:randn(4, 6)) -- probability targets
  for _, Y in ipairs{one_hot(4, 6), soft} do
    assert_gradient(il.softmax_ce_backward(Z, Y), function() return il.softmax_ce(Z, Y) end, Z, "softmax_ce")
  end
end

-- The lesson's shortcut dZ = (1/m)(A - Y) is the gradient of bce(sigmoid(Z), Y) with respect to Z:
-- numerically, and as the chain sigmoid_backward(bce_backward(A, Y), A), and as bce from logits.
function TestGradientCheck.test_sigmoid_bce_shortcut()
  local Z, Y = rng:randn(1, 8), il.matrix{{1, 0, 1, 1, 0, 0, 1, 0}}
  local A = il.sigmoid(Z)
  local shortcut = il.sigmoid_bce_backward(A, Y)
  assert_gradient(shortcut, function() return il.bce(il.sigmoid(Z), Y) end, Z, "sigmoid + bce shortcut")
  local chained = il.sigmoid_backward(il.bce_backward(A, Y), A)
  lu.assertTrue(relative_difference(shortcut, chained) < 1e-12, "the shortcut equals the chain rule")
  lu.assertTrue(relative_difference(shortcut, il.bce_logits_backward(Z, Y)) < 1e-12,
    "the shortcut equals bce from logits")
end

os.exit(lu.LuaUnit.run())
