/* layers.h: the layers of a feed-forward network, each forward pass beside its backward pass.
 *
 * Legend (the lesson's layout: one COLUMN per example):
 *   m       number of examples (columns)
 *   n_in    units feeding a linear layer, n_out units it produces
 *   Z       a pre-activation, A an activation, dX the gradient of the loss with respect to X
 *
 * Conventions: output first; every buffer is passed in, nothing is allocated; shapes are checked and a
 * mismatch returns IL_ESHAPE before anything is written. Elementwise layers may work in place (out may
 * be any input of the same shape); the products of the linear layer cannot, and refuse it with IL_EVALUE.
 * NaN and inf flow through as in numpy. */
#ifndef INITLAB_LAYERS_H
#define INITLAB_LAYERS_H

#include "matrix.h"

/* ---- linear: Z = W A + b ---- */

/* Z: n_out x m, W: n_out x n_in, A: n_in x m, b: n_out x 1 (added to every column).
 * Computed as numpy's np.dot(W, A) + b: the product first, then the bias. Z must not be W, A or b. */
il_status linear_forward(Matrix *Z, const Matrix *W, const Matrix *A, const Matrix *b);

/* dW: n_out x n_in = dZ A^T, db: n_out x 1 = row sums of dZ (numpy's np.sum(dZ, axis=1, keepdims=True)),
 * dA: n_in x m = W^T dZ, or NULL to skip it (the first layer's input needs no gradient).
 * dZ: n_out x m, A: n_in x m, W: n_out x n_in. The outputs must be distinct from each other and
 * from the inputs. */
il_status linear_backward(Matrix *dW, Matrix *db, Matrix *dA, const Matrix *dZ, const Matrix *A,
                          const Matrix *W);

/* ---- relu: max(x, 0), NaN kept (numpy's np.maximum(0, x)) ---- */

/* out, Z: any shape, the same. */
il_status relu_forward(Matrix *out, const Matrix *Z);
/* dZ = dA * (Z > 0). dZ, dA, Z: the same shape. Z may also be relu's output: A > 0 exactly where Z > 0. */
il_status relu_backward(Matrix *dZ, const Matrix *dA, const Matrix *Z);

/* ---- leaky relu: x if x > 0, else slope * x ---- */

/* out, Z: the same shape. */
il_status leaky_relu_forward(Matrix *out, const Matrix *Z, double slope);
/* dZ = dA * (Z > 0 ? 1 : slope). dZ, dA, Z: the same shape. */
il_status leaky_relu_backward(Matrix *dZ, const Matrix *dA, const Matrix *Z, double slope);

/* ---- sigmoid: exactly 1 / (1 + exp(-x)), the lesson's formula ----
 * Not "stabilised": large |x| give exactly 0 and 1, which is where the lesson's inf cost comes from. */

/* out, Z: the same shape. */
il_status sigmoid_forward(Matrix *out, const Matrix *Z);
/* From the output S = sigmoid(Z): dZ = dA * S * (1 - S), evaluated left to right as numpy does.
 * dZ, dA, S: the same shape. */
il_status sigmoid_backward(Matrix *dZ, const Matrix *dA, const Matrix *S);

/* ---- tanh ---- */

/* out, Z: the same shape. */
il_status tanh_forward(Matrix *out, const Matrix *Z);
/* From the output Y = tanh(Z): dZ = dA * (1 - Y^2). dZ, dA, Y: the same shape. */
il_status tanh_backward(Matrix *dZ, const Matrix *dA, const Matrix *Y);

/* ---- softmax down each column (one distribution per example) ---- */

/* out, Z: classes x m. The column maximum is subtracted before exp, so large logits do not overflow. */
il_status softmax_forward(Matrix *out, const Matrix *Z);
/* From the output Y = softmax(Z): dZ = Y * (dA - colsum(dA * Y)), the column sum computed on the fly.
 * dZ, dA, Y: classes x m. */
il_status softmax_backward(Matrix *dZ, const Matrix *dA, const Matrix *Y);

#endif
