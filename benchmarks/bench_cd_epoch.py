"""Cost of one coordinate-descent pass against its memory-bound limit.

A pass over k columns reads each column once for its correlation with the
residual and, when the coefficient moves, once more to update the residual.
Its limit is one read of the same columns: ``X[:, ws].T @ r``. This script
reports the median time of both and their ratio, for dense float64 and
float32 columns laid out as the solver's gathers lay them out (each column
starting on a cache line; numpy's own arrays start 16 or 32 bytes past one,
which made a pass over 200-row columns 25% slower and this benchmark
bimodal), and the time of the
pass the solver actually runs when ``n >= 2 k``: on the Gram block of the
columns, where a pass costs O(k^2) and never reads X.

The solver runs passes in calls of ``ANDERSON_K`` (5) between extrapolations,
and keeps the cache of cross products the register and pair passes read from
call to call of one restricted problem: "pass" is a pass of such a call (its
time / 5) with the cache filled, as in every call after the first; "cold" the
ratio of a call that starts with an empty cache, as the first does; "lone pass"
a call of one pass without a cache (the call's fixed cost included). Each
repeat times ``X.T @ r`` right after its passes (the median of three runs after
an untimed one, so at its fastest), and the ratios are the medians of the
repeats' own ratios: the clock of this shared core drifts (a product timed
after a 0.5 ms pause took 60% longer), and the ratio of two medians taken apart
went from 1.07 to 1.70 between calls in one process (float32 100 x 1000) while
the pass's own time held. "two products" is the arithmetic of a pass in which
every coordinate moves, done by BLAS without the pass's order: ``X.T @ r`` then
``X @ d``, timed as the product (its ratio to the product is the median of the
repeats'). A pass that reads each column once can beat it where X streams from
memory; where X stays in cache, both do twice the product's multiply-adds.
Every timed call starts from w = 0, and "moved" is the smallest share of
coordinates that still moved in one more pass after it (1.00: the pass measured
really updated every coordinate). "kernel" is the one the pass runs (see
``_vector_ops.h``): the register pass up to 16 AVX-512 vectors (when the CPU
has them), the pair pass while four columns and the residual fit in half the L2
cache, except where only the single pass's two columns and residual fit in L1
(1000 rows here, with a 32 KB L1), and the single pass beyond, but for passes
of at least half the L3, which X does not keep from pass to pass: there
"streaming pairs" (the pair pass prefetching non-temporally) while five columns
fit in twice the L2 (50 000 x 100 and 50 000 x 400 here, and 25 000 x 800
float64, with a 1 MB L2 and 32 MB L3). ``pass_floor.c`` here times the same
memory pattern without the solver, against a product of its own.

Run::

    python benchmarks/bench_cd_epoch.py
"""

import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from skreg.linear_model import _cd_fast
from skreg.linear_model._cd_solver import ANDERSON_K
from skreg.linear_model._column_buffers import column_buffer


def passes(X, y, norms2, l1, l2, ws, n_passes, cross=None):
    """Seconds per pass of a call of ``n_passes`` from w = 0 (with the cache of
    cross products ``cross``, else one of its own), and the share of
    coordinates that still moved in one pass after it."""
    w, R, none = np.zeros(X.shape[1], X.dtype), y.copy(), np.empty((0, 0), X.dtype)
    start = time.perf_counter()
    _cd_fast.cd_dense(X, y, w, R, norms2, l1, l2, ws, False, n_passes, 0.0, 0.0,
                      False, 1, 0, none, True, cross)
    seconds = (time.perf_counter() - start) / n_passes
    w_last = w.copy()  # one more pass: did every coordinate still move?
    _cd_fast.cd_dense(X, y, w, R, norms2, l1, l2, ws, False, 1, 0.0, 0.0, False, 1,
                      0, none, True, cross)
    return seconds, np.mean(w != w_last)


def gram_pass(X, y, l1, repeats=15):
    Q = np.ascontiguousarray(X.T @ X)
    q = X.T @ y
    w = np.zeros(X.shape[1], X.dtype)
    H = Q @ w
    ws = np.arange(X.shape[1], dtype=np.int32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _cd_fast.cd_gram(Q, q, y @ y, w, H, l1, 0.0, ws, False, 1, 0.0, 0.0, False,
                         1, 0, np.empty((0, 0), X.dtype))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def product_seconds(X, r, d=None, runs=3):
    """Seconds of ``X.T @ r`` (then ``X @ d`` if given): the median of
    ``runs`` after an untimed one."""
    def run():
        X.T @ r
        if d is not None:
            X @ d

    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(n, k, repeats=31, moving=True, dtype=np.float64):
    rng = np.random.RandomState(0)
    X = column_buffer(n, k, dtype)  # as the solver's gathers lay it out
    X[:] = rng.randn(n, k)
    y = rng.randn(n).astype(dtype)
    norms2 = (X * X).sum(0)
    ws = np.arange(k, dtype=np.int32)
    # From w = 0, l1 = 0 with a ridge part as large as the columns' squared
    # norms makes every coefficient move in every pass (no exact fit, as l2 = 0
    # would reach at n < k, where updates then vanish); a huge l1 keeps them
    # all at zero (the dot products only).
    l1, l2 = (0.0, float(norms2.mean())) if moving else (1e30, 0.0)
    t_pass, t_lone, t_gemv, moved = [], [], [], []
    r_pass, r_cold, r_lone, r_two = [], [], [], []
    R, d = y.copy(), rng.randn(k).astype(dtype)
    cross = _cd_fast.dense_cross_cache(X, k, True)
    passes(X, y, norms2, l1, l2, ws, 1, cross)  # fills it, as the solver's first
    for _ in range(repeats):
        seconds, share = passes(X, y, norms2, l1, l2, ws, ANDERSON_K, cross)
        cold = passes(X, y, norms2, l1, l2, ws, ANDERSON_K)[0]
        lone = passes(X, y, norms2, l1, l2, ws, 1)[0]
        gemv = product_seconds(X, R)
        r_two.append(product_seconds(X, R, d) / gemv)
        t_pass.append(seconds)
        t_lone.append(lone)
        t_gemv.append(gemv)
        r_pass.append(seconds / gemv)
        r_cold.append(cold / gemv)
        r_lone.append(lone / gemv)
        moved.append(share)
    return (statistics.median(t_pass), statistics.median(t_lone),
            statistics.median(t_gemv), statistics.median(r_pass),
            statistics.median(r_cold), statistics.median(r_lone),
            statistics.median(r_two), gram_pass(X, y, l1), min(moved))


def main():
    print(f"{'dtype':>7} {'n':>7} {'k':>6} {'kernel':>15} {'moving':>7} "
          f"{'X.T@r us':>9} {'pass us':>9} {'ratio':>6} {'cold':>6} "
          f"{'lone pass':>9} {'ratio':>6} {'two products':>12} {'gram pass':>9} "
          f"{'ratio':>6} {'moved':>6}")
    shapes = [(100, 1000), (200, 1000), (1000, 200), (1000, 1000), (10_000, 200),
              (50_000, 100), (50_000, 400), (25_000, 800)]
    with threadpool_limits(1):
        for dtype in (np.float64, np.float32):
            for n, k in shapes:
                for moving in (True, False):
                    tp, tl, tg, rp, rc, rl, r2, tq, moved = measure(
                        n, k, moving=moving, dtype=dtype)
                    kernel = _cd_fast.dense_pass_kernel(n, dtype, k)
                    print(f"{np.dtype(dtype).name:>7} {n:>7} {k:>6} {kernel:>15} "
                          f"{str(moving):>7} {1e6 * tg:>9.1f} {1e6 * tp:>9.1f} "
                          f"{rp:>6.2f} {rc:>6.2f} {1e6 * tl:>9.1f} {rl:>6.2f} "
                          f"{r2:>12.2f} {1e6 * tq:>9.1f} {tq / tg:>6.2f} "
                          f"{moved:>6.2f}")


if __name__ == "__main__":
    main()
