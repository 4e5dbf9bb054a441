/* test_random.c: the C random stream against numpy's legacy RandomState (numpy 1.24).
 * Every expected value below was printed by numpy (doubles as exact hex literals), so comparisons are ==. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "random.h"

static int failures = 0;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: FAILED %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Expected values, from: */
/* RandomState(5489 / 0).randint(0, 2**32, size=5, dtype=np.uint32): the raw tempered words */
static const uint32_t U32_SEED_5489[] = {3499211612u, 581869302u, 3890346734u, 3586334585u, 545404204u};
static const uint32_t U32_SEED_0[] = {2357136044u, 2546248239u, 3071714933u, 3626093760u, 2588848963u};
/* RandomState(0).randn(2, 5) */
static const double RANDN_SEED_0[] = {0x1.c398ef3e5cfa5p+0, 0x1.99c2cfacc8953p-2, 0x1.f51d25222c9abp-1, 0x1.1ed5969e3314ep+1, 0x1.de1847cb13ddap+0, -0x1.f45dc42a58c82p-1, 0x1.e671fd33295e9p-1, -0x1.35fac49d38436p-3, -0x1.a6c8cf8c8b459p-4, 0x1.a473ef0672966p-2};
/* RandomState(0).rand(7) */
static const double RAND_SEED_0[] = {0x1.18fe1565f12a8p-1, 0x1.6e2d4cf608733p-1, 0x1.349d66b6e894bp-1, 0x1.16faedb6395f5p-1, 0x1.b1d2904fd0ef6p-2, 0x1.4ab2a21899b5bp-1, 0x1.c016dca6159d2p-2};
/* RandomState(1).normal(2.0, 0.5, size=7) */
static const double NORMAL_SEED_1[] = {0x1.67f5464195f14p+1, 0x1.b1b1f74120995p+0, 0x1.bc64de36adc0cp+0, 0x1.76a8f6d51a3fap+0, 0x1.3762d6ae6a230p+1, 0x1.b2ce5c266bb4ep-1, 0x1.6faafef63f181p+1};
/* RandomState(2).uniform(-1.0, 3.0, size=7) */
static const double UNIFORM_SEED_2[] = {0x1.7ceae52f618a0p-1, -0x1.cae730118689cp-1, 0x1.32dab8794f3c8p+0, 0x1.7b8a4e7c18844p-1, 0x1.5ce9cb520ead0p-1, 0x1.490d2a4f11030p-2, -0x1.7384b5345d570p-3};
/* r = RandomState(5); [r.randn(), r.rand(), r.randn(), r.randn(), r.rand()]: the cached Gaussian
 * survives uniform draws in between */
static const double MIXED_SEED_5[] = {0x1.c3d1236911f14p-2, 0x1.a75c5f5d1ddc4p-3, -0x1.52cfa0066e3e2p-2, -0x1.7dceff3817057p-6, 0x1.39367dd96421ep-1};
/* RandomState(0).permutation(10) */
static const size_t PERM_SEED_0[] = {2, 8, 4, 9, 1, 6, 7, 3, 0, 5};
/* a = np.arange(12.).reshape(4, 3); RandomState(4).shuffle(a) */
static const double ROWS_SEED_4[] = {0, 1, 2, 3, 4, 5, 9, 10, 11, 6, 7, 8};
/* RandomState(6).randint(0, 2, size=16): interval(1) */
static const int64_t INTERVAL1_SEED_6[] = {0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0};
/* RandomState(7).randint(0, 2**40 + 1, size=4): interval(2^40), two words per draw */
static const int64_t INTERVAL_BIG_SEED_7[] = {752595690692, 108744157686, 291964244179, 309610205529};
/* RandomState(8).randint(-5, 5, size=6) */
static const int64_t RANDINT_SEED_8[] = {-2, -1, -4, 4, 0, 3};
/* RandomState(9).randint(-2**63, 2**63 - 1, size=3) */
static const int64_t RANDINT_WIDE_SEED_9[] = {-9032002594820763300, 34580184003183093, -77968886344034248};

static Matrix *new_matrix(size_t rows, size_t cols)
{
    Matrix *m = mat_new(rows, cols);
    if (!m) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return m;
}

static void check_doubles(const char *what, const double *got, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        CHECK(got[i] == want[i], "%s[%zu]: got %.17g (%a), want %.17g (%a)", what, i, got[i], got[i],
              want[i], want[i]);
}

static int same_state(const Rng *a, const Rng *b)
{
    return memcmp(a->mt, b->mt, sizeof a->mt) == 0 && a->pos == b->pos && a->has_gauss == b->has_gauss;
}

static void test_spec_check_values(void)
{
    Rng r;
    rng_seed(&r, 0);
    double x = rng_gauss(&r);
    CHECK(x == 1.764052345967664, "first randn after seed(0): %.17g", x);
    rng_seed(&r, 3);
    x = rng_gauss(&r);
    CHECK(x == 1.7886284734303186, "first randn after seed(3): %.17g", x);
}

static void test_mt19937_words(void)
{
    Rng r;
    rng_seed(&r, 5489);
    for (size_t i = 0; i < COUNT(U32_SEED_5489); i++) {
        uint32_t w = rng_u32(&r);
        CHECK(w == U32_SEED_5489[i], "seed 5489 word %zu: got %u want %u", i, w, U32_SEED_5489[i]);
    }
    /* The C++ standard's check value: the 10000th output of std::mt19937 (seed 5489) is 4123659995. */
    rng_seed(&r, RNG_DEFAULT_SEED);
    uint32_t w = 0;
    for (int i = 0; i < 10000; i++)
        w = rng_u32(&r);
    CHECK(w == 4123659995u, "10000th word of seed 5489: got %u", w);

    rng_seed(&r, 0);
    for (size_t i = 0; i < COUNT(U32_SEED_0); i++) {
        w = rng_u32(&r);
        CHECK(w == U32_SEED_0[i], "seed 0 word %zu: got %u want %u", i, w, U32_SEED_0[i]);
    }
    /* the largest seed is accepted and seeding is deterministic */
    Rng a, b;
    rng_seed(&a, 0xffffffffu);
    rng_seed(&b, 0xffffffffu);
    CHECK(rng_u32(&a) == rng_u32(&b), "seed 2^32-1 is deterministic");
    /* u64 is the high word then the low word */
    rng_seed(&a, 11);
    rng_seed(&b, 11);
    uint64_t hi = rng_u32(&b), lo = rng_u32(&b);
    CHECK(rng_u64(&a) == ((hi << 32) | lo), "u64 = high word, then low word");
}

static void test_fills(void)
{
    Rng r;
    Matrix *m = new_matrix(2, 5);
    rng_seed(&r, 0);
    CHECK(rng_randn(&r, m) == IL_OK, "randn fill");
    check_doubles("randn(2,5) seed 0", m->data, RANDN_SEED_0, COUNT(RANDN_SEED_0));
    free(m);

    m = new_matrix(7, 1);
    rng_seed(&r, 0);
    CHECK(rng_rand(&r, m) == IL_OK, "rand fill");
    check_doubles("rand(7) seed 0", m->data, RAND_SEED_0, COUNT(RAND_SEED_0));
    rng_seed(&r, 0);
    for (size_t i = 0; i < COUNT(RAND_SEED_0); i++)
        CHECK(rng_double(&r) == RAND_SEED_0[i], "rng_double %zu", i);

    rng_seed(&r, 1);
    CHECK(rng_normal(&r, m, 2.0, 0.5) == IL_OK, "normal fill");
    check_doubles("normal(2, 0.5) seed 1", m->data, NORMAL_SEED_1, COUNT(NORMAL_SEED_1));

    rng_seed(&r, 2);
    CHECK(rng_uniform(&r, m, -1.0, 3.0) == IL_OK, "uniform fill");
    check_doubles("uniform(-1, 3) seed 2", m->data, UNIFORM_SEED_2, COUNT(UNIFORM_SEED_2));
    free(m);

    /* an empty matrix draws nothing */
    Rng before;
    m = new_matrix(0, 3);
    rng_seed(&r, 4);
    before = r;
    CHECK(rng_randn(&r, m) == IL_OK && rng_rand(&r, m) == IL_OK, "empty fills");
    CHECK(same_state(&r, &before), "an empty fill draws nothing");
    free(m);
}

static void test_fill_domains(void)
{
    Rng r, before;
    Matrix *m = new_matrix(2, 2);
    rng_seed(&r, 1);
    before = r;
    CHECK(rng_normal(&r, m, 0.0, -1.0) == IL_EVALUE, "normal: negative scale refused");
    CHECK(rng_normal(&r, m, 0.0, -0.0) == IL_EVALUE, "normal: -0.0 refused, as numpy");
    CHECK(rng_uniform(&r, m, 0.0, HUGE_VAL) == IL_EVALUE, "uniform: infinite range refused");
    CHECK(rng_uniform(&r, m, -1.7e308, 1.7e308) == IL_EVALUE, "uniform: overflowing range refused");
    CHECK(rng_uniform(&r, m, NAN, 1.0) == IL_EVALUE, "uniform: NaN refused");
    CHECK(same_state(&r, &before), "a refused fill draws nothing");
    CHECK(rng_normal(&r, m, 0.0, 0.0) == IL_OK && m->data[3] == 0.0, "normal: scale 0 is allowed");
    CHECK(rng_normal(&r, m, 0.0, NAN) == IL_OK && isnan(m->data[0]), "normal: NaN scale passes, as numpy");
    CHECK(rng_uniform(&r, m, 3.0, 1.0) == IL_OK && m->data[0] <= 3.0 && m->data[0] > 1.0,
          "uniform: low > high is allowed, as numpy");
    free(m);
}

static void test_gaussian_cache(void)
{
    Rng r;
    rng_seed(&r, 5);
    double got[5];
    got[0] = rng_gauss(&r);
    got[1] = rng_double(&r);
    got[2] = rng_gauss(&r);
    got[3] = rng_gauss(&r);
    got[4] = rng_double(&r);
    check_doubles("randn/rand interleaved, seed 5", got, MIXED_SEED_5, COUNT(MIXED_SEED_5));

    /* seeding forgets the cached value */
    rng_seed(&r, 0);
    double first = rng_gauss(&r);
    CHECK(r.has_gauss, "an odd number of normals leaves one cached");
    rng_seed(&r, 0);
    CHECK(!r.has_gauss, "seed clears the cache");
    CHECK(rng_gauss(&r) == first, "after reseeding the stream restarts");
}

static void test_interval(void)
{
    Rng r, before;
    rng_seed(&r, 6);
    before = r;
    CHECK(rng_interval(&r, 0) == 0, "interval(0) is 0");
    CHECK(same_state(&r, &before), "interval(0) draws nothing");
    for (size_t i = 0; i < COUNT(INTERVAL1_SEED_6); i++) {
        uint64_t v = rng_interval(&r, 1);
        CHECK(v == (uint64_t)INTERVAL1_SEED_6[i], "interval(1) #%zu: got %llu", i, (unsigned long long)v);
    }
    rng_seed(&r, 7);
    for (size_t i = 0; i < COUNT(INTERVAL_BIG_SEED_7); i++) {
        uint64_t v = rng_interval(&r, (uint64_t)1 << 40);
        CHECK(v == (uint64_t)INTERVAL_BIG_SEED_7[i], "interval(2^40) #%zu: got %llu", i,
              (unsigned long long)v);
    }
    /* max = 2^32 - 1 takes a raw word; max = UINT64_MAX a raw pair */
    Rng a, b;
    rng_seed(&a, 12);
    rng_seed(&b, 12);
    CHECK(rng_interval(&a, 0xffffffffu) == rng_u32(&b), "interval(2^32-1) is one raw word");
    CHECK(rng_interval(&a, UINT64_MAX) == rng_u64(&b), "interval(2^64-1) is one raw pair");
    /* a bound of 2^k draws in [0, 2^k], both ends reachable */
    rng_seed(&r, 13);
    int seen0 = 0, seen4 = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t v = rng_interval(&r, 4);
        CHECK(v <= 4, "interval(4) in range: %llu", (unsigned long long)v);
        seen0 |= v == 0;
        seen4 |= v == 4;
    }
    CHECK(seen0 && seen4, "interval(4) reaches both ends");
}

static void test_shuffle(void)
{
    Rng r, before;
    size_t items[10];
    rng_seed(&r, 0);
    rng_permutation(&r, items, 10);
    for (size_t i = 0; i < 10; i++)
        CHECK(items[i] == PERM_SEED_0[i], "permutation(10) seed 0 [%zu]: got %zu want %zu", i, items[i],
              PERM_SEED_0[i]);

    /* shuffle is Fisher-Yates from the end with the same draws as permutation */
    size_t again[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    rng_seed(&r, 0);
    rng_shuffle(&r, again, 10);
    CHECK(memcmp(again, items, sizeof items) == 0, "shuffle(arange(10)) == permutation(10)");

    /* n = 0 and n = 1 draw nothing and change nothing */
    rng_seed(&r, 1);
    before = r;
    size_t one = 42;
    rng_shuffle(&r, NULL, 0);
    rng_shuffle(&r, &one, 1);
    rng_permutation(&r, &one, 1);
    CHECK(one == 0, "permutation(1) is {0}");
    CHECK(same_state(&r, &before), "shuffle of 0 or 1 items draws nothing");

    /* n = 2: one draw of interval(1) */
    size_t two[2] = {0, 1};
    rng_seed(&r, 6);
    rng_shuffle(&r, two, 2);
    size_t want0 = INTERVAL1_SEED_6[0] == 1 ? 0 : 1;
    CHECK(two[0] == want0 && two[1] == 1 - want0, "shuffle of 2 follows interval(1)");
}

static void test_shuffle_rows(void)
{
    Rng r, before;
    Matrix *m = new_matrix(4, 3);
    for (size_t i = 0; i < 12; i++)
        m->data[i] = (double)i;
    rng_seed(&r, 4);
    rng_shuffle_rows(&r, m);
    check_doubles("shuffle rows of arange(12).reshape(4,3), seed 4", m->data, ROWS_SEED_4, 12);
    free(m);

    m = new_matrix(1, 3);
    m->data[0] = 1, m->data[1] = 2, m->data[2] = 3;
    rng_seed(&r, 4);
    before = r;
    rng_shuffle_rows(&r, m);
    CHECK(same_state(&r, &before) && m->data[0] == 1 && m->data[2] == 3, "one row: nothing drawn");
    free(m);
    m = new_matrix(0, 3);
    rng_shuffle_rows(&r, m);
    CHECK(same_state(&r, &before), "no rows: nothing drawn");
    free(m);
}

static void test_randint(void)
{
    Rng r, before;
    int64_t v = 0;
    rng_seed(&r, 8);
    for (size_t i = 0; i < COUNT(RANDINT_SEED_8); i++) {
        CHECK(rng_randint(&r, &v, -5, 5) == IL_OK, "randint(-5, 5)");
        CHECK(v == RANDINT_SEED_8[i], "randint(-5, 5) #%zu: got %lld", i, (long long)v);
    }
    rng_seed(&r, 9);
    for (size_t i = 0; i < COUNT(RANDINT_WIDE_SEED_9); i++) {
        CHECK(rng_randint(&r, &v, INT64_MIN, INT64_MAX) == IL_OK, "randint(-2^63, 2^63-1)");
        CHECK(v == RANDINT_WIDE_SEED_9[i], "randint(-2^63, 2^63-1) #%zu: got %lld", i, (long long)v);
    }
    before = r;
    v = 77;
    CHECK(rng_randint(&r, &v, 3, 3) == IL_EVALUE && v == 77, "randint: low == high refused");
    CHECK(rng_randint(&r, &v, 4, 3) == IL_EVALUE, "randint: low > high refused");
    CHECK(same_state(&r, &before), "a refused randint draws nothing");
    CHECK(rng_randint(&r, &v, 3, 4) == IL_OK && v == 3, "randint(3, 4) is 3");
    CHECK(same_state(&r, &before), "randint over one value draws nothing");
}

/* A long stream: crosses many block regenerations without drifting from a restarted copy. */
static void test_long_stream(void)
{
    Rng a, b;
    rng_seed(&a, 2024);
    for (int i = 0; i < 5000; i++)
        (void)rng_gauss(&a);
    Rng copy = a; /* a generator is plain data: copying it clones the stream */
    rng_seed(&b, 2024);
    for (int i = 0; i < 5000; i++)
        (void)rng_gauss(&b);
    for (int i = 0; i < 1000; i++) {
        double x = rng_gauss(&a), y = rng_gauss(&b), z = rng_gauss(&copy);
        CHECK(x == y && x == z, "draw %d: %.17g %.17g %.17g", i, x, y, z);
        if (x != y || x != z)
            break;
    }
}

int main(void)
{
    test_spec_check_values();
    test_mt19937_words();
    test_fills();
    test_fill_domains();
    test_gaussian_cache();
    test_interval();
    test_shuffle();
    test_shuffle_rows();
    test_randint();
    test_long_stream();
    if (failures) {
        fprintf(stderr, "test_random: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_random: all checks passed\n");
    return 0;
}
