/* X^T r for C-ordered dense X, one row at a time (see rows_dot in
 * _columns_fast.pyx).
 *
 * BLAS runs this product as an axpy over several rows at once, which reads
 * that many streams of X 3 KB apart: on 50 000 x 378 float64 OpenBLAS took
 * 9.7 ms, and a loop over 2, 4 or 8 rows 8.5-12.5 ms. One row after the
 * other reads X as one stream, at the speed of a plain sum (6.2-6.9 ms here,
 * 25 GB/s), while the sums stay in L1. That holds for rows of up to a few
 * hundred items and X out of cache: elsewhere BLAS is faster, and xt_dot
 * picks. Sums run in float64 whatever X's dtype, row by row.
 */
#ifndef SKREG_ROWS_DOT_H
#define SKREG_ROWS_DOT_H

#include "_simd.h" /* SKREG_LINE_CLONES, skreg_v8d, skreg_v8f */

#define SKREG_ROWS_DOT(NAME, T, LOAD8)                                         \
SKREG_LINE_CLONES static void NAME(long n, long p, const T *X,                 \
                                   const double *r, double *g)                 \
{                                                                              \
    for (long j = 0; j < p; j++)                                               \
        g[j] = 0;                                                              \
    for (long i = 0; i < n; i++) {                                             \
        const T *x = X + i * p;                                                \
        double ri = r[i];                                                      \
        long j = 0;                                                            \
        for (; j + 8 <= p; j += 8)                                             \
            *(skreg_v8d *)(g + j) += LOAD8(x + j) * ri;                        \
        for (; j < p; j++)                                                     \
            g[j] += (double)x[j] * ri;                                         \
    }                                                                          \
}

/* The same product with its residual: r_i = y_i - (x_i - mean) . w first,
 * stored in r (in X's dtype), then g += r_i x_i with the value stored. The
 * row is read once for both; on 50 000 x 378 float64 this took 6.7-7.2 ms
 * where the product alone took 7.8-8.1 (interleaved runs), so the residual
 * of a Gram block's solve costs no pass of its own over the block's columns
 * (32 MB for 79 columns there, 1.6 ms). */
#define SKREG_ROWS_RESIDUAL_DOT(NAME, T, LOAD8)                                \
SKREG_LINE_CLONES static void NAME(long n, long p, const T *X, const T *y,     \
                                   const double *mean, const double *w, T *r,  \
                                   double *g)                                  \
{                                                                              \
    for (long j = 0; j < p; j++)                                               \
        g[j] = 0;                                                              \
    for (long i = 0; i < n; i++) {                                             \
        const T *x = X + i * p;                                                \
        skreg_v8d a = {0}, b = {0};                                            \
        long j = 0;                                                            \
        for (; j + 16 <= p; j += 16) {                                         \
            a += (LOAD8(x + j) - *(const skreg_v8d *)(mean + j))               \
                 * *(const skreg_v8d *)(w + j);                                \
            b += (LOAD8(x + j + 8) - *(const skreg_v8d *)(mean + j + 8))       \
                 * *(const skreg_v8d *)(w + j + 8);                            \
        }                                                                      \
        for (; j + 8 <= p; j += 8)                                             \
            a += (LOAD8(x + j) - *(const skreg_v8d *)(mean + j))               \
                 * *(const skreg_v8d *)(w + j);                                \
        a += b;                                                                \
        double s = ((a[0] + a[1]) + (a[2] + a[3]))                             \
                   + ((a[4] + a[5]) + (a[6] + a[7]));                          \
        for (; j < p; j++)                                                     \
            s += ((double)x[j] - mean[j]) * w[j];                              \
        T ri = (T)((double)y[i] - s);                                          \
        double rd = ri;                                                        \
        r[i] = ri;                                                             \
        for (j = 0; j + 8 <= p; j += 8)                                        \
            *(skreg_v8d *)(g + j) += LOAD8(x + j) * rd;                        \
        for (; j < p; j++)                                                     \
            g[j] += (double)x[j] * rd;                                         \
    }                                                                          \
}

#define SKREG_LOAD8_D(x) (*(const skreg_v8d *)(x))
#define SKREG_LOAD8_S(x)                                                       \
    __builtin_convertvector(*(const skreg_v8f *)(x), skreg_v8d)

SKREG_ROWS_DOT(skreg_drows_dot, double, SKREG_LOAD8_D)
SKREG_ROWS_DOT(skreg_srows_dot, float, SKREG_LOAD8_S)
SKREG_ROWS_RESIDUAL_DOT(skreg_drows_residual_dot, double, SKREG_LOAD8_D)
SKREG_ROWS_RESIDUAL_DOT(skreg_srows_residual_dot, float, SKREG_LOAD8_S)

#endif
