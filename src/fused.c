/* fused.c: a dense network's forward, backward and update in C (see fused.h).
 *
 * The passes run the kernels that the per-layer functions of the Lua bindings run (linear_forward,
 * relu_forward, ...: gemm.h's products, elementwise.h's formulas), in network.lua's order, so the results
 * are network.lua's to the bit; a ReLU layer's product and activation (forward), or its dA and dZ
 * (backward), in one pass over the output (gemm.h), which gives the same bits. The passes work on a range
 * of examples (columns): all of them on one thread, or two halves on two (helper.h), each thread's columns
 * written only by it; the sums over examples (dW, db) are then taken in the two halves their order is
 * defined by (gemm.h, elementwise.h) and added.
 * Measured on a 2-core Zen 1: the depth experiment's 30 layers of 50 run about 1.4x faster on two threads;
 * the lesson's 10 and 5 units 0.94x (a fast stretch of the machine) to 1.16x (a slow one) as fast as on
 * one. A half of their step costs more than half the step (about 1.5 us of it is fixed: 7.5 us on 144
 * examples, 14.6 us on 300), and more again while the other half runs (halves on buffers of their own
 * measured 0.94x to 1.34x, rows on whole cache lines no better than the lesson's). Hence the timed choice.
 * (Working through the batch in tiles of columns that stay in L1, with the sums over examples kept in
 * order, gives the same bits too; on the lesson's shapes it measured slower than this, so it is not done.) */
#include "fused.h"

#include <string.h>

#include "elementwise.h"
#include "gemm.h"
#include "helper.h"
#include "layers.h"
#include "losses.h"

/* ---- checks and planning ---- */

static size_t units(const il_dense_layer *layer) { return layer->W->rows; }

static size_t batch_of(const il_dense *net) { return net->layers[0].Z ? net->layers[0].Z->cols : 0; }

static int activation_valid(il_activation a) { return a >= IL_ACT_LINEAR && a <= IL_ACT_SOFTMAX; }

static il_status check_layers(const il_dense *net)
{
    if (!net->layers || net->depth == 0) return IL_EVALUE;
    if ((int)net->loss < IL_LOSS_BCE || net->loss > IL_LOSS_SOFTMAX_CE) return IL_EVALUE;
    size_t m = batch_of(net), n_in = net->layers[0].W ? net->layers[0].W->cols : 0;
    if (m == 0) return IL_ESHAPE;
    for (size_t l = 0; l < net->depth; l++) {
        const il_dense_layer *L = &net->layers[l];
        const Matrix *all[] = {L->W, L->b, L->dW, L->db, L->Z, L->A, L->dZ, L->dA};
        for (int k = 0; k < 8; k++)
            if (!all[k]) return IL_EVALUE;
        if (!activation_valid(L->activation)) return IL_EVALUE;
        size_t n = L->W->rows;
        if (L->W->cols != n_in || n == 0) return IL_ESHAPE;
        if (!mat_same_shape(L->dW, L->W)) return IL_ESHAPE;
        if (L->b->rows != n || L->b->cols != 1 || !mat_same_shape(L->db, L->b)) return IL_ESHAPE;
        for (int k = 4; k < 8; k++)
            if (all[k]->rows != n || all[k]->cols != m) return IL_ESHAPE;
        n_in = n;
    }
    /* every matrix has one role: an output written twice, or read while written, would change the results */
    for (size_t l = 0; l < net->depth; l++) {
        const il_dense_layer *L = &net->layers[l];
        const Matrix *mine[] = {L->W, L->b, L->dW, L->db, L->Z, L->A, L->dZ, L->dA};
        for (size_t l2 = l; l2 < net->depth; l2++) {
            const il_dense_layer *L2 = &net->layers[l2];
            const Matrix *theirs[] = {L2->W, L2->b, L2->dW, L2->db, L2->Z, L2->A, L2->dZ, L2->dA};
            for (int a = 0; a < 8; a++)
                for (int b = l2 == l ? a + 1 : 0; b < 8; b++)
                    if (mine[a] == theirs[b]) return IL_EVALUE;
        }
    }
    il_activation out = net->layers[net->depth - 1].activation;
    if ((net->loss == IL_LOSS_BCE_LOGITS || net->loss == IL_LOSS_SOFTMAX_CE) && out != IL_ACT_LINEAR)
        return IL_EVALUE;
    return IL_OK;
}

/* Whether a checked network may run on two threads (fused.h: threads), the helper aside. */
static int may_split(const il_dense *net)
{
    const size_t m = batch_of(net);
    if (net->threads == 1 || m <= IL_GEMM_HALVES_MIN) return 0;
    for (size_t l = 0; l < net->depth; l++) /* every product below CBLAS' bound: W's size times m */
        if (mat_numel(net->layers[l].W) >= IL_GEMM_CBLAS_MIN_WORK / m) return 0;
    return 1;
}

/* The second half's dW and db values. */
static size_t sums_len(const il_dense *net)
{
    size_t n = 0;
    for (size_t l = 0; l < net->depth; l++) n += (net->layers[l].W->cols + 1) * net->layers[l].W->rows;
    return n;
}

size_t dense_scratch_len(const il_dense *net)
{
    if (!net->layers || net->depth == 0 || !net->layers[0].Z) return 0; /* what may_split and sums_len read */
    for (size_t l = 0; l < net->depth; l++)
        if (!net->layers[l].W) return 0;
    return may_split(net) ? sums_len(net) : 0;
}

/* Where two threads split the examples, or 0 when the network stays on one. */
static size_t split_of(const il_dense *net)
{
    if (!may_split(net) || !net->scratch || net->scratch_len < sums_len(net)) return 0;
    return il_helper_available() ? ew_pairwise_split(net->m) : 0;
}

il_status dense_prepare(il_dense *net)
{
    il_status st = check_layers(net);
    if (st != IL_OK) return st;
    if (net->threads < 0 || net->threads > 2) return IL_EVALUE;
    net->m = batch_of(net);
    net->z_kept = net->da_kept = IL_KEPT;
    net->checked_X = net->checked_Y = NULL;
    net->split = split_of(net);
    net->steps = 0, net->probe_ns[0] = net->probe_ns[1] = 0;
    net->timing = net->two_threads = net->step_on_two = 0;
    return IL_OK;
}

/* X's and Y's shapes (either may be NULL), on a prepared network. */
static il_status check_shapes_of(const il_dense *net, const Matrix *X, const Matrix *Y)
{
    if (net->m == 0 || net->m != batch_of(net)) return IL_EVALUE; /* not prepared */
    if (X && (X->rows != net->layers[0].W->cols || X->cols != net->m)) return IL_ESHAPE;
    if (Y && (Y->rows != units(&net->layers[net->depth - 1]) || Y->cols != net->m)) return IL_ESHAPE;
    return IL_OK;
}

/* Whether X and Y (either may be NULL) are data, not one of the network's matrices. */
static il_status check_not_buffers(const il_dense *net, const Matrix *X, const Matrix *Y)
{
    for (size_t l = 0; (X || Y) && l < net->depth; l++) {
        const il_dense_layer *L = &net->layers[l];
        const Matrix *all[] = {L->W, L->b, L->dW, L->db, L->Z, L->A, L->dZ, L->dA};
        for (int k = 0; k < 8; k++)
            if ((X && all[k] == X) || (Y && all[k] == Y)) return IL_EVALUE;
    }
    return IL_OK;
}

static il_status check_batch(const il_dense *net, const Matrix *X, const Matrix *Y)
{
    il_status st = check_shapes_of(net, X, Y);
    return st == IL_OK ? check_not_buffers(net, X, Y) : st;
}

/* check_batch for a step, which compares with every matrix of the network only an X or Y it has not seen
 * pass before. The shapes are checked every time: a matrix freed and another made at the same address
 * may have any shape, but it cannot be one of the network's matrices, which stay where they are
 * (dense_prepare again after changing one). */
static il_status check_step(il_dense *net, const Matrix *X, const Matrix *Y)
{
    il_status st = check_shapes_of(net, X, Y);
    if (st == IL_OK) st = check_not_buffers(net, X == net->checked_X ? NULL : X, Y == net->checked_Y ? NULL : Y);
    if (st == IL_OK && X) net->checked_X = X;
    if (st == IL_OK && Y) net->checked_Y = Y;
    return st;
}

/* ---- what a lean network's skipped buffers come from ---- */

/* m's values (their bits), each xor-ed with a key of its position, added into *sum; *at counts the values
 * folded so far. Any one value changed changes the sum, and so does, but for a one-in-2^64 chance, any
 * other change a weight update or a copy makes. (A plain loop: the matrices are a layer's W and b, too
 * small for a vectorised loop's set-up to pay.) */
static void fold(uint64_t *sum, size_t *at, const Matrix *m)
{
    const size_t n = mat_numel(m);
    uint64_t s = 0, key = (uint64_t)*at * 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < n; i++, key += 0x9E3779B97F4A7C15ull) {
        uint64_t w;
        memcpy(&w, m->data + i, sizeof w);
        s += w ^ key;
    }
    *sum += s, *at += n;
}

/* The fingerprint of the weights a skipped buffer comes from: every ReLU layer's W and b for Z, the W above
 * every ReLU layer for dA. */
static uint64_t weights_print(const il_dense *net, int da)
{
    uint64_t sum = 0;
    size_t at = 1;
    for (size_t l = 0; l < net->depth; l++) {
        if (net->layers[l].activation != IL_ACT_RELU) continue;
        if (!da) fold(&sum, &at, net->layers[l].W), fold(&sum, &at, net->layers[l].b);
        else if (l + 1 < net->depth) fold(&sum, &at, net->layers[l + 1].W);
    }
    return sum;
}

/* ---- the passes on a range of examples, columns [c0, c1) of every buffer ----
 * The per-layer functions' kernels (layers.c, losses.c: the elementwise ones on a block of columns, gemm.h's
 * on a window), which give every column the bits of the whole call: one thread runs [0, m), two run
 * [0, split) and [split, m). */

/* The block of columns [c0, c1) of a buffer shaped like M (elementwise.h). */
static ew_block block_of(const Matrix *M, size_t c0, size_t c1)
{
    ew_block b = {M->rows, c1 - c0, M->cols};
    return b;
}

static void activation_forward(const il_dense *net, il_dense_layer *L, size_t c0, size_t c1)
{
    const ew_block b = block_of(L->Z, c0, c1);
    double *a = L->A->data + c0;
    const double *z = L->Z->data + c0;
    switch (L->activation) {
    case IL_ACT_LINEAR: ew_copy(b, a, z); break;
    case IL_ACT_RELU: ew_relu(b, a, z); break;
    case IL_ACT_LEAKY_RELU: ew_leaky_relu(b, a, z, net->leaky_slope); break;
    case IL_ACT_SIGMOID: ew_sigmoid(b, a, z); break;
    case IL_ACT_TANH: ew_tanh(b, a, z); break;
    case IL_ACT_SOFTMAX: ew_softmax_columns(L->A->data, L->Z->data, L->Z->rows, L->Z->cols, c0, c1); break;
    }
}

/* dZ from dA (and Z or A, whichever the activation's formula reads). */
static void activation_backward(const il_dense *net, il_dense_layer *L, size_t c0, size_t c1)
{
    const ew_block b = block_of(L->A, c0, c1);
    double *dz = L->dZ->data + c0;
    const double *da = L->dA->data + c0, *a = L->A->data + c0, *z = L->Z->data + c0;
    switch (L->activation) {
    case IL_ACT_LINEAR: ew_copy(b, dz, da); break;
    case IL_ACT_RELU: ew_relu_backward(b, dz, da, a); break; /* the same mask as Z's, and A is always kept */
    case IL_ACT_LEAKY_RELU: ew_leaky_relu_backward(b, dz, da, z, net->leaky_slope); break;
    case IL_ACT_SIGMOID: ew_sigmoid_backward(b, dz, da, a); break;
    case IL_ACT_TANH: ew_tanh_backward(b, dz, da, a); break;
    case IL_ACT_SOFTMAX:
        ew_softmax_backward_columns(L->dZ->data, L->dA->data, L->A->data, L->A->rows, L->A->cols, c0, c1);
        break;
    }
}

/* dZ of the last layer: network.lua's losses[loss].gradient (losses.c's constants: m examples, or every
 * value for the mean squared error). */
static void output_gradient(const il_dense *net, il_dense_layer *L, const Matrix *Y, size_t c0, size_t c1)
{
    const ew_block b = block_of(L->A, c0, c1);
    const double m = (double)L->A->cols, *y = Y->data + c0, *a = L->A->data + c0, *z = L->Z->data + c0;
    double *dz = L->dZ->data + c0, *da = L->dA->data + c0;
    switch (net->loss) {
    case IL_LOSS_BCE:
        if (L->activation == IL_ACT_SIGMOID) {
            ew_sigmoid_bce_backward(b, dz, a, y, m);
            return;
        }
        ew_bce_backward(b, da, a, y, m);
        break;
    case IL_LOSS_BCE_LOGITS: ew_bce_logits_backward(b, dz, z, y, m); return;
    case IL_LOSS_SOFTMAX_CE:
        ew_softmax_ce_backward_columns(L->dZ->data, L->Z->data, Y->data, m, L->Z->rows, L->Z->cols, c0, c1);
        return;
    case IL_LOSS_MSE: ew_mse_backward(b, da, a, y, (double)mat_numel(L->A)); break;
    }
    activation_backward(net, L, c0, c1);
}

/* Every Z_l, A_l on the range (lean: a ReLU layer's product goes straight into A, one store, not two). */
static il_status forward_columns(il_dense *net, const Matrix *X, size_t c0, size_t c1)
{
    const Matrix *in = X;
    for (size_t l = 0; l < net->depth; l++) {
        il_dense_layer *L = &net->layers[l];
        il_status st;
        if (L->activation == IL_ACT_RELU) {
            st = mat_gemm_bias_relu_cols(net->lean ? L->A : L->Z, L->A, L->W, in, L->b, c0, c1);
        } else {
            st = mat_gemm_bias_cols(L->Z, L->W, 0, in, L->b, c0, c1);
            if (st == IL_OK) activation_forward(net, L, c0, c1);
        }
        if (st != IL_OK) return st;
        in = L->A;
    }
    return IL_OK;
}

/* Every dZ_l (and dA_l) on the range: what the gradients of W and b are then summed from. */
static il_status backward_columns(il_dense *net, const Matrix *Y, size_t c0, size_t c1)
{
    output_gradient(net, &net->layers[net->depth - 1], Y, c0, c1);
    il_status st = IL_OK;
    for (size_t l = net->depth; st == IL_OK && l-- > 1;) {
        il_dense_layer *L = &net->layers[l], *prev = &net->layers[l - 1];
        if (prev->activation == IL_ACT_RELU) { /* dA and dZ in one pass; lean: straight into dZ */
            st = mat_gemm_tn_relu_mask_cols(net->lean ? prev->dZ : prev->dA, prev->dZ, L->W, L->dZ, prev->A, c0, c1);
        } else {
            st = mat_gemm_bias_cols(prev->dA, L->W, 1, L->dZ, NULL, c0, c1);
            if (st == IL_OK) activation_backward(net, prev, c0, c1);
        }
    }
    return st;
}

static const Matrix *input_of(const il_dense *net, size_t l, const Matrix *X)
{
    return l > 0 ? net->layers[l - 1].A : X;
}

/* dW_l = dZ_l A_{l-1}^T and db_l = the row sums of dZ_l, as linear_backward computes them. */
static il_status gradients(il_dense *net, const Matrix *X)
{
    il_status st = IL_OK;
    for (size_t l = 0; st == IL_OK && l < net->depth; l++) {
        il_dense_layer *L = &net->layers[l];
        st = mat_gemm(L->dW, L->dZ, 0, input_of(net, l, X), 1, 1.0, 0.0);
        if (st == IL_OK) st = mat_reduce(L->db, IL_SUM, L->dZ, 2);
    }
    return st;
}

/* One half of those sums over the examples (gemm.h's halves, numpy's pairwise split of the row sums): half
 * 0, the caller's, into dW and db; half 1 into the scratch values, dW's then db's of every layer. */
static il_status gradient_half(il_dense *net, const Matrix *X, int half)
{
    const size_t s = net->split, m = net->m, c0 = half ? s : 0, n = half ? m - s : s;
    double *spare = net->scratch;
    il_status st = IL_OK;
    for (size_t l = 0; st == IL_OK && l < net->depth; l++) {
        il_dense_layer *L = &net->layers[l];
        Matrix dW = *L->dW, db = *L->db;
        if (half) dW.data = spare, spare += mat_numel(L->dW), db.data = spare, spare += mat_numel(L->db);
        st = mat_gemm_nt_half(&dW, L->dZ, input_of(net, l, X), half);
        if (st == IL_OK) ew_pairwise_rows(db.data, L->dZ->data + c0, L->dZ->rows, n, m);
    }
    return st;
}

/* dW, db = half 0 + half 1. */
static void add_second_half(il_dense *net)
{
    const double *spare = net->scratch;
    for (size_t l = 0; l < net->depth; l++) {
        Matrix *parts[] = {net->layers[l].dW, net->layers[l].db};
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < mat_numel(parts[k]); i++) parts[k]->data[i] += *spare++;
    }
}

/* ---- one thread or two ---- */

enum { HALF_FORWARD, HALF_BACKWARD };

/* The second half of a pass, for the helper thread (helper.h). */
typedef struct half_task {
    il_dense *net;
    const Matrix *X, *Y;
    int pass;
    il_status status;
} half_task;

static void run_second_half(void *arg)
{
    half_task *t = arg;
    il_dense *net = t->net;
    if (t->pass == HALF_FORWARD) {
        t->status = forward_columns(net, t->X, net->split, net->m);
        return;
    }
    t->status = backward_columns(net, t->Y, net->split, net->m);
    if (t->status == IL_OK) t->status = gradient_half(net, t->X, 1);
}

/* Whether this step runs on two threads. threads = 0: every PROBE_EVERY steps, PROBE_BLOCKS blocks of
 * PROBE_BLOCK steps alternate one thread and two, the first pair warming up, the others timed; the faster
 * way runs until the next probe (the bits are the same either way, only the time differs). */
enum { PROBE_EVERY = 1 << 14, PROBE_BLOCK = 8, PROBE_BLOCKS = 6 };

static int choose_threads(il_dense *net)
{
    if (!net->split) return 0;
    if (net->threads == 2) return 1;
    const size_t phase = (size_t)(net->steps++ % PROBE_EVERY), probe_end = (size_t)PROBE_BLOCK * PROBE_BLOCKS;
    if (phase == 0) net->probe_ns[0] = net->probe_ns[1] = 0;
    if (phase == probe_end) net->two_threads = net->probe_ns[1] < net->probe_ns[0];
    net->timing = phase >= 2 * PROBE_BLOCK && phase < probe_end;
    return phase < probe_end ? (int)(phase / PROBE_BLOCK % 2) : net->two_threads;
}

/* A pass's time, while probing, for the way the step runs. */
static void timed(il_dense *net, uint64_t since)
{
    if (net->timing) net->probe_ns[net->step_on_two] += il_monotonic_ns() - since;
}

static il_status forward_pass(il_dense *net, const Matrix *X)
{
    if (net->lean) net->z_kept = IL_PENDING, net->z_print = weights_print(net, 0);
    net->step_on_two = choose_threads(net);
    const uint64_t since = net->timing ? il_monotonic_ns() : 0;
    half_task task = {net, X, NULL, HALF_FORWARD, IL_OK};
    il_status st;
    if (net->step_on_two && il_helper_offer(run_second_half, &task)) {
        st = forward_columns(net, X, 0, net->split);
        il_helper_wait();
        if (st == IL_OK) st = task.status;
    } else { /* one thread, or the helper held by another caller */
        net->step_on_two = 0;
        st = forward_columns(net, X, 0, net->m);
    }
    timed(net, since);
    return st;
}

static il_status backward_pass(il_dense *net, const Matrix *X, const Matrix *Y)
{
    if (net->lean) net->da_kept = IL_PENDING, net->da_print = weights_print(net, 1);
    const uint64_t since = net->timing ? il_monotonic_ns() : 0;
    half_task task = {net, X, Y, HALF_BACKWARD, IL_OK};
    il_status st;
    if (net->step_on_two && il_helper_offer(run_second_half, &task)) {
        st = backward_columns(net, Y, 0, net->split);
        if (st == IL_OK) st = gradient_half(net, X, 0);
        il_helper_wait();
        if (st == IL_OK) st = task.status;
        if (st == IL_OK) add_second_half(net);
    } else {
        net->step_on_two = 0;
        st = backward_columns(net, Y, 0, net->m);
        if (st == IL_OK) st = gradients(net, X);
    }
    timed(net, since);
    return st;
}

/* ---- a lean network's skipped buffers ---- */

/* What forward_pass and backward_pass would have written, by the same functions: Z by linear_forward (the
 * fused product's Z, gemm.h), dA by the product the ReLU mask kernel writes before its mask. */
static il_status recompute(il_dense *net, const Matrix *X, int da)
{
    il_status st = IL_OK;
    for (size_t l = 0; st == IL_OK && l < net->depth; l++) {
        il_dense_layer *L = &net->layers[l];
        if (L->activation != IL_ACT_RELU) continue;
        if (!da) st = linear_forward(L->Z, L->W, l > 0 ? net->layers[l - 1].A : X, L->b);
        else if (l + 1 < net->depth) st = mat_gemm(L->dA, net->layers[l + 1].W, 1, net->layers[l + 1].dZ, 0, 1.0, 0.0);
    }
    return st;
}

il_status dense_recompute(il_dense *net, const Matrix *X, int da)
{
    il_status st = check_batch(net, da ? NULL : X, NULL);
    if (st != IL_OK) return st;
    il_kept *kept = da ? &net->da_kept : &net->z_kept;
    if (!net->lean || *kept == IL_KEPT) return IL_OK;
    /* the weights changed since that pass (an update, or any write in place): the values are gone */
    if (weights_print(net, da) != (da ? net->da_print : net->z_print)) return IL_ESTALE;
    if (!da && !X) return IL_EVALUE; /* the first layer's input */
    st = recompute(net, X, da);
    if (st == IL_OK) *kept = IL_KEPT;
    return st;
}

void dense_note(il_dense *net, il_event event)
{
    if (event == IL_WROTE_FORWARD) net->z_kept = IL_KEPT;
    else net->da_kept = IL_KEPT;
}

/* ---- the public steps ---- */

il_status dense_forward(il_dense *net, const Matrix *X)
{
    il_status st = check_step(net, X, NULL);
    return st == IL_OK ? forward_pass(net, X) : st;
}

il_status dense_backward(il_dense *net, const Matrix *X, const Matrix *Y)
{
    il_status st = check_step(net, X, Y);
    return st == IL_OK ? backward_pass(net, X, Y) : st;
}

il_status dense_cost(const il_dense *net, const Matrix *Y, double *cost)
{
    il_status st = check_batch(net, NULL, Y);
    if (st != IL_OK) return st;
    const il_dense_layer *L = &net->layers[net->depth - 1];
    switch (net->loss) {
    case IL_LOSS_BCE: return bce_loss(cost, L->A, Y);
    case IL_LOSS_BCE_LOGITS: return bce_logits_loss(cost, L->Z, Y);
    case IL_LOSS_SOFTMAX_CE: return softmax_ce_loss(cost, L->Z, Y);
    case IL_LOSS_MSE: return mse_loss(cost, L->A, Y);
    }
    return IL_EVALUE;
}

il_status dense_update(il_dense *net, double lr)
{
    il_status st = check_step(net, NULL, NULL);
    for (size_t l = 0; st == IL_OK && l < net->depth; l++) {
        il_dense_layer *L = &net->layers[l];
        st = mat_axpy(L->W, -lr, L->dW);
        if (st == IL_OK) st = mat_axpy(L->b, -lr, L->db);
    }
    return st;
}

il_status dense_step(il_dense *net, const Matrix *X, const Matrix *Y, double lr)
{
    il_status st = dense_forward(net, X);
    if (st == IL_OK) st = dense_backward(net, X, Y);
    if (st == IL_OK) st = dense_update(net, lr);
    return st;
}

il_status dense_train(il_dense *net, const Matrix *X, const Matrix *Y, double lr, size_t steps, size_t every,
                      double *costs)
{
    il_status st = check_batch(net, X, Y);
    for (size_t i = 0; st == IL_OK && i < steps; i++) {
        st = dense_forward(net, X);
        if (st == IL_OK && every && i % every == 0) st = dense_cost(net, Y, &costs[i / every]);
        if (st == IL_OK) st = dense_backward(net, X, Y);
        if (st == IL_OK) st = dense_update(net, lr);
    }
    return st;
}
