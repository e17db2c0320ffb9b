"""Cost of one coordinate-descent pass against its memory-bound limit.

A pass over k columns reads each column once for its correlation with the
residual and, when the coefficient moves, once more to update the residual.
Its limit is one read of the same columns: ``X[:, ws].T @ r``. This script
reports the median time of both and their ratio, for dense float64 columns,
and the time of the pass the solver actually runs when ``n >= 2 k``: on the
Gram block of the columns, where a pass costs O(k^2) and never reads X.

Run::

    python benchmarks/bench_cd_epoch.py
"""

import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from skreg.linear_model import _cd_fast


def one_pass(X, y, R, w, norms2, l1, ws):
    return _cd_fast.cd_dense(X, y, w, R, norms2, l1, 0.0, ws, False, 1, 0.0, 0.0,
                             False, 1, 0, np.empty((0, 0)))


def gram_pass(X, y, l1, repeats=15):
    Q = np.ascontiguousarray(X.T @ X)
    q = X.T @ y
    w = np.zeros(X.shape[1])
    H = Q @ w
    ws = np.arange(X.shape[1], dtype=np.int32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _cd_fast.cd_gram(Q, q, y @ y, w, H, l1, 0.0, ws, False, 1, 0.0, 0.0, False,
                         1, 0, np.empty((0, 0)))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(n, k, repeats=15, moving=True):
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.randn(n, k))
    y = rng.randn(n)
    norms2 = (X * X).sum(0)
    ws = np.arange(k, dtype=np.int32)
    # l1 = 0 with a tiny ridge part makes every coefficient move each pass;
    # a huge l1 keeps them all at zero (the dot products only).
    l1 = 0.0 if moving else 1e300
    w = np.zeros(k)
    R = y.copy()
    t_pass, t_gemv = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        one_pass(X, y, R, w, norms2, l1, ws)
        t_pass.append(time.perf_counter() - start)
        start = time.perf_counter()
        X.T @ R
        t_gemv.append(time.perf_counter() - start)
    return statistics.median(t_pass), statistics.median(t_gemv), gram_pass(X, y, l1)


def main():
    print(f"{'n':>7} {'k':>6} {'moving':>7} {'pass us':>9} {'X.T@r us':>9} "
          f"{'ratio':>6} {'gram pass us':>13} {'ratio':>6}")
    with threadpool_limits(1):
        for n, k in [(100, 1000), (1000, 1000), (10_000, 200), (50_000, 100),
                     (50_000, 400)]:
            for moving in (True, False):
                tp, tg, tq = measure(n, k, moving=moving)
                print(f"{n:>7} {k:>6} {str(moving):>7} {1e6 * tp:>9.1f} "
                      f"{1e6 * tg:>9.1f} {tp / tg:>6.2f} {1e6 * tq:>13.1f} "
                      f"{tq / tg:>6.2f}")


if __name__ == "__main__":
    main()
