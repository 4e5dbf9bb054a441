/* elementwise.h: the elementwise formulas of the layers and losses, each written once.
 *
 * A kernel works on a block: `rows` rows of `cols` values, row r of every operand starting r * ld values
 * after the operand's pointer. A whole matrix is one block (1 x its size); a range of columns of
 * same-shape matrices is another (the fused training step's tiles of examples). The per-layer functions
 * (layers.c, losses.c, matrix.c) and the fused step (fused.c) call the same kernels, so they compute the
 * same bits. Element k of every input is read before element k of the output is written, so the output
 * may be any input (in place). Loops are vectorised by the compiler (see IL_VECTORIZED in cpu.h).
 *
 * Legend: Z a pre-activation, A (or S, Y) an activation, dX a gradient, T targets, m examples. */
#ifndef INITLAB_ELEMENTWISE_H
#define INITLAB_ELEMENTWISE_H

#include <stddef.h>

typedef struct ew_block {
    size_t rows, cols, ld;
} ew_block;

/* The whole of an array of n values as one block. */
static inline ew_block ew_all(size_t n)
{
    ew_block b = {1, n, n};
    return b;
}

/* ---- activations, forward ---- */
void ew_relu(ew_block b, double *out, const double *z);                      /* max(z, 0), NaN and -0 kept */
void ew_leaky_relu(ew_block b, double *out, const double *z, double slope);  /* z > 0 ? z : slope z */
void ew_sigmoid(ew_block b, double *out, const double *z);                   /* 1 / (1 + exp(-z)) */
void ew_tanh(ew_block b, double *out, const double *z);
void ew_copy(ew_block b, double *out, const double *x);

/* ---- activations, backward ---- */
void ew_relu_backward(ew_block b, double *dz, const double *da, const double *z);      /* da (z > 0) */
void ew_leaky_relu_backward(ew_block b, double *dz, const double *da, const double *z, double slope);
void ew_sigmoid_backward(ew_block b, double *dz, const double *da, const double *s);   /* da s (1 - s) */
void ew_tanh_backward(ew_block b, double *dz, const double *da, const double *y);      /* da (1 - y^2) */

/* ---- loss gradients ---- */
void ew_sigmoid_bce_backward(ew_block b, double *dz, const double *a, const double *t, double m); /* (1/m)(a - t) */
void ew_bce_backward(ew_block b, double *da, const double *a, const double *t, double m);
void ew_bce_logits_backward(ew_block b, double *dz, const double *z, const double *t, double m); /* (sigmoid(z) - t) / m */
void ew_mse_backward(ew_block b, double *da, const double *a, const double *t, double n);        /* 2 (a - t) / n */

/* ---- column-wise (one distribution per example): columns c0 .. c1-1 of rows x ld matrices ---- */
void ew_softmax_columns(double *out, const double *z, size_t rows, size_t ld, size_t c0, size_t c1);
void ew_softmax_backward_columns(double *dz, const double *da, const double *y, size_t rows, size_t ld, size_t c0,
                                 size_t c1);
/* dz = (softmax(z) - t) / m for each column. */
void ew_softmax_ce_backward_columns(double *dz, const double *z, const double *t, double m, size_t rows, size_t ld,
                                    size_t c0, size_t c1);

/* ---- numpy's pairwise sum, the order of np.sum along a contiguous row ----
 * Blocks of at most 128 values are each summed in eight lanes (eight accumulators, then
 * ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)), then the block's last n % 8 values one by one);
 * longer rows are halved (on a multiple of 8) and the halves' sums added. `skip_nan` gives nansum. */
double ew_pairwise_sum(const double *a, size_t n, int skip_nan);
/* Where numpy splits n > 128 values: the first half rounded down to a multiple of 8. */
static inline size_t ew_pairwise_split(size_t n) { return n / 2 - n / 2 % 8; }
/* out[i] = ew_pairwise_sum(row i, n, 0) for `rows` rows of n values, ld apart (np.sum(a, axis=1)). */
void ew_pairwise_rows(double *out, const double *a, size_t rows, size_t n, size_t ld);

#endif
