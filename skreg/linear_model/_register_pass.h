/* The dense passes for columns of at most 16 AVX-512 vectors (128 float64 or
 * 256 float32 rows), with the residual r held in zmm registers throughout.
 *
 * At such sizes a pass is bound by the chain from one coordinate to the
 * next: its correlation with r, summed across lanes, then its step, then
 * r's update, which the next correlation waits for. Two kernels shorten it.
 *
 * The block pass (cyclic order, with `pair`): coordinates go four at a time.
 * The block's four correlations are taken first; then the four steps run on
 * scalars, each correlation corrected by the steps before it in the block,
 *
 *     g_i = x_i . r - sum_{l < i} d_l (x_i . x_l),
 *
 * and each step's update of r is issued as soon as the step is known, so it
 * runs beside the next steps. Between two coordinates of a block the chain is
 * a few scalar operations; only one sum across lanes per block remains on
 * it. The six cross products of a block are the same in every pass: `pair`
 * keeps them (skreg_regblock_items per pass; NaN until known), and only the
 * first pass over a block computes them. Callers keep `pair` across calls.
 * Against the one-ahead pass below, 1000 columns, every coordinate moving,
 * times X.T @ r (alternated runs): float64 100 rows 1.58-1.64 -> 1.37-1.50,
 * float32 100 rows 1.74-1.82 -> 1.35-1.44, 200 rows 1.61-1.64 -> 1.39-1.49;
 * a call of five passes that fills the cache, 1.50-1.69.
 *
 * The one-ahead pass (random order, or no `pair`): each correlation is
 * started one coordinate early,
 *
 *     h = x_next . r           before r takes this coordinate's step d,
 *     g_next = h - d c         with c = x_next . x_j,
 *
 * c computed with h when the coordinate is likely to move (it is nonzero, or
 * the previous one moved), and after the update otherwise.
 *
 * Compiled for AVX-512F through GCC's target attribute; skreg_regpass_d/s
 * return 0 without running when the CPU lacks it, the column is too long, or
 * the compiler is not GCC on x86-64, and the caller falls back. The result
 * equals the fallback's up to rounding (the order of the additions, and the
 * block pass's fused step).
 */
#ifndef SKREG_REGISTER_PASS_H
#define SKREG_REGISTER_PASS_H

#define SKREG_BLOCK 4
#define SKREG_BLOCK_PAIRS (SKREG_BLOCK * (SKREG_BLOCK - 1) / 2)

/* The values the block pass keeps in `pair` for a pass over n_ws columns. */
static long skreg_regblock_items(int n_ws)
{
    return SKREG_BLOCK_PAIRS * (((long)n_ws + SKREG_BLOCK - 1) / SKREG_BLOCK);
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#define SKREG_AVX512 __attribute__((target("avx512f,fma"), noinline))
#define SKREG_AVX512_INLINE                                                   \
    static inline __attribute__((always_inline, target("avx512f,fma")))
#define SKREG_REG_MAX 16
#define SKREG_LANES_d 8
#define SKREG_LANES_s 16
#define SKREG_FMA_d __builtin_fma
#define SKREG_FMA_s __builtin_fmaf
typedef __mmask8 skreg_mask_d;
typedef __mmask16 skreg_mask_s;
typedef __m512d skreg_vec_d;
typedef __m512 skreg_vec_s;
#define SKREG_REGPASS_PARAMS(T) SKREG_PASS_PARAMS(T), T *pair

/* Set by tests (_cd_fast._use_register_pass) to run what CPUs without
 * AVX-512 run. */
static int skreg_regpass_off = 0;

static int skreg_has_avx512(void)
{
    static int known = -1; /* a race here only repeats the same answer */
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    }
    return known && !skreg_regpass_off;
}

/* Vector u of a column of nv vectors; the last one holds the rows left (m). */
#define SKREG_VLD(S, p, u, nv, m)                                              \
    ((u) < (nv) - 1 ? _mm512_loadu_p##S((p) + (u) * SKREG_LANES_##S)           \
                    : _mm512_maskz_loadu_p##S(m, (p) + (u) * SKREG_LANES_##S))

/* Four accumulators: with eight the kernel runs out of registers. */
#define SKREG_VACC(S, a, u, prod_x, prod_y)                                    \
    (a[(u) & 3] = (u) < 4 ? _mm512_mul_p##S(prod_x, prod_y)                    \
                          : _mm512_fmadd_p##S(prod_x, prod_y, a[(u) & 3]))
#define SKREG_VSUM(S, a, nv)                                                   \
    _mm512_reduce_add_p##S((nv) >= 4 ? _mm512_add_p##S(                        \
                                           _mm512_add_p##S(a[0], a[1]),        \
                                           _mm512_add_p##S(a[2], a[3]))        \
                           : (nv) == 3 ? _mm512_add_p##S(                      \
                                             _mm512_add_p##S(a[0], a[1]), a[2])\
                           : (nv) == 2 ? _mm512_add_p##S(a[0], a[1]) : a[0])

/* OUT = x . r, r in registers. */
#define SKREG_VDOT_R(S, VT, OUT, x, r, nv, m)                                  \
    do {                                                                       \
        VT a_[4];                                                              \
        _Pragma("GCC unroll 16")                                               \
        for (int u = 0; u < nv; u++)                                           \
            SKREG_VACC(S, a_, u, SKREG_VLD(S, x, u, nv, m), r[u]);             \
        OUT = SKREG_VSUM(S, a_, nv);                                           \
    } while (0)

/* OUT = x . y, both columns. */
#define SKREG_VDOT_C(S, VT, OUT, x, y, nv, m)                                  \
    do {                                                                       \
        VT a_[4];                                                              \
        _Pragma("GCC unroll 16")                                               \
        for (int u = 0; u < nv; u++)                                           \
            SKREG_VACC(S, a_, u, SKREG_VLD(S, x, u, nv, m),                    \
                       SKREG_VLD(S, y, u, nv, m));                             \
        OUT = SKREG_VSUM(S, a_, nv);                                           \
    } while (0)

/* OUT = x . r and OUT2 = x . y, reading x once. */
#define SKREG_VDOT_RC(S, VT, OUT, OUT2, x, r, y, nv, m)                        \
    do {                                                                       \
        VT a_[4], b_[2] = {_mm512_setzero_p##S(), _mm512_setzero_p##S()};      \
        _Pragma("GCC unroll 16")                                               \
        for (int u = 0; u < nv; u++) {                                         \
            VT x_ = SKREG_VLD(S, x, u, nv, m);                                 \
            SKREG_VACC(S, a_, u, x_, r[u]);                                    \
            b_[u & 1] = _mm512_fmadd_p##S(x_, SKREG_VLD(S, y, u, nv, m),       \
                                          b_[u & 1]);                          \
        }                                                                      \
        OUT = SKREG_VSUM(S, a_, nv);                                           \
        OUT2 = _mm512_reduce_add_p##S(_mm512_add_p##S(b_[0], b_[1]));          \
    } while (0)

/* The mask of the last of nv vectors over n rows. */
#define SKREG_LAST_MASK(S, n, nv)                                              \
    ((skreg_mask_##S)((n) - ((nv) - 1) * SKREG_LANES_##S >= SKREG_LANES_##S    \
                          ? ~0u                                                \
                          : (1u << ((n) - ((nv) - 1) * SKREG_LANES_##S)) - 1))

/* The residual r into the registers v, and back. */
#define SKREG_R_LOAD(S, v, r, nv, m)                                           \
    do {                                                                       \
        _Pragma("GCC unroll 16")                                               \
        for (int u_ = 0; u_ < nv; u_++)                                        \
            v[u_] = SKREG_VLD(S, r, u_, nv, m);                                \
    } while (0)
#define SKREG_R_STORE(S, v, r, nv, m)                                          \
    do {                                                                       \
        _Pragma("GCC unroll 16")                                               \
        for (int u_ = 0; u_ < nv; u_++) {                                      \
            if (u_ < nv - 1)                                                   \
                _mm512_storeu_p##S(r + u_ * SKREG_LANES_##S, v[u_]);           \
            else                                                               \
                _mm512_mask_storeu_p##S(r + u_ * SKREG_LANES_##S, m, v[u_]);   \
        }                                                                      \
    } while (0)

/* The one-ahead pass for columns of exactly nv vectors (nv a constant once
 * inlined); arguments as skreg_dpass in _vector_ops.h, plus pair, which it
 * does not read (a cyclic order with pair takes the block pass). */
#define SKREG_REGPASS_BODY(S, T, VT)                                           \
SKREG_AVX512_INLINE void skreg_regpass_body_##S(                               \
    int nv, SKREG_REGPASS_PARAMS(T))                                           \
{                                                                              \
    const skreg_mask_##S m = SKREG_LAST_MASK(S, n, nv);                        \
    /* positive: the clamp has no lower end, so z - clamp = max(z - l1, 0) */  \
    const T lo = positive ? -(T)INFINITY : -l1;                                \
    VT v[SKREG_REG_MAX]; /* the residual */                                    \
    T dmax = 0, wmax = 0, g, h = 0, c = 0, inv, inv_next = 0;                  \
    int j, j_next = 0, moved = 0;                                              \
    SKREG_R_LOAD(S, v, r, nv, m);                                              \
    j = random ? ws[skreg_rand(state) % n_ws] : ws[0];                         \
    SKREG_VDOT_R(S, VT, g, X + j * ld, v, nv, m);                              \
    inv = norms2[j] != 0 ? 1 / (norms2[j] + l2) : 0;                           \
    for (int k = 0; k < n_ws; k++) {                                           \
        const T *xj = X + j * ld, *xn = xj;                                    \
        T w_j = w[j], w_new, d;                                                \
        int next = k + 1 < n_ws, known = 0;                                    \
        if (next) {                                                            \
            j_next = random ? ws[skreg_rand(state) % n_ws] : ws[k + 1];        \
            xn = X + j_next * ld;                                              \
            inv_next = norms2[j_next] != 0 ? 1 / (norms2[j_next] + l2) : 0;    \
            if (w_j != 0 || moved) {                                           \
                SKREG_VDOT_RC(S, VT, h, c, xn, v, xj, nv, m);                  \
                known = 1;                                                     \
            } else                                                             \
                SKREG_VDOT_R(S, VT, h, xn, v, nv, m);                          \
        }                                                                      \
        {   /* branch-free: a mispredicted branch would discard h */           \
            T z = g + norms2[j] * w_j;                                         \
            w_new = skreg_##S##shrink(z, lo, l1) * inv;                        \
        }                                                                      \
        d = w_new - w_j;                                                       \
        g = h;                                                                 \
        if (d != 0) {                                                          \
            VT dv = _mm512_set1_p##S(d);                                       \
            w[j] = w_new;                                                      \
            _Pragma("GCC unroll 16")                                           \
            for (int u = 0; u < nv; u++)                                       \
                v[u] = _mm512_fnmadd_p##S(dv, SKREG_VLD(S, xj, u, nv, m),      \
                                          v[u]);                               \
            if (next) {                                                        \
                if (!known)                                                    \
                    SKREG_VDOT_C(S, VT, c, xn, xj, nv, m);                     \
                g = h - d * c;                                                 \
            }                                                                  \
        }                                                                      \
        SKREG_TRACK(d, w_new, dmax, wmax);                                     \
        moved = d != 0;                                                        \
        j = j_next;                                                            \
        inv = inv_next;                                                        \
    }                                                                          \
    SKREG_R_STORE(S, v, r, nv, m);                                             \
    *dw_max = dmax;                                                            \
    *w_max = wmax;                                                             \
}

/* The block pass (see the top). A block's cross products x_i . x_l, l > i,
 * sit in pair at SKREG_BLOCK_PAIRS * block + l (l - 1) / 2 + i. Its
 * correlations are taken one column after the other, so the first is ready
 * first. The last block may be short: its missing columns repeat its last
 * one and take no step. A coordinate that ws repeats within a block keeps
 * 0 as the cross product of its two places: g_i + norm2_i w_i, taken at the
 * block's start, is unchanged by its own earlier step (the residual's change
 * and the coefficient's cancel).
 * Four coordinates per block, not eight: eight were slower from 100 rows on
 * (float64 100 x 1000, 14.5 -> 16.1 ns per coordinate). Starting the next
 * block's correlations on r before this block's updates (corrected through
 * 16 more cross products) took the last sum off the chain, and was faster
 * only on single-vector columns (float32 16 rows, 6.8 -> 5.9 ns) and slower
 * from 100 rows on (float32 8.8 -> 10.2 ns). */
#define SKREG_REGBLOCK_BODY(S, T, VT)                                          \
SKREG_AVX512_INLINE void skreg_regblock_body_##S(                              \
    int nv, SKREG_REGPASS_PARAMS(T))                                           \
{                                                                              \
    const skreg_mask_##S m = SKREG_LAST_MASK(S, n, nv);                        \
    const T lo = positive ? -(T)INFINITY : -l1;                                \
    VT v[SKREG_REG_MAX];                                                       \
    T dmax = 0, wmax = 0;                                                      \
    SKREG_R_LOAD(S, v, r, nv, m);                                              \
    for (int k0 = 0; k0 < n_ws; k0 += SKREG_BLOCK) {                           \
        const int nb = n_ws - k0 < SKREG_BLOCK ? n_ws - k0 : SKREG_BLOCK;      \
        T *G = pair + SKREG_BLOCK_PAIRS * (k0 / SKREG_BLOCK);                  \
        const T *x[SKREG_BLOCK];                                               \
        T z[SKREG_BLOCK];                                                      \
        int jj[SKREG_BLOCK];                                                   \
        _Pragma("GCC unroll 16")                                               \
        for (int i = 0; i < SKREG_BLOCK; i++) {                                \
            jj[i] = ws[k0 + (i < nb ? i : nb - 1)];                            \
            x[i] = X + jj[i] * ld;                                             \
        }                                                                      \
        _Pragma("GCC unroll 16")                                               \
        for (int i = 0; i < SKREG_BLOCK; i++) {                                \
            T h_;                                                              \
            SKREG_VDOT_R(S, VT, h_, x[i], v, nv, m);                           \
            z[i] = h_ + norms2[jj[i]] * w[jj[i]];                              \
        }                                                                      \
        /* reload x below: gcc kept its vectors and spilled them instead */    \
        __asm__ volatile("" ::: "memory");                                     \
        if (!(G[0] == G[0])) {                                                 \
            T *g_ = G;                                                         \
            _Pragma("GCC unroll 16")                                           \
            for (int l = 1; l < SKREG_BLOCK; l++)                              \
                _Pragma("GCC unroll 16")                                       \
                for (int i = 0; i < l; i++, g_++)                              \
                    SKREG_VDOT_C(S, VT, *g_, x[i], x[l], nv, m);               \
            /* see above: a repeated coordinate (apart from the dot products: \
             * within them, the test cost every pass 5-10%) */                 \
            for (int l = 1; l < SKREG_BLOCK; l++)                              \
                for (int i = 0; i < l; i++)                                    \
                    if (jj[i] == jj[l])                                        \
                        G[l * (l - 1) / 2 + i] = 0;                            \
        }                                                                      \
        _Pragma("GCC unroll 16")                                               \
        for (int i = 0; i < SKREG_BLOCK; i++) {                                \
            const int j = jj[i];                                               \
            const T w_j = w[j];                                                \
            const T inv = norms2[j] != 0 ? 1 / (norms2[j] + l2) : 0;           \
            T t_, w_new, d;                                                    \
            if (i >= nb)                                                       \
                break;                                                         \
            t_ = skreg_##S##shrink(z[i], lo, l1);                              \
            w_new = t_ * inv;                                                  \
            /* d in one fused step, not w_new - w_j: 3-6% faster (float32     \
             * 16-200 rows, float64 100-128). r then follows w to half an ulp  \
             * of w per step, and exactly where w_j or w_new is 0. */          \
            d = SKREG_FMA_##S(t_, inv, -w_j);                                  \
            if (d != 0) {                                                      \
                VT dv = _mm512_set1_p##S(d);                                   \
                w[j] = w_new;                                                  \
                _Pragma("GCC unroll 16")                                       \
                for (int u = 0; u < nv; u++)                                   \
                    v[u] = _mm512_fnmadd_p##S(                                 \
                        dv, SKREG_VLD(S, x[i], u, nv, m), v[u]);               \
                _Pragma("GCC unroll 16")                                       \
                for (int l = i + 1; l < SKREG_BLOCK; l++)                      \
                    z[l] -= G[l * (l - 1) / 2 + i] * d;                        \
            }                                                                  \
            SKREG_TRACK(d, w_new, dmax, wmax);                                 \
        }                                                                      \
    }                                                                          \
    SKREG_R_STORE(S, v, r, nv, m);                                             \
    *dw_max = dmax;                                                            \
    *w_max = wmax;                                                             \
}

#define SKREG_REGPASS_ARGS                                                     \
    n, ld, X, r, w, norms2, l1, l2, positive, ws, n_ws, random, state,         \
        dw_max, w_max, pair

/* One compiled pass per column length, so r[] maps onto registers. */
#define SKREG_REGPASS_NV(S, T, NV)                                             \
SKREG_AVX512 static void skreg_regblock_##S##NV(SKREG_REGPASS_PARAMS(T))       \
{                                                                              \
    skreg_regblock_body_##S(NV, SKREG_REGPASS_ARGS);                           \
}                                                                              \
SKREG_AVX512 static void skreg_regpass_##S##NV(SKREG_REGPASS_PARAMS(T))        \
{                                                                              \
    if (pair && !random)                                                       \
        skreg_regblock_##S##NV(SKREG_REGPASS_ARGS);                            \
    else                                                                       \
        skreg_regpass_body_##S(NV, SKREG_REGPASS_ARGS);                        \
}

#define SKREG_REGPASS_ALL(S, T)                                                \
SKREG_REGPASS_BODY(S, T, skreg_vec_##S)                                        \
SKREG_REGBLOCK_BODY(S, T, skreg_vec_##S)                                       \
SKREG_REGPASS_NV(S, T, 1) SKREG_REGPASS_NV(S, T, 2)                            \
SKREG_REGPASS_NV(S, T, 3) SKREG_REGPASS_NV(S, T, 4)                            \
SKREG_REGPASS_NV(S, T, 5) SKREG_REGPASS_NV(S, T, 6)                            \
SKREG_REGPASS_NV(S, T, 7) SKREG_REGPASS_NV(S, T, 8)                            \
SKREG_REGPASS_NV(S, T, 9) SKREG_REGPASS_NV(S, T, 10)                           \
SKREG_REGPASS_NV(S, T, 11) SKREG_REGPASS_NV(S, T, 12)                          \
SKREG_REGPASS_NV(S, T, 13) SKREG_REGPASS_NV(S, T, 14)                          \
SKREG_REGPASS_NV(S, T, 15) SKREG_REGPASS_NV(S, T, 16)                          \
static void (*const skreg_regpasses_##S[SKREG_REG_MAX])(                       \
    SKREG_REGPASS_PARAMS(T)) = {                                               \
    skreg_regpass_##S##1, skreg_regpass_##S##2, skreg_regpass_##S##3,          \
    skreg_regpass_##S##4, skreg_regpass_##S##5, skreg_regpass_##S##6,          \
    skreg_regpass_##S##7, skreg_regpass_##S##8, skreg_regpass_##S##9,          \
    skreg_regpass_##S##10, skreg_regpass_##S##11, skreg_regpass_##S##12,       \
    skreg_regpass_##S##13, skreg_regpass_##S##14, skreg_regpass_##S##15,       \
    skreg_regpass_##S##16};                                                    \
static int skreg_regpass_##S(SKREG_REGPASS_PARAMS(T))                          \
{                                                                              \
    int nv = (n + SKREG_LANES_##S - 1) / SKREG_LANES_##S;                      \
    if (n < 1 || nv > SKREG_REG_MAX || !skreg_has_avx512())                    \
        return 0;                                                              \
    skreg_regpasses_##S[nv - 1](SKREG_REGPASS_ARGS);                           \
    return 1;                                                                  \
}

SKREG_REGPASS_ALL(d, double)
SKREG_REGPASS_ALL(s, float)

/* The longest column the register pass takes here, for items of size bytes. */
static int skreg_regpass_rows(int size)
{
    return skreg_has_avx512() ? SKREG_REG_MAX * 64 / size : 0;
}

#else /* no AVX-512 kernel: every call falls back */
static int skreg_regpass_off = 0;
#define skreg_regpass_d(...) 0
#define skreg_regpass_s(...) 0
#define skreg_regpass_rows(size) 0
#endif

#endif
