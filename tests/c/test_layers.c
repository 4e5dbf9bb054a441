/* test_layers.c: the layers and losses of the C core on small hand-checked inputs, numpy's nansum and
 * summation order, and the status codes for wrong shapes, aliasing and empty inputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "layers.h"
#include "losses.h"

/* A rows x cols matrix from row-major values (the test's only allocations). */
static Matrix *matrix_of(size_t rows, size_t cols, const double *values)
{
    Matrix *m = mat_new(rows, cols);
    if (!m) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    if (values) memcpy(m->data, values, rows * cols * sizeof(double));
    return m;
}

static void check_matrix(const Matrix *got, const double *want, const char *what)
{
    int before = check_failures;
    for (size_t k = 0; k < mat_numel(got); k++) CHECK_CLOSE(got->data[k], want[k], 1e-15);
    if (check_failures > before) fprintf(stderr, "  (in %s)\n", what);
}

static void test_linear(void)
{
    /* W 2x3, A 3x2 (two examples), b 2x1 */
    Matrix *W = matrix_of(2, 3, (double[]){1, 2, 3, -1, 0, 2});
    Matrix *A = matrix_of(3, 2, (double[]){1, 0, 2, 1, -1, 3});
    Matrix *b = matrix_of(2, 1, (double[]){0.5, -1});
    Matrix *Z = matrix_of(2, 2, (double[]){NAN, NAN, NAN, NAN}); /* stale NaN must be discarded */
    CHECK(linear_forward(Z, W, A, b) == IL_OK);
    /* column 1: [1+4-3, -1+0-2] + b = [2.5, -4]; column 2: [0+2+9, 0+0+6] + b = [11.5, 5] */
    check_matrix(Z, (double[]){2.5, 11.5, -4, 5}, "Z");

    Matrix *dZ = matrix_of(2, 2, (double[]){1, 2, -1, 3});
    Matrix *dW = matrix_of(2, 3, NULL), *db = matrix_of(2, 1, NULL), *dA = matrix_of(3, 2, NULL);
    CHECK(linear_backward(dW, db, dA, dZ, A, W) == IL_OK);
    /* dW = dZ A^T: [1*1+2*0, 1*2+2*1, 1*-1+2*3; -1*1+3*0, -1*2+3*1, -1*-1+3*3] */
    check_matrix(dW, (double[]){1, 4, 5, -1, 1, 10}, "dW");
    check_matrix(db, (double[]){3, 2}, "db");
    /* dA = W^T dZ: rows of W^T are [1,-1], [2,0], [3,2] */
    check_matrix(dA, (double[]){2, -1, 2, 4, 1, 12}, "dA");

    /* dA = NULL skips it; the others are still computed */
    mat_fill(dW, 0);
    CHECK(linear_backward(dW, db, NULL, dZ, A, W) == IL_OK);
    CHECK(dW->data[5] == 10);

    /* shapes: W's columns must equal A's rows, b must be n_out x 1, outputs must fit */
    Matrix *A_bad = matrix_of(2, 2, NULL), *b_row = matrix_of(1, 2, NULL);
    CHECK(linear_forward(Z, W, A_bad, b) == IL_ESHAPE);
    CHECK(linear_forward(Z, W, A, b_row) == IL_ESHAPE);
    CHECK(linear_forward(dW, W, A, b) == IL_ESHAPE);
    CHECK(linear_backward(dW, db, dA, dZ, A_bad, W) == IL_ESHAPE);
    CHECK(linear_backward(dW, db, Z, dZ, A, W) == IL_ESHAPE);
    CHECK(linear_backward(dW, b_row, dA, dZ, A, W) == IL_ESHAPE);

    /* aliasing: a product cannot overwrite its operand, and nothing is written when refused */
    Matrix *sq = matrix_of(2, 2, (double[]){1, 2, 3, 4});
    Matrix *W_sq = matrix_of(2, 2, (double[]){1, 0, 0, 1});
    CHECK(linear_forward(sq, W_sq, sq, b) == IL_EVALUE);
    CHECK(sq->data[1] == 2);
    Matrix *dW_sq = matrix_of(2, 2, NULL);
    CHECK(linear_backward(dW_sq, db, sq, sq, sq, W_sq) == IL_EVALUE);
    CHECK(linear_backward(dW_sq, db, dW_sq, sq, sq, W_sq) == IL_EVALUE);

    Matrix *all[] = {W, A, b, Z, dZ, dW, db, dA, A_bad, b_row, sq, W_sq, dW_sq};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

/* np.sum(dZ, axis=1, keepdims=True) sums each row pairwise: db must agree with it bit for bit. */
static void test_linear_backward_db_matches_numpy(void)
{
    Matrix *dZ = matrix_of(3, 300, NULL), *A = matrix_of(1, 300, NULL), *W = matrix_of(3, 1, NULL);
    Matrix *dW = matrix_of(3, 1, NULL), *db = matrix_of(3, 1, NULL);
    for (size_t k = 0; k < 900; k++) dZ->data[k] = ((double)((k * 7919) % 1000) - 500.0) / 333.0;
    CHECK(linear_backward(dW, db, NULL, dZ, A, W) == IL_OK);
    /* numpy 1.24: k = np.arange(900.); dz = (((k * 7919) % 1000 - 500) / 333.0).reshape(3, 300);
     * np.sum(dz, axis=1, keepdims=True) (a sequential loop would give ...d70p-2, ...d5bp-2, ...6b8p+1) */
    const double want[] = {0x1.cd42e2049cd3cp-2, 0x1.cd42e2049cd50p-2, -0x1.46ba0ac3446bbp+1};
    for (int i = 0; i < 3; i++) CHECK_CLOSE(db->data[i], want[i], 0); /* bit for bit */
    mat_free(dZ), mat_free(A), mat_free(W), mat_free(dW), mat_free(db);
}

static void test_activations(void)
{
    const double z[] = {-2, -0.5, 0, 0.5, 3, NAN};
    Matrix *Z = matrix_of(2, 3, z), *out = matrix_of(2, 3, NULL), *dA = matrix_of(2, 3, NULL);
    Matrix *dZ = matrix_of(2, 3, NULL);
    for (int k = 0; k < 6; k++) dA->data[k] = 10.0 + k;

    CHECK(relu_forward(out, Z) == IL_OK);
    check_matrix(out, (double[]){0, 0, 0, 0.5, 3, NAN}, "relu"); /* NaN propagates as np.maximum(0, x) */
    CHECK(relu_backward(dZ, dA, Z) == IL_OK);
    check_matrix(dZ, (double[]){0, 0, 0, 13, 14, 0}, "relu_backward"); /* gradient 0 at z = 0 */
    dA->data[0] = INFINITY; /* a multiplication by the mask, as numpy's: inf * 0 is NaN */
    relu_backward(dZ, dA, Z);
    CHECK(isnan(dZ->data[0]));
    dA->data[0] = 10.0;

    CHECK(leaky_relu_forward(out, Z, 0.1) == IL_OK);
    check_matrix(out, (double[]){-0.2, -0.05, 0, 0.5, 3, NAN}, "leaky_relu");
    CHECK(leaky_relu_backward(dZ, dA, Z, 0.1) == IL_OK);
    check_matrix(dZ, (double[]){1.0, 11 * 0.1, 12 * 0.1, 13, 14, 15 * 0.1}, "leaky_relu_backward");

    CHECK(sigmoid_forward(out, Z) == IL_OK);
    CHECK_CLOSE(out->data[0], 1.0 / (1.0 + exp(2.0)), 1e-15);
    CHECK(out->data[2] == 0.5);
    /* the unstabilised formula reaches exactly 0 and 1: the lesson's inf cost depends on it */
    Matrix *big = matrix_of(1, 3, (double[]){-800, 40, INFINITY}), *s = matrix_of(1, 3, NULL);
    sigmoid_forward(s, big);
    CHECK(s->data[0] == 0.0 && s->data[1] == 1.0 && s->data[2] == 1.0);
    CHECK(sigmoid_backward(dZ, dA, out) == IL_OK);
    CHECK(dZ->data[2] == 12 * 0.5 * 0.5);

    CHECK(tanh_forward(out, Z) == IL_OK);
    CHECK_CLOSE(out->data[4], tanh(3.0), 1e-15);
    CHECK(tanh_backward(dZ, dA, out) == IL_OK);
    CHECK_CLOSE(dZ->data[3], 13 * (1 - tanh(0.5) * tanh(0.5)), 1e-15);

    /* in place: out may be the input */
    Matrix *inplace = matrix_of(2, 3, z);
    CHECK(relu_forward(inplace, inplace) == IL_OK && inplace->data[0] == 0 && inplace->data[4] == 3);

    /* shapes */
    Matrix *wrong = matrix_of(3, 2, NULL);
    CHECK(relu_forward(wrong, Z) == IL_ESHAPE);
    CHECK(relu_backward(dZ, wrong, Z) == IL_ESHAPE);
    CHECK(leaky_relu_backward(dZ, dA, wrong, 0.1) == IL_ESHAPE);
    CHECK(sigmoid_backward(wrong, dA, Z) == IL_ESHAPE);
    CHECK(tanh_backward(dZ, dA, wrong) == IL_ESHAPE);

    Matrix *all[] = {Z, out, dA, dZ, big, s, inplace, wrong};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

static void test_softmax(void)
{
    /* column 1: logits (0, ln 3) -> (1/4, 3/4); column 2: huge equal logits -> (1/2, 1/2), no overflow */
    Matrix *Z = matrix_of(2, 2, (double[]){0, 1000, log(3.0), 1000}), *Y = matrix_of(2, 2, NULL);
    CHECK(softmax_forward(Y, Z) == IL_OK);
    check_matrix(Y, (double[]){0.25, 0.5, 0.75, 0.5}, "softmax");

    /* dZ = Y * (dA - colsum(dA * Y)); column 1 with dA = (1, 0): dot = 1/4, dZ = (3/16, -3/16) */
    Matrix *dA = matrix_of(2, 2, (double[]){1, 2, 0, 2}), *dZ = matrix_of(2, 2, NULL);
    CHECK(softmax_backward(dZ, dA, Y) == IL_OK);
    check_matrix(dZ, (double[]){0.1875, 0, -0.1875, 0}, "softmax_backward"); /* a constant dA gives 0 */
    CHECK(softmax_backward(dA, dA, Y) == IL_OK);
    check_matrix(dA, (double[]){0.1875, 0, -0.1875, 0}, "softmax_backward in place");

    Matrix *wrong = matrix_of(2, 3, NULL);
    CHECK(softmax_forward(wrong, Z) == IL_ESHAPE);
    CHECK(softmax_backward(dZ, wrong, Y) == IL_ESHAPE);
    mat_free(Z), mat_free(Y), mat_free(dA), mat_free(dZ), mat_free(wrong);
}

static void test_bce(void)
{
    double cost = -1;
    /* hand-checked: m = 2, -log(0.5) - log(1 - 0.25) */
    Matrix *A = matrix_of(1, 2, (double[]){0.5, 0.25}), *Y = matrix_of(1, 2, (double[]){1, 0});
    CHECK(bce_loss(&cost, A, Y) == IL_OK);
    CHECK_CLOSE(cost, 0.5 * (-log(0.5) + -log(0.75)), 1e-15);

    /* nansum: a = 0 with y = 0 gives the term -log(0)*0 + -log(1)*1 = NaN (0 * inf), skipped */
    A->data[0] = 0.0, Y->data[0] = 0.0;
    CHECK(bce_loss(&cost, A, Y) == IL_OK);
    CHECK_CLOSE(cost, 0.5 * -log(0.75), 1e-15);
    /* a = 1 with y = 1 likewise (-log(0) * 0 in the second term) */
    A->data[0] = 1.0, Y->data[0] = 1.0;
    bce_loss(&cost, A, Y);
    CHECK_CLOSE(cost, 0.5 * -log(0.75), 1e-15);
    /* a = 0 with y = 1: -log(0) * 1 = inf, and the cost is inf */
    A->data[0] = 0.0;
    bce_loss(&cost, A, Y);
    CHECK(cost == INFINITY);

    /* gradient (1/m) * (-(y/a) + (1-y)/(1-a)) */
    Matrix *dA = matrix_of(1, 2, NULL);
    A->data[0] = 0.5;
    CHECK(bce_backward(dA, A, Y) == IL_OK);
    check_matrix(dA, (double[]){0.5 * -2.0, 0.5 * (1 / 0.75)}, "bce_backward");

    /* the lesson's shortcut dZ = 1./m * (A - Y) */
    CHECK(sigmoid_bce_backward(dA, A, Y) == IL_OK);
    check_matrix(dA, (double[]){0.5 * (0.5 - 1), 0.5 * 0.25}, "sigmoid_bce_backward");

    Matrix *wrong = matrix_of(1, 3, NULL), *empty = matrix_of(1, 0, NULL);
    CHECK(bce_loss(&cost, A, wrong) == IL_ESHAPE);
    CHECK(bce_backward(wrong, A, Y) == IL_ESHAPE);
    CHECK(sigmoid_bce_backward(dA, wrong, Y) == IL_ESHAPE);
    CHECK(bce_loss(&cost, empty, empty) == IL_EEMPTY);
    mat_free(A), mat_free(Y), mat_free(dA), mat_free(wrong), mat_free(empty);
}

/* The lesson's cost must agree with numpy's 1./m * np.nansum(logprobs), pairwise order and all. */
static void test_bce_matches_numpy(void)
{
    Matrix *A = matrix_of(1, 300, NULL), *Y = matrix_of(1, 300, NULL);
    for (size_t k = 0; k < 300; k++) {
        A->data[k] = ((double)k + 0.5) / 300.0;
        Y->data[k] = k % 3 == 0 ? 1.0 : 0.0;
    }
    double cost;
    CHECK(bce_loss(&cost, A, Y) == IL_OK);
    /* numpy 1.24: k = np.arange(300.); a = ((k + 0.5) / 300.0).reshape(1, 300);
     * y = (np.arange(300) % 3 == 0).astype(float).reshape(1, 300);
     * 1./300 * np.nansum(np.multiply(-np.log(a), y) + np.multiply(-np.log(1 - a), 1 - y))
     * (a sequential sum would give 0x1.03af8f17725ebp+0) */
    CHECK_CLOSE(cost, 0x1.03af8f17725eep+0, 0); /* bit for bit */
    mat_free(A), mat_free(Y);
}

static void test_other_losses(void)
{
    double cost = -1;
    /* bce from logits: finite where sigmoid-then-log is not */
    Matrix *Z = matrix_of(1, 4, (double[]){1000, -1000, 0, 2}), *Y = matrix_of(1, 4, (double[]){0, 1, 1, 1});
    CHECK(bce_logits_loss(&cost, Z, Y) == IL_OK);
    double want = (1000 + 1000 + log(2.0) + log1p(exp(-2.0))) / 4;
    CHECK_CLOSE(cost, want, 1e-15);
    Matrix *dZ = matrix_of(1, 4, NULL);
    CHECK(bce_logits_backward(dZ, Z, Y) == IL_OK);
    check_matrix(dZ, (double[]){0.25, -0.25, -0.125, (1 / (1 + exp(-2.0)) - 1) / 4}, "bce_logits_backward");

    /* mse: mean over every element */
    Matrix *A = matrix_of(2, 2, (double[]){1, 2, 3, 4}), *T = matrix_of(2, 2, (double[]){1, 0, 3, 1});
    CHECK(mse_loss(&cost, A, T) == IL_OK);
    CHECK(cost == (4.0 + 9.0) / 4);
    Matrix *dA = matrix_of(2, 2, NULL);
    CHECK(mse_backward(dA, A, T) == IL_OK);
    check_matrix(dA, (double[]){0, 1, 0, 1.5}, "mse_backward");

    /* softmax cross-entropy: logits (0, 0) and target class 1 cost log 2; huge logits stay finite */
    Matrix *L = matrix_of(2, 2, (double[]){0, 1000, 0, 0}), *C = matrix_of(2, 2, (double[]){1, 1, 0, 0});
    CHECK(softmax_ce_loss(&cost, L, C) == IL_OK);
    CHECK_CLOSE(cost, log(2.0) / 2, 1e-15);
    Matrix *dL = matrix_of(2, 2, NULL);
    CHECK(softmax_ce_backward(dL, L, C) == IL_OK);
    check_matrix(dL, (double[]){-0.25, 0, 0.25, 0}, "softmax_ce_backward");
    /* a masked class (logit -inf, target 0) contributes nothing rather than NaN */
    L->data[2] = -INFINITY;
    softmax_ce_loss(&cost, L, C);
    CHECK(cost == 0.0);

    Matrix *wrong = matrix_of(2, 3, NULL), *empty = matrix_of(2, 0, NULL);
    CHECK(bce_logits_loss(&cost, Z, A) == IL_ESHAPE);
    CHECK(mse_loss(&cost, A, wrong) == IL_ESHAPE);
    CHECK(mse_backward(wrong, A, T) == IL_ESHAPE);
    CHECK(softmax_ce_loss(&cost, L, wrong) == IL_ESHAPE);
    CHECK(softmax_ce_backward(dL, wrong, wrong) == IL_ESHAPE);
    CHECK(mse_loss(&cost, empty, empty) == IL_EEMPTY);
    CHECK(softmax_ce_loss(&cost, empty, empty) == IL_EEMPTY);

    Matrix *all[] = {Z, Y, dZ, A, T, dA, L, C, dL, wrong, empty};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

int main(void)
{
    test_linear();
    test_linear_backward_db_matches_numpy();
    test_activations();
    test_softmax();
    test_bce();
    test_bce_matches_numpy();
    test_other_losses();
    return check_report("test_layers");
}
