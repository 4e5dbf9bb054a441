-- test_random.lua: il.random against numpy's legacy RandomState, bit for bit.
-- The golden numbers are tests/golden/random.json (made by tests/golden/gen_golden.py with numpy); the few
-- values written here were printed by numpy 1.24 with the Python line shown beside them. Every
-- comparison is exact (==): numpy's legacy stream is exactly reproducible.
local lu = require "luaunit"
local il = require "initlab"
local cjson = require "cjson"

local random = il.random

-- ---- helpers -----------------------------------------------------------------------------------------

local function read_golden(path)
    local f = assert(io.open(path, "r"))
    local text = f:read("a")
    f:close()
    return cjson.decode(text)
end

local golden = read_golden("tests/golden/random.json")

-- The golden files write non-finite numbers as strings.
local function num(v)
    if v == "nan" then return 0 / 0 end
    if v == "inf" then return math.huge end
    if v == "-inf" then return -math.huge end
    assert(type(v) == "number", "golden value is not a number: " .. tostring(v))
    return v
end

local function same(a, b) return a == b or (a ~= a and b ~= b) end

local function fmt(x) return string.format("%.17g", x) end

local function assert_matrix(m, want, what)
    lu.assertTrue(il.ismatrix(m), what .. ": a matrix")
    local rows, cols = m:shape()
    lu.assertEquals(rows, #want, what .. ": rows")
    local got = m:totable()
    for i = 1, #want do
        lu.assertEquals(cols, #want[i], what .. ": cols")
        for j = 1, #want[i] do
            if not same(got[i][j], num(want[i][j])) then
                lu.fail(string.format("%s [%d][%d]: got %s, want %s", what, i, j, fmt(got[i][j]),
                                      fmt(num(want[i][j]))))
            end
        end
    end
end

local function assert_list(got, want, what)
    lu.assertEquals(#got, #want, what .. ": length")
    for i = 1, #want do
        if not same(got[i], want[i]) then
            lu.fail(string.format("%s [%d]: got %s, want %s", what, i, tostring(got[i]), tostring(want[i])))
        end
    end
end

local function range0(n) -- {0, 1, ..., n-1}: numpy's list(range(n))
    local t = {}
    for i = 1, n do t[i] = i - 1 end
    return t
end

local function plus_one(t)
    local r = {}
    for i, v in ipairs(t) do r[i] = v + 1 end
    return r
end

local function column(t) -- a #t x 1 matrix holding t
    local m = il.zeros(#t, 1)
    for i, v in ipairs(t) do m:set(i, 1, v) end
    return m
end

local function column_values(m)
    local t = {}
    for i = 1, m:rows() do t[i] = m:get(i, 1) end
    return t
end

-- ---- the golden stream, four ways --------------------------------------------------------------------
-- "global":  il.random.seed(S) then il.random.fn(rows, cols)
-- "method":  g = il.random.generator(S) then g:fn(rows, cols)
-- "inplace": g:fn(m) on a preallocated matrix; shuffle on the rows of an n x 1 matrix
-- "scalar":  1 x 1 draws as one Lua number (g:randn()); shuffle as g:permutation(n) - 1

local function replay(mode, case)
    local g
    if mode == "global" then
        random.seed(case.seed)
    else
        g = random.generator(case.seed)
    end
    local function call(name, ...)
        if mode == "global" then return random[name](...) end
        return g[name](g, ...)
    end
    for k, c in ipairs(case.calls) do
        local what = string.format("%s seed %d call %d (%s)", mode, case.seed, k, c.fn)
        if c.fn == "shuffle" then
            if mode == "inplace" then
                local m = column(range0(c.n))
                lu.assertTrue(rawequal(call("shuffle", m), m), what .. ": returns its matrix")
                assert_list(column_values(m), c.out, what)
            elseif mode == "scalar" then
                assert_list(call("permutation", c.n), plus_one(c.out), what .. " as permutation")
            else
                local t = range0(c.n)
                lu.assertTrue(rawequal(call("shuffle", t), t), what .. ": returns its table")
                assert_list(t, c.out, what)
            end
        else
            local args = {}
            if c.fn == "normal" then args = {c.loc, c.scale} end
            if mode == "scalar" and c.rows == 1 and c.cols == 1 then
                local x = call(c.fn, table.unpack(args))
                lu.assertEquals(math.type(x), "float", what)
                if not same(x, num(c.out[1][1])) then
                    lu.fail(string.format("%s: got %s, want %s", what, fmt(x), fmt(num(c.out[1][1]))))
                end
            elseif mode == "inplace" then
                local m = il.full(c.rows, c.cols, 0 / 0) -- NaN everywhere: every element must be written
                args[#args + 1] = m
                lu.assertTrue(rawequal(call(c.fn, table.unpack(args)), m), what .. ": returns its matrix")
                assert_matrix(m, c.out, what)
            else
                args[#args + 1] = c.rows
                args[#args + 1] = c.cols
                assert_matrix(call(c.fn, table.unpack(args)), c.out, what)
            end
        end
    end
end

TestGolden = {}

function TestGolden:test_file_has_cases()
    lu.assertTrue(#golden.cases >= 7)
end

function TestGolden:test_global_stream()
    for _, case in ipairs(golden.cases) do replay("global", case) end
end

function TestGolden:test_generator_methods()
    for _, case in ipairs(golden.cases) do replay("method", case) end
end

function TestGolden:test_fill_in_place()
    for _, case in ipairs(golden.cases) do replay("inplace", case) end
end

function TestGolden:test_scalar_draws_and_permutation()
    for _, case in ipairs(golden.cases) do replay("scalar", case) end
end

function TestGolden:test_checks()
    local n = 0
    for name, want in pairs(golden.checks) do
        local seed = tonumber(name:match("^randn_after_seed_(%d+)$"))
        lu.assertNotNil(seed, "unknown check " .. name)
        random.seed(seed)
        lu.assertEquals(random.randn(), num(want), name)
        lu.assertEquals(random.generator(seed):randn(), num(want), name .. " (generator)")
        n = n + 1
    end
    lu.assertTrue(n >= 2)
    -- the spec's own check values
    random.seed(0)
    lu.assertEquals(random.randn(), 1.764052345967664)
    random.seed(3)
    lu.assertEquals(random.randn(), 1.7886284734303186)
end

-- ---- draws the golden file does not cover, checked against numpy's printed values --------------------

TestDraws = {}

function TestDraws:test_uniform()
    -- np.random.RandomState(2).uniform(-1.0, 3.0, size=(2, 3))
    local want = {{0x1.7ceae52f618a0p-1, -0x1.cae730118689cp-1, 0x1.32dab8794f3c8p+0},
                  {0x1.7b8a4e7c18844p-1, 0x1.5ce9cb520ead0p-1, 0x1.490d2a4f11030p-2}}
    assert_matrix(random.generator(2):uniform(-1.0, 3.0, 2, 3), want, "uniform(-1, 3, 2, 3)")
    random.seed(2)
    assert_matrix(random.uniform(-1.0, 3.0, 2, 3), want, "il.random.uniform")
    local m = il.zeros(2, 3)
    lu.assertTrue(rawequal(random.generator(2):uniform(-1.0, 3.0, m), m))
    assert_matrix(m, want, "uniform in place")
    -- r = RandomState(2); r.uniform(-1.0, 3.0), r.uniform()
    local g = random.generator(2)
    lu.assertEquals(g:uniform(-1.0, 3.0), 0x1.7ceae52f618a0p-1)
    lu.assertEquals(g:uniform(), 0x1.a8c67f73cbb20p-6)
    -- uniform(low, high) is low + (high - low) * rand, exactly
    local a, b = random.generator(77), random.generator(77)
    for _ = 1, 20 do lu.assertEquals(a:uniform(-2.5, 4.0), -2.5 + 6.5 * b:rand()) end
end

function TestDraws:test_normal_defaults()
    local a, b = random.generator(5), random.generator(5)
    lu.assertEquals(a:normal(), b:randn())
    lu.assertEquals(a:normal(nil, nil), b:randn())
    lu.assertEquals(a:normal(2.0), 2.0 + b:randn())
    assert_matrix(a:normal(nil, nil, 2, 2), b:randn(2, 2):totable(), "normal(nil, nil, 2, 2)")
    -- scale 0 still consumes the stream, as in numpy
    a:normal(1.5, 0.0, 1, 3)
    b:randn(1, 3)
    lu.assertEquals(a:randn(), b:randn())
end

function TestDraws:test_randint()
    -- RandomState(8).randint(-5, 5, size=6)
    local g = random.generator(8)
    local got = {}
    for i = 1, 6 do got[i] = g:randint(-5, 5) end
    assert_list(got, {-2, -1, -4, 4, 0, 3}, "randint(-5, 5)")
    -- r = RandomState(10); [r.randint(7) for _ in range(6)]
    g = random.generator(10)
    for i = 1, 6 do got[i] = g:randint(7) end
    assert_list(got, {1, 5, 4, 0, 1, 3}, "randint(7)")
    lu.assertEquals(math.type(got[1]), "integer")
    -- r = RandomState(9); [r.randint(-2**63, 2**63 - 1) for _ in range(3)]
    g = random.generator(9)
    for i = 1, 3 do got[i] = g:randint(math.mininteger, math.maxinteger) end
    assert_list({got[1], got[2], got[3]}, {-9032002594820763300, 34580184003183093, -77968886344034248},
                "randint(-2^63, 2^63 - 1)")
    -- r = RandomState(11); [r.randint(0, 2**40 + 1) for _ in range(3)]: two words per draw
    g = random.generator(11)
    for i = 1, 3 do got[i] = g:randint(0, (1 << 40) + 1) end
    assert_list({got[1], got[2], got[3]}, {346452335707, 691941458503, 472001189468}, "randint(0, 2^40 + 1)")
    -- randint(3, 4) is 3 and draws nothing
    local a, b = random.generator(12), random.generator(12)
    lu.assertEquals(a:randint(3, 4), 3)
    lu.assertEquals(a:randint(3.0, 4.0), 3)
    lu.assertEquals(a:rand(), b:rand())
    random.seed(8)
    lu.assertEquals(random.randint(-5, 5), -2)
end

function TestDraws:test_permutation()
    -- RandomState(0).permutation(10) + 1
    lu.assertEquals(random.generator(0):permutation(10), {3, 9, 5, 10, 2, 7, 8, 4, 1, 6})
    random.seed(0)
    lu.assertEquals(random.permutation(10), {3, 9, 5, 10, 2, 7, 8, 4, 1, 6})
    -- n = 0 and 1 draw nothing
    local a, b = random.generator(1), random.generator(1)
    lu.assertEquals(a:permutation(0), {})
    lu.assertEquals(a:permutation(1), {1})
    lu.assertEquals(a:randn(), b:randn())
end

function TestDraws:test_shuffle_edge_cases()
    local a, b = random.generator(1), random.generator(1)
    local empty, one = {}, {"x"}
    lu.assertTrue(rawequal(a:shuffle(empty), empty))
    lu.assertEquals(empty, {})
    a:shuffle(one)
    lu.assertEquals(one, {"x"})
    a:shuffle(il.zeros(0, 3))
    a:shuffle(il.zeros(1, 3))
    lu.assertEquals(a:randn(), b:randn(), "shuffles of 0 or 1 items draw nothing")
    -- any values move, not just numbers: the permutation is the one of permutation(n)
    local t = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
    random.generator(0):shuffle(t)
    local p = random.generator(0):permutation(10)
    for i = 1, 10 do lu.assertEquals(t[i], string.char(string.byte("a") + p[i] - 1)) end
end

function TestDraws:test_shuffle_matrix_rows()
    -- a = np.arange(12.).reshape(4, 3); RandomState(4).shuffle(a)
    local m = il.matrix({{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}})
    lu.assertTrue(rawequal(random.generator(4):shuffle(m), m))
    assert_matrix(m, {{0, 1, 2}, {3, 4, 5}, {9, 10, 11}, {6, 7, 8}}, "shuffle rows")
end

function TestDraws:test_empty_fills()
    local a, b = random.generator(6), random.generator(6)
    local m = a:randn(0, 4)
    lu.assertEquals({m:shape()}, {0, 4})
    a:rand(3, 0)
    a:normal(0, 1, il.zeros(0, 0))
    a:uniform(0, 1, 0, 0)
    lu.assertEquals(a:randn(), b:randn(), "empty fills draw nothing")
end

function TestDraws:test_large_fill()
    -- a long stream crosses many MT blocks; the same seed gives the same numbers in place or not
    local a, b = random.generator(2024), random.generator(2024)
    local m = a:randn(1000, 1000)
    local n = il.zeros(1000, 1000)
    b:randn(n)
    lu.assertTrue(m == n)
    lu.assertEquals(a:randn(), b:randn())
    -- the distribution is standard normal: mean ~ 0, variance ~ 1 (1e6 draws)
    lu.assertAlmostEquals(m:mean(), 0.0, 0.005)
    lu.assertAlmostEquals((m * m):mean(), 1.0, 0.005)
end

-- ---- generators: independence, clone, the global stream ----------------------------------------------

TestGenerators = {}

function TestGenerators:test_independent_generators()
    local g1, g2 = random.generator(7), random.generator(7)
    local first = g2:clone():randn(1, 5):totable()[1]
    -- g1 draws an odd number of normals (leaving one cached) and more; g2 is not affected
    g1:randn(3, 3)
    g1:rand(2, 2)
    g1:shuffle(range0(50))
    local again = g2:randn(1, 5):totable()[1]
    assert_list(again, first, "g2 after g1 drew")
    lu.assertNotEquals(g1:randn(), again[1])
end

function TestGenerators:test_global_stream_unaffected_by_generators()
    random.seed(7)
    local want = random.randn(1, 4):totable()[1]
    random.seed(7)
    local got = {random.randn()} -- leaves the pair's second value cached in the global stream
    local g = random.generator(7)
    g:randn(1, 3)
    g:seed(123)
    g:permutation(20)
    got[2] = random.randn()
    got[3] = random.randn()
    local rest = random.randn(1, 1)
    got[4] = rest:get(1, 1)
    assert_list(got, want, "global stream between generator draws")
end

function TestGenerators:test_generators_unaffected_by_global_stream()
    local g = random.generator(8)
    local want = g:clone():rand(1, 3):totable()[1]
    local got = {g:rand()}
    random.seed(8)
    random.rand(5, 5)
    random.shuffle(range0(30))
    got[2] = g:rand()
    random.seed(9)
    got[3] = g:rand()
    assert_list(got, want, "generator between global draws")
end

function TestGenerators:test_clone()
    local g = random.generator(5)
    g:randn(1, 3) -- odd: one normal cached, which the clone must carry
    local c = g:clone()
    lu.assertFalse(rawequal(c, g))
    lu.assertEquals(tostring(c):match("%((.*)%)"), tostring(g):match("%((.*)%)"))
    lu.assertNotEquals(tostring(c), tostring(g)) -- a different object
    assert_matrix(c:randn(2, 3), g:randn(2, 3):totable(), "clone follows the original")
    -- after the copy they are independent
    local g2 = g:clone()
    c:rand(4, 4)
    c:seed(1)
    assert_matrix(g:randn(1, 5), g2:randn(1, 5):totable(), "original unaffected by its clone")
    -- cloning the global stream leaves the global stream alone
    random.seed(11)
    local snapshot = random.global:clone()
    snapshot:randn(10, 10)
    assert_matrix(random.randn(1, 3), random.generator(11):randn(1, 3):totable(), "global after clone")
end

function TestGenerators:test_global_object()
    lu.assertTrue(rawequal(random.global, random.stream()))
    lu.assertEquals(getmetatable(random.global), getmetatable(random.generator(1)))
    random.global:seed(3)
    lu.assertEquals(random.randn(), 1.7886284734303186)
    random.seed(0)
    lu.assertEquals(random.global:randn(), 1.764052345967664)
    lu.assertStrContains(tostring(random.global), "initlab.generator")
end

function TestGenerators:test_seed_accepts_integral_floats_and_the_extremes()
    random.seed(3.0)
    lu.assertEquals(random.randn(), 1.7886284734303186)
    lu.assertEquals(random.generator(3.0):randn(), 1.7886284734303186)
    local top = random.generator(4294967295):rand()
    lu.assertEquals(random.generator(2 ^ 32 - 1):rand(), top)
    random.seed(4294967295)
    lu.assertEquals(random.rand(), top)
    random.generator(0)
end

function TestGenerators:test_seeding_restarts_and_clears_the_cached_normal()
    local g = random.generator(0)
    g:randn() -- caches the second of the pair
    g:seed(0)
    lu.assertEquals(g:randn(), 1.764052345967664)
end

function TestGenerators:test_tostring()
    local g = random.generator(42)
    local s = tostring(g)
    lu.assertStrContains(s, "initlab.generator")
    lu.assertStrContains(s, "seeded with 42")
    g:randn()
    lu.assertStrContains(tostring(g), "normal cached")
end

-- Before any seed, the global stream is seeded with il.random.DEFAULT_SEED (documented choice):
-- checked in a fresh interpreter, since this one has drawn already.
function TestGenerators:test_default_seed_of_a_fresh_state()
    lu.assertEquals(random.DEFAULT_SEED, 5489)
    local build = os.getenv("INITLAB_BUILD_DIR")
    if not build then lu.skip("INITLAB_BUILD_DIR not set: run through ctest") end
    local cmd = string.format("%q -e %q", build .. "/initlab",
                              'io.write(string.format("%.17g", require("initlab").random.randn()))')
    local p = assert(io.popen(cmd))
    local out = p:read("a")
    p:close()
    lu.assertEquals(tonumber(out), random.generator(5489):randn())
end

-- ---- errors ------------------------------------------------------------------------------------------

TestErrors = {}

local SEED_MSG = "seed must be an integer from 0 to 2^32 - 1 = 4294967295"

function TestErrors:test_bad_seeds()
    local g = random.generator(1)
    local bad = {3.5, -1, 2 ^ 32, 4294967296, "3", {}, true, math.huge, -math.huge, 0 / 0, 1e300,
                 math.mininteger}
    for _, s in ipairs(bad) do
        lu.assertErrorMsgContains(SEED_MSG, random.seed, s)
        lu.assertErrorMsgContains(SEED_MSG, random.generator, s)
        lu.assertErrorMsgContains(SEED_MSG, g.seed, g, s)
    end
    lu.assertErrorMsgContains(SEED_MSG .. ", got nil", random.seed, nil)
    lu.assertErrorMsgContains(SEED_MSG .. ", got no value", random.seed)
    lu.assertErrorMsgContains(SEED_MSG .. ", got no value", random.generator)
    lu.assertErrorMsgContains(SEED_MSG .. ", got 3.5", random.seed, 3.5)
    lu.assertErrorMsgContains(SEED_MSG .. ", got -1", random.seed, -1)
    lu.assertErrorMsgContains(SEED_MSG .. ", got 4294967296", random.seed, 4294967296)
    lu.assertErrorMsgContains(SEED_MSG .. ", got string", random.seed, "3")
end

function TestErrors:test_a_failed_seed_changes_nothing()
    local g = random.generator(5)
    local want = g:clone():randn(1, 2):totable()[1]
    local got = {g:randn()}
    pcall(g.seed, g, -1)
    pcall(g.seed, g, 0.5)
    got[2] = g:randn()
    assert_list(got, want, "stream after failed seeds")
end

function TestErrors:test_bad_sizes()
    local g = random.generator(1)
    for _, name in ipairs({"randn", "rand"}) do
        local f = g[name]
        lu.assertErrorMsgContains("rows must be a non-negative integer, got -1", f, g, -1, 2)
        lu.assertErrorMsgContains("cols must be a non-negative integer, got -3", f, g, 2, -3)
        lu.assertErrorMsgContains("rows must be a non-negative integer, got 2.5", f, g, 2.5, 2)
        lu.assertErrorMsgContains("rows must be a non-negative integer, got string", f, g, "a", 2)
        lu.assertErrorMsgContains("rows must be a non-negative integer, got nil", f, g, nil, 2)
        lu.assertErrorMsgContains("cols must be a non-negative integer, got no value", f, g, 2)
        lu.assertErrorMsgContains("matrices have two dimensions", f, g, 2, 3, 4)
        lu.assertErrorMsgContains("nothing expected after the matrix to fill", f, g, il.zeros(2, 2), 1)
        lu.assertErrorMsgContains("too large", f, g, 2 ^ 40, 1)
        lu.assertErrorMsgContains("rows must be a non-negative integer", random[name], -1, 2)
    end
    lu.assertErrorMsgContains("rows must be a non-negative integer, got -1", g.normal, g, 0, 1, -1, 2)
    lu.assertErrorMsgContains("cols must be a non-negative integer", g.uniform, g, 0, 1, 2, 0.5)
    lu.assertErrorMsgContains("n must be a non-negative integer, got -1", g.permutation, g, -1)
    lu.assertErrorMsgContains("n must be a non-negative integer, got 1.5", g.permutation, g, 1.5)
    lu.assertErrorMsgContains("n must be a non-negative integer, got no value", random.permutation)
end

function TestErrors:test_bad_parameters()
    local g = random.generator(1)
    lu.assertErrorMsgContains("scale must not be negative", g.normal, g, 0, -1)
    lu.assertErrorMsgContains("scale must not be negative", g.normal, g, 0, -0.0, 2, 2)
    lu.assertErrorMsgContains("scale must not be negative", random.normal, 0, -2, il.zeros(1, 1))
    lu.assertErrorMsgContains("number expected, got string", g.normal, g, "x")
    lu.assertErrorMsgContains("number expected, got initlab.matrix", g.normal, g, il.zeros(2, 2))
    lu.assertErrorMsgContains("high - low must be finite", g.uniform, g, 0, math.huge)
    lu.assertErrorMsgContains("high - low must be finite", g.uniform, g, -1e308, 1e308, 2, 2)
    lu.assertErrorMsgContains("high - low must be finite", random.uniform, 0 / 0, 1)
    lu.assertErrorMsgContains("high must be greater than low, got low 3 and high 3", g.randint, g, 3, 3)
    lu.assertErrorMsgContains("high must be greater than low, got low 0 and high -2", g.randint, g, -2)
    lu.assertErrorMsgContains("low must be an integer, got 1.5", g.randint, g, 1.5, 3)
    lu.assertErrorMsgContains("high must be an integer, got string", random.randint, 1, "3")
    lu.assertErrorMsgContains("high must be an integer, got no value", random.randint)
    lu.assertErrorMsgContains("randint draws one integer", g.randint, g, 1, 3, 2)
    lu.assertErrorMsgContains("table or matrix expected, got string", g.shuffle, g, "abc")
    lu.assertErrorMsgContains("table or matrix expected, got no value", random.shuffle)
    -- a refused draw leaves the stream where it was
    local a, b = random.generator(4), random.generator(4)
    pcall(a.normal, a, 0, -1, 3, 3)
    pcall(a.uniform, a, 0, math.huge, 3, 3)
    pcall(a.randint, a, 5, 5)
    lu.assertEquals(a:randn(), b:randn())
end

function TestErrors:test_wrong_self()
    local g = random.generator(1)
    local m = il.zeros(2, 2)
    for _, name in ipairs({"seed", "randn", "rand", "normal", "uniform", "shuffle", "permutation", "randint",
                           "clone"}) do
        lu.assertErrorMsgContains("initlab.generator expected, got initlab.matrix", g[name], m, 1, 1)
        lu.assertErrorMsgContains("initlab.generator expected, got table", g[name], {}, 1)
        lu.assertErrorMsgContains("initlab.generator expected, got no value", g[name])
    end
    lu.assertErrorMsgContains("initlab.generator expected", getmetatable(g).__tostring, m)
end

os.exit(lu.LuaUnit.run())
