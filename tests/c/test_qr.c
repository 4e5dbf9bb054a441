/* test_qr.c: the reduced Householder QR on random tall, wide, square and rank-deficient matrices.
 * For each: Q^T Q = I, R exactly zero below its diagonal, Q R = A, all to 1e-12 (relative to the
 * largest |A_ij| for the scaled cases), plus the refusals and the aliasing qr.h allows. */
#include <stdlib.h>

#include "check.h"
#include "qr.h"
#include "random.h"

/* max |Q^T Q - I| over the k x k product. */
static double orthonormality_error(const Matrix *Q)
{
    double worst = 0.0;
    for (size_t a = 0; a < Q->cols; a++)
        for (size_t b = 0; b < Q->cols; b++) {
            double dot = 0.0;
            for (size_t i = 0; i < Q->rows; i++) dot += MAT_AT(Q, i, a) * MAT_AT(Q, i, b);
            worst = fmax(worst, fabs(dot - (a == b ? 1.0 : 0.0)));
        }
    return worst;
}

/* max |(Q R)_ij - A_ij| / max(1, max |A|). */
static double reconstruction_error(const Matrix *Q, const Matrix *R, const Matrix *A)
{
    double amax = 1.0, worst = 0.0;
    for (size_t i = 0; i < mat_numel(A); i++) amax = fmax(amax, fabs(A->data[i]));
    for (size_t i = 0; i < A->rows; i++)
        for (size_t j = 0; j < A->cols; j++) {
            double s = 0.0;
            for (size_t p = 0; p < Q->cols; p++) s += MAT_AT(Q, i, p) * MAT_AT(R, p, j);
            worst = fmax(worst, fabs(s - MAT_AT(A, i, j)));
        }
    return worst / amax;
}

static int is_upper_triangular(const Matrix *R)
{
    for (size_t i = 0; i < R->rows; i++)
        for (size_t j = 0; j < i && j < R->cols; j++)
            if (MAT_AT(R, i, j) != 0.0) return 0;
    return 1;
}

/* Factors A and checks the three properties; returns the factor R's smallest |diagonal| for callers
 * that care about rank. */
static double check_qr(const char *label, const Matrix *A)
{
    size_t m = A->rows, n = A->cols, k = m < n ? m : n;
    Matrix *Q = mat_new(m, k), *R = mat_new(k, n);
    double *work = malloc((qr_work_length(m, n) + 1) * sizeof(double));
    CHECK(Q && R && work);
    il_status st = qr_reduced(Q, R, A, work);
    if (st != IL_OK) fprintf(stderr, "%s: qr_reduced returned %d\n", label, (int)st);
    CHECK(st == IL_OK);
    double orth = orthonormality_error(Q), rec = reconstruction_error(Q, R, A);
    if (!(orth <= 1e-12 && rec <= 1e-12))
        fprintf(stderr, "%s (%zux%zu): |Q^T Q - I| = %g, |QR - A| = %g\n", label, m, n, orth, rec);
    CHECK(orth <= 1e-12);
    CHECK(rec <= 1e-12);
    CHECK(is_upper_triangular(R));
    double smallest = INFINITY;
    for (size_t i = 0; i < k; i++) smallest = fmin(smallest, fabs(MAT_AT(R, i, i)));
    free(work);
    mat_free(Q);
    mat_free(R);
    return smallest;
}

static Matrix *random_matrix(Rng *rng, size_t m, size_t n, double scale)
{
    Matrix *A = mat_new(m, n);
    CHECK(A != NULL);
    CHECK(rng_normal(rng, A, 0.0, scale) == IL_OK);
    return A;
}

/* A (m x n) of rank r: the product of random m x r and r x n factors. */
static Matrix *low_rank_matrix(Rng *rng, size_t m, size_t n, size_t r)
{
    Matrix *U = random_matrix(rng, m, r, 1.0), *V = random_matrix(rng, r, n, 1.0), *A = mat_new(m, n);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double s = 0.0;
            for (size_t p = 0; p < r; p++) s += MAT_AT(U, i, p) * MAT_AT(V, p, j);
            MAT_AT(A, i, j) = s;
        }
    mat_free(U);
    mat_free(V);
    return A;
}

static void test_random_shapes(Rng *rng)
{
    static const size_t shapes[][2] = {{50, 20}, {20, 50}, {40, 40}, {1, 1}, {7, 1}, {1, 7}, {2, 3},
                                       {3, 2}, {200, 150}, {150, 200}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        Matrix *A = random_matrix(rng, shapes[s][0], shapes[s][1], 1.0);
        double smallest = check_qr("random", A);
        CHECK(smallest > 1e-6); /* a Gaussian matrix has full rank */
        mat_free(A);
    }
}

static void test_rank_deficient(Rng *rng)
{
    Matrix *tall = low_rank_matrix(rng, 40, 10, 3), *wide = low_rank_matrix(rng, 10, 40, 3);
    Matrix *square = low_rank_matrix(rng, 25, 25, 24);
    CHECK(check_qr("rank 3 tall", tall) < 1e-10);
    CHECK(check_qr("rank 3 wide", wide) < 1e-10);
    CHECK(check_qr("rank 24 square", square) < 1e-10);
    mat_free(tall);
    mat_free(wide);
    mat_free(square);

    /* Exact zeros: a zero matrix, a zero first column, a repeated column, an identity. */
    Matrix *zero = mat_new(6, 4);
    CHECK(check_qr("zero", zero) == 0.0);
    Matrix *A = random_matrix(rng, 6, 4, 1.0);
    for (size_t i = 0; i < 6; i++) MAT_AT(A, i, 0) = 0.0;
    CHECK(check_qr("zero column", A) == 0.0);
    for (size_t i = 0; i < 6; i++) MAT_AT(A, i, 0) = MAT_AT(A, i, 2);
    check_qr("repeated column", A);
    Matrix *I = mat_new(5, 5);
    for (size_t i = 0; i < 5; i++) MAT_AT(I, i, i) = 1.0;
    CHECK(check_qr("identity", I) == 1.0);
    /* Already upper triangular (nothing below the diagonal): R = A, Q = I. */
    Matrix *U = random_matrix(rng, 4, 6, 1.0), *Q = mat_new(4, 4), *R = mat_new(4, 6);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < i; j++) MAT_AT(U, i, j) = 0.0;
    double *work = malloc(qr_work_length(4, 6) * sizeof(double));
    CHECK(qr_reduced(Q, R, U, work) == IL_OK);
    for (size_t i = 0; i < 24; i++) CHECK(R->data[i] == U->data[i]);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) CHECK(MAT_AT(Q, i, j) == (i == j ? 1.0 : 0.0));
    free(work);
    mat_free(zero);
    mat_free(A);
    mat_free(I);
    mat_free(U);
    mat_free(Q);
    mat_free(R);
}

/* Entries near the overflow and underflow limits: the scaled column norm keeps everything finite. */
static void test_extreme_scales(Rng *rng)
{
    Matrix *huge = random_matrix(rng, 30, 12, 1e200), *tiny = random_matrix(rng, 12, 30, 1e-200);
    check_qr("huge", huge);
    check_qr("tiny", tiny);
    mat_free(huge);
    mat_free(tiny);
}

static void test_empty(void)
{
    Matrix *A = mat_new(0, 5), *B = mat_new(5, 0), *Q0 = mat_new(0, 0), *R0 = mat_new(0, 5);
    Matrix *Q1 = mat_new(5, 0), *R1 = mat_new(0, 0);
    double work[8];
    CHECK(qr_work_length(0, 5) <= 8 && qr_work_length(5, 0) <= 8);
    CHECK(qr_reduced(Q0, R0, A, work) == IL_OK);
    CHECK(qr_reduced(Q1, R1, B, work) == IL_OK);
    mat_free(A);
    mat_free(B);
    mat_free(Q0);
    mat_free(R0);
    mat_free(Q1);
    mat_free(R1);
}

static void test_refusals_and_aliasing(Rng *rng)
{
    Matrix *A = random_matrix(rng, 5, 3, 1.0), *Q = mat_new(5, 3), *R = mat_new(3, 3);
    Matrix *wrong = mat_new(3, 5), *copy = mat_new(5, 3), *square = random_matrix(rng, 3, 3, 1.0);
    double *work = malloc(qr_work_length(5, 3) * sizeof(double));
    CHECK(qr_reduced(wrong, R, A, work) == IL_ESHAPE);
    CHECK(qr_reduced(Q, wrong, A, work) == IL_ESHAPE);
    CHECK(qr_reduced(R, R, square, work) == IL_EVALUE); /* Q and R the same matrix */

    /* Q may be A itself: the result equals the one from separate storage. */
    CHECK(mat_copy(copy, A) == IL_OK);
    CHECK(qr_reduced(Q, R, A, work) == IL_OK);
    Matrix *R2 = mat_new(3, 3);
    CHECK(qr_reduced(copy, R2, copy, work) == IL_OK);
    for (size_t i = 0; i < 15; i++) CHECK(copy->data[i] == Q->data[i]);
    for (size_t i = 0; i < 9; i++) CHECK(R2->data[i] == R->data[i]);

    /* Non-finite input is refused before anything is written. */
    for (double bad = INFINITY, n = 0; n < 2; n++, bad = NAN) {
        MAT_AT(A, 2, 1) = bad;
        mat_fill(Q, 7.0);
        CHECK(qr_reduced(Q, R, A, work) == IL_EVALUE);
        CHECK(Q->data[0] == 7.0);
    }
    free(work);
    mat_free(A);
    mat_free(Q);
    mat_free(R);
    mat_free(R2);
    mat_free(wrong);
    mat_free(copy);
    mat_free(square);
}

int main(void)
{
    Rng rng;
    rng_seed(&rng, 20150101u);
    test_random_shapes(&rng);
    test_rank_deficient(&rng);
    test_extreme_scales(&rng);
    test_empty();
    test_refusals_and_aliasing(&rng);
    return check_report("test_qr");
}
