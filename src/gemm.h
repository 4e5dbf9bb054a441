/* gemm.h: matrix products.
 *
 * C = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose.
 * Shapes: op(A) is M x K, op(B) is K x N, C is M x N. beta = 0 overwrites C (even NaN in C is
 * discarded, as in BLAS); beta = 1 accumulates. C must not alias A or B.
 * Small products run in a register-blocked C kernel (call overhead dominates there); large ones go
 * to CBLAS when initlab is built with it. */
#ifndef INITLAB_GEMM_H
#define INITLAB_GEMM_H

#include "matrix.h"

il_status mat_gemm(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                   double alpha, double beta);

/* The naive triple loop, kept as the reference the fast paths are tested against. */
il_status mat_gemm_reference(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                             double alpha, double beta);

/* Shape of op(A) * op(B); IL_ESHAPE when the inner dimensions differ. */
il_status mat_gemm_shape(const Matrix *A, int transA, const Matrix *B, int transB,
                         size_t *rows, size_t *cols);

#endif
