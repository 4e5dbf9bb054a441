/* bind_fused.c: il.fused, a dense network's forward, backward and update each in one C call (fused.h).
 *
 *   local plan = il.fused{loss = "bce", leaky_slope = 0.01, layers = {
 *     {W = W1, b = b1, dW = dW1, db = db1, Z = Z1, A = A1, dZ = dZ1, dA = dA1, activation = "relu"},
 *     ...}}
 *   plan:forward(X) -> A               the last layer's A buffer (the matrix itself)
 *   plan:cost(Y) -> number             the loss of the last forward pass
 *   plan:backward(Y)                   dW, db of every layer (and the dZ, dA buffers), for the last forward's X
 *   plan:update(lr)                    W = W - lr dW, b = b - lr db
 *   plan:step(X, Y, lr)                forward, backward, update
 *   plan:train(X, Y, lr, steps [, every]) -> costs
 *                                      `steps` steps; with `every`, costs = {cost of step 0, of step every, ...}
 *                                      (taken after each of those forward passes, before the update)
 *   plan:depth(), plan:examples()
 *   plan:threads() -> last, most       the threads the last step ran on, and the most this plan may use
 *   plan:recompute("Z" | "dA")        with lean = true (below): fills those buffers the last pass skipped
 *   plan:note("forward" | "backward")  that pass's buffers were all written elsewhere
 *   plan:bind(net, forward, backward, update, batch) -> forward, backward, update
 *                                      network.lua's methods as C functions over this plan (see below)
 *
 * threads = 1 or 2: a step on one thread, or on two wherever the network allows it (fused.h: more than 128
 * examples, small products, two CPUs); nil (the default): whichever a short timing every 16384 steps finds
 * faster. The bits are the same either way; INITLAB_THREADS=1 in the environment keeps every plan on one.
 * lean = true: the passes skip what training never reads, a ReLU layer's Z and (below another layer) its
 * dA; plan:recompute fills them, bit for bit, until a weight they come from changes (an update, or a
 * write in place: the plan keeps a fingerprint of them).
 * Activations: linear, relu, leaky_relu (slope `leaky_slope`, default 0.01), sigmoid, tanh, softmax.
 * Losses: bce (the lesson's; a sigmoid output takes the shortcut dZ = (A - Y) / m), bce_logits and
 * softmax_ce (on Z, linear output), mse. The names and formulas are lua/initlab/network.lua's.
 * The plan keeps the matrices themselves, not copies: it trains them in place, and whoever else holds
 * them (a network.lua network) sees every update. A step computes exactly what network.lua's
 * forward / backward / update compute with the per-layer functions, bit for bit, without the Lua calls
 * in between; nothing is allocated per step. Every matrix must have one role (a buffer shared by two
 * layers would change the results), and all buffers one batch size m. */
#include "binding.h"
#include "fused.h"

#include <string.h>

#define FUSED_TYPE "initlab.fused"
#define FUSED_MAX_DEPTH 100000

/* The plan: the C description, then its layers. Uservalues: 1 a table holding every matrix (kept
 * alive; A of the last layer at index 8 * (depth - 1) + 6), 2 the X of the last forward pass, 3 the
 * scratch values of a step on two threads. */
typedef struct FusedPlan {
    il_dense net;
    const Matrix *X; /* the last forward pass's X (kept alive as uservalue 2), NULL before the first */
    il_dense_layer layers[];
} FusedPlan;

static const char *const activation_names[] = {"linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", NULL};
static const il_activation activation_values[] = {IL_ACT_LINEAR, IL_ACT_RELU, IL_ACT_LEAKY_RELU,
                                                  IL_ACT_SIGMOID, IL_ACT_TANH, IL_ACT_SOFTMAX};
static const char *const loss_names[] = {"bce", "bce_logits", "mse", "softmax_ce", NULL};
static const il_loss loss_values[] = {IL_LOSS_BCE, IL_LOSS_BCE_LOGITS, IL_LOSS_MSE, IL_LOSS_SOFTMAX_CE};

static const char *const role_names[] = {"W", "b", "dW", "db", "Z", "A", "dZ", "dA"};

#define DIMS(M) (lua_Integer)(M)->rows, (lua_Integer)(M)->cols

/* The metatable of plans, also kept in the registry under this key's address: recognising a plan is then
 * one pointer comparison, not a lookup of FUSED_TYPE by name (a step makes three such calls). */
static const char plan_metatable_key = 0;

static FusedPlan *checkplan(lua_State *L)
{
    void *p = lua_touserdata(L, 1);
    int is_plan = 0;
    if (p && lua_getmetatable(L, 1)) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &plan_metatable_key);
        is_plan = lua_rawequal(L, -1, -2);
        lua_pop(L, 2);
    }
    if (!is_plan) luaL_typeerror(L, 1, FUSED_TYPE);
    return p;
}

/* The index of `name` in a NULL-terminated list, or -1. */
static int find_name(const char *const *names, const char *name)
{
    for (int k = 0; names[k]; k++)
        if (strcmp(names[k], name) == 0) return k;
    return -1;
}

/* Reads layers[i] (1-based) of the table at `spec_layers` into *layer; pushes its 8 matrices into the
 * keep table at `keep`. Raises errors that name the layer and the field. */
static void read_layer(lua_State *L, int spec_layers, int keep, lua_Integer i, il_dense_layer *layer)
{
    if (lua_geti(L, spec_layers, i) != LUA_TTABLE)
        luaL_error(L, "fused: layers[%I] must be a table {W =, b =, dW =, db =, Z =, A =, dZ =, dA =, activation =}, got %s",
                   i, luaL_typename(L, -1));
    int t = lua_gettop(L);
    Matrix **slots[] = {&layer->W, &layer->b, &layer->dW, &layer->db, &layer->Z, &layer->A, &layer->dZ, &layer->dA};
    for (int k = 0; k < 8; k++) {
        lua_getfield(L, t, role_names[k]);
        Matrix *m = il_tomatrix(L, -1);
        if (!m) luaL_error(L, "fused: layers[%I].%s must be a matrix, got %s", i, role_names[k], luaL_typename(L, -1));
        *slots[k] = m;
        lua_rawseti(L, keep, (lua_Integer)((i - 1) * 8 + k + 1));
    }
    lua_getfield(L, t, "activation");
    const char *act = lua_tostring(L, -1);
    int which = act ? find_name(activation_names, act) : -1;
    if (which < 0)
        luaL_error(L, "fused: layers[%I].activation must be one of linear, relu, leaky_relu, sigmoid, tanh, softmax, got %s",
                   i, act ? act : luaL_typename(L, -1));
    layer->activation = activation_values[which];
    lua_settop(L, t - 1);
}

/* Shape errors that name the layer and the matrices, before dense_prepare's own checks. */
static void check_shapes(lua_State *L, const il_dense *net)
{
    size_t n_in = net->layers[0].W->cols, m = net->layers[0].Z->cols;
    for (size_t l = 0; l < net->depth; l++) {
        const il_dense_layer *y = &net->layers[l];
        lua_Integer li = (lua_Integer)l + 1;
        size_t n = y->W->rows;
        if (y->W->cols != n_in)
            luaL_error(L, "fused: layers[%I].W is %Ix%I but the layer before gives %I units (W's columns)", li,
                       DIMS(y->W), (lua_Integer)n_in);
        if (n == 0) luaL_error(L, "fused: layers[%I].W has no rows", li);
        if (!mat_same_shape(y->dW, y->W))
            luaL_error(L, "fused: layers[%I].dW is %Ix%I, expected W's %Ix%I", li, DIMS(y->dW), DIMS(y->W));
        if (y->b->rows != n || y->b->cols != 1)
            luaL_error(L, "fused: layers[%I].b is %Ix%I, expected %Ix1", li, DIMS(y->b), (lua_Integer)n);
        if (!mat_same_shape(y->db, y->b))
            luaL_error(L, "fused: layers[%I].db is %Ix%I, expected %Ix1", li, DIMS(y->db), (lua_Integer)n);
        const Matrix *buffers[] = {y->Z, y->A, y->dZ, y->dA};
        for (int k = 0; k < 4; k++)
            if (buffers[k]->rows != n || buffers[k]->cols != m)
                luaL_error(L, "fused: layers[%I].%s is %Ix%I, expected %Ix%I (units x examples, like layers[1].Z)", li,
                           role_names[4 + k], DIMS(buffers[k]), (lua_Integer)n, (lua_Integer)m);
        n_in = n;
    }
    if (m == 0) luaL_error(L, "fused: the buffers have no columns (one column per example)");
    il_activation out = net->layers[net->depth - 1].activation;
    if ((net->loss == IL_LOSS_BCE_LOGITS || net->loss == IL_LOSS_SOFTMAX_CE) && out != IL_ACT_LINEAR)
        luaL_error(L, "fused: the %s loss takes logits: the last layer's activation must be linear, got %s",
                   loss_names[net->loss], activation_names[out]);
}

/* il.fused{layers = {...}, loss = "bce", leaky_slope = 0.01, lean = false, threads = nil} -> plan */
static int l_fused(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    if (lua_getfield(L, 1, "layers") != LUA_TTABLE)
        luaL_error(L, "fused: expected {layers = {{W =, b =, dW =, db =, Z =, A =, dZ =, dA =, activation =}, ...}, loss =}, got layers = %s",
                   luaL_typename(L, -1));
    int spec_layers = lua_gettop(L);
    lua_Integer depth = luaL_len(L, spec_layers);
    if (depth < 1 || depth > FUSED_MAX_DEPTH)
        luaL_error(L, "fused: layers must list 1 to %d layers, got %I", FUSED_MAX_DEPTH, depth);
    lua_getfield(L, 1, "loss");
    const char *loss = luaL_optstring(L, -1, "bce");
    int loss_index = find_name(loss_names, loss);
    if (loss_index < 0) luaL_error(L, "fused: loss must be one of bce, bce_logits, mse, softmax_ce, got %s", loss);
    lua_getfield(L, 1, "leaky_slope");
    if (!lua_isnil(L, -1) && !lua_isnumber(L, -1))
        luaL_error(L, "fused: leaky_slope must be a number, got %s", luaL_typename(L, -1));
    double slope = luaL_optnumber(L, -1, 0.01);
    lua_getfield(L, 1, "lean");
    if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
        luaL_error(L, "fused: lean must be a boolean, got %s", luaL_typename(L, -1));
    int lean = lua_toboolean(L, -1);
    lua_getfield(L, 1, "threads");
    int isnum = 0;
    lua_Integer threads = lua_tointegerx(L, -1, &isnum);
    if (!lua_isnil(L, -1) && (!isnum || threads < 1 || threads > 2))
        luaL_error(L, "fused: threads must be 1 or 2 (or nil: whichever is faster), got %s", luaL_tolstring(L, -1, NULL));

    FusedPlan *p = lua_newuserdatauv(L, sizeof(FusedPlan) + (size_t)depth * sizeof(il_dense_layer), 3);
    int plan = lua_gettop(L);
    memset(p, 0, sizeof(FusedPlan));
    p->net.layers = p->layers;
    p->net.depth = (size_t)depth;
    p->net.loss = loss_values[loss_index];
    p->net.leaky_slope = slope;
    p->net.lean = lean;
    p->net.threads = isnum ? (int)threads : 0;
    luaL_setmetatable(L, FUSED_TYPE);
    lua_createtable(L, (int)(depth * 8), 0);
    int keep = lua_gettop(L);
    for (lua_Integer i = 1; i <= depth; i++) read_layer(L, spec_layers, keep, i, &p->layers[i - 1]);
    lua_setiuservalue(L, plan, 1);

    check_shapes(L, &p->net);
    /* the second thread's sums (uservalue 3), made once with the plan where it may have two */
    p->net.scratch_len = dense_scratch_len(&p->net);
    if (p->net.scratch_len) {
        p->net.scratch = lua_newuserdatauv(L, p->net.scratch_len * sizeof(double), 0);
        lua_setiuservalue(L, plan, 3);
    }
    il_status st = dense_prepare(&p->net);
    if (st != IL_OK)
        luaL_error(L, "fused: every matrix must have a role of its own (a buffer or parameter given twice, "
                      "e.g. the same matrix as Z and A, would change the results)");
    lua_settop(L, plan);
    return 1;
}

/* X or Y at `idx`, checked against the plan's shapes with a message that says what was expected. */
static const Matrix *check_data(lua_State *L, const FusedPlan *p, int idx, const char *fname, int is_y)
{
    const Matrix *M = il_checkmatrix(L, idx);
    size_t rows = is_y ? p->layers[p->net.depth - 1].W->rows : p->layers[0].W->cols;
    if (M->rows != rows || M->cols != p->net.m)
        luaL_error(L, "fused:%s: %s is %Ix%I, the network expects %Ix%I (%s x examples)", fname, is_y ? "Y" : "X",
                   DIMS(M), (lua_Integer)rows, (lua_Integer)p->net.m, is_y ? "outputs" : "features");
    for (size_t l = 0; l < p->net.depth; l++) {
        const il_dense_layer *y = &p->layers[l];
        const Matrix *all[] = {y->W, y->b, y->dW, y->db, y->Z, y->A, y->dZ, y->dA};
        for (int k = 0; k < 8; k++)
            if (all[k] == M)
                luaL_error(L, "fused:%s: %s is layers[%I].%s of this network; pass the data, not a buffer", fname,
                           is_y ? "Y" : "X", (lua_Integer)l + 1, role_names[k]);
    }
    return M;
}

static void check_step_status(lua_State *L, il_status st, const char *fname)
{
    if (st != IL_OK) luaL_error(L, "fused:%s: %s", fname, il_status_message(st));
}

/* The status of a step that took the matrix at `idx` as X or Y. The step checks its data itself (before
 * writing anything, and for an X or Y it has seen only the shape, fused.c), so check_data's message,
 * which says what is wrong with the matrix, is looked for only when the step refused it. */
static void check_data_status(lua_State *L, const FusedPlan *p, il_status st, int idx, const char *fname, int is_y)
{
    if (st == IL_OK) return;
    check_data(L, p, idx, fname, is_y);
    check_step_status(L, st, fname);
}

/* Runs the forward pass and remembers X (uservalue 2) for backward. */
static void run_forward(lua_State *L, FusedPlan *p, int x_idx, const char *fname)
{
    const Matrix *X = il_checkmatrix(L, x_idx);
    check_data_status(L, p, dense_forward(&p->net, X), x_idx, fname, 0);
    if (X != p->X) { /* the same X as last time is already kept */
        lua_pushvalue(L, x_idx);
        lua_setiuservalue(L, 1, 2);
        p->X = X;
    }
}

static void run_backward(lua_State *L, FusedPlan *p, int y_idx, const char *fname)
{
    if (!p->X) luaL_error(L, "fused:%s: call forward first", fname);
    const Matrix *Y = il_checkmatrix(L, y_idx);
    check_data_status(L, p, dense_backward(&p->net, p->X, Y), y_idx, fname, 1);
}

static double run_cost(lua_State *L, FusedPlan *p, int y_idx, const char *fname)
{
    if (!p->X) luaL_error(L, "fused:%s: call forward first", fname);
    const Matrix *Y = il_checkmatrix(L, y_idx);
    double cost = 0.0;
    check_data_status(L, p, dense_cost(&p->net, Y, &cost), y_idx, fname, 1);
    return cost;
}

static int l_forward(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    run_forward(L, p, 2, "forward");
    lua_getiuservalue(L, 1, 1);
    lua_geti(L, -1, (lua_Integer)(8 * (p->net.depth - 1) + 6));
    return 1;
}

static int l_cost(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    lua_pushnumber(L, run_cost(L, p, 2, "cost"));
    return 1;
}

static int l_backward(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    run_backward(L, p, 2, "backward");
    return 0;
}

static int l_update(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    double lr = luaL_checknumber(L, 2);
    check_step_status(L, dense_update(&p->net, lr), "update");
    return 0;
}

static int l_step(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    double lr = luaL_checknumber(L, 4);
    run_forward(L, p, 2, "step");
    run_backward(L, p, 3, "step");
    check_step_status(L, dense_update(&p->net, lr), "step");
    return 0;
}

/* plan:train(X, Y, lr, steps [, every]) -> costs */
static int l_train(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    double lr = luaL_checknumber(L, 4);
    lua_Integer steps = luaL_checkinteger(L, 5), every = luaL_optinteger(L, 6, 0);
    luaL_argcheck(L, steps >= 0, 5, "the number of steps must be >= 0");
    luaL_argcheck(L, every >= 0, 6, "every must be >= 0 (0: record no cost)");
    check_data(L, p, 3, "train", 1);
    lua_newtable(L);
    int costs = lua_gettop(L);
    for (lua_Integer i = 0; i < steps; i++) {
        run_forward(L, p, 2, "train");
        if (every > 0 && i % every == 0) {
            lua_pushnumber(L, run_cost(L, p, 3, "train"));
            lua_rawseti(L, costs, i / every + 1);
        }
        run_backward(L, p, 3, "train");
        check_step_status(L, dense_update(&p->net, lr), "train");
    }
    return 1;
}

/* plan:recompute(what): "Z" or "dA", the buffers a lean plan's last pass skipped (fused.h). */
static int l_recompute(lua_State *L)
{
    static const char *const whats[] = {"Z", "dA", NULL};
    FusedPlan *p = checkplan(L);
    int da = luaL_checkoption(L, 2, NULL, whats);
    il_status st = dense_recompute(&p->net, p->X, da);
    if (st == IL_ESTALE)
        luaL_error(L, "fused:recompute: a ReLU layer's %s is not kept by the fused step (training never reads it), "
                      "and a weight it comes from has changed (an update, or a write in place) since the %s pass "
                      "that made it: read it before, or build the network with keep = \"all\"",
                   whats[da], da ? "backward" : "forward");
    check_step_status(L, st, "recompute");
    return 0;
}

/* plan:note(event): "forward" or "backward": that pass's buffers were all written by someone else
 * (network.lua's Lua code). */
static int l_note(lua_State *L)
{
    static const char *const events[] = {"forward", "backward", NULL};
    static const il_event values[] = {IL_WROTE_FORWARD, IL_WROTE_BACKWARD};
    FusedPlan *p = checkplan(L);
    dense_note(&p->net, values[luaL_checkoption(L, 2, NULL, events)]);
    return 0;
}

static int l_depth(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)checkplan(L)->net.depth);
    return 1;
}

static int l_examples(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)checkplan(L)->net.m);
    return 1;
}

/* The threads the last step ran on (1 before the first), and the most this plan may use. */
static int l_threads(lua_State *L)
{
    const FusedPlan *p = checkplan(L);
    lua_pushinteger(L, p->net.step_on_two ? 2 : 1);
    lua_pushinteger(L, p->net.split ? 2 : 1);
    return 2;
}

static int l_tostring(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "fused plan: %I", (lua_Integer)p->layers[0].W->cols);
    luaL_addvalue(&b);
    for (size_t l = 0; l < p->net.depth; l++) {
        lua_pushfstring(L, " -> %I %s", (lua_Integer)p->layers[l].W->rows, activation_names[p->layers[l].activation]);
        luaL_addvalue(&b);
    }
    lua_pushfstring(L, ", loss %s, %I examples", loss_names[p->net.loss], (lua_Integer)p->net.m);
    luaL_addvalue(&b);
    luaL_pushresult(&b);
    return 1;
}

/* ---- a network's methods bound to a plan ----
 * plan:bind(net, forward, backward, update, batch) -> forward, backward, update: C functions that
 * network.lua installs on `net` (net.forward, ...) while `batch`, this plan's buffers, is net.current,
 * so that the training loop's net:forward(X) calls C directly, with no Lua function in between (about
 * 6% of the lesson's step). Upvalues: 1 the plan, 2 net, 3 network.lua's method, then those that
 * BOUND_UPVALUES counts. A call runs the plan only in the case it covers: that network, net.fused not
 * false, and (forward) X being net.X and the plan's X with the plan's batch net.current, so that nothing
 * network.lua's method would change; in any other case it calls network.lua's method, which does what
 * it always did (including installing another batch's methods). Errors name the caller's line. */

static FusedPlan *bound_plan(lua_State *L) { return lua_touserdata(L, lua_upvalueindex(1)); }

/* Upvalues 4, 5 and 6: the strings "fused", "X" and "current" (lua_getfield would look each up in the
 * string cache, with a strcmp, on every call); 7: the batch's buffers (network.lua's net.current while
 * bound); 8: the last layer's A, which forward returns. */
#define BOUND_UPVALUES 8

/* Whether the call is net:method(arg) on the bound network with net.fused not false. */
static int bound_call(lua_State *L)
{
    if (lua_gettop(L) != 2 || !lua_rawequal(L, 1, lua_upvalueindex(2))) return 0;
    lua_pushvalue(L, lua_upvalueindex(4));
    int off = lua_gettable(L, 1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
    lua_pop(L, 1);
    return !off;
}

/* Whether the value at 2 is net.X and the X the plan last ran forward on, and the plan's batch is
 * net.current. */
static int bound_same_x(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(5));
    lua_gettable(L, 1);
    lua_getiuservalue(L, lua_upvalueindex(1), 2);
    lua_pushvalue(L, lua_upvalueindex(6));
    lua_gettable(L, 1);
    int same = lua_rawequal(L, -2, 2) && lua_rawequal(L, -3, 2) && lua_rawequal(L, -1, lua_upvalueindex(7));
    lua_pop(L, 3);
    return same;
}

/* network.lua's method with the same arguments. Its errors keep their messages; an error it raises at
 * level 2 (the caller) now names this C function, so forward's one such check is made here first. */
static int bound_fallback(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(3));
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

static int bound_forward(lua_State *L)
{
    FusedPlan *p = bound_plan(L);
    if (bound_call(L) && bound_same_x(L)) {
        check_step_status(L, dense_forward(&p->net, p->X), "forward");
        lua_pushvalue(L, lua_upvalueindex(8));
        return 1;
    }
    const Matrix *X = lua_gettop(L) >= 2 && lua_rawequal(L, 1, lua_upvalueindex(2)) ? il_tomatrix(L, 2) : NULL;
    size_t features = p->layers[0].W->cols;
    if (X && X->rows != features) {
        luaL_where(L, 1); /* the caller's position, as network.lua's error(..., 2) gives */
        lua_pushfstring(L, "forward: X has %I rows (features), the network expects %I", (lua_Integer)X->rows,
                        (lua_Integer)features);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return bound_fallback(L);
}

static int bound_backward(lua_State *L)
{
    FusedPlan *p = bound_plan(L);
    if (!bound_call(L) || !p->X) return bound_fallback(L);
    run_backward(L, p, 2, "backward");
    return 0;
}

static int bound_update(lua_State *L)
{
    FusedPlan *p = bound_plan(L);
    if (!bound_call(L)) return bound_fallback(L);
    double lr = luaL_checknumber(L, 2);
    check_step_status(L, dense_update(&p->net, lr), "update");
    return 0;
}

static int l_bind(lua_State *L)
{
    FusedPlan *p = checkplan(L);
    luaL_checktype(L, 2, LUA_TTABLE);
    luaL_checktype(L, 6, LUA_TTABLE);
    lua_settop(L, 6);
    lua_CFunction bound[] = {bound_forward, bound_backward, bound_update};
    for (int k = 0; k < 3; k++) {
        luaL_checktype(L, 3 + k, LUA_TFUNCTION);
        lua_pushvalue(L, 1);
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 3 + k);
        lua_pushliteral(L, "fused");
        lua_pushliteral(L, "X");
        lua_pushliteral(L, "current");
        lua_pushvalue(L, 6);
        lua_getiuservalue(L, 1, 1); /* the plan's matrices, 8 a layer: the last A */
        lua_geti(L, -1, (lua_Integer)(8 * (p->net.depth - 1) + 6));
        lua_remove(L, -2);
        lua_pushcclosure(L, bound[k], BOUND_UPVALUES);
    }
    return 3;
}

static const luaL_Reg plan_methods[] = {
    {"forward", l_forward}, {"cost", l_cost},   {"backward", l_backward}, {"update", l_update},
    {"step", l_step},       {"train", l_train}, {"depth", l_depth},       {"examples", l_examples},
    {"threads", l_threads},
    {"bind", l_bind},       {"recompute", l_recompute}, {"note", l_note},      {NULL, NULL},
};

void il_open_fused(lua_State *L)
{
    if (luaL_newmetatable(L, FUSED_TYPE)) {
        lua_newtable(L);
        il_setfuncs(L, plan_methods);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_rawsetp(L, LUA_REGISTRYINDEX, &plan_metatable_key);
    lua_pushcfunction(L, l_fused);
    lua_setfield(L, -2, "fused");
}
