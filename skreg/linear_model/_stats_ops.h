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
 * 15 on 48 columns of 50 000 x 378 with an earlier gather, but not in whole
 * fits (their products read them back), so they are plain.
 */
#ifndef SKREG_STATS_OPS_H
#define SKREG_STATS_OPS_H

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

/* The optional gather: columns `cols` less `off`, into the columns of `out`
 * (leading dimension ld), a block of rows at a time once the sweep has read
 * it: the block's rows are still in the L2 cache, and each column's rows are
 * written contiguously. On 50 000 x 378 float64 the pass took 10-11 ms with
 * 42 columns and 8-9 with 10, against 8 without a gather. Gathered within the
 * sweep into a tile of 64 rows per column (copied out when full), the same
 * took 17-19 and 13-14 ms (15.6 and 11.6 with a burst of prefetches per
 * line): even stores of constants into the L1-resident tile, four per column
 * every four rows, cost 4 of the 6 ms on 10 columns. Blocks of 128-512 rows
 * (384 KB-1.5 MB) were level, of 64 rows 10% slower, of 32 rows 10-20%.
 * float32 gathers, which the tile had not slowed as much, took 0.88-1.03
 * times as long. */
#define SKREG_GATHER_BLOCK_BYTES (512L << 10)

/* rows [a, b) of columns cols less off into out. (gather_dense's kernel,
 * _gather_rows.h, subtracts means in X's dtype; here the float64 offsets are
 * subtracted in float64, as column_stats_gather promises and _sketch's
 * shifts assume for float32 X.) */
#define SKREG_GATHER_BLOCK(NAME, T)                                            \
static inline void NAME(long a, long b, long p, const T *X, const int *cols,   \
                        long m, const double *off, T *out, long ld)            \
{                                                                              \
    for (long k = 0; k < m; k++) {                                             \
        const T *x = X + a * p + cols[k];                                      \
        double o = off[cols[k]];                                               \
        T *ok = out + k * ld;                                                  \
        for (long i = a; i < b; i++, x += p)                                   \
            ok[i] = (T)((double)*x - o);                                       \
    }                                                                          \
}

/* The sweep over columns [jb, je) of rows r0-r3, with x . y or without: the
 * test written once inside the loop was not taken out of it once the pass
 * gathered by blocks, and float32 passes took 2.4 times as long. */
#define SKREG_STATS_SWEEP(WITH_Y)                                              \
    for (long j = jb; j < je; j++) {                                           \
        double b = x0[j];                                                      \
        double d0 = r0[j] - b, d1 = r1[j] - b, d2 = r2[j] - b, d3 = r3[j] - b; \
        s1[j] += (d0 + d1) + (d2 + d3);                                        \
        s2[j] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);                    \
        if (WITH_Y)                                                            \
            g[j] += ((double)r0[j] * y0 + (double)r1[j] * y1)                  \
                    + ((double)r2[j] * y2 + (double)r3[j] * y3);               \
    }

#define SKREG_SHIFTED_SUMS(NAME, T, GATHER, CHUNK)                             \
SKREG_CLONES static void NAME(long n, long p, const T *X, const double *y,     \
                              double *restrict s1, double *restrict s2,        \
                              double *restrict g, const int *cols, long m,     \
                              const double *off, T *out, long ld)              \
{                                                                              \
    const T *x0 = X;                                                           \
    long i = 1, t0 = 0; /* rows from t0 on are still to gather */              \
    const long chunk = CHUNK;                                                  \
    const long block = SKREG_GATHER_BLOCK_BYTES / ((p ? p : 1) * sizeof(T));   \
    if (n > 0 && y)                                                            \
        for (long j = 0; j < p; j++)                                           \
            g[j] += (double)x0[j] * y[0];                                      \
    for (; i + 4 <= n; i += 4) {                                               \
        const T *r0 = X + i * p, *r1 = r0 + p, *r2 = r1 + p, *r3 = r2 + p;     \
        const char *pf = (const char *)(r0 + SKREG_STATS_AHEAD * p);           \
        const char *pf_end = (const char *)(r0 + (SKREG_STATS_AHEAD + 4) * p); \
        double y0 = 0, y1 = 0, y2 = 0, y3 = 0;                                 \
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
            if (y) {                                                           \
                SKREG_STATS_SWEEP(1)                                           \
            } else {                                                           \
                SKREG_STATS_SWEEP(0)                                           \
            }                                                                  \
        }                                                                      \
        for (; pf < pf_end; pf += 64)                                          \
            __builtin_prefetch(pf);                                            \
        if (m && i + 4 - t0 >= block) {                                        \
            GATHER(t0, i + 4, p, X, cols, m, off, out, ld);                    \
            t0 = i + 4;                                                        \
        }                                                                      \
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
    }                                                                          \
    if (m)                                                                     \
        GATHER(t0, n, p, X, cols, m, off, out, ld);                            \
}

SKREG_GATHER_BLOCK(skreg_dgather_block, double)
SKREG_GATHER_BLOCK(skreg_sgather_block, float)
SKREG_SHIFTED_SUMS(skreg_dshifted_sums, double, skreg_dgather_block,
                   SKREG_STATS_DCHUNK)
SKREG_SHIFTED_SUMS(skreg_sshifted_sums, float, skreg_sgather_block,
                   SKREG_STATS_FCHUNK)

#endif
