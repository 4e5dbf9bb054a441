/* bench/lesson_model.h: the lesson's model for the C benchmarks (paired_step.c, kernels.c), the same data
 * and weights every time. */
#ifndef INITLAB_BENCH_LESSON_MODEL_H
#define INITLAB_BENCH_LESSON_MODEL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fused.h"

/* A value in [-0.5, 0.5) from a fixed sequence: both builds get the same data and weights. */
static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*s >> 11) / 9007199254740992.0 - 0.5;
}

/* The lesson's [2, 10, 5, 1] relu/relu/sigmoid network on 300 examples of two rings, He-scaled weights,
 * its matrices made by `new` (one build's mat_new); lean as network.lua's plans are. */
static void lesson_model(il_dense *net, il_dense_layer L[3], Matrix **X, Matrix **Y, Matrix *(*new)(size_t, size_t))
{
    const size_t m = 300, sizes[4] = {2, 10, 5, 1};
    uint64_t s = 3;
    *X = new(2, m), *Y = new(1, m);
    for (size_t k = 0; k < m; k++) {
        double r = k % 2 ? 0.5 : 1.0, t = 6.283185307179586 * uniform(&s);
        (*X)->data[k] = r * cos(t) + 0.05 * uniform(&s);
        (*X)->data[m + k] = r * sin(t) + 0.05 * uniform(&s);
        (*Y)->data[k] = (double)(k % 2);
    }
    for (int l = 0; l < 3; l++) {
        size_t o = sizes[l + 1], in = sizes[l];
        L[l] = (il_dense_layer){new(o, in), new(o, 1), new(o, in), new(o, 1), new(o, m), new(o, m), new(o, m),
                                new(o, m), l < 2 ? IL_ACT_RELU : IL_ACT_SIGMOID};
        for (size_t k = 0; k < o * in; k++) L[l].W->data[k] = uniform(&s) * sqrt(24.0 / (double)in);
    }
    memset(net, 0, sizeof *net);
    net->layers = L, net->depth = 3, net->loss = IL_LOSS_BCE, net->leaky_slope = 0.01, net->lean = 1;
}

#endif
