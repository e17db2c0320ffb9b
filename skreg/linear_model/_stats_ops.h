/* The pass over C-ordered dense X behind column_stats (see _columns_fast.pyx).
 *
 * One read of X gives, per column, the sums of x - x_0 and of its square (x_0
 * the first row), when y is given x . y, and when columns are given their
 * copies less an offset (a first working set's, see _sketch.py: the pass
 * reads every line of X anyway, so they cost only their writes). The loops
 * over a row are contiguous, so gcc vectorises them; they are compiled for
 * AVX2 + FMA and for the baseline, and the loader picks the clone the CPU
 * supports (SKREG_CLONES, _simd.h). Four rows at a time: the sums are loaded
 * and stored once per four. Streaming stores for the copies saved ~1.5 ms of
 * 15 on 48 columns of 50 000 x 378 but not in whole fits (their products
 * read them back), so they are plain.
 */
#ifndef SKREG_STATS_OPS_H
#define SKREG_STATS_OPS_H

#include <string.h>

#include "_simd.h" /* SKREG_CLONES */

/* Rows prefetched ahead, their lines in address order, four per line of the
 * sweep. On 50 000 x 378 float64 X the pass took 8-9 ms this way, against
 * 11.8 ms with a line of each of the four rows 16 ahead: the prefetcher sees
 * one stream rather than four 3 KB apart (8 and 16 rows ahead in address
 * order took 11 ms or more). X.T @ y took 9.5 ms. */
#define SKREG_STATS_AHEAD 4

/* The sweep's columns between two bursts of prefetches (four per line): 64
 * doubles (8 lines), 16 floats (1 line). With a burst per line of doubles the
 * pass took 1.04-1.45x as long (2000 x 500 and 10 000 x 200 in cache or not,
 * 50 000 x 400); floats gained nothing from longer sweeps, and lost 17% on
 * 50 000 x 400 with bursts per 4 lines. */
#define SKREG_STATS_DCHUNK 64
#define SKREG_STATS_FCHUNK 16

/* The optional gather: columns `cols` less `off`, into a tile of
 * SKREG_GATHER_ROWS rows per column (in L1/L2), copied out to the columns of
 * `out` (leading dimension ld) whenever it fills: a row's values stored
 * straight to their columns would touch as many pages per row as columns
 * (and were no faster with 24-81 columns). A step's four rows are gathered
 * along its sweep, each column once the sweep has passed it: sorted columns
 * spread out evenly, and a column listed after a later one waits for it, at
 * the latest for the sweep's end. Against the earlier kernel (gather after
 * the sweep, rows 16 ahead) on 50 000 x 378: 14.7 / 16.5 / 18.0 ms for 24 /
 * 48 / 81 columns against 13.7 / 16.3 / 19.7; the tile's copies take ~2 ms.
 */
#define SKREG_GATHER_ROWS 64

#define SKREG_GATHER_OPS(PRE, T)                                               \
static inline void PRE##_flush(long t0, long rows, long m, T *out, long ld,    \
                               const T *tile)                                  \
{                                                                              \
    for (long k = 0; k < m; k++)                                               \
        memcpy(out + k * ld + t0, tile + k * SKREG_GATHER_ROWS,                \
               rows * sizeof(T));                                              \
}                                                                              \
/* make room for `rows` more rows from row i */                                \
static inline T *PRE##_room(long i, long rows, long m, T *out, long ld,        \
                            T *tile, long *t0)                                 \
{                                                                              \
    if (i - *t0 + rows > SKREG_GATHER_ROWS) {                                  \
        PRE##_flush(*t0, i - *t0, m, out, ld, tile);                           \
        *t0 = i;                                                               \
    }                                                                          \
    return tile + (i - *t0);                                                   \
}

#define SKREG_SHIFTED_SUMS(NAME, T, PRE, CHUNK)                                \
SKREG_CLONES static void NAME(long n, long p, const T *X, const double *y,     \
                              double *restrict s1, double *restrict s2,        \
                              double *restrict g, const int *cols, long m,     \
                              const double *off, T *out, long ld, T *tile)     \
{                                                                              \
    const T *x0 = X;                                                           \
    long i = 1, t0 = 0;                                                        \
    const long chunk = CHUNK;                                                  \
    if (n > 0 && y)                                                            \
        for (long j = 0; j < p; j++)                                           \
            g[j] += (double)x0[j] * y[0];                                      \
    if (n > 0)                                                                 \
        for (long k = 0; k < m; k++)                                           \
            tile[k * SKREG_GATHER_ROWS] =                                      \
                (T)((double)x0[cols[k]] - off[cols[k]]);                       \
    for (; i + 4 <= n; i += 4) {                                               \
        const T *r0 = X + i * p, *r1 = r0 + p, *r2 = r1 + p, *r3 = r2 + p;     \
        const char *pf = (const char *)(r0 + SKREG_STATS_AHEAD * p);           \
        const char *pf_end = (const char *)(r0 + (SKREG_STATS_AHEAD + 4) * p); \
        double y0 = 0, y1 = 0, y2 = 0, y3 = 0;                                 \
        T *tl = m ? PRE##_room(i, 4, m, out, ld, tile, &t0) : tile;            \
        long k = 0;                                                            \
        if (i + SKREG_STATS_AHEAD + 4 > n)                                     \
            pf = pf_end;                                                       \
        if (y) {                                                               \
            y0 = y[i], y1 = y[i + 1], y2 = y[i + 2], y3 = y[i + 3];            \
        }                                                                      \
        for (long jb = 0; jb < p; jb += chunk) {                               \
            long je = jb + chunk < p ? jb + chunk : p;                         \
            for (long u = 0; u < 4 * chunk * (long)sizeof(T) / 64             \
                                 && pf < pf_end; u++, pf += 64)                \
                __builtin_prefetch(pf);                                        \
            for (long j = jb; j < je; j++) {                                   \
                double b = x0[j];                                              \
                double d0 = r0[j] - b, d1 = r1[j] - b, d2 = r2[j] - b;         \
                double d3 = r3[j] - b;                                         \
                s1[j] += (d0 + d1) + (d2 + d3);                                \
                s2[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);            \
                if (y)                                                         \
                    g[j] += ((double)r0[j] * y0 + (double)r1[j] * y1)          \
                            + ((double)r2[j] * y2 + (double)r3[j] * y3);       \
            }                                                                  \
            for (; k < m && cols[k] < je; k++) {                               \
                long c = cols[k];                                              \
                double o = off[c];                                             \
                T *tk = tl + k * SKREG_GATHER_ROWS;                            \
                tk[0] = (T)((double)r0[c] - o);                                \
                tk[1] = (T)((double)r1[c] - o);                                \
                tk[2] = (T)((double)r2[c] - o);                                \
                tk[3] = (T)((double)r3[c] - o);                                \
            }                                                                  \
        }                                                                      \
        for (; pf < pf_end; pf += 64)                                          \
            __builtin_prefetch(pf);                                            \
    }                                                                          \
    for (; i < n; i++) {                                                       \
        const T *r = X + i * p;                                                \
        for (long j = 0; j < p; j++) {                                         \
            double d = (double)r[j] - (double)x0[j];                           \
            s1[j] += d;                                                        \
            s2[j] += d * d;                                                    \
            if (y)                                                             \
                g[j] += (double)r[j] * y[i];                                   \
        }                                                                      \
        if (m) {                                                               \
            T *tl = PRE##_room(i, 1, m, out, ld, tile, &t0);                   \
            for (long k = 0; k < m; k++)                                       \
                tl[k * SKREG_GATHER_ROWS] =                                    \
                    (T)((double)r[cols[k]] - off[cols[k]]);                    \
        }                                                                      \
    }                                                                          \
    if (n > 0 && m)                                                            \
        PRE##_flush(t0, n - t0, m, out, ld, tile);                             \
}

SKREG_GATHER_OPS(skreg_dgather, double)
SKREG_GATHER_OPS(skreg_sgather, float)
SKREG_SHIFTED_SUMS(skreg_dshifted_sums, double, skreg_dgather,
                   SKREG_STATS_DCHUNK)
SKREG_SHIFTED_SUMS(skreg_sshifted_sums, float, skreg_sgather,
                   SKREG_STATS_FCHUNK)

#endif
