/* fast_exp.c: exp(x) = 2^k * exp(r), vectorised, the same arithmetic in every path.
 *
 *   k = nearest integer to x / ln 2, r = x - k ln 2 (ln 2 in two parts, fused multiply-adds keep r exact
 *   to a few units in the last place of r), |r| <= 0.35;
 *   exp(r) by its Taylor series to degree 13 (the first omitted term is below 5e-18), Horner's rule
 *   with fused multiply-adds;
 *   2^k applied as two exact powers of two 2^k1 * 2^k2 built from their bits, so results down into the
 *   subnormal range round once and overflow turns into inf by itself.
 * x is first clamped to [-746, 710], beyond which exp is 0 or inf anyway; NaN is passed through at the end.
 * The portable path calls C's fma() and nearbyint(), which compute exactly what the vector instructions
 * do, so the three paths agree to the bit. */
#include "fast_exp.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#endif

#define EXP_LOWEST (-746.0)
#define EXP_HIGHEST 710.0
#define LOG2E 1.4426950408889634              /* 1 / ln 2 */
#define LN2_HI 0.6931471805599452862          /* ln 2 rounded to a double */
#define LN2_LO 2.3190468138462996e-17         /* ln 2 - LN2_HI */
#define ROUNDING_MAGIC 6755399441055744.0     /* 1.5 * 2^52: integers sit in the low mantissa bits */

/* 1/n!, n = 13 down to 2, correctly rounded by the compiler (every n! here is exact in a double). */
#define C13 (1.0 / 6227020800.0)
#define C12 (1.0 / 479001600.0)
#define C11 (1.0 / 39916800.0)
#define C10 (1.0 / 3628800.0)
#define C9 (1.0 / 362880.0)
#define C8 (1.0 / 40320.0)
#define C7 (1.0 / 5040.0)
#define C6 (1.0 / 720.0)
#define C5 (1.0 / 120.0)
#define C4 (1.0 / 24.0)
#define C3 (1.0 / 6.0)
#define C2 0.5

/* ---- portable ---- */

/* 2^k for an integer k in [-1022, 1023], from its bits. */
static double pow2i(double k)
{
    uint64_t bits = (uint64_t)((int64_t)k + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

double fast_exp1(double x)
{
    if (isnan(x)) return x + x;
    if (x < EXP_LOWEST) x = EXP_LOWEST;
    if (x > EXP_HIGHEST) x = EXP_HIGHEST;
    double k = nearbyint(x * LOG2E), nk = 0.0 - k;
    double r = fma(nk, LN2_HI, x);
    r = fma(nk, LN2_LO, r);
    double q = C13;
    q = fma(q, r, C12);
    q = fma(q, r, C11);
    q = fma(q, r, C10);
    q = fma(q, r, C9);
    q = fma(q, r, C8);
    q = fma(q, r, C7);
    q = fma(q, r, C6);
    q = fma(q, r, C5);
    q = fma(q, r, C4);
    q = fma(q, r, C3);
    q = fma(q, r, C2);
    q = fma(q, r, 1.0);
    double p = fma(q, r, 1.0);
    double k1 = floor(k * 0.5), k2 = k - k1;
    return (p * pow2i(k1)) * pow2i(k2);
}

static void exp_portable(double *out, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = fast_exp1(x[i]);
}

static void sigmoid_portable(double *out, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = 1.0 / (1.0 + fast_exp1(0.0 - x[i]));
}

#ifdef HAVE_X86_KERNELS

/* ---- AVX-512: 8 at a time ---- */

__attribute__((target("avx512f"))) static inline __m512d pow2i_512(__m512d k)
{
    __m512i bits = _mm512_castpd_si512(_mm512_add_pd(k, _mm512_set1_pd(ROUNDING_MAGIC)));
    bits = _mm512_add_epi64(_mm512_slli_epi64(bits, 52), _mm512_set1_epi64(1023LL << 52));
    return _mm512_castsi512_pd(bits);
}

__attribute__((target("avx512f"))) static inline __m512d exp512(__m512d x)
{
    __m512d xc = _mm512_min_pd(_mm512_max_pd(x, _mm512_set1_pd(EXP_LOWEST)), _mm512_set1_pd(EXP_HIGHEST));
    __m512d k = _mm512_roundscale_pd(_mm512_mul_pd(xc, _mm512_set1_pd(LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d nk = _mm512_sub_pd(_mm512_setzero_pd(), k);
    __m512d r = _mm512_fmadd_pd(nk, _mm512_set1_pd(LN2_HI), xc);
    r = _mm512_fmadd_pd(nk, _mm512_set1_pd(LN2_LO), r);
    __m512d q = _mm512_set1_pd(C13);
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C12));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C11));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C10));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C9));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C8));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C7));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C6));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C5));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C4));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C3));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(C2));
    q = _mm512_fmadd_pd(q, r, _mm512_set1_pd(1.0));
    __m512d p = _mm512_fmadd_pd(q, r, _mm512_set1_pd(1.0));
    __m512d k1 = _mm512_roundscale_pd(_mm512_mul_pd(k, _mm512_set1_pd(0.5)),
                                      _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    __m512d k2 = _mm512_sub_pd(k, k1);
    __m512d y = _mm512_mul_pd(_mm512_mul_pd(p, pow2i_512(k1)), pow2i_512(k2));
    /* NaN in, NaN out (the clamp above turned it into a number) */
    __mmask8 nan = _mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q);
    return _mm512_mask_add_pd(y, nan, x, x);
}

__attribute__((target("avx512f"))) static void exp_avx512(double *out, const double *x, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        __mmask8 m = n - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - i)) - 1u);
        _mm512_mask_storeu_pd(out + i, m, exp512(_mm512_maskz_loadu_pd(m, x + i)));
    }
}

__attribute__((target("avx512f"))) static void sigmoid_avx512(double *out, const double *x, size_t n)
{
    const __m512d one = _mm512_set1_pd(1.0);
    for (size_t i = 0; i < n; i += 8) {
        __mmask8 m = n - i >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << (n - i)) - 1u);
        __m512d e = exp512(_mm512_sub_pd(_mm512_setzero_pd(), _mm512_maskz_loadu_pd(m, x + i)));
        _mm512_mask_storeu_pd(out + i, m, _mm512_div_pd(one, _mm512_add_pd(one, e)));
    }
}

/* ---- AVX2 + FMA: 4 at a time ---- */

/* exps computed side by side (exp256_n); on Zen 1, 4 measured as fast as 3 and faster than 2 */
#define EXP256_CHAINS 4

__attribute__((target("avx2,fma"))) static inline __m256d pow2i_256(__m256d k)
{
    __m256i bits = _mm256_castpd_si256(_mm256_add_pd(k, _mm256_set1_pd(ROUNDING_MAGIC)));
    bits = _mm256_add_epi64(_mm256_slli_epi64(bits, 52), _mm256_set1_epi64x(1023LL << 52));
    return _mm256_castsi256_pd(bits);
}

/* exp of the n vectors v[0..n-1] in place (n a constant), each step done for all of them before the
 * next: one exp is a chain of some thirty dependent steps, and cores whose schedulers hold few waiting
 * instructions (AMD's Zen 1) only overlap chains that sit side by side in the program. */
__attribute__((target("avx2,fma"), always_inline)) static inline void exp256_n(__m256d *v, const int n)
{
    __m256d k[EXP256_CHAINS], r[EXP256_CHAINS], q[EXP256_CHAINS];
#pragma GCC unroll 4
    for (int c = 0; c < n; c++) {
        __m256d xc = _mm256_min_pd(_mm256_max_pd(v[c], _mm256_set1_pd(EXP_LOWEST)), _mm256_set1_pd(EXP_HIGHEST));
        k[c] = _mm256_round_pd(_mm256_mul_pd(xc, _mm256_set1_pd(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m256d nk = _mm256_sub_pd(_mm256_setzero_pd(), k[c]);
        r[c] = _mm256_fmadd_pd(nk, _mm256_set1_pd(LN2_HI), xc);
        r[c] = _mm256_fmadd_pd(nk, _mm256_set1_pd(LN2_LO), r[c]);
        q[c] = _mm256_set1_pd(C13);
    }
    /* Horner's rule: exp(r) = 1 + r (1 + r (C2 + r (C3 + ... + r C13))) */
    static const double coefficients[] = {C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, 1.0, 1.0};
#pragma GCC unroll 13
    for (int t = 0; t < 13; t++) {
#pragma GCC unroll 4
        for (int c = 0; c < n; c++) q[c] = _mm256_fmadd_pd(q[c], r[c], _mm256_set1_pd(coefficients[t]));
    }
#pragma GCC unroll 4
    for (int c = 0; c < n; c++) {
        __m256d k1 = _mm256_floor_pd(_mm256_mul_pd(k[c], _mm256_set1_pd(0.5)));
        __m256d k2 = _mm256_sub_pd(k[c], k1);
        __m256d y = _mm256_mul_pd(_mm256_mul_pd(q[c], pow2i_256(k1)), pow2i_256(k2));
        __m256d nan = _mm256_cmp_pd(v[c], v[c], _CMP_UNORD_Q);
        v[c] = _mm256_blendv_pd(y, _mm256_add_pd(v[c], v[c]), nan);
    }
}

__attribute__((target("avx2,fma"))) static inline __m256i tail_mask256(size_t w)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)w), _mm256_setr_epi64x(0, 1, 2, 3));
}

/* What exp256_n takes for f(x), and f(x) from what it gave: f is exp (sigmoid 0) or the sigmoid (1),
 * 1 / (1 + exp(0 - x)). */
__attribute__((target("avx2,fma"), always_inline)) static inline __m256d exp256_input(__m256d x, const int sigmoid)
{
    return sigmoid ? _mm256_sub_pd(_mm256_setzero_pd(), x) : x;
}

__attribute__((target("avx2,fma"), always_inline)) static inline __m256d exp256_output(__m256d e, const int sigmoid)
{
    const __m256d one = _mm256_set1_pd(1.0);
    return sigmoid ? _mm256_div_pd(one, _mm256_add_pd(one, e)) : e;
}

/* out[0..4n) = f(x[0..4n)): n vectors side by side. */
__attribute__((target("avx2,fma"), always_inline)) static inline void exp256_block(double *out, const double *x,
                                                                                  const int n, const int sigmoid)
{
    __m256d v[EXP256_CHAINS];
#pragma GCC unroll 4
    for (int c = 0; c < n; c++) v[c] = exp256_input(_mm256_loadu_pd(x + 4 * c), sigmoid);
    exp256_n(v, n);
#pragma GCC unroll 4
    for (int c = 0; c < n; c++) _mm256_storeu_pd(out + 4 * c, exp256_output(v[c], sigmoid));
}

__attribute__((target("avx2,fma"), always_inline)) static inline void exp256_all(double *out, const double *x,
                                                                                size_t n, const int sigmoid)
{
    size_t i = 0;
    for (; i + 4 * EXP256_CHAINS <= n; i += 4 * EXP256_CHAINS) exp256_block(out + i, x + i, EXP256_CHAINS, sigmoid);
    for (; i + 4 <= n; i += 4) exp256_block(out + i, x + i, 1, sigmoid);
    if (i < n) {
        const __m256i m = tail_mask256(n - i);
        __m256d v = exp256_input(_mm256_maskload_pd(x + i, m), sigmoid);
        exp256_n(&v, 1);
        _mm256_maskstore_pd(out + i, m, exp256_output(v, sigmoid));
    }
}

__attribute__((target("avx2,fma"))) static void exp_avx2(double *out, const double *x, size_t n)
{
    exp256_all(out, x, n, 0);
}

__attribute__((target("avx2,fma"))) static void sigmoid_avx2(double *out, const double *x, size_t n)
{
    exp256_all(out, x, n, 1);
}

#endif /* HAVE_X86_KERNELS */

void fast_exp_isa(il_isa isa, double *out, const double *x, size_t n)
{
#ifdef HAVE_X86_KERNELS
    if (isa == IL_ISA_AVX512 && il_cpu_supports(IL_ISA_AVX512)) {
        exp_avx512(out, x, n);
        return;
    }
    if (isa == IL_ISA_AVX2 && il_cpu_supports(IL_ISA_AVX2)) {
        exp_avx2(out, x, n);
        return;
    }
#else
    (void)isa;
#endif
    exp_portable(out, x, n);
}

void fast_sigmoid_isa(il_isa isa, double *out, const double *x, size_t n)
{
#ifdef HAVE_X86_KERNELS
    if (isa == IL_ISA_AVX512 && il_cpu_supports(IL_ISA_AVX512)) {
        sigmoid_avx512(out, x, n);
        return;
    }
    if (isa == IL_ISA_AVX2 && il_cpu_supports(IL_ISA_AVX2)) {
        sigmoid_avx2(out, x, n);
        return;
    }
#else
    (void)isa;
#endif
    sigmoid_portable(out, x, n);
}

void fast_exp(double *out, const double *x, size_t n) { fast_exp_isa(il_cpu_isa(), out, x, n); }
void fast_sigmoid(double *out, const double *x, size_t n) { fast_sigmoid_isa(il_cpu_isa(), out, x, n); }
