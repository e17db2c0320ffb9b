/* What the kernels share: their clones, one per x86-64 level, of which the
 * loader picks the one the CPU supports, and vector types of one and half a
 * cache line.
 * SKREG_CLONES (AVX2 + FMA and the baseline) serves kernels that gcc
 * vectorises on its own; SKREG_LINE_CLONES adds AVX-512 for those written
 * with whole-line vectors (the cross products, the row-wise X^T r).
 */
#ifndef SKREG_SIMD_H
#define SKREG_SIMD_H

/* target_clones needs the loader's ifunc support: glibc has it, musl does not.
 * Python.h, included first, has already pulled in the C library's headers. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)            \
    && defined(__ELF__) && defined(__GLIBC__)
#define SKREG_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#define SKREG_LINE_CLONES                                                      \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SKREG_CLONES
#define SKREG_LINE_CLONES
#endif

/* Vector types that may sit at any element boundary and alias the arrays.
 * Whole cache lines per vector: one AVX-512 register, two AVX2 ones. */
typedef double skreg_v8d __attribute__((vector_size(64), aligned(8), may_alias));
typedef float skreg_v16f __attribute__((vector_size(64), aligned(4), may_alias));
/* Half lines: one AVX2 register. */
typedef double skreg_v4d __attribute__((vector_size(32), aligned(8), may_alias));
typedef float skreg_v8f __attribute__((vector_size(32), aligned(4), may_alias));
/* Four floats: one SSE register. */
typedef float skreg_v4f __attribute__((vector_size(16), aligned(4), may_alias));

#endif
