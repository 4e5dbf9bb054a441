/* blas.h: OpenBLAS's dgemm for large products, the library opened on the first call that needs it.
 *
 * initlab does not link OpenBLAS: loading it starts its worker threads, which spin on the other core for
 * about 0.1 s (sharing it with us on a 2-vCPU machine) and binding its symbols costs a few milliseconds,
 * in every process, even one like the lesson that never makes a product large enough for BLAS.
 * Built without INITLAB_USE_CBLAS, or where the library cannot be opened, nothing here is available and
 * every product stays on initlab's own kernels (slower for large ones; `initlab --version` says which). */
#ifndef INITLAB_BLAS_H
#define INITLAB_BLAS_H

#include <stddef.h>

/* 1 when built with INITLAB_USE_CBLAS (the library is then expected at run time). */
int il_blas_built(void);

/* Opens the library on the first call; 1 when its dgemm can be used. Safe from any thread. */
int il_blas_available(void);

/* Whether the library has been opened in this process (by il_blas_available); the environment's
 * INITLAB_OPENBLAS, when set, names the file to open instead of the one found at build time. */
int il_blas_loaded(void);

/* OpenBLAS's name for the kernels it picked for this CPU ("Zen", "Haswell", ...); NULL when not available. */
const char *il_blas_corename(void);

/* Row-major C = alpha op(A) op(B) + beta C, as cblas_dgemm; only after il_blas_available() returned 1.
 * Sizes and leading dimensions must fit in an int (IL_MAX_DIM does). */
void il_blas_dgemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A,
                   size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc);

#endif
