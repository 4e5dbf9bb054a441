/* blas.c: OpenBLAS opened with dlopen on first use (see blas.h). */
#include "blas.h"

#ifdef INITLAB_USE_CBLAS
#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef void dgemm_fn(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint, blasint, blasint,
                      double, const double *, blasint, const double *, blasint, double, double *, blasint);
typedef char *corename_fn(void);
#ifdef __GNUC__
_Static_assert(__builtin_types_compatible_p(__typeof__(cblas_dgemm), dgemm_fn), "cblas_dgemm's type changed");
#endif

static pthread_once_t opening = PTHREAD_ONCE_INIT;
static dgemm_fn *dgemm;
static corename_fn *corename;
static atomic_int loaded;

/* The library CMake found (INITLAB_OPENBLAS: in the directory pkg-config names, which Debian's
 * alternatives may not point the plain soname at), else the plain soname; the environment's
 * INITLAB_OPENBLAS, when set, instead of both (a test names a missing file to check the fallback). */
static void open_library(void)
{
    const char *chosen = getenv("INITLAB_OPENBLAS");
    void *lib = dlopen(chosen ? chosen : INITLAB_OPENBLAS, RTLD_NOW | RTLD_LOCAL);
    if (!lib && !chosen) lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    dgemm_fn *d = (dgemm_fn *)dlsym(lib, "cblas_dgemm");
    if (!d) { /* not OpenBLAS after all */
        dlclose(lib);
        return;
    }
    corename = (corename_fn *)dlsym(lib, "openblas_get_corename");
    dgemm = d;
    atomic_store(&loaded, 1);
}

int il_blas_built(void) { return 1; }

/* pthread_once orders the library's opening before every use of what it set, in any thread. */
int il_blas_available(void)
{
    pthread_once(&opening, open_library);
    return dgemm != NULL;
}

int il_blas_loaded(void) { return atomic_load(&loaded); }

const char *il_blas_corename(void) { return il_blas_available() && corename ? corename() : NULL; }

void il_blas_dgemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A,
                   size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    il_blas_available(); /* synchronises with the opening thread (a no-op once opened) */
    dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (blasint)M,
          (blasint)N, (blasint)K, alpha, A, (blasint)lda, B, (blasint)ldb, beta, C, (blasint)ldc);
}

#else /* built without CBLAS: nothing to open */

int il_blas_built(void) { return 0; }
int il_blas_available(void) { return 0; }
int il_blas_loaded(void) { return 0; }
const char *il_blas_corename(void) { return NULL; }
void il_blas_dgemm(int transA, int transB, size_t M, size_t N, size_t K, double alpha, const double *A,
                   size_t lda, const double *B, size_t ldb, double beta, double *C, size_t ldc)
{
    (void)transA, (void)transB, (void)M, (void)N, (void)K, (void)alpha, (void)A, (void)lda, (void)B, (void)ldb,
        (void)beta, (void)C, (void)ldc;
}

#endif
