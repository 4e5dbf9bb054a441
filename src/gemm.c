/* gemm.c: C = alpha * op(A) * op(B) + beta * C.
 *
 * Three loop orders, one per layout, each keeping the innermost loop on contiguous memory:
 *   A  * B   for i, k: C[i,:] += A[i,k] * B[k,:]           (forward:  Z = W A)
 *   A  * B^T for i, j: C[i,j]  = dot(A[i,:], B[j,:])        (backward: dW = dZ A^T)
 *   A^T * B  for k, i: C[i,:] += A[k,i] * B[k,:]           (backward: dA = W^T dZ)
 * Large products go to CBLAS when it is available: there, blocking and threads win over call overhead. */
#include "gemm.h"

#include <string.h>
#ifdef INITLAB_USE_CBLAS
#include <cblas.h>
#endif

/* Products with at least this many multiply-adds go to CBLAS. */
#define CBLAS_MIN_WORK ((size_t)64 * 64 * 64)

static size_t op_rows(const Matrix *X, int trans) { return trans ? X->cols : X->rows; }
static size_t op_cols(const Matrix *X, int trans) { return trans ? X->rows : X->cols; }

il_status mat_gemm_shape(const Matrix *A, int transA, const Matrix *B, int transB, size_t *rows, size_t *cols)
{
    if (op_cols(A, transA) != op_rows(B, transB)) return IL_ESHAPE;
    *rows = op_rows(A, transA);
    *cols = op_cols(B, transB);
    return IL_OK;
}

static il_status check_operands(const Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB)
{
    size_t rows, cols;
    if (mat_gemm_shape(A, transA, B, transB, &rows, &cols) != IL_OK) return IL_ESHAPE;
    if (C->rows != rows || C->cols != cols) return IL_ESHAPE;
    if (C == A || C == B) return IL_EVALUE;
    return IL_OK;
}

/* C = beta * C, where beta = 0 discards whatever C held (NaN included), as BLAS does. */
static void scale_output(Matrix *C, double beta)
{
    size_t n = mat_numel(C);
    if (beta == 0.0) memset(C->data, 0, n * sizeof(double));
    else if (beta != 1.0)
        for (size_t k = 0; k < n; k++) C->data[k] *= beta;
}

il_status mat_gemm_reference(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                             double alpha, double beta)
{
    il_status st = check_operands(C, A, transA, B, transB);
    if (st != IL_OK) return st;
    size_t K = op_cols(A, transA);
    for (size_t i = 0; i < C->rows; i++)
        for (size_t j = 0; j < C->cols; j++) {
            double s = 0.0;
            for (size_t k = 0; k < K; k++) {
                double a = transA ? MAT_AT(A, k, i) : MAT_AT(A, i, k);
                double b = transB ? MAT_AT(B, j, k) : MAT_AT(B, k, j);
                s += a * b;
            }
            double old = beta == 0.0 ? 0.0 : beta * MAT_AT(C, i, j);
            MAT_AT(C, i, j) = old + alpha * s;
        }
    return IL_OK;
}

/* C[i,:] += alpha * A[i,k] * B[k,:] over k (A not transposed) or A[k,i] (A transposed). */
static void gemm_rows(Matrix *C, const Matrix *A, int transA, const Matrix *B, double alpha)
{
    size_t M = C->rows, N = C->cols, K = op_cols(A, transA);
    for (size_t i = 0; i < M; i++) {
        double *c = C->data + i * N;
        for (size_t k = 0; k < K; k++) {
            double a = alpha * (transA ? MAT_AT(A, k, i) : MAT_AT(A, i, k));
            const double *b = B->data + k * N;
            for (size_t j = 0; j < N; j++) c[j] += a * b[j];
        }
    }
}

/* C[i,j] += alpha * dot(op(A)[i,:], B[j,:]) with B transposed. */
static void gemm_dots(Matrix *C, const Matrix *A, int transA, const Matrix *B, double alpha)
{
    size_t M = C->rows, N = C->cols, K = op_cols(A, transA);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            const double *b = B->data + j * K;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            size_t k = 0;
            if (!transA) {
                const double *a = A->data + i * K;
                for (; k + 4 <= K; k += 4) {
                    s0 += a[k] * b[k];
                    s1 += a[k + 1] * b[k + 1];
                    s2 += a[k + 2] * b[k + 2];
                    s3 += a[k + 3] * b[k + 3];
                }
                for (; k < K; k++) s0 += a[k] * b[k];
            } else {
                for (; k < K; k++) s0 += MAT_AT(A, k, i) * b[k];
            }
            MAT_AT(C, i, j) += alpha * ((s0 + s1) + (s2 + s3));
        }
}

il_status mat_gemm(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                   double alpha, double beta)
{
    il_status st = check_operands(C, A, transA, B, transB);
    if (st != IL_OK) return st;
    size_t M = C->rows, N = C->cols, K = op_cols(A, transA);
#ifdef INITLAB_USE_CBLAS
    if (M * N * K >= CBLAS_MIN_WORK) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    (int)M, (int)N, (int)K, alpha, A->data, (int)(A->cols ? A->cols : 1), B->data,
                    (int)(B->cols ? B->cols : 1), beta, C->data, (int)(N ? N : 1));
        return IL_OK;
    }
#endif
    scale_output(C, beta);
    if (M == 0 || N == 0 || K == 0 || alpha == 0.0) return IL_OK;
    if (transB) gemm_dots(C, A, transA, B, alpha);
    else gemm_rows(C, A, transA, B, alpha);
    return IL_OK;
}
