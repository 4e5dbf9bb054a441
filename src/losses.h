/* losses.h: loss values and their gradients.
 *
 * Legend: one COLUMN per example, m = number of columns. A is a prediction (probabilities), Z logits,
 * Y the targets, always the same shape as the prediction.
 *
 * Conventions: a loss writes its value through `cost` and allocates nothing (terms are summed as they
 * are computed, in numpy's pairwise order); it returns IL_EEMPTY when there is nothing to average over.
 * A gradient writes into a caller's buffer of the prediction's shape, which may be any of the inputs
 * (each element is read before it is written). Shape mismatches return IL_ESHAPE. */
#ifndef INITLAB_LOSSES_H
#define INITLAB_LOSSES_H

#include "matrix.h"

/* ---- the lesson's binary cross-entropy on probabilities ----
 * logprobs = -log(A) * Y + -log(1 - A) * (1 - Y); cost = (1/m) * nansum(logprobs), evaluated in that
 * order (and summed pairwise) so it agrees with numpy to the last bit. As numpy's nansum: a NaN term
 * (0 * inf, from A exactly 0 or 1 where the target agrees) is skipped, an infinite term (A exactly 0 or 1
 * where the target disagrees) makes the cost inf. A, Y: k x m. */
il_status bce_loss(double *cost, const Matrix *A, const Matrix *Y);
/* dA = (1/m) * (-(Y / A) + (1 - Y) / (1 - A)). dA, A, Y: k x m. */
il_status bce_backward(Matrix *dA, const Matrix *A, const Matrix *Y);

/* ---- binary cross-entropy from logits, stable ----
 * cost = (1/m) * sum of max(Z, 0) - Z * Y + log1p(exp(-|Z|)): finite for every finite Z, where the
 * lesson's sigmoid-then-log gives inf. For one output row this is the mean over examples. Z, Y: k x m. */
il_status bce_logits_loss(double *cost, const Matrix *Z, const Matrix *Y);
/* dZ = (sigmoid(Z) - Y) / m. dZ, Z, Y: k x m. */
il_status bce_logits_backward(Matrix *dZ, const Matrix *Z, const Matrix *Y);

/* ---- mean squared error (PyTorch's default reduction: the mean over every element) ---- */
/* cost = sum((A - Y)^2) / numel. A, Y: the same shape. */
il_status mse_loss(double *cost, const Matrix *A, const Matrix *Y);
/* dA = 2 (A - Y) / numel. dA, A, Y: the same shape. */
il_status mse_backward(Matrix *dA, const Matrix *A, const Matrix *Y);

/* ---- softmax cross-entropy from logits ----
 * cost = -(1/m) * sum of Y * log softmax(Z), softmax down each column, the log taken stably through
 * log-sum-exp. Y holds one-hot columns or probabilities; a class with Y = 0 contributes nothing (the
 * 0 log 0 = 0 convention), so a masked class with logit -inf does not turn the cost into NaN.
 * Z, Y: classes x m. */
il_status softmax_ce_loss(double *cost, const Matrix *Z, const Matrix *Y);
/* dZ = (softmax(Z) - Y) / m. dZ, Z, Y: classes x m. */
il_status softmax_ce_backward(Matrix *dZ, const Matrix *Z, const Matrix *Y);

/* ---- the lesson's shortcut: sigmoid output layer and bce together ----
 * dZ = (1/m) * (A - Y), computed as numpy's `1./m * (A3 - Y)`. A = sigmoid(Z), Y: k x m. */
il_status sigmoid_bce_backward(Matrix *dZ, const Matrix *A, const Matrix *Y);

#endif
