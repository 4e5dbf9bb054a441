-- test_layers.lua: the layers and losses as a Lua user meets them: values, the optional `out` argument
-- (written into, returned, nothing allocated), error messages that name the function and the shapes,
-- and NaN / inf flowing through as in numpy. (Gradients are checked in test_gradcheck.lua.)
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"

local assert_error_like = support.assert_error_like

local function is_nan(v) return v ~= v end

-- Inputs every case below can share: Z has both signs, P holds probabilities.
local Z = il.matrix{{-2, -0.5, 0.25}, {0.5, 3, -1}}
local P = il.matrix{{0.2, 0.9, 0.5}, {0.7, 0.1, 0.4}}
local Y = il.matrix{{0, 1, 1}, {1, 0, 0}}
local D = il.matrix{{1, -2, 3}, {0.5, 4, -1}} -- an upstream gradient

-- Every function that returns a matrix, with arguments that give a 2 x 3 result.
local CASES = {
  {"relu", {Z}}, {"relu_backward", {D, Z}},
  {"leaky_relu", {Z, 0.1}}, {"leaky_relu_backward", {D, Z, 0.1}},
  {"sigmoid", {Z}}, {"sigmoid_backward", {D, P}},
  {"tanh", {Z}}, {"tanh_backward", {D, P}},
  {"softmax", {Z}}, {"softmax_backward", {D, P}},
  {"bce_backward", {P, Y}}, {"bce_logits_backward", {Z, Y}}, {"mse_backward", {P, Y}},
  {"softmax_ce_backward", {Z, Y}}, {"sigmoid_bce_backward", {P, Y}},
  {"linear", {il.matrix{{1, 2}, {3, 4}}, il.matrix{{1, 0, -1}, {2, 1, 0}}, il.matrix{{0.5}, {-1}}}},
}

local function call(name, args, out)
  local all = {table.unpack(args)}
  if out then all[#all + 1] = out end
  return il[name](table.unpack(all))
end

TestValues = {}

function TestValues.test_linear()
  local W, A, b = il.matrix{{1, 2, 3}, {-1, 0, 2}}, il.matrix{{1, 0}, {2, 1}, {-1, 3}}, il.matrix{{0.5}, {-1}}
  lu.assertEquals(il.linear(W, A, b):totable(), {{2.5, 11.5}, {-4, 5}})
  local dW, db, dA = il.linear_backward(il.matrix{{1, 2}, {-1, 3}}, A, W)
  lu.assertEquals(dW:totable(), {{1, 4, 5}, {-1, 1, 10}})
  lu.assertEquals(db:totable(), {{3}, {2}})
  lu.assertEquals(dA:totable(), {{2, -1}, {2, 4}, {1, 12}})
end

function TestValues.test_activations()
  lu.assertEquals(il.relu(Z):totable(), {{0, 0, 0.25}, {0.5, 3, 0}})
  lu.assertEquals(il.relu_backward(D, Z):totable(), {{0, 0, 3}, {0.5, 4, 0}})
  lu.assertEquals(il.leaky_relu(Z):get(1, 1), -0.02) -- the default slope is 0.01
  lu.assertEquals(il.leaky_relu_backward(D, Z):get(1, 2), -0.02)
  lu.assertEquals(il.leaky_relu(Z, 0.5):get(2, 3), -0.5)
  lu.assertEquals(il.sigmoid(il.matrix{{0}}):get(1, 1), 0.5)
  lu.assertEquals(il.sigmoid_backward(il.matrix{{4}}, il.matrix{{0.5}}):get(1, 1), 1)
  lu.assertAlmostEquals(il.tanh(Z):get(2, 2), 0.99505475368673045, 1e-15) -- tanh(3)
  lu.assertAlmostEquals(il.tanh_backward(il.matrix{{2}}, il.matrix{{0.5}}):get(1, 1), 1.5, 1e-15)
  local S = il.softmax(il.matrix{{0, 1000}, {math.log(3), 1000}})
  lu.assertAlmostEquals(S:get(1, 1), 0.25, 1e-15)
  lu.assertAlmostEquals(S:get(2, 1), 0.75, 1e-15)
  lu.assertEquals(S:get(1, 2), 0.5) -- large logits do not overflow
end

function TestValues.test_losses()
  lu.assertAlmostEquals(il.bce(il.matrix{{0.5, 0.25}}, il.matrix{{1, 0}}), (math.log(2) - math.log(0.75)) / 2, 1e-15)
  lu.assertEquals(il.mse(il.matrix{{1, 2}, {3, 4}}, il.matrix{{1, 0}, {3, 1}}), 3.25)
  lu.assertAlmostEquals(il.softmax_ce(il.matrix{{0}, {0}}, il.matrix{{1}, {0}}), math.log(2), 1e-15)
  lu.assertEquals(il.sigmoid_bce_backward(il.matrix{{0.5, 0.25}}, il.matrix{{1, 0}}):totable(), {{-0.25, 0.125}})
  -- the stable loss equals the lesson's where the lesson's is finite
  local z, t = il.matrix{{-1.5, 0.3, 2}}, il.matrix{{0, 1, 1}}
  lu.assertAlmostEquals(il.bce_logits(z, t), il.bce(il.sigmoid(z), t), 1e-15)
end

TestOut = {}

-- With `out`, the result is written into it and the very same object comes back.
function TestOut.test_out_is_written_and_returned()
  for _, case in ipairs(CASES) do
    local name, args = case[1], case[2]
    local expected = call(name, args)
    local out = il.full(2, 3, 12345)
    local got = call(name, args, out)
    lu.assertTrue(rawequal(got, out), name .. " returns its out argument")
    lu.assertEquals(out:totable(), expected:totable(), name .. " writes its result into out")
  end
end

function TestOut.test_out_after_default_slope()
  local out = il.zeros(2, 3)
  lu.assertTrue(rawequal(il.leaky_relu(Z, nil, out), out))
  lu.assertEquals(out:totable(), il.leaky_relu(Z):totable())
  lu.assertTrue(rawequal(il.leaky_relu_backward(D, Z, nil, out), out))
end

function TestOut.test_in_place()
  local X = il.copy(Z)
  lu.assertTrue(rawequal(il.relu(X, X), X))
  lu.assertEquals(X:totable(), il.relu(Z):totable())
end

function TestOut.test_linear_backward_outputs()
  local dZ, A, W = il.matrix{{1, 2}, {-1, 3}}, il.matrix{{1, 0}, {2, 1}, {-1, 3}}, il.matrix{{1, 2, 3}, {-1, 0, 2}}
  local dW, db, dA = il.zeros(2, 3), il.zeros(2, 1), il.zeros(3, 2)
  local r1, r2, r3 = il.linear_backward(dZ, A, W, dW, db, dA)
  lu.assertTrue(rawequal(r1, dW) and rawequal(r2, db) and rawequal(r3, dA))
  lu.assertEquals(dA:totable(), {{2, -1}, {2, 4}, {1, 12}})
  -- dA = false skips it: two results; only dW given: db is new
  lu.assertEquals(select("#", il.linear_backward(dZ, A, W, dW, db, false)), 2)
  local s1, s2 = il.linear_backward(dZ, A, W, dW)
  lu.assertTrue(rawequal(s1, dW))
  lu.assertEquals(s2:totable(), {{3}, {2}})
end

-- A training step that passes its buffers allocates nothing.
function TestOut.test_no_allocation_with_out()
  local W, A, b = il.matrix{{1, 2}, {3, 4}}, il.matrix{{1, 0, -1}, {2, 1, 0}}, il.matrix{{0.5}, {-1}}
  local Zb, Ab, dA, dZ, dW, db = il.zeros(2, 3), il.zeros(2, 3), il.zeros(2, 3), il.zeros(2, 3), il.zeros(2, 2), il.zeros(2, 1)
  local function step()
    il.linear(W, A, b, Zb)
    il.sigmoid(Zb, Ab)
    local _ = il.bce(Ab, Y)
    il.bce_backward(Ab, Y, dA)
    il.sigmoid_backward(dA, Ab, dZ)
    il.linear_backward(dZ, A, W, dW, db, false)
  end
  step() -- warm up (the Lua stack may grow once)
  collectgarbage("stop")
  local before = collectgarbage("count")
  for _ = 1, 200 do step() end
  local grown_kb = collectgarbage("count") - before
  collectgarbage("restart")
  lu.assertTrue(grown_kb < 1, string.format("200 steps allocated %.1f KB", grown_kb))
end

TestErrors = {}

function TestErrors.test_linear_shapes()
  local W, b = il.zeros(3, 2), il.zeros(3, 1)
  assert_error_like("linear: W is 3x2 but A is 3x300 (W's columns must equal A's rows)", il.linear, W, il.zeros(3, 300), b)
  assert_error_like("linear: b is 1x3 but W is 3x2", il.linear, W, il.zeros(2, 5), il.zeros(1, 3))
  assert_error_like("result is 2x5, expected 3x5", il.linear, W, il.zeros(2, 5), b, il.zeros(2, 5))
  local A = il.zeros(2, 2)
  assert_error_like("linear: the output Z must be a matrix of its own", il.linear, il.zeros(2, 2), A, il.zeros(2, 1), A)
end

function TestErrors.test_linear_backward_shapes()
  local W, A = il.zeros(3, 2), il.zeros(2, 5)
  assert_error_like("linear_backward: dZ is 3x4 but A is 2x5", il.linear_backward, il.zeros(3, 4), A, W)
  assert_error_like("linear_backward: W is 3x2 but dZ is 4x5 (W's rows must equal dZ's rows)",
    il.linear_backward, il.zeros(4, 5), A, W)
  assert_error_like("linear_backward: W is 3x2 but A is 4x5", il.linear_backward, il.zeros(3, 5), il.zeros(4, 5), W)
  local dZ = il.zeros(3, 5)
  assert_error_like("must be distinct", il.linear_backward, dZ, A, W, nil, nil, A)
end

function TestErrors.test_shape_mismatch_names_function_and_shapes()
  assert_error_like("relu_backward: shapes 2x3 and 3x2 do not match", il.relu_backward, il.zeros(2, 3), il.zeros(3, 2))
  assert_error_like("sigmoid_backward: shapes 2x3 and 2x2 do not match", il.sigmoid_backward, il.zeros(2, 3), il.zeros(2, 2))
  assert_error_like("leaky_relu_backward: shapes 1x3 and 3x1", il.leaky_relu_backward, il.zeros(1, 3), il.zeros(3, 1))
  assert_error_like("bce: shapes 1x3 and 1x4 do not match", il.bce, il.zeros(1, 3), il.zeros(1, 4))
  assert_error_like("softmax_ce_backward: shapes 3x2 and 2x3", il.softmax_ce_backward, il.zeros(3, 2), il.zeros(2, 3))
  assert_error_like("mse: A is 0x0: there are no examples", il.mse, il.zeros(0, 0), il.zeros(0, 0))
  assert_error_like("result is 3x2, expected 2x3", il.relu, il.zeros(2, 3), il.zeros(3, 2))
end

function TestErrors.test_wrong_types()
  assert_error_like("matrix expected, got string", il.relu, "Z")
  assert_error_like("matrix expected, got table", il.sigmoid, {{1, 2}})
  assert_error_like("matrix expected, got initlab.generator", il.tanh, il.random.generator(1))
  assert_error_like("matrix expected, got no value", il.bce, il.zeros(1, 2))
  assert_error_like("number expected, got string", il.leaky_relu, Z, "steep")
  assert_error_like("bad argument #2", il.relu, Z, "out")
  assert_error_like("bad argument #6", il.linear_backward, il.zeros(3, 5), il.zeros(2, 5), il.zeros(3, 2), nil, nil, true)
end

TestSpecialValues = {}

function TestSpecialValues.test_nan_and_inf_flow()
  local X = il.matrix{{0 / 0, math.huge, -math.huge}}
  local r = il.relu(X)
  lu.assertTrue(is_nan(r:get(1, 1)))
  lu.assertEquals(r:get(1, 2), math.huge)
  lu.assertEquals(r:get(1, 3), 0)
  lu.assertTrue(is_nan(il.leaky_relu(X):get(1, 1)))
  lu.assertEquals(il.leaky_relu(X):get(1, 3), -math.huge)
  local s = il.sigmoid(X)
  lu.assertTrue(is_nan(s:get(1, 1)))
  lu.assertEquals({s:get(1, 2), s:get(1, 3)}, {1, 0})
  lu.assertEquals(il.tanh(X):get(1, 2), 1)
  -- a column holding +inf has no finite softmax: NaN, as numpy's exp(z - max) gives
  lu.assertTrue(is_nan(il.softmax(il.matrix{{math.huge}, {1}}):get(2, 1)))
  -- the unstabilised sigmoid gives exactly 0 and 1 for large inputs, as in the lesson
  lu.assertEquals(il.sigmoid(il.matrix{{-800, 40}}):totable(), {{0, 1}})
end

function TestSpecialValues.test_bce_nansum()
  -- a = 0 with y = 1: an infinite term, the cost is inf (the lesson's "Cost after iteration 0: inf")
  lu.assertEquals(il.bce(il.matrix{{0, 0.5}}, il.matrix{{1, 1}}), math.huge)
  -- a = 0 with y = 0 and a = 1 with y = 1: 0 * inf is NaN, and nansum skips it
  lu.assertAlmostEquals(il.bce(il.matrix{{0, 1, 0.5}}, il.matrix{{0, 1, 1}}), math.log(2) / 3, 1e-15)
  -- the stable loss stays finite where the lesson's is inf
  local z, y = il.matrix{{-800, 800}}, il.matrix{{1, 0}}
  lu.assertEquals(il.bce(il.sigmoid(z), y), math.huge)
  lu.assertEquals(il.bce_logits(z, y), 800)
end

os.exit(lu.LuaUnit.run())
