/* fused.h: a dense network's training step in one C call.
 *
 * Legend (the lesson's layout: one COLUMN per example, m examples):
 *   layer l = 1..L:  Z_l = W_l A_{l-1} + b_l,  A_l = act_l(Z_l),  A_0 = X (n_0 x m)
 *   W_l: n_l x n_{l-1}, b_l: n_l x 1, dW_l, db_l: their gradients; Z_l, A_l, dZ_l, dA_l: n_l x m buffers
 *   the loss compares A_L (or Z_L, for losses on logits) with the targets Y (n_L x m).
 *
 * The caller owns every matrix; nothing is allocated here (a Lua user passes the matrices of a network
 * built by lua/initlab/network.lua, see bind_fused.c). forward, backward and update run the kernels of the
 * per-layer functions network.lua's methods of the same names call, in the same order, so they give the
 * same bits: a step skips the Lua calls in between, nothing else (and may run on two threads, below).
 *
 * Conventions: output first where there is one; every function checks shapes and returns IL_ESHAPE or
 * IL_EVALUE before writing anything. */
#ifndef INITLAB_FUSED_H
#define INITLAB_FUSED_H

#include <stdint.h>

#include "matrix.h"

typedef enum il_activation {
    IL_ACT_LINEAR,     /* identity (network.lua's "linear": A is a copy of Z) */
    IL_ACT_RELU,       /* max(z, 0) */
    IL_ACT_LEAKY_RELU, /* z > 0 ? z : slope z */
    IL_ACT_SIGMOID,    /* 1 / (1 + exp(-z)) */
    IL_ACT_TANH,
    IL_ACT_SOFTMAX, /* down each column */
} il_activation;

typedef enum il_loss {
    IL_LOSS_BCE,        /* the lesson's cross-entropy on A_L; with a sigmoid output dZ_L = (A_L - Y) / m */
    IL_LOSS_BCE_LOGITS, /* stable cross-entropy on Z_L; the output activation must be linear */
    IL_LOSS_MSE,        /* mean squared error of A_L */
    IL_LOSS_SOFTMAX_CE, /* softmax cross-entropy on Z_L; the output activation must be linear */
} il_loss;

typedef struct il_dense_layer {
    Matrix *W, *b, *dW, *db; /* parameters and their gradients */
    Matrix *Z, *A, *dZ, *dA; /* this batch's buffers, n_l x m */
    il_activation activation;
} il_dense_layer;

/* Whether a lean network's skipped buffers (below) hold their pass's values. */
typedef enum il_kept {
    IL_KEPT,   /* written (or recomputed) since that pass */
    IL_PENDING /* not written: dense_recompute fills them while the weights they come from are unchanged */
} il_kept;

/* What a caller that runs a pass itself (network.lua's own Lua code) tells a lean network. */
typedef enum il_event {
    IL_WROTE_FORWARD, /* every Z and A written */
    IL_WROTE_BACKWARD /* every dZ and dA written */
} il_event;

typedef struct il_dense {
    il_dense_layer *layers; /* depth layers, the caller's */
    size_t depth;
    il_loss loss;
    double leaky_slope; /* for IL_ACT_LEAKY_RELU (network.lua uses 0.01) */
    /* Lean: the passes do not write what training never reads, a ReLU layer's Z (its mask is read from A:
     * A > 0 exactly where Z > 0) and, below another layer, its dA (dZ is computed straight into its own
     * buffer). That is about a tenth of the lesson's step (the stores of its widest layer). */
    int lean;
    size_t m;              /* examples per batch, set by dense_prepare */
    il_kept z_kept, da_kept; /* lean: the state of those Z and dA, set by the passes */
    /* lean: fingerprints of the weights each pass computed them from, so that a weight changed in place in
     * between, by any code, is noticed (an xor and an addition per weight) */
    uint64_t z_print, da_print;
    const Matrix *checked_X, *checked_Y; /* the X and Y the last steps checked (dense_prepare resets them) */
    /* Two threads (helper.h): forward and the dZ chain each take half of the examples, and the sums over
     * examples (dW, db) are cut where gemm.h's and numpy's orders halve them, so a step on two threads gives
     * one thread's bits. For batches of more than IL_GEMM_HALVES_MIN examples whose products all stay off
     * CBLAS (which has threads of its own), on a machine with two CPUs, with scratch. threads: 1 one, 2 two
     * whenever allowed, 0 (the default) whichever of the two a short timing every 16384 steps finds faster. */
    int threads;
    double *scratch;    /* dense_scratch_len(net) values for the second half's sums, the caller's */
    size_t scratch_len;
    size_t split;       /* set by dense_prepare: the first thread's examples are [0, split); 0: one thread */
    unsigned long long steps;               /* forward passes since dense_prepare */
    uint64_t probe_ns[2];                   /* the timed passes' nanoseconds on one thread and on two */
    int timing, two_threads, step_on_two;   /* the choice's state */
} il_dense;

/* The scratch values two threads need (threads, above), for a network whose layers, loss and threads are
 * filled in: 0 when it can only ever run on one. */
size_t dense_scratch_len(const il_dense *net);

/* Checks the network (shapes chain, every buffer n_l x m, no matrix used twice, the loss fits the output
 * activation, threads 0 to 2): IL_ESHAPE or IL_EVALUE. Call it once after filling layers, depth, loss,
 * leaky_slope, lean, threads, scratch and scratch_len, and again after changing any of them. */
il_status dense_prepare(il_dense *net);

/* Lean: fills the Z (dA when `da`) a pass skipped, exactly as it would have written them, from what that
 * pass computed them from: the weights (IL_ESTALE when an update, or anything else, changed one since)
 * and the layers' inputs as they are now: the buffers, and X for the first layer (the last forward's; a
 * change in place since gives the changed values). A no-op when kept, or not lean. */
il_status dense_recompute(il_dense *net, const Matrix *X, int da);

/* Lean: what a caller's own pass changed (network.lua's Lua code, which writes every buffer). */
void dense_note(il_dense *net, il_event event);

/* X: n_0 x m. Fills every Z_l, A_l (lean: not a ReLU layer's Z). */
il_status dense_forward(il_dense *net, const Matrix *X);
/* The loss of the last forward pass. Y: n_L x m. */
il_status dense_cost(const il_dense *net, const Matrix *Y, double *cost);
/* After dense_forward with the same X: fills every dZ_l, dA_l (as network.lua does; lean: not the dA of a
 * ReLU layer below another), dW_l, db_l. */
il_status dense_backward(il_dense *net, const Matrix *X, const Matrix *Y);
/* W_l -= lr dW_l, b_l -= lr db_l (as W + (-lr) dW, numpy's W - lr * dW). */
il_status dense_update(il_dense *net, double lr);

/* forward, backward, update. */
il_status dense_step(il_dense *net, const Matrix *X, const Matrix *Y, double lr);

/* `steps` steps of dense_step; when every > 0, costs[i / every] receives the cost of step i's forward
 * pass for i = 0, every, 2 every, ... (the lesson's loop: the cost is taken before the update).
 * costs must hold (steps + every - 1) / every values. */
il_status dense_train(il_dense *net, const Matrix *X, const Matrix *Y, double lr, size_t steps, size_t every,
                      double *costs);

#endif
