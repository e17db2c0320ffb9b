/* The dense coordinate-descent pass, in C so its loops inline.
 *
 * Three kernels, picked by column length in skreg_dpass / skreg_spass: the
 * register pass (_register_pass.h) for columns of at most 16 AVX-512 vectors,
 * the pair pass (_pair_pass.h) from 32 rows while four columns and the
 * residual fit in half the L2 cache (see skreg_pairs_fit for a band it leaves
 * to the single pass, and for the longer columns it takes in passes that
 * stream X from memory, prefetching those non-temporally), and the single
 * pass below for the rest (and shorter columns on CPUs without AVX-512).
 *
 * A pass over short columns is bound by the latency of each coordinate's
 * update, not by memory: every coordinate waits for the previous one's
 * residual update and for its own correlation. So each pass is one function,
 * compiled for AVX2 + FMA and for the baseline, and the loader picks the
 * clone the CPU supports (GCC's target_clones on x86-64 glibc; a single
 * baseline build elsewhere). In the single pass the residual update of one
 * coordinate and the correlation of the next share one loop with eight
 * independent vector accumulators, and the next coordinate's 1 / (norm + l2)
 * is computed while that loop runs, so no division sits on the chain. Results
 * differ from sequential sums only in the order of the additions.
 */
#ifndef SKREG_VECTOR_OPS_H
#define SKREG_VECTOR_OPS_H

#include <math.h> /* INFINITY, NAN */

#include "_simd.h" /* SKREG_CLONES, skreg_v4d, skreg_v8f */
#define SKREG_INLINE static inline __attribute__((always_inline))
/* How far ahead (in items of T) the moving pass prefetches its next column:
 * 2 KB, into the next page before the hardware prefetcher would (float64 at
 * 50 000 rows, 1.53-1.59 -> 1.44-1.49 times X.T @ r on 100 columns,
 * 1.47-1.53 -> 1.41-1.53 on 400). In bytes, not items: float32 at 1 KB took
 * 1.79 on 50 000 x 100 (medians of five alternated runs), 1.49-1.59 at 2 KB;
 * 4 and 8 KB were no better for float32 and worse for float64. */
#define SKREG_AHEAD(T) (2048 / (int)sizeof(T))

/* The arguments of every pass (see skreg_dpass at the end). */
#define SKREG_PASS_PARAMS(T)                                                   \
    int n, long ld, const T *X, T *r, T *w, const T *norms2, T l1, T l2,       \
        int positive, const int *ws, int n_ws, int random,                     \
        unsigned int *state, T *dw_max, T *w_max

/* xorshift32: how every kernel of _cd_fast.pyx draws coordinates in random
 * order (enough randomness for that, and nogil-safe). */
SKREG_INLINE unsigned int skreg_rand(unsigned int *state)
{
    unsigned int x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* With c != 0, r <- r + c x first; then return z . r. One pass over r. Where
 * the prefetch of z's lines runs past z's end it continues into nz, the
 * column after z (when known, else NULL). Every coordinate moving, ratios to
 * X.T @ r, seven alternated runs: 900 x 500 1.34 -> 1.28, 1000 x 200
 * 1.43 -> 1.36, 1000 x 1000 1.49 -> 1.43 and 1.42 -> 1.42, 15 000 x 100
 * 1.61 -> 1.46, 50 000 x 100 1.37 either way. */
#define SKREG_AXPY_DOT(NAME, T, V, W)                                          \
SKREG_INLINE T NAME(int n, T c, const T *x, T *r, const T *z, const T *nz)     \
{                                                                              \
    V a[8] = {{0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}};                         \
    int i = 0;                                                                 \
    if (c != 0) {                                                              \
        for (; i + 8 * W <= n; i += 8 * W) {                                   \
            if (i + SKREG_AHEAD(T) + 8 * W <= n)                               \
                for (int l = 0; l < 8 * W; l += 64 / (int)sizeof(T))           \
                    __builtin_prefetch(z + i + SKREG_AHEAD(T) + l);            \
            else if (nz)                                                       \
                for (int l = 0; l < 8 * W; l += 64 / (int)sizeof(T))           \
                    __builtin_prefetch(nz + i + SKREG_AHEAD(T) - n + l);       \
            for (int u = 0; u < 8; u++) {                                      \
                V rv = *(V *)(r + i + u * W) + c * *(const V *)(x + i + u * W);\
                *(V *)(r + i + u * W) = rv;                                    \
                a[u] += *(const V *)(z + i + u * W) * rv;                      \
            }                                                                  \
        }                                                                      \
        for (; i + W <= n; i += W) {                                           \
            V rv = *(V *)(r + i) + c * *(const V *)(x + i);                    \
            *(V *)(r + i) = rv;                                                \
            a[0] += *(const V *)(z + i) * rv;                                  \
        }                                                                      \
    } else {                                                                   \
        for (; i + 8 * W <= n; i += 8 * W)                                     \
            for (int u = 0; u < 8; u++)                                        \
                a[u] += *(const V *)(z + i + u * W) * *(V *)(r + i + u * W);   \
        for (; i + W <= n; i += W)                                             \
            a[0] += *(const V *)(z + i) * *(V *)(r + i);                       \
    }                                                                          \
    V s4 = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));  \
    T s = 0;                                                                   \
    for (int k = 0; k < W; k++)                                                \
        s += s4[k];                                                            \
    for (; i < n; i++) {                                                       \
        r[i] += c * x[i];                                                      \
        s += z[i] * r[i];                                                      \
    }                                                                          \
    return s;                                                                  \
}

/* z - clamp(z, lo, hi): the soft threshold, with lo = -l1 (or -inf when
 * positive) and hi = l1. No branches: gcc makes the two comparisons a max and
 * a min, where a mispredicted branch would cost more than the whole step on
 * short columns (and, in the register passes, the correlations running
 * beside it). */
#define SKREG_SHRINK(NAME, T)                                                  \
SKREG_INLINE T NAME(T z, T lo, T hi)                                           \
{                                                                              \
    T t = z < lo ? lo : z;                                                     \
    t = t > hi ? hi : t;                                                       \
    return z - t;                                                              \
}
SKREG_SHRINK(skreg_dshrink, double)
SKREG_SHRINK(skreg_sshrink, float)

/* The coordinate's new value: exact minimisation given its correlation g
 * with the residual, its squared norm, its value and 1 / (norm + l2) (0 for a
 * zero column). */
#define SKREG_STEP(NAME, SHRINK, T)                                            \
SKREG_INLINE T NAME(T g, T norm2, T w_j, T inv, T l1, int positive)            \
{                                                                              \
    return SHRINK(g + norm2 * w_j, positive ? -(T)INFINITY : -l1, l1) * inv;   \
}
SKREG_STEP(skreg_dstep, skreg_dshrink, double)
SKREG_STEP(skreg_sstep, skreg_sshrink, float)

/* Keep the largest |d| and |w_new| of a pass in dmax and wmax. */
#define SKREG_TRACK(d, w_new, dmax, wmax)                                      \
    do {                                                                       \
        if (((d) < 0 ? -(d) : (d)) > (dmax))                                   \
            (dmax) = (d) < 0 ? -(d) : (d);                                     \
        if (((w_new) < 0 ? -(w_new) : (w_new)) > (wmax))                       \
            (wmax) = (w_new) < 0 ? -(w_new) : (w_new);                         \
    } while (0)

/* Coordinate j's step from its correlation g (STEP as skreg_dstep): write
 * w[j], track the pass's maxima, return the change. The store is not behind
 * a branch either. */
#define SKREG_MOVE(NAME, STEP, T)                                              \
SKREG_INLINE T NAME(T g, int j, T *w, const T *norms2, T inv, T l1,            \
                    int positive, T *dmax, T *wmax)                            \
{                                                                              \
    T w_j = w[j], w_new = STEP(g, norms2[j], w_j, inv, l1, positive);          \
    T d = w_new - w_j;                                                         \
    w[j] = w_new;                                                              \
    SKREG_TRACK(d, w_new, *dmax, *wmax);                                       \
    return d;                                                                  \
}
SKREG_MOVE(skreg_dmove, skreg_dstep, double)
SKREG_MOVE(skreg_smove, skreg_sstep, float)

#include "_register_pass.h"
#include "_pair_pass.h"

/* The pass one coordinate at a time (arguments as skreg_dpass below). */
#define SKREG_PASS(NAME, AXPY_DOT, MOVE, T)                                    \
SKREG_CLONES static void NAME(SKREG_PASS_PARAMS(T))                            \
{                                                                              \
    T dmax = 0, wmax = 0, g, inv, inv_next = 0;                                \
    int j, j_next = 0;                                                         \
    j = random ? ws[skreg_rand(state) % n_ws] : ws[0];                         \
    g = AXPY_DOT(n, 0, X, r, X + j * ld, NULL);                                \
    inv = norms2[j] != 0 ? 1 / (norms2[j] + l2) : 0;                           \
    for (int k = 0; k < n_ws; k++) {                                           \
        T d;                                                                   \
        if (k + 1 < n_ws) {                                                    \
            j_next = random ? ws[skreg_rand(state) % n_ws] : ws[k + 1];        \
            inv_next = norms2[j_next] != 0 ? 1 / (norms2[j_next] + l2) : 0;    \
        }                                                                      \
        d = MOVE(g, j, w, norms2, inv, l1, positive, &dmax, &wmax);            \
        if (k + 1 < n_ws)                                                      \
            g = AXPY_DOT(n, -d, X + j * ld, r, X + j_next * ld,                \
                         !random && k + 2 < n_ws                               \
                             ? X + ws[k + 2] * ld : NULL);                     \
        else if (d != 0)                                                       \
            AXPY_DOT(n, -d, X + j * ld, r, X + j * ld, NULL);                  \
        j = j_next;                                                            \
        inv = inv_next;                                                        \
    }                                                                          \
    *dw_max = dmax;                                                            \
    *w_max = wmax;                                                             \
}

SKREG_AXPY_DOT(skreg_daxpy_dot, double, skreg_v4d, 4)
SKREG_AXPY_DOT(skreg_saxpy_dot, float, skreg_v8f, 8)
SKREG_PASS(skreg_dpass_single, skreg_daxpy_dot, skreg_dmove, double)
SKREG_PASS(skreg_spass_single, skreg_saxpy_dot, skreg_smove, float)
SKREG_AXPY2_DOT3(skreg_daxpy2_dot3, double, skreg_v4d, 4)
SKREG_AXPY2_DOT3(skreg_saxpy2_dot3, float, skreg_v8f, 8)
SKREG_PAIR_PASS(skreg_dpass_pairs, skreg_daxpy2_dot3, skreg_dmove, double)
SKREG_PAIR_PASS(skreg_spass_pairs, skreg_saxpy2_dot3, skreg_smove, float)

/* The streaming pair pass is the pair pass prefetching non-temporally. */
enum { SKREG_REGISTER_PASS, SKREG_PAIR_PASS, SKREG_SINGLE_PASS,
       SKREG_STREAM_PAIR_PASS };

/* Which kernel a pass over n_ws columns of n items of size bytes runs. */
static int skreg_pass_kind(int n, int size, int n_ws)
{
    if (n >= 1 && n <= skreg_regpass_rows(size))
        return SKREG_REGISTER_PASS;
    if (!skreg_pairs_fit(n, size, n_ws))
        return SKREG_SINGLE_PASS;
    return skreg_pairs_stream(n, size) ? SKREG_STREAM_PAIR_PASS
                                       : SKREG_PAIR_PASS;
}

/* How many values the pass over n_ws columns of n items of size bytes keeps
 * in `pair` (its cache of cross products, in a cyclic order): the block
 * pass's (register pass), one per pair (pair passes), or none. */
static long skreg_pass_cache_items(int n, int size, int n_ws)
{
    switch (skreg_pass_kind(n, size, n_ws)) {
    case SKREG_REGISTER_PASS:
        return skreg_regblock_items(n_ws);
    case SKREG_SINGLE_PASS:
        return 0;
    default:
        return ((long)n_ws + 1) / 2;
    }
}

/* One pass of coordinate descent over ws on the F-ordered X (columns ld
 * apart); see cd_dense in _cd_fast.pyx. Coordinates are ws in order, or drawn
 * from it with state when random. Returns the largest change and the largest
 * coefficient of the pass in dw_max and w_max. The kernel is skreg_pass_kind's:
 * columns that fit in registers take the register pass, columns that
 * skreg_pairs_fit gives it the pair pass, others the single pass above. The
 * first two read pair: the cache of cross products of a cyclic order, NULL
 * or skreg_pass_cache_items values, NaN until known. */
#define SKREG_DISPATCH(NAME, S, T)                                             \
static void NAME(SKREG_PASS_PARAMS(T), T *pair)                                \
{                                                                              \
    int kind;                                                                  \
    *dw_max = 0;                                                               \
    *w_max = 0;                                                                \
    if (n_ws == 0)                                                             \
        return;                                                                \
    kind = skreg_pass_kind(n, sizeof(T), n_ws);                                \
    if (kind == SKREG_REGISTER_PASS                                            \
        && skreg_regpass_##S(n, ld, X, r, w, norms2, l1, l2, positive, ws,     \
                             n_ws, random, state, dw_max, w_max, pair))        \
        return;                                                                \
    if (kind == SKREG_PAIR_PASS || kind == SKREG_STREAM_PAIR_PASS)             \
        skreg_##S##pass_pairs(n, ld, X, r, w, norms2, l1, l2, positive, ws,   \
                              n_ws, random, state, dw_max, w_max, pair,        \
                              kind == SKREG_STREAM_PAIR_PASS);                 \
    else                                                                       \
        skreg_##S##pass_single(n, ld, X, r, w, norms2, l1, l2, positive, ws,  \
                               n_ws, random, state, dw_max, w_max);            \
}
SKREG_DISPATCH(skreg_dpass, d, double)
SKREG_DISPATCH(skreg_spass, s, float)

#endif
