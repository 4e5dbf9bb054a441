/* bind_layers.c: the layers and losses as Lua functions of the initlab module.
 *
 * Layout: one COLUMN per example (features x examples), m = number of columns.
 * Every function that returns a matrix takes an optional trailing `out` matrix of the result's shape
 * (Torch's `res` pattern): when given, the result is written into it and it is returned (the very same
 * object); only when it is absent does the call allocate. A training loop that passes its buffers
 * allocates nothing. Elementwise functions accept an input as `out` (in place); linear and
 * linear_backward refuse it (a product cannot overwrite its own operand).
 *
 *   il.linear(W, A, b [, Z]) -> Z                      Z = W A + b; W n_out x n_in, A n_in x m, b n_out x 1
 *   il.linear_backward(dZ, A, W [, dW, db, dA]) -> dW, db, dA
 *                                                      dW = dZ A^T, db = row sums of dZ, dA = W^T dZ;
 *                                                      dA = false skips dA (the first layer needs none)
 *                                                      and then only dW, db are returned
 *   il.relu(Z [, out]), il.relu_backward(dA, Z [, out])                 max(Z, 0); dA * (Z > 0)
 *   il.leaky_relu(Z [, slope=0.01 [, out]])                             Z if Z > 0 else slope * Z
 *   il.leaky_relu_backward(dA, Z [, slope=0.01 [, out]])                dA * (Z > 0 ? 1 : slope)
 *   il.sigmoid(Z [, out]), il.sigmoid_backward(dA, A [, out])           1 / (1 + exp(-Z)); dA * A * (1 - A)
 *   il.tanh(Z [, out]), il.tanh_backward(dA, A [, out])                 tanh(Z); dA * (1 - A^2)
 *   il.softmax(Z [, out]), il.softmax_backward(dA, A [, out])           down each column; A (dA - colsum(dA A))
 *       (the *_backward of sigmoid, tanh and softmax take the layer's OUTPUT A, not its input)
 *   il.bce(A, Y) -> number, il.bce_backward(A, Y [, out])               the lesson's cost, (1/m) nansum
 *   il.bce_logits(Z, Y) -> number, il.bce_logits_backward(Z, Y [, out]) stable bce from logits
 *   il.mse(A, Y) -> number, il.mse_backward(A, Y [, out])               mean over every element
 *   il.softmax_ce(Z, Y) -> number, il.softmax_ce_backward(Z, Y [, out]) cross-entropy from logits
 *   il.sigmoid_bce_backward(A, Y [, out])                               (1/m) (A - Y), the lesson's dZ3
 *
 * Errors name the function and the shapes involved, e.g.
 *   "linear: W is 3x2 but A is 3x300 (W's columns must equal A's rows)". */
#include "binding.h"
#include "layers.h"
#include "losses.h"

#define DIMS(M) (lua_Integer)(M)->rows, (lua_Integer)(M)->cols

/* Refuses two operands of different shapes, naming both. */
static void check_same_shape(lua_State *L, const char *fname, const Matrix *a, const char *a_name,
                             const Matrix *b, const char *b_name)
{
    if (!mat_same_shape(a, b))
        luaL_error(L, "%s: shapes %Ix%I and %Ix%I do not match (%s and %s must have the same shape)", fname,
                   DIMS(a), DIMS(b), a_name, b_name);
}

/* ---- linear ---- */

/* Checks W (n_out x n_in) against an n_in x m operand called `a_name`. */
static void check_weights_fit(lua_State *L, const char *fname, const Matrix *W, const Matrix *a,
                              const char *a_name)
{
    if (W->cols != a->rows)
        luaL_error(L, "%s: W is %Ix%I but %s is %Ix%I (W's columns must equal %s's rows)", fname, DIMS(W),
                   a_name, DIMS(a), a_name);
}

static int l_linear(lua_State *L)
{
    Matrix *W = il_checkmatrix(L, 1), *A = il_checkmatrix(L, 2), *b = il_checkmatrix(L, 3);
    check_weights_fit(L, "linear", W, A, "A");
    if (b->rows != W->rows || b->cols != 1)
        luaL_error(L, "linear: b is %Ix%I but W is %Ix%I (b must be a %Ix1 column, one bias per output unit)",
                   DIMS(b), DIMS(W), (lua_Integer)W->rows);
    Matrix *Z = il_optout(L, 4, W->rows, A->cols);
    il_status st = linear_forward(Z, W, A, b);
    if (st == IL_EVALUE)
        luaL_error(L, "linear: the output Z must be a matrix of its own, not W, A or b");
    il_check_status(L, st, "linear", W, A);
    return 1;
}

static int l_linear_backward(lua_State *L)
{
    lua_settop(L, 6); /* absent outputs become nil in their own slots, below the results pushed next */
    Matrix *dZ = il_checkmatrix(L, 1), *A = il_checkmatrix(L, 2), *W = il_checkmatrix(L, 3);
    if (dZ->cols != A->cols)
        luaL_error(L, "linear_backward: dZ is %Ix%I but A is %Ix%I (both need one column per example)",
                   DIMS(dZ), DIMS(A));
    if (W->rows != dZ->rows)
        luaL_error(L, "linear_backward: W is %Ix%I but dZ is %Ix%I (W's rows must equal dZ's rows)", DIMS(W),
                   DIMS(dZ));
    check_weights_fit(L, "linear_backward", W, A, "A");
    int want_dA = !(lua_isboolean(L, 6) && !lua_toboolean(L, 6));
    Matrix *dW = il_optout(L, 4, W->rows, W->cols);
    Matrix *db = il_optout(L, 5, W->rows, 1);
    Matrix *dA = want_dA ? il_optout(L, 6, A->rows, A->cols) : NULL;
    il_status st = linear_backward(dW, db, dA, dZ, A, W);
    if (st == IL_EVALUE)
        luaL_error(L, "linear_backward: dW, db and dA must be distinct matrices of their own, not dZ, A or W");
    il_check_status(L, st, "linear_backward", dZ, A);
    return want_dA ? 3 : 2;
}

/* ---- elementwise layers ---- */

typedef il_status (*forward_kernel)(Matrix *out, const Matrix *Z);
typedef il_status (*backward_kernel)(Matrix *dZ, const Matrix *dA, const Matrix *X);

/* f(Z [, out]) */
static int forward(lua_State *L, const char *fname, forward_kernel kernel)
{
    Matrix *Z = il_checkmatrix(L, 1);
    Matrix *out = il_optout(L, 2, Z->rows, Z->cols);
    il_check_status(L, kernel(out, Z), fname, out, Z);
    return 1;
}

/* f_backward(dA, X [, out]), X being the layer's input or output as the kernel documents */
static int backward(lua_State *L, const char *fname, const char *x_name, backward_kernel kernel)
{
    Matrix *dA = il_checkmatrix(L, 1), *X = il_checkmatrix(L, 2);
    check_same_shape(L, fname, dA, "dA", X, x_name);
    Matrix *out = il_optout(L, 3, X->rows, X->cols);
    il_check_status(L, kernel(out, dA, X), fname, dA, X);
    return 1;
}

static int l_relu(lua_State *L) { return forward(L, "relu", relu_forward); }
static int l_relu_backward(lua_State *L) { return backward(L, "relu_backward", "Z", relu_backward); }
static int l_sigmoid(lua_State *L) { return forward(L, "sigmoid", sigmoid_forward); }
static int l_sigmoid_backward(lua_State *L) { return backward(L, "sigmoid_backward", "A", sigmoid_backward); }
static int l_tanh(lua_State *L) { return forward(L, "tanh", tanh_forward); }
static int l_tanh_backward(lua_State *L) { return backward(L, "tanh_backward", "A", tanh_backward); }
static int l_softmax(lua_State *L) { return forward(L, "softmax", softmax_forward); }
static int l_softmax_backward(lua_State *L) { return backward(L, "softmax_backward", "A", softmax_backward); }

#define LEAKY_RELU_DEFAULT_SLOPE 0.01

static int l_leaky_relu(lua_State *L)
{
    Matrix *Z = il_checkmatrix(L, 1);
    double slope = luaL_optnumber(L, 2, LEAKY_RELU_DEFAULT_SLOPE);
    Matrix *out = il_optout(L, 3, Z->rows, Z->cols);
    il_check_status(L, leaky_relu_forward(out, Z, slope), "leaky_relu", out, Z);
    return 1;
}

static int l_leaky_relu_backward(lua_State *L)
{
    Matrix *dA = il_checkmatrix(L, 1), *Z = il_checkmatrix(L, 2);
    check_same_shape(L, "leaky_relu_backward", dA, "dA", Z, "Z");
    double slope = luaL_optnumber(L, 3, LEAKY_RELU_DEFAULT_SLOPE);
    Matrix *out = il_optout(L, 4, Z->rows, Z->cols);
    il_check_status(L, leaky_relu_backward(out, dA, Z, slope), "leaky_relu_backward", dA, Z);
    return 1;
}

/* ---- losses ---- */

typedef il_status (*loss_kernel)(double *cost, const Matrix *P, const Matrix *Y);
typedef il_status (*gradient_kernel)(Matrix *dP, const Matrix *P, const Matrix *Y);

/* f(P, Y) -> number */
static int loss(lua_State *L, const char *fname, const char *p_name, loss_kernel kernel)
{
    Matrix *P = il_checkmatrix(L, 1), *Y = il_checkmatrix(L, 2);
    check_same_shape(L, fname, P, p_name, Y, "Y");
    double cost = 0.0;
    il_status st = kernel(&cost, P, Y);
    if (st == IL_EEMPTY)
        luaL_error(L, "%s: %s is %Ix%I: there are no examples to average over", fname, p_name, DIMS(P));
    il_check_status(L, st, fname, P, Y);
    lua_pushnumber(L, cost);
    return 1;
}

/* f_backward(P, Y [, out]) -> gradient with respect to P */
static int gradient(lua_State *L, const char *fname, const char *p_name, gradient_kernel kernel)
{
    Matrix *P = il_checkmatrix(L, 1), *Y = il_checkmatrix(L, 2);
    check_same_shape(L, fname, P, p_name, Y, "Y");
    Matrix *out = il_optout(L, 3, P->rows, P->cols);
    il_check_status(L, kernel(out, P, Y), fname, P, Y);
    return 1;
}

static int l_bce(lua_State *L) { return loss(L, "bce", "A", bce_loss); }
static int l_bce_backward(lua_State *L) { return gradient(L, "bce_backward", "A", bce_backward); }
static int l_bce_logits(lua_State *L) { return loss(L, "bce_logits", "Z", bce_logits_loss); }
static int l_bce_logits_backward(lua_State *L)
{
    return gradient(L, "bce_logits_backward", "Z", bce_logits_backward);
}
static int l_mse(lua_State *L) { return loss(L, "mse", "A", mse_loss); }
static int l_mse_backward(lua_State *L) { return gradient(L, "mse_backward", "A", mse_backward); }
static int l_softmax_ce(lua_State *L) { return loss(L, "softmax_ce", "Z", softmax_ce_loss); }
static int l_softmax_ce_backward(lua_State *L)
{
    return gradient(L, "softmax_ce_backward", "Z", softmax_ce_backward);
}
static int l_sigmoid_bce_backward(lua_State *L)
{
    return gradient(L, "sigmoid_bce_backward", "A", sigmoid_bce_backward);
}

static const luaL_Reg layer_functions[] = {
    {"linear", l_linear},
    {"linear_backward", l_linear_backward},
    {"relu", l_relu},
    {"relu_backward", l_relu_backward},
    {"leaky_relu", l_leaky_relu},
    {"leaky_relu_backward", l_leaky_relu_backward},
    {"sigmoid", l_sigmoid},
    {"sigmoid_backward", l_sigmoid_backward},
    {"tanh", l_tanh},
    {"tanh_backward", l_tanh_backward},
    {"softmax", l_softmax},
    {"softmax_backward", l_softmax_backward},
    {"bce", l_bce},
    {"bce_backward", l_bce_backward},
    {"bce_logits", l_bce_logits},
    {"bce_logits_backward", l_bce_logits_backward},
    {"mse", l_mse},
    {"mse_backward", l_mse_backward},
    {"softmax_ce", l_softmax_ce},
    {"softmax_ce_backward", l_softmax_ce_backward},
    {"sigmoid_bce_backward", l_sigmoid_bce_backward},
    {NULL, NULL},
};

void il_open_layers(lua_State *L) { il_setfuncs(L, layer_functions); }
