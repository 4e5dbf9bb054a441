/* layers.c: forward and backward passes of the network's layers, side by side.
 * The elementwise forward passes are the matrix kernels themselves (one formula, one place); this file
 * adds the backward passes, the linear layer's products and softmax. */
#include "layers.h"

#include <math.h>

#include "elementwise.h"
#include "gemm.h"

/* ---- linear ---- */

/* Z: n_out x m, W: n_out x n_in, A: n_in x m, b: n_out x 1 */
il_status linear_forward(Matrix *Z, const Matrix *W, const Matrix *A, const Matrix *b)
{
    if (W->cols != A->rows || b->rows != W->rows || b->cols != 1 || Z->rows != W->rows || Z->cols != A->cols)
        return IL_ESHAPE;
    if (Z == W || Z == A || Z == b) return IL_EVALUE;
    /* b, a column, is added to every example as the product's rows are written out */
    return mat_gemm_bias(Z, W, 0, A, 0, 1.0, 0.0, b);
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
 * The formulas live in elementwise.c, shared with the fused training step. Each backward pass reads
 * element k of every input before writing element k of the output, which is what makes in-place use safe. */

static il_status check_backward_shapes(const Matrix *dZ, const Matrix *dA, const Matrix *X)
{
    return mat_same_shape(dZ, dA) && mat_same_shape(dA, X) ? IL_OK : IL_ESHAPE;
}

/* out, Z: any shape, the same */
il_status relu_forward(Matrix *out, const Matrix *Z)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    ew_relu(ew_all(mat_numel(Z)), out->data, Z->data);
    return IL_OK;
}

/* dZ, dA, Z: the same shape */
il_status relu_backward(Matrix *dZ, const Matrix *dA, const Matrix *Z)
{
    if (check_backward_shapes(dZ, dA, Z) != IL_OK) return IL_ESHAPE;
    /* a multiplication by the 0/1 mask, as the lesson's dA * np.int64(A > 0): NaN gradients stay NaN */
    ew_relu_backward(ew_all(mat_numel(Z)), dZ->data, dA->data, Z->data);
    return IL_OK;
}

/* out, Z: the same shape */
il_status leaky_relu_forward(Matrix *out, const Matrix *Z, double slope)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    ew_leaky_relu(ew_all(mat_numel(Z)), out->data, Z->data, slope);
    return IL_OK;
}

/* dZ, dA, Z: the same shape */
il_status leaky_relu_backward(Matrix *dZ, const Matrix *dA, const Matrix *Z, double slope)
{
    if (check_backward_shapes(dZ, dA, Z) != IL_OK) return IL_ESHAPE;
    ew_leaky_relu_backward(ew_all(mat_numel(Z)), dZ->data, dA->data, Z->data, slope);
    return IL_OK;
}

/* out, Z: the same shape */
il_status sigmoid_forward(Matrix *out, const Matrix *Z)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    ew_sigmoid(ew_all(mat_numel(Z)), out->data, Z->data);
    return IL_OK;
}

/* dZ, dA, S: the same shape; S = sigmoid(Z) */
il_status sigmoid_backward(Matrix *dZ, const Matrix *dA, const Matrix *S)
{
    if (check_backward_shapes(dZ, dA, S) != IL_OK) return IL_ESHAPE;
    ew_sigmoid_backward(ew_all(mat_numel(S)), dZ->data, dA->data, S->data);
    return IL_OK;
}

/* out, Z: the same shape */
il_status tanh_forward(Matrix *out, const Matrix *Z)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    ew_tanh(ew_all(mat_numel(Z)), out->data, Z->data);
    return IL_OK;
}

/* dZ, dA, Y: the same shape; Y = tanh(Z) */
il_status tanh_backward(Matrix *dZ, const Matrix *dA, const Matrix *Y)
{
    if (check_backward_shapes(dZ, dA, Y) != IL_OK) return IL_ESHAPE;
    ew_tanh_backward(ew_all(mat_numel(Y)), dZ->data, dA->data, Y->data);
    return IL_OK;
}

/* ---- softmax: one distribution per column ---- */

/* out, Z: classes x m */
il_status softmax_forward(Matrix *out, const Matrix *Z)
{
    if (!mat_same_shape(out, Z)) return IL_ESHAPE;
    ew_softmax_columns(out->data, Z->data, Z->rows, Z->cols, 0, Z->cols);
    return IL_OK;
}

/* dZ, dA, Y: classes x m; Y = softmax(Z) */
il_status softmax_backward(Matrix *dZ, const Matrix *dA, const Matrix *Y)
{
    if (check_backward_shapes(dZ, dA, Y) != IL_OK) return IL_ESHAPE;
    ew_softmax_backward_columns(dZ->data, dA->data, Y->data, Y->rows, Y->cols, 0, Y->cols);
    return IL_OK;
}
