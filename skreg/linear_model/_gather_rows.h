/* gather_dense's sweep along the rows of dense X (see _columns_fast.pyx):
 * columns `cols` less their means, into the contiguous columns of `out`.
 *
 * Blocks of rows stay in L2 while each column's part of the block is written
 * contiguously. Where four listed columns are adjacent in memory, four rows of
 * them are loaded as four vectors, transposed in registers and stored as four
 * column pieces: read and written a vector at a time, not an element, all
 * 500 columns of 2000 x 500 C-ordered float64 X took 0.47-0.57 ms instead of
 * 0.90-0.98 within fits (0.35 against 0.64 ms repeated on a warm buffer).
 * Scattered columns gain nothing.
 */
#ifndef SKREG_GATHER_ROWS_H
#define SKREG_GATHER_ROWS_H

#include "_simd.h" /* SKREG_CLONES, skreg_v4d, skreg_v4f */

/* Two-source shuffles of 4-lane vectors: gcc's builtin takes a mask vector
 * (of type M), clang's the indices. */
#if defined(__clang__)
#define SKREG_SHUF4(a, b, M, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
#define SKREG_SHUF4(a, b, M, i, j, k, l) __builtin_shuffle(a, b, (M){i, j, k, l})
#endif

/* Transposes of four 4-lane rows. Doubles: within 128-bit halves first, then
 * across (AVX's unpack and perm2f128); floats: SSE's unpack and movlh/movhl.
 * Each shuffle is one instruction; the doubles' order on floats took 20-25%
 * longer to gather 500 columns of 2000 x 500 float32. */
#define SKREG_T4_DOUBLE(r0, r1, r2, r3, V, M)                                  \
    do {                                                                       \
        V t0 = SKREG_SHUF4(r0, r1, M, 0, 4, 2, 6);                             \
        V t1 = SKREG_SHUF4(r0, r1, M, 1, 5, 3, 7);                             \
        V t2 = SKREG_SHUF4(r2, r3, M, 0, 4, 2, 6);                             \
        V t3 = SKREG_SHUF4(r2, r3, M, 1, 5, 3, 7);                             \
        r0 = SKREG_SHUF4(t0, t2, M, 0, 1, 4, 5);                               \
        r1 = SKREG_SHUF4(t1, t3, M, 0, 1, 4, 5);                               \
        r2 = SKREG_SHUF4(t0, t2, M, 2, 3, 6, 7);                               \
        r3 = SKREG_SHUF4(t1, t3, M, 2, 3, 6, 7);                               \
    } while (0)

#define SKREG_T4_FLOAT(r0, r1, r2, r3, V, M)                                   \
    do {                                                                       \
        V t0 = SKREG_SHUF4(r0, r1, M, 0, 4, 1, 5);                             \
        V t1 = SKREG_SHUF4(r2, r3, M, 0, 4, 1, 5);                             \
        V t2 = SKREG_SHUF4(r0, r1, M, 2, 6, 3, 7);                             \
        V t3 = SKREG_SHUF4(r2, r3, M, 2, 6, 3, 7);                             \
        r0 = SKREG_SHUF4(t0, t1, M, 0, 1, 4, 5);                               \
        r1 = SKREG_SHUF4(t0, t1, M, 2, 3, 6, 7);                               \
        r2 = SKREG_SHUF4(t2, t3, M, 0, 1, 4, 5);                               \
        r3 = SKREG_SHUF4(t2, t3, M, 2, 3, 6, 7);                               \
    } while (0)

/* X's element strides sx0 (rows) and sx1 (columns); out's column stride so;
 * `rows` per block. Runs of adjacent columns need sx1 == 1. */
#define SKREG_GATHER_ROWS_DEF(NAME, T, V, M, T4)                               \
SKREG_CLONES void NAME(long n, const T *X, long sx0, long sx1,                 \
                       const int *cols, long m, const T *mu, T *out, long so,  \
                       long rows)                                              \
{                                                                              \
    rows = rows < 8 ? 8 : rows & ~3L;                                          \
    for (long i0 = 0; i0 < n; i0 += rows) {                                    \
        long i1 = i0 + rows < n ? i0 + rows : n;                               \
        long k = 0;                                                            \
        while (k < m) {                                                        \
            long j = cols[k];                                                  \
            if (sx1 == 1 && k + 4 <= m && cols[k + 1] == j + 1                 \
                    && cols[k + 2] == j + 2 && cols[k + 3] == j + 3) {         \
                V c = *(const V *)(mu + j);                                    \
                T *o = out + k * so;                                           \
                long i = i0;                                                   \
                for (; i + 4 <= i1; i += 4) {                                  \
                    const T *x = X + i * sx0 + j;                              \
                    V r0 = *(const V *)x - c;                                  \
                    V r1 = *(const V *)(x + sx0) - c;                          \
                    V r2 = *(const V *)(x + 2 * sx0) - c;                      \
                    V r3 = *(const V *)(x + 3 * sx0) - c;                      \
                    T4(r0, r1, r2, r3, V, M);                                  \
                    *(V *)(o + i) = r0;                                        \
                    *(V *)(o + so + i) = r1;                                   \
                    *(V *)(o + 2 * so + i) = r2;                               \
                    *(V *)(o + 3 * so + i) = r3;                               \
                }                                                              \
                for (; i < i1; i++)                                            \
                    for (long q = 0; q < 4; q++)                               \
                        o[q * so + i] = X[i * sx0 + j + q] - mu[j + q];        \
                k += 4;                                                        \
            } else {                                                           \
                const T *x = X + j * sx1;                                      \
                T *o = out + k * so;                                           \
                T c = mu[j];                                                   \
                for (long i = i0; i < i1; i++)                                 \
                    o[i] = x[i * sx0] - c;                                     \
                k++;                                                           \
            }                                                                  \
        }                                                                      \
    }                                                                          \
}

typedef long long skreg_m4d __attribute__((vector_size(32)));
typedef int skreg_m4f __attribute__((vector_size(16)));

SKREG_GATHER_ROWS_DEF(skreg_dgather_rows, double, skreg_v4d, skreg_m4d,
                      SKREG_T4_DOUBLE)
SKREG_GATHER_ROWS_DEF(skreg_sgather_rows, float, skreg_v4f, skreg_m4f,
                      SKREG_T4_FLOAT)

#endif
