/* Dot products and fused residual updates for the dense coordinate-descent pass.
 *
 * A pass calls these once per coordinate on columns of a few hundred to a few
 * thousand rows, where a BLAS call's fixed cost dominates (4x the product
 * X[:, ws].T @ r at 100 rows). They are compiled for AVX2 + FMA and for the
 * baseline, and the loader picks the clone the CPU supports (GCC's
 * target_clones on x86-64 glibc; a single baseline build elsewhere). Four
 * independent vector accumulators hide the latency of the multiply-adds, so
 * results differ from a sequential sum only in the order of the additions.
 */
#ifndef SKREG_VECTOR_OPS_H
#define SKREG_VECTOR_OPS_H

/* target_clones needs the loader's ifunc support: glibc has it, musl does not.
 * Python.h, included first, has already pulled in the C library's headers. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__ELF__) && defined(__GLIBC__)
#define SKREG_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SKREG_CLONES
#endif

/* Vector types that may sit at any element boundary and alias the arrays. */
typedef double skreg_v4d __attribute__((vector_size(32), aligned(8), may_alias));
typedef float skreg_v8f __attribute__((vector_size(32), aligned(4), may_alias));

#define SKREG_DOT(NAME, T, V, W)                                               \
SKREG_CLONES static T NAME(int n, const T *x, const T *y)                      \
{                                                                              \
    V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};                                  \
    int i = 0;                                                                 \
    for (; i + 4 * W <= n; i += 4 * W) {                                       \
        a0 += *(const V *)(x + i) * *(const V *)(y + i);                       \
        a1 += *(const V *)(x + i + W) * *(const V *)(y + i + W);               \
        a2 += *(const V *)(x + i + 2 * W) * *(const V *)(y + i + 2 * W);       \
        a3 += *(const V *)(x + i + 3 * W) * *(const V *)(y + i + 3 * W);       \
    }                                                                          \
    for (; i + W <= n; i += W)                                                 \
        a1 += *(const V *)(x + i) * *(const V *)(y + i);                       \
    V a = (a0 + a1) + (a2 + a3);                                               \
    T s = 0;                                                                   \
    for (int k = 0; k < W; k++)                                                \
        s += a[k];                                                             \
    for (; i < n; i++)                                                         \
        s += x[i] * y[i];                                                      \
    return s;                                                                  \
}

/* r <- r + c x, then return z . r: one pass over r for a coordinate's update
 * and the next coordinate's correlation. */
#define SKREG_AXPY_DOT(NAME, T, V, W)                                          \
SKREG_CLONES static T NAME(int n, T c, const T *x, T *r, const T *z)           \
{                                                                              \
    V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};                                  \
    int i = 0;                                                                 \
    for (; i + 4 * W <= n; i += 4 * W) {                                       \
        V r0 = *(V *)(r + i) + c * *(const V *)(x + i);                        \
        V r1 = *(V *)(r + i + W) + c * *(const V *)(x + i + W);                \
        V r2 = *(V *)(r + i + 2 * W) + c * *(const V *)(x + i + 2 * W);        \
        V r3 = *(V *)(r + i + 3 * W) + c * *(const V *)(x + i + 3 * W);        \
        *(V *)(r + i) = r0;                                                    \
        *(V *)(r + i + W) = r1;                                                \
        *(V *)(r + i + 2 * W) = r2;                                            \
        *(V *)(r + i + 3 * W) = r3;                                            \
        a0 += *(const V *)(z + i) * r0;                                        \
        a1 += *(const V *)(z + i + W) * r1;                                    \
        a2 += *(const V *)(z + i + 2 * W) * r2;                                \
        a3 += *(const V *)(z + i + 3 * W) * r3;                                \
    }                                                                          \
    for (; i + W <= n; i += W) {                                               \
        V r0 = *(V *)(r + i) + c * *(const V *)(x + i);                        \
        *(V *)(r + i) = r0;                                                    \
        a1 += *(const V *)(z + i) * r0;                                        \
    }                                                                          \
    V a = (a0 + a1) + (a2 + a3);                                               \
    T s = 0;                                                                   \
    for (int k = 0; k < W; k++)                                                \
        s += a[k];                                                             \
    for (; i < n; i++) {                                                       \
        r[i] += c * x[i];                                                      \
        s += z[i] * r[i];                                                      \
    }                                                                          \
    return s;                                                                  \
}

SKREG_DOT(skreg_ddot, double, skreg_v4d, 4)
SKREG_DOT(skreg_sdot, float, skreg_v8f, 8)
SKREG_AXPY_DOT(skreg_daxpy_dot, double, skreg_v4d, 4)
SKREG_AXPY_DOT(skreg_saxpy_dot, float, skreg_v8f, 8)

#endif
