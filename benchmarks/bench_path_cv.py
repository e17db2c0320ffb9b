"""Cross-validation along the regularization path: skreg against the alternatives.

Run by hand: ``python benchmarks/bench_path_cv.py [--repeat 5] [--quick]``.
Everything runs in this one process, single-threaded: ``n_jobs=1`` and BLAS
limited to one thread (threadpoolctl) for both libraries, since on a small
shared machine BLAS threads on these small products cost more than they give
and make timings erratic. Contenders alternate within each repetition and the
table reports medians.

Rows, per data set:

``CV / GridSearchCV``
    ``LassoRegressorCV`` against ``GridSearchCV(LassoRegressor)`` on the *same*
    grid (the CV's ``alphas_``, passed explicitly), the *same* folds
    (``KFold(5)``), the same ``tol`` and ``precompute='auto'``; both refit at
    the best alpha. The ratio is GridSearchCV's time over the CV's (the
    speed-up of warm starts and one design per fold). The chosen alphas must
    agree.
``CV / sklearn LassoCV``
    ``LassoRegressorCV`` against scikit-learn's ``LassoCV`` with identical
    arguments (``alphas``, ``eps``, ``cv=5``, ``tol``, ``precompute='auto'``):
    the same grid (checked) and the same folds. Both libraries stop at a
    duality gap of ``tol * ||y - mean(y)||^2 / n``, so ``tol`` means the same;
    the quality columns give the largest relative difference of the two
    ``mse_path_`` and how many grid steps apart the chosen alphas are. The
    ratio is ours over scikit-learn's (< 1: skreg faster).
``early stopping / CV``
    ``LassoRegressor(alpha=<the CV grid's last alpha>, early_stopping=True,
    n_alphas=<grid size>)`` against ``LassoRegressorCV``: time, and the R² of
    both on a held-out 25% test split that neither saw. The ratio is early
    stopping's time over the CV's.
"""

import argparse
import time

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_regression
from sklearn.linear_model import LassoCV
from sklearn.model_selection import GridSearchCV, KFold, train_test_split
from threadpoolctl import threadpool_limits

from skreg import LassoRegressor
from skreg.linear_model._cv import LassoRegressorCV


def datasets(quick):
    scale = 2 if quick else 1
    X, y = make_regression(4000 // scale, 200, n_informative=20, noise=30.0,
                           random_state=0)
    yield "tall dense 4000x200", X, y, 1e-3
    X, y = make_regression(300, 1000 // scale, n_informative=20, noise=10.0,
                           random_state=1)
    # eps=1e-2: at 1e-3 the p > n end of the path costs minutes per fit in
    # both libraries, for alphas no fold ever chooses.
    yield "wide dense 300x1000", X, y, 1e-2
    rng = np.random.RandomState(2)
    X = sp.random(4000 // scale, 2000, density=0.01, format="csr", random_state=rng)
    w = np.zeros(2000)
    w[:40] = rng.randn(40) * 5
    y = X @ w + 0.5 * rng.randn(X.shape[0])
    yield "sparse 4000x2000 (1%)", X, y, 1e-2


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def race(contenders, repeat):
    """Median time of each contender; they alternate within each repetition."""
    times = {name: [] for name in contenders}
    results = {}
    for name, fn in contenders.items():  # warm-up: imports, caches, page faults
        results[name] = fn()
    for _ in range(repeat):
        for name, fn in contenders.items():
            t, results[name] = timed(fn)
            times[name].append(t)
    return {name: float(np.median(ts)) for name, ts in times.items()}, results


def bench(name, X, y, eps, repeat, tol=1e-4):
    """The three rows of one data set."""
    folds = KFold(5)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25,
                                                        random_state=0)
    rows = []
    # ---- CV vs GridSearchCV on the same grid and folds
    grid = LassoRegressorCV(alphas=30, eps=eps, cv=folds, tol=tol).fit(
        X_train, y_train).alphas_
    gs = GridSearchCV(LassoRegressor(tol=tol, precompute="auto"),
                      {"alpha": list(grid)}, cv=folds,
                      scoring="neg_mean_squared_error")
    med, res = race({
        "skreg CV": lambda: LassoRegressorCV(alphas=grid, cv=folds, tol=tol).fit(
            X_train, y_train),
        "GridSearchCV": lambda: gs.fit(X_train, y_train),
    }, repeat)
    same = res["skreg CV"].alpha_ == res["GridSearchCV"].best_params_["alpha"]
    rows.append((name, "CV / GridSearchCV (30 alphas)", med["skreg CV"],
                 med["GridSearchCV"], med["GridSearchCV"] / med["skreg CV"],
                 f"same alpha_: {same}"))

    # ---- CV vs scikit-learn's LassoCV
    kwargs = {"alphas": 100, "eps": eps, "cv": folds, "tol": tol,
              "precompute": "auto"}
    med, res = race({
        "skreg": lambda: LassoRegressorCV(**kwargs).fit(X_train, y_train),
        "sklearn": lambda: LassoCV(**kwargs).fit(X_train, y_train),
    }, repeat)
    ours, theirs = res["skreg"], res["sklearn"]
    assert np.allclose(ours.alphas_, theirs.alphas_, rtol=1e-8), "grids differ"
    diff = np.max(np.abs(ours.mse_path_ - theirs.mse_path_) / theirs.mse_path_)
    steps = abs(int(np.argmin(np.abs(ours.alphas_ - ours.alpha_)))
                - int(np.argmin(np.abs(theirs.alphas_ - theirs.alpha_))))
    rows.append((name, "CV / sklearn LassoCV (100 alphas)", med["skreg"],
                 med["sklearn"], med["skreg"] / med["sklearn"],
                 f"mse_path rel. diff {diff:.1e}; alpha_ {steps} steps apart"))

    # ---- early stopping vs the full-path CV
    alpha_min = float(ours.alphas_[-1])
    med, res = race({
        "early stopping": lambda: LassoRegressor(
            alpha=alpha_min, early_stopping=True, n_alphas=100, tol=tol,
            random_state=0).fit(X_train, y_train),
        "CV": lambda: LassoRegressorCV(**kwargs).fit(X_train, y_train),
    }, repeat)
    es, cv = res["early stopping"], res["CV"]
    rows.append((name, "early stopping / CV (100 alphas)", med["early stopping"],
                 med["CV"], med["early stopping"] / med["CV"],
                 f"test R2 {es.score(X_test, y_test):.4f} vs "
                 f"{cv.score(X_test, y_test):.4f}; {es.alphas_.size} steps"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="halve the data sets")
    args = parser.parse_args()
    rows = []
    with threadpool_limits(limits=1):
        for name, X, y, eps in datasets(args.quick):
            rows += bench(name, X, y, eps, args.repeat)
            print(f"done: {name}", flush=True)

    print(f"\nmedian of {args.repeat} runs, n_jobs=1, one BLAS thread, tol=1e-4\n")
    header = ("data", "comparison", "first (s)", "second (s)", "ratio", "quality")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for data, what, a, b, ratio, quality in rows:
        print(f"| {data} | {what} | {a:.3f} | {b:.3f} | {ratio:.2f} | {quality} |")


if __name__ == "__main__":
    main()
