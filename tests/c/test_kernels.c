/* test_kernels.c: the fast kernels against their references.
 *   gemm: every layout, tail sizes and epilogue (alpha, beta, bias) on every instruction-set level this
 *         CPU has, against the naive loop (1e-12) and against each other (the same bits); a layer's
 *         product with its ReLU in one pass against the two passes (tests.cmake runs this file again
 *         with INITLAB_ISA=portable, for the other path);
 *   fast_exp / fast_sigmoid: within 1 ulp of the C library's exp, exact special values, the same bits
 *         on every level;
 *   elementwise: numpy's pairwise order, and the layer formulas on blocks;
 *   blas: OpenBLAS opened by the first product large enough for it, not before. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas.h"
#include "check.h"
#include "cpu.h"
#include "elementwise.h"
#include "fast_exp.h"
#include "gemm.h"

static const il_isa all_isas[] = {IL_ISA_PORTABLE, IL_ISA_AVX2, IL_ISA_AVX512};

/* A deterministic fill with values of both signs and a spread of magnitudes. */
static void fill(Matrix *m, unsigned seed)
{
    uint64_t s = seed * 2654435761u + 1;
    for (size_t k = 0; k < mat_numel(m); k++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        m->data[k] = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 4.0;
    }
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ---- gemm ---- */

static void check_gemm_case(size_t M, size_t N, size_t K, int ta, int tb, double alpha, double beta, int with_bias)
{
    Matrix *A = ta ? mat_new(K, M) : mat_new(M, K), *B = tb ? mat_new(N, K) : mat_new(K, N);
    Matrix *C0 = mat_new(M, N), *R = mat_new(M, N), *C = mat_new(M, N), *bias = mat_new(M, 1);
    fill(A, (unsigned)(M * 7 + K)), fill(B, (unsigned)(N * 3 + K)), fill(C0, 5), fill(bias, 9);
    /* the reference: the naive loop, then the bias */
    mat_copy(R, C0);
    CHECK(mat_gemm_reference(R, A, ta, B, tb, alpha, beta) == IL_OK);
    if (with_bias)
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) MAT_AT(R, i, j) += bias->data[i];
    Matrix *first = NULL;
    for (size_t v = 0; v < sizeof all_isas / sizeof all_isas[0]; v++) {
        if (!il_cpu_supports(all_isas[v])) {
            CHECK(mat_gemm_isa(all_isas[v], C, A, ta, B, tb, alpha, beta, NULL) == IL_EVALUE);
            continue;
        }
        mat_copy(C, C0);
        CHECK(mat_gemm_isa(all_isas[v], C, A, ta, B, tb, alpha, beta, with_bias ? bias : NULL) == IL_OK);
        int close = 1, identical = 1;
        for (size_t k = 0; k < M * N; k++) {
            double scale = fabs(R->data[k]) > 1.0 ? fabs(R->data[k]) : 1.0;
            if (!(fabs(C->data[k] - R->data[k]) <= 1e-12 * scale * (double)(K + 1))) close = 0;
            if (first && !same_bits(C->data[k], first->data[k])) identical = 0;
        }
        if (!close || !identical)
            fprintf(stderr, "gemm %s M=%zu N=%zu K=%zu ta=%d tb=%d alpha=%g beta=%g bias=%d: %s\n",
                    il_isa_name(all_isas[v]), M, N, K, ta, tb, alpha, beta, with_bias,
                    !close ? "differs from the naive loop" : "differs from the portable kernels");
        CHECK(close);
        CHECK(identical);
        if (!first) {
            first = mat_new(M, N);
            mat_copy(first, C);
        }
    }
    /* the public entry point agrees with the naive loop too (and may take the CBLAS path) */
    mat_copy(C, C0);
    CHECK(mat_gemm_bias(C, A, ta, B, tb, alpha, beta, with_bias ? bias : NULL) == IL_OK);
    for (size_t k = 0; k < M * N; k++) CHECK_CLOSE(C->data[k], R->data[k], 1e-12 * (double)(K + 1));
    mat_free(A), mat_free(B), mat_free(C0), mat_free(R), mat_free(C), mat_free(bias), mat_free(first);
}

static void test_gemm_layouts_and_tails(void)
{
    /* every row count of the register blocks (1..9, 17); every column tail past 0 and 8 columns and some
     * past 16 and 32 (a row ends in one plain vector of four, a masked one, both or neither); k tails */
    const size_t Ms[] = {1, 2, 3, 4, 5, 7, 8, 9, 10, 17};
    const size_t Ns[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 16, 17, 33};
    const size_t Ks[] = {1, 2, 3, 5, 7, 8, 9, 10, 12, 13, 17, 300};
    for (size_t a = 0; a < sizeof Ms / sizeof *Ms; a++)
        for (size_t b = 0; b < sizeof Ns / sizeof *Ns; b++)
            for (size_t c = 0; c < sizeof Ks / sizeof *Ks; c++)
                for (int layout = 0; layout < 4; layout++)
                    check_gemm_case(Ms[a], Ns[b], Ks[c], layout & 1, layout >> 1, 1.0, 0.0, (a + b) % 2);
    /* the general epilogue */
    for (int layout = 0; layout < 4; layout++) {
        check_gemm_case(9, 17, 5, layout & 1, layout >> 1, 0.5, 1.0, 0);
        check_gemm_case(5, 19, 11, layout & 1, layout >> 1, -2.0, 0.25, 1);
        check_gemm_case(4, 3, 300, layout & 1, layout >> 1, 1.0, 1.0, 1);
    }
    /* the lesson's shapes and a medium one */
    check_gemm_case(10, 300, 2, 0, 0, 1.0, 0.0, 1);
    check_gemm_case(5, 10, 300, 0, 1, 1.0, 0.0, 0);
    check_gemm_case(10, 300, 5, 1, 0, 1.0, 0.0, 0);
    check_gemm_case(50, 300, 50, 0, 0, 1.0, 0.0, 1);
    /* a small K over many rows (AVX2: the row-by-row path, whatever op(A)'s size) */
    check_gemm_case(60, 37, 5, 0, 0, 1.0, 0.0, 1);
    check_gemm_case(60, 37, 5, 1, 0, 1.0, 0.0, 0);
    /* past IL_GEMM_CBLAS_MIN_WORK_GENERIC: mat_gemm_bias hands it to CBLAS, and adds the bias itself */
    check_gemm_case(330, 331, 332, 0, 1, 1.0, 0.0, 1);
    check_gemm_case(330, 331, 332, 1, 0, 0.5, 2.0, 0);
}

/* Special values where the ReLU and its mask decide something: -0, 0, NaN, inf; 1 in 7 entries. */
static void sprinkle_specials(Matrix *m, unsigned seed)
{
    const double specials[] = {-0.0, 0.0, NAN, INFINITY, -INFINITY};
    for (size_t k = seed % 7; k < mat_numel(m); k += 7) m->data[k] = specials[(k / 7 + seed) % 5];
}

/* A layer's product with its ReLU in one pass (mat_gemm_bias_relu, mat_gemm_tn_relu_mask) gives the bits of
 * the product and then the elementwise kernel, in place or not, on every shape (row by row for K <= 12, row
 * panels with op(A) widened or not above, column tails). */
static void check_gemm_relu_case(size_t M, size_t N, size_t K)
{
    Matrix *W = mat_new(M, K), *X = mat_new(K, N), *b = mat_new(M, 1), *Wt = mat_new(K, M);
    Matrix *Z = mat_new(M, N), *A = mat_new(M, N), *Zr = mat_new(M, N), *Ar = mat_new(M, N);
    Matrix *dA = mat_new(M, N), *dZ = mat_new(M, N), *dAr = mat_new(M, N), *dZr = mat_new(M, N), *Zp = mat_new(M, N);
    fill(W, 1), fill(X, 2), fill(b, 3), fill(Wt, 4), fill(Zp, 5);
    sprinkle_specials(X, (unsigned)(M + N + K)), sprinkle_specials(Zp, (unsigned)(M * N));
    CHECK(mat_gemm_bias(Zr, W, 0, X, 0, 1.0, 0.0, b) == IL_OK);
    ew_relu(ew_all(M * N), Ar->data, Zr->data);
    CHECK(mat_gemm_bias_relu(Z, A, W, X, b) == IL_OK);
    int identical = 1;
    for (size_t k = 0; k < M * N; k++) identical &= same_bits(Z->data[k], Zr->data[k]) && same_bits(A->data[k], Ar->data[k]);
    CHECK(mat_gemm_bias_relu(Z, Z, W, X, b) == IL_OK); /* in place: Z ends as relu(Z) */
    for (size_t k = 0; k < M * N; k++) identical &= same_bits(Z->data[k], Ar->data[k]);
    /* backward: dA = Wt^T X, dZ = dA * (Zp > 0) */
    CHECK(mat_gemm(dAr, Wt, 1, X, 0, 1.0, 0.0) == IL_OK);
    ew_relu_backward(ew_all(M * N), dZr->data, dAr->data, Zp->data);
    CHECK(mat_gemm_tn_relu_mask(dA, dZ, Wt, X, Zp) == IL_OK);
    for (size_t k = 0; k < M * N; k++) identical &= same_bits(dA->data[k], dAr->data[k]) && same_bits(dZ->data[k], dZr->data[k]);
    CHECK(mat_gemm_tn_relu_mask(dA, dA, Wt, X, Zp) == IL_OK); /* in place: dA ends as dZ */
    for (size_t k = 0; k < M * N; k++) identical &= same_bits(dA->data[k], dZr->data[k]);
    if (!identical) fprintf(stderr, "gemm with relu: %zu x %zu x %zu differs from the two-pass result\n", M, N, K);
    CHECK(identical);
    Matrix *all[] = {W, X, b, Wt, Z, A, Zr, Ar, dA, dZ, dAr, dZr, Zp};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

static void test_gemm_with_relu(void)
{
    const size_t Ms[] = {1, 2, 5, 6, 7, 10, 13}, Ns[] = {1, 3, 4, 8, 13, 14, 300}, Ks[] = {1, 2, 5, 10, 13, 40};
    for (size_t i = 0; i < sizeof Ms / sizeof *Ms; i++)
        for (size_t j = 0; j < sizeof Ns / sizeof *Ns; j++)
            for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++) check_gemm_relu_case(Ms[i], Ns[j], Ks[k]);
    /* refused before anything is written */
    Matrix *W = mat_new(3, 2), *X = mat_new(2, 4), *b = mat_new(3, 1), *Z = mat_new(3, 4), *A = mat_new(3, 5);
    CHECK(mat_gemm_bias_relu(Z, A, W, X, b) == IL_ESHAPE);    /* A_out is not Z's shape */
    CHECK(mat_gemm_bias_relu(Z, Z, W, X, NULL) == IL_EVALUE); /* a layer has a bias */
    Matrix *Wt = mat_new(2, 3), *dZn = mat_new(2, 4), *dA = mat_new(3, 4);
    CHECK(mat_gemm_tn_relu_mask(dA, Z, Wt, dZn, dA) == IL_EVALUE); /* Z read after dA is written */
    CHECK(mat_gemm_tn_relu_mask(dA, Z, Wt, dZn, A) == IL_ESHAPE);
    Matrix *all[] = {W, X, b, Z, A, Wt, dZn, dA};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

/* The pieces of a step split over two threads by examples (gemm.h): the dots form's halves add up to the
 * whole product's bits on every level, and a window of columns of the rows-form products is those columns
 * of the whole call, leaving the others untouched. */
static void check_halves_case(size_t M, size_t N, size_t K)
{
    Matrix *A = mat_new(M, K), *B = mat_new(N, K), *C = mat_new(M, N), *H0 = mat_new(M, N), *H1 = mat_new(M, N);
    Matrix *R = mat_new(M, N);
    fill(A, (unsigned)(M + K)), fill(B, (unsigned)(N * 5 + K));
    CHECK(mat_gemm_nt_half(H0, A, B, 0) == IL_OK && mat_gemm_nt_half(H1, A, B, 1) == IL_OK);
    CHECK(mat_gemm_reference(R, A, 0, B, 1, 1.0, 0.0) == IL_OK);
    for (size_t v = 0; v < sizeof all_isas / sizeof all_isas[0]; v++) {
        if (!il_cpu_supports(all_isas[v])) continue;
        CHECK(mat_gemm_isa(all_isas[v], C, A, 0, B, 1, 1.0, 0.0, NULL) == IL_OK);
        int identical = 1;
        for (size_t k = 0; k < M * N; k++) identical &= same_bits(C->data[k], H0->data[k] + H1->data[k]);
        if (!identical) fprintf(stderr, "gemm halves %s: %zu x %zu x %zu differ from the whole\n", il_isa_name(all_isas[v]), M, N, K);
        CHECK(identical);
    }
    for (size_t k = 0; k < M * N; k++) CHECK_CLOSE(H0->data[k] + H1->data[k], R->data[k], 1e-12 * (double)K);
    Matrix *all[] = {A, B, C, H0, H1, R};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

static void check_window_case(size_t M, size_t N, size_t K, size_t c0, size_t c1)
{
    Matrix *W = mat_new(M, K), *X = mat_new(K, N), *b = mat_new(M, 1), *Wt = mat_new(K, M), *Zp = mat_new(M, N);
    Matrix *Z = mat_new(M, N), *A = mat_new(M, N), *Zw = mat_new(M, N), *Aw = mat_new(M, N);
    fill(W, 1), fill(X, 2), fill(b, 3), fill(Wt, 4), fill(Zp, 5);
    sprinkle_specials(X, (unsigned)(M + N)), sprinkle_specials(Zp, (unsigned)K);
    int same = 1;
    for (int form = 0; form < 3; form++) {
        for (size_t k = 0; k < M * N; k++) Zw->data[k] = Aw->data[k] = 12345.0; /* outside the window: kept */
        if (form == 0) {
            CHECK(mat_gemm_bias_relu(Z, A, W, X, b) == IL_OK);
            CHECK(mat_gemm_bias_relu_cols(Zw, Aw, W, X, b, c0, c1) == IL_OK);
        } else if (form == 1) {
            CHECK(mat_gemm_tn_relu_mask(Z, A, Wt, X, Zp) == IL_OK);
            CHECK(mat_gemm_tn_relu_mask_cols(Zw, Aw, Wt, X, Zp, c0, c1) == IL_OK);
        } else {
            CHECK(mat_gemm_bias(Z, Wt, 1, X, 0, 1.0, 0.0, NULL) == IL_OK);
            CHECK(mat_gemm_bias_cols(Zw, Wt, 1, X, NULL, c0, c1) == IL_OK);
            mat_copy(A, Z), mat_copy(Aw, Zw);
            for (size_t i = 0; i < M; i++)
                for (size_t j = 0; j < N; j++)
                    if (j < c0 || j >= c1) MAT_AT(Aw, i, j) = 12345.0;
        }
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                const int in = j >= c0 && j < c1;
                same &= same_bits(MAT_AT(Zw, i, j), in ? MAT_AT(Z, i, j) : 12345.0);
                same &= same_bits(MAT_AT(Aw, i, j), in ? MAT_AT(A, i, j) : 12345.0);
            }
    }
    if (!same) fprintf(stderr, "gemm window: %zu x %zu x %zu, columns %zu..%zu differ\n", M, N, K, c0, c1);
    CHECK(same);
    CHECK(mat_gemm_bias_relu_cols(Zw, Aw, W, X, b, 3, 2) == IL_ESHAPE);
    CHECK(mat_gemm_bias_relu_cols(Zw, Aw, W, X, b, 0, N + 1) == IL_ESHAPE);
    Matrix *all[] = {W, X, b, Wt, Zp, Z, A, Zw, Aw};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

static void test_gemm_split_pieces(void)
{
    const size_t Ks[] = {129, 136, 137, 300, 301, 1000};
    for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++) {
        check_halves_case(5, 10, Ks[k]);
        check_halves_case(10, 2, Ks[k]);
        check_halves_case(1, 7, Ks[k]);
        check_halves_case(3, 1, Ks[k]);
    }
    Matrix *A = mat_new(2, 128), *B = mat_new(3, 128), *C = mat_new(2, 3);
    CHECK(mat_gemm_nt_half(C, A, B, 0) == IL_EVALUE); /* 128 values are summed whole */
    mat_free(A), mat_free(B), mat_free(C);
    const size_t Ms[] = {1, 5, 10, 13}, Ks2[] = {2, 5, 10, 40};
    for (size_t i = 0; i < sizeof Ms / sizeof *Ms; i++)
        for (size_t k = 0; k < sizeof Ks2 / sizeof *Ks2; k++) {
            check_window_case(Ms[i], 300, Ks2[k], 0, 144);
            check_window_case(Ms[i], 300, Ks2[k], 144, 300);
            check_window_case(Ms[i], 301, Ks2[k], 3, 150);
            check_window_case(Ms[i], 37, Ks2[k], 5, 5);
        }
}

static void test_gemm_blas_semantics(void)
{
    for (size_t v = 0; v < 3; v++) {
        if (!il_cpu_supports(all_isas[v])) continue;
        Matrix *A = mat_new(3, 4), *B = mat_new(4, 5), *C = mat_new(3, 5);
        fill(A, 1), fill(B, 2);
        mat_fill(C, NAN); /* beta = 0 discards NaN in C */
        CHECK(mat_gemm_isa(all_isas[v], C, A, 0, B, 0, 1.0, 0.0, NULL) == IL_OK);
        for (size_t k = 0; k < 15; k++) CHECK(!isnan(C->data[k]));
        A->data[0] = INFINITY; /* alpha = 0 reads neither A nor B: C = beta C */
        mat_fill(C, 2.0);
        CHECK(mat_gemm_isa(all_isas[v], C, A, 0, B, 0, 0.0, 0.5, NULL) == IL_OK);
        for (size_t k = 0; k < 15; k++) CHECK(C->data[k] == 1.0);
        A->data[0] = NAN; /* NaN flows through a product */
        CHECK(mat_gemm_isa(all_isas[v], C, A, 0, B, 0, 1.0, 0.0, NULL) == IL_OK);
        for (size_t j = 0; j < 5; j++) CHECK(isnan(MAT_AT(C, 0, j)) && !isnan(MAT_AT(C, 1, j)));
        Matrix *E = mat_new(3, 0), *F = mat_new(0, 5); /* K = 0: C = beta C + bias */
        Matrix *bias = mat_new(3, 1);
        mat_fill(bias, 1.5);
        mat_fill(C, 4.0);
        CHECK(mat_gemm_isa(all_isas[v], C, E, 0, F, 0, 1.0, 0.5, bias) == IL_OK);
        for (size_t k = 0; k < 15; k++) CHECK(C->data[k] == 3.5);
        CHECK(mat_gemm_isa(all_isas[v], C, A, 0, A, 0, 1.0, 0.0, NULL) == IL_ESHAPE);
        CHECK(mat_gemm_isa(all_isas[v], C, A, 0, B, 0, 1.0, 0.0, C) == IL_ESHAPE); /* bias must be 3 x 1 */
        mat_free(A), mat_free(B), mat_free(C), mat_free(E), mat_free(F), mat_free(bias);
    }
}

/* ---- exp and sigmoid ---- */

static int64_t ulps_apart(double a, double b)
{
    int64_t x, y;
    memcpy(&x, &a, 8);
    memcpy(&y, &b, 8);
    if ((x < 0) != (y < 0)) return a == b ? 0 : INT64_MAX;
    return x > y ? x - y : y - x;
}

static void test_fast_exp_accuracy(void)
{
    enum { N = 200003 };
    static double x[N], y[N], z[N];
    uint64_t s = 12345;
    for (size_t i = 0; i < N; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        double u = (double)(s >> 11) / 9007199254740992.0;
        x[i] = i % 3 == 0 ? (u - 0.5) * 1460.0 /* the whole range */ : (u - 0.5) * 80.0; /* where sigmoid lives */
    }
    int64_t worst = 0;
    fast_exp(y, x, N);
    for (size_t i = 0; i < N; i++) {
        double want = exp(x[i]);
        if (want < 2.2250738585072014e-308) continue; /* subnormal results: checked below */
        int64_t u = ulps_apart(y[i], want);
        if (u > worst) worst = u;
    }
    printf("fast_exp: at most %lld ulp from the C library's exp\n", (long long)worst);
    CHECK(worst <= 1);
    /* every level gives the same bits, the portable one included */
    for (size_t v = 0; v < 3; v++) {
        fast_exp_isa(all_isas[v], z, x, N);
        for (size_t i = 0; i < N; i++) CHECK(same_bits(z[i], y[i]));
        fast_sigmoid_isa(all_isas[v], z, x, 1000);
        double w[1000];
        fast_sigmoid_isa(IL_ISA_PORTABLE, w, x, 1000);
        for (size_t i = 0; i < 1000; i++) CHECK(same_bits(z[i], w[i]));
    }
}

static void test_fast_exp_special_values(void)
{
    const double in[] = {0.0, -0.0, 1.0, -1.0, 709.78, 709.7827128933840, 709.79, 710.0, 1e6, INFINITY,
                         -708.0, -730.0, -745.0, -745.2, -1e6, -INFINITY, NAN, 1e-300, -1e-300};
    const size_t n = sizeof in / sizeof *in;
    for (size_t v = 0; v < 3; v++) {
        double out[32];
        for (size_t len = 1; len <= n; len++) { /* every tail length of the vector loops */
            fast_exp_isa(all_isas[v], out, in, len);
            for (size_t i = 0; i < len; i++) {
                double want = exp(in[i]);
                if (isnan(want)) CHECK(isnan(out[i]));
                else if (isinf(want) || want == 0.0) CHECK(out[i] == want);
                else CHECK(ulps_apart(out[i], want) <= 1);
            }
        }
        CHECK(fast_exp1(0.0) == 1.0);
        double s[5], z[5] = {0.0, -800.0, 40.0, NAN, -INFINITY};
        fast_sigmoid_isa(all_isas[v], s, z, 5);
        CHECK(s[0] == 0.5); /* the zeros model's output, exactly */
        CHECK(s[1] == 0.0); /* the lesson's exact 0 ... */
        CHECK(s[2] == 1.0); /* ... and exact 1, where its cost becomes inf */
        CHECK(isnan(s[3]));
        CHECK(s[4] == 0.0);
    }
}

/* ---- elementwise ---- */

/* numpy's pairwise_sum written out plainly, as the reference for the vectorised one */
static double numpy_pairwise(const double *a, size_t n)
{
    if (n < 8) {
        double r = 0.0;
        for (size_t i = 0; i < n; i++) r += a[i];
        return r;
    }
    if (n <= 128) {
        double r[8];
        size_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return numpy_pairwise(a, n2) + numpy_pairwise(a + n2, n - n2);
}

static void test_pairwise_order(void)
{
    Matrix *m = mat_new(1, 1000);
    fill(m, 77);
    for (size_t k = 0; k < 1000; k += 3) m->data[k] *= 1e8; /* make the order visible in the result */
    for (size_t n = 0; n <= 1000; n += (n < 300 ? 1 : 37))
        CHECK(same_bits(ew_pairwise_sum(m->data, n, 0), numpy_pairwise(m->data, n)));
    /* rows at once (np.sum(a, axis=1)): each row exactly as alone, every row count and length */
    double sums[9];
    for (size_t n = 0; n <= 111; n += (n < 20 ? 1 : 13))
        for (size_t rows = 1; rows <= 9; rows++) {
            ew_pairwise_rows(sums, m->data, rows, n, 111);
            for (size_t i = 0; i < rows; i++) CHECK(same_bits(sums[i], numpy_pairwise(m->data + i * 111, n)));
        }
    ew_pairwise_rows(sums, m->data, 3, 300, 300);
    for (size_t i = 0; i < 3; i++) CHECK(same_bits(sums[i], numpy_pairwise(m->data + i * 300, 300)));
    /* long rows (the pairwise tree's splits), -0 and mixed magnitudes, on every kernel level */
    Matrix *big = mat_new(9, 700);
    fill(big, 78);
    for (size_t k = 0; k < 9 * 700; k += 5) big->data[k] *= 1e9;
    for (size_t k = 1; k < 9 * 700; k += 11) big->data[k] = -0.0;
    static const size_t lengths[] = {7, 8, 9, 127, 128, 129, 143, 144, 145, 255, 256, 257, 300, 301, 511, 600};
    for (size_t t = 0; t < sizeof lengths / sizeof *lengths; t++)
        for (size_t rows = 1; rows <= 9; rows++) {
            ew_pairwise_rows(sums, big->data, rows, lengths[t], 700);
            for (size_t i = 0; i < rows; i++)
                CHECK(same_bits(sums[i], numpy_pairwise(big->data + i * 700, lengths[t])));
        }
    for (size_t k = 0; k < 9 * 700; k++) big->data[k] = -0.0; /* all -0: -0 from 8 or more, +0 below */
    ew_pairwise_rows(sums, big->data, 9, 300, 700);
    for (size_t i = 0; i < 9; i++) CHECK(same_bits(sums[i], -0.0));
    mat_free(big);
    m->data[5] = NAN;
    CHECK(isnan(ew_pairwise_sum(m->data, 300, 0)));
    m->data[5] = 0.0;
    double with_zero = ew_pairwise_sum(m->data, 300, 0);
    m->data[5] = NAN;
    CHECK(same_bits(ew_pairwise_sum(m->data, 300, 1), with_zero)); /* nansum: NaN counts as 0 */
    mat_free(m);
}

static void test_blocks(void)
{
    /* a block of columns 3..9 of 4 x 13 matrices touches those columns only, and in place works */
    double z[52], da[52], out[52], ref[52];
    for (int k = 0; k < 52; k++) z[k] = (k % 5) - 2.0, da[k] = k * 0.5 - 3.0;
    z[7] = NAN, z[8] = -0.0;
    ew_block b = {4, 7, 13};
    for (int k = 0; k < 52; k++) out[k] = 99.0;
    ew_relu(b, out + 3, z + 3);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 13; c++) {
            double x = z[r * 13 + c], got = out[r * 13 + c];
            if (c < 3 || c >= 10) CHECK(got == 99.0);
            else if (isnan(x)) CHECK(isnan(got));
            else CHECK(same_bits(got, x < 0 ? 0.0 : x)); /* -0 stays -0, as nan_max(x, 0) */
        }
    for (int k = 0; k < 52; k++) ref[k] = da[k] * (z[k] > 0 ? 1.0 : 0.0);
    memcpy(out, da, sizeof out);
    ew_relu_backward(ew_all(52), out, out, z); /* in place */
    for (int k = 0; k < 52; k++) CHECK(same_bits(out[k], ref[k]));
    double inf_grad[2] = {INFINITY, 1.0}, off[2] = {-1.0, -1.0}, res[2];
    ew_relu_backward(ew_all(2), res, inf_grad, off);
    CHECK(isnan(res[0]) && res[1] == 0.0); /* a mask multiplication, as numpy: inf * 0 is NaN */
}

/* The lesson's products (and any below IL_GEMM_CBLAS_MIN_WORK) leave OpenBLAS unopened, so its threads never
 * start; the first large one opens it (in a build with CBLAS, unless INITLAB_OPENBLAS names a missing file:
 * tests.cmake runs this file so too) and gives the naive loop's result either way. Runs first. */
static void test_blas_opened_only_when_needed(void)
{
    const char *path = getenv("INITLAB_OPENBLAS");
    int expected = il_blas_built() && (!path || access(path, R_OK) == 0);
    CHECK(!il_blas_loaded());
    Matrix *W = mat_new(10, 2), *X = mat_new(2, 300), *b = mat_new(10, 1), *Z = mat_new(10, 300), *A = mat_new(10, 300);
    fill(W, 1), fill(X, 2), fill(b, 3);
    CHECK(mat_gemm_bias_relu(Z, A, W, X, b) == IL_OK);
    CHECK(mat_gemm(Z, W, 0, X, 0, 1.0, 0.0) == IL_OK);
    CHECK(!il_blas_loaded());
    size_t n = 130; /* n^3 > IL_GEMM_CBLAS_MIN_WORK */
    Matrix *P = mat_new(n, n), *Q = mat_new(n, n), *R = mat_new(n, n), *Rref = mat_new(n, n);
    fill(P, 4), fill(Q, 5);
    CHECK(mat_gemm(R, P, 0, Q, 0, 1.0, 0.0) == IL_OK);
    CHECK(il_blas_loaded() == expected);
    CHECK(il_blas_available() == expected);
    CHECK(mat_gemm_reference(Rref, P, 0, Q, 0, 1.0, 0.0) == IL_OK);
    double worst = 0;
    for (size_t k = 0; k < n * n; k++) worst = fmax(worst, fabs(R->data[k] - Rref->data[k]));
    CHECK(worst <= 1e-12 * n);
    Matrix *all[] = {W, X, b, Z, A, P, Q, R, Rref};
    for (size_t k = 0; k < sizeof all / sizeof *all; k++) mat_free(all[k]);
}

int main(void)
{
    printf("kernels: best level on this CPU: %s\n", il_isa_name(il_cpu_isa()));
    test_blas_opened_only_when_needed();
    test_gemm_layouts_and_tails();
    test_gemm_blas_semantics();
    test_gemm_with_relu();
    test_gemm_split_pieces();
    test_fast_exp_accuracy();
    test_fast_exp_special_values();
    test_pairwise_order();
    test_blocks();
    return check_report("test_kernels");
}
