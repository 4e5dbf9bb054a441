/* bench/kernels.c: the fused step of the lesson's model call by call, against what this core can do.
 *
 *   kernels [rounds 40] [calls per round 200]
 * times each call the lean fused step makes (fused.c's forward_pass, backward_pass and dense_update, in
 * that order, on the lesson's shapes), then the whole dense_step: the best round of each, in nanoseconds
 * per call (the best, because what is asked is how near each kernel runs to the machine's limit, and a
 * shared machine only ever adds time). The products' multiply-adds per nanosecond are compared with a
 * probe of the vector unit's own (twelve independent chains of fused multiply-adds, the level
 * il_cpu_isa() runs); "rest" is dense_step less the sum of its calls: checks, dispatch, and what the
 * calls lose to each other's data leaving the L1 cache. bench/kernels builds and runs it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_KERNELS 1
#endif

#include "cpu.h"
#include "fused.h"
#include "gemm.h"
#include "layers.h"
#include "lesson_model.h"
#include "losses.h"

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int rounds = 40, calls = 200;

/* ns = the best round's nanoseconds per call of the statement. */
#define BEST_NS(ns, statement)                                                                                   \
    do {                                                                                                         \
        ns = INFINITY;                                                                                           \
        for (int r_ = 0; r_ < rounds; r_++) {                                                                    \
            double t0_ = now_ns();                                                                               \
            for (int i_ = 0; i_ < calls; i_++) { statement; }                                                   \
            double t_ = (now_ns() - t0_) / calls;                                                                \
            if (t_ < ns) ns = t_;                                                                                \
        }                                                                                                        \
    } while (0)

/* The statement timed, and its line printed (line, below). */
#define LINE(what, multiply_adds, statement)                                                                     \
    do {                                                                                                         \
        double ns_;                                                                                              \
        BEST_NS(ns_, statement);                                                                                 \
        line(what, ns_, multiply_adds);                                                                          \
    } while (0)

/* Multiply-adds per nanosecond of twelve independent chains: what the vector unit can do, at the level
 * the kernels run (`lanes` doubles a vector, `set1` a value in every lane, `fmadd` one multiply-add). */
#define PROBE_STEPS 200000
#define PROBE(name, attributes, vector, set1, fmadd, lanes)                                                   \
    attributes static double name(void)                                                                     \
    {                                                                                                        \
        vector acc[12], mul = set1(0.999999), add = set1(1e-9);                                              \
        for (int c = 0; c < 12; c++) acc[c] = set1(1.0 + c);                                                 \
        double t0 = now_ns();                                                                                \
        for (int n = 0; n < PROBE_STEPS; n++) {                                                              \
            _Pragma("GCC unroll 12") for (int c = 0; c < 12; c++) acc[c] = fmadd(acc[c], mul, add);          \
        }                                                                                                    \
        double t = now_ns() - t0;                                                                            \
        for (int c = 1; c < 12; c++) acc[0] = fmadd(acc[0], mul, acc[c]); /* every chain used: none dropped */ \
        volatile vector sink = acc[0];                                                                       \
        (void)sink;                                                                                          \
        return 12.0 * (lanes) * PROBE_STEPS / t;                                                             \
    }
#define ONE_VALUE(x) (x)
PROBE(probe_portable, , double, ONE_VALUE, fma, 1)
#ifdef HAVE_X86_KERNELS
PROBE(probe_avx2, __attribute__((target("avx2,fma"))), __m256d, _mm256_set1_pd, _mm256_fmadd_pd, 4)
PROBE(probe_avx512, __attribute__((target("avx512f"))), __m512d, _mm512_set1_pd, _mm512_fmadd_pd, 8)
#endif
#undef PROBE

/* The probe's best of 20 short rounds: what the vector unit can do. */
static double probe(void)
{
    double best = 0;
    for (int r = 0; r < 20; r++) {
        double x;
#ifdef HAVE_X86_KERNELS
        if (il_cpu_isa() == IL_ISA_AVX512) x = probe_avx512();
        else if (il_cpu_isa() == IL_ISA_AVX2) x = probe_avx2();
        else
#endif
            x = probe_portable();
        if (x > best) best = x;
    }
    return best;
}

static double peak, total;

/* One line: the call's best time, and for a product its multiply-adds against the probe's rate. */
static void line(const char *what, double ns, double multiply_adds)
{
    total += ns;
    if (multiply_adds > 0)
        printf("  %-44s %7.0f ns  %6.0f multiply-adds  %4.0f%% of the probe's rate\n", what, ns, multiply_adds,
               100.0 * multiply_adds / ns / peak);
    else printf("  %-44s %7.0f ns\n", what, ns);
}

int main(int argc, char **argv)
{
    if (argc > 1) rounds = atoi(argv[1]);
    if (argc > 2) calls = atoi(argv[2]);
    if (rounds < 1 || calls < 1) {
        fprintf(stderr, "usage: kernels [rounds >= 1] [calls per round >= 1]\n");
        return 2;
    }
    il_dense net;
    il_dense_layer L[3];
    Matrix *X, *Y;
    lesson_model(&net, L, &X, &Y, mat_new);
    if (dense_prepare(&net) != IL_OK || dense_step(&net, X, Y, 0.01) != IL_OK) {
        fprintf(stderr, "kernels: the lesson's model did not step\n");
        return 1;
    }
    il_dense_layer *L1 = &L[0], *L2 = &L[1], *L3 = &L[2];
    const double m = 300;
    peak = probe();
    printf("the lesson's fused step ([2, 10, 5, 1], 300 examples, lean), call by call, on %s kernels; the best of "
           "%d rounds of %d calls\n", il_isa_name(il_cpu_isa()), rounds, calls);
    printf("forward\n");
    LINE("A1 = relu(W1 X + b1)       10x2 . 2x300", 10 * 2 * m, mat_gemm_bias_relu(L1->A, L1->A, L1->W, X, L1->b));
    LINE("A2 = relu(W2 A1 + b2)      5x10 . 10x300", 5 * 10 * m, mat_gemm_bias_relu(L2->A, L2->A, L2->W, L1->A, L2->b));
    LINE("Z3 = W3 A2 + b3            1x5 . 5x300", 1 * 5 * m, linear_forward(L3->Z, L3->W, L2->A, L3->b));
    LINE("A3 = sigmoid(Z3)           300", 0, sigmoid_forward(L3->A, L3->Z));
    printf("backward\n");
    LINE("dZ3 = (A3 - Y) / m         300", 0, sigmoid_bce_backward(L3->dZ, L3->A, Y));
    LINE("dW3 = dZ3 A2^T             1x300 . 300x5", 5 * m, mat_gemm(L3->dW, L3->dZ, 0, L2->A, 1, 1.0, 0.0));
    LINE("db3 = row sums of dZ3      1 row", 0, mat_reduce(L3->db, IL_SUM, L3->dZ, 2));
    LINE("dZ2 = (W3^T dZ3) (A2 > 0)  5x1 . 1x300", 5 * m, mat_gemm_tn_relu_mask(L2->dZ, L2->dZ, L3->W, L3->dZ, L2->A));
    LINE("dW2 = dZ2 A1^T             5x300 . 300x10", 5 * 10 * m, mat_gemm(L2->dW, L2->dZ, 0, L1->A, 1, 1.0, 0.0));
    LINE("db2 = row sums of dZ2      5 rows", 0, mat_reduce(L2->db, IL_SUM, L2->dZ, 2));
    LINE("dZ1 = (W2^T dZ2) (A1 > 0)  10x5 . 5x300", 10 * 5 * m, mat_gemm_tn_relu_mask(L1->dZ, L1->dZ, L2->W, L2->dZ, L1->A));
    LINE("dW1 = dZ1 X^T              10x300 . 300x2", 10 * 2 * m, mat_gemm(L1->dW, L1->dZ, 0, X, 1, 1.0, 0.0));
    LINE("db1 = row sums of dZ1      10 rows", 0, mat_reduce(L1->db, IL_SUM, L1->dZ, 2));
    printf("update\n");
    LINE("W -= lr dW, b -= lr db     6 matrices", 0, dense_update(&net, 0.0));
    double calls_ns = total, step_ns;
    BEST_NS(step_ns, dense_step(&net, X, Y, 0.0));
    const double all = (10 * 2 + 5 * 10 + 1 * 5) * m + (5 + 5 + 50 + 50 + 20) * m; /* the products above */
    printf("sum of the calls %.0f ns; dense_step %.0f ns, %.0f%% of the probe's rate over its %.0f multiply-adds "
           "(the rest, %.0f ns: checks, dispatch, data between the calls)\n", calls_ns, step_ns,
           100.0 * all / step_ns / peak, all, step_ns - calls_ns);
    printf("the probe: %.2f multiply-adds per ns\n", peak);
    return 0;
}
