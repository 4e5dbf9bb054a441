/* bench/two_cores.c: the fused step on one thread and on two (fused.h: threads), side by side.
 *
 *   two_cores [rounds 7] [steps per round 20000] [width 0]
 * Each round times dense_step on three copies of one network: threads = 1, threads = 2 and threads = 0 (the
 * timed choice), in that order, then checks that the three trained the same bits. width 0 is the lesson's
 * [2, 10, 5, 1] on 300 examples (bench/lesson_model.h); a width w > 0 is the depth experiment's shape, 30
 * ReLU layers of w units on the same 300 examples. bench/two_cores builds and runs it. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fused.h"
#include "lesson_model.h"

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

#define DEEP 30

/* 30 ReLU layers of `width` units and a sigmoid, on the lesson's X and Y, He-scaled weights. */
static void deep_model(il_dense *net, il_dense_layer *L, const Matrix *X, size_t width)
{
    uint64_t s = 5;
    const size_t m = X->cols;
    for (int l = 0; l <= DEEP; l++) {
        const size_t o = l == DEEP ? 1 : width, in = l == 0 ? X->rows : width;
        L[l] = (il_dense_layer){mat_new(o, in), mat_new(o, 1), mat_new(o, in), mat_new(o, 1), mat_new(o, m),
                                mat_new(o, m),  mat_new(o, m),  mat_new(o, m), l == DEEP ? IL_ACT_SIGMOID : IL_ACT_RELU};
        for (size_t k = 0; k < o * in; k++) L[l].W->data[k] = uniform(&s) * sqrt(24.0 / (double)in);
    }
    memset(net, 0, sizeof *net);
    net->layers = L, net->depth = DEEP + 1, net->loss = IL_LOSS_BCE, net->leaky_slope = 0.01, net->lean = 1;
}

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? atoi(argv[1]) : 7, steps = argc > 2 ? atoi(argv[2]) : 20000;
    const size_t width = argc > 3 ? (size_t)atoi(argv[3]) : 0;
    const double lr = 1e-3;
    il_dense net[3];
    static il_dense_layer L[3][DEEP + 1];
    Matrix *X, *Y;
    for (int v = 0; v < 3; v++) {
        lesson_model(&net[v], L[v], &X, &Y, mat_new);
        if (width) deep_model(&net[v], L[v], X, width);
        net[v].threads = v == 2 ? 0 : v + 1;
        net[v].scratch_len = dense_scratch_len(&net[v]);
        net[v].scratch = calloc(net[v].scratch_len, sizeof(double));
        if ((net[v].scratch_len && !net[v].scratch) || dense_prepare(&net[v]) != IL_OK) return 1;
    }
    if (!net[1].split) printf("two_cores: this machine gives one thread only (one CPU, or INITLAB_THREADS=1)\n");
    printf("%s, us per step: threads = 1, 2, and the timed choice\n",
           width ? "30 ReLU layers and a sigmoid on 300 examples" : "the lesson's fused step");
    for (int r = 0; r < rounds; r++) {
        double us[3];
        for (int v = 0; v < 3; v++) {
            const double t0 = now_ns();
            for (int i = 0; i < steps; i++) dense_step(&net[v], X, Y, lr);
            us[v] = (now_ns() - t0) / steps / 1e3;
        }
        int same = 1;
        for (size_t l = 0; l < net[0].depth; l++)
            for (int v = 1; v < 3; v++)
                same &= memcmp(L[0][l].W->data, L[v][l].W->data, mat_numel(L[0][l].W) * sizeof(double)) == 0;
        printf("  round %d: %7.2f %7.2f %7.2f   two / one %.2fx   choice: %d thread(s)%s\n", r + 1, us[0], us[1],
               us[2], us[0] / us[1], net[2].two_threads ? 2 : 1, same ? "" : "   DIFFERENT BITS");
        if (!same) return 1;
    }
    return 0;
}
