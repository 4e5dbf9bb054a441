/* cpu.h: which vector instruction set the hand-written kernels (gemm.c, fast_exp.c) run with.
 *
 * The kernels are compiled for every level below and one is picked at run time, so a single build runs
 * on any x86-64 CPU (and the portable C kernels on any other). The environment variable INITLAB_ISA
 * (portable, avx2 or avx512) lowers the level, to test or benchmark the fallbacks on a fast machine;
 * it never raises it above what the CPU supports. The simple elementwise loops are vectorised by the
 * compiler instead, through IL_VECTORIZED (target clones, dispatched by the loader). */
#ifndef INITLAB_CPU_H
#define INITLAB_CPU_H

typedef enum il_isa {
    IL_ISA_PORTABLE = 0, /* plain C, any CPU */
    IL_ISA_AVX2 = 1,     /* AVX2 and FMA: 4 doubles per register */
    IL_ISA_AVX512 = 2,   /* AVX-512F: 8 doubles per register */
} il_isa;

/* The best level this CPU supports (lowered by INITLAB_ISA); computed once. */
il_isa il_cpu_isa(void);
/* Whether this CPU can run kernels of level `isa`. */
int il_cpu_supports(il_isa isa);
/* "portable", "avx2" or "avx512". */
const char *il_isa_name(il_isa isa);

/* Clones of a simple loop for AVX-512, AVX2 and baseline x86-64, the best one chosen when the program
 * loads. Only where the compiler can vectorise the loop exactly (no reassociation: the result is the
 * same in every clone). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define IL_VECTORIZED __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define IL_VECTORIZED
#endif

#endif
