/* bench/paired_step.c: the fused C step of the lesson's model on two builds of the core in one process,
 * in alternating rounds (bench/paired says how it is built: one copy's symbols renamed A_..., the other's
 * B_...). Rounds timed back to back share the machine's state, so the median of their ratios B / A
 * resolves a few percent where whole runs, minutes apart, move by tens of percent.
 *
 *   paired_step [rounds 400] [steps per round 200]
 * prints each build's median and minimum microseconds per step and the ratios' median and quartiles,
 * and whether the two builds trained the weights to the same bits. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fused.h"
#include "lesson_model.h"

il_status A_dense_prepare(il_dense *net);
il_status A_dense_step(il_dense *net, const Matrix *X, const Matrix *Y, double lr);
Matrix *A_mat_new(size_t rows, size_t cols);
il_status B_dense_prepare(il_dense *net);
il_status B_dense_step(il_dense *net, const Matrix *X, const Matrix *Y, double lr);
Matrix *B_mat_new(size_t rows, size_t cols);

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 400, steps = argc > 2 ? atoi(argv[2]) : 200;
    if (rounds < 1 || steps < 1) {
        fprintf(stderr, "usage: paired_step [rounds >= 1] [steps per round >= 1]\n");
        return 2;
    }
    il_dense a, b;
    il_dense_layer La[3], Lb[3];
    Matrix *Xa, *Ya, *Xb, *Yb;
    lesson_model(&a, La, &Xa, &Ya, A_mat_new), lesson_model(&b, Lb, &Xb, &Yb, B_mat_new);
    if (A_dense_prepare(&a) != IL_OK || B_dense_prepare(&b) != IL_OK) {
        fprintf(stderr, "paired_step: dense_prepare failed\n");
        return 1;
    }
    double *ta = malloc(sizeof(double) * (size_t)rounds), *tb = malloc(sizeof(double) * (size_t)rounds);
    double *ratio = malloc(sizeof(double) * (size_t)rounds);
    if (!ta || !tb || !ratio) return 1;
    for (int r = 0; r < rounds; r++) {
        for (int w = 0; w < 2; w++) { /* which build goes first alternates */
            int on_a = (w == r % 2);
            double t0 = now_us();
            for (int i = 0; i < steps; i++)
                if (on_a) A_dense_step(&a, Xa, Ya, 0.01);
                else B_dense_step(&b, Xb, Yb, 0.01);
            double t = (now_us() - t0) / steps;
            if (on_a) ta[r] = t;
            else tb[r] = t;
        }
        ratio[r] = tb[r] / ta[r];
    }
    int same = 1;
    for (int l = 0; l < 3; l++) same &= memcmp(La[l].W->data, Lb[l].W->data, mat_numel(La[l].W) * sizeof(double)) == 0;
    qsort(ta, (size_t)rounds, sizeof *ta, by_value), qsort(tb, (size_t)rounds, sizeof *tb, by_value);
    qsort(ratio, (size_t)rounds, sizeof *ratio, by_value);
    printf("A: median %.3f us, min %.3f us per step\n", ta[rounds / 2], ta[0]);
    printf("B: median %.3f us, min %.3f us per step\n", tb[rounds / 2], tb[0]);
    printf("B / A: median %.4f (quartiles %.4f %.4f) over %d rounds of %d steps\n", ratio[rounds / 2],
           ratio[rounds / 4], ratio[3 * rounds / 4], rounds, steps);
    printf("weights after training: %s\n", same ? "the same bits" : "different bits");
    return 0;
}
