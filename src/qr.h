/* qr.h: the reduced (economy) QR decomposition by Householder reflections.
 *
 * Legend: A is m x n, k = min(m, n). A = Q R with Q m x k (orthonormal columns: Q^T Q = I) and
 * R k x n upper triangular (zeros below the diagonal). Rank-deficient A is fine: Q stays orthonormal
 * and R gets zeros (or tiny values) on its diagonal.
 *
 * Sign convention (LAPACK's dgeqrf): each reflection maps its column onto -sign(x_0) ||x|| e_1, so the
 * diagonal of R may be negative; a column that is already zero below the diagonal is left as it is.
 * Callers who need a unique Q (an orthogonal initializer drawing Haar-distributed matrices) multiply
 * column j of Q by sign(R_jj).
 *
 * Plain C: no allocation. The caller passes `work`, qr_work_length(m, n) doubles. */
#ifndef INITLAB_QR_H
#define INITLAB_QR_H

#include <stddef.h>
#include "matrix.h"
#include "status.h"

/* Doubles of workspace qr_reduced needs for an m x n A: a copy of A, k reflector scales and one row. */
size_t qr_work_length(size_t m, size_t n);

/* Q (m x k), R (k x n) from A (m x n). Q or R may alias A (A is copied into `work` first) but not
 * each other. IL_ESHAPE: Q or R has the wrong shape; IL_EVALUE: Q and R are the same matrix, or A
 * holds an infinity or a NaN (Q and R are then left untouched). */
il_status qr_reduced(Matrix *Q, Matrix *R, const Matrix *A, double *work);

#endif
