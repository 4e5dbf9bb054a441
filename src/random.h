/* random.h: numpy's legacy random stream (np.random.RandomState), bit for bit.
 *
 * One Rng is one MT19937 generator plus numpy's cached Gaussian. Seeded with the same integer, it gives
 * exactly the numbers of np.random.seed(s) followed by randn / rand / normal / uniform / shuffle /
 * permutation / randint, in the same order, for every shape (matrices are filled row by row, C order).
 * The facts it follows are in shared/spec/numpy-random.md.
 *
 * Legend: u32 = one tempered MT19937 word; double = (u32 >> 5, u32 >> 6) as a 53-bit fraction in [0, 1);
 * gauss = polar method, which makes two normals at a time and keeps the second for the next call.
 *
 * Plain C: no Lua, no allocation, no printing. A generator must be seeded (rng_seed) before any draw. */
#ifndef INITLAB_RANDOM_H
#define INITLAB_RANDOM_H

#include <stddef.h>
#include <stdint.h>
#include "matrix.h"
#include "status.h"

#define RNG_STATE_WORDS 624

/* The reference seed of MT19937 (Matsumoto and Nishimura's mt19937ar.c, C++ std::mt19937).
 * initlab seeds its global stream with it, so unseeded runs are reproducible (numpy uses OS entropy). */
#define RNG_DEFAULT_SEED 5489u

typedef struct Rng {
    uint32_t mt[RNG_STATE_WORDS]; /* the untempered state block */
    int pos;                      /* next word of mt to hand out; RNG_STATE_WORDS: regenerate first */
    int has_gauss;                /* 1 when `gauss` holds the second value of the last polar pair */
    double gauss;
} Rng;

/* np.random.seed(s): fills the state from s and forgets the cached Gaussian. */
void rng_seed(Rng *r, uint32_t seed);

/* ---- single draws ---- */
uint32_t rng_u32(Rng *r);
uint64_t rng_u64(Rng *r);            /* high word first, as numpy's next_uint64 */
double rng_double(Rng *r);           /* uniform on [0, 1), numpy's random_sample() */
double rng_gauss(Rng *r);            /* standard normal, numpy's legacy randn() */
/* Uniform integer in [0, max] by masked rejection (numpy's random_interval); 0 when max is 0. */
uint64_t rng_interval(Rng *r, uint64_t max);

/* ---- matrix fills, row by row ----
 * randn: standard normals. rand: uniform [0, 1). normal: loc + scale * gauss; IL_EVALUE when scale is
 * negative (numpy rejects -0.0 too, NaN passes). uniform: low + (high - low) * double; IL_EVALUE when
 * high - low is not finite (numpy's "Range exceeds valid bounds"). Nothing is drawn when a check fails. */
il_status rng_randn(Rng *r, Matrix *out);
il_status rng_rand(Rng *r, Matrix *out);
il_status rng_normal(Rng *r, Matrix *out, double loc, double scale);
il_status rng_uniform(Rng *r, Matrix *out, double low, double high);

/* Checks shared with the bindings, so they can explain a refusal before calling the fill. */
int rng_normal_scale_ok(double scale);
int rng_uniform_range_ok(double low, double high);

/* ---- permutations (Fisher-Yates from the end, numpy's shuffle) ----
 * For i = n-1 down to 1: j = interval(i), swap items i and j. */
void rng_shuffle(Rng *r, size_t *items, size_t n);
/* numpy's permutation(n): items[i] = i, then shuffled. */
void rng_permutation(Rng *r, size_t *items, size_t n);
/* numpy's shuffle of a 2-D array: permutes the rows of m in place. */
void rng_shuffle_rows(Rng *r, Matrix *m);

/* numpy's randint(low, high) (legacy, int64): *out = low + interval(high - 1 - low).
 * IL_EVALUE (and nothing drawn) unless low < high. */
il_status rng_randint(Rng *r, int64_t *out, int64_t low, int64_t high);

#endif
