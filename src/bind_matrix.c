/* bind_matrix.c: the matrix userdata.
 *
 * Lua API (every `out` is optional: when given, the result is written into it and returned, so a
 * training loop allocates nothing; when absent, a new matrix is returned):
 *   il.matrix(rows, cols [, fill]) | il.matrix{{1, 2}, {3, 4}} | il.matrix{1, 2, 3} (a 1 x n row)
 *   il.zeros(r, c), il.ones(r, c), il.full(r, c, v), il.eye(n [, m]), il.ismatrix(x)
 *   il.matmul(A, B [, out])      A B          il.matmul_tn(A, B [, out])   A^T B
 *   il.matmul_nt(A, B [, out])   A B^T        il.gemm(C, A, B [, transA, transB, alpha, beta]) -> C
 *   il.add / sub / mul / div / pow / maximum / minimum (a, b [, out])   numpy broadcasting; a or b may be a number
 *   il.lt / le / gt / ge / eq / ne (a, b [, out])                      0/1 masks
 *   il.exp / log / sqrt / abs / neg / sign / square (a [, out])
 *   il.scale(a, s [, out]) a * s            il.axpy(y, alpha, x) y += alpha x, returns y
 *   il.copy(a [, out]), il.transpose(a [, out]), il.fill(m, v)
 *   il.sum / nansum / mean / min / max / argmin / argmax (a [, dim [, out]]): no dim -> a number;
 *     dim 1 -> down each column (1 x n), dim 2 -> along each row (m x 1); arg* give 1-based indices
 *   il.rowsum(a [, out]) (m x 1), il.colsum(a [, out]) (1 x n), il.rowmean, il.colmean
 *   il.std(a), il.var(a) (population, as numpy), il.norm(a) (Frobenius)
 * Methods: every function above that takes a matrix first is also a method (m:sum(), m:exp()...), plus
 *   m:shape() -> rows, cols; m:rows(); m:cols(); m:numel(); m:get(i, j); m:set(i, j, v) (1-based);
 *   m:totable(); m:T(); m:reshape(r, c); m:slice(r1, r2, c1, c2) (inclusive, a copy); m:map(f)
 * Operators: + - * / ^ (elementwise, numpy broadcasting, numbers too), unary -, == (same shape and values),
 *   tostring(m) like numpy's str(array), #m = number of elements. */
#include "binding.h"

#include <math.h>
#include <string.h>

#include "format.h"
#include "gemm.h"

/* ---- the shared helpers declared in binding.h ---- */

/* The matrix metatable is also kept in the registry under this address: checking an argument is then
 * a pointer lookup, not a string lookup of its name (a training step checks some sixty arguments). */
static const char matrix_metatable_key = 0;

static void push_matrix_metatable(lua_State *L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &matrix_metatable_key); }

Matrix *il_tomatrix(lua_State *L, int idx)
{
    void *p = lua_touserdata(L, idx);
    if (p == NULL || !lua_getmetatable(L, idx)) return NULL;
    push_matrix_metatable(L);
    int is_matrix = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return is_matrix ? p : NULL;
}

Matrix *il_checkmatrix(lua_State *L, int idx)
{
    Matrix *m = il_tomatrix(L, idx);
    if (!m) luaL_typeerror(L, idx, "matrix");
    return m;
}

size_t il_checksize(lua_State *L, int idx, const char *what)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_argerror(L, idx, lua_pushfstring(L, "%s must be a non-negative integer, got %s", what,
                                               luaL_typename(L, idx)));
    lua_Integer n;
    if (!lua_isinteger(L, idx)) {
        lua_Number x = lua_tonumber(L, idx);
        if (!(x == floor(x)) || !(fabs(x) < 9.2e18))
            luaL_argerror(L, idx, lua_pushfstring(L, "%s must be a non-negative integer, got %f", what, x));
        n = (lua_Integer)x;
    } else {
        n = lua_tointeger(L, idx);
    }
    if (n < 0)
        luaL_argerror(L, idx, lua_pushfstring(L, "%s must be a non-negative integer, got %I", what, n));
    if ((size_t)n > IL_MAX_DIM)
        luaL_argerror(L, idx, lua_pushfstring(L, "%s of %I is too large (at most %I)", what, n,
                                               (lua_Integer)IL_MAX_DIM));
    return (size_t)n;
}

Matrix *il_newmatrix(lua_State *L, size_t rows, size_t cols)
{
    size_t bytes = mat_bytes(rows, cols);
    if (bytes == 0)
        luaL_error(L, "matrix of %I x %I is too large (at most %I elements)", (lua_Integer)rows,
                   (lua_Integer)cols, (lua_Integer)IL_MAX_ELEMENTS);
    Matrix *m = mat_place(lua_newuserdatauv(L, bytes, 0), rows, cols);
    memset(m->data, 0, rows * cols * sizeof(double));
    push_matrix_metatable(L);
    lua_setmetatable(L, -2);
    return m;
}

Matrix *il_optout(lua_State *L, int idx, size_t rows, size_t cols)
{
    if (lua_isnoneornil(L, idx)) return il_newmatrix(L, rows, cols);
    Matrix *out = il_tomatrix(L, idx);
    if (!out) luaL_typeerror(L, idx, "matrix (the result) or nil");
    if (out->rows != rows || out->cols != cols)
        luaL_argerror(L, idx, lua_pushfstring(L, "result is %Ix%I, expected %Ix%I", (lua_Integer)out->rows,
                                               (lua_Integer)out->cols, (lua_Integer)rows, (lua_Integer)cols));
    lua_pushvalue(L, idx);
    return out;
}

void il_check_status(lua_State *L, il_status st, const char *what, const Matrix *a, const Matrix *b)
{
    if (st == IL_OK) return;
    if (st == IL_ESHAPE && a && b)
        luaL_error(L, "%s: shapes %Ix%I and %Ix%I do not align", what, (lua_Integer)a->rows, (lua_Integer)a->cols,
                   (lua_Integer)b->rows, (lua_Integer)b->cols);
    if (st == IL_ESHAPE && a)
        luaL_error(L, "%s: shape %Ix%I is not accepted here", what, (lua_Integer)a->rows, (lua_Integer)a->cols);
    if (st == IL_EVALUE)
        luaL_error(L, "%s: invalid argument (a result that shares memory with an operand of another shape?)", what);
    luaL_error(L, "%s: %s", what, il_status_message(st));
}

/* ---- construction ---- */

/* Reads a rectangular table of rows of numbers (or a flat table of numbers: one row). */
static int matrix_from_table(lua_State *L, int t)
{
    lua_Integer rows = luaL_len(L, t);
    if (rows == 0) {
        il_newmatrix(L, 0, 0);
        return 1;
    }
    lua_geti(L, t, 1);
    int nested = lua_istable(L, -1);
    lua_pop(L, 1);
    if (!nested) { /* {1, 2, 3}: a single row */
        Matrix *m = il_newmatrix(L, 1, (size_t)rows);
        for (lua_Integer j = 1; j <= rows; j++) {
            if (lua_geti(L, t, j) != LUA_TNUMBER)
                luaL_error(L, "matrix: element [%I] is a %s, expected a number", j, luaL_typename(L, -1));
            m->data[j - 1] = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        return 1;
    }
    lua_geti(L, t, 1);
    lua_Integer cols = luaL_len(L, -1);
    lua_pop(L, 1);
    if ((size_t)rows > IL_MAX_DIM || (size_t)cols > IL_MAX_DIM) luaL_error(L, "matrix: table too large");
    Matrix *m = il_newmatrix(L, (size_t)rows, (size_t)cols);
    for (lua_Integer i = 1; i <= rows; i++) {
        if (lua_geti(L, t, i) != LUA_TTABLE)
            luaL_error(L, "matrix: row %I is a %s, expected a table of numbers", i, luaL_typename(L, -1));
        lua_Integer n = luaL_len(L, -1);
        if (n != cols) luaL_error(L, "matrix: row %I has %I values, expected %I (rows must have equal length)", i, n, cols);
        for (lua_Integer j = 1; j <= cols; j++) {
            if (lua_geti(L, -1, j) != LUA_TNUMBER)
                luaL_error(L, "matrix: element [%I][%I] is a %s, expected a number", i, j, luaL_typename(L, -1));
            MAT_AT(m, i - 1, j - 1) = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    return 1;
}

static int l_matrix(lua_State *L)
{
    if (lua_istable(L, 1)) return matrix_from_table(L, 1);
    Matrix *src = il_tomatrix(L, 1);
    if (src) {
        Matrix *m = il_newmatrix(L, src->rows, src->cols);
        mat_copy(m, src);
        return 1;
    }
    if (lua_type(L, 1) != LUA_TNUMBER)
        return luaL_error(L, "matrix: expected (rows, cols [, fill]), a table of rows or a matrix, got %s",
                          luaL_typename(L, 1));
    size_t r = il_checksize(L, 1, "rows"), c = il_checksize(L, 2, "cols");
    double v = luaL_optnumber(L, 3, 0.0);
    Matrix *m = il_newmatrix(L, r, c);
    if (v != 0.0) mat_fill(m, v);
    return 1;
}

static int new_filled(lua_State *L, double v)
{
    size_t r = il_checksize(L, 1, "rows"), c = il_checksize(L, 2, "cols");
    Matrix *m = il_newmatrix(L, r, c);
    if (v != 0.0) mat_fill(m, v);
    return 1;
}
static int l_zeros(lua_State *L) { return new_filled(L, 0.0); }
static int l_ones(lua_State *L) { return new_filled(L, 1.0); }
static int l_full(lua_State *L) { return new_filled(L, luaL_checknumber(L, 3)); }

static int l_eye(lua_State *L)
{
    size_t r = il_checksize(L, 1, "rows");
    size_t c = lua_isnoneornil(L, 2) ? r : il_checksize(L, 2, "cols");
    Matrix *m = il_newmatrix(L, r, c);
    for (size_t i = 0; i < r && i < c; i++) MAT_AT(m, i, i) = 1.0;
    return 1;
}

static int l_ismatrix(lua_State *L)
{
    lua_pushboolean(L, il_tomatrix(L, 1) != NULL);
    return 1;
}

/* ---- shape and elements ---- */

static int l_shape(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    lua_pushinteger(L, (lua_Integer)m->rows);
    lua_pushinteger(L, (lua_Integer)m->cols);
    return 2;
}
static int l_rows(lua_State *L) { lua_pushinteger(L, (lua_Integer)il_checkmatrix(L, 1)->rows); return 1; }
static int l_cols(lua_State *L) { lua_pushinteger(L, (lua_Integer)il_checkmatrix(L, 1)->cols); return 1; }
static int l_numel(lua_State *L) { lua_pushinteger(L, (lua_Integer)mat_numel(il_checkmatrix(L, 1))); return 1; }

/* A 1-based index within [1, n], or a Lua error naming the matrix shape. */
static size_t check_index(lua_State *L, int idx, size_t n, const Matrix *m, const char *what)
{
    lua_Integer i = luaL_checkinteger(L, idx);
    if (i < 1 || (size_t)i > n)
        luaL_error(L, "%s index %I out of range for a %Ix%I matrix (expected 1..%I)", what, i, (lua_Integer)m->rows,
                   (lua_Integer)m->cols, (lua_Integer)n);
    return (size_t)(i - 1);
}

static int l_get(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    size_t i = check_index(L, 2, m->rows, m, "row"), j = check_index(L, 3, m->cols, m, "column");
    lua_pushnumber(L, MAT_AT(m, i, j));
    return 1;
}

static int l_set(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    size_t i = check_index(L, 2, m->rows, m, "row"), j = check_index(L, 3, m->cols, m, "column");
    MAT_AT(m, i, j) = luaL_checknumber(L, 4);
    lua_settop(L, 1);
    return 1;
}

static int l_totable(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    lua_createtable(L, (int)m->rows, 0);
    for (size_t i = 0; i < m->rows; i++) {
        lua_createtable(L, (int)m->cols, 0);
        for (size_t j = 0; j < m->cols; j++) {
            lua_pushnumber(L, MAT_AT(m, i, j));
            lua_rawseti(L, -2, (lua_Integer)j + 1);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int l_tostring(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    size_t n = mat_format(NULL, 0, m);
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, n + 1);
    mat_format(p, n + 1, m);
    luaL_pushresultsize(&b, n);
    return 1;
}

static int l_len(lua_State *L) { return l_numel(L); }

static int l_reshape(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    size_t r = il_checksize(L, 2, "rows"), c = il_checksize(L, 3, "cols");
    if (r * c != mat_numel(m))
        return luaL_error(L, "reshape: cannot reshape %Ix%I (%I elements) into %Ix%I", (lua_Integer)m->rows,
                          (lua_Integer)m->cols, (lua_Integer)mat_numel(m), (lua_Integer)r, (lua_Integer)c);
    Matrix *out = il_newmatrix(L, r, c);
    memcpy(out->data, m->data, mat_numel(m) * sizeof(double));
    return 1;
}

static int l_slice(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    lua_Integer r1 = luaL_optinteger(L, 2, 1), r2 = luaL_optinteger(L, 3, (lua_Integer)m->rows);
    lua_Integer c1 = luaL_optinteger(L, 4, 1), c2 = luaL_optinteger(L, 5, (lua_Integer)m->cols);
    if (r1 < 1 || r2 > (lua_Integer)m->rows || r1 > r2 + 1 || c1 < 1 || c2 > (lua_Integer)m->cols || c1 > c2 + 1)
        return luaL_error(L, "slice: rows %I..%I, columns %I..%I out of range for a %Ix%I matrix", r1, r2, c1, c2,
                          (lua_Integer)m->rows, (lua_Integer)m->cols);
    Matrix *out = il_newmatrix(L, (size_t)(r2 - r1 + 1), (size_t)(c2 - c1 + 1));
    for (size_t i = 0; i < out->rows; i++)
        memcpy(&MAT_AT(out, i, 0), &MAT_AT(m, (size_t)r1 - 1 + i, (size_t)c1 - 1), out->cols * sizeof(double));
    return 1;
}

/* m:map(f): a new matrix of f(x, i, j) for every element (a convenience, not a fast path). */
static int l_map(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    Matrix *out = il_newmatrix(L, m->rows, m->cols);
    for (size_t i = 0; i < m->rows; i++)
        for (size_t j = 0; j < m->cols; j++) {
            lua_pushvalue(L, 2);
            lua_pushnumber(L, MAT_AT(m, i, j));
            lua_pushinteger(L, (lua_Integer)i + 1);
            lua_pushinteger(L, (lua_Integer)j + 1);
            lua_call(L, 3, 1);
            if (lua_type(L, -1) != LUA_TNUMBER)
                return luaL_error(L, "map: the function returned a %s for element [%I][%I], expected a number",
                                  luaL_typename(L, -1), (lua_Integer)i + 1, (lua_Integer)j + 1);
            MAT_AT(out, i, j) = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    return 1;
}

/* ---- products ---- */

static int product(lua_State *L, const char *name, int transA, int transB)
{
    Matrix *A = il_checkmatrix(L, 1), *B = il_checkmatrix(L, 2);
    size_t r, c;
    if (mat_gemm_shape(A, transA, B, transB, &r, &c) != IL_OK)
        return luaL_error(L, "%s: shapes %Ix%I%s and %Ix%I%s do not align", name, (lua_Integer)A->rows,
                          (lua_Integer)A->cols, transA ? " (transposed)" : "", (lua_Integer)B->rows,
                          (lua_Integer)B->cols, transB ? " (transposed)" : "");
    Matrix *out = il_optout(L, 3, r, c);
    if (out == A || out == B) return luaL_error(L, "%s: the result must not be one of the operands", name);
    il_check_status(L, mat_gemm(out, A, transA, B, transB, 1.0, 0.0), name, A, B);
    return 1;
}
static int l_matmul(lua_State *L) { return product(L, "matmul", 0, 0); }
static int l_matmul_tn(lua_State *L) { return product(L, "matmul_tn", 1, 0); }
static int l_matmul_nt(lua_State *L) { return product(L, "matmul_nt", 0, 1); }

static int l_gemm(lua_State *L)
{
    Matrix *C = il_checkmatrix(L, 1), *A = il_checkmatrix(L, 2), *B = il_checkmatrix(L, 3);
    int ta = lua_toboolean(L, 4), tb = lua_toboolean(L, 5);
    double alpha = luaL_optnumber(L, 6, 1.0), beta = luaL_optnumber(L, 7, 0.0);
    size_t r, c;
    if (mat_gemm_shape(A, ta, B, tb, &r, &c) != IL_OK || C->rows != r || C->cols != c)
        return luaL_error(L, "gemm: C %Ix%I, op(A) from %Ix%I%s, op(B) from %Ix%I%s do not align",
                          (lua_Integer)C->rows, (lua_Integer)C->cols, (lua_Integer)A->rows, (lua_Integer)A->cols,
                          ta ? " transposed" : "", (lua_Integer)B->rows, (lua_Integer)B->cols, tb ? " transposed" : "");
    if (C == A || C == B) return luaL_error(L, "gemm: C must not be one of the operands");
    il_check_status(L, mat_gemm(C, A, ta, B, tb, alpha, beta), "gemm", A, B);
    lua_settop(L, 1);
    return 1;
}

/* ---- elementwise ---- */

/* An operand of an elementwise operation: a matrix or a number (strings are refused, even numeric ones). */
static Matrix *operand(lua_State *L, int idx, const char *name, double *scalar)
{
    Matrix *m = il_tomatrix(L, idx);
    if (m) return m;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        *scalar = lua_tonumber(L, idx);
        return NULL;
    }
    luaL_error(L, "%s: operand %d is a %s, expected a matrix or a number", name, idx, luaL_typename(L, idx));
    return NULL;
}

static int binary(lua_State *L, il_binop op, const char *name)
{
    double sa = 0, sb = 0;
    Matrix *a = operand(L, 1, name, &sa), *b = operand(L, 2, name, &sb);
    if (!a && !b) {
        return luaL_error(L, "%s: at least one operand must be a matrix, got two numbers", name);
    }
    if (a && b) {
        size_t r, c;
        if (mat_broadcast_shape(a, b, &r, &c) != IL_OK)
            return luaL_error(L, "%s: shapes %Ix%I and %Ix%I do not broadcast", name, (lua_Integer)a->rows,
                              (lua_Integer)a->cols, (lua_Integer)b->rows, (lua_Integer)b->cols);
        Matrix *out = il_optout(L, 3, r, c);
        il_check_status(L, mat_binop(out, op, a, b), name, a, b);
    } else {
        Matrix *m = a ? a : b;
        Matrix *out = il_optout(L, 3, m->rows, m->cols);
        il_check_status(L, mat_binop_scalar(out, op, m, a ? sb : sa, a == NULL), name, m, NULL);
    }
    return 1;
}

#define BINARY(fname, OP) static int l_##fname(lua_State *L) { return binary(L, OP, #fname); }
BINARY(add, IL_ADD)
BINARY(sub, IL_SUB)
BINARY(mul, IL_MUL)
BINARY(div, IL_DIV)
BINARY(pow, IL_POW)
BINARY(maximum, IL_MAXIMUM)
BINARY(minimum, IL_MINIMUM)
BINARY(lt, IL_LT)
BINARY(le, IL_LE)
BINARY(gt, IL_GT)
BINARY(ge, IL_GE)
BINARY(eq, IL_EQ)
BINARY(ne, IL_NE)

/* Metamethods receive exactly two operands: drop any third so no `out` is taken from the stack. */
#define ARITH_META(fname, OP) \
    static int m_##fname(lua_State *L) { lua_settop(L, 2); return binary(L, OP, #fname); }
ARITH_META(add, IL_ADD)
ARITH_META(sub, IL_SUB)
ARITH_META(mul, IL_MUL)
ARITH_META(div, IL_DIV)
ARITH_META(pow, IL_POW)

static int l_scale(lua_State *L)
{
    Matrix *a = il_checkmatrix(L, 1);
    double s = luaL_checknumber(L, 2);
    Matrix *out = il_optout(L, 3, a->rows, a->cols);
    il_check_status(L, mat_binop_scalar(out, IL_MUL, a, s, 0), "scale", a, NULL);
    return 1;
}

static int l_axpy(lua_State *L)
{
    Matrix *y = il_checkmatrix(L, 1);
    double alpha = luaL_checknumber(L, 2);
    Matrix *x = il_checkmatrix(L, 3);
    if (!mat_same_shape(x, y))
        return luaL_error(L, "axpy: shapes %Ix%I and %Ix%I do not match", (lua_Integer)y->rows, (lua_Integer)y->cols,
                          (lua_Integer)x->rows, (lua_Integer)x->cols);
    mat_axpy(y, alpha, x);
    lua_settop(L, 1);
    return 1;
}

static int unary(lua_State *L, il_unop op, const char *name)
{
    Matrix *a = il_checkmatrix(L, 1);
    Matrix *out = il_optout(L, 2, a->rows, a->cols);
    il_check_status(L, mat_unop(out, op, a), name, a, NULL);
    return 1;
}

#define UNARY(fname, OP) static int l_##fname(lua_State *L) { return unary(L, OP, #fname); }
UNARY(neg, IL_NEG)
UNARY(exp, IL_EXP)
UNARY(log, IL_LOG)
UNARY(sqrt, IL_SQRT)
UNARY(abs, IL_ABS)
UNARY(sign, IL_SIGN)
UNARY(square, IL_SQUARE)

static int m_unm(lua_State *L) { lua_settop(L, 1); return unary(L, IL_NEG, "unm"); }

static int m_eq(lua_State *L)
{
    Matrix *a = il_tomatrix(L, 1), *b = il_tomatrix(L, 2);
    int equal = a && b && mat_same_shape(a, b);
    for (size_t k = 0; equal && k < mat_numel(a); k++) equal = a->data[k] == b->data[k];
    lua_pushboolean(L, equal);
    return 1;
}

static int l_copy(lua_State *L)
{
    Matrix *a = il_checkmatrix(L, 1);
    Matrix *out = il_optout(L, 2, a->rows, a->cols);
    mat_copy(out, a);
    return 1;
}

static int l_transpose(lua_State *L)
{
    Matrix *a = il_checkmatrix(L, 1);
    Matrix *out = il_optout(L, 2, a->cols, a->rows);
    if (out == a) return luaL_error(L, "transpose: the result must not be the operand");
    mat_transpose(out, a);
    return 1;
}

static int l_fill(lua_State *L)
{
    Matrix *m = il_checkmatrix(L, 1);
    mat_fill(m, luaL_checknumber(L, 2));
    lua_settop(L, 1);
    return 1;
}

/* ---- reductions ---- */

static int reduce(lua_State *L, il_reduce op, const char *name)
{
    Matrix *a = il_checkmatrix(L, 1);
    int dim = (int)luaL_optinteger(L, 2, 0);
    luaL_argcheck(L, dim >= 0 && dim <= 2, 2, "dimension must be 1 (down columns) or 2 (along rows)");
    size_t r, c;
    mat_reduce_shape(a, dim, &r, &c);
    if (dim == 0) {
        double value;
        Matrix result = {1, 1, &value}, *one = &result; /* a 1 x 1 result on the stack: no allocation */
        il_status st = mat_reduce(one, op, a, 0);
        if (st == IL_EEMPTY) return luaL_error(L, "%s: the matrix is empty (%Ix%I)", name, (lua_Integer)a->rows,
                                               (lua_Integer)a->cols);
        il_check_status(L, st, name, a, NULL);
        if (op == IL_ARGMIN || op == IL_ARGMAX) lua_pushinteger(L, (lua_Integer)one->data[0]);
        else lua_pushnumber(L, one->data[0]);
        return 1;
    }
    Matrix *out = il_optout(L, 3, r, c);
    il_status st = mat_reduce(out, op, a, dim);
    if (st == IL_EEMPTY) return luaL_error(L, "%s: nothing to reduce along dimension %d of a %Ix%I matrix", name,
                                           dim, (lua_Integer)a->rows, (lua_Integer)a->cols);
    il_check_status(L, st, name, a, NULL);
    return 1;
}

#define REDUCE(fname, OP) static int l_##fname(lua_State *L) { return reduce(L, OP, #fname); }
REDUCE(sum, IL_SUM)
REDUCE(nansum, IL_NANSUM)
REDUCE(mean, IL_MEAN)
REDUCE(min, IL_MIN)
REDUCE(max, IL_MAX)
REDUCE(argmin, IL_ARGMIN)
REDUCE(argmax, IL_ARGMAX)

/* rowsum(a [, out]) and friends: reduce(a, dim, out) with the dimension fixed. */
static int reduce_fixed(lua_State *L, il_reduce op, int dim, const char *name)
{
    lua_settop(L, 2);
    lua_pushinteger(L, dim);
    lua_insert(L, 2);
    return reduce(L, op, name);
}
static int l_rowsum(lua_State *L) { return reduce_fixed(L, IL_SUM, 2, "rowsum"); }
static int l_colsum(lua_State *L) { return reduce_fixed(L, IL_SUM, 1, "colsum"); }
static int l_rowmean(lua_State *L) { return reduce_fixed(L, IL_MEAN, 2, "rowmean"); }
static int l_colmean(lua_State *L) { return reduce_fixed(L, IL_MEAN, 1, "colmean"); }

/* Population variance over every element, as numpy's var (two passes for accuracy). */
static double variance(const Matrix *a)
{
    size_t n = mat_numel(a);
    if (n == 0) return NAN;
    double mean = 0;
    for (size_t k = 0; k < n; k++) mean += a->data[k];
    mean /= (double)n;
    double ss = 0;
    for (size_t k = 0; k < n; k++) ss += (a->data[k] - mean) * (a->data[k] - mean);
    return ss / (double)n;
}
static int l_var(lua_State *L) { lua_pushnumber(L, variance(il_checkmatrix(L, 1))); return 1; }
static int l_std(lua_State *L) { lua_pushnumber(L, sqrt(variance(il_checkmatrix(L, 1)))); return 1; }
static int l_norm(lua_State *L)
{
    Matrix *a = il_checkmatrix(L, 1);
    double ss = 0;
    for (size_t k = 0; k < mat_numel(a); k++) ss += a->data[k] * a->data[k];
    lua_pushnumber(L, sqrt(ss));
    return 1;
}

/* Functions that take a matrix first: module functions and methods alike. */
static const luaL_Reg matrix_first[] = {
    {"shape", l_shape}, {"rows", l_rows}, {"cols", l_cols}, {"numel", l_numel},
    {"get", l_get}, {"set", l_set}, {"totable", l_totable}, {"T", l_transpose},
    {"transpose", l_transpose}, {"copy", l_copy}, {"fill", l_fill}, {"reshape", l_reshape},
    {"slice", l_slice}, {"map", l_map},
    {"add", l_add}, {"sub", l_sub}, {"mul", l_mul}, {"div", l_div}, {"pow", l_pow},
    {"maximum", l_maximum}, {"minimum", l_minimum},
    {"lt", l_lt}, {"le", l_le}, {"gt", l_gt}, {"ge", l_ge}, {"eq", l_eq}, {"ne", l_ne},
    {"scale", l_scale}, {"axpy", l_axpy},
    {"neg", l_neg}, {"exp", l_exp}, {"log", l_log}, {"sqrt", l_sqrt}, {"abs", l_abs},
    {"sign", l_sign}, {"square", l_square},
    {"sum", l_sum}, {"nansum", l_nansum}, {"mean", l_mean}, {"min", l_min}, {"max", l_max},
    {"argmin", l_argmin}, {"argmax", l_argmax},
    {"rowsum", l_rowsum}, {"colsum", l_colsum}, {"rowmean", l_rowmean}, {"colmean", l_colmean},
    {"var", l_var}, {"std", l_std}, {"norm", l_norm},
    {"matmul", l_matmul}, {"matmul_tn", l_matmul_tn}, {"matmul_nt", l_matmul_nt},
    {NULL, NULL}};

static const luaL_Reg module_only[] = {
    {"matrix", l_matrix}, {"zeros", l_zeros}, {"ones", l_ones}, {"full", l_full}, {"eye", l_eye},
    {"ismatrix", l_ismatrix}, {"gemm", l_gemm}, {"tostring", l_tostring},
    {NULL, NULL}};

static const luaL_Reg metamethods[] = {
    {"__add", m_add}, {"__sub", m_sub}, {"__mul", m_mul}, {"__div", m_div}, {"__pow", m_pow},
    {"__unm", m_unm}, {"__eq", m_eq}, {"__len", l_len}, {"__tostring", l_tostring},
    {"__index", NULL}, {NULL, NULL}};

void il_open_matrix(lua_State *L)
{
    il_setfuncs(L, matrix_first);
    il_setfuncs(L, module_only);
    luaL_newmetatable(L, IL_MATRIX_TYPE); /* sets __name, used in error messages */
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &matrix_metatable_key);
    il_setfuncs(L, metamethods);
    luaL_newlibtable(L, matrix_first);
    il_setfuncs(L, matrix_first);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
