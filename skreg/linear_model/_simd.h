/* What the look-ahead pass (_ahead_pass.h) and the cross products
 * (_cross_products.h) share: their clones, one per x86-64 level, of which the
 * loader picks the one the CPU supports, and vector types of one cache line.
 */
#ifndef SKREG_SIMD_H
#define SKREG_SIMD_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)            \
    && defined(__ELF__) && defined(__GLIBC__)
#define SKREG_LINE_CLONES                                                      \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SKREG_LINE_CLONES
#endif

/* Whole cache lines per vector: one AVX-512 register, two AVX2 ones. */
typedef double skreg_v8d __attribute__((vector_size(64), aligned(8), may_alias));
typedef float skreg_v16f __attribute__((vector_size(64), aligned(4), may_alias));

#endif
