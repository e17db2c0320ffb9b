/* The dense pass with each correlation started two coordinates early, for
 * columns too long for registers (included by _vector_ops.h, whose
 * definitions it uses).
 *
 * In the single pass, the sweep that applies coordinate k's step d_k to the
 * residual also computes the correlation of coordinate k + 1, whose step then
 * waits for that sweep's sum: one sweep plus one reduction per coordinate on
 * the critical chain. Here that sweep computes h = x_{k+2} . r instead, and
 *
 *     g_{k+2} = h - d_{k+1} x_{k+2} . x_{k+1},
 *
 * since r still lacks step k + 1, which was known before the sweep began. The
 * sweep after it (which applies d_{k+1}) does not wait for h, so two sweeps
 * overlap and the chain is paid once per two coordinates. Memory traffic is
 * the single pass's: each sweep reads two columns and reads and writes r.
 *
 * The cross products of a cyclic order are the same in every pass: as for the
 * register pass, the caller may keep them in `pair` (pair[k] = x_{ws[k+1]} .
 * x_{ws[k]}, NaN until known). A product not yet known is computed in the same
 * sweep when the coordinate in between moves, and not at all otherwise.
 */
#ifndef SKREG_AHEAD_PASS_H
#define SKREG_AHEAD_PASS_H

#include <math.h> /* NAN */

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)            \
    && defined(__ELF__) && defined(__GLIBC__)
#define SKREG_AHEAD_CLONES                                                     \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SKREG_AHEAD_CLONES
#endif

/* Whole cache lines per vector: one AVX-512 register, two AVX2 ones. */
typedef double skreg_v8d __attribute__((vector_size(64), aligned(8), may_alias));
typedef float skreg_v16f __attribute__((vector_size(64), aligned(4), may_alias));

/* The lanes of v summed as a tree: a sequential sum would put W additions on
 * the chain that the next step waits for. */
#define SKREG_LANE_SUM(T, V, W, v)                                             \
    ({                                                                         \
        T t_[W];                                                               \
        for (int k_ = 0; k_ < W; k_++)                                         \
            t_[k_] = (v)[k_];                                                  \
        for (int h_ = W / 2; h_ >= 1; h_ /= 2)                                 \
            for (int k_ = 0; k_ < h_; k_++)                                    \
                t_[k_] += t_[k_ + h_];                                         \
        t_[0];                                                                 \
    })

/* r += c x (when c != 0); then return z . r. */
#define SKREG_AXPY_DOT1(NAME, T, V, W)                                         \
SKREG_INLINE T NAME(int n, T c, const T *x, T *r, const T *z)                  \
{                                                                              \
    V a[4] = {{0}, {0}, {0}, {0}};                                             \
    T s = 0;                                                                   \
    int i = 0;                                                                 \
    if (c != 0)                                                                \
        for (; i + 4 * W <= n; i += 4 * W)                                     \
            for (int u = 0; u < 4; u++) {                                      \
                V rv = *(V *)(r + i + u * W) + c * *(const V *)(x + i + u * W);\
                *(V *)(r + i + u * W) = rv;                                    \
                a[u] += *(const V *)(z + i + u * W) * rv;                      \
            }                                                                  \
    else                                                                       \
        for (; i + 4 * W <= n; i += 4 * W)                                     \
            for (int u = 0; u < 4; u++)                                        \
                a[u] += *(const V *)(z + i + u * W) * *(V *)(r + i + u * W);   \
    for (; i + W <= n; i += W) {                                               \
        V rv = *(V *)(r + i);                                                  \
        if (c != 0) {                                                          \
            rv += c * *(const V *)(x + i);                                     \
            *(V *)(r + i) = rv;                                                \
        }                                                                      \
        a[0] += *(const V *)(z + i) * rv;                                      \
    }                                                                          \
    s = SKREG_LANE_SUM(T, V, W, (a[0] + a[1]) + (a[2] + a[3]));                \
    for (; i < n; i++) {                                                       \
        r[i] += c * x[i];                                                      \
        s += z[i] * r[i];                                                      \
    }                                                                          \
    return s;                                                                  \
}

/* r += c x (when c != 0); then return z . r and store z . y in *zy. */
#define SKREG_AXPY_DOT2(NAME, T, V, W)                                         \
SKREG_INLINE T NAME(int n, T c, const T *x, T *r, const T *z, const T *y,      \
                    T *zy)                                                     \
{                                                                              \
    V a[4] = {{0}, {0}, {0}, {0}}, b[4] = {{0}, {0}, {0}, {0}};                \
    T s = 0, t = 0;                                                            \
    int i = 0;                                                                 \
    for (; i + 4 * W <= n; i += 4 * W)                                         \
        for (int u = 0; u < 4; u++) {                                          \
            V rv = *(V *)(r + i + u * W);                                      \
            V zv = *(const V *)(z + i + u * W);                                \
            if (c != 0) {                                                      \
                rv += c * *(const V *)(x + i + u * W);                         \
                *(V *)(r + i + u * W) = rv;                                    \
            }                                                                  \
            a[u] += zv * rv;                                                   \
            b[u] += zv * *(const V *)(y + i + u * W);                          \
        }                                                                      \
    for (; i + W <= n; i += W) {                                               \
        V rv = *(V *)(r + i), zv = *(const V *)(z + i);                        \
        if (c != 0) {                                                          \
            rv += c * *(const V *)(x + i);                                     \
            *(V *)(r + i) = rv;                                                \
        }                                                                      \
        a[0] += zv * rv;                                                       \
        b[0] += zv * *(const V *)(y + i);                                      \
    }                                                                          \
    s = SKREG_LANE_SUM(T, V, W, (a[0] + a[1]) + (a[2] + a[3]));                \
    t = SKREG_LANE_SUM(T, V, W, (b[0] + b[1]) + (b[2] + b[3]));                \
    for (; i < n; i++) {                                                       \
        r[i] += c * x[i];                                                      \
        s += z[i] * r[i];                                                      \
        t += z[i] * y[i];                                                      \
    }                                                                          \
    *zy = t;                                                                   \
    return s;                                                                  \
}

/* The step of SKREG_STEP without branches (z - clamp(z) is the soft
 * threshold; inv = 0 for a zero column): a mispredicted branch would throw
 * away the sweeps running ahead. lo is -l1, or -inf when positive. */
#define SKREG_AHEAD_STEP(g, norm2, w_j, inv, lo, l1)                           \
    ({                                                                         \
        __typeof__(g) z_ = (g) + (norm2) * (w_j), t_ = z_ < (lo) ? (lo) : z_;  \
        t_ = t_ > (l1) ? (l1) : t_;                                            \
        (z_ - t_) * (inv);                                                     \
    })

/* Arguments as skreg_dpass in _vector_ops.h, with pair. */
#define SKREG_AHEAD_PASS(NAME, AXPY_DOT, AXPY_DOT2, T)                         \
SKREG_AHEAD_CLONES static void NAME(SKREG_PASS_PARAMS(T), T *pair)             \
{                                                                              \
    const T lo = positive ? -(T)INFINITY : -l1;                                \
    T dmax = 0, wmax = 0, d, d_next = 0, g_next = 0, c, w_new;                 \
    int j, j_next = 0;                                                         \
    const T *xj;                                                               \
    /* coordinate 0: its step, and the exact correlation of coordinate 1 */    \
    j = random ? ws[skreg_rand(state) % n_ws] : ws[0];                         \
    xj = X + j * ld;                                                           \
    {                                                                          \
        T g = AXPY_DOT(n, 0, X, r, xj);                                        \
        T inv = norms2[j] != 0 ? 1 / (norms2[j] + l2) : 0;                     \
        w_new = SKREG_AHEAD_STEP(g, norms2[j], w[j], inv, lo, l1);             \
        d = w_new - w[j];                                                      \
        w[j] = w_new;                                                          \
        SKREG_TRACK(d, w_new, dmax, wmax);                                     \
    }                                                                          \
    if (n_ws > 1) {                                                            \
        j_next = random ? ws[skreg_rand(state) % n_ws] : ws[1];                \
        c = pair ? pair[0] : NAN;                                              \
        if (d != 0 && c != c) {                                                \
            g_next = AXPY_DOT2(n, 0, X, r, X + j_next * ld, xj, &c);           \
            if (pair)                                                          \
                pair[0] = c;                                                   \
        } else                                                                 \
            g_next = AXPY_DOT(n, 0, X, r, X + j_next * ld);                    \
        if (d != 0)                                                            \
            g_next -= d * c;                                                   \
    }                                                                          \
    /* Here w holds d (coordinate j's step) and r does not; g_next is exact. */\
    for (int k = 0; k < n_ws; k++) {                                           \
        int j_after = 0;                                                       \
        if (k + 1 < n_ws) {                                                    \
            T inv = norms2[j_next] != 0 ? 1 / (norms2[j_next] + l2) : 0;       \
            T w_old = w[j_next];                                               \
            w_new = SKREG_AHEAD_STEP(g_next, norms2[j_next], w_old, inv, lo,   \
                                     l1);                                      \
            d_next = w_new - w_old;                                            \
            w[j_next] = w_new;                                                 \
            SKREG_TRACK(d_next, w_new, dmax, wmax);                            \
        }                                                                      \
        if (k + 2 < n_ws) {                                                    \
            const T *xa;                                                       \
            T h;                                                               \
            j_after = random ? ws[skreg_rand(state) % n_ws] : ws[k + 2];       \
            xa = X + j_after * ld;                                             \
            c = pair ? pair[k + 1] : NAN;                                      \
            if (d_next != 0 && c != c) {                                       \
                h = AXPY_DOT2(n, -d, xj, r, xa, X + j_next * ld, &c);          \
                if (pair)                                                      \
                    pair[k + 1] = c;                                           \
            } else                                                             \
                h = AXPY_DOT(n, -d, xj, r, xa);                                \
            g_next = d_next != 0 ? h - d_next * c : h;                         \
        } else if (d != 0)                                                     \
            AXPY_DOT(n, -d, xj, r, xj);                                        \
        j = j_next;                                                            \
        xj = X + j * ld;                                                       \
        d = d_next;                                                            \
        d_next = 0;                                                            \
        j_next = j_after;                                                      \
    }                                                                          \
    *dw_max = dmax;                                                            \
    *w_max = wmax;                                                             \
}

#endif
