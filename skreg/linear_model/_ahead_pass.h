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

#include "_simd.h"

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

/* Arguments as skreg_dpass in _vector_ops.h, with pair; MOVE as skreg_dmove.
 * The loop starts at k = -1 with a step d = 0 of no coordinate, so its first
 * turn moves coordinate 0 and computes coordinate 1's correlation. */
#define SKREG_AHEAD_PASS(NAME, AXPY_DOT, AXPY_DOT2, MOVE, T)                   \
SKREG_LINE_CLONES static void NAME(SKREG_PASS_PARAMS(T), T *pair)              \
{                                                                              \
    T dmax = 0, wmax = 0, d = 0, d_next = 0, g_next, c;                        \
    int j_next = random ? ws[skreg_rand(state) % n_ws] : ws[0];                \
    const T *xj = X;                                                           \
    g_next = AXPY_DOT(n, 0, X, r, X + j_next * ld);                            \
    /* Each turn: w holds step d of column xj and r does not; g_next is the    \
     * exact correlation of coordinate j_next. */                              \
    for (int k = -1; k < n_ws; k++) {                                          \
        int j_after = 0;                                                       \
        if (k + 1 < n_ws) {                                                    \
            T inv = norms2[j_next] != 0 ? 1 / (norms2[j_next] + l2) : 0;       \
            d_next = MOVE(g_next, j_next, w, norms2, inv, l1, positive,        \
                          &dmax, &wmax);                                       \
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
        xj = X + j_next * ld;                                                  \
        d = d_next;                                                            \
        d_next = 0;                                                            \
        j_next = j_after;                                                      \
    }                                                                          \
    *dw_max = dmax;                                                            \
    *w_max = wmax;                                                             \
}

#endif
