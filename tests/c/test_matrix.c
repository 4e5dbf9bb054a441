/* test_matrix.c: the core's elementwise kernels, broadcasting, reductions, products and formatting,
 * without Lua. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "format.h"
#include "gemm.h"
#include "matrix.h"

static Matrix *from(size_t r, size_t c, const double *v)
{
    Matrix *m = mat_new(r, c);
    if (r * c != 0) memcpy(m->data, v, r * c * sizeof(double));
    return m;
}

static void test_sizes(void)
{
    CHECK(mat_bytes(2, 3) == sizeof(Matrix) + IL_MATRIX_ALIGN + 6 * sizeof(double));
    for (size_t n = 0; n < 5; n++) { /* the data on a 64-byte boundary, inside the block */
        Matrix *m = mat_new(n, 3);
        CHECK((uintptr_t)m->data % IL_MATRIX_ALIGN == 0);
        CHECK((char *)m->data >= (char *)(m + 1) && (char *)(m->data + 3 * n) <= (char *)m + mat_bytes(n, 3));
        mat_free(m);
    }
    CHECK(mat_bytes(IL_MAX_DIM + 1, 1) == 0);
    CHECK(mat_bytes((size_t)1 << 20, (size_t)1 << 20) == 0); /* 2^40 elements: refused */
    CHECK(mat_new((size_t)1 << 30, (size_t)1 << 30) == NULL);
}

static void test_broadcasting(void)
{
    Matrix *a = from(2, 3, (double[]){1, 2, 3, 4, 5, 6});
    Matrix *col = from(2, 1, (double[]){10, 20});
    Matrix *row = from(1, 3, (double[]){100, 200, 300});
    Matrix *out = mat_new(2, 3);
    CHECK(mat_binop(out, IL_ADD, a, col) == IL_OK);
    CHECK(MAT_AT(out, 0, 2) == 13 && MAT_AT(out, 1, 0) == 24);
    CHECK(mat_binop(out, IL_SUB, row, a) == IL_OK);
    CHECK(MAT_AT(out, 1, 2) == 294 && MAT_AT(out, 0, 0) == 99);
    CHECK(mat_binop(out, IL_MUL, col, row) == IL_OK); /* 2x1 with 1x3 -> 2x3 outer product */
    CHECK(MAT_AT(out, 1, 1) == 4000);
    Matrix *bad = mat_new(3, 2);
    CHECK(mat_binop(out, IL_ADD, a, bad) == IL_ESHAPE);
    CHECK(mat_binop(bad, IL_ADD, a, col) == IL_ESHAPE); /* wrong result shape */
    CHECK(mat_binop(a, IL_ADD, a, row) == IL_OK);        /* in place */
    CHECK(MAT_AT(a, 1, 2) == 306);
    CHECK(mat_binop_scalar(out, IL_DIV, a, 0.0, 0) == IL_OK && isinf(MAT_AT(out, 0, 0)));
    CHECK(mat_binop_scalar(out, IL_SUB, a, 1000.0, 1) == IL_OK && MAT_AT(out, 0, 0) == 1000 - 101);
    CHECK(mat_binop_scalar(out, IL_GT, a, 250.0, 0) == IL_OK && MAT_AT(out, 0, 1) == 0 && MAT_AT(out, 0, 2) == 1);
    mat_free(a), mat_free(col), mat_free(row), mat_free(out), mat_free(bad);
}

static void test_nan_and_inf(void)
{
    Matrix *a = from(1, 4, (double[]){NAN, -1, INFINITY, 2});
    Matrix *out = mat_new(1, 4);
    CHECK(mat_unop(out, IL_RELU, a) == IL_OK);
    CHECK(isnan(out->data[0]) && out->data[1] == 0 && isinf(out->data[2]) && out->data[3] == 2);
    CHECK(mat_unop(out, IL_LOG, a) == IL_OK && isnan(out->data[1]));
    Matrix *one = mat_new(1, 1);
    CHECK(mat_reduce(one, IL_MAX, a, 0) == IL_OK && isnan(one->data[0])); /* NaN wins, as in numpy */
    CHECK(mat_reduce(one, IL_NANSUM, a, 0) == IL_OK && isinf(one->data[0]));
    a->data[0] = 5;
    CHECK(mat_reduce(one, IL_ARGMAX, a, 0) == IL_OK && one->data[0] == 3);
    mat_free(a), mat_free(out), mat_free(one);
}

static void test_reductions(void)
{
    Matrix *a = from(2, 3, (double[]){1, 2, 3, 4, 5, 6});
    Matrix *r = mat_new(2, 1), *c = mat_new(1, 3), *one = mat_new(1, 1);
    CHECK(mat_reduce(r, IL_SUM, a, 2) == IL_OK && r->data[0] == 6 && r->data[1] == 15);
    CHECK(mat_reduce(c, IL_MEAN, a, 1) == IL_OK && c->data[2] == 4.5);
    CHECK(mat_reduce(c, IL_ARGMIN, a, 1) == IL_OK && c->data[0] == 1);
    CHECK(mat_reduce(one, IL_SUM, a, 0) == IL_OK && one->data[0] == 21);
    CHECK(mat_reduce(c, IL_SUM, a, 2) == IL_ESHAPE);
    Matrix *empty = mat_new(0, 3);
    CHECK(mat_reduce(one, IL_MAX, empty, 0) == IL_EEMPTY);
    CHECK(mat_reduce(one, IL_SUM, empty, 0) == IL_OK && one->data[0] == 0);
    /* numpy's pairwise order: 1e16 + 1 + 1 ... differs from a left-to-right sum */
    Matrix *big = mat_new(1, 300);
    for (size_t k = 0; k < 300; k++) big->data[k] = k % 7 == 0 ? 1e16 : 1.0;
    double seq = 0;
    for (size_t k = 0; k < 300; k++) seq += big->data[k];
    CHECK(mat_reduce(one, IL_SUM, big, 0) == IL_OK);
    CHECK(one->data[0] != seq); /* the pairwise sum keeps the small terms the sequential sum loses */
    mat_free(a), mat_free(r), mat_free(c), mat_free(one), mat_free(empty), mat_free(big);
}

static void test_gemm_against_reference(void)
{
    /* every layout and size class (small C kernel and the CBLAS path), against the naive loop */
    size_t sizes[][3] = {{1, 1, 1}, {10, 300, 2}, {5, 300, 10}, {1, 300, 5}, {7, 3, 0}, {0, 4, 3}, {70, 80, 90}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                size_t M = sizes[s][0], N = sizes[s][1], K = sizes[s][2];
                Matrix *A = ta ? mat_new(K, M) : mat_new(M, K);
                Matrix *B = tb ? mat_new(N, K) : mat_new(K, N);
                Matrix *C = mat_new(M, N), *R = mat_new(M, N);
                for (size_t k = 0; k < mat_numel(A); k++) A->data[k] = sin((double)k);
                for (size_t k = 0; k < mat_numel(B); k++) B->data[k] = cos((double)k * 0.7);
                for (size_t k = 0; k < mat_numel(C); k++) C->data[k] = R->data[k] = (double)k;
                CHECK(mat_gemm(C, A, ta, B, tb, 0.5, 1.0) == IL_OK);
                CHECK(mat_gemm_reference(R, A, ta, B, tb, 0.5, 1.0) == IL_OK);
                for (size_t k = 0; k < mat_numel(C); k++) CHECK_CLOSE(C->data[k], R->data[k], 1e-12);
                mat_fill(C, NAN); /* beta = 0 discards NaN in C */
                CHECK(mat_gemm(C, A, ta, B, tb, 1.0, 0.0) == IL_OK);
                for (size_t k = 0; k < mat_numel(C); k++) CHECK(!isnan(C->data[k]));
                mat_free(A), mat_free(B), mat_free(C), mat_free(R);
            }
    Matrix *A = mat_new(2, 3), *B = mat_new(2, 3), *C = mat_new(2, 3);
    CHECK(mat_gemm(C, A, 0, B, 0, 1, 0) == IL_ESHAPE);
    CHECK(mat_gemm(C, A, 0, B, 1, 1, 0) == IL_ESHAPE); /* result 2x2 expected */
    mat_free(A), mat_free(B), mat_free(C);
}

static void expect_format(size_t r, size_t c, const double *v, const char *want)
{
    Matrix *m = from(r, c, v);
    char buf[4096];
    size_t n = mat_format(buf, sizeof buf, m);
    if (strcmp(buf, want) != 0 || n != strlen(want)) {
        fprintf(stderr, "format: got\n%s\nexpected\n%s\n", buf, want);
        check_failures++;
    }
    mat_free(m);
}

static void test_format_like_numpy(void)
{
    /* expected strings are numpy 1.24's str() of the same arrays */
    expect_format(4, 2, (double[]){1.78862847, 0.43650985, 0.09649747, -1.8634927, -0.2773882, -0.35475898,
                                   -0.08274148, -0.62700068},
                  "[[ 1.78862847  0.43650985]\n [ 0.09649747 -1.8634927 ]\n [-0.2773882  -0.35475898]\n"
                  " [-0.08274148 -0.62700068]]");
    expect_format(2, 3, (double[]){0, 0, 0, 0, 0, 0}, "[[0. 0. 0.]\n [0. 0. 0.]]");
    expect_format(1, 3, (double[]){1e-5, 1, 100}, "[[1.e-05 1.e+00 1.e+02]]");
    expect_format(1, 3, (double[]){NAN, -INFINITY, 1.5}, "[[ nan -inf  1.5]]");
    expect_format(1, 1, (double[]){0.5}, "[[0.5]]");
    expect_format(0, 0, NULL, "[]");
}

int main(void)
{
    test_sizes();
    test_broadcasting();
    test_nan_and_inf();
    test_reductions();
    test_gemm_against_reference();
    test_format_like_numpy();
    return check_report("test_matrix");
}
