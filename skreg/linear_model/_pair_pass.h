/* The dense pass two coordinates per sweep, for columns too long for
 * registers (included by _vector_ops.h, whose definitions it uses).
 *
 * One coordinate at a time, each coordinate reads and writes the residual r
 * once. Here one sweep over r applies the previous pair's two updates and
 * computes, for the next pair (c, e), x_c . r, x_e . r and x_c . x_e; then
 * g_c = x_c . r and, after c's step d_c, g_e = x_e . r - d_c x_c . x_e. The
 * residual is read and written once per two coordinates, which on columns of
 * thousands of rows is the traffic that sets the pass's cost. Four columns
 * and r should stay in cache for the sweep after: skreg_pairs_fit asks for
 * them to fit in half the L2 cache, or in twice the L2 where X streams from
 * memory anyway, and the caller falls back otherwise (also where only the
 * single pass's working set fits in L1).
 *
 * In cyclic order the sweep also prefetches the next pair's columns into L2,
 * a line of each per line of its own: with every coordinate moving, passes
 * over 10 000 x 200, 3000 x 500 and 1000 x 1000 went from 1.90, 1.60 and 1.57
 * times X.T @ r to 1.43, 1.34 and 1.48 (medians of five alternated runs of
 * bench_cd_epoch's measure). Into L1 they took 1000 rows to 1.97. Random
 * order draws its pairs as it goes and reads none ahead. Where the pass
 * streams X from memory with columns past half the L2 (skreg_pairs_stream),
 * the prefetch is non-temporal (see there).
 */
#ifndef SKREG_PAIR_PASS_H
#define SKREG_PAIR_PASS_H

#include "_cache_sizes.h" /* skreg_cache_bytes */

/* Shortest column the pair pass takes. With AVX-512 the register pass takes
 * columns up to 128 float64 (256 float32) rows first, so this matters only
 * on CPUs without it, where the single pass took the rest. With the register
 * pass switched off here (the pair and single passes' AVX2 clones), 1000
 * columns, every coordinate moving, five alternated runs, ratios to X.T @ r,
 * single against pairs: float64 32 rows 2.29 against 2.20, 64 rows 1.99
 * against 1.77, 100 rows 1.82 against 1.78, 127 rows 1.56 against 1.49,
 * float32 100 rows 2.37 against 1.82. Earlier, without the reading ahead:
 * 150 rows 1.78 against the single pass's 2.19, 300 rows 1.30 against 1.47.
 * A look-ahead pass (each correlation started two coordinates early, so two
 * sweeps overlap) once took 129 to 512 float64 rows; against the pair pass
 * reading its next columns ahead it lost everywhere (1000 columns: 150 rows
 * 1.53 against 1.41, 200 rows 1.62 against 1.43, 400 rows 1.79 against 1.40,
 * float32 400 rows 2.02 against 1.46, 200 unpadded rows 1.71 against 1.38)
 * and was removed. */
#define SKREG_PAIRS_MIN_ROWS 32

/* Largest pass (n_ws columns of n items) for which the single pass replaces
 * pairs between L1 and L2 (see skreg_pairs_fit): past it, X no longer stays
 * in this machine's L3 from pass to pass and the pair pass's reading ahead
 * won. 1000 rows, ratios to X.T @ r, single against pairs: 1000 columns (8 MB)
 * 1.42 against 1.43, 1300 columns 1.23 against 1.30, 1600 columns 1.27
 * against 1.01, 2000 columns 1.31 against 1.04. */
#define SKREG_PAIRS_L1_PASS_BYTES (8L << 20)

/* Pairs while four columns and r fit in half the L2 cache, except where they
 * no longer fit in L1 but the single pass's two columns and r still do and
 * the pass is not too large: there the pair pass reads three of its five
 * lines per row from L2, the single pass all but the next column's from L1.
 * Every coordinate moving, seven alternated runs on a 32 KB L1, ratios to
 * X.T @ r, pairs against single: float64 900 x 500 1.72 against 1.33,
 * 1200 x 200 1.70 against 1.49, 1000 x 100, x 300 and x 1000 1.40 / 1.49 /
 * 1.43 against 1.43 / 1.46 / 1.42; float32 2000 x 300 1.50 against 1.47.
 * Where pairs fit in L1 they won: 600 rows 1.36 against 1.66; at 2000 rows,
 * past the single pass's L1, 1.36 against 1.71.
 *
 * Past half the L2, pairs (streaming, see skreg_pairs_stream) while five
 * columns fit in twice the L2, in passes of at least half the L3, which X does
 * not keep from pass to pass here (X.T @ r read a 20 MB X at 26 to 50 GB/s
 * from run to run, an 8 MB one at 68): there the halved residual traffic won.
 * On a 1 MB L2 and 32 MB L3, single against pairs, first in passes of 1.25
 * times the L3 with the L2 hint (six alternated runs): float64 30 000 x 200
 * (45.8 MB) 1.64 against 1.40, 20 000 x 300 1.72 against 1.58, 15 000 x 800
 * 1.68 against 1.47, 25 000 x 800 1.72 against 1.45, 50 000 x 400 1.29 against
 * 1.29; float32 60 000 x 200 1.46 against 1.35, 45 000 x 300 1.57 against
 * 1.42, 50 000 x 400 1.57 against 1.41, 70 000 x 200 1.44 against 1.32,
 * 100 000 x 200 1.29 against 1.29. Then, non-temporal, in smaller passes (five
 * or six runs): float64 50 000 x 100 (38.1 MB) 1.56 against 1.38, 25 000 x 200
 * 1.72 against 1.45, 15 000 x 200 (22.9 MB) 1.60 against 1.49, 16 000 x 140
 * (17.1 MB) 1.72 against 1.72; float32 30 000 x 200 1.61 against 1.55, 50 000
 * x 100 (19.1 MB) 1.91 against 1.83, 45 000 x 100 1.91 against 1.93. In passes
 * of 11.4 MB or less pairs lost: float64 15 000 x 100 2.09 against 2.22,
 * 25 000 x 40 2.37 against 2.45, float32 30 000 x 100 2.21 against 2.29 (MB:
 * 2^20 bytes). */
static int skreg_pairs_fit(int n, int item, int n_ws)
{
    long bytes = (long)n * item, l1 = skreg_cache_bytes(1);
    long l2 = skreg_cache_bytes(2), l3 = skreg_cache_bytes(3);
    if (n < SKREG_PAIRS_MIN_ROWS)
        return 0;
    if (5 * bytes > l2 / 2)
        return 5 * bytes <= 2 * l2 && n_ws * bytes >= l3 / 2;
    return 5 * bytes <= l1 || 3 * bytes > l1
           || n_ws * bytes > SKREG_PAIRS_L1_PASS_BYTES;
}

/* Whether a pair pass that skreg_pairs_fit admits streams X from memory, its
 * five columns past half the L2: it then prefetches the next pair with the
 * non-temporal hint, which on this machine (AMD Zen 4 class, 1 MB L2, 32 MB
 * L3) still served the next sweep from cache but cost far less. Every
 * coordinate moving, four or five alternated runs, ratios to X.T @ r, L2
 * hint against non-temporal, in passes of 1.25 times the L3 or more:
 * float64 25 000 x 800 1.38 against 1.08, 50 000 x 400 1.25 against 1.10,
 * 30 000 x 200 1.48 against 1.25, 15 000 x 800 1.61 against 1.56; float32
 * 50 000 x 400 1.36 against 1.08, 40 000 x 800 1.37 against 1.28,
 * 60 000 x 200 1.41 against 1.28, 100 000 x 200 1.21 against 1.10. With five
 * columns in half the L2 it lost, in passes that stream X too (float32
 * 25 000 x 800 1.51 against 1.61, 20 000 x 800 1.59 against 1.66, float64
 * 6000 x 2000 1.46 against 1.62) and in L3 (float64 10 000 x 200 1.73
 * against 1.91). No prefetch at all was worse than either (float64
 * 25 000 x 800 1.55). The single pass's prefetch, made non-temporal, moved
 * its ratios by 0.07 at most, both ways (float64 60 000 x 200 1.27 -> 1.20,
 * float32 50 000 x 100 1.68 -> 1.73), and stays as it is. */
static int skreg_pairs_stream(int n, int item)
{
    return 5L * n * item > skreg_cache_bytes(2) / 2;
}

/* r += ca xa + cb xb (skipped when both are 0), then *hc = xc . r,
 * *he = xe . r and, with cross, *q = xc . xe, in one sweep that prefetches
 * the lines of na and nb (when not NULL) into L2, or non-temporally with
 * nta. */
#define SKREG_AXPY2_DOT3(NAME, T, V, W)                                        \
SKREG_INLINE void NAME(int n, T ca, const T *xa, T cb, const T *xb, T *r,      \
                       const T *xc, const T *xe, T *hc, T *he, T *q,           \
                       const T *na, const T *nb, int nta, int cross)           \
{                                                                              \
    V a[2] = {{0}, {0}}, b[2] = {{0}, {0}}, c[2] = {{0}, {0}};                 \
    T sa = 0, sb = 0, sc = 0;                                                  \
    int i = 0, update = ca != 0 || cb != 0;                                    \
    for (; i + 2 * W <= n; i += 2 * W) {                                       \
        if (na && nta) {                                                       \
            __builtin_prefetch(na + i, 0, 0);                                  \
            __builtin_prefetch(nb + i, 0, 0);                                  \
        } else if (na) {                                                       \
            __builtin_prefetch(na + i, 0, 2);                                  \
            __builtin_prefetch(nb + i, 0, 2);                                  \
        }                                                                      \
        for (int u = 0; u < 2; u++) {                                          \
            V rv = *(V *)(r + i + u * W);                                      \
            V xv = *(const V *)(xc + i + u * W);                               \
            V ev = *(const V *)(xe + i + u * W);                               \
            if (update) {                                                      \
                rv += ca * *(const V *)(xa + i + u * W);                       \
                rv += cb * *(const V *)(xb + i + u * W);                       \
                *(V *)(r + i + u * W) = rv;                                    \
            }                                                                  \
            a[u] += xv * rv;                                                   \
            b[u] += ev * rv;                                                   \
            if (cross)                                                         \
                c[u] += xv * ev;                                               \
        }                                                                      \
    }                                                                          \
    {                                                                          \
        V a1 = a[0] + a[1], b1 = b[0] + b[1], c1 = c[0] + c[1];                \
        for (int k = 0; k < W; k++) {                                          \
            sa += a1[k];                                                       \
            sb += b1[k];                                                       \
            sc += c1[k];                                                       \
        }                                                                      \
    }                                                                          \
    for (; i < n; i++) {                                                       \
        if (update)                                                            \
            r[i] = (r[i] + ca * xa[i]) + cb * xb[i];                           \
        sa += xc[i] * r[i];                                                    \
        sb += xe[i] * r[i];                                                    \
        if (cross)                                                             \
            sc += xc[i] * xe[i];                                               \
    }                                                                          \
    *hc = sa;                                                                  \
    *he = sb;                                                                  \
    if (cross)                                                                 \
        *q = sc;                                                               \
}

/* The pass over pairs (arguments as skreg_dpass in _vector_ops.h, and
 * stream: skreg_pairs_stream's answer for these columns). Random
 * order draws the same coordinates as the single pass; a pair may repeat a
 * coordinate, and then x_c . x_e is its squared norm, which keeps g_e exact.
 * A cyclic order sweeps the same pairs in every pass: the caller may keep
 * their x_c . x_e in pair (pair[k / 2] for the pair at k, NaN until known;
 * random order ignores it), and later passes skip that product, a fifth of
 * the sweep's multiply-adds (every coordinate moving, seven alternated runs,
 * ratios to X.T @ r: float64 300 x 1000 1.31 -> 1.27, 3000 x 500
 * 1.67 -> 1.55; float32 1000 x 1000 1.34 -> 1.26, 1000 x 200 1.32 -> 1.29). */
#define SKREG_PAIR_PASS(NAME, AXPY2_DOT3, MOVE, T)                             \
SKREG_CLONES static void NAME(SKREG_PASS_PARAMS(T), T *pair, int stream)       \
{                                                                              \
    T dmax = 0, wmax = 0, da = 0, db = 0, hc, he, q;                           \
    const T *xa = X, *xb = X;                                                  \
    for (int k = 0; k < n_ws; k += 2) {                                        \
        int last = k + 1 == n_ws;                                              \
        int c = random ? ws[skreg_rand(state) % n_ws] : ws[k];                 \
        int e = last ? c : random ? ws[skreg_rand(state) % n_ws] : ws[k + 1];  \
        const T *xc = X + c * ld, *xe = X + e * ld;                            \
        T inv_c = norms2[c] != 0 ? 1 / (norms2[c] + l2) : 0;                   \
        T inv_e = norms2[e] != 0 ? 1 / (norms2[e] + l2) : 0;                   \
        const T *na = NULL, *nb = NULL; /* the next pair, read ahead */        \
        if (!random && k + 2 < n_ws) {                                         \
            na = X + ws[k + 2] * ld;                                           \
            nb = X + ws[k + 3 < n_ws ? k + 3 : k + 2] * ld;                    \
        }                                                                      \
        q = pair && !random ? pair[k / 2] : (T)NAN;                            \
        /* two calls, each inlined for its constant cross: one call with a    \
         * flag was slower (three alternated runs, times X.T @ r: float64     \
         * 200 x 1000 1.39-1.52 -> 1.59-2.88, float32 400 x 1000              \
         * 1.38-1.78 -> 1.51-2.06) */                                         \
        if (q == q)                                                            \
            AXPY2_DOT3(n, -da, xa, -db, xb, r, xc, xe, &hc, &he, &q, na, nb,  \
                       stream, 0);                                             \
        else {                                                                 \
            AXPY2_DOT3(n, -da, xa, -db, xb, r, xc, xe, &hc, &he, &q, na, nb,  \
                       stream, 1);                                             \
            if (pair && !random)                                               \
                pair[k / 2] = q;                                               \
        }                                                                      \
        da = MOVE(hc, c, w, norms2, inv_c, l1, positive, &dmax, &wmax);        \
        xa = xc;                                                               \
        db = 0;                                                                \
        if (last)                                                              \
            break;                                                             \
        /* after c's move: c and e may be the same coordinate */               \
        db = MOVE(he - da * q, e, w, norms2, inv_e, l1, positive, &dmax,       \
                  &wmax);                                                      \
        xb = xe;                                                               \
    }                                                                          \
    if (da != 0 || db != 0) /* the last pair's updates */                      \
        for (int i = 0; i < n; i++)                                            \
            r[i] = (r[i] - da * xa[i]) - db * xb[i];                           \
    *dw_max = dmax;                                                            \
    *w_max = wmax;                                                             \
}

#endif
