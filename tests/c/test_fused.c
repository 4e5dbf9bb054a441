/* test_fused.c: the fused training step against the per-layer functions, bit for bit; its checks; and
 * that neither allocates (malloc is counted by a wrapper, outside the sanitizer build). */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "elementwise.h"
#include "fused.h"
#include "gemm.h"
#include "helper.h"
#include "layers.h"
#include "losses.h"

/* ---- counting allocations (glibc: the test's malloc wraps the C library's) ---- */
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__has_feature)
#define COUNT_MALLOC 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static long allocations;
void *malloc(size_t n) { allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { allocations++; return __libc_realloc(p, n); }
#endif

typedef struct net3 {
    Matrix *X, *Y;
    il_dense_layer layers[3];
    il_dense net;
} net3;

static void fill(Matrix *m, unsigned seed, double scale)
{
    uint64_t s = seed * 2654435761u + 7;
    for (size_t k = 0; k < mat_numel(m); k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        m->data[k] = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * scale;
    }
}

/* The lesson's [2, 10, 5, 1] on m examples, with activations a[3] and a loss; W from a fixed fill. */
static void make(net3 *n, size_t m, const il_activation a[3], il_loss loss)
{
    const size_t sizes[4] = {2, 10, 5, 1};
    n->X = mat_new(2, m), n->Y = mat_new(1, m);
    fill(n->X, 1, 2.0);
    for (size_t k = 0; k < m; k++) n->Y->data[k] = k % 3 == 0 ? 1.0 : 0.0;
    for (int l = 0; l < 3; l++) {
        il_dense_layer *L = &n->layers[l];
        L->W = mat_new(sizes[l + 1], sizes[l]), L->dW = mat_new(sizes[l + 1], sizes[l]);
        L->b = mat_new(sizes[l + 1], 1), L->db = mat_new(sizes[l + 1], 1);
        L->Z = mat_new(sizes[l + 1], m), L->A = mat_new(sizes[l + 1], m);
        L->dZ = mat_new(sizes[l + 1], m), L->dA = mat_new(sizes[l + 1], m);
        L->activation = a[l];
        fill(L->W, 10 + l, 1.5);
    }
    n->net = (il_dense){.layers = n->layers, .depth = 3, .loss = loss, .leaky_slope = 0.01};
}

static void destroy(net3 *n)
{
    mat_free(n->X), mat_free(n->Y);
    for (int l = 0; l < 3; l++) {
        il_dense_layer *L = &n->layers[l];
        Matrix *all[] = {L->W, L->b, L->dW, L->db, L->Z, L->A, L->dZ, L->dA};
        for (int k = 0; k < 8; k++) mat_free(all[k]);
    }
}

/* One step the way network.lua makes it, with the per-layer functions (relu/sigmoid/bce only). */
static void per_layer_step(net3 *n, double lr)
{
    il_dense_layer *L = n->layers;
    linear_forward(L[0].Z, L[0].W, n->X, L[0].b), relu_forward(L[0].A, L[0].Z);
    linear_forward(L[1].Z, L[1].W, L[0].A, L[1].b), relu_forward(L[1].A, L[1].Z);
    linear_forward(L[2].Z, L[2].W, L[1].A, L[2].b), sigmoid_forward(L[2].A, L[2].Z);
    sigmoid_bce_backward(L[2].dZ, L[2].A, n->Y);
    linear_backward(L[2].dW, L[2].db, L[1].dA, L[2].dZ, L[1].A, L[2].W), relu_backward(L[1].dZ, L[1].dA, L[1].Z);
    linear_backward(L[1].dW, L[1].db, L[0].dA, L[1].dZ, L[0].A, L[1].W), relu_backward(L[0].dZ, L[0].dA, L[0].Z);
    linear_backward(L[0].dW, L[0].db, NULL, L[0].dZ, n->X, L[0].W);
    for (int l = 0; l < 3; l++) mat_axpy(L[l].W, -lr, L[l].dW), mat_axpy(L[l].b, -lr, L[l].db);
}

static int identical(const Matrix *a, const Matrix *b)
{
    return mat_same_shape(a, b) && memcmp(a->data, b->data, mat_numel(a) * sizeof(double)) == 0;
}

static void test_same_bits_as_per_layer(void)
{
    const il_activation lesson[3] = {IL_ACT_RELU, IL_ACT_RELU, IL_ACT_SIGMOID};
    for (size_t m = 1; m <= 301; m += 60) {
        net3 a, b;
        make(&a, m, lesson, IL_LOSS_BCE), make(&b, m, lesson, IL_LOSS_BCE);
        CHECK(dense_prepare(&b.net) == IL_OK);
        double costs[5];
        for (int i = 0; i < 40; i++) per_layer_step(&a, 0.05);
        CHECK(dense_train(&b.net, b.X, b.Y, 0.05, 40, 10, costs) == IL_OK);
        for (int l = 0; l < 3; l++) {
            CHECK(identical(a.layers[l].W, b.layers[l].W));
            CHECK(identical(a.layers[l].b, b.layers[l].b));
            CHECK(identical(a.layers[l].dZ, b.layers[l].dZ));
        }
        CHECK(costs[0] > 0 && costs[3] < costs[0]); /* it learns */
        destroy(&a), destroy(&b);
    }
}

/* A lean network (fused.h) trains to the same bits, and dense_recompute gives back the skipped Z and dA of
 * its ReLU layers, bit for bit, until an update changes the weights they come from. */
static void test_lean(void)
{
    const il_activation acts[][3] = {{IL_ACT_RELU, IL_ACT_RELU, IL_ACT_SIGMOID}, {IL_ACT_RELU, IL_ACT_TANH, IL_ACT_RELU}};
    for (int c = 0; c < 2; c++) {
        const il_loss loss = acts[c][2] == IL_ACT_RELU ? IL_LOSS_MSE : IL_LOSS_BCE;
        for (size_t m = 1; m <= 301; m += 100) {
            net3 a, b;
            make(&a, m, acts[c], loss), make(&b, m, acts[c], loss);
            b.net.lean = 1;
            CHECK(dense_prepare(&a.net) == IL_OK && dense_prepare(&b.net) == IL_OK);
            CHECK(dense_recompute(&b.net, b.X, 0) == IL_OK); /* nothing skipped yet */
            for (int i = 0; i < 30; i++) {
                CHECK(dense_step(&a.net, a.X, a.Y, 0.05) == IL_OK);
                CHECK(dense_forward(&b.net, b.X) == IL_OK && dense_backward(&b.net, b.X, b.Y) == IL_OK);
                if (i == 29) { /* skipped, then recomputed */
                    for (int l = 0; l < 2; l++)
                        CHECK(acts[c][l] != IL_ACT_RELU || (!identical(b.layers[l].Z, a.layers[l].Z) &&
                                                            !identical(b.layers[l].dA, a.layers[l].dA)));
                    CHECK(dense_recompute(&b.net, b.X, 0) == IL_OK && dense_recompute(&b.net, NULL, 1) == IL_OK);
                }
                CHECK(dense_update(&b.net, 0.05) == IL_OK);
            }
            for (int l = 0; l < 3; l++) {
                const il_dense_layer *x = &a.layers[l], *y = &b.layers[l];
                CHECK(identical(x->W, y->W) && identical(x->b, y->b) && identical(x->dW, y->dW));
                CHECK(identical(x->A, y->A) && identical(x->dZ, y->dZ));
                CHECK(identical(x->Z, y->Z) && identical(x->dA, y->dA)); /* recomputed before the last update */
            }
            /* skipped by a pass, then gone with an update */
            CHECK(dense_forward(&b.net, b.X) == IL_OK && dense_update(&b.net, 0.05) == IL_OK);
            CHECK(dense_recompute(&b.net, b.X, 0) == IL_ESTALE);
            CHECK(dense_recompute(&b.net, NULL, 1) == IL_OK); /* recomputed since the last backward */
            CHECK(dense_backward(&b.net, b.X, b.Y) == IL_OK);
            b.layers[1].W->data[0] += 1.0; /* a weight changed in place, without dense_update */
            CHECK(dense_recompute(&b.net, NULL, 1) == IL_ESTALE);
            CHECK(dense_forward(&b.net, b.X) == IL_OK);
            b.layers[0].b->data[0] *= 2.0;
            CHECK(dense_recompute(&b.net, b.X, 0) == IL_ESTALE);
            b.layers[0].b->data[0] /= 2.0; /* back as it was: computable again */
            CHECK(dense_recompute(&b.net, b.X, 0) == IL_OK);
            /* a caller's own passes write everything */
            dense_note(&b.net, IL_WROTE_FORWARD), dense_note(&b.net, IL_WROTE_BACKWARD);
            CHECK(dense_recompute(&b.net, b.X, 0) == IL_OK && dense_recompute(&b.net, NULL, 1) == IL_OK);
            CHECK(dense_forward(&b.net, b.X) == IL_OK);
            CHECK(dense_recompute(&b.net, NULL, 0) == IL_EVALUE); /* Z needs the first layer's input */
            Matrix *X3 = mat_new(3, m);
            CHECK(dense_recompute(&b.net, X3, 0) == IL_ESHAPE);
            mat_free(X3);
            destroy(&a), destroy(&b);
        }
    }
}

static void test_checks(void)
{
    const il_activation lesson[3] = {IL_ACT_RELU, IL_ACT_RELU, IL_ACT_SIGMOID};
    net3 n;
    make(&n, 20, lesson, IL_LOSS_BCE);
    CHECK(dense_forward(&n.net, n.X) == IL_EVALUE); /* not prepared */
    Matrix *keep = n.layers[1].A;
    n.layers[1].A = n.layers[1].Z; /* one matrix in two roles */
    CHECK(dense_prepare(&n.net) == IL_EVALUE);
    n.layers[1].A = keep;
    n.net.loss = IL_LOSS_BCE_LOGITS; /* logits need a linear output */
    CHECK(dense_prepare(&n.net) == IL_EVALUE);
    n.net.loss = IL_LOSS_BCE;
    Matrix *wide = mat_new(5, 11);
    keep = n.layers[1].W;
    n.layers[1].W = wide; /* 5 x 11 after a 10-unit layer */
    CHECK(dense_prepare(&n.net) == IL_ESHAPE);
    n.layers[1].W = keep;
    CHECK(dense_prepare(&n.net) == IL_OK);
    Matrix *X3 = mat_new(3, 20);
    CHECK(dense_forward(&n.net, X3) == IL_ESHAPE);
    CHECK(dense_backward(&n.net, n.X, n.layers[2].A) == IL_EVALUE); /* Y is a buffer */
    double cost = -1;
    CHECK(dense_forward(&n.net, n.X) == IL_OK && dense_cost(&n.net, n.Y, &cost) == IL_OK && cost > 0);
    /* a step remembers the X and Y it checked; any other is checked again */
    CHECK(dense_backward(&n.net, n.X, n.Y) == IL_OK);
    CHECK(dense_backward(&n.net, n.X, n.layers[2].A) == IL_EVALUE);
    CHECK(dense_forward(&n.net, X3) == IL_ESHAPE);
    CHECK(dense_forward(&n.net, n.X) == IL_OK && dense_backward(&n.net, n.X, n.Y) == IL_OK);
    mat_free(wide), mat_free(X3);
    destroy(&n);
}

static void test_other_losses(void)
{
    /* each loss and activation runs and learns; bit-identity with network.lua is tested in Lua */
    struct { il_activation a[3]; il_loss loss; } cases[] = {
        {{IL_ACT_TANH, IL_ACT_LEAKY_RELU, IL_ACT_SIGMOID}, IL_LOSS_MSE},
        {{IL_ACT_RELU, IL_ACT_SIGMOID, IL_ACT_LINEAR}, IL_LOSS_BCE_LOGITS},
        {{IL_ACT_RELU, IL_ACT_RELU, IL_ACT_TANH}, IL_LOSS_BCE},
        {{IL_ACT_RELU, IL_ACT_SOFTMAX, IL_ACT_LINEAR}, IL_LOSS_MSE},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) { /* (softmax_ce over one class is always 0) */
        net3 n;
        make(&n, 64, cases[c].a, cases[c].loss);
        if (cases[c].a[2] == IL_ACT_TANH) /* the lesson's bce needs outputs in (0, 1) */
            for (size_t k = 0; k < 64; k++) n.Y->data[k] = 0.5;
        CHECK(dense_prepare(&n.net) == IL_OK);
        double costs[2] = {NAN, NAN};
        CHECK(dense_train(&n.net, n.X, n.Y, 0.05, 200, 199, costs) == IL_OK);
        CHECK(isfinite(costs[0]) && isfinite(costs[1]) && costs[1] < costs[0]);
        destroy(&n);
    }
}

/* Scratch for two threads (fused.h), from malloc: the caller's. */
static void give_scratch(net3 *n, int threads)
{
    n->net.threads = threads;
    n->net.scratch_len = dense_scratch_len(&n->net);
    n->net.scratch = calloc(n->net.scratch_len, sizeof(double));
}

/* A step on two threads gives one thread's bits: every activation and loss, lean or not, batches just past
 * IL_GEMM_HALVES_MIN and the lesson's; the third network chooses by timing (the same bits whichever). */
static void test_two_threads(void)
{
    struct { il_activation a[3]; il_loss loss; } cases[] = {
        {{IL_ACT_RELU, IL_ACT_RELU, IL_ACT_SIGMOID}, IL_LOSS_BCE},
        {{IL_ACT_TANH, IL_ACT_LEAKY_RELU, IL_ACT_SIGMOID}, IL_LOSS_MSE},
        {{IL_ACT_RELU, IL_ACT_SIGMOID, IL_ACT_LINEAR}, IL_LOSS_BCE_LOGITS},
        {{IL_ACT_RELU, IL_ACT_SOFTMAX, IL_ACT_LINEAR}, IL_LOSS_MSE},
        {{IL_ACT_LINEAR, IL_ACT_RELU, IL_ACT_LINEAR}, IL_LOSS_SOFTMAX_CE},
    };
    const size_t batches[] = {129, 137, 300, 301};
    const int helper = il_helper_available();
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (size_t q = 0; q < sizeof batches / sizeof *batches; q++)
            for (int lean = 0; lean < 2; lean++) {
                const size_t m = batches[q];
                net3 n[3];
                for (int v = 0; v < 3; v++) {
                    make(&n[v], m, cases[c].a, cases[c].loss);
                    n[v].net.lean = lean;
                    give_scratch(&n[v], v == 2 ? 0 : v + 1);
                    CHECK(dense_prepare(&n[v].net) == IL_OK);
                }
                CHECK(n[0].net.split == 0);
                CHECK(n[1].net.split == (helper ? ew_pairwise_split(m) : 0));
                for (int v = 0; v < 3; v++) {
                    double costs[4];
                    CHECK(dense_train(&n[v].net, n[v].X, n[v].Y, 0.05, 70, 20, costs) == IL_OK);
                    CHECK(isfinite(costs[0]));
                }
                for (int v = 1; v < 3; v++)
                    for (int l = 0; l < 3; l++) {
                        const il_dense_layer *x = &n[0].layers[l], *y = &n[v].layers[l];
                        int same = identical(x->W, y->W) && identical(x->b, y->b) && identical(x->dW, y->dW) &&
                                   identical(x->db, y->db) && identical(x->A, y->A) && identical(x->dZ, y->dZ);
                        if (!lean) same = same && identical(x->Z, y->Z) && identical(x->dA, y->dA);
                        if (!same)
                            fprintf(stderr, "two threads: case %zu, m = %zu, lean %d, threads %d: layer %d differs\n", c,
                                    m, lean, n[v].net.threads, l + 1);
                        CHECK(same);
                    }
                for (int v = 0; v < 3; v++) free(n[v].net.scratch), destroy(&n[v]);
            }
    /* where a network stays on one thread: too few examples, too little scratch, or a product for CBLAS */
    const il_activation lesson[3] = {IL_ACT_RELU, IL_ACT_RELU, IL_ACT_SIGMOID};
    net3 n;
    make(&n, 128, lesson, IL_LOSS_BCE), give_scratch(&n, 2);
    CHECK(dense_prepare(&n.net) == IL_OK && n.net.split == 0);
    free(n.net.scratch), destroy(&n);
    make(&n, 300, lesson, IL_LOSS_BCE), give_scratch(&n, 2);
    n.net.scratch_len--;
    CHECK(dense_prepare(&n.net) == IL_OK && n.net.split == 0);
    n.net.scratch_len++, n.net.threads = 3;
    CHECK(dense_prepare(&n.net) == IL_EVALUE);
    free(n.net.scratch), destroy(&n);
    const size_t m = IL_GEMM_CBLAS_MIN_WORK / 50 + 1; /* W2's 50 values times m reach CBLAS' bound */
    make(&n, m, lesson, IL_LOSS_BCE), give_scratch(&n, 2);
    CHECK(dense_prepare(&n.net) == IL_OK && n.net.split == 0);
    free(n.net.scratch), destroy(&n);
}

static void test_no_allocation(void)
{
#ifdef COUNT_MALLOC
    const il_activation lesson[3] = {IL_ACT_RELU, IL_ACT_RELU, IL_ACT_SIGMOID};
    net3 a, b;
    make(&a, 300, lesson, IL_LOSS_BCE), make(&b, 300, lesson, IL_LOSS_BCE);
    b.net.lean = 1;
    give_scratch(&b, 0); /* on two threads where the helper runs, or one */
    CHECK(dense_prepare(&b.net) == IL_OK);
    long before = allocations;
    Matrix *probe = mat_new(2, 2); /* the counter sees allocations */
    CHECK(allocations == before + 1);
    mat_free(probe);
    before = allocations;
    for (int i = 0; i < 100; i++) {
        per_layer_step(&a, 0.01);
        dense_step(&b.net, b.X, b.Y, 0.01);
    }
    CHECK(allocations == before);
    free(b.net.scratch), destroy(&a), destroy(&b);
#endif
}

int main(void)
{
    test_same_bits_as_per_layer();
    test_lean();
    test_checks();
    test_other_losses();
    test_two_threads();
    test_no_allocation();
    return check_report("test_fused");
}
