/* fused.c: a dense network's forward, backward and update in C (see fused.h).
 *
 * The per-layer functions the Lua bindings call (linear_forward, relu_forward, ...), in network.lua's
 * order, so the results are network.lua's to the bit; a ReLU layer's product and activation (forward), or
 * its dA and dZ (backward), in one pass over the output (gemm.h), which gives the same bits.
 * (Working through the batch in tiles of columns that stay in L1, with the sums over examples kept in
 * order, gives the same bits too; on the lesson's shapes it measured slower than this, so it is not done.) */
#include "fused.h"

#include <string.h>

#include "gemm.h"
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

il_status dense_prepare(il_dense *net)
{
    il_status st = check_layers(net);
    if (st != IL_OK) return st;
    net->m = batch_of(net);
    net->z_kept = net->da_kept = IL_KEPT;
    net->checked_X = net->checked_Y = NULL;
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

/* ---- the passes: the per-layer functions, as network.lua calls them ---- */

static il_status activation_forward(const il_dense *net, il_dense_layer *L)
{
    switch (L->activation) {
    case IL_ACT_LINEAR: return mat_copy(L->A, L->Z);
    case IL_ACT_RELU: return relu_forward(L->A, L->Z);
    case IL_ACT_LEAKY_RELU: return leaky_relu_forward(L->A, L->Z, net->leaky_slope);
    case IL_ACT_SIGMOID: return sigmoid_forward(L->A, L->Z);
    case IL_ACT_TANH: return tanh_forward(L->A, L->Z);
    case IL_ACT_SOFTMAX: return softmax_forward(L->A, L->Z);
    }
    return IL_EVALUE;
}

/* dZ from dA (and Z or A, whichever the activation's formula reads). */
static il_status activation_backward(const il_dense *net, il_dense_layer *L)
{
    switch (L->activation) {
    case IL_ACT_LINEAR: return mat_copy(L->dZ, L->dA);
    case IL_ACT_RELU: return relu_backward(L->dZ, L->dA, L->A); /* the same mask as Z's, and A is always kept */
    case IL_ACT_LEAKY_RELU: return leaky_relu_backward(L->dZ, L->dA, L->Z, net->leaky_slope);
    case IL_ACT_SIGMOID: return sigmoid_backward(L->dZ, L->dA, L->A);
    case IL_ACT_TANH: return tanh_backward(L->dZ, L->dA, L->A);
    case IL_ACT_SOFTMAX: return softmax_backward(L->dZ, L->dA, L->A);
    }
    return IL_EVALUE;
}

/* dZ of the last layer: network.lua's losses[loss].gradient. */
static il_status output_gradient(const il_dense *net, il_dense_layer *L, const Matrix *Y)
{
    il_status st;
    switch (net->loss) {
    case IL_LOSS_BCE:
        if (L->activation == IL_ACT_SIGMOID) return sigmoid_bce_backward(L->dZ, L->A, Y);
        st = bce_backward(L->dA, L->A, Y);
        return st == IL_OK ? activation_backward(net, L) : st;
    case IL_LOSS_BCE_LOGITS: return bce_logits_backward(L->dZ, L->Z, Y);
    case IL_LOSS_SOFTMAX_CE: return softmax_ce_backward(L->dZ, L->Z, Y);
    case IL_LOSS_MSE:
        st = mse_backward(L->dA, L->A, Y);
        return st == IL_OK ? activation_backward(net, L) : st;
    }
    return IL_EVALUE;
}

static il_status forward_pass(il_dense *net, const Matrix *X)
{
    const Matrix *in = X;
    if (net->lean) net->z_kept = IL_PENDING, net->z_print = weights_print(net, 0);
    for (size_t l = 0; l < net->depth; l++) {
        il_dense_layer *L = &net->layers[l];
        il_status st;
        if (L->activation == IL_ACT_RELU) { /* lean: the product goes straight into A (one store, not two) */
            st = mat_gemm_bias_relu(net->lean ? L->A : L->Z, L->A, L->W, in, L->b);
        } else {
            st = linear_forward(L->Z, L->W, in, L->b);
            if (st == IL_OK) st = activation_forward(net, L);
        }
        if (st != IL_OK) return st;
        in = L->A;
    }
    return IL_OK;
}

static il_status backward_pass(il_dense *net, const Matrix *X, const Matrix *Y)
{
    il_status st = output_gradient(net, &net->layers[net->depth - 1], Y);
    if (net->lean) net->da_kept = IL_PENDING, net->da_print = weights_print(net, 1);
    for (size_t l = net->depth; st == IL_OK && l-- > 0;) {
        il_dense_layer *L = &net->layers[l], *prev = l > 0 ? &net->layers[l - 1] : NULL;
        int relu_below = prev && prev->activation == IL_ACT_RELU; /* then dA comes with its dZ, in one pass */
        st = linear_backward(L->dW, L->db, prev && !relu_below ? prev->dA : NULL, L->dZ, prev ? prev->A : X, L->W);
        if (st == IL_OK && relu_below) /* lean: straight into dZ */
            st = mat_gemm_tn_relu_mask(net->lean ? prev->dZ : prev->dA, prev->dZ, L->W, L->dZ, prev->A);
        else if (st == IL_OK && prev) st = activation_backward(net, prev);
    }
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
