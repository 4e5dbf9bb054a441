/* elementwise.c: the elementwise formulas of the layers and losses, on blocks (see elementwise.h).
 * Each formula is written as numpy evaluates the lesson's expression (left to right, no reassociation),
 * so vectorising it changes nothing. */
#include "elementwise.h"

#include <math.h>
#include <string.h>

#include "cpu.h"
#include "fast_exp.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#endif

/* for each element of the block: the statements given, with `o` the element's offset */
#define EACH(b, ...)                                                                                   \
    for (size_t r_ = 0; r_ < (b).rows; r_++)                                                          \
        for (size_t o = r_ * (b).ld, e_ = o + (b).cols; o < e_; o++) { __VA_ARGS__; }

/* ---- activations ---- */

IL_VECTORIZED
void ew_relu(ew_block b, double *out, const double *z)
{
    EACH(b, double x = z[o]; out[o] = x < 0.0 ? 0.0 : x) /* np.maximum(0, z) but keeping -0 and NaN */
}

IL_VECTORIZED
void ew_leaky_relu(ew_block b, double *out, const double *z, double slope)
{
    EACH(b, double x = z[o]; out[o] = x > 0 ? x : slope * x)
}

void ew_sigmoid(ew_block b, double *out, const double *z)
{
    for (size_t r = 0; r < b.rows; r++) fast_sigmoid(out + r * b.ld, z + r * b.ld, b.cols);
}

void ew_tanh(ew_block b, double *out, const double *z)
{
    EACH(b, out[o] = tanh(z[o]))
}

void ew_copy(ew_block b, double *out, const double *x)
{
    if (out == x) return;
    for (size_t r = 0; r < b.rows; r++) memmove(out + r * b.ld, x + r * b.ld, b.cols * sizeof(double));
}

/* A multiplication by the 0/1 mask, not a selection, as the lesson's dA * np.int64(A > 0): an inf or
 * NaN gradient where the unit is off still gives NaN. */
IL_VECTORIZED
void ew_relu_backward(ew_block b, double *dz, const double *da, const double *z)
{
    EACH(b, dz[o] = da[o] * (z[o] > 0 ? 1.0 : 0.0))
}

IL_VECTORIZED
void ew_leaky_relu_backward(ew_block b, double *dz, const double *da, const double *z, double slope)
{
    EACH(b, dz[o] = da[o] * (z[o] > 0 ? 1.0 : slope))
}

IL_VECTORIZED
void ew_sigmoid_backward(ew_block b, double *dz, const double *da, const double *s)
{
    EACH(b, double y = s[o]; dz[o] = da[o] * y * (1.0 - y))
}

IL_VECTORIZED
void ew_tanh_backward(ew_block b, double *dz, const double *da, const double *y)
{
    EACH(b, double v = y[o]; dz[o] = da[o] * (1.0 - v * v))
}

/* ---- loss gradients ---- */

IL_VECTORIZED
void ew_sigmoid_bce_backward(ew_block b, double *dz, const double *a, const double *t, double m)
{
    const double inv_m = 1.0 / m; /* numpy's 1./m * (A3 - Y) */
    EACH(b, dz[o] = inv_m * (a[o] - t[o]))
}

IL_VECTORIZED
void ew_bce_backward(ew_block b, double *da, const double *a, const double *t, double m)
{
    const double inv_m = 1.0 / m;
    EACH(b, double p = a[o], y = t[o]; da[o] = inv_m * (-(y / p) + (1.0 - y) / (1.0 - p)))
}

void ew_bce_logits_backward(ew_block b, double *dz, const double *z, const double *t, double m)
{
    EACH(b, dz[o] = (1.0 / (1.0 + exp(-z[o])) - t[o]) / m)
}

IL_VECTORIZED
void ew_mse_backward(ew_block b, double *da, const double *a, const double *t, double n)
{
    EACH(b, da[o] = 2.0 * (a[o] - t[o]) / n)
}

/* ---- column-wise ---- */

/* Columns are examples, so each pass walks down a column (stride ld). The class count is small and
 * neighbouring columns share cache lines, so the strided walk costs little. */
void ew_softmax_columns(double *out, const double *z, size_t rows, size_t ld, size_t c0, size_t c1)
{
    for (size_t j = c0; j < c1; j++) {
        double max = -INFINITY;
        for (size_t i = 0; i < rows; i++) /* a NaN anywhere in the column makes it all NaN anyway */
            if (z[i * ld + j] > max) max = z[i * ld + j];
        double sum = 0.0;
        for (size_t i = 0; i < rows; i++) {
            double e = exp(z[i * ld + j] - max);
            out[i * ld + j] = e;
            sum += e;
        }
        for (size_t i = 0; i < rows; i++) out[i * ld + j] /= sum;
    }
}

void ew_softmax_backward_columns(double *dz, const double *da, const double *y, size_t rows, size_t ld, size_t c0,
                                 size_t c1)
{
    for (size_t j = c0; j < c1; j++) {
        double dot = 0.0; /* colsum(dA * Y), read in full before this column of dZ is written */
        for (size_t i = 0; i < rows; i++) dot += da[i * ld + j] * y[i * ld + j];
        for (size_t i = 0; i < rows; i++) dz[i * ld + j] = y[i * ld + j] * (da[i * ld + j] - dot);
    }
}

void ew_softmax_ce_backward_columns(double *dz, const double *z, const double *t, double m, size_t rows, size_t ld,
                                    size_t c0, size_t c1)
{
    for (size_t j = c0; j < c1; j++) {
        double max = -INFINITY, sum = 0.0;
        for (size_t i = 0; i < rows; i++)
            if (z[i * ld + j] > max) max = z[i * ld + j];
        for (size_t i = 0; i < rows; i++) sum += exp(z[i * ld + j] - max);
        /* softmax recomputed from the logits, so dz may be z or t: each element is read, then written */
        for (size_t i = 0; i < rows; i++) dz[i * ld + j] = (exp(z[i * ld + j] - max) / sum - t[i * ld + j]) / m;
    }
}

/* ---- pairwise summation ---- */

/* One leaf (8 <= n <= 128, or any n < 8 at the top). The eight accumulators are the eight lanes of one
 * vector, so the vectorised loop adds exactly what numpy adds, in the same order. */
IL_VECTORIZED
static double pairwise_leaf(const double *a, size_t n, int skip_nan)
{
#define ITEM(k) (skip_nan && isnan(a[k]) ? 0.0 : a[k])
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++) res += ITEM(i);
        return res;
    }
    double r[8];
    size_t i, end = n - (n % 8);
    for (int j = 0; j < 8; j++) r[j] = ITEM(j);
    if (skip_nan) {
        for (i = 8; i < end; i += 8)
            for (int j = 0; j < 8; j++) r[j] += isnan(a[i + j]) ? 0.0 : a[i + j];
    } else {
        for (i = 8; i < end; i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += ITEM(i);
    return res;
#undef ITEM
}

double ew_pairwise_sum(const double *a, size_t n, int skip_nan)
{
    if (n <= 128) return pairwise_leaf(a, n, skip_nan);
    size_t n2 = ew_pairwise_split(n);
    return ew_pairwise_sum(a, n2, skip_nan) + ew_pairwise_sum(a + n2, n - n2, skip_nan);
}

/* Four rows at once: four independent chains of vector additions instead of one, which the processor
 * overlaps (one row's eight lanes form a single dependent chain). Each row's sum is exactly
 * ew_pairwise_sum's. */
IL_VECTORIZED
static void pairwise_leaf4(double res[4], const double *a, size_t ld, size_t n)
{
    double r[4][8];
    size_t end = n - (n % 8);
    for (int q = 0; q < 4; q++)
        for (int j = 0; j < 8; j++) r[q][j] = a[q * ld + j];
    for (size_t i = 8; i < end; i += 8)
        for (int q = 0; q < 4; q++)
            for (int j = 0; j < 8; j++) r[q][j] += a[q * ld + i + j];
    for (int q = 0; q < 4; q++) {
        double v = ((r[q][0] + r[q][1]) + (r[q][2] + r[q][3])) + ((r[q][4] + r[q][5]) + (r[q][6] + r[q][7]));
        for (size_t i = end; i < n; i++) v += a[q * ld + i];
        res[q] = v;
    }
}

static void pairwise4(double res[4], const double *a, size_t ld, size_t n)
{
    if (n <= 128) {
        pairwise_leaf4(res, a, ld, n);
        return;
    }
    size_t n2 = ew_pairwise_split(n);
    double left[4], right[4];
    pairwise4(left, a, ld, n2);
    pairwise4(right, a + n2, ld, n - n2);
    for (int q = 0; q < 4; q++) res[q] = left[q] + right[q];
}

#ifdef HAVE_X86_KERNELS
/* AVX2: R rows at once (R a constant up to 4), each row's eight accumulators in two registers (lanes
 * 0-3 and 4-7), then summed as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)): exactly the additions
 * above. A leaf of 8 <= n <= 128. */
__attribute__((target("avx2"), always_inline)) static inline void pairwise_leaf_avx2(double *res, const double *a,
                                                                                   size_t ld, size_t n, const int R)
{
    __m256d lo[4], hi[4];
    const size_t end = n - n % 8;
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) lo[r] = _mm256_loadu_pd(a + r * ld), hi[r] = _mm256_loadu_pd(a + r * ld + 4);
    for (size_t i = 8; i < end; i += 8)
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            lo[r] = _mm256_add_pd(lo[r], _mm256_loadu_pd(a + r * ld + i));
            hi[r] = _mm256_add_pd(hi[r], _mm256_loadu_pd(a + r * ld + i + 4));
        }
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
        const __m256d h = _mm256_hadd_pd(lo[r], hi[r]); /* r0 + r1, r4 + r5, r2 + r3, r6 + r7 */
        const __m128d t = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
        double v = _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)));
        for (size_t i = end; i < n; i++) v += a[r * ld + i];
        res[r] = v;
    }
}

/* R rows' sums as one vector (lane r: row r, the others 0), R a constant up to 4: the partial sums of the
 * recursion stay in registers. */
#define PAIRWISE_AVX2(R)                                                                                        \
    __attribute__((target("avx2"))) static __m256d pairwise_avx2_##R(const double *a, size_t ld, size_t n)     \
    {                                                                                                          \
        if (n <= 128) {                                                                                        \
            double res[4] = {0};                                                                               \
            pairwise_leaf_avx2(res, a, ld, n, R);                                                              \
            return _mm256_setr_pd(res[0], res[1], res[2], res[3]); /* not a load: no store forwarding */      \
        }                                                                                                      \
        const size_t n2 = ew_pairwise_split(n);                                                                \
        const __m256d left = pairwise_avx2_##R(a, ld, n2);                                                     \
        return _mm256_add_pd(left, pairwise_avx2_##R(a + n2, ld, n - n2));                                     \
    }
PAIRWISE_AVX2(1)
PAIRWISE_AVX2(2)
PAIRWISE_AVX2(3)
PAIRWISE_AVX2(4)
#undef PAIRWISE_AVX2

/* Rows of n >= 8 values: four at a time, then the last one to three together. */
__attribute__((target("avx2"))) static void pairwise_rows_avx2(double *out, const double *a, size_t rows, size_t n,
                                                               size_t ld)
{
    size_t i = 0;
    for (; i + 4 <= rows; i += 4) _mm256_storeu_pd(out + i, pairwise_avx2_4(a + i * ld, ld, n));
    if (i == rows) return;
    double last[4];
    const double *rest = a + i * ld;
    _mm256_storeu_pd(last, rows - i == 3 ? pairwise_avx2_3(rest, ld, n)
                           : rows - i == 2 ? pairwise_avx2_2(rest, ld, n)
                                           : pairwise_avx2_1(rest, ld, n));
    for (size_t r = 0; i + r < rows; r++) out[i + r] = last[r];
}

/* AVX-512: R rows at once (R a constant up to 8), each row's eight accumulators one register; the lanes
 * then summed pairwise by swapping neighbours, pairs, then halves: lane 0 ends as
 * ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), exactly the additions above (a + b is b + a). */
__attribute__((target("avx512f"), always_inline)) static inline void pairwise_leaf_avx512(double *res, const double *a,
                                                                                       size_t ld, size_t n, const int R)
{
    __m512d v[8];
    const size_t end = n - n % 8;
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) v[r] = _mm512_loadu_pd(a + r * ld);
    for (size_t i = 8; i < end; i += 8)
#pragma GCC unroll 8
        for (int r = 0; r < R; r++) v[r] = _mm512_add_pd(v[r], _mm512_loadu_pd(a + r * ld + i));
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
        __m512d t = _mm512_add_pd(v[r], _mm512_permute_pd(v[r], 0x55));                       /* neighbours */
        t = _mm512_add_pd(t, _mm512_permutex_pd(t, _MM_SHUFFLE(1, 0, 3, 2)));                   /* pairs */
        t = _mm512_add_pd(t, _mm512_shuffle_f64x2(t, t, _MM_SHUFFLE(1, 0, 3, 2)));              /* halves */
        double s = _mm512_cvtsd_f64(t);
        for (size_t i = end; i < n; i++) s += a[r * ld + i];
        res[r] = s;
    }
}

/* R rows' sums (R a constant up to 8) into res[0..R-1], by the recursion of ew_pairwise_sum. */
#define PAIRWISE_AVX512(R)                                                                                      \
    __attribute__((target("avx512f"))) static void pairwise_avx512_##R(double *res, const double *a, size_t ld, \
                                                                       size_t n)                               \
    {                                                                                                          \
        if (n <= 128) {                                                                                        \
            pairwise_leaf_avx512(res, a, ld, n, R);                                                            \
            return;                                                                                            \
        }                                                                                                      \
        const size_t n2 = ew_pairwise_split(n);                                                                \
        double right[8];                                                                                       \
        pairwise_avx512_##R(res, a, ld, n2);                                                                   \
        pairwise_avx512_##R(right, a + n2, ld, n - n2);                                                        \
        for (int r = 0; r < (R); r++) res[r] += right[r];                                                      \
    }
PAIRWISE_AVX512(1)
PAIRWISE_AVX512(2)
PAIRWISE_AVX512(3)
PAIRWISE_AVX512(4)
PAIRWISE_AVX512(5)
PAIRWISE_AVX512(6)
PAIRWISE_AVX512(7)
PAIRWISE_AVX512(8)
#undef PAIRWISE_AVX512

/* Rows of n >= 8 values in groups of near-equal sizes, at most eight (10 rows: 5 + 5, so that no group is
 * one or two chains of dependent additions). */
__attribute__((target("avx512f"))) static void pairwise_rows_avx512(double *out, const double *a, size_t rows,
                                                                   size_t n, size_t ld)
{
    const size_t groups = (rows + 7) / 8;
    size_t i = 0;
    for (size_t q = 0; q < groups; q++) {
        const size_t R = rows / groups + (q < rows % groups);
        double *o = out + i;
        const double *p = a + i * ld;
        switch (R) {
        case 8: pairwise_avx512_8(o, p, ld, n); break;
        case 7: pairwise_avx512_7(o, p, ld, n); break;
        case 6: pairwise_avx512_6(o, p, ld, n); break;
        case 5: pairwise_avx512_5(o, p, ld, n); break;
        case 4: pairwise_avx512_4(o, p, ld, n); break;
        case 3: pairwise_avx512_3(o, p, ld, n); break;
        case 2: pairwise_avx512_2(o, p, ld, n); break;
        default: pairwise_avx512_1(o, p, ld, n); break;
        }
        i += R;
    }
}
#endif

void ew_pairwise_rows(double *out, const double *a, size_t rows, size_t n, size_t ld)
{
#ifdef HAVE_X86_KERNELS
    if (n >= 8 && il_cpu_isa() == IL_ISA_AVX512) {
        pairwise_rows_avx512(out, a, rows, n, ld);
        return;
    }
    if (n >= 8 && il_cpu_isa() >= IL_ISA_AVX2) {
        pairwise_rows_avx2(out, a, rows, n, ld);
        return;
    }
#endif
    size_t i = 0;
    if (n >= 8)
        for (; i + 4 <= rows; i += 4) pairwise4(out + i, a + i * ld, ld, n);
    for (; i < rows; i++) out[i] = ew_pairwise_sum(a + i * ld, n, 0);
}
