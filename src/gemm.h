/* gemm.h: matrix products.
 *
 * C = alpha * op(A) * op(B) + beta * C, where op(X) is X or its transpose.
 * Shapes: op(A) is M x K, op(B) is K x N, C is M x N. beta = 0 overwrites C (even NaN in C is
 * discarded, as in BLAS); beta = 1 accumulates; alpha = 0 reads neither A nor B. C must not alias A or B.
 *
 * Paths, chosen per call: register-blocked SIMD kernels (AVX-512 or AVX2+FMA, picked at run time, see
 * cpu.h) for the small and medium products a training step is made of, where call overhead dominates;
 * CBLAS (OpenBLAS, both cores) for large ones; plain C loops on other CPUs. The kernels of every level
 * compute each element in one fixed order with fused multiply-adds (gemm.c), so they give the same bits
 * on any CPU; against the naive loop they may differ in the last bits (the tests allow 1e-12), never in
 * NaN or inf behaviour. */
#ifndef INITLAB_GEMM_H
#define INITLAB_GEMM_H

#include "cpu.h"
#include "matrix.h"

il_status mat_gemm(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                   double alpha, double beta);

/* mat_gemm, then bias[i] added to every element of row i (bias: an M x 1 column, or NULL): numpy's
 * np.dot(W, A) + b in one pass over C. bias must not alias C. */
il_status mat_gemm_bias(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                        double alpha, double beta, const Matrix *bias);

/* A network layer's product and its ReLU in one pass over the output (the fused training step):
 *   mat_gemm_bias_relu:    Z = W X + b, A_out = relu(Z)             (linear_forward, then relu_forward)
 *   mat_gemm_tn_relu_mask: dA = W^T dZ_next, dZ = dA * (Z > 0)      (a product of linear_backward, then
 *                                                                     relu_backward)
 * The same bits as those calls one after the other (elementwise.c's formulas), on every path. A_out may be
 * Z and dZ may be dA (in place), as the elementwise kernels allow; Z must not be dA. */
il_status mat_gemm_bias_relu(Matrix *Z, Matrix *A_out, const Matrix *W, const Matrix *X, const Matrix *b);
il_status mat_gemm_tn_relu_mask(Matrix *dA, Matrix *dZ, const Matrix *W, const Matrix *dZ_next, const Matrix *Z);

/* ---- a training step split over two threads by examples (fused.c) ----
 * Columns [c0, c1) of the products above whose columns are examples (B not transposed): each thread
 * writes its own columns of C (and D), reads the same columns of B (and Zmask), and gets the bits of the
 * whole call's columns, for products below IL_GEMM_CBLAS_MIN_WORK (larger ones go to CBLAS, whose kernels
 * may differ with the width). mat_gemm_bias_cols is mat_gemm_bias with alpha 1, beta 0; bias may be NULL. */
il_status mat_gemm_bias_cols(Matrix *C, const Matrix *A, int transA, const Matrix *B, const Matrix *bias, size_t c0,
                             size_t c1);
il_status mat_gemm_bias_relu_cols(Matrix *Z, Matrix *A_out, const Matrix *W, const Matrix *X, const Matrix *b, size_t c0,
                                  size_t c1);
il_status mat_gemm_tn_relu_mask_cols(Matrix *dA, Matrix *dZ, const Matrix *W, const Matrix *dZ_next, const Matrix *Z,
                                     size_t c0, size_t c1);

/* A product C = A B^T (the dots form: dW = dZ A_prev^T) over K > IL_GEMM_HALVES_MIN sums its two halves of
 * k, [0, s) and [s, K) with s = ew_pairwise_split(K), and adds them (gemm.c). This writes one half's sums:
 * half 0 or 1; C = half 0 + half 1 (one addition per element) is then mat_gemm(C, A, 0, B, 1, 1, 0) to the
 * bit. IL_EVALUE when K is not above IL_GEMM_HALVES_MIN, or the product is large enough for CBLAS. */
#define IL_GEMM_HALVES_MIN 128
il_status mat_gemm_nt_half(Matrix *C, const Matrix *A, const Matrix *B, int half);

/* The naive triple loop, kept as the reference the fast paths are tested against. */
il_status mat_gemm_reference(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                             double alpha, double beta);

/* Shape of op(A) * op(B); IL_ESHAPE when the inner dimensions differ. */
il_status mat_gemm_shape(const Matrix *A, int transA, const Matrix *B, int transB,
                         size_t *rows, size_t *cols);

/* For tests and benchmarks: mat_gemm_bias forced onto the kernels of one instruction-set level, never
 * CBLAS (IL_EVALUE when this CPU cannot run that level). */
il_status mat_gemm_isa(il_isa isa, Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                       double alpha, double beta, const Matrix *bias);

/* Products with at least this many multiply-adds (M * N * K) go to CBLAS when initlab is built with it.
 * An OpenBLAS that does not know the CPU runs SSE3 kernels ("Prescott"; 0.3.21 on Sapphire/Emerald
 * Rapids) that the SIMD kernels here beat up to much larger sizes: then the second bound applies. */
#define IL_GEMM_CBLAS_MIN_WORK ((size_t)1 << 21)
#define IL_GEMM_CBLAS_MIN_WORK_GENERIC ((size_t)1 << 25)

#endif
