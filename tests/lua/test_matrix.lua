-- test_matrix.lua: the matrix userdata as a Lua user meets it: construction, elements, operators,
-- broadcasting, products, reductions, the optional result argument, and clear errors for bad input.
package.path = "tests/lua/?.lua;" .. package.path
local lu = require "luaunit"
local support = require "support"
local il = require "initlab"
local golden = require "golden"

local assert_error_like = support.assert_error_like

local function assert_matrix(m, rows)
  local r, c = m:shape()
  lu.assertEquals(r, #rows)
  lu.assertEquals(m:totable(), rows)
  if r > 0 then lu.assertEquals(c, #rows[1]) end
end

TestConstruction = {}
function TestConstruction.test_forms()
  assert_matrix(il.matrix(2, 3), {{0, 0, 0}, {0, 0, 0}})
  assert_matrix(il.matrix(2, 2, 7), {{7, 7}, {7, 7}})
  assert_matrix(il.matrix{{1, 2}, {3, 4}}, {{1, 2}, {3, 4}})
  assert_matrix(il.matrix{1, 2, 3}, {{1, 2, 3}})
  assert_matrix(il.zeros(1, 2), {{0, 0}})
  assert_matrix(il.ones(2, 1), {{1}, {1}})
  assert_matrix(il.full(1, 2, -3.5), {{-3.5, -3.5}})
  assert_matrix(il.eye(2, 3), {{1, 0, 0}, {0, 1, 0}})
  local r, c = il.zeros(0, 5):shape()
  lu.assertEquals({r, c}, {0, 5})
  lu.assertTrue(il.ismatrix(il.zeros(1, 1)))
  lu.assertFalse(il.ismatrix({}))
  lu.assertEquals(#il.zeros(3, 4), 12)
  local a = il.matrix{{1, 2}}
  local b = il.matrix(a)
  b:set(1, 1, 9)
  lu.assertEquals(a:get(1, 1), 1) -- il.matrix(m) copies
end

function TestConstruction.test_bad_sizes_are_refused_before_allocating()
  assert_error_like("rows must be a non-negative integer", il.zeros, -1, 2)
  assert_error_like("cols must be a non-negative integer", il.zeros, 2, 1.5)
  assert_error_like("too large", il.zeros, 1e18, 1)
  assert_error_like("too large", il.zeros, 2^31 - 1, 2^31 - 1)
  assert_error_like("non-negative integer, got string", il.ones, "3", 2)
  assert_error_like("cols must be a non-negative integer, got no value", il.matrix, 3)
  assert_error_like("non-negative integer", il.zeros, 0 / 0, 1)
  assert_error_like("non-negative integer", il.zeros, math.huge, 1)
end

function TestConstruction.test_bad_tables()
  assert_error_like("row 2 has 1 values, expected 2", il.matrix, {{1, 2}, {3}})
  assert_error_like("element [1][2] is a string, expected a number", il.matrix, {{1, "x"}})
  assert_error_like("element [2] is a boolean", il.matrix, {1, true})
  assert_error_like("row 2 is a number", il.matrix, {{1}, 2})
  assert_error_like("expected (rows, cols [, fill])", il.matrix, "2x2")
end

TestElements = {}
function TestElements.test_get_set_and_range_errors()
  local m = il.zeros(2, 3)
  m:set(2, 3, 5)
  lu.assertEquals(m:get(2, 3), 5)
  assert_error_like("row index 3 out of range for a 2x3 matrix", m.get, m, 3, 1)
  assert_error_like("column index 0 out of range", m.set, m, 1, 0, 1)
  assert_error_like("number has no integer representation", m.get, m, 1.5, 1)
  assert_error_like("number expected, got string", m.set, m, 1, 1, "one")
end

function TestElements.test_wrong_self_type_is_a_clear_error()
  local m = il.zeros(1, 1)
  assert_error_like("matrix expected, got string", m.get, "m", 1, 1)
  assert_error_like("matrix expected, got table", il.matmul, {}, m)
  assert_error_like("matrix expected, got no value", il.exp)
  local g = il.random.generator(1) -- a userdata of another type
  assert_error_like("matrix expected, got initlab.generator", il.sum, g)
end

function TestElements.test_reshape_slice_map_transpose()
  local m = il.matrix{{1, 2, 3}, {4, 5, 6}}
  assert_matrix(m:T(), {{1, 4}, {2, 5}, {3, 6}})
  assert_matrix(m:reshape(3, 2), {{1, 2}, {3, 4}, {5, 6}})
  assert_error_like("cannot reshape 2x3", m.reshape, m, 4, 2)
  assert_matrix(m:slice(2, 2, 2, 3), {{5, 6}})
  assert_error_like("out of range", m.slice, m, 1, 3)
  assert_matrix(m:map(function(x, i, j) return x * 10 + i + j end), {{12, 23, 34}, {43, 54, 65}})
  assert_error_like("returned a nil", m.map, m, function() end)
end

TestArithmetic = {}
function TestArithmetic.test_operators_and_broadcasting()
  local a = il.matrix{{1, 2, 3}, {4, 5, 6}}
  assert_matrix(a + 1, {{2, 3, 4}, {5, 6, 7}})
  assert_matrix(10 - a, {{9, 8, 7}, {6, 5, 4}})
  assert_matrix(a * a, {{1, 4, 9}, {16, 25, 36}})
  assert_matrix(a / 2, {{0.5, 1, 1.5}, {2, 2.5, 3}})
  assert_matrix(-a, {{-1, -2, -3}, {-4, -5, -6}})
  assert_matrix(a ^ 2, {{1, 4, 9}, {16, 25, 36}})
  assert_matrix(a + il.matrix{{10}, {20}}, {{11, 12, 13}, {24, 25, 26}}) -- m x 1 column
  assert_matrix(a - il.matrix{{1, 2, 3}}, {{0, 0, 0}, {3, 3, 3}})      -- 1 x n row
  assert_matrix(il.matrix{{1}, {2}} * il.matrix{{1, 2, 3}}, {{1, 2, 3}, {2, 4, 6}})
  lu.assertTrue(a + 0 == a)
  lu.assertFalse(a == a:T())
end

function TestArithmetic.test_shape_and_type_errors()
  local a, b = il.zeros(2, 3), il.zeros(3, 2)
  assert_error_like("add: shapes 2x3 and 3x2 do not broadcast", function() return a + b end)
  assert_error_like("operand 2 is a string, expected a matrix or a number", function() return a + "1" end)
  assert_error_like("operand 1 is a string", function() return "1" * a end)
  assert_error_like("operand 2 is a table", function() return a - {} end)
  assert_error_like("matmul: shapes 2x3 and 2x3 do not align", il.matmul, a, il.zeros(2, 3))
  assert_error_like("at least one operand must be a matrix", il.add, 1, 2)
end

function TestArithmetic.test_nan_and_inf_flow_as_in_numpy()
  local m = il.matrix{{0, -1, 1}}
  local l = m:log()
  lu.assertEquals(l:get(1, 1), -math.huge)
  lu.assertTrue(l:get(1, 2) ~= l:get(1, 2)) -- NaN
  local d = il.matrix{{1}} / 0
  lu.assertEquals(d:get(1, 1), math.huge)
  local n = il.matrix{{0 / 0, 2}}
  lu.assertTrue(n:max() ~= n:max()) -- NaN propagates through max
  lu.assertEquals(n:nansum(), 2)
  lu.assertEquals(tostring(il.matrix{{0 / 0, -math.huge, 1.5}}), "[[ nan -inf  1.5]]")
end

TestProducts = {}
function TestProducts.test_matmul_variants()
  local A = il.matrix{{1, 2}, {3, 4}, {5, 6}} -- 3x2
  local B = il.matrix{{1, 0, 2}, {0, 1, 3}}   -- 2x3
  assert_matrix(il.matmul(A, B), {{1, 2, 8}, {3, 4, 18}, {5, 6, 28}})
  assert_matrix(A:matmul(B), {{1, 2, 8}, {3, 4, 18}, {5, 6, 28}})
  assert_matrix(il.matmul_tn(A, A), {{35, 44}, {44, 56}})            -- A^T A
  assert_matrix(il.matmul_nt(B, B), {{5, 6}, {6, 10}})               -- B B^T
  local C = il.ones(3, 3)
  il.gemm(C, A, B, false, false, 2, 1)                                 -- C = 2AB + C
  assert_matrix(C, {{3, 5, 17}, {7, 9, 37}, {11, 13, 57}})
  assert_error_like("matmul_tn: shapes 3x2 (transposed) and 2x3 do not align", il.matmul_tn, A, B)
  assert_error_like("gemm:", il.gemm, il.zeros(2, 2), A, B)
end

function TestProducts.test_large_products_match_small_kernel()
  -- 80x90 times 90x70 goes to CBLAS; compare with the transpose identity (AB)^T = B^T A^T
  local A, B = il.random.generator(7):randn(80, 90), il.random.generator(8):randn(90, 70)
  local AB = il.matmul(A, B)
  local BtAt = il.matmul(B:T(), A:T())
  lu.assertTrue((AB:T() - BtAt):abs():max() < 1e-12)
  local r, c = AB:shape()
  lu.assertEquals({r, c}, {80, 70})
end

TestResultArgument = {}
function TestResultArgument.test_out_is_written_and_returned()
  local a, b = il.matrix{{1, 2}}, il.matrix{{3, 4}}
  local out = il.zeros(1, 2)
  lu.assertTrue(rawequal(il.add(a, b, out), out))
  assert_matrix(out, {{4, 6}})
  lu.assertTrue(rawequal(il.exp(a, out), out))
  lu.assertTrue(rawequal(il.scale(a, 2, out), out))
  assert_matrix(out, {{2, 4}})
  lu.assertTrue(rawequal(il.copy(b, out), out))
  lu.assertTrue(rawequal(il.axpy(out, -1, b), out))
  assert_matrix(out, {{0, 0}})
  local s = il.zeros(2, 1)
  lu.assertTrue(rawequal(il.rowsum(il.matrix{{1, 2}, {3, 4}}, s), s))
  assert_matrix(s, {{3}, {7}})
  local prod = il.zeros(2, 2)
  lu.assertTrue(rawequal(il.matmul_tn(a, a, prod), prod))
  assert_error_like("result is 1x1, expected 1x2", il.add, a, b, il.zeros(1, 1))
  assert_error_like("matrix (the result) or nil expected", il.add, a, b, {})
  assert_error_like("must not be one of the operands", il.matmul, prod, prod, prod)
end

function TestResultArgument.test_in_place_updates()
  local w = il.matrix{{1, 2}}
  il.sub(w, il.matrix{{0.5, 0.5}}, w)
  assert_matrix(w, {{0.5, 1.5}})
  w:fill(3)
  assert_matrix(w, {{3, 3}})
end

TestReductions = {}
function TestReductions.test_sum_mean_min_max()
  local m = il.matrix{{1, 5, 3}, {4, 2, 6}}
  lu.assertEquals(m:sum(), 21)
  lu.assertEquals(m:mean(), 3.5)
  lu.assertEquals(m:min(), 1)
  lu.assertEquals(m:max(), 6)
  lu.assertEquals(m:argmax(), 6)
  lu.assertTrue(math.type(m:argmax()) == "integer")
  assert_matrix(m:sum(1), {{5, 7, 9}})
  assert_matrix(m:sum(2), {{9}, {12}})
  assert_matrix(m:colsum(), {{5, 7, 9}})
  assert_matrix(m:rowmean(), {{3}, {4}})
  assert_matrix(m:argmax(1), {{2, 1, 2}})
  assert_matrix(m:max(2), {{5}, {6}})
  lu.assertAlmostEquals(m:std(), math.sqrt(17.5 / 6), 1e-15)
  lu.assertAlmostEquals(m:norm(), math.sqrt(91), 1e-15)
  assert_error_like("dimension must be 1", m.sum, m, 3)
  assert_error_like("max: the matrix is empty", il.max, il.zeros(0, 2))
end

function TestReductions.test_pairwise_sum_matches_numpy()
  -- numpy's np.sum of this row is 1.0000000000000002e16 + 256 (pairwise), not the sequential value
  local row = il.zeros(1, 300)
  for j = 1, 300 do row:set(1, j, (j - 1) % 7 == 0 and 1e16 or 1.0) end
  local seq = 0
  for j = 1, 300 do seq = seq + row:get(1, j) end
  lu.assertNotEquals(row:sum(), seq)
end

TestPrinting = {}
function TestPrinting.test_tostring_like_numpy()
  local W = il.matrix{{1.78862847, 0.43650985}, {0.09649747, -1.8634927}, {-0.2773882, -0.35475898},
    {-0.08274148, -0.62700068}}
  lu.assertEquals(tostring(W), "[[ 1.78862847  0.43650985]\n [ 0.09649747 -1.8634927 ]\n" ..
    " [-0.2773882  -0.35475898]\n [-0.08274148 -0.62700068]]")
  lu.assertEquals(tostring(il.zeros(2, 1)), "[[0.]\n [0.]]")
  lu.assertEquals(tostring(il.matrix{{17.88628473, 4.36509851, 0.96497468}, {-18.63492703, -2.77388203, -3.54758979}}),
    "[[ 17.88628473   4.36509851   0.96497468]\n [-18.63492703  -2.77388203  -3.54758979]]")
end

function TestPrinting.test_wrapping_and_summarizing()
  for _, case in ipairs(golden.load("format").cases) do
    lu.assertEquals(tostring(il.matrix(case.matrix)), case.str, case.name)
  end
end

TestMemory = {}
function TestMemory.test_temporaries_are_collected()
  local a = il.ones(10, 10)
  collectgarbage("collect")
  local before = collectgarbage("count")
  for _ = 1, 100000 do local _ = a + 1 end
  collectgarbage("collect")
  local after = collectgarbage("count")
  lu.assertTrue(after - before < 1024, ("memory grew by %.0f KB"):format(after - before))
end

function TestMemory.test_collector_sees_matrix_data()
  collectgarbage("collect")
  local before = collectgarbage("count")
  local big = il.zeros(1000, 1000) -- 8 MB inside the userdata
  local grown = collectgarbage("count") - before
  lu.assertTrue(grown > 7800, ("the collector saw only %.0f KB"):format(grown))
  big = nil
end

os.exit(lu.LuaUnit.run())
