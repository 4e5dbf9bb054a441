/* matrix.h: dense float64 matrices and the elementwise / reduction kernels on them.
 *
 * Legend: a matrix is rows x cols, stored row-major (C order) in `data`, like a numpy array.
 * The data lives in the same block of memory as the header, just after it, so inside a Lua userdata
 * the garbage collector sees a matrix's true size. It starts on a 64-byte boundary, so every row of a
 * multiple of 4 columns (the lesson's 300 examples) starts on a 32-byte one, and the AVX2 kernels' vector
 * loads and stores never straddle two cache lines (the lesson's dW2 = dZ2 A1^T: 1.4 us straddling, 0.9 us not).
 *
 * Conventions: output first; kernels check shapes, never allocate, never print, and return an
 * il_status. `out` may alias an input of the same shape for elementwise kernels (in-place updates);
 * kernels that cannot work in place say so and refuse aliasing with IL_EVALUE. */
#ifndef INITLAB_MATRIX_H
#define INITLAB_MATRIX_H

#include <stddef.h>
#include "status.h"

typedef struct Matrix {
    size_t rows, cols;
    double *data; /* rows * cols values, row-major */
} Matrix;

#define IL_MATRIX_ALIGN 64

/* Sizes above these are refused before any allocation is tried. */
#define IL_MAX_DIM (((size_t)1 << 31) - 1)
#define IL_MAX_ELEMENTS ((size_t)1 << 32)

#define MAT_AT(m, i, j) ((m)->data[(size_t)(i) * (m)->cols + (size_t)(j)])

static inline size_t mat_numel(const Matrix *m) { return m->rows * m->cols; }
static inline int mat_same_shape(const Matrix *a, const Matrix *b)
{
    return a->rows == b->rows && a->cols == b->cols;
}

/* Bytes needed for a rows x cols matrix in one block (header, alignment, data), or 0 when the size is
 * refused (too large). */
size_t mat_bytes(size_t rows, size_t cols);
/* The rows x cols matrix in `block`, of mat_bytes(rows, cols) bytes and aligned for a Matrix: sets its
 * header, leaves the data as it was. */
Matrix *mat_place(void *block, size_t rows, size_t cols);

/* For C users and tests only (kernels never allocate): a zero-filled matrix from malloc, NULL on failure. */
Matrix *mat_new(size_t rows, size_t cols);
void mat_free(Matrix *m);

/* ---- fill, copy, transpose ---- */
void mat_fill(Matrix *m, double v);
il_status mat_copy(Matrix *out, const Matrix *a);          /* same shape */
il_status mat_transpose(Matrix *out, const Matrix *a);     /* out: a->cols x a->rows, must not alias a */

/* ---- elementwise binary operations with numpy broadcasting ----
 * Two shapes broadcast when each dimension is equal or one of them is 1: an m x 1 column,
 * a 1 x n row or a 1 x 1 scalar stretches over the other operand. */
typedef enum il_binop {
    IL_ADD, IL_SUB, IL_MUL, IL_DIV, IL_POW, IL_MAXIMUM, IL_MINIMUM,
    IL_LT, IL_LE, IL_GT, IL_GE, IL_EQ, IL_NE /* comparisons give 1.0 / 0.0 masks */
} il_binop;

il_status mat_broadcast_shape(const Matrix *a, const Matrix *b, size_t *rows, size_t *cols);
/* out has the broadcast shape of a and b. */
il_status mat_binop(Matrix *out, il_binop op, const Matrix *a, const Matrix *b);
/* out = a (op) s, or s (op) a when scalar_first; out has the shape of a. */
il_status mat_binop_scalar(Matrix *out, il_binop op, const Matrix *a, double s, int scalar_first);
/* y += alpha * x (same shape): the gradient-descent update W -= lr * dW. */
il_status mat_axpy(Matrix *y, double alpha, const Matrix *x);

/* ---- elementwise unary operations ---- */
typedef enum il_unop {
    IL_NEG, IL_EXP, IL_LOG, IL_SQRT, IL_ABS, IL_RELU /* max(x, 0) */, IL_SIGN, IL_SQUARE,
    IL_TANH, IL_SIGMOID /* 1 / (1 + exp(-x)) */
} il_unop;
il_status mat_unop(Matrix *out, il_unop op, const Matrix *a);   /* same shape */

/* ---- reductions ----
 * dim 0: over every element (out 1 x 1); dim 1: down each column (out 1 x cols, numpy axis=0);
 * dim 2: along each row (out rows x 1, numpy axis=1 with keepdims).
 * ARGMIN / ARGMAX give 1-based indices (for dim 0: the 1-based row-major position); NaN wins as in numpy. */
typedef enum il_reduce { IL_SUM, IL_MEAN, IL_MIN, IL_MAX, IL_ARGMIN, IL_ARGMAX, IL_NANSUM } il_reduce;
il_status mat_reduce_shape(const Matrix *a, int dim, size_t *rows, size_t *cols);
il_status mat_reduce(Matrix *out, il_reduce op, const Matrix *a, int dim);

#endif
