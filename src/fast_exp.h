/* fast_exp.h: exp and the lesson's sigmoid over arrays, vectorised.
 *
 * The C library's exp is called once per element and dominates a small network's output layer. These
 * compute the same function 8 (AVX-512) or 4 (AVX2) elements at a time, and the portable version does
 * the very same arithmetic one element at a time, so every path gives bit-identical results.
 * Accuracy: within 1 ulp of the exact exp (the tests check it against the C library's exp).
 * Special values follow exp: exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = 0, overflow above
 * 709.78... gives +inf, underflow below -745.13... gives 0, subnormal results are rounded correctly.
 * So sigmoid(x) = 1 / (1 + exp(-x)) keeps the lesson's exact 0 (x < -709.78) and 1 (x > 36.7). */
#ifndef INITLAB_FAST_EXP_H
#define INITLAB_FAST_EXP_H

#include <stddef.h>

#include "cpu.h"

/* out[k] = exp(x[k]); out may be x. */
void fast_exp(double *out, const double *x, size_t n);
/* out[k] = 1 / (1 + exp(-x[k])), the lesson's formula; out may be x. */
void fast_sigmoid(double *out, const double *x, size_t n);

/* exp of one value with the same arithmetic as the arrays. */
double fast_exp1(double x);

/* For tests: fast_exp / fast_sigmoid on the kernels of one level (IL_ISA_PORTABLE always works;
 * a level the CPU lacks falls back to portable). */
void fast_exp_isa(il_isa isa, double *out, const double *x, size_t n);
void fast_sigmoid_isa(il_isa isa, double *out, const double *x, size_t n);

#endif
