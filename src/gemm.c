/* gemm.c: C = alpha * op(A) * op(B) + beta * C [+ bias per row].
 *
 * Two kernel shapes cover the layouts a network uses, each keeping its innermost loads contiguous:
 *   rows form, B not transposed:  C[i, j:j+w] += op(A)[i,k] * B[k, j:j+w]   (Z = W A, dA = W^T dZ)
 *   dots form, A plain, B^T:      C[i,j] = dot(A[i,:], B[j,:])              (dW = dZ A^T)
 * Both transposed (rare) runs the portable loops.
 *
 * Every path computes each element in one fixed order, so AVX-512, AVX2 and portable C give the same
 * bits (the tests check it):
 *   rows form: acc = fma(op(A)[i,k], B[k,j], acc) for k = 0, 1, ..., K-1, from acc = 0;
 *   dots form: eight lanes, lane l = fma(A[i,k], B[j,k], lane) over k = l, l+8, l+16, ...; then
 *              ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)); for K > 128, the two halves k < s and
 *              k >= s (s = ew_pairwise_split(K), numpy's split of a long sum) each so, then added: two
 *              threads can then each sum one half of a layer's examples and give the same bits
 *              (mat_gemm_nt_half);
 *   epilogue:  C = alpha * acc, then beta * C_old + that (skipped when beta = 0), then + bias[i].
 * The fused multiply-adds are explicit (C's fma() in the portable code): results differ from the naive
 * loop in the last bits (the tests allow 1e-12), never in NaN or inf behaviour.
 * The SIMD kernels keep a block of C in registers across the whole K loop and write it once; the
 * column (rows form) or k (dots form) tail is a masked vector (the row-by-row forms: plain vectors down
 * to four columns, then at most one masked), so no element is ever handled apart.
 * Large products go to CBLAS: there, packing, cache blocking and both cores win over call overhead. */
#include "gemm.h"

#include "blas.h"
#include "elementwise.h"

#include <ctype.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#endif

/* One product, with op() folded into strides: op(A)[i,k] = A[i*a_i + k*a_k], op(B)[k,j] = B[k*b_k + j*b_j]. */
typedef struct gemm_problem {
    size_t M, N, K;
    const double *A;
    size_t a_i, a_k;
    const double *B;
    size_t b_k, b_j;
    double *C;
    size_t ldc;
    double alpha, beta;
    const double *bias; /* M values, or NULL */
    size_t k_split;     /* dots form: where its two halves meet (0: one whole, K <= 128 or one half itself) */
    /* A second output written in the same pass (a network layer's activation or its gradient), laid out
     * as C: THEN_RELU: D = relu(C); THEN_RELU_MASK: D = C * (Zmask > 0). */
    enum then { THEN_NONE, THEN_RELU, THEN_RELU_MASK } then;
    double *D;
    const double *Zmask;
} gemm_problem;

/* What the epilogue does, fixed per call so that the stores run without branches. */
enum epilogue { EPI_STORE /* C = acc */, EPI_BIAS /* C = acc + bias[i] */, EPI_GENERAL /* alpha, beta, bias */ };

static enum epilogue epilogue_of(const gemm_problem *g)
{
    if (g->alpha == 1.0 && g->beta == 0.0) return g->bias ? EPI_BIAS : EPI_STORE;
    return EPI_GENERAL;
}

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

static il_status check_bias(const Matrix *C, const Matrix *bias)
{
    if (!bias) return IL_OK;
    if (bias->rows != C->rows || bias->cols != 1) return IL_ESHAPE;
    if (bias == C) return IL_EVALUE;
    return IL_OK;
}

/* Where the dots form's halves meet for K products (0: K is summed whole). */
static size_t dots_split(size_t K) { return K > IL_GEMM_HALVES_MIN ? ew_pairwise_split(K) : 0; }

/* The problem C = alpha op(A) op(B) + beta C + bias, written field by field into the caller's *g. (Returned
 * by value, GCC built it on the stack and copied it out in 16-byte moves, each loading two 8-byte fields just
 * stored, which a core cannot forward from its store buffer: a stall each. On Zen 1 a call of a tiny product
 * took 96 to 108 ns so, 40 to 46 ns now, and the lesson's step 2.5% less: bench/paired.) */
static void make_problem(gemm_problem *g, Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                         double alpha, double beta, const Matrix *bias)
{
    g->M = C->rows, g->N = C->cols, g->K = op_cols(A, transA);
    g->A = A->data, g->a_i = transA ? 1 : A->cols, g->a_k = transA ? A->cols : 1;
    g->B = B->data, g->b_k = transB ? 1 : B->cols, g->b_j = transB ? B->cols : 1;
    g->C = C->data, g->ldc = C->cols, g->alpha = alpha, g->beta = beta, g->bias = bias ? bias->data : NULL;
    g->k_split = transB && !transA ? dots_split(g->K) : 0;
    g->then = THEN_NONE, g->D = NULL, g->Zmask = NULL;
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

/* ---- shared pieces ---- */

/* C = beta * C, where beta = 0 discards whatever C held (NaN included), as BLAS does. */
static void scale_output(const gemm_problem *g)
{
    for (size_t i = 0; i < g->M; i++) {
        double *c = g->C + i * g->ldc;
        if (g->beta == 0.0) memset(c, 0, g->N * sizeof(double));
        else if (g->beta != 1.0)
            for (size_t j = 0; j < g->N; j++) c[j] *= g->beta;
    }
}

IL_VECTORIZED
static void add_row_bias(double *C, size_t M, size_t N, size_t ldc, const double *bias)
{
    for (size_t i = 0; i < M; i++) {
        double b = bias[i], *c = C + i * ldc;
        for (size_t j = 0; j < N; j++) c[j] += b;
    }
}

/* The epilogue for one element. */
static inline double finish(const gemm_problem *g, double acc, const double *c, size_t i)
{
    double v = g->alpha * acc;
    if (g->beta != 0.0) v = g->beta * *c + v;
    if (g->bias) v += g->bias[i];
    return v;
}

/* The dots form's final sum of eight lanes. */
static inline double sum_lanes(const double l[8])
{
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/* ---- portable kernels: the reference order, one element at a time ---- */

static void rows_portable(const gemm_problem *g)
{
    for (size_t i = 0; i < g->M; i++)
        for (size_t j = 0; j < g->N; j++) {
            double acc = 0.0;
            for (size_t k = 0; k < g->K; k++)
                acc = fma(g->A[i * g->a_i + k * g->a_k], g->B[k * g->b_k + j * g->b_j], acc);
            double *c = g->C + i * g->ldc + j;
            *c = finish(g, acc, c, i);
        }
}

/* The lanes of dot(op(A)[i, k0:k1], op(B)[k0:k1, j]) added into l[8]; k0 is a multiple of 8. Lanes
 * past the end of a partial last chunk add 0 * 0, as the vector kernels' masked loads do. */
static void dot_lanes_portable(const gemm_problem *g, size_t i, size_t j, size_t k0, size_t k1, double l[8])
{
    for (size_t k = k0; k < k1; k += 8)
        for (size_t q = 0; q < 8; q++) {
            double a = 0.0, b = 0.0;
            if (k + q < k1) {
                a = g->A[i * g->a_i + (k + q) * g->a_k];
                b = g->B[(k + q) * g->b_k + j * g->b_j];
            }
            l[q] = fma(a, b, l[q]);
        }
}

/* dot(op(A)[i, k0:k1], op(B)[k0:k1, j]) in eight lanes, summed. */
static double dot_part_portable(const gemm_problem *g, size_t i, size_t j, size_t k0, size_t k1)
{
    double l[8] = {0};
    dot_lanes_portable(g, i, j, k0, k1, l);
    return sum_lanes(l);
}

static void dots_portable(const gemm_problem *g)
{
    const size_t s = g->k_split;
    for (size_t i = 0; i < g->M; i++)
        for (size_t j = 0; j < g->N; j++) {
            double v = dot_part_portable(g, i, j, 0, s ? s : g->K);
            if (s) v += dot_part_portable(g, i, j, s, g->K);
            double *c = g->C + i * g->ldc + j;
            *c = finish(g, v, c, i);
        }
}

/* Whether g asks for one of the layers' two second outputs, which the SIMD rows kernels write in the
 * product's pass: relu(W A + b), or (W^T dZ) * (Z > 0). */
static int rows_fuses(const gemm_problem *g)
{
    enum epilogue epi = epilogue_of(g);
    return (g->then == THEN_RELU && epi == EPI_BIAS) || (g->then == THEN_RELU_MASK && epi == EPI_STORE);
}

#ifdef HAVE_X86_KERNELS

/* ---- AVX-512: 8 doubles per register ----
 * rows form, K up to R512_WK with the layers' epilogues: row by row (rows512_small_k, below);
 * rows form, otherwise: an 8 x 16 block of C in 16 registers; B's two vectors per k are shared by the 8 rows.
 * dots form: near-equal tiles of up to 5 x 4 dot products (1 x 8 for one row of A), one register of
 *   eight lanes each (dots_avx512).
 * Blocks are instantiated for each row count and epilogue (constants at the call sites), so the
 * accumulators stay in registers and the inner loops carry no branches. */

#define R512_MR 8
#define D512_MI 5 /* a tile's rows of A */
#define D512_NJ 4 /* its rows of B; D512_NJ_ONE when A has one row */
#define D512_NJ_ONE 8
#define D512_NJ_MAX D512_NJ_ONE

__attribute__((target("avx512f,fma"))) static inline __mmask8 mask512(size_t w)
{
    return w >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << w) - 1u);
}

__attribute__((target("avx512f,fma"))) static inline double sum_lanes512(__m512d v)
{
    __m256d t = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    __m128d u = _mm_add_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));
    return _mm_cvtsd_f64(_mm_add_sd(u, _mm_unpackhi_pd(u, u)));
}

__attribute__((target("avx512f,fma"), always_inline)) static inline __m512d finish512(const gemm_problem *g,
                                                                                      const enum epilogue epi,
                                                                                      __m512d acc, const double *c,
                                                                                      __mmask8 m, size_t i)
{
    if (epi == EPI_STORE) return acc;
    if (epi == EPI_BIAS) return _mm512_add_pd(acc, _mm512_set1_pd(g->bias[i]));
    __m512d v = _mm512_mul_pd(_mm512_set1_pd(g->alpha), acc);
    if (g->beta != 0.0) v = _mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(g->beta), _mm512_maskz_loadu_pd(m, c)), v);
    if (g->bias) v = _mm512_add_pd(v, _mm512_set1_pd(g->bias[i]));
    return v;
}

/* C[i0:i0+mr, j:j+16] (the columns the masks allow). With all-ones masks (a constant at the call
 * site) the loads and stores compile to plain ones. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_tile(const gemm_problem *g, size_t i0, size_t j, const int mr, const enum epilogue epi, const __mmask8 m0,
             const __mmask8 m1)
{
    const size_t K = g->K, a_i = g->a_i, a_k = g->a_k, b_k = g->b_k, ldc = g->ldc;
    __m512d acc0[R512_MR], acc1[R512_MR];
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++) acc0[r] = acc1[r] = _mm512_setzero_pd();
    const double *b = g->B + j, *a = g->A + i0 * a_i;
    for (size_t k = 0; k < K; k++, b += b_k, a += a_k) {
        const __m512d b0 = _mm512_maskz_loadu_pd(m0, b), b1 = _mm512_maskz_loadu_pd(m1, b + 8);
#pragma GCC unroll 8
        for (int r = 0; r < mr; r++) {
            const __m512d ar = _mm512_set1_pd(a[r * a_i]);
            acc0[r] = _mm512_fmadd_pd(ar, b0, acc0[r]);
            acc1[r] = _mm512_fmadd_pd(ar, b1, acc1[r]);
        }
    }
    double *c = g->C + i0 * ldc + j;
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++, c += ldc) {
        _mm512_mask_storeu_pd(c, m0, finish512(g, epi, acc0[r], c, m0, i0 + r));
        _mm512_mask_storeu_pd(c + 8, m1, finish512(g, epi, acc1[r], c + 8, m1, i0 + r));
    }
}

__attribute__((target("avx512f,fma"), always_inline)) static inline void rows512_panel(const gemm_problem *g,
                                                                                       size_t i0, const int mr,
                                                                                       const enum epilogue epi)
{
    size_t j = 0;
    for (; j + 16 <= g->N; j += 16) rows512_tile(g, i0, j, mr, epi, 0xFF, 0xFF);
    if (j < g->N) {
        size_t w = g->N - j;
        rows512_tile(g, i0, j, mr, epi, mask512(w), w > 8 ? mask512(w - 8) : 0);
    }
}

__attribute__((target("avx512f,fma"), always_inline)) static inline void rows512_all(const gemm_problem *g,
                                                                                     const enum epilogue epi)
{
    size_t i = 0;
    for (; i + R512_MR <= g->M; i += R512_MR) rows512_panel(g, i, R512_MR, epi);
    switch (g->M - i) {
    case 7: rows512_panel(g, i, 7, epi); break;
    case 6: rows512_panel(g, i, 6, epi); break;
    case 5: rows512_panel(g, i, 5, epi); break;
    case 4: rows512_panel(g, i, 4, epi); break;
    case 3: rows512_panel(g, i, 3, epi); break;
    case 2: rows512_panel(g, i, 2, epi); break;
    case 1: rows512_panel(g, i, 1, epi); break;
    default: break;
    }
}

/* rows form, K up to R512_WK (a constant), the layers' epilogues (C = acc, or acc + bias): row by row, as
 * AVX2's rows256_small_k: the row's K values of op(A) broadcast once into registers, the row swept 16
 * columns at a time with the multiply-adds reading B straight from memory; the row's tail is at most one
 * vector of eight, one of four and one masked (a masked tail of up to 15 measured about 1% slower on the
 * lesson's step). A ReLU layer's second output (then) is written in the same pass, as on AVX2. */
#define R512_WK 12

/* elementwise.c's formulas, as relu256 and relu_mask256 */
__attribute__((target("avx512f,fma"))) static inline __m512d relu512(__m512d x)
{
    return _mm512_max_pd(_mm512_setzero_pd(), x);
}

__attribute__((target("avx512f,fma"))) static inline __m512d relu_mask512(__m512d da, __m512d z)
{
    const __mmask8 on = _mm512_cmp_pd_mask(_mm512_setzero_pd(), z, _CMP_LT_OQ);
    return _mm512_mul_pd(da, _mm512_maskz_mov_pd(on, _mm512_set1_pd(1.0)));
}

/* Eight values at p, one of B's rows that start 32 bytes into a cache line: from the aligned vector at p + 4
 * and the one before it (*carry, which then moves on to p + 4). A load that straddles two lines costs
 * about two; this is one load and a shuffle (measured: 0.78 of the straddling loads' time on a product
 * of the lesson's shape; two loads of four cost as much as the straddling ones). */
__attribute__((target("avx512f,fma"), always_inline)) static inline __m512d load_mid_line(const double *p,
                                                                                          __m512d *carry)
{
    const __m512d next = _mm512_load_pd(p + 4);
    const __m512i v = _mm512_alignr_epi64(_mm512_castpd_si512(next), _mm512_castpd_si512(*carry), 4);
    *carry = next;
    return _mm512_castsi512_pd(v);
}

/* C[at:at+8] from v (the epilogue done), then D's when `then` asks: the lanes m allows. In place (D is C),
 * only D's values are stored. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_write8(const gemm_problem *g, size_t at, __m512d v, const enum then then, __mmask8 m)
{
    if (then == THEN_NONE || g->D != g->C) _mm512_mask_storeu_pd(g->C + at, m, v);
    if (then == THEN_NONE) return;
    v = then == THEN_RELU ? relu512(v) : relu_mask512(v, _mm512_maskz_loadu_pd(m, g->Zmask + at));
    _mm512_mask_storeu_pd(g->D + at, m, v);
}

/* C[i, j:j+8 * nv] (and D's) for a small K: w holds op(A)[i, 0..K-1] broadcast, bias the row's bias; nv
 * (a constant) is 2 (sixteen columns) or 1 (the lanes m allows). mid (a constant, with nv 2): B's odd
 * rows start 32 bytes into a line and are read by load_mid_line, carry[k] holding their last vector. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_row_block(const gemm_problem *g, const __m512d *w, __m512d bias, size_t at, size_t j, const int K,
                  const enum epilogue epi, const enum then then, const int nv, __mmask8 m, const int mid,
                  __m512d *carry)
{
    __m512d v0 = _mm512_setzero_pd(), v1 = _mm512_setzero_pd();
#pragma GCC unroll 12
    for (int k = 0; k < K; k++) {
        const double *b = g->B + k * g->b_k + j;
        if (nv == 2 && mid && (k & 1)) {
            v0 = _mm512_fmadd_pd(w[k], load_mid_line(b, &carry[k]), v0);
            v1 = _mm512_fmadd_pd(w[k], load_mid_line(b + 8, &carry[k]), v1);
        } else if (nv == 2) {
            v0 = _mm512_fmadd_pd(w[k], _mm512_loadu_pd(b), v0);
            v1 = _mm512_fmadd_pd(w[k], _mm512_loadu_pd(b + 8), v1);
        } else {
            v0 = _mm512_fmadd_pd(w[k], _mm512_maskz_loadu_pd(m, b), v0);
        }
    }
    if (epi == EPI_BIAS) v0 = _mm512_add_pd(v0, bias), v1 = _mm512_add_pd(v1, bias);
    if (nv == 2) {
        rows512_write8(g, at + j, v0, then, 0xFF);
        rows512_write8(g, at + j + 8, v1, then, 0xFF);
    } else {
        rows512_write8(g, at + j, v0, then, m);
    }
}

/* C[i, j:j+4] (and D's) for a small K, with the lower halves of rows512_row_block's registers: a row's
 * four columns before at most one masked vector. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_row_block4(const gemm_problem *g, const __m512d *w, __m512d bias, size_t at, size_t j, const int K,
                   const enum epilogue epi, const enum then then)
{
    __m256d v = _mm256_setzero_pd();
#pragma GCC unroll 12
    for (int k = 0; k < K; k++)
        v = _mm256_fmadd_pd(_mm512_castpd512_pd256(w[k]), _mm256_loadu_pd(g->B + k * g->b_k + j), v);
    if (epi == EPI_BIAS) v = _mm256_add_pd(v, _mm512_castpd512_pd256(bias));
    const size_t o = at + j;
    if (then == THEN_NONE || g->D != g->C) _mm256_storeu_pd(g->C + o, v);
    if (then == THEN_NONE) return;
    if (then == THEN_RELU) v = _mm256_max_pd(_mm256_setzero_pd(), v);
    else {
        const __m256d on = _mm256_cmp_pd(_mm256_setzero_pd(), _mm256_loadu_pd(g->Zmask + o), _CMP_LT_OQ);
        v = _mm256_mul_pd(v, _mm256_and_pd(on, _mm256_set1_pd(1.0)));
    }
    _mm256_storeu_pd(g->D + o, v);
}

/* Row i of C (and D). mid (a constant): B is on a line's start and its rows hold 4 mod 8 values (the
 * lesson's 300 and 100 examples), so every odd row starts 32 bytes into a line; its first vector before
 * the row (the end of the row above) seeds load_mid_line. The sixteen-column blocks end at least four
 * values before the row does, so those reads stay inside B. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_row(const gemm_problem *g, size_t i, const int K, const enum epilogue epi, const enum then then,
            const int mid)
{
    __m512d w[R512_WK], carry[R512_WK];
#pragma GCC unroll 12
    for (int k = 0; k < K; k++) {
        w[k] = _mm512_set1_pd(g->A[i * g->a_i + k * g->a_k]);
        if (mid && (k & 1)) carry[k] = _mm512_load_pd(g->B + k * g->b_k - 4);
    }
    const __m512d bias = epi == EPI_BIAS ? _mm512_set1_pd(g->bias[i]) : _mm512_setzero_pd();
    const size_t at = i * g->ldc, N = g->N;
    size_t j = 0;
    for (; j + 16 <= N; j += 16) rows512_row_block(g, w, bias, at, j, K, epi, then, 2, 0xFF, mid, carry);
    if (j + 8 <= N) rows512_row_block(g, w, bias, at, j, K, epi, then, 1, 0xFF, 0, carry), j += 8;
    if (j + 4 <= N) rows512_row_block4(g, w, bias, at, j, K, epi, then), j += 4;
    if (j < N) rows512_row_block(g, w, bias, at, j, K, epi, then, 1, mask512(N - j), 0, carry);
}

__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_small_k(const gemm_problem *g, const int K, const enum epilogue epi, const enum then then)
{
    /* not on a window of B's columns (gemm_then): mid's reads reach four values past either end, which
     * another thread may be writing */
    const int mid = (uintptr_t)g->B % 64 == 0 && g->b_k % 8 == 4 && K > 1 && g->N == g->b_k;
    for (size_t i = 0; i < g->M; i++) {
        if (mid) rows512_row(g, i, K, epi, then, 1);
        else rows512_row(g, i, K, epi, then, 0);
    }
}

__attribute__((target("avx512f,fma"), always_inline)) static inline void
rows512_small_k_of(const gemm_problem *g, const enum epilogue epi, const enum then then)
{
    switch (g->K) {
    case 1: rows512_small_k(g, 1, epi, then); break;
    case 2: rows512_small_k(g, 2, epi, then); break;
    case 3: rows512_small_k(g, 3, epi, then); break;
    case 4: rows512_small_k(g, 4, epi, then); break;
    case 5: rows512_small_k(g, 5, epi, then); break;
    case 6: rows512_small_k(g, 6, epi, then); break;
    case 7: rows512_small_k(g, 7, epi, then); break;
    case 8: rows512_small_k(g, 8, epi, then); break;
    case 9: rows512_small_k(g, 9, epi, then); break;
    case 10: rows512_small_k(g, 10, epi, then); break;
    case 11: rows512_small_k(g, 11, epi, then); break;
    default: rows512_small_k(g, 12, epi, then); break;
    }
}

/* Whether the AVX-512 rows kernel writes g's second output itself: the layers' two cases, with a small K. */
static int rows_avx512_fuses(const gemm_problem *g) { return g->K <= R512_WK && rows_fuses(g); }

/* A small K with the layers' epilogues: row by row (rows512_small_k); otherwise 8 x 16 blocks. Any `then`
 * rows_avx512_fuses refuses is left to the caller. */
__attribute__((target("avx512f,fma"))) static void rows_avx512(const gemm_problem *problem)
{
    gemm_problem copy = *problem, *g = &copy;
    const enum epilogue epi = epilogue_of(g);
    if (!rows_avx512_fuses(g)) g->then = THEN_NONE;
    if (g->K <= R512_WK && epi != EPI_GENERAL) {
        if (g->then == THEN_RELU) rows512_small_k_of(g, EPI_BIAS, THEN_RELU);
        else if (g->then == THEN_RELU_MASK) rows512_small_k_of(g, EPI_STORE, THEN_RELU_MASK);
        else if (epi == EPI_BIAS) rows512_small_k_of(g, EPI_BIAS, THEN_NONE);
        else rows512_small_k_of(g, EPI_STORE, THEN_NONE);
        return;
    }
    switch (epi) {
    case EPI_STORE: rows512_all(g, EPI_STORE); break;
    case EPI_BIAS: rows512_all(g, EPI_BIAS); break;
    default: rows512_all(g, EPI_GENERAL); break;
    }
}

/* One chunk of 8 k's added into the ri x rj lanes. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
dots512_chunk(const double *const *a, const double *const *b, size_t k, const int ri, const int rj,
              const __mmask8 m, __m512d acc[D512_MI][D512_NJ_MAX])
{
    __m512d bv[D512_NJ_MAX];
#pragma GCC unroll 8
    for (int c = 0; c < rj; c++) bv[c] = _mm512_maskz_loadu_pd(m, b[c] + k);
#pragma GCC unroll 5
    for (int r = 0; r < ri; r++) {
        const __m512d av = _mm512_maskz_loadu_pd(m, a[r] + k);
#pragma GCC unroll 8
        for (int c = 0; c < rj; c++) acc[r][c] = _mm512_fmadd_pd(av, bv[c], acc[r][c]);
    }
}

/* The ri x rj dots over k0 <= k < k1 (k0 a multiple of 8), each in eight lanes from zero, summed into
 * sum[r][c]: stored there (first, a constant) or added. */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
dots512_part(const double *const *a, const double *const *b, size_t k0, size_t k1, const int ri, const int rj,
             const int first, double sum[D512_MI][D512_NJ_MAX])
{
    __m512d acc[D512_MI][D512_NJ_MAX];
#pragma GCC unroll 5
    for (int r = 0; r < ri; r++)
#pragma GCC unroll 8
        for (int c = 0; c < rj; c++) acc[r][c] = _mm512_setzero_pd();
    size_t k = k0;
    for (; k + 8 <= k1; k += 8) dots512_chunk(a, b, k, ri, rj, 0xFF, acc);
    if (k < k1) dots512_chunk(a, b, k, ri, rj, mask512(k1 - k), acc);
#pragma GCC unroll 5
    for (int r = 0; r < ri; r++)
#pragma GCC unroll 8
        for (int c = 0; c < rj; c++) {
            const double v = sum_lanes512(acc[r][c]);
            sum[r][c] = first ? v : sum[r][c] + v;
        }
}

/* The ri x rj dot products C[i0.., j0..] = dot(A[i,:], B[j,:]) over all K (in its two halves past 128). */
__attribute__((target("avx512f,fma"), always_inline)) static inline void
dots512_tile(const gemm_problem *g, size_t i0, size_t j0, const int ri, const int rj)
{
    const size_t K = g->K, s = g->k_split;
    const double *a[D512_MI], *b[D512_NJ_MAX];
    double sum[D512_MI][D512_NJ_MAX];
#pragma GCC unroll 5
    for (int r = 0; r < ri; r++) a[r] = g->A + (i0 + r) * g->a_i;
#pragma GCC unroll 8
    for (int c = 0; c < rj; c++) b[c] = g->B + (j0 + c) * g->b_j;
    dots512_part(a, b, 0, s ? s : K, ri, rj, 1, sum);
    if (s) dots512_part(a, b, s, K, ri, rj, 0, sum);
#pragma GCC unroll 5
    for (int r = 0; r < ri; r++)
#pragma GCC unroll 8
        for (int c = 0; c < rj; c++) {
            double *out = g->C + (i0 + r) * g->ldc + j0 + c;
            *out = finish(g, sum[r][c], out, i0 + r);
        }
}

/* C[i0:i0+ri, j0:j0+rj] for rj given at run time: 1 to D512_NJ, or to D512_NJ_ONE when ri is 1 (the
 * instantiated tiles keep their accumulators and loads in registers). */
__attribute__((target("avx512f,fma"), always_inline)) static inline void dots512_tile_n(const gemm_problem *g,
                                                                                        size_t i0, size_t j0,
                                                                                        const int ri, size_t rj)
{
    _Static_assert(D512_NJ == 4 && D512_NJ_ONE == 8, "the cases below");
    switch (ri == 1 ? rj : rj > 4 ? 4 : rj) {
    case 8: dots512_tile(g, i0, j0, 1, 8); break;
    case 7: dots512_tile(g, i0, j0, 1, 7); break;
    case 6: dots512_tile(g, i0, j0, 1, 6); break;
    case 5: dots512_tile(g, i0, j0, 1, 5); break;
    case 4: dots512_tile(g, i0, j0, ri, 4); break;
    case 3: dots512_tile(g, i0, j0, ri, 3); break;
    case 2: dots512_tile(g, i0, j0, ri, 2); break;
    default: dots512_tile(g, i0, j0, ri, 1); break;
    }
}

/* The size of part p when n is cut into `parts` near-equal parts (10 into 3: 4, 3, 3). */
static size_t part_size(size_t n, size_t parts, size_t p) { return n / parts + (p < n % parts); }

/* Tiles of near-equal sizes, at most D512_MI x D512_NJ (1 x D512_NJ_ONE for a single row of A): each dot's
 * eight lanes are a chain of K / 8 dependent multiply-adds, so a tile of few dots (the 1 x 1 tile left by
 * fixed 4 x 3 tiles on 5 x 10) waits on its chains' latency instead of filling the multiply-add units. */
__attribute__((target("avx512f,fma"))) static void dots_avx512(const gemm_problem *problem)
{
    const gemm_problem copy = *problem, *g = &copy;
    const size_t panels = (g->M + D512_MI - 1) / D512_MI;
    size_t i = 0;
    for (size_t p = 0; p < panels; p++) {
        const size_t ri = part_size(g->M, panels, p), most = ri == 1 ? D512_NJ_ONE : D512_NJ;
        const size_t groups = (g->N + most - 1) / most;
        size_t j = 0;
        for (size_t q = 0; q < groups; q++) {
            const size_t rj = part_size(g->N, groups, q);
            switch (ri) {
            case 5: dots512_tile_n(g, i, j, 5, rj); break;
            case 4: dots512_tile_n(g, i, j, 4, rj); break;
            case 3: dots512_tile_n(g, i, j, 3, rj); break;
            case 2: dots512_tile_n(g, i, j, 2, rj); break;
            default: dots512_tile_n(g, i, j, 1, rj); break;
            }
            j += rj;
        }
        i += ri;
    }
}

/* ---- AVX2 + FMA: 4 doubles per register ----
 * rows form, K up to R256_WK: row by row, the row's K values of op(A) broadcast once into registers, then
 *   the row swept 16 columns at a time (8 when K > R256_ROW_WIDE_K: registers), the multiply-adds reading
 *   B straight from memory (no broadcast and no load instruction of their own; measured ~20% fewer
 *   instructions than holding B's rows instead); the row's tail is 8 columns, a plain vector of four,
 *   then at most one masked vector (masked stores are slow on Zen).
 * rows form, larger K: blocks of up to 6 x 8 (12 accumulators, 2 vectors of B). A small op(A) (at most
 *   R256_WIDE values, a layer's W) is first copied with each value in four lanes, so those multiply-adds
 *   read it from memory instead of broadcasting it for each use.
 * dots form: 2 x 2 blocks of dot products, each vector of the four rows loaded once for two multiply-adds;
 *   C's odd row or column: one vector of eight lanes (two registers) held, multiplied into up to
 *   D256_PARTNERS dot products at once, their other operand read straight from memory. Every dot has the
 *   eight lanes of the AVX-512 kernel, and its sums.
 * Each kernel starts from a copy of the problem: the intrinsics' stores may alias anything, and the
 * copy's fields then stay in registers instead of being reloaded after every store. */

#define R256_MR 6
#define R256_WK 12
#define R256_WIDE 256
#define R256_ROW_VECTORS 4
#define R256_ROW_WIDE_K 10 /* K weights, four accumulators and the bias: 15 of AVX2's 16 registers */
#define D256_PARTNERS 6

/* op(A)[i,k] for the multiply-adds: a broadcast of the value at p, or, from a problem whose A was widened
 * (widen_a), the four copies at p, which the multiply-adds read straight from memory: no broadcast
 * instruction for each. `wide` is a constant. */
__attribute__((target("avx2,fma"), always_inline)) static inline __m256d a_value256(const double *p, const int wide)
{
    return wide ? _mm256_load_pd(p) : _mm256_broadcast_sd(p);
}

__attribute__((target("avx2,fma"))) static inline __m256i mask256(size_t w)
{
    const long long lanes = w >= 4 ? 4 : (long long)w;
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(lanes), _mm256_setr_epi64x(0, 1, 2, 3));
}

/* The eight lanes lo (0-3) and hi (4-7) summed in sum_lanes' order. */
__attribute__((target("avx2,fma"))) static inline double sum_lanes256(__m256d lo, __m256d hi)
{
    __m256d t = _mm256_add_pd(lo, hi);
    __m128d u = _mm_add_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));
    return _mm_cvtsd_f64(_mm_add_sd(u, _mm_unpackhi_pd(u, u)));
}

__attribute__((target("avx2,fma"), always_inline)) static inline __m256d finish256(const gemm_problem *g,
                                                                                   const enum epilogue epi,
                                                                                   __m256d acc, const double *c,
                                                                                   __m256i m, size_t i)
{
    if (epi == EPI_STORE) return acc;
    if (epi == EPI_BIAS) return _mm256_add_pd(acc, _mm256_set1_pd(g->bias[i]));
    __m256d v = _mm256_mul_pd(_mm256_set1_pd(g->alpha), acc);
    if (g->beta != 0.0) v = _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(g->beta), _mm256_maskload_pd(c, m)), v);
    if (g->bias) v = _mm256_add_pd(v, _mm256_set1_pd(g->bias[i]));
    return v;
}

/* elementwise.c's formulas: relu x < 0 ? 0 : x (-0 and NaN kept); its gradient dA * (z > 0 ? 1 : 0).
 * relu is one instruction: max(0, x) returns its second operand x when x is NaN or a zero of either sign. */
__attribute__((target("avx2,fma"))) static inline __m256d relu256(__m256d x)
{
    return _mm256_max_pd(_mm256_setzero_pd(), x);
}

/* z is read from memory by the comparison itself (written 0 < z, the form whose second operand may be
 * in memory): one instruction and one register fewer where registers are scarce. */
__attribute__((target("avx2,fma"), always_inline)) static inline __m256d relu_mask256(__m256d da, const double *z,
                                                                                    const int full, __m256i m)
{
    const __m256d zv = full ? _mm256_loadu_pd(z) : _mm256_maskload_pd(z, m);
    const __m256d on = _mm256_and_pd(_mm256_cmp_pd(_mm256_setzero_pd(), zv, _CMP_LT_OQ), _mm256_set1_pd(1.0));
    return _mm256_mul_pd(da, on);
}

/* Eight values at p: all of them when `full` (a constant), else the lanes m0, m1 allow (the others 0). */
__attribute__((target("avx2,fma"), always_inline)) static inline void load8(const double *p, __m256d *lo,
                                                                            __m256d *hi, const int full,
                                                                            __m256i m0, __m256i m1)
{
    *lo = full ? _mm256_loadu_pd(p) : _mm256_maskload_pd(p, m0);
    *hi = full ? _mm256_loadu_pd(p + 4) : _mm256_maskload_pd(p + 4, m1);
}

/* C[at:at+4] from its accumulator v (the epilogue done), then D's (when `then` asks): all four lanes when
 * `full` (a constant), else those m allows. In place (D is C), only D's values are stored. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_write4(const gemm_problem *g, size_t at, __m256d v, const enum then then, const int full, __m256i m)
{
    if (then == THEN_NONE || g->D != g->C) {
        if (full) _mm256_storeu_pd(g->C + at, v);
        else _mm256_maskstore_pd(g->C + at, m, v);
    }
    if (then == THEN_NONE) return;
    v = then == THEN_RELU ? relu256(v) : relu_mask256(v, g->Zmask + at, full, m);
    if (full) _mm256_storeu_pd(g->D + at, v);
    else _mm256_maskstore_pd(g->D + at, m, v);
}

/* C[i, j:j+8] from its accumulators (at = i * ldc + j), then D's (when `then` asks): the epilogue on both
 * vectors first (it may read C's old values), then each written as rows256_write4 does. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_write(const gemm_problem *g, size_t i, size_t at, __m256d v0, __m256d v1, const enum epilogue epi,
              const enum then then, const int full, __m256i m0, __m256i m1)
{
    const double *c = g->C + at;
    v0 = finish256(g, epi, v0, c, m0, i), v1 = finish256(g, epi, v1, c + 4, m1, i);
    rows256_write4(g, at, v0, then, full, m0);
    rows256_write4(g, at + 4, v1, then, full, m1);
}

/* C[i, j:N] (and D's) for a small K, as rows256_row_block: a row's last 1 to 3 columns. A masked store
 * costs about ten times a plain one on AMD's cores, so a row ends in plain vectors down to four columns
 * and at most one masked one, never a masked pair. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_row_tail(const gemm_problem *g, const __m256d *w, __m256d bias, size_t at, size_t j, const int K,
                 const enum epilogue epi, const enum then then)
{
    const __m256i m = mask256(g->N - j);
    __m256d v = _mm256_setzero_pd();
#pragma GCC unroll 12
    for (int k = 0; k < K; k++) v = _mm256_fmadd_pd(w[k], _mm256_maskload_pd(g->B + k * g->b_k + j, m), v);
    if (epi == EPI_BIAS) v = _mm256_add_pd(v, bias);
    rows256_write4(g, at + j, v, then, 0, m);
}

/* C[i, j:j+4nv] (and D's) for a small K (a constant): w holds op(A)[i, 0..K-1] broadcast, bias the row's
 * bias; B's rows are read straight from memory by the multiply-adds. The nv (a constant) chains sit side by
 * side in the program: cores with small schedulers (Zen 1, Zen 2) only overlap chains that do. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_row_block(const gemm_problem *g, const __m256d *w, __m256d bias, size_t at, size_t j, const int K,
                  const enum epilogue epi, const enum then then, const int nv)
{
    const __m256i all = _mm256_set1_epi64x(-1); /* unused: every lane is written */
    __m256d v[R256_ROW_VECTORS];
#pragma GCC unroll 4
    for (int c = 0; c < nv; c++) v[c] = _mm256_setzero_pd();
#pragma GCC unroll 12
    for (int k = 0; k < K; k++) {
        const double *b = g->B + k * g->b_k + j;
#pragma GCC unroll 4
        for (int c = 0; c < nv; c++) v[c] = _mm256_fmadd_pd(w[k], _mm256_loadu_pd(b + 4 * c), v[c]);
    }
#pragma GCC unroll 4
    for (int c = 0; c < nv; c++) {
        if (epi == EPI_BIAS) v[c] = _mm256_add_pd(v[c], bias);
        rows256_write4(g, at + j + 4 * c, v[c], then, 1, all); /* the bias is in: a plain store */
    }
}

/* Row i of C (and D) for a small K (a constant): op(A)'s K values on the row broadcast once into
 * registers, then the row swept 16 columns at a time (four chains side by side), then 8, then 4, then
 * the masked tail. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_row(const gemm_problem *g, size_t i, const int K, const enum epilogue epi, const enum then then)
{
    __m256d w[R256_WK];
#pragma GCC unroll 12
    for (int k = 0; k < K; k++) w[k] = _mm256_broadcast_sd(g->A + i * g->a_i + k * g->a_k);
    const __m256d bias = epi == EPI_BIAS ? _mm256_broadcast_sd(g->bias + i) : _mm256_setzero_pd();
    const size_t at = i * g->ldc;
    size_t j = 0;
    if (K <= R256_ROW_WIDE_K)
        for (; j + 16 <= g->N; j += 16) rows256_row_block(g, w, bias, at, j, K, epi, then, 4);
    for (; j + 8 <= g->N; j += 8) rows256_row_block(g, w, bias, at, j, K, epi, then, 2);
    if (j + 4 <= g->N) rows256_row_block(g, w, bias, at, j, K, epi, then, 1), j += 4;
    if (j < g->N) rows256_row_tail(g, w, bias, at, j, K, epi, then);
}

__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_small_k(const gemm_problem *g, const int K, const enum epilogue epi, const enum then then)
{
    for (size_t i = 0; i < g->M; i++) rows256_row(g, i, K, epi, then);
}

/* C[i0:i0+mr, j:j+8] (and D's, when `then` asks); `full` (a constant) selects plain loads and stores. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
rows256_tile(const gemm_problem *g, size_t i0, size_t j, const int mr, const enum epilogue epi, const enum then then,
             const int full, const int wide)
{
    const size_t K = g->K, a_i = g->a_i, a_k = g->a_k, b_k = g->b_k, ldc = g->ldc;
    const size_t w = full ? 8 : g->N - j;
    const __m256i m0 = mask256(w), m1 = mask256(w > 4 ? w - 4 : 0);
    __m256d acc0[R256_MR], acc1[R256_MR];
#pragma GCC unroll 6
    for (int r = 0; r < mr; r++) acc0[r] = acc1[r] = _mm256_setzero_pd();
    const double *b = g->B + j, *a = g->A + i0 * a_i;
    for (size_t k = 0; k < K; k++, b += b_k, a += a_k) {
        __m256d b0, b1;
        load8(b, &b0, &b1, full, m0, m1);
#pragma GCC unroll 6
        for (int r = 0; r < mr; r++) {
            const __m256d ar = a_value256(a + r * a_i, wide);
            acc0[r] = _mm256_fmadd_pd(ar, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_pd(ar, b1, acc1[r]);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < mr; r++)
        rows256_write(g, i0 + r, (i0 + r) * ldc + j, acc0[r], acc1[r], epi, then, full, m0, m1);
}

__attribute__((target("avx2,fma"), always_inline)) static inline void rows256_panel(const gemm_problem *g,
                                                                                    size_t i0, const int mr,
                                                                                    const enum epilogue epi,
                                                                                    const enum then then,
                                                                                    const int wide)
{
    size_t j = 0;
    for (; j + 8 <= g->N; j += 8) rows256_tile(g, i0, j, mr, epi, then, 1, wide);
    if (j < g->N) rows256_tile(g, i0, j, mr, epi, then, 0, wide);
}

/* Row panels of at most R256_MR rows, of near-equal heights (10 rows: 5 + 5, not 4 + 4 + 2): a panel of
 * few rows loads B's vectors for few multiply-adds. */
__attribute__((target("avx2,fma"), always_inline)) static inline void rows256_panels(const gemm_problem *g,
                                                                                     const enum epilogue epi,
                                                                                     const enum then then,
                                                                                     const int wide)
{
    const size_t panels = (g->M + R256_MR - 1) / R256_MR, base = g->M / panels, taller = g->M % panels;
    size_t i = 0;
    for (size_t p = 0; p < panels; p++) {
        const size_t mr = base + (p < taller);
        switch (mr) {
        case 6: rows256_panel(g, i, 6, epi, then, wide); break;
        case 5: rows256_panel(g, i, 5, epi, then, wide); break;
        case 4: rows256_panel(g, i, 4, epi, then, wide); break;
        case 3: rows256_panel(g, i, 3, epi, then, wide); break;
        case 2: rows256_panel(g, i, 2, epi, then, wide); break;
        default: rows256_panel(g, i, 1, epi, then, wide); break;
        }
        i += mr;
    }
}

/* Small K: row by row, op(A)'s row held (rows256_small_k); otherwise row panels. A widened op(A) only
 * comes with a larger K (rows_avx2), so those instantiations leave the small-K cases out. */
__attribute__((target("avx2,fma"), always_inline)) static inline void rows256_all(const gemm_problem *g,
                                                                                  const enum epilogue epi,
                                                                                  const enum then then,
                                                                                  const int wide)
{
    switch (epi == EPI_GENERAL || wide ? 0 : g->K) {
    case 1: rows256_small_k(g, 1, epi, then); break;
    case 2: rows256_small_k(g, 2, epi, then); break;
    case 3: rows256_small_k(g, 3, epi, then); break;
    case 4: rows256_small_k(g, 4, epi, then); break;
    case 5: rows256_small_k(g, 5, epi, then); break;
    case 6: rows256_small_k(g, 6, epi, then); break;
    case 7: rows256_small_k(g, 7, epi, then); break;
    case 8: rows256_small_k(g, 8, epi, then); break;
    case 9: rows256_small_k(g, 9, epi, then); break;
    case 10: rows256_small_k(g, 10, epi, then); break;
    case 11: rows256_small_k(g, 11, epi, then); break;
    case 12: rows256_small_k(g, 12, epi, then); break;
    default: rows256_panels(g, epi, then, wide); break;
    }
}

__attribute__((target("avx2,fma"), always_inline)) static inline void rows256_epilogues(const gemm_problem *g,
                                                                                        const int wide)
{
    if (g->then == THEN_RELU) rows256_all(g, EPI_BIAS, THEN_RELU, wide);
    else if (g->then == THEN_RELU_MASK) rows256_all(g, EPI_STORE, THEN_RELU_MASK, wide);
    else switch (epilogue_of(g)) {
        case EPI_STORE: rows256_all(g, EPI_STORE, THEN_NONE, wide); break;
        case EPI_BIAS: rows256_all(g, EPI_BIAS, THEN_NONE, wide); break;
        default: rows256_all(g, EPI_GENERAL, THEN_NONE, wide); break;
        }
}


/* A small op(A) (at most R256_WIDE values) copied to wide[] with each value in four lanes, and g pointed at
 * it: a_value256 then reads it with no broadcast per multiply-add. */
__attribute__((target("avx2,fma"))) static inline void widen_a(gemm_problem *g, double *wide)
{
    for (size_t i = 0; i < g->M; i++)
        for (size_t k = 0; k < g->K; k++)
            _mm256_store_pd(wide + (i * g->K + k) * 4, _mm256_broadcast_sd(g->A + i * g->a_i + k * g->a_k));
    g->A = wide, g->a_i = 4 * g->K, g->a_k = 4;
}

/* The layers' fused cases (rows_fuses) write D here; any other `then` is left to the caller. */
__attribute__((target("avx2,fma"))) static void rows_avx2(const gemm_problem *problem)
{
    gemm_problem copy = *problem;
    if (!rows_fuses(&copy)) copy.then = THEN_NONE;
    if (copy.K > R256_WK && copy.M * copy.K <= R256_WIDE) {
        _Alignas(32) double wide[R256_WIDE * 4];
        widen_a(&copy, wide);
        rows256_epilogues(&copy, 1);
    } else {
        rows256_epilogues(&copy, 0);
    }
}

/* np dot products dot(held, partner[p]) over k0 <= k < k1 (k0 a multiple of 8), each in eight lanes from
 * zero (lo: 0-3, hi: 4-7), summed into sum[p]: stored there (first, a constant) or added. np is a constant. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
dots256_part(const double *held, const double *const *partner, const int np, size_t k0, size_t k1, const int first,
             double *sum)
{
    __m256d lo[D256_PARTNERS], hi[D256_PARTNERS];
#pragma GCC unroll 6
    for (int p = 0; p < np; p++) lo[p] = hi[p] = _mm256_setzero_pd();
    size_t k = k0;
#pragma GCC unroll 2
    for (; k + 8 <= k1; k += 8) {
        const __m256d h0 = _mm256_loadu_pd(held + k), h1 = _mm256_loadu_pd(held + k + 4);
#pragma GCC unroll 6
        for (int p = 0; p < np; p++) {
            lo[p] = _mm256_fmadd_pd(_mm256_loadu_pd(partner[p] + k), h0, lo[p]);
            hi[p] = _mm256_fmadd_pd(_mm256_loadu_pd(partner[p] + k + 4), h1, hi[p]);
        }
    }
    if (k < k1) { /* lanes past the end add 0 * 0 */
        const __m256i m0 = mask256(k1 - k), m1 = mask256(k1 - k > 4 ? k1 - k - 4 : 0);
        __m256d h0, h1;
        load8(held + k, &h0, &h1, 0, m0, m1);
#pragma GCC unroll 6
        for (int p = 0; p < np; p++) {
            __m256d p0, p1;
            load8(partner[p] + k, &p0, &p1, 0, m0, m1);
            lo[p] = _mm256_fmadd_pd(p0, h0, lo[p]);
            hi[p] = _mm256_fmadd_pd(p1, h1, hi[p]);
        }
    }
#pragma GCC unroll 6
    for (int p = 0; p < np; p++) {
        const double v = sum_lanes256(lo[p], hi[p]);
        sum[p] = first ? v : sum[p] + v;
    }
}

/* np dot products dot(held, partner[p]) over all K (in its two halves past 128), written to
 * out[p * out_step]; `row[p]` is the row of C (for the epilogue). np is a constant. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
dots256_tile(const gemm_problem *g, const double *held, const double *const *partner, const int np,
             double *out, size_t out_step, const size_t *row)
{
    const size_t K = g->K, s = g->k_split;
    double sum[D256_PARTNERS];
    dots256_part(held, partner, np, 0, s ? s : K, 1, sum);
    if (s) dots256_part(held, partner, np, s, K, 0, sum);
#pragma GCC unroll 6
    for (int p = 0; p < np; p++) {
        double *c = out + p * out_step;
        *c = finish(g, sum[p], c, row[p]);
    }
}

/* C[i, j0:j0+np] (rows_held: the row of A held, B's rows its partners) or C[i0:i0+np, j] (a column: B's
 * row held, A's rows the partners). */
__attribute__((target("avx2,fma"), always_inline)) static inline void
dots256_group(const gemm_problem *g, size_t i, size_t j, const int np, const int rows_held)
{
    const double *partner[D256_PARTNERS];
    size_t row[D256_PARTNERS];
#pragma GCC unroll 6
    for (int p = 0; p < np; p++) {
        partner[p] = rows_held ? g->B + (j + p) * g->b_j : g->A + (i + p) * g->a_i;
        row[p] = rows_held ? i : i + p;
    }
    const double *held = rows_held ? g->A + i * g->a_i : g->B + j * g->b_j;
    dots256_tile(g, held, partner, np, g->C + i * g->ldc + j, rows_held ? 1 : g->ldc, row);
}

/* Groups of at most D256_PARTNERS along C's longer side, of near-equal sizes (10: 5 + 5). */
__attribute__((target("avx2,fma"), always_inline)) static inline void dots256_line(const gemm_problem *g,
                                                                                  size_t fixed, size_t length,
                                                                                  const int rows_held)
{
    const size_t groups = (length + D256_PARTNERS - 1) / D256_PARTNERS, base = length / groups,
                 larger = length % groups;
    size_t at = 0;
    for (size_t q = 0; q < groups; q++) {
        const size_t np = base + (q < larger);
        const size_t i = rows_held ? fixed : at, j = rows_held ? at : fixed;
        switch (np) {
        case 6: dots256_group(g, i, j, 6, rows_held); break;
        case 5: dots256_group(g, i, j, 5, rows_held); break;
        case 4: dots256_group(g, i, j, 4, rows_held); break;
        case 3: dots256_group(g, i, j, 3, rows_held); break;
        case 2: dots256_group(g, i, j, 2, rows_held); break;
        default: dots256_group(g, i, j, 1, rows_held); break;
        }
        at += np;
    }
}

/* acc[2 r + c] += x_r * y_c: the four products of two vectors of A's rows with two of B's. */
__attribute__((target("avx2,fma"), always_inline)) static inline void fma22(__m256d acc[4], __m256d x0, __m256d x1,
                                                                            __m256d y0, __m256d y1)
{
    acc[0] = _mm256_fmadd_pd(x0, y0, acc[0]), acc[1] = _mm256_fmadd_pd(x0, y1, acc[1]);
    acc[2] = _mm256_fmadd_pd(x1, y0, acc[2]), acc[3] = _mm256_fmadd_pd(x1, y1, acc[3]);
}

/* The four dot products of rows a0, a1 of A with rows b0, b1 of B over k0 <= k < k1, each in eight lanes
 * as dots256_part makes them (lo: lanes 0-3, hi: 4-7; so the same bits), summed into sum[2 r + c] as
 * there; every vector loaded once for two multiply-adds: 8 loads for 8 multiply-adds, where a held row
 * against partners read from memory takes 12 for 10. */
__attribute__((target("avx2,fma"), always_inline)) static inline void
dots256_part22(const double *a0, const double *a1, const double *b0, const double *b1, size_t k0, size_t k1,
               const int first, double sum[4])
{
    __m256d lo[4], hi[4];
    for (int q = 0; q < 4; q++) lo[q] = hi[q] = _mm256_setzero_pd();
    size_t k = k0;
    for (; k + 8 <= k1; k += 8) {
        /* every vector in a register (the empty asm): folded into the multiply-adds as memory operands,
         * GCC's choice, half of them would be loaded twice */
        __m256d x0 = _mm256_loadu_pd(a0 + k), x1 = _mm256_loadu_pd(a1 + k);
        __m256d y0 = _mm256_loadu_pd(b0 + k), y1 = _mm256_loadu_pd(b1 + k);
        __asm__("" : "+x"(x0), "+x"(x1), "+x"(y0), "+x"(y1));
        fma22(lo, x0, x1, y0, y1);
        __m256d u0 = _mm256_loadu_pd(a0 + k + 4), u1 = _mm256_loadu_pd(a1 + k + 4);
        __m256d v0 = _mm256_loadu_pd(b0 + k + 4), v1 = _mm256_loadu_pd(b1 + k + 4);
        __asm__("" : "+x"(u0), "+x"(u1), "+x"(v0), "+x"(v1));
        fma22(hi, u0, u1, v0, v1);
    }
    if (k < k1) { /* lanes past the end add 0 * 0, as in dots256_part */
        const __m256i m0 = mask256(k1 - k), m1 = mask256(k1 - k > 4 ? k1 - k - 4 : 0);
        __m256d x0, x1, y0, y1, u0, u1, v0, v1;
        load8(a0 + k, &x0, &u0, 0, m0, m1), load8(a1 + k, &x1, &u1, 0, m0, m1);
        load8(b0 + k, &y0, &v0, 0, m0, m1), load8(b1 + k, &y1, &v1, 0, m0, m1);
        fma22(lo, x0, x1, y0, y1), fma22(hi, u0, u1, v0, v1);
    }
    for (int q = 0; q < 4; q++) {
        const double v = sum_lanes256(lo[q], hi[q]);
        sum[q] = first ? v : sum[q] + v;
    }
}

/* C[i:i+2, j:j+2] over all K (in its two halves past 128). */
__attribute__((target("avx2,fma"), always_inline)) static inline void dots256_tile22(const gemm_problem *g, size_t i,
                                                                                    size_t j)
{
    const size_t K = g->K, s = g->k_split;
    const double *a0 = g->A + i * g->a_i, *a1 = a0 + g->a_i, *b0 = g->B + j * g->b_j, *b1 = b0 + g->b_j;
    double sum[4];
    dots256_part22(a0, a1, b0, b1, 0, s ? s : K, 1, sum);
    if (s) dots256_part22(a0, a1, b0, b1, s, K, 0, sum);
    for (int q = 0; q < 4; q++) {
        double *c = g->C + (i + q / 2) * g->ldc + j + q % 2;
        *c = finish(g, sum[q], c, i + q / 2);
    }
}

__attribute__((target("avx2,fma"))) static void dots_avx2(const gemm_problem *problem)
{
    const gemm_problem copy = *problem, *g = &copy;
    const size_t M2 = g->M & ~(size_t)1, N2 = g->N & ~(size_t)1;
    if (M2 && N2) { /* 2 x 2 tiles, then C's last column (N odd) and last row (M odd) as lines */
        for (size_t i = 0; i < M2; i += 2)
            for (size_t j = 0; j < N2; j += 2) dots256_tile22(g, i, j);
        if (N2 < g->N) dots256_line(g, g->N - 1, g->M, 0);
        if (M2 < g->M) dots256_line(g, g->M - 1, N2, 1);
    } else if (g->N >= g->M) { /* hold a row of A, its partners along the row of C */
        for (size_t i = 0; i < g->M; i++) dots256_line(g, i, g->N, 1);
    } else {
        for (size_t j = 0; j < g->N; j++) dots256_line(g, j, g->M, 0);
    }
}

#endif /* HAVE_X86_KERNELS */

/* ---- dispatch ---- */

/* C = alpha op(A) op(B) + beta C + bias on the kernels of one level. */
static void gemm_kernels(il_isa isa, const gemm_problem *g)
{
    if (g->M == 0 || g->N == 0) return;
    /* alpha = 0 or K = 0 must not read A or B (BLAS semantics: C = beta C, even where A holds inf) */
    if (g->alpha == 0.0 || g->K == 0) {
        scale_output(g);
        if (g->bias) add_row_bias(g->C, g->M, g->N, g->ldc, g->bias);
        return;
    }
    int rows_form = g->b_j == 1, dots_form = !rows_form && g->a_k == 1 && g->b_k == 1;
#ifdef HAVE_X86_KERNELS
    if (isa == IL_ISA_AVX512 && (rows_form || dots_form)) {
        if (rows_form) rows_avx512(g);
        else dots_avx512(g);
        return;
    }
    if (isa == IL_ISA_AVX2 && (rows_form || dots_form)) {
        if (rows_form) rows_avx2(g);
        else dots_avx2(g);
        return;
    }
#else
    (void)isa;
#endif
    if (rows_form) rows_portable(g);
    else dots_portable(g);
}

il_status mat_gemm_isa(il_isa isa, Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                       double alpha, double beta, const Matrix *bias)
{
    il_status st = check_operands(C, A, transA, B, transB);
    if (st == IL_OK) st = check_bias(C, bias);
    if (st != IL_OK) return st;
    if (!il_cpu_supports(isa)) return IL_EVALUE;
    gemm_problem g;
    make_problem(&g, C, A, transA, B, transB, alpha, beta, bias);
    gemm_kernels(isa, &g);
    return IL_OK;
}

/* Whether OpenBLAS chose kernels for this CPU's vector units (its core names for AVX2 / AVX-512 kernels). */
static int openblas_kernels_vectorised(void)
{
    static const char *const fast[] = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"};
    char name[64] = "";
    const char *core = il_blas_corename();
    for (size_t k = 0; core && core[k] && k + 1 < sizeof name; k++) name[k] = (char)tolower((unsigned char)core[k]);
    for (size_t k = 0; k < sizeof fast / sizeof *fast; k++)
        if (strstr(name, fast[k])) return 1;
    return 0;
}

/* The size from which CBLAS wins, decided once (SIZE_MAX: no CBLAS). */
static size_t cblas_min_work(void)
{
    static atomic_size_t cached = 0; /* 0: not decided yet; deciding twice gives the same answer */
    size_t w = atomic_load_explicit(&cached, memory_order_relaxed);
    if (w == 0) {
        int ours_are_vectorised = il_cpu_isa() != IL_ISA_PORTABLE;
        if (!il_blas_available()) w = SIZE_MAX;
        else if (ours_are_vectorised && !openblas_kernels_vectorised()) w = IL_GEMM_CBLAS_MIN_WORK_GENERIC;
        else w = IL_GEMM_CBLAS_MIN_WORK;
        atomic_store_explicit(&cached, w, memory_order_relaxed);
    }
    return w;
}

/* Whether mat_gemm_bias hands g to CBLAS (a product large enough for packing and both cores to pay).
 * A smaller one never opens the library (blas.h says why). */
static int goes_to_cblas(const gemm_problem *g)
{
    _Static_assert(IL_GEMM_CBLAS_MIN_WORK <= IL_GEMM_CBLAS_MIN_WORK_GENERIC, "the first test must be the lower bound");
    size_t work = g->M * g->N * g->K;
    return work >= IL_GEMM_CBLAS_MIN_WORK && work >= cblas_min_work();
}

/* g on CBLAS (with its bias added after) when to_cblas, which the caller decides on the whole product g
 * may be a window of (goes_to_cblas); on the kernels otherwise. */
static void run_problem(const gemm_problem *g, int transA, int transB, int to_cblas)
{
    if (to_cblas) {
        const size_t lda = transA ? g->a_k : g->a_i, ldb = transB ? g->b_j : g->b_k;
        il_blas_dgemm(transA, transB, g->M, g->N, g->K, g->alpha, g->A, lda ? lda : 1, g->B, ldb ? ldb : 1, g->beta,
                      g->C, g->ldc ? g->ldc : 1);
        if (g->bias) add_row_bias(g->C, g->M, g->N, g->ldc, g->bias);
        return;
    }
    gemm_kernels(il_cpu_isa(), g);
}

il_status mat_gemm_bias(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB,
                        double alpha, double beta, const Matrix *bias)
{
    il_status st = check_operands(C, A, transA, B, transB);
    if (st == IL_OK) st = check_bias(C, bias);
    if (st != IL_OK) return st;
    gemm_problem g;
    make_problem(&g, C, A, transA, B, transB, alpha, beta, bias);
    run_problem(&g, transA, transB, goes_to_cblas(&g));
    return IL_OK;
}

/* g (rows form, its D and Zmask set) narrowed to columns [c0, c1) of C, B, D and Zmask. */
static void window_columns(gemm_problem *g, size_t c0, size_t c1)
{
    g->N = c1 - c0, g->B += c0, g->C += c0;
    if (g->D) g->D += c0;
    if (g->Zmask) g->Zmask += c0;
}

static il_status check_window(const Matrix *C, size_t c0, size_t c1)
{
    return c0 <= c1 && c1 <= C->cols ? IL_OK : IL_ESHAPE;
}

/* Columns [c0, c1) of C = op(A) B + bias, then of the second output D from C (and Zmask): in one pass on
 * the AVX2 kernels (and AVX-512's for a small K), as mat_gemm_bias and the elementwise pass on the others;
 * the same bits either way, and for any window of a product on initlab's kernels (CBLAS or not is decided
 * by the whole product; CBLAS itself may compute a narrower window with other kernels). */
static il_status gemm_then(Matrix *C, const Matrix *A, int transA, const Matrix *B, const Matrix *bias, enum then then,
                           Matrix *D, const Matrix *Zmask, size_t c0, size_t c1)
{
    il_status st = check_operands(C, A, transA, B, 0);
    if (st == IL_OK) st = check_bias(C, bias);
    if (st == IL_OK) st = check_window(C, c0, c1);
    if (st != IL_OK) return st;
    if (D && (!mat_same_shape(D, C) || (Zmask && !mat_same_shape(Zmask, C)))) return IL_ESHAPE;
    /* D is written after C, element by element; Zmask is read after C is written, so it must not be C */
    if (D && (D == A || D == B || D == bias || (Zmask && Zmask == C))) return IL_EVALUE;
    gemm_problem g;
    make_problem(&g, C, A, transA, B, 0, 1.0, 0.0, bias);
    const int to_cblas = goes_to_cblas(&g);
    g.then = D ? then : THEN_NONE, g.D = D ? D->data : NULL, g.Zmask = Zmask ? Zmask->data : NULL;
    window_columns(&g, c0, c1);
    if (g.M == 0 || g.N == 0) return IL_OK;
#ifdef HAVE_X86_KERNELS
    const int on_kernels = g.K > 0 && !to_cblas;
    if (on_kernels && il_cpu_isa() == IL_ISA_AVX512 && rows_avx512_fuses(&g)) {
        rows_avx512(&g);
        return IL_OK;
    }
    if (on_kernels && il_cpu_isa() == IL_ISA_AVX2 && rows_fuses(&g)) {
        rows_avx2(&g);
        return IL_OK;
    }
#endif
    const enum then second = g.then;
    g.then = THEN_NONE;
    run_problem(&g, transA, 0, to_cblas);
    const ew_block block = {g.M, g.N, g.ldc};
    if (second == THEN_RELU) ew_relu(block, g.D, g.C);
    else if (second == THEN_RELU_MASK) ew_relu_backward(block, g.D, g.C, g.Zmask);
    return IL_OK;
}

il_status mat_gemm_bias_relu(Matrix *Z, Matrix *A_out, const Matrix *W, const Matrix *X, const Matrix *b)
{
    return mat_gemm_bias_relu_cols(Z, A_out, W, X, b, 0, Z->cols);
}

il_status mat_gemm_tn_relu_mask(Matrix *dA, Matrix *dZ, const Matrix *W, const Matrix *dZ_next, const Matrix *Z)
{
    return mat_gemm_tn_relu_mask_cols(dA, dZ, W, dZ_next, Z, 0, dA->cols);
}

il_status mat_gemm_bias_relu_cols(Matrix *Z, Matrix *A_out, const Matrix *W, const Matrix *X, const Matrix *b, size_t c0,
                                  size_t c1)
{
    if (!b || !A_out) return IL_EVALUE;
    return gemm_then(Z, W, 0, X, b, THEN_RELU, A_out, NULL, c0, c1);
}

il_status mat_gemm_tn_relu_mask_cols(Matrix *dA, Matrix *dZ, const Matrix *W, const Matrix *dZ_next, const Matrix *Z,
                                     size_t c0, size_t c1)
{
    if (!dZ || !Z) return IL_EVALUE;
    return gemm_then(dA, W, 1, dZ_next, NULL, THEN_RELU_MASK, dZ, Z, c0, c1);
}

il_status mat_gemm_bias_cols(Matrix *C, const Matrix *A, int transA, const Matrix *B, const Matrix *bias, size_t c0,
                             size_t c1)
{
    return gemm_then(C, A, transA, B, bias, THEN_NONE, NULL, NULL, c0, c1);
}

il_status mat_gemm_nt_half(Matrix *C, const Matrix *A, const Matrix *B, int half)
{
    il_status st = check_operands(C, A, 0, B, 1);
    if (st != IL_OK) return st;
    const size_t K = A->cols, s = dots_split(K);
    if (s == 0 || (half != 0 && half != 1)) return IL_EVALUE;
    gemm_problem g;
    make_problem(&g, C, A, 0, B, 1, 1.0, 0.0, NULL);
    if (goes_to_cblas(&g)) return IL_EVALUE; /* the whole product's order is CBLAS' own */
    const size_t k0 = half ? s : 0;
    g.A += k0, g.B += k0, g.K = half ? K - s : s, g.k_split = 0;
    gemm_kernels(il_cpu_isa(), &g);
    return IL_OK;
}

il_status mat_gemm(Matrix *C, const Matrix *A, int transA, const Matrix *B, int transB, double alpha,
                   double beta)
{
    return mat_gemm_bias(C, A, transA, B, transB, alpha, beta, NULL);
}
