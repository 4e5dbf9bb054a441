/* qr.c: Householder QR, reduced form (see qr.h).
 *
 * The reflections are made on a copy V of A, stored the LAPACK way: after step j, row j of V from the
 * diagonal on is row j of R, and below the diagonal column j holds the reflector v_j (its leading 1
 * implied), with tau_j beside it: H_j = I - tau_j v_j v_j^T. Q = H_0 H_1 ... H_{k-1} applied to the
 * first k columns of the identity, built from the last reflector back.
 *
 * Matrices are row-major, so every update walks rows: w = v^T B is accumulated row by row into a
 * scratch row, then B -= tau v w, again row by row. */
#include "qr.h"

#include <math.h>

size_t qr_work_length(size_t m, size_t n)
{
    size_t k = m < n ? m : n;
    return m * n + k + n;
}

/* ||x|| for x_i = V[i * stride], i in [0, count): scaled by the largest |x_i| so that squares of
 * huge or tiny values neither overflow nor underflow. */
static double column_norm(const double *x, size_t count, size_t stride)
{
    double scale = 0.0;
    for (size_t i = 0; i < count; i++) scale = fmax(scale, fabs(x[i * stride]));
    if (scale == 0.0) return 0.0;
    double sum = 0.0;
    for (size_t i = 0; i < count; i++) {
        double t = x[i * stride] / scale;
        sum += t * t;
    }
    return scale * sqrt(sum);
}

/* B = H B for the block B = rows [j, m) x columns [c0, c1) of the row-major matrix M (row stride ld),
 * where H = I - tau v v^T and v = (1, V[j+1][j], ..., V[m-1][j]) from V (row stride ldv).
 * w holds at least c1 entries. */
static void apply_reflector(double *M, size_t ld, const double *V, size_t ldv, size_t m, size_t j,
                            double tau, size_t c0, size_t c1, double *w)
{
    for (size_t c = c0; c < c1; c++) w[c] = M[j * ld + c]; /* v_0 = 1 */
    for (size_t i = j + 1; i < m; i++) {
        double vi = V[i * ldv + j];
        const double *row = M + i * ld;
        for (size_t c = c0; c < c1; c++) w[c] += vi * row[c];
    }
    for (size_t c = c0; c < c1; c++) M[j * ld + c] -= tau * w[c];
    for (size_t i = j + 1; i < m; i++) {
        double t = tau * V[i * ldv + j];
        double *row = M + i * ld;
        for (size_t c = c0; c < c1; c++) row[c] -= t * w[c];
    }
}

il_status qr_reduced(Matrix *Q, Matrix *R, const Matrix *A, double *work)
{
    size_t m = A->rows, n = A->cols, k = m < n ? m : n;
    if (Q->rows != m || Q->cols != k || R->rows != k || R->cols != n) return IL_ESHAPE;
    if (Q == R) return IL_EVALUE;
    for (size_t i = 0; i < m * n; i++)
        if (!isfinite(A->data[i])) return IL_EVALUE;

    double *V = work, *tau = work + m * n, *w = tau + k;
    for (size_t i = 0; i < m * n; i++) V[i] = A->data[i];

    /* Factor: step j zeroes column j below the diagonal. */
    for (size_t j = 0; j < k; j++) {
        double alpha = V[j * n + j];
        double below = column_norm(V + (j + 1) * n + j, m - j - 1, n);
        if (below == 0.0) { /* nothing to zero: H_j = I (also when the whole column is 0) */
            tau[j] = 0.0;
            continue;
        }
        double beta = -copysign(hypot(alpha, below), alpha); /* opposite sign to alpha: no cancellation */
        tau[j] = (beta - alpha) / beta;
        double inv = 1.0 / (alpha - beta);
        for (size_t i = j + 1; i < m; i++) V[i * n + j] *= inv;
        V[j * n + j] = beta;
        apply_reflector(V, n, V, n, m, j, tau[j], j + 1, n, w);
    }

    /* R: the upper triangle of the first k rows of V (A was only read by the copy, so Q or R may be A). */
    for (size_t i = 0; i < k; i++)
        for (size_t c = 0; c < n; c++) MAT_AT(R, i, c) = c >= i ? V[i * n + c] : 0.0;

    /* Q = H_0 ... H_{k-1} I[:, 0:k]. Going backwards, H_j only touches columns j.. of the partial
     * product: the columns before j are still unit vectors e_c with c < j, which H_j leaves alone. */
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < k; c++) MAT_AT(Q, i, c) = i == c ? 1.0 : 0.0;
    for (size_t j = k; j-- > 0;)
        if (tau[j] != 0.0) apply_reflector(Q->data, k, V, n, m, j, tau[j], j, k, w);
    return IL_OK;
}
