/* losses.c: loss values and gradients.
 * A loss's terms are summed as they are computed, in numpy's pairwise order, so no buffer of terms is
 * needed and the lesson's cost matches np.nansum to the last bit. */
#include "losses.h"

#include <math.h>

#include "elementwise.h"

/* The k-th term of a loss of prediction P against targets Y. */
typedef double (*loss_term)(const Matrix *P, const Matrix *Y, size_t k);

static inline double term_or_zero(double t, int skip_nan) { return skip_nan && isnan(t) ? 0.0 : t; }

/* Sum of terms first .. first+n-1 in numpy's pairwise order (eight accumulators over blocks of up to
 * 128 terms, halving above; the same order as np.sum along a contiguous axis, see matrix.c).
 * `skip_nan` replaces NaN terms by 0, as np.nansum does. */
static double pairwise_terms(loss_term term, const Matrix *P, const Matrix *Y, size_t first, size_t n,
                             int skip_nan)
{
#define TERM(k) term_or_zero(term(P, Y, first + (k)), skip_nan)
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++) res += TERM(i);
        return res;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++) r[j] = TERM(j);
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) r[j] += TERM(i + j);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += TERM(i);
        return res;
    }
    size_t n2 = ew_pairwise_split(n);
    return pairwise_terms(term, P, Y, first, n2, skip_nan) +
           pairwise_terms(term, P, Y, first + n2, n - n2, skip_nan);
#undef TERM
}

static il_status check_pair(const Matrix *P, const Matrix *Y)
{
    return mat_same_shape(P, Y) ? IL_OK : IL_ESHAPE;
}

static il_status check_gradient(const Matrix *dP, const Matrix *P, const Matrix *Y)
{
    return mat_same_shape(P, Y) && mat_same_shape(dP, P) ? IL_OK : IL_ESHAPE;
}

/* ---- the lesson's binary cross-entropy ---- */

static double bce_term(const Matrix *A, const Matrix *Y, size_t k)
{
    double a = A->data[k], y = Y->data[k];
    return -log(a) * y + -log(1.0 - a) * (1.0 - y); /* np.multiply(-np.log(a3), Y) + ... */
}

/* A, Y: k x m */
il_status bce_loss(double *cost, const Matrix *A, const Matrix *Y)
{
    if (check_pair(A, Y) != IL_OK) return IL_ESHAPE;
    if (A->cols == 0) return IL_EEMPTY;
    *cost = (1.0 / (double)A->cols) * pairwise_terms(bce_term, A, Y, 0, mat_numel(A), 1);
    return IL_OK;
}

/* dA, A, Y: k x m */
il_status bce_backward(Matrix *dA, const Matrix *A, const Matrix *Y)
{
    if (check_gradient(dA, A, Y) != IL_OK) return IL_ESHAPE;
    ew_bce_backward(ew_all(mat_numel(A)), dA->data, A->data, Y->data, (double)A->cols);
    return IL_OK;
}

/* ---- binary cross-entropy from logits ---- */

static double bce_logits_term(const Matrix *Z, const Matrix *Y, size_t k)
{
    double z = Z->data[k], y = Y->data[k];
    /* log(1 + exp(-|z|)) never overflows; max(z, 0) - z y restores the side that |z| dropped */
    return (z > 0 ? z : 0.0) - z * y + log1p(exp(-fabs(z)));
}

/* Z, Y: k x m */
il_status bce_logits_loss(double *cost, const Matrix *Z, const Matrix *Y)
{
    if (check_pair(Z, Y) != IL_OK) return IL_ESHAPE;
    if (Z->cols == 0) return IL_EEMPTY;
    *cost = pairwise_terms(bce_logits_term, Z, Y, 0, mat_numel(Z), 0) / (double)Z->cols;
    return IL_OK;
}

/* dZ, Z, Y: k x m */
il_status bce_logits_backward(Matrix *dZ, const Matrix *Z, const Matrix *Y)
{
    if (check_gradient(dZ, Z, Y) != IL_OK) return IL_ESHAPE;
    ew_bce_logits_backward(ew_all(mat_numel(Z)), dZ->data, Z->data, Y->data, (double)Z->cols);
    return IL_OK;
}

/* ---- mean squared error ---- */

static double squared_error_term(const Matrix *A, const Matrix *Y, size_t k)
{
    double d = A->data[k] - Y->data[k];
    return d * d;
}

/* A, Y: the same shape */
il_status mse_loss(double *cost, const Matrix *A, const Matrix *Y)
{
    if (check_pair(A, Y) != IL_OK) return IL_ESHAPE;
    size_t n = mat_numel(A);
    if (n == 0) return IL_EEMPTY;
    *cost = pairwise_terms(squared_error_term, A, Y, 0, n, 0) / (double)n;
    return IL_OK;
}

/* dA, A, Y: the same shape */
il_status mse_backward(Matrix *dA, const Matrix *A, const Matrix *Y)
{
    if (check_gradient(dA, A, Y) != IL_OK) return IL_ESHAPE;
    ew_mse_backward(ew_all(mat_numel(A)), dA->data, A->data, Y->data, (double)mat_numel(A));
    return IL_OK;
}

/* ---- softmax cross-entropy from logits ---- */

/* The maximum of column j and the sum of exp(z - max) down it, as softmax_forward computes them:
 * softmax(z)_i = exp(z_i - max) / sum, log softmax(z)_i = z_i - max - log(sum). */
static void column_max_sum_exp(const Matrix *Z, size_t j, double *max, double *sum)
{
    double mx = -INFINITY, s = 0.0;
    for (size_t i = 0; i < Z->rows; i++)
        if (MAT_AT(Z, i, j) > mx) mx = MAT_AT(Z, i, j);
    for (size_t i = 0; i < Z->rows; i++) s += exp(MAT_AT(Z, i, j) - mx);
    *max = mx;
    *sum = s;
}

/* The cross-entropy of example (column) j. */
static double softmax_ce_column(const Matrix *Z, const Matrix *Y, size_t j)
{
    double max, sum, acc = 0.0;
    column_max_sum_exp(Z, j, &max, &sum);
    double log_sum = log(sum);
    for (size_t i = 0; i < Z->rows; i++) {
        double y = MAT_AT(Y, i, j);
        if (y != 0) acc += y * ((MAT_AT(Z, i, j) - max) - log_sum);
    }
    return -acc;
}

/* Z, Y: classes x m */
il_status softmax_ce_loss(double *cost, const Matrix *Z, const Matrix *Y)
{
    if (check_pair(Z, Y) != IL_OK) return IL_ESHAPE;
    if (Z->cols == 0) return IL_EEMPTY;
    *cost = pairwise_terms(softmax_ce_column, Z, Y, 0, Z->cols, 0) / (double)Z->cols;
    return IL_OK;
}

/* dZ, Z, Y: classes x m */
il_status softmax_ce_backward(Matrix *dZ, const Matrix *Z, const Matrix *Y)
{
    if (check_gradient(dZ, Z, Y) != IL_OK) return IL_ESHAPE;
    ew_softmax_ce_backward_columns(dZ->data, Z->data, Y->data, (double)Z->cols, Z->rows, Z->cols, 0, Z->cols);
    return IL_OK;
}

/* ---- the lesson's sigmoid + bce shortcut ---- */

/* dZ, A, Y: k x m */
il_status sigmoid_bce_backward(Matrix *dZ, const Matrix *A, const Matrix *Y)
{
    if (check_gradient(dZ, A, Y) != IL_OK) return IL_ESHAPE;
    ew_sigmoid_bce_backward(ew_all(mat_numel(A)), dZ->data, A->data, Y->data, (double)A->cols);
    return IL_OK;
}
