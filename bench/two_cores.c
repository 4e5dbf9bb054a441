/* bench/two_cores.c: what splitting the lesson's fused step over two cores could gain, before building it.
 *
 *   two_cores [rounds 7] [steps per round 20000]
 * Each round times the fused step of the lesson's model on one core, then the same step split by columns:
 * the main thread and a helper each run forward and backward on their own half of the 300 examples (152
 * and 148, a multiple of eight first), with the weights shared; the main thread then adds the helper's dW
 * and db to its own and updates. The halves' summed gradients are not the one-core step's bits (a real
 * split would cut dW and db by rows to keep them), so this is an estimate of the time only: one hand-over
 * a step, where an exact split needs two or three. Both cores spin for the whole run, as a real helper
 * would while training, so the one-core figure is taken at the clock both cores busy allow.
 * bench/two_cores builds and runs it. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fused.h"
#include "lesson_model.h"

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* A network on columns [from, from + m) of the lesson's X and Y, with the lesson's W and b. */
typedef struct part {
    il_dense net;
    il_dense_layer L[3];
    Matrix *X, *Y;
} part;

static void columns(part *p, const il_dense_layer *whole, const Matrix *X, const Matrix *Y, size_t from, size_t m)
{
    p->X = mat_new(2, m), p->Y = mat_new(1, m);
    for (size_t k = 0; k < m; k++) {
        p->X->data[k] = X->data[from + k], p->X->data[m + k] = X->data[X->cols + from + k];
        p->Y->data[k] = Y->data[from + k];
    }
    for (int l = 0; l < 3; l++) {
        size_t o = whole[l].W->rows, in = whole[l].W->cols;
        p->L[l] = (il_dense_layer){whole[l].W, whole[l].b, mat_new(o, in), mat_new(o, 1), mat_new(o, m),
                                   mat_new(o, m),  mat_new(o, m),  mat_new(o, m), whole[l].activation};
    }
    p->net = (il_dense){.layers = p->L, .depth = 3, .loss = IL_LOSS_BCE, .leaky_slope = 0.01, .lean = 1};
    if (dense_prepare(&p->net) != IL_OK) {
        fprintf(stderr, "two_cores: the half network does not check\n");
        exit(1);
    }
}

static part helper_part;
/* Each on its own cache line: the two threads spin on them. */
static _Alignas(128) _Atomic long started;
static _Alignas(128) _Atomic long finished;
static _Alignas(128) _Atomic int stop;

static void *helper(void *unused)
{
    (void)unused;
    for (long step = 1;; step++) {
        while (atomic_load_explicit(&started, memory_order_acquire) < step)
            if (atomic_load_explicit(&stop, memory_order_relaxed)) return NULL;
        dense_forward(&helper_part.net, helper_part.X);
        dense_backward(&helper_part.net, helper_part.X, helper_part.Y);
        atomic_store_explicit(&finished, step, memory_order_release);
    }
}

int main(int argc, char **argv)
{
    const int rounds = argc > 1 ? atoi(argv[1]) : 7, steps = argc > 2 ? atoi(argv[2]) : 20000;
    const double lr = 1e-9; /* the weights barely move: every round times the same values */
    il_dense net;
    il_dense_layer L[3];
    Matrix *X, *Y;
    lesson_model(&net, L, &X, &Y, mat_new);
    if (dense_prepare(&net) != IL_OK) return 1;
    part mine;
    columns(&mine, L, X, Y, 0, 152);
    columns(&helper_part, L, X, Y, 152, 148);
    pthread_t thread;
    if (pthread_create(&thread, NULL, helper, NULL) != 0) return 1;
    long step = 0;
    printf("the lesson's fused step, us per step: one core, then split over two (152 + 148 columns)\n");
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ns();
        for (int i = 0; i < steps; i++) dense_step(&net, X, Y, lr);
        const double one = (now_ns() - t0) / steps / 1e3;
        t0 = now_ns();
        for (int i = 0; i < steps; i++) {
            atomic_store_explicit(&started, ++step, memory_order_release);
            dense_forward(&mine.net, mine.X);
            dense_backward(&mine.net, mine.X, mine.Y);
            while (atomic_load_explicit(&finished, memory_order_acquire) < step) {
            }
            for (int l = 0; l < 3; l++) {
                mat_axpy(mine.L[l].dW, 1.0, helper_part.L[l].dW);
                mat_axpy(mine.L[l].db, 1.0, helper_part.L[l].db);
            }
            dense_update(&mine.net, lr);
        }
        const double two = (now_ns() - t0) / steps / 1e3;
        printf("  round %d: %6.2f  %6.2f  (%.2fx)\n", r + 1, one, two, one / two);
    }
    atomic_store(&stop, 1);
    pthread_join(thread, NULL);
    return 0;
}
