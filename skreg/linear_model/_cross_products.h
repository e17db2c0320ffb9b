/* C = A^T B for F-ordered column blocks A (n x k) and B (n x m), with n much
 * larger than k and m: the products of a working set's new columns with the
 * columns gathered before (see _cd_problems.GramCache).
 *
 * BLAS packs both operands for every call and, with k and m of 10-100, runs
 * this shape at 13-36 GF/s here. This computes tiles of 4 x 4 dot products in
 * registers (8 loads per 16 fused multiply-adds) over blocks of rows that
 * stay in L2, so A and B are each read from memory once: 25-43 GF/s here,
 * far below one core's multiply-add peak (~105 GF/s). Row blocks of 64 to
 * 512 rows, and prefetching the next block, made no clear difference.
 * Each tile's accumulators are kept as vectors in `acc` across row blocks
 * and summed across lanes only at the end. Tiles at the edges repeat their
 * last column rather than branch; the results of the repeats are dropped.
 */
#ifndef SKREG_CROSS_PRODUCTS_H
#define SKREG_CROSS_PRODUCTS_H

#include "_simd.h"

#define SKREG_CROSS_ROWS 512 /* rows per block: (k + m) columns of it fit L2 */

/* acc holds 16 vectors per tile, ceil(k / 4) * ceil(m / 4) tiles; C[a, b] is
 * at C[a * cs_a + b * cs_b]. With sym (B is A), tiles below the diagonal are
 * skipped and mirrored. */
#define SKREG_CROSS(NAME, T, V, W)                                             \
SKREG_LINE_CLONES static void NAME(long n, int k, int m, const T *A,           \
                                    long lda, const T *B, long ldb, T *C,      \
                                    long cs_a, long cs_b, int sym, V *acc)     \
{                                                                              \
    const int ta = (k + 3) / 4, tb = (m + 3) / 4;                              \
    const long n_vec = n - n % W;                                              \
    for (long t = 0; t < 16L * ta * tb; t++)                                   \
        acc[t] = (V){0};                                                       \
    for (long i0 = 0; i0 < n_vec; i0 += SKREG_CROSS_ROWS) {                    \
        long i1 = i0 + SKREG_CROSS_ROWS;                                       \
        if (i1 > n_vec)                                                        \
            i1 = n_vec;                                                        \
        for (int p = 0; p < ta; p++) {                                         \
            const T *a[4];                                                     \
            for (int u = 0; u < 4; u++) {                                      \
                int j = 4 * p + u < k ? 4 * p + u : k - 1;                     \
                a[u] = A + j * lda;                                            \
            }                                                                  \
            for (int q = sym ? p : 0; q < tb; q++) {                           \
                const T *b[4];                                                 \
                for (int v = 0; v < 4; v++) {                                  \
                    int j = 4 * q + v < m ? 4 * q + v : m - 1;                 \
                    b[v] = B + j * ldb;                                        \
                }                                                              \
                V *s = acc + 16L * (p * tb + q);                               \
                V s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];                  \
                V s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];                  \
                V s8 = s[8], s9 = s[9], s10 = s[10], s11 = s[11];              \
                V s12 = s[12], s13 = s[13], s14 = s[14], s15 = s[15];          \
                for (long i = i0; i < i1; i += W) {                            \
                    V a0 = *(const V *)(a[0] + i), a1 = *(const V *)(a[1] + i);\
                    V a2 = *(const V *)(a[2] + i), a3 = *(const V *)(a[3] + i);\
                    V b0 = *(const V *)(b[0] + i), b1 = *(const V *)(b[1] + i);\
                    V b2 = *(const V *)(b[2] + i), b3 = *(const V *)(b[3] + i);\
                    s0 += a0 * b0; s1 += a0 * b1; s2 += a0 * b2; s3 += a0 * b3;\
                    s4 += a1 * b0; s5 += a1 * b1; s6 += a1 * b2; s7 += a1 * b3;\
                    s8 += a2 * b0; s9 += a2 * b1; s10 += a2 * b2;              \
                    s11 += a2 * b3; s12 += a3 * b0; s13 += a3 * b1;            \
                    s14 += a3 * b2; s15 += a3 * b3;                            \
                }                                                              \
                s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;                    \
                s[4] = s4; s[5] = s5; s[6] = s6; s[7] = s7;                    \
                s[8] = s8; s[9] = s9; s[10] = s10; s[11] = s11;                \
                s[12] = s12; s[13] = s13; s[14] = s14; s[15] = s15;            \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    for (int j = 0; j < k; j++)                                                \
        for (int l = 0; l < m; l++) {                                          \
            int lo = sym && l / 4 < j / 4; /* below the tiles computed */      \
            int r = lo ? l : j, c = lo ? j : l;                                \
            const V *s = acc + 16L * ((r / 4) * tb + c / 4) + 4 * (r % 4)      \
                         + c % 4;                                              \
            T sum = 0;                                                         \
            for (int w = 0; w < W; w++)                                        \
                sum += (*s)[w];                                                \
            for (long i = n_vec; i < n; i++)                                   \
                sum += A[j * lda + i] * B[l * ldb + i];                        \
            C[j * cs_a + l * cs_b] = sum;                                      \
        }                                                                      \
}

SKREG_CROSS(skreg_dcross_products, double, skreg_v8d, 8)
SKREG_CROSS(skreg_scross_products, float, skreg_v16f, 16)

#endif
