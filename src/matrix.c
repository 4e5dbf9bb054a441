/* matrix.c: construction, elementwise kernels with numpy broadcasting, and reductions.
 * Sums use numpy's own summation orders (pairwise along a row, sequential down a column) so that
 * initlab's costs agree with numpy's to the last bit wherever numpy does not call BLAS.
 * Speed: the loops are written so the compiler can vectorise them without changing a single result
 * (contiguous inner loops, no reassociation), and IL_VECTORIZED compiles them for AVX-512 and AVX2 too;
 * the sigmoid goes through fast_exp.c's vectorised exp. */
#include "matrix.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "elementwise.h"

size_t mat_bytes(size_t rows, size_t cols)
{
    if (rows > IL_MAX_DIM || cols > IL_MAX_DIM) return 0;
    if (rows != 0 && cols > IL_MAX_ELEMENTS / rows) return 0;
    return sizeof(Matrix) + IL_MATRIX_ALIGN + rows * cols * sizeof(double);
}

Matrix *mat_place(void *block, size_t rows, size_t cols)
{
    Matrix *m = block;
    uintptr_t after = (uintptr_t)(m + 1);
    m->rows = rows;
    m->cols = cols;
    m->data = (double *)((after + IL_MATRIX_ALIGN - 1) & ~(uintptr_t)(IL_MATRIX_ALIGN - 1));
    return m;
}

Matrix *mat_new(size_t rows, size_t cols)
{
    size_t bytes = mat_bytes(rows, cols);
    if (bytes == 0) return NULL;
    void *block = calloc(1, bytes);
    return block ? mat_place(block, rows, cols) : NULL;
}

void mat_free(Matrix *m) { free(m); }

IL_VECTORIZED
void mat_fill(Matrix *m, double v)
{
    size_t n = mat_numel(m);
    for (size_t i = 0; i < n; i++) m->data[i] = v;
}

il_status mat_copy(Matrix *out, const Matrix *a)
{
    if (!mat_same_shape(out, a)) return IL_ESHAPE;
    if (out != a) memmove(out->data, a->data, mat_numel(a) * sizeof(double));
    return IL_OK;
}

il_status mat_transpose(Matrix *out, const Matrix *a)
{
    if (out->rows != a->cols || out->cols != a->rows) return IL_ESHAPE;
    if (out == a) return IL_EVALUE;
    for (size_t i = 0; i < a->rows; i++)
        for (size_t j = 0; j < a->cols; j++) MAT_AT(out, j, i) = MAT_AT(a, i, j);
    return IL_OK;
}

/* ---- elementwise binary ---- */

static int dims_broadcast(size_t x, size_t y, size_t *r)
{
    if (x == y || y == 1) *r = x;
    else if (x == 1) *r = y;
    else return 0;
    return 1;
}

il_status mat_broadcast_shape(const Matrix *a, const Matrix *b, size_t *rows, size_t *cols)
{
    if (!dims_broadcast(a->rows, b->rows, rows) || !dims_broadcast(a->cols, b->cols, cols))
        return IL_ESHAPE;
    return IL_OK;
}

/* numpy's maximum/minimum propagate NaN from either side. */
static inline double nan_max(double x, double y) { return (x >= y || isnan(x)) ? x : y; }
static inline double nan_min(double x, double y) { return (x <= y || isnan(x)) ? x : y; }

/* One loop per operator keeps the switch out of the inner loop. An operand broadcast along a row
 * (an m x 1 column or a scalar) is read once per row, so every inner loop runs over contiguous memory. */
#define BROADCAST_LOOP(EXPR)                                                                      \
    for (size_t i = 0; i < rows; i++) {                                                           \
        const double *pa = a->data + (a->rows == 1 ? 0 : i * a->cols);                           \
        const double *pb = b->data + (b->rows == 1 ? 0 : i * b->cols);                            \
        double *po = out->data + i * cols;                                                        \
        if (sa && sb)                                                                             \
            for (size_t j = 0; j < cols; j++) { double x = pa[j], y = pb[j]; po[j] = (EXPR); }    \
        else if (sa) {                                                                            \
            const double y = pb[0];                                                               \
            for (size_t j = 0; j < cols; j++) { double x = pa[j]; po[j] = (EXPR); }               \
        } else if (sb) {                                                                          \
            const double x = pa[0];                                                               \
            for (size_t j = 0; j < cols; j++) { double y = pb[j]; po[j] = (EXPR); }               \
        } else {                                                                                  \
            const double x = pa[0], y = pb[0];                                                    \
            for (size_t j = 0; j < cols; j++) po[j] = (EXPR);                                     \
        }                                                                                         \
    }

IL_VECTORIZED
il_status mat_binop(Matrix *out, il_binop op, const Matrix *a, const Matrix *b)
{
    size_t rows, cols;
    if (mat_broadcast_shape(a, b, &rows, &cols) != IL_OK) return IL_ESHAPE;
    if (out->rows != rows || out->cols != cols) return IL_ESHAPE;
    /* out may be a or b only when that operand has the full shape (same element read, then written) */
    if ((out == a && !mat_same_shape(a, out)) || (out == b && !mat_same_shape(b, out))) return IL_EVALUE;
    size_t sa = (a->cols == 1 && cols != 1) ? 0 : 1;
    size_t sb = (b->cols == 1 && cols != 1) ? 0 : 1;
    switch (op) {
    case IL_ADD: BROADCAST_LOOP(x + y); break;
    case IL_SUB: BROADCAST_LOOP(x - y); break;
    case IL_MUL: BROADCAST_LOOP(x * y); break;
    case IL_DIV: BROADCAST_LOOP(x / y); break;
    case IL_POW: BROADCAST_LOOP(pow(x, y)); break;
    case IL_MAXIMUM: BROADCAST_LOOP(nan_max(x, y)); break;
    case IL_MINIMUM: BROADCAST_LOOP(nan_min(x, y)); break;
    case IL_LT: BROADCAST_LOOP(x < y ? 1.0 : 0.0); break;
    case IL_LE: BROADCAST_LOOP(x <= y ? 1.0 : 0.0); break;
    case IL_GT: BROADCAST_LOOP(x > y ? 1.0 : 0.0); break;
    case IL_GE: BROADCAST_LOOP(x >= y ? 1.0 : 0.0); break;
    case IL_EQ: BROADCAST_LOOP(x == y ? 1.0 : 0.0); break;
    case IL_NE: BROADCAST_LOOP(x != y ? 1.0 : 0.0); break;
    default: return IL_EVALUE;
    }
    return IL_OK;
}

#define SCALAR_LOOP(EXPR)                                                                         \
    if (scalar_first)                                                                             \
        for (size_t k = 0; k < n; k++) { double x = s, y = a->data[k]; out->data[k] = (EXPR); }   \
    else                                                                                          \
        for (size_t k = 0; k < n; k++) { double x = a->data[k], y = s; out->data[k] = (EXPR); }

IL_VECTORIZED
il_status mat_binop_scalar(Matrix *out, il_binop op, const Matrix *a, double s, int scalar_first)
{
    if (!mat_same_shape(out, a)) return IL_ESHAPE;
    size_t n = mat_numel(a);
    switch (op) {
    case IL_ADD: SCALAR_LOOP(x + y); break;
    case IL_SUB: SCALAR_LOOP(x - y); break;
    case IL_MUL: SCALAR_LOOP(x * y); break;
    case IL_DIV: SCALAR_LOOP(x / y); break;
    case IL_POW: SCALAR_LOOP(pow(x, y)); break;
    case IL_MAXIMUM: SCALAR_LOOP(nan_max(x, y)); break;
    case IL_MINIMUM: SCALAR_LOOP(nan_min(x, y)); break;
    case IL_LT: SCALAR_LOOP(x < y ? 1.0 : 0.0); break;
    case IL_LE: SCALAR_LOOP(x <= y ? 1.0 : 0.0); break;
    case IL_GT: SCALAR_LOOP(x > y ? 1.0 : 0.0); break;
    case IL_GE: SCALAR_LOOP(x >= y ? 1.0 : 0.0); break;
    case IL_EQ: SCALAR_LOOP(x == y ? 1.0 : 0.0); break;
    case IL_NE: SCALAR_LOOP(x != y ? 1.0 : 0.0); break;
    default: return IL_EVALUE;
    }
    return IL_OK;
}

IL_VECTORIZED
il_status mat_axpy(Matrix *y, double alpha, const Matrix *x)
{
    if (!mat_same_shape(y, x)) return IL_ESHAPE;
    size_t n = mat_numel(y);
    for (size_t k = 0; k < n; k++) y->data[k] += alpha * x->data[k];
    return IL_OK;
}

/* ---- elementwise unary ---- */

#define UNARY_LOOP(EXPR)                                                                          \
    for (size_t k = 0; k < n; k++) { double x = a->data[k]; out->data[k] = (EXPR); }

IL_VECTORIZED
il_status mat_unop(Matrix *out, il_unop op, const Matrix *a)
{
    if (!mat_same_shape(out, a)) return IL_ESHAPE;
    size_t n = mat_numel(a);
    switch (op) {
    case IL_NEG: UNARY_LOOP(-x); break;
    case IL_EXP: UNARY_LOOP(exp(x)); break;
    case IL_LOG: UNARY_LOOP(log(x)); break;
    case IL_SQRT: UNARY_LOOP(sqrt(x)); break;
    case IL_ABS: UNARY_LOOP(fabs(x)); break;
    case IL_RELU: ew_relu(ew_all(n), out->data, a->data); break; /* nan_max(x, 0): NaN and -0 kept */
    case IL_SIGN: UNARY_LOOP(x > 0 ? 1.0 : x < 0 ? -1.0 : x); break; /* keeps 0, -0 and NaN */
    case IL_SQUARE: UNARY_LOOP(x * x); break;
    case IL_TANH: UNARY_LOOP(tanh(x)); break;
    case IL_SIGMOID: ew_sigmoid(ew_all(n), out->data, a->data); break; /* 1 / (1 + exp(-x)), vectorised */
    default: return IL_EVALUE;
    }
    return IL_OK;
}

/* ---- reductions ---- */

/* numpy's pairwise summation (eight accumulators in blocks of up to 128, halving above), which np.sum
 * uses along an axis; elementwise.c has the contiguous case. `skip_nan` gives nansum. */
static double pairwise_sum(const double *a, size_t n, size_t stride, int skip_nan)
{
    if (stride == 1) return ew_pairwise_sum(a, n, skip_nan);
#define ITEM(k) (skip_nan && isnan(a[(k) * stride]) ? 0.0 : a[(k) * stride])
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++) res += ITEM(i);
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++) r[j] = ITEM(j);
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += ITEM(i + j);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += ITEM(i);
        return res;
    }
    size_t n2 = ew_pairwise_split(n);
    return pairwise_sum(a, n2, stride, skip_nan) + pairwise_sum(a + n2 * stride, n - n2, stride, skip_nan);
#undef ITEM
}

/* out[j] = sum down column j, one row after another (numpy's order for axis=0), all columns at once. */
IL_VECTORIZED
static void column_sums(double *out, const Matrix *a, int skip_nan)
{
    for (size_t j = 0; j < a->cols; j++) out[j] = 0.0;
    for (size_t i = 0; i < a->rows; i++) {
        const double *row = a->data + i * a->cols;
        if (skip_nan)
            for (size_t j = 0; j < a->cols; j++) out[j] += isnan(row[j]) ? 0.0 : row[j];
        else
            for (size_t j = 0; j < a->cols; j++) out[j] += row[j];
    }
}

il_status mat_reduce_shape(const Matrix *a, int dim, size_t *rows, size_t *cols)
{
    switch (dim) {
    case 0: *rows = 1; *cols = 1; return IL_OK;
    case 1: *rows = 1; *cols = a->cols; return IL_OK;
    case 2: *rows = a->rows; *cols = 1; return IL_OK;
    default: return IL_EVALUE;
    }
}

/* Reduces n values a[0], a[stride], ... with one operator. Index results are 1-based. */
static double reduce_line(il_reduce op, const double *a, size_t n, size_t stride)
{
    switch (op) {
    case IL_SUM: return pairwise_sum(a, n, stride, 0);
    case IL_NANSUM: return pairwise_sum(a, n, stride, 1);
    case IL_MEAN: return pairwise_sum(a, n, stride, 0) / (double)n;
    default: break;
    }
    size_t best = 0;
    for (size_t i = 1; i < n; i++) {
        double v = a[i * stride], b = a[best * stride];
        if (isnan(b)) break; /* the first NaN wins, as in numpy */
        int better = (op == IL_MIN || op == IL_ARGMIN) ? (v < b) : (v > b);
        if (better || isnan(v)) best = i;
    }
    if (op == IL_ARGMIN || op == IL_ARGMAX) return (double)(best + 1);
    return a[best * stride];
}

il_status mat_reduce(Matrix *out, il_reduce op, const Matrix *a, int dim)
{
    size_t rows, cols;
    if (mat_reduce_shape(a, dim, &rows, &cols) != IL_OK) return IL_EVALUE;
    if (out->rows != rows || out->cols != cols) return IL_ESHAPE;
    if (out == a) return IL_EVALUE;
    int needs_items = !(op == IL_SUM || op == IL_NANSUM);
    size_t n = dim == 0 ? mat_numel(a) : dim == 1 ? a->rows : a->cols;
    if (n == 0 && needs_items) {
        if (op != IL_MEAN) return IL_EEMPTY;
    }
    if (dim == 0) {
        out->data[0] = (n == 0 && op == IL_MEAN) ? NAN : reduce_line(op, a->data, n, 1);
    } else if (dim == 2 && op == IL_SUM) {
        ew_pairwise_rows(out->data, a->data, a->rows, a->cols, a->cols); /* a layer's db: rows at once */
    } else if (dim == 2) {
        for (size_t i = 0; i < a->rows; i++)
            out->data[i] = (n == 0 && op == IL_MEAN) ? NAN : reduce_line(op, a->data + i * a->cols, n, 1);
    } else if (op == IL_SUM || op == IL_NANSUM || op == IL_MEAN) {
        column_sums(out->data, a, op == IL_NANSUM);
        if (op == IL_MEAN)
            for (size_t j = 0; j < a->cols; j++) out->data[j] /= (double)a->rows;
    } else {
        for (size_t j = 0; j < a->cols; j++) out->data[j] = reduce_line(op, a->data + j, a->rows, a->cols);
    }
    return IL_OK;
}
