/* cpu.c: the instruction-set level of the hand-written kernels, detected once. */
#include "cpu.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int il_cpu_supports(il_isa isa)
{
    switch (isa) {
    case IL_ISA_PORTABLE: return 1;
#if defined(__x86_64__) && defined(__GNUC__)
    case IL_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    /* the AVX-512 kernels use FMA's 256-bit forms too */
    case IL_ISA_AVX512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
    default: return 0;
    }
}

const char *il_isa_name(il_isa isa)
{
    switch (isa) {
    case IL_ISA_AVX2: return "avx2";
    case IL_ISA_AVX512: return "avx512";
    default: return "portable";
    }
}

static il_isa detect(void)
{
    il_isa best = IL_ISA_PORTABLE;
    if (il_cpu_supports(IL_ISA_AVX2)) best = IL_ISA_AVX2;
    if (il_cpu_supports(IL_ISA_AVX512) && best == IL_ISA_AVX2) best = IL_ISA_AVX512;
    const char *want = getenv("INITLAB_ISA");
    if (want) {
        il_isa cap = IL_ISA_AVX512;
        if (strcmp(want, "portable") == 0) cap = IL_ISA_PORTABLE;
        else if (strcmp(want, "avx2") == 0) cap = IL_ISA_AVX2;
        if (cap < best) best = cap;
    }
    return best;
}

il_isa il_cpu_isa(void)
{
    /* -1 until detected; detection is idempotent, so two threads racing here agree */
    static atomic_int level = -1;
    int l = atomic_load_explicit(&level, memory_order_relaxed);
    if (l < 0) {
        l = (int)detect();
        atomic_store_explicit(&level, l, memory_order_relaxed);
    }
    return (il_isa)l;
}
