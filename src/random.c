/* random.c: numpy's legacy random stream, bit for bit (see random.h and shared/spec/numpy-random.md).
 *
 * Floating-point note: numpy's reference build does not fuse a*b + c into one fused multiply-add, and a
 * fused result can differ in the last bit. C allows a compiler to fuse only within one expression, so
 * every product that is later added is kept in its own statement. */
#include <math.h>
#include "random.h"

/* MT19937 constants (Matsumoto and Nishimura, 1998). */
enum { MT_N = RNG_STATE_WORDS, MT_M = 397 };
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UPPER 0x80000000u
#define MT_LOWER 0x7fffffffu

void rng_seed(Rng *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (uint32_t i = 1; i < MT_N; i++) {
        uint32_t prev = r->mt[i - 1];
        r->mt[i] = 1812433253u * (prev ^ (prev >> 30)) + i; /* uint32_t arithmetic is mod 2^32 */
    }
    r->pos = MT_N; /* the first draw regenerates the whole block */
    r->has_gauss = 0;
    r->gauss = 0.0;
}

/* One step of the twist: the new word from the top bit of mt[i], the low bits of mt[i+1] and mt[i+M]. */
static inline uint32_t mt_twist(uint32_t upper_from, uint32_t lower_from, uint32_t far)
{
    uint32_t y = (upper_from & MT_UPPER) | (lower_from & MT_LOWER);
    return far ^ (y >> 1) ^ ((y & 1u) ? MT_MATRIX_A : 0u);
}

/* Regenerates all 624 words at once; the three loops avoid a modulo on every index. */
static void mt_regenerate(Rng *r)
{
    uint32_t *mt = r->mt;
    int i = 0;
    for (; i < MT_N - MT_M; i++)
        mt[i] = mt_twist(mt[i], mt[i + 1], mt[i + MT_M]);
    for (; i < MT_N - 1; i++)
        mt[i] = mt_twist(mt[i], mt[i + 1], mt[i + MT_M - MT_N]);
    mt[MT_N - 1] = mt_twist(mt[MT_N - 1], mt[0], mt[MT_M - 1]);
    r->pos = 0;
}

static inline uint32_t next_u32(Rng *r)
{
    if (r->pos >= MT_N)
        mt_regenerate(r);
    uint32_t y = r->mt[r->pos++];
    /* tempering */
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static inline double next_double(Rng *r)
{
    uint32_t a = next_u32(r) >> 5; /* 27 bits */
    uint32_t b = next_u32(r) >> 6; /* 26 bits */
    return (a * 67108864.0 + b) / 9007199254740992.0; /* (a * 2^26 + b) / 2^53, all exact */
}

static inline double next_gauss(Rng *r)
{
    if (r->has_gauss) {
        r->has_gauss = 0;
        return r->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * next_double(r) - 1.0;
        x2 = 2.0 * next_double(r) - 1.0;
        double x1sq = x1 * x1; /* separate statements: no fused multiply-add (see top) */
        double x2sq = x2 * x2;
        r2 = x1sq + x2sq;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = sqrt(-2.0 * log(r2) / r2);
    r->gauss = f * x1;
    r->has_gauss = 1;
    return f * x2;
}

uint32_t rng_u32(Rng *r) { return next_u32(r); }

uint64_t rng_u64(Rng *r)
{
    uint64_t hi = next_u32(r);
    return (hi << 32) | next_u32(r);
}

double rng_double(Rng *r) { return next_double(r); }
double rng_gauss(Rng *r) { return next_gauss(r); }

uint64_t rng_interval(Rng *r, uint64_t max)
{
    if (max == 0)
        return 0;
    /* the smallest all-ones mask covering max */
    uint64_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    uint64_t v;
    if (max <= 0xffffffffu) { /* numpy draws one word when the range fits in 32 bits, two otherwise */
        do
            v = next_u32(r) & mask;
        while (v > max);
    } else {
        do
            v = rng_u64(r) & mask;
        while (v > max);
    }
    return v;
}

il_status rng_randn(Rng *r, Matrix *out)
{
    size_t n = mat_numel(out);
    for (size_t i = 0; i < n; i++)
        out->data[i] = next_gauss(r);
    return IL_OK;
}

il_status rng_rand(Rng *r, Matrix *out)
{
    size_t n = mat_numel(out);
    for (size_t i = 0; i < n; i++)
        out->data[i] = next_double(r);
    return IL_OK;
}

int rng_normal_scale_ok(double scale)
{
    return isnan(scale) || !signbit(scale); /* numpy's "scale < 0" test uses the sign bit */
}

int rng_uniform_range_ok(double low, double high)
{
    return isfinite(high - low);
}

il_status rng_normal(Rng *r, Matrix *out, double loc, double scale)
{
    if (!rng_normal_scale_ok(scale))
        return IL_EVALUE;
    size_t n = mat_numel(out);
    for (size_t i = 0; i < n; i++) {
        double scaled = scale * next_gauss(r); /* kept apart from the addition: no fused multiply-add */
        out->data[i] = loc + scaled;
    }
    return IL_OK;
}

il_status rng_uniform(Rng *r, Matrix *out, double low, double high)
{
    if (!rng_uniform_range_ok(low, high))
        return IL_EVALUE;
    double range = high - low;
    size_t n = mat_numel(out);
    for (size_t i = 0; i < n; i++) {
        double scaled = range * next_double(r);
        out->data[i] = low + scaled;
    }
    return IL_OK;
}

void rng_shuffle(Rng *r, size_t *items, size_t n)
{
    for (size_t i = n > 0 ? n - 1 : 0; i >= 1; i--) {
        size_t j = (size_t)rng_interval(r, i);
        size_t t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
}

void rng_permutation(Rng *r, size_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        items[i] = i;
    rng_shuffle(r, items, n);
}

void rng_shuffle_rows(Rng *r, Matrix *m)
{
    size_t cols = m->cols;
    for (size_t i = m->rows > 0 ? m->rows - 1 : 0; i >= 1; i--) {
        size_t j = (size_t)rng_interval(r, i);
        if (j == i)
            continue;
        double *a = m->data + i * cols, *b = m->data + j * cols;
        for (size_t k = 0; k < cols; k++) {
            double t = a[k];
            a[k] = b[k];
            b[k] = t;
        }
    }
}

/* Two's complement without implementation-defined conversions. */
static int64_t u64_to_i64(uint64_t u)
{
    return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
}

il_status rng_randint(Rng *r, int64_t *out, int64_t low, int64_t high)
{
    if (low >= high)
        return IL_EVALUE;
    uint64_t span = (uint64_t)high - (uint64_t)low - 1u; /* high - 1 - low, exact mod 2^64 */
    *out = u64_to_i64((uint64_t)low + rng_interval(r, span));
    return IL_OK;
}
