/* layers.c: forward and backward passes of the network's layers, side by side.
 * The elementwise forward passes are the matrix kernels themselves (one formula, one place); this file
 * adds the backward passes, the linear layer's products and softmax. */
#include "layers.h"

#include <math.h>

#include "gemm.h"

/* ---- linear ---- */

/* Z: n_out x m, W: n_out x n_in, A: n_in x m, b: n_out x 1 */
il_status linear_forward(Matrix *Z, const Matrix *W, const Matrix *A, const Matrix *b)
{
    if (W->cols != A->rows || b->rows != W->rows || b->cols != 1 || Z->rows != W->rows || Z->cols != A->cols)
        return IL_ESHAPE;
    if (Z == W || Z == A || Z == b) return IL_EVALUE;
    il_status st = mat_gemm(Z, W, 0, A, 0, 1.0, 0.0);
    if (st != IL_OK) return st;
    return mat_binop(Z, IL_ADD, Z, b); /* b, a column, broadcasts over the examples */
}

/* dW: n_out x n_in, db: n_out x 1, dA: n_in x m or NULL; dZ: n_out x m, A: n_in x m, W: n_out x n_in */
il_status linear_backward(Matrix *dW, Matrix *db, Matrix *dA, const Matrix *dZ, const Matrix *A,
                          const Matrix *W)
{
    size_t n_out = W->rows, n_in = W->cols, m = dZ->cols;
    if (dZ->rows != n_out || A->rows != n_in || A->cols != m || dW->rows != n_out || dW->cols != n_in ||
        db->rows != n_out || db->cols != 1 || (dA && (dA->rows != n_in || dA->cols != m)))
        return IL_ESHAPE;
    /* Check everything before writing anything, so a refused call leaves every output untouched. */
    const Matrix *in[] = {dZ, A, W};
    for (int k = 0; k < 3; k++)
        if (in[k] == dW || in[k] == db || in[k] == dA) return IL_EVALUE;
    if (dW == db || (dA && (dA == dW || dA == db))) return IL_EVALUE;

    il_status st = mat_gemm(dW, dZ, 0, A, 1, 1.0, 0.0);
    if (st == IL_OK) st = mat_reduce(db, IL_SUM, dZ, 2); /* numpy's pairwise row sums */
    if (st == IL_OK && dA) st = mat_gemm(dA, W, 1, dZ, 0, 1.0, 0.0);
    return st;
}

/* ---- elementwise layers ----
 * Each backward pass reads element k of every input before writing element k of the output, which is
 * what makes in-place use safe. */

static il_status check_backward_shapes(const Matrix *dZ, const Matrix *dA, const Matrix *X)
{
    return mat_same_shape(dZ, dA) && mat_same_shape(dA, X) ? IL_OK : IL_ESHAPE;
}

/* out, Z: any shape, the same */
il_status relu_forward(Matrix *out, const Matrix *Z) { return mat_unop(out, IL_RELU, Z); }

/* dZ, dA, Z: the same shape */
il_status relu_backward(Matrix *dZ, const Matrix *dA, const Matrix *Z)
{
    if (check_backward_shapes(dZ, dA, Z) != IL_OK) return IL_ESHAPE;
    /* A multiplication by the 0/1 mask, not a selection, as the lesson's dA * np.int64(A > 0):
     * an inf or NaN gradient where the unit is off still gives NaN. */
    for (size_t k = 0, n = mat_numel(Z); k < n; k++)
        dZ->data[k] = dA->data[k] * (Z->data[k] > 0 ? 1.0 : 0.0);
    return IL_OK;
}

/* out, Z: the same shape */
il_status leaky_relu_forward(Matrix *out, const Matrix *Z, double slope)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    for (size_t k = 0, n = mat_numel(Z); k < n; k++) {
        double x = Z->data[k];
        out->data[k] = x > 0 ? x : slope * x;
    }
    return IL_OK;
}

/* dZ, dA, Z: the same shape */
il_status leaky_relu_backward(Matrix *dZ, const Matrix *dA, const Matrix *Z, double slope)
{
    if (check_backward_shapes(dZ, dA, Z) != IL_OK) return IL_ESHAPE;
    for (size_t k = 0, n = mat_numel(Z); k < n; k++)
        dZ->data[k] = dA->data[k] * (Z->data[k] > 0 ? 1.0 : slope);
    return IL_OK;
}

/* out, Z: the same shape */
il_status sigmoid_forward(Matrix *out, const Matrix *Z) { return mat_unop(out, IL_SIGMOID, Z); }

/* dZ, dA, S: the same shape; S = sigmoid(Z) */
il_status sigmoid_backward(Matrix *dZ, const Matrix *dA, const Matrix *S)
{
    if (check_backward_shapes(dZ, dA, S) != IL_OK) return IL_ESHAPE;
    for (size_t k = 0, n = mat_numel(S); k < n; k++) {
        double s = S->data[k];
        dZ->data[k] = dA->data[k] * s * (1.0 - s);
    }
    return IL_OK;
}

/* out, Z: the same shape */
il_status tanh_forward(Matrix *out, const Matrix *Z) { return mat_unop(out, IL_TANH, Z); }

/* dZ, dA, Y: the same shape; Y = tanh(Z) */
il_status tanh_backward(Matrix *dZ, const Matrix *dA, const Matrix *Y)
{
    if (check_backward_shapes(dZ, dA, Y) != IL_OK) return IL_ESHAPE;
    for (size_t k = 0, n = mat_numel(Y); k < n; k++) {
        double y = Y->data[k];
        dZ->data[k] = dA->data[k] * (1.0 - y * y);
    }
    return IL_OK;
}

/* ---- softmax ----
 * Columns are examples, so each pass walks down a column (stride = cols). The class count is small,
 * and neighbouring columns share cache lines, so the strided walk costs little. */

/* out, Z: classes x m */
il_status softmax_forward(Matrix *out, const Matrix *Z)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    size_t rows = Z->rows, cols = Z->cols;
    for (size_t j = 0; j < cols; j++) {
        double max = -INFINITY;
        for (size_t i = 0; i < rows; i++) /* a NaN anywhere in the column makes it all NaN anyway */
            if (MAT_AT(Z, i, j) > max) max = MAT_AT(Z, i, j);
        double sum = 0.0;
        for (size_t i = 0; i < rows; i++) {
            double e = exp(MAT_AT(Z, i, j) - max);
            MAT_AT(out, i, j) = e;
            sum += e;
        }
        for (size_t i = 0; i < rows; i++) MAT_AT(out, i, j) /= sum;
    }
    return IL_OK;
}

/* dZ, dA, Y: classes x m; Y = softmax(Z) */
il_status softmax_backward(Matrix *dZ, const Matrix *dA, const Matrix *Y)
{
    if (check_backward_shapes(dZ, dA, Y) != IL_OK) return IL_ESHAPE;
    size_t rows = Y->rows, cols = Y->cols;
    for (size_t j = 0; j < cols; j++) {
        double dot = 0.0; /* colsum(dA * Y), read in full before this column of dZ is written */
        for (size_t i = 0; i < rows; i++) dot += MAT_AT(dA, i, j) * MAT_AT(Y, i, j);
        for (size_t i = 0; i < rows; i++) MAT_AT(dZ, i, j) = MAT_AT(Y, i, j) * (MAT_AT(dA, i, j) - dot);
    }
    return IL_OK;
}
