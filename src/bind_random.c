/* bind_random.c: il.random, numpy's legacy random stream for Lua.
 *
 *   il.random.seed(s)                         like np.random.seed(s): s an integer in [0, 2^32 - 1]
 *   il.random.randn(r, c) / .rand(r, c)       a new r x c matrix, filled row by row (C order)
 *   il.random.normal(loc, scale, r, c)        loc + scale * randn; uniform(low, high, r, c) likewise
 *   il.random.randn(m)                        fills the matrix m in place and returns it (no allocation)
 *   il.random.randn()                         one Lua number, like np.random.randn()
 *   il.random.shuffle(t)                      permutes t[1..#t] in place (numpy's index i is t[i+1]);
 *                                             shuffle(m) permutes the rows of a matrix, like numpy on 2-D
 *   il.random.permutation(n)                  {1..n} permuted: numpy's permutation(n) + 1
 *   il.random.randint(low, high)              an integer in [low, high), numpy's randint; randint(high): [0, high)
 *   il.random.generator(seed)                 an independent stream with all of the above as methods,
 *                                             plus g:clone() (a copy of its current state)
 *   il.random.global, il.random.stream()      the generator behind the il.random functions
 *
 * The global stream belongs to the lua_State (kept in its registry), never to a C static, so two
 * interpreters never share draws. Before any seed it is seeded with il.random.DEFAULT_SEED = 5489, the
 * MT19937 reference seed: unseeded runs are reproducible (numpy would seed from OS entropy instead). */
#include <stdint.h>
#include "binding.h"
#include "random.h"

#define GENERATOR_TYPE "initlab.generator"
#define GLOBAL_STREAM_KEY "initlab.random.global" /* registry field holding the global generator */

typedef struct Generator {
    Rng rng;
    lua_Integer seed; /* the last seed, for tostring */
} Generator;

static Generator *check_generator(lua_State *L, int idx)
{
    return (Generator *)luaL_checkudata(L, idx, GENERATOR_TYPE);
}

static Generator *push_generator(lua_State *L, lua_Integer seed)
{
    Generator *g = (Generator *)lua_newuserdatauv(L, sizeof(Generator), 0);
    luaL_setmetatable(L, GENERATOR_TYPE);
    rng_seed(&g->rng, (uint32_t)seed);
    g->seed = seed;
    return g;
}

/* ---- argument checks ---- */

/* A Lua number with an integral value (3 or 3.0; not 3.5, "3" or nil). `range` completes the message. */
static lua_Integer check_integer(lua_State *L, int arg, const char *what, const char *range)
{
    int exact = 0;
    lua_Integer v = 0;
    if (lua_type(L, arg) == LUA_TNUMBER)
        v = lua_tointegerx(L, arg, &exact);
    if (!exact) {
        if (lua_type(L, arg) == LUA_TNUMBER)
            lua_pushfstring(L, "%f", (LUAI_UACNUMBER)lua_tonumber(L, arg));
        else
            lua_pushstring(L, luaL_typename(L, arg));
        luaL_argerror(L, arg, lua_pushfstring(L, "%s must be an integer%s, got %s", what, range,
                                              lua_tostring(L, -1)));
    }
    return v;
}

#define SEED_RANGE " from 0 to 2^32 - 1 = 4294967295"

static lua_Integer check_seed(lua_State *L, int arg)
{
    lua_Integer s = check_integer(L, arg, "seed", SEED_RANGE);
    if (s < 0 || s > (lua_Integer)UINT32_MAX)
        luaL_argerror(L, arg, lua_pushfstring(L, "seed must be an integer" SEED_RANGE ", got %I",
                                              (LUAI_UACINT)s));
    return s;
}

/* The shape arguments at arg and arg + 1 of a fill function:
 *   (r, c)  pushes a new r x c matrix and returns it;
 *   (m)     pushes the matrix m (filled in place) and returns it;
 *   ()      pushes nothing and returns NULL: the caller draws one number. */
static Matrix *push_target(lua_State *L, int arg)
{
    Matrix *m = il_tomatrix(L, arg);
    if (m) {
        luaL_argcheck(L, lua_isnone(L, arg + 1), arg + 1,
                      "nothing expected after the matrix to fill");
        lua_pushvalue(L, arg);
        return m;
    }
    if (lua_gettop(L) < arg)
        return NULL;
    size_t rows = il_checksize(L, arg, "rows");
    size_t cols = il_checksize(L, arg + 1, "cols");
    luaL_argcheck(L, lua_isnone(L, arg + 2), arg + 2,
                  "matrices have two dimensions: expected (rows, cols) or a matrix to fill");
    return il_newmatrix(L, rows, cols);
}

/* ---- the draws: each takes the generator and the index of its first argument, so methods (self at 1)
 * and the il.random functions (global stream as upvalue) share one implementation and the same
 * argument numbers in error messages. ---- */

static int draw_seed(lua_State *L, Generator *g, int arg)
{
    lua_Integer s = check_seed(L, arg);
    rng_seed(&g->rng, (uint32_t)s);
    g->seed = s;
    return 0;
}

static int draw_randn(lua_State *L, Generator *g, int arg)
{
    Matrix *m = push_target(L, arg);
    if (!m)
        lua_pushnumber(L, rng_gauss(&g->rng));
    else
        il_check_status(L, rng_randn(&g->rng, m), "randn", m, NULL);
    return 1;
}

static int draw_rand(lua_State *L, Generator *g, int arg)
{
    Matrix *m = push_target(L, arg);
    if (!m)
        lua_pushnumber(L, rng_double(&g->rng));
    else
        il_check_status(L, rng_rand(&g->rng, m), "rand", m, NULL);
    return 1;
}

static int draw_normal(lua_State *L, Generator *g, int arg)
{
    double loc = luaL_optnumber(L, arg, 0.0);
    double scale = luaL_optnumber(L, arg + 1, 1.0);
    luaL_argcheck(L, rng_normal_scale_ok(scale), arg + 1,
                  lua_pushfstring(L, "scale must not be negative (numpy refuses -0.0 too), got %f",
                                  (LUAI_UACNUMBER)scale));
    Matrix *m = push_target(L, arg + 2);
    if (!m) {
        double scaled = scale * rng_gauss(&g->rng); /* apart from the addition, as in random.c */
        lua_pushnumber(L, loc + scaled);
    } else {
        il_check_status(L, rng_normal(&g->rng, m, loc, scale), "normal", m, NULL);
    }
    return 1;
}

static int draw_uniform(lua_State *L, Generator *g, int arg)
{
    double low = luaL_optnumber(L, arg, 0.0);
    double high = luaL_optnumber(L, arg + 1, 1.0);
    if (!rng_uniform_range_ok(low, high))
        luaL_argerror(L, arg + 1,
                      lua_pushfstring(L, "high - low must be finite, got low %f and high %f",
                                      (LUAI_UACNUMBER)low, (LUAI_UACNUMBER)high));
    Matrix *m = push_target(L, arg + 2);
    if (!m) {
        double scaled = (high - low) * rng_double(&g->rng);
        lua_pushnumber(L, low + scaled);
    } else {
        il_check_status(L, rng_uniform(&g->rng, m, low, high), "uniform", m, NULL);
    }
    return 1;
}

/* Fisher-Yates from the end with numpy's draws; t[i+1] is numpy's x[i]. Returns its argument. */
static int draw_shuffle(lua_State *L, Generator *g, int arg)
{
    Matrix *m = il_tomatrix(L, arg);
    if (m) {
        rng_shuffle_rows(&g->rng, m);
        lua_pushvalue(L, arg);
        return 1;
    }
    luaL_argexpected(L, lua_type(L, arg) == LUA_TTABLE, arg, "table or matrix");
    lua_Integer n = luaL_len(L, arg);
    for (lua_Integer i = n - 1; i >= 1; i--) {
        lua_Integer j = (lua_Integer)rng_interval(&g->rng, (uint64_t)i);
        if (j == i)
            continue;
        lua_geti(L, arg, i + 1);
        lua_geti(L, arg, j + 1);
        lua_seti(L, arg, i + 1); /* t[i+1] = old t[j+1] */
        lua_seti(L, arg, j + 1); /* t[j+1] = old t[i+1] */
    }
    lua_pushvalue(L, arg);
    return 1;
}

/* The permutation is made in a scratch buffer (plain C swaps), then copied into the Lua array once. */
static int draw_permutation(lua_State *L, Generator *g, int arg)
{
    size_t n = il_checksize(L, arg, "n");
    luaL_argcheck(L, n <= (size_t)INT32_MAX, arg, "too many items for a Lua array");
    size_t *items = (size_t *)lua_newuserdatauv(L, n * sizeof(size_t), 0); /* freed by the collector */
    rng_permutation(&g->rng, items, n);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)items[i] + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* randint(low, high): [low, high); randint(high): [0, high), as numpy. */
static int draw_randint(lua_State *L, Generator *g, int arg)
{
    lua_Integer low = 0, high;
    int high_arg = arg;
    luaL_argcheck(L, lua_gettop(L) <= arg + 1, arg + 2,
                  "randint draws one integer: expected (low, high) or (high)");
    if (lua_isnoneornil(L, arg + 1)) {
        high = check_integer(L, arg, "high", "");
    } else {
        low = check_integer(L, arg, "low", "");
        high = check_integer(L, arg + 1, "high", "");
        high_arg = arg + 1;
    }
    if (low >= high)
        luaL_argerror(L, high_arg, lua_pushfstring(L, "high must be greater than low, got low %I and high %I",
                                                   (LUAI_UACINT)low, (LUAI_UACINT)high));
    int64_t v = 0;
    il_check_status(L, rng_randint(&g->rng, &v, (int64_t)low, (int64_t)high), "randint", NULL, NULL);
    lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

static int draw_clone(lua_State *L, Generator *g, int arg)
{
    (void)arg;
    Generator *copy = (Generator *)lua_newuserdatauv(L, sizeof(Generator), 0);
    luaL_setmetatable(L, GENERATOR_TYPE);
    *copy = *g;
    return 1;
}

/* Each draw twice: as a method (self checked at 1) and as an il.random function on the global stream. */
#define ENTRY_POINTS(name)                                                             \
    static int method_##name(lua_State *L)                                             \
    {                                                                                  \
        return draw_##name(L, check_generator(L, 1), 2);                               \
    }                                                                                  \
    static int global_##name(lua_State *L)                                             \
    {                                                                                  \
        return draw_##name(L, (Generator *)lua_touserdata(L, lua_upvalueindex(1)), 1); \
    }

ENTRY_POINTS(seed)
ENTRY_POINTS(randn)
ENTRY_POINTS(rand)
ENTRY_POINTS(normal)
ENTRY_POINTS(uniform)
ENTRY_POINTS(shuffle)
ENTRY_POINTS(permutation)
ENTRY_POINTS(randint)

static int method_clone(lua_State *L) { return draw_clone(L, check_generator(L, 1), 2); }

static int generator_tostring(lua_State *L)
{
    Generator *g = check_generator(L, 1);
    lua_pushfstring(L, "initlab.generator: %p (MT19937 seeded with %I, at word %d of %d%s)", (void *)g,
                    (LUAI_UACINT)g->seed, g->rng.pos, RNG_STATE_WORDS,
                    g->rng.has_gauss ? ", one normal cached" : "");
    return 1;
}

/* il.random.generator(seed): a new independent stream. */
static int new_generator(lua_State *L)
{
    lua_Integer s = check_seed(L, 1);
    push_generator(L, s);
    return 1;
}

/* il.random.stream(): the global stream's generator object. */
static int global_stream(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    return 1;
}

static const luaL_Reg generator_methods[] = {
    {"seed", method_seed},
    {"randn", method_randn},
    {"rand", method_rand},
    {"normal", method_normal},
    {"uniform", method_uniform},
    {"shuffle", method_shuffle},
    {"permutation", method_permutation},
    {"randint", method_randint},
    {"clone", method_clone},
    {NULL, NULL},
};

static const luaL_Reg generator_metamethods[] = {
    {"__tostring", generator_tostring},
    {"__index", NULL}, /* placeholder: the method table */
    {NULL, NULL},
};

/* Functions of il.random; each has the global generator as upvalue 1. */
static const luaL_Reg random_functions[] = {
    {"seed", global_seed},
    {"randn", global_randn},
    {"rand", global_rand},
    {"normal", global_normal},
    {"uniform", global_uniform},
    {"shuffle", global_shuffle},
    {"permutation", global_permutation},
    {"randint", global_randint},
    {"generator", new_generator},
    {"stream", global_stream},
    {NULL, NULL},
};

void il_open_random(lua_State *L)
{
    if (luaL_newmetatable(L, GENERATOR_TYPE)) {
        luaL_setfuncs(L, generator_metamethods, 0);
        luaL_newlib(L, generator_methods);
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);

    /* One global stream per lua_State: reuse the registry's if the module is opened again. */
    lua_getfield(L, LUA_REGISTRYINDEX, GLOBAL_STREAM_KEY);
    if (!luaL_testudata(L, -1, GENERATOR_TYPE)) {
        lua_pop(L, 1);
        push_generator(L, RNG_DEFAULT_SEED);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, GLOBAL_STREAM_KEY);
    }
    /* stack: module table, global generator */
    lua_createtable(L, 0, (int)(sizeof random_functions / sizeof random_functions[0]) + 2);
    lua_pushvalue(L, -2);
    luaL_setfuncs(L, random_functions, 1);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "global");
    lua_pushinteger(L, RNG_DEFAULT_SEED);
    lua_setfield(L, -2, "DEFAULT_SEED");
    lua_setfield(L, -3, "random");
    lua_pop(L, 1);
}
