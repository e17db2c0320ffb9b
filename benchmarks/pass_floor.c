/* The memory traffic of a coordinate-descent pass, without the solver.
 *
 * bench_cd_epoch.py compares a pass with X.T @ r. This program asks what the
 * best pass that keeps a residual can reach on this machine: it times the
 * pass's memory pattern alone, with a scalar step per coordinate but none of
 * the kernels' dispatch, caches or calls. Every column is read twice, once for
 * its correlation with r and once, after its step, to update r; the second
 * read comes from cache, a whole column sweep later.
 *
 *   product  X.T @ r, four columns per sweep of r, so r is read once per four
 *            (float32 10 000 x 200: 110-131 us here, numpy's 125-155 us)
 *   pairs    one sweep per two coordinates: the previous pair's update of r
 *            and this pair's correlations (the pair pass of _pair_pass.h)
 *   quads    the same, four coordinates per sweep
 *   ... nopf the same without prefetching the next block's columns into L2
 *
 * Steps: coordinate i of a block takes g_i = x_i . r - sum_{l<i} d_l G_il
 * (G: made-up cross products) and a soft threshold, so the sweeps wait for
 * their steps as the real passes do. Values do not matter here, only times.
 *
 * Prints the median over alternated runs of each pass's time over the
 * product's.
 *
 *   gcc -O3 -march=native -o pass_floor benchmarks/pass_floor.c
 *   ./pass_floor 10000 200            # float32, 64-byte vectors
 *   gcc -O3 -march=native -DFLOOR_DOUBLE -DFLOOR_VECTOR_BYTES=32 ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef FLOOR_DOUBLE
typedef double T;
#else
typedef float T;
#endif
#ifndef FLOOR_VECTOR_BYTES
#define FLOOR_VECTOR_BYTES 64
#endif
typedef T V __attribute__((vector_size(FLOOR_VECTOR_BYTES), aligned(sizeof(T)),
                           may_alias));
#define W (FLOOR_VECTOR_BYTES / (int)sizeof(T))
#define LINE (64 / (int)sizeof(T))
#define RUNS 61

static T *cross, *w, lam = (T)0.01;

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static T lane_sum(V v)
{
    T s = 0;
    for (int q = 0; q < W; q++)
        s += v[q];
    return s;
}

__attribute__((noinline)) static void product(int n, int k, const T *X,
                                              const T *r, T *out)
{
    for (int j = 0; j + 4 <= k; j += 4) {
        const T *x = X + (long)j * n;
        V a[2][4] = {{{0}}};
        for (int i = 0; i < n; i += 2 * W)
            for (int u = 0; u < 2; u++)
                for (int l = 0; l < 4; l++)
                    a[u][l] += *(const V *)(x + (long)l * n + i + u * W)
                               * *(const V *)(r + i + u * W);
        for (int l = 0; l < 4; l++)
            out[j + l] = lane_sum(a[0][l] + a[1][l]);
    }
}

/* One sweep per block of B columns: r -= sum d_l x_l over the previous block,
 * then this block's correlations, prefetching the next block when asked. */
#define BLOCK_PASS(NAME, B)                                                   \
__attribute__((noinline)) static void NAME(int n, int k, const T *X, T *r,    \
                                           T *out, int prefetch)              \
{                                                                             \
    T d[B] = {0};                                                             \
    for (int b = 0; b <= k / B; b++) {                                        \
        int has_old = b > 0, has_cur = b < k / B;                             \
        int ahead = prefetch && b + 1 < k / B;                                \
        /* (no pointer outside X, even unread) */                             \
        const T *old = has_old ? X + (long)(b - 1) * B * n : X;               \
        const T *cur = has_cur ? X + (long)b * B * n : X;                     \
        const T *next = ahead ? X + (long)(b + 1) * B * n : X;                \
        V a[2][B];                                                            \
        for (int l = 0; l < B; l++)                                           \
            a[0][l] = a[1][l] = (V){0};                                       \
        for (int i = 0; i < n; i += 2 * W) {                                  \
            if (ahead)                                                        \
                for (int p = 0; p < 2 * W; p += LINE)                         \
                    for (int l = 0; l < B; l++)                               \
                        __builtin_prefetch(next + (long)l * n + i + p, 0, 2); \
            for (int u = 0; u < 2; u++) {                                     \
                V rv = *(V *)(r + i + u * W);                                 \
                if (has_old) {                                                \
                    for (int l = 0; l < B; l++)                               \
                        rv -= d[l] * *(const V *)(old + (long)l * n + i       \
                                                  + u * W);                   \
                    *(V *)(r + i + u * W) = rv;                               \
                }                                                             \
                if (has_cur)                                                  \
                    for (int l = 0; l < B; l++)                               \
                        a[u][l] += *(const V *)(cur + (long)l * n + i         \
                                                + u * W) * rv;                \
            }                                                                 \
        }                                                                     \
        if (!has_cur)                                                         \
            break;                                                            \
        for (int l = 0; l < B; l++) {                                         \
            const T *G = cross + (long)(b * B + l) * B;                       \
            T g = lane_sum(a[0][l] + a[1][l]), z, t, w_new;                   \
            for (int m = 0; m < l; m++)                                       \
                g -= d[m] * G[m];                                             \
            z = g + w[b * B + l];                                             \
            t = z < -lam ? -lam : z > lam ? lam : z;                          \
            w_new = (T)0.5 * (z - t);                                         \
            d[l] = (T)1e-3 * (w_new - w[b * B + l]);                          \
            w[b * B + l] = w_new;                                             \
            out[b * B + l] = g;                                               \
        }                                                                     \
    }                                                                         \
}
BLOCK_PASS(pairs, 2)
BLOCK_PASS(quads, 4)

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    enum { PASSES = 5 };
    const char *name[PASSES] = {"pairs", "pairs nopf", "quads", "quads nopf",
                                "product"};
    double ratio[PASSES][RUNS], product_us[RUNS];
    int n, k;
    T *X, *r, *out;
    if (argc != 3 || (n = atoi(argv[1])) <= 0 || (k = atoi(argv[2])) < 4) {
        fprintf(stderr, "usage: %s n_rows n_columns (at least 4)\n", argv[0]);
        return 2;
    }
    n = (n + 2 * W - 1) / (2 * W) * (2 * W); /* columns start on a line */
    k -= k % 4;
    X = aligned_alloc(64, sizeof(T) * (long)n * k);
    r = aligned_alloc(64, sizeof(T) * n);
    out = malloc(sizeof(T) * k);
    cross = malloc(sizeof(T) * 4L * k);
    w = calloc(k, sizeof(T));
    if (!X || !r || !out || !cross || !w)
        return 1;
    for (long i = 0; i < (long)n * k; i++)
        X[i] = (T)((i * 7919) % 1000) / 1000 - (T)0.5;
    for (int i = 0; i < n; i++)
        r[i] = 1;
    for (long i = 0; i < 4L * k; i++)
        cross[i] = (T)((i * 31) % 100) / 1000;
    for (int run = -5; run < RUNS; run++) {
        double t[PASSES];
        for (int m = 0; m < PASSES; m++) {
            double start = seconds();
            if (m < 2)
                pairs(n, k, X, r, out, m == 0);
            else if (m < 4)
                quads(n, k, X, r, out, m == 2);
            else
                product(n, k, X, r, out);
            t[m] = seconds() - start;
        }
        if (run < 0) /* warm-up */
            continue;
        for (int m = 0; m < PASSES; m++)
            ratio[m][run] = t[m] / t[PASSES - 1];
        product_us[run] = 1e6 * t[PASSES - 1];
    }
    printf("%s %d x %d (%d-byte vectors):",
           sizeof(T) == 8 ? "float64" : "float32", n, k, FLOOR_VECTOR_BYTES);
    for (int m = 0; m < PASSES - 1; m++) {
        qsort(ratio[m], RUNS, sizeof(double), by_value);
        printf("  %s %.2f", name[m], ratio[m][RUNS / 2]);
    }
    qsort(product_us, RUNS, sizeof(double), by_value);
    printf("  (product %.0f us)\n", product_us[RUNS / 2]);
    free(X);
    free(r);
    free(out);
    free(cross);
    free(w);
    return 0;
}
