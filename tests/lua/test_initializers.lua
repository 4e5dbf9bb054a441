-- test_initializers.lua: il.init (lua/initlab/initializers.lua) and il.qr.
-- Each initializer is checked against its formula on a large draw (500 x 400 = 200,000 values): bounds
-- exactly, std within 2% of the formula, mean near its expected value. The truncated-normal moments
-- below were computed with Python's math.erfc from the closed forms (alpha = (a - mu) / sigma,
-- beta = (b - mu) / sigma, Z = Phi(beta) - Phi(alpha)):
--   mean = mu + sigma (phi(alpha) - phi(beta)) / Z
--   var  = sigma^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2]
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local il = require "initlab"
local golden = require "golden"

local init = il.init
local ROWS, COLS = 500, 400 -- fan_out, fan_in
local TRUNCATED_STD = .87962566103423978

-- ---- helpers -----------------------------------------------------------------------------------------

local function gen(seed) return il.random.generator(seed or 20150101) end

-- std within 2% of `want`, mean within `mean_tol` of `mean`.
local function assert_moments(W, mean, std, what, mean_tol)
  local got_std, got_mean = W:std(), W:mean()
  lu.assertTrue(math.abs(got_std - std) <= 0.02 * std,
    ("%s: std %.6g, formula %.6g"):format(what, got_std, std))
  mean_tol = mean_tol or 0.01 * std -- about 4.5 standard errors of the mean of 200,000 draws
  lu.assertTrue(math.abs(got_mean - mean) <= mean_tol,
    ("%s: mean %.6g, expected %.6g"):format(what, got_mean, mean))
end

local function assert_within(W, lo, hi, what)
  lu.assertTrue(W:min() >= lo and W:max() <= hi,
    ("%s: values in [%.17g, %.17g], allowed [%.17g, %.17g]"):format(what, W:min(), W:max(), lo, hi))
end

local function assert_shape(W, rows, cols, what)
  lu.assertTrue(il.ismatrix(W), what .. ": a matrix")
  local r, c = W:shape()
  lu.assertEquals({ r, c }, { rows, cols }, what .. ": shape")
end

-- max |A - B|
local function maxdiff(A, B) return (A - B):abs():max() end

-- Runs f and checks that it raises an error whose message contains every string in `parts`.
local function assert_error_with(parts, f, ...)
  local ok, err = pcall(f, ...)
  lu.assertFalse(ok, "expected an error mentioning " .. table.concat(parts, ", "))
  err = tostring(err)
  for _, p in ipairs(parts) do
    lu.assertTrue(err:find(p, 1, true) ~= nil, ("error %q should mention %q"):format(err, p))
  end
end

-- ---- il.qr -------------------------------------------------------------------------------------------

TestQR = {}

-- numpy.linalg.qr(A) for np.random.seed(5489); A = np.random.randn(5, 3) (LAPACK's signs, as qr.h).
function TestQR.test_matches_numpy()
  local A = il.random.generator(5489):randn(5, 3)
  local Q, R = il.qr(A)
  local want_Q = il.matrix{
    { -0.34335402, 0.39428955, 0.06962488 }, { -0.7733032, 0.21858531, 0.38166969 },
    { -0.17683779, 0.43264589, -0.85837528 }, { -0.06714894, -0.28837626, -0.08903167 },
    { 0.4983268, 0.72554316, 0.32364466 } }
  local want_R = il.matrix{ { 2.25216282, 0.27458205, -1.05702017 }, { 0, 0.88410912, 0.12972871 },
    { 0, 0, -0.65302678 } }
  lu.assertTrue(maxdiff(Q, want_Q) < 1e-8)
  lu.assertTrue(maxdiff(R, want_R) < 1e-8)
  lu.assertTrue(maxdiff(il.matmul(Q, R), A) < 1e-14)
end

function TestQR.test_shapes_and_outputs()
  for _, s in ipairs{ { 7, 3 }, { 3, 7 }, { 4, 4 }, { 0, 3 }, { 3, 0 } } do
    local A = gen():randn(s[1], s[2])
    local Q, R = il.qr(A)
    local k = math.min(s[1], s[2])
    assert_shape(Q, s[1], k, "Q")
    assert_shape(R, k, s[2], "R")
  end
  local A = gen():randn(6, 4)
  local Q0, R0 = il.zeros(6, 4), il.zeros(4, 4)
  local Q, R = il.qr(A, Q0, R0)
  lu.assertTrue(rawequal(Q, Q0) and rawequal(R, R0))
  lu.assertTrue(maxdiff(il.matmul(Q, R), A) < 1e-14)
end

function TestQR.test_errors()
  assert_error_with({ "matrix expected" }, il.qr, 3)
  assert_error_with({ "finite" }, il.qr, il.matrix{ { 1, 0 / 0 } })
  assert_error_with({ "finite" }, il.qr, il.matrix{ { 1, math.huge } })
  assert_error_with({ "result is 2x2, expected 5x3" }, il.qr, gen():randn(5, 3), il.zeros(2, 2))
  local X = il.zeros(3, 3)
  assert_error_with({ "different matrices" }, il.qr, gen():randn(3, 3), X, X)
end

-- ---- constant initializers ---------------------------------------------------------------------------

TestConstant = {}

function TestConstant.test_zeros_ones_constant()
  lu.assertTrue(init.zeros(3, 4) == il.zeros(3, 4))
  lu.assertTrue(init.ones(3, 4) == il.ones(3, 4))
  lu.assertTrue(init.constant(3, 4, { value = -2.5 }) == il.full(3, 4, -2.5))
  assert_shape(init.zeros(0, 4), 0, 4, "empty zeros")
  -- a new matrix every time
  local a, b = init.zeros(2, 2), init.zeros(2, 2)
  a:set(1, 1, 5)
  lu.assertEquals(b:get(1, 1), 0)
end

function TestConstant.test_eye()
  lu.assertTrue(init.eye(3, 3) == il.eye(3))
  lu.assertTrue(init.eye(2, 4) == il.matrix{ { 1, 0, 0, 0 }, { 0, 1, 0, 0 } })
  lu.assertTrue(init.eye(4, 2) == il.matrix{ { 1, 0 }, { 0, 1 }, { 0, 0 }, { 0, 0 } })
  lu.assertTrue(init.eye(2, 3, { gain = -3 }) == il.matrix{ { -3, 0, 0 }, { 0, -3, 0 } })
end

-- ---- plain distributions -----------------------------------------------------------------------------

TestDistributions = {}

function TestDistributions.test_uniform()
  local W = init.uniform(ROWS, COLS, { generator = gen() })
  assert_within(W, 0, 1, "uniform default")
  assert_moments(W, 0.5, 1 / math.sqrt(12), "uniform default")
  W = init.uniform(ROWS, COLS, { a = -3, b = 5, generator = gen() })
  assert_within(W, -3, 5, "uniform(-3, 5)")
  assert_moments(W, 1, 8 / math.sqrt(12), "uniform(-3, 5)")
end

function TestDistributions.test_normal()
  assert_moments(init.normal(ROWS, COLS, { generator = gen() }), 0, 1, "normal default")
  assert_moments(init.normal(ROWS, COLS, { mean = 2, std = 0.3, generator = gen() }), 2, 0.3, "normal(2, 0.3)")
end

-- PyTorch semantics: a and b are absolute bounds, std is the std before truncation.
function TestDistributions.test_trunc_normal_against_closed_forms()
  local cases = {
    -- {mean, std, a, b, expected mean, expected std}       the branch of the sampler it exercises
    { 0, 1, nil, nil, 0, TRUNCATED_STD },                   -- defaults [-2, 2]: draw and redraw
    { 1, 2, -1, 6, 1.5374996912498426, 1.530442603289127 }, -- wide, asymmetric
    { 0, 1, -0.5, 1, 0.20663121806153306, 0.4156600282520478 }, -- narrow around 0: uniform proposal
    { 0, 1, 3, math.huge, 3.283098654930434, 0.26562979272904685 }, -- tail: exponential proposal
    { 0, 1, 2, 2.3, 2.1340330932731577, 0.0855882709306455 }, -- short tail: uniform proposal
    { 0, 1, -math.huge, -3, -3.283098654930434, 0.26562979272904685 }, -- mirrored tail
    { 0, 1, 8, 9, 8.12118899297975, 0.11894764723670209 },  -- far tail (plain redraws would never end)
    { 5, 0.5, 5, math.huge, 5.398942280401433, 0.30140513749454345 }, -- half-normal
  }
  for i, c in ipairs(cases) do
    local what = ("trunc_normal case %d"):format(i)
    local W = init.trunc_normal(ROWS, COLS, { mean = c[1], std = c[2], a = c[3], b = c[4], generator = gen(i) })
    assert_shape(W, ROWS, COLS, what)
    assert_within(W, c[3] or -2, c[4] or 2, what)
    assert_moments(W, c[5], c[6], what, 0.01 * c[6])
  end
end

function TestDistributions.test_trunc_normal_point_mass()
  lu.assertTrue(init.trunc_normal(2, 3, { mean = 1, std = 0 }) == il.full(2, 3, 1))
end

-- Keras' TruncatedNormal as used by its variance scaling: std / .8796 within +-2 of those stds, so the
-- result has the requested std.
function TestDistributions.test_trunc_normal_keras()
  local W = init.trunc_normal(ROWS, COLS, { mean = 1, std = 0.5, keras = true, generator = gen() })
  local s = 0.5 / TRUNCATED_STD
  assert_within(W, 1 - 2 * s, 1 + 2 * s, "keras trunc_normal")
  assert_moments(W, 1, 0.5, "keras trunc_normal")
  lu.assertTrue(W:max() > 1 + 2 * 0.5, "the bounds are 2 corrected stds, wider than 2 * std")
end

-- ---- sparse and orthogonal ---------------------------------------------------------------------------

TestStructured = {}

local function zeros_per_column(W)
  local counts = {}
  local r, c = W:shape()
  for j = 1, c do
    local n = 0
    for i = 1, r do
      if W:get(i, j) == 0 then n = n + 1 end
    end
    counts[j] = n
  end
  return counts
end

function TestStructured.test_sparse_zero_count_per_column()
  for _, sparsity in ipairs{ 0, 0.1, 1 / 3, 0.999, 1 } do
    local W = init.sparse(ROWS, COLS, { sparsity = sparsity, generator = gen() })
    local want = math.ceil(sparsity * ROWS)
    for j, n in ipairs(zeros_per_column(W)) do
      if n ~= want then lu.fail(("sparsity %g: column %d has %d zeros, expected %d"):format(sparsity, j, n, want)) end
    end
  end
  -- 7 rows, sparsity 0.3: ceil(2.1) = 3 zeros per column
  for _, n in ipairs(zeros_per_column(init.sparse(7, 50, { sparsity = 0.3, generator = gen() }))) do
    lu.assertEquals(n, 3)
  end
end

function TestStructured.test_sparse_values_and_positions()
  local W = init.sparse(ROWS, COLS, { sparsity = 0.2, std = 0.5, generator = gen() })
  -- the non-zeros are N(0, 0.5^2): E[W^2] = 0.8 * 0.25
  assert_moments(W, 0, math.sqrt(0.8 * 0.25), "sparse")
  assert_moments(init.sparse(ROWS, COLS, { sparsity = 0, generator = gen() }), 0, 0.01, "sparse default std")
  -- the zero rows differ from column to column
  local first = {}
  for i = 1, ROWS do first[i] = W:get(i, 1) == 0 end
  local same = true
  for i = 1, ROWS do
    if (W:get(i, 2) == 0) ~= first[i] then same = false end
  end
  lu.assertFalse(same, "each column has its own zero positions")
end

local function assert_orthonormal(W, gain, what)
  local r, c = W:shape()
  local G = r >= c and il.matmul_tn(W, W) or il.matmul_nt(W, W) -- W^T W (tall) or W W^T (wide)
  local k = math.min(r, c)
  local err = maxdiff(G, il.scale(il.eye(k), gain * gain))
  lu.assertTrue(err <= 1e-10 * math.max(1, gain * gain), ("%s: |G - gain^2 I| = %g"):format(what, err))
end

function TestStructured.test_orthogonal_tall_wide_square()
  for _, s in ipairs{ { ROWS, COLS }, { COLS, ROWS }, { 300, 300 }, { 1, 5 }, { 5, 1 }, { 1, 1 } } do
    local W = init.orthogonal(s[1], s[2], { generator = gen() })
    assert_shape(W, s[1], s[2], "orthogonal")
    assert_orthonormal(W, 1, ("orthogonal %dx%d"):format(s[1], s[2]))
  end
  for _, gain in ipairs{ 2, 0.5, -1.5 } do
    local W = init.orthogonal(60, 40, { gain = gain, generator = gen() })
    assert_orthonormal(W, gain, "orthogonal gain " .. gain)
    assert_orthonormal(init.orthogonal(40, 60, { gain = gain, generator = gen() }), gain, "wide, gain " .. gain)
  end
  assert_shape(init.orthogonal(0, 3), 0, 3, "empty orthogonal")
end

-- Q is made unique (Haar-distributed) by multiplying its columns by sign(diag(R)).
function TestStructured.test_orthogonal_sign_correction()
  local A = gen(7):randn(6, 4)
  local Q, R = il.qr(A)
  for j = 1, 4 do
    if R:get(j, j) < 0 then
      for i = 1, 6 do Q:set(i, j, -Q:get(i, j)) end
    end
  end
  lu.assertTrue(init.orthogonal(6, 4, { generator = gen(7) }) == Q)
  -- wide: the QR of the transpose, transposed back
  A = gen(8):randn(4, 6):T()
  Q, R = il.qr(A)
  for j = 1, 4 do
    if R:get(j, j) < 0 then
      for i = 1, 6 do Q:set(i, j, -Q:get(i, j)) end
    end
  end
  lu.assertTrue(init.orthogonal(4, 6, { generator = gen(8) }) == Q:T())
  -- with the correction, W = Q R has R's diagonal positive, so W^T A is upper triangular with a
  -- positive diagonal
  local W = init.orthogonal(6, 4, { generator = gen(9) })
  local Rw = il.matmul_tn(W, gen(9):randn(6, 4))
  for j = 1, 4 do lu.assertTrue(Rw:get(j, j) > 0) end
end

-- ---- variance-preserving schemes ---------------------------------------------------------------------

TestVarianceSchemes = {}

function TestVarianceSchemes.test_xavier()
  local fan_in, fan_out = COLS, ROWS
  for _, gain in ipairs{ 1, init.calculate_gain("tanh") } do
    local bound = gain * math.sqrt(6 / (fan_in + fan_out))
    local W = init.xavier_uniform(ROWS, COLS, { gain = gain, generator = gen() })
    assert_within(W, -bound, bound, "xavier_uniform")
    assert_moments(W, 0, bound / math.sqrt(3), "xavier_uniform")
    local std = gain * math.sqrt(2 / (fan_in + fan_out))
    assert_moments(init.xavier_normal(ROWS, COLS, { gain = gain, generator = gen() }), 0, std, "xavier_normal")
  end
end

function TestVarianceSchemes.test_kaiming()
  local cases = {
    -- opts, gain, fan
    { {}, math.sqrt(2), COLS }, -- PyTorch defaults: a = 0, fan_in, leaky_relu -> sqrt(2)
    { { mode = "fan_out" }, math.sqrt(2), ROWS },
    { { nonlinearity = "relu" }, math.sqrt(2), COLS },
    { { a = 0.2 }, math.sqrt(2 / (1 + 0.2 ^ 2)), COLS },
    { { nonlinearity = "tanh", mode = "fan_out" }, 5 / 3, ROWS },
    { { a = math.sqrt(5) }, math.sqrt(2 / 6), COLS }, -- nn.Linear's default: bound 1 / sqrt(fan_in)
  }
  for i, c in ipairs(cases) do
    local std = c[2] / math.sqrt(c[3])
    local o = { generator = gen(i) }
    for k, v in pairs(c[1]) do o[k] = v end
    local W = init.kaiming_uniform(ROWS, COLS, o)
    local bound = c[2] * math.sqrt(3 / c[3])
    assert_within(W, -bound, bound, "kaiming_uniform case " .. i)
    assert_moments(W, 0, std, "kaiming_uniform case " .. i)
    assert_moments(init.kaiming_normal(ROWS, COLS, o), 0, std, "kaiming_normal case " .. i)
  end
  -- nn.Linear's default bound is exactly 1 / sqrt(fan_in), up to rounding
  local W = init.kaiming_uniform(ROWS, COLS, { a = math.sqrt(5), generator = gen() })
  assert_within(W, -1 / math.sqrt(COLS) * (1 + 1e-15), 1 / math.sqrt(COLS) * (1 + 1e-15), "nn.Linear default")
end

function TestVarianceSchemes.test_lecun()
  local limit = math.sqrt(3 / COLS)
  local W = init.lecun_uniform(ROWS, COLS, { generator = gen() })
  assert_within(W, -limit, limit, "lecun_uniform")
  assert_moments(W, 0, math.sqrt(1 / COLS), "lecun_uniform")
  -- Keras: truncated normal, std sqrt(1 / fan_in) / .8796 within +-2 of it: the final std is sqrt(1 / fan_in)
  local s = math.sqrt(1 / COLS) / TRUNCATED_STD
  W = init.lecun_normal(ROWS, COLS, { generator = gen() })
  assert_within(W, -2 * s, 2 * s, "lecun_normal")
  assert_moments(W, 0, math.sqrt(1 / COLS), "lecun_normal")
end

function TestVarianceSchemes.test_variance_scaling_every_mode_and_distribution()
  local fans = { fan_in = COLS, fan_out = ROWS, fan_avg = (COLS + ROWS) / 2 }
  local i = 0
  for mode, n in pairs(fans) do
    for _, scale in ipairs{ 1, 2.5 } do
      i = i + 1
      local std = math.sqrt(scale / n)
      local o = { scale = scale, mode = mode, generator = gen(i) }
      local what = ("variance_scaling %s scale %g"):format(mode, scale)
      o.distribution = "truncated_normal"
      local W = init.variance_scaling(ROWS, COLS, o)
      assert_within(W, -2 * std / TRUNCATED_STD, 2 * std / TRUNCATED_STD, what .. " truncated")
      assert_moments(W, 0, std, what .. " truncated")
      o.distribution = "untruncated_normal"
      W = init.variance_scaling(ROWS, COLS, o)
      assert_moments(W, 0, std, what .. " untruncated")
      lu.assertTrue(W:max() > 2 * std / TRUNCATED_STD, what .. ": untruncated has values past the cut")
      o.distribution = "uniform"
      W = init.variance_scaling(ROWS, COLS, o)
      assert_within(W, -math.sqrt(3) * std, math.sqrt(3) * std, what .. " uniform")
      assert_moments(W, 0, std, what .. " uniform")
    end
  end
  -- defaults: scale 1, fan_in, truncated_normal
  lu.assertTrue(init.variance_scaling(20, 30, { generator = gen(3) }) ==
    init.variance_scaling(20, 30, { scale = 1, mode = "fan_in", distribution = "truncated_normal", generator = gen(3) }))
  lu.assertTrue(init.variance_scaling(20, 30, { generator = gen(3) }) == init.lecun_normal(20, 30, { generator = gen(3) }))
end

function TestVarianceSchemes.test_keras_named_schemes()
  local avg = (ROWS + COLS) / 2
  local cases = {
    { "glorot_uniform", 1, avg, "uniform" }, { "glorot_normal", 1, avg, "truncated_normal" },
    { "he_uniform", 2, COLS, "uniform" }, { "he_normal", 2, COLS, "truncated_normal" },
  }
  for _, c in ipairs(cases) do
    local std = math.sqrt(c[2] / c[3])
    local W = init[c[1]](ROWS, COLS, { generator = gen() })
    local bound = c[4] == "uniform" and math.sqrt(3) * std or 2 * std / TRUNCATED_STD
    assert_within(W, -bound, bound, c[1])
    assert_moments(W, 0, std, c[1])
  end
  -- glorot_uniform is xavier_uniform with gain 1 (same draws, same bound up to rounding)
  lu.assertTrue(maxdiff(init.glorot_uniform(30, 20, { generator = gen() }),
    init.xavier_uniform(30, 20, { generator = gen() })) < 1e-15)
end

-- ---- the lesson's schemes ----------------------------------------------------------------------------

TestLesson = {}

-- The notebook's initialize_parameters_he([2, 4, 1]) after np.random.seed(3) (its printed output).
function TestLesson.test_he_matches_the_notebook()
  il.random.seed(3)
  local W1, W2 = init.he(4, 2), init.he(1, 4)
  local want1 = il.matrix{ { 1.78862847, 0.43650985 }, { 0.09649747, -1.8634927 }, { -0.2773882, -0.35475898 },
    { -0.08274148, -0.62700068 } }
  local want2 = il.matrix{ { -0.03098412, -0.33744411, -0.92904268, 0.62552248 } }
  lu.assertTrue(maxdiff(W1, want1) < 1e-8)
  lu.assertTrue(maxdiff(W2, want2) < 1e-8)
end

-- Bit for bit: numpy's randn (tests/golden/random.json, seed 3: randn(10, 2), randn(5, 10), randn(1, 5))
-- times the scale, which is what the notebook computes for layers [2, 10, 5, 1].
function TestLesson.test_lesson_schemes_bit_for_bit()
  local case
  for _, c in ipairs(golden.load("random").cases) do
    if c.seed == 3 then case = c end
  end
  lu.assertNotNil(case, "random.json has the seed-3 case")
  local draws = {}
  for k = 1, 3 do draws[k] = il.matrix(case.calls[k].out) end
  local sizes = { 2, 10, 5, 1 }
  for name, factor in pairs{
    he = function(fan_in) return math.sqrt(2 / fan_in) end,
    random = function() return 10 end,
    xavier = function(fan_in) return math.sqrt(1 / fan_in) end,
  } do
    il.random.seed(3)
    for l = 1, 3 do
      local W = init[name](sizes[l + 1], sizes[l])
      lu.assertTrue(W == draws[l] * factor(sizes[l]), ("%s, layer %d"):format(name, l))
    end
  end
end

function TestLesson.test_lesson_scales()
  assert_moments(init.random(ROWS, COLS, { generator = gen() }), 0, 10, "random")
  assert_moments(init.he(ROWS, COLS, { generator = gen() }), 0, math.sqrt(2 / COLS), "he")
  assert_moments(init.xavier(ROWS, COLS, { generator = gen() }), 0, math.sqrt(1 / COLS), "xavier")
end

-- ---- calculate_gain ----------------------------------------------------------------------------------

TestGain = {}

function TestGain.test_table_exactly()
  for _, name in ipairs{ "linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
    "conv_transpose2d", "conv_transpose3d", "sigmoid" } do
    lu.assertEquals(init.calculate_gain(name), 1, name)
  end
  lu.assertEquals(init.calculate_gain("tanh"), 5.0 / 3)
  lu.assertEquals(init.calculate_gain("relu"), math.sqrt(2.0))
  lu.assertEquals(init.calculate_gain("selu"), 3.0 / 4)
  lu.assertEquals(init.calculate_gain("leaky_relu"), math.sqrt(2.0 / (1 + 0.01 ^ 2)))
  lu.assertEquals(init.calculate_gain("leaky_relu", 0.2), math.sqrt(2.0 / (1 + 0.2 ^ 2)))
  lu.assertEquals(init.calculate_gain("leaky_relu", 0), math.sqrt(2.0))
  lu.assertEquals(init.calculate_gain("leaky_relu", 1), 1.0)
  -- PyTorch's printed values, as a cross-check of the table
  lu.assertAlmostEquals(init.calculate_gain("leaky_relu"), 1.4141428569978354, 1e-15)
  lu.assertAlmostEquals(init.calculate_gain("tanh"), 1.6666666666666667, 1e-15)
  -- the param is leaky_relu's alone
  lu.assertEquals(init.calculate_gain("relu", 0.5), math.sqrt(2.0))
end

function TestGain.test_errors()
  assert_error_with({ "unknown nonlinearity 'swish'", "conv2d", "leaky_relu", "relu", "selu", "sigmoid", "tanh" },
    init.calculate_gain, "swish")
  assert_error_with({ "unknown nonlinearity 'nil'" }, init.calculate_gain)
  assert_error_with({ "negative slope", "number", "string" }, init.calculate_gain, "leaky_relu", "0.1")
  assert_error_with({ "negative slope", "boolean" }, init.calculate_gain, "leaky_relu", true)
end

-- ---- get, reproducibility, custom functions ----------------------------------------------------------

TestRegistry = {}

local ALL = { "zeros", "ones", "constant", "uniform", "normal", "trunc_normal", "eye", "sparse", "orthogonal",
  "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform", "lecun_normal",
  "variance_scaling", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "he", "random", "xavier" }
local NEEDS = { constant = { value = 0.5 }, sparse = { sparsity = 0.3 } }

local function opts_for(name, g)
  local o = { generator = g }
  for k, v in pairs(NEEDS[name] or {}) do o[k] = v end
  return o
end

function TestRegistry.test_get_and_names()
  for _, name in ipairs(ALL) do
    lu.assertIs(init.get(name), init[name], name)
  end
  lu.assertEquals(#init.names(), #ALL)
  local f = function(r, c) return il.full(r, c, 7) end
  lu.assertIs(init.get(f), f)
  assert_error_with({ "unknown initializer 'glorot'", "glorot_normal", "kaiming_uniform", "xavier" }, init.get, "glorot")
  assert_error_with({ "unknown initializer", "number" }, init.get, 3)
  assert_error_with({ "unknown initializer 'lsuv'" }, init.get, "lsuv") -- not a (rows, cols) initializer
end

function TestRegistry.test_reproducible_with_a_generator_and_the_global_seed()
  for _, name in ipairs(ALL) do
    local a = init[name](30, 20, opts_for(name, gen(11)))
    local b = init[name](30, 20, opts_for(name, gen(11)))
    assert_shape(a, 30, 20, name)
    lu.assertTrue(a == b, name .. ": same generator seed, same matrix")
    il.random.seed(11)
    local c = init[name](30, 20, NEEDS[name])
    il.random.seed(11)
    local d = init[name](30, 20, NEEDS[name])
    lu.assertTrue(c == d, name .. ": same global seed, same matrix")
    lu.assertTrue(a == c, name .. ": the global stream is a generator like any other")
  end
end

function TestRegistry.test_a_generator_leaves_the_global_stream_alone()
  il.random.seed(5)
  local expected = il.random.generator(5):randn()
  init.orthogonal(10, 10, { generator = gen() })
  init.he(10, 10, { generator = gen() })
  init.lecun_normal(10, 10, { generator = gen() })
  lu.assertEquals(il.random.randn(), expected)
end

function TestRegistry.test_network_initialize_by_name_and_function()
  local net = il.network.new{ sizes = { 3, 5, 1 }, activations = { "relu", "sigmoid" } }
  net:initialize("he", { generator = gen(3) })
  lu.assertTrue(net.layers[1].W == init.he(5, 3, { generator = gen(3) }))
  net:initialize(function(r, c) return il.full(r, c, 0.25) end)
  lu.assertTrue(net.layers[2].W == il.full(1, 5, 0.25))
  net:initialize(init.get("orthogonal"), { gain = 2 })
  assert_orthonormal(net.layers[1].W, 2, "network orthogonal")
end

-- ---- errors ------------------------------------------------------------------------------------------

TestErrors = {}

function TestErrors.test_unknown_mode_nonlinearity_distribution()
  assert_error_with({ "kaiming_uniform", "unknown mode 'fan_avg'", "fan_in, fan_out" },
    init.kaiming_uniform, 4, 3, { mode = "fan_avg" })
  assert_error_with({ "kaiming_normal", "unknown nonlinearity 'swish'", "relu" },
    init.kaiming_normal, 4, 3, { nonlinearity = "swish" })
  assert_error_with({ "kaiming_normal", "nonlinearity", "string" }, init.kaiming_normal, 4, 3, { nonlinearity = 1 })
  assert_error_with({ "variance_scaling", "unknown mode 'fan'", "fan_avg" }, init.variance_scaling, 4, 3, { mode = "fan" })
  assert_error_with({ "unknown distribution 'normal'", "truncated_normal, untruncated_normal, uniform" },
    init.variance_scaling, 4, 3, { distribution = "normal" })
  assert_error_with({ "scale", "positive" }, init.variance_scaling, 4, 3, { scale = 0 })
end

function TestErrors.test_zero_fans()
  for _, c in ipairs{
    { "he", 4, 0, "fan_in is 0" }, { "xavier", 4, 0, "fan_in is 0" }, { "lecun_uniform", 4, 0, "fan_in is 0" },
    { "kaiming_uniform", 4, 0, "fan_in is 0" }, { "xavier_uniform", 0, 0, "fan_avg is 0" },
    { "xavier_normal", 0, 0, "fan_avg is 0" }, { "he_normal", 3, 0, "fan_in is 0" },
  } do
    assert_error_with({ c[1], c[4], ("%dx%d"):format(c[2], c[3]) }, init[c[1]], c[2], c[3])
  end
  assert_error_with({ "kaiming_normal", "fan_out is 0" }, init.kaiming_normal, 0, 3, { mode = "fan_out" })
  assert_error_with({ "variance_scaling", "fan_out is 0" }, init.variance_scaling, 0, 3, { mode = "fan_out" })
  -- a fan that is not divided by may be 0: an empty matrix
  assert_shape(init.kaiming_uniform(0, 3), 0, 3, "kaiming_uniform 0x3 with fan_in 3")
  assert_shape(init.xavier_uniform(0, 3), 0, 3, "xavier_uniform 0x3")
end

function TestErrors.test_bad_option_types_name_the_option()
  assert_error_with({ "xavier_uniform", "option 'gain'", "number", "string" }, init.xavier_uniform, 4, 3, { gain = "x" })
  assert_error_with({ "option 'gain'", "nan" }, init.orthogonal, 4, 3, { gain = 0 / 0 })
  assert_error_with({ "option 'gain'", "negative" }, init.xavier_normal, 4, 3, { gain = -1 })
  assert_error_with({ "option 'a'", "number" }, init.kaiming_uniform, 4, 3, { a = {} })
  assert_error_with({ "option 'std'", "negative" }, init.normal, 4, 3, { std = -1 })
  assert_error_with({ "option 'mean'", "inf" }, init.normal, 4, 3, { mean = math.huge })
  assert_error_with({ "option 'value' is required" }, init.constant, 4, 3)
  assert_error_with({ "option 'value'", "boolean" }, init.constant, 4, 3, { value = true })
  assert_error_with({ "option 'sparsity' is required" }, init.sparse, 4, 3)
  assert_error_with({ "option 'sparsity'", "[0, 1]" }, init.sparse, 4, 3, { sparsity = 1.5 })
  assert_error_with({ "a <= b" }, init.uniform, 4, 3, { a = 2, b = 1 })
  assert_error_with({ "a < b" }, init.trunc_normal, 4, 3, { a = 1, b = 1 })
  assert_error_with({ "option 'b'", "number" }, init.trunc_normal, 4, 3, { b = "2" })
  assert_error_with({ "option 'keras'", "boolean" }, init.trunc_normal, 4, 3, { keras = 1 })
  assert_error_with({ "keras = true", "drop a and b" }, init.trunc_normal, 4, 3, { keras = true, a = -1 })
  assert_error_with({ "std is 0", "outside" }, init.trunc_normal, 4, 3, { mean = 5, std = 0 })
  assert_error_with({ "option 'generator'", "il.random.generator", "table" }, init.he, 4, 3, { generator = {} })
  assert_error_with({ "opts must be a table", "number" }, init.he, 4, 3, 5)
  assert_error_with({ "unknown option 'std'", "gain, generator" }, init.xavier_uniform, 4, 3, { std = 1 })
  assert_error_with({ "unknown option 'gain'", "expected generator" }, init.he, 4, 3, { gain = 2 })
end

function TestErrors.test_bad_shapes()
  assert_error_with({ "he", "rows must be a non-negative integer", "-1" }, init.he, -1, 3)
  assert_error_with({ "cols must be a non-negative integer", "2.5" }, init.zeros, 3, 2.5)
  assert_error_with({ "rows must be a non-negative integer", "nil" }, init.orthogonal)
  assert_error_with({ "cols must be a non-negative integer", "3" }, init.normal, 3, "3")
  assert_shape(init.normal(2.0, 3.0), 2, 3, "integral floats are sizes")
end

-- ---- LSUV --------------------------------------------------------------------------------------------

TestLSUV = {}

local function deep_relu_net(depth, width, n_x)
  local sizes = { n_x }
  for l = 1, depth - 1 do sizes[l + 1] = width end
  sizes[depth + 1] = 1
  return il.network.new{ sizes = sizes, activations = "relu", output = "sigmoid" }
end

-- 30 layers, width 50, 300 random inputs: every hidden layer's pre-activation std ends within 1 +- 0.1.
function TestLSUV.test_deep_relu_net_gets_unit_variance()
  local net = deep_relu_net(30, 50, 10)
  local X = gen(1):randn(10, 300)
  local report = init.lsuv(net, X, { generator = gen(2) })
  lu.assertEquals(#report, 30, "every layer, the output layer included as in the paper")
  net:forward(X)
  for l = 1, 29 do
    local std = net.current[l].Z:std()
    lu.assertTrue(math.abs(std - 1) <= 0.1, ("layer %d: std %g"):format(l, std))
    local r = report[l]
    lu.assertEquals(r.layer, l)
    lu.assertTrue(r.converged)
    lu.assertTrue(r.iterations >= 1 and r.iterations <= 10)
    lu.assertAlmostEquals(r.std_after, std, 1e-12)
    -- biases are 0 and W is a scaled orthogonal matrix: W^T W = c^2 I (layer 1 is 50 x 10, tall)
    lu.assertTrue(net.layers[l].b == il.zeros(50, 1))
    local W = net.layers[l].W
    local G = il.matmul_tn(W, W)
    local c2 = G:get(1, 1)
    lu.assertTrue(maxdiff(G, il.scale(il.eye(G:rows()), c2)) < 1e-10 * c2, "layer " .. l .. " stays orthogonal")
  end
  -- Without LSUV, orthogonal weights and ReLUs halve the variance at every layer: the deep Z vanish.
  net:initialize("orthogonal", { generator = gen(2) })
  net:forward(X)
  lu.assertTrue(net.current[29].Z:std() < 0.01)
  -- The output layer is scaled too, as in the paper.
  lu.assertEquals(#report, 30)
end

function TestLSUV.test_include_output_tol_and_max_iter()
  local net = deep_relu_net(4, 20, 5)
  local X = gen(1):randn(5, 200)
  local report = init.lsuv(net, X, { include_output = true, tol = 0.01, generator = gen() })
  lu.assertEquals(#report, 4)
  net:forward(X)
  for l = 1, 4 do
    lu.assertTrue(math.abs(net.current[l].Z:var() - 1) <= 0.01, "layer " .. l)
  end
  -- tol is honoured: a layer already within tol is not touched
  report = init.lsuv(net, X, { tol = 1e6, generator = gen() })
  for l = 1, 3 do lu.assertEquals(report[l].iterations, 0) end
  lu.assertEquals(report[1].std_before, report[1].std_after)
  -- include_output = false leaves the output layer orthogonal
  report = init.lsuv(net, X, { include_output = false, generator = gen() })
  lu.assertEquals(#report, 3)
  -- reproducible with the generator
  local a = deep_relu_net(3, 8, 5)
  local b = deep_relu_net(3, 8, 5)
  init.lsuv(a, X, { generator = gen(4) })
  init.lsuv(b, X, { generator = gen(4) })
  for l = 1, 3 do lu.assertTrue(a.layers[l].W == b.layers[l].W) end
end

function TestLSUV.test_dead_layer_and_bad_arguments()
  local net = deep_relu_net(3, 8, 5)
  assert_error_with({ "lsuv", "layer 1", "variance 0", "dead layer" }, init.lsuv, net, il.zeros(5, 10))
  assert_error_with({ "lsuv", "net must be a network" }, init.lsuv, {}, il.zeros(5, 10))
  assert_error_with({ "lsuv", "X must be a matrix" }, init.lsuv, net, {})
  assert_error_with({ "option 'tol'", "positive" }, init.lsuv, net, gen():randn(5, 10), { tol = 0 })
  assert_error_with({ "option 'max_iter'", "positive integer" }, init.lsuv, net, gen():randn(5, 10), { max_iter = 0.5 })
  assert_error_with({ "option 'include_output'", "boolean" }, init.lsuv, net, gen():randn(5, 10), { include_output = 1 })
  assert_error_with({ "unknown option 'iters'" }, init.lsuv, net, gen():randn(5, 10), { iters = 3 })
end

os.exit(lu.LuaUnit.run())
