"""RidgeRegressorCV against scikit-learn's RidgeCV and GridSearchCV(Ridge).

Run by hand: ``python benchmarks/bench_ridge_cv.py [--repeat 5] [--quick]``.
Everything runs in this one process, single-threaded: ``n_jobs=1`` and BLAS
limited to one thread (threadpoolctl) for both libraries, since on a small
shared machine multithreaded BLAS stalls under load and makes timings erratic.
Contenders alternate within each repetition; the table reports medians.

Rows, per data set (the same 30 alphas, log-spaced over 1e-3 .. 1e4):

``LOO / sklearn RidgeCV``
    ``RidgeRegressorCV(alphas)`` (exact leave-one-out from one factorisation)
    against ``RidgeCV(alphas)`` (scikit-learn's efficient LOO, ``gcv_mode``
    'auto'). The chosen alphas must agree; the quality column is the largest
    difference of the coefficients relative to their largest magnitude.
``k-fold / GridSearchCV(Ridge)``
    ``RidgeRegressorCV(alphas, cv=KFold(5))`` (one factorisation per fold)
    against ``GridSearchCV(Ridge(), {"alpha": alphas}, cv=KFold(5),
    scoring="neg_mean_squared_error")`` on the same folds (one fit per fold and
    alpha, plus the refit). Chosen alphas must agree.
``early stopping / LOO``
    ``RidgeRegressor(alpha=1e-3, early_stopping=True, n_alphas=30)`` against
    ``RidgeRegressorCV``, for scale only (ratio: early stopping over LOO).

The ratio is skreg's time over the other's: < 1 means skreg is faster.
"""

import argparse

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import make_regression
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV, KFold
from threadpoolctl import threadpool_limits

from skreg import RidgeRegressor, RidgeRegressorCV

from bench_path_cv import race

ALPHAS = np.logspace(-3, 4, 30)


def datasets(quick):
    scale = 2 if quick else 1
    X, y = make_regression(4000 // scale, 200, n_informative=50, noise=30.0,
                           random_state=0)
    yield "tall dense 4000x200", X, y
    # noise=300: with less the LOO choice sits at the grid's smallest alpha.
    X, y = make_regression(300, 2000 // scale, n_informative=50, noise=300.0,
                           random_state=1)
    yield "wide dense 300x2000", X, y
    rng = np.random.RandomState(2)
    X = sp.random(4000 // scale, 400, density=0.02, format="csr", random_state=rng)
    w = rng.randn(400)
    y = X @ w + 0.5 * rng.randn(X.shape[0])
    yield "sparse 4000x400 (2%)", X, y


def coef_gap(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    header = (f"{'data':<22} {'row':<30} {'skreg s':>9} {'other s':>9} "
              f"{'ratio':>6}  quality")
    print(header)
    print("-" * len(header))
    for name, X, y in datasets(args.quick):
        folds = list(KFold(5).split(X))
        contenders = {
            "loo": lambda X=X, y=y: RidgeRegressorCV(alphas=ALPHAS).fit(X, y),
            "sk_loo": lambda X=X, y=y: RidgeCV(alphas=ALPHAS).fit(X, y),
            "kfold": lambda X=X, y=y, f=folds: RidgeRegressorCV(
                alphas=ALPHAS, cv=f).fit(X, y),
            "grid": lambda X=X, y=y, f=folds: GridSearchCV(
                Ridge(), {"alpha": ALPHAS}, cv=f,
                scoring="neg_mean_squared_error").fit(X, y),
            "es": lambda X=X, y=y: RidgeRegressor(
                alpha=1e-3, early_stopping=True, n_alphas=30,
                random_state=0).fit(X, y),
        }
        with threadpool_limits(1):
            med, res = race(contenders, args.repeat)
        loo, sk = res["loo"], res["sk_loo"]
        kfold, grid = res["kfold"], res["grid"]
        rows = [
            ("LOO / sklearn RidgeCV", med["loo"], med["sk_loo"],
             f"alpha {loo.alpha_:.3g} vs {sk.alpha_:.3g}, coef gap "
             f"{coef_gap(loo.coef_, sk.coef_):.1e}"),
            ("k-fold / GridSearchCV(Ridge)", med["kfold"], med["grid"],
             f"alpha {kfold.alpha_:.3g} vs {grid.best_params_['alpha']:.3g}, "
             f"coef gap {coef_gap(kfold.coef_, grid.best_estimator_.coef_):.1e}"),
            ("early stopping / LOO", med["es"], med["loo"],
             f"alpha {res['es'].alpha_:.3g} after {res['es'].alphas_.size} steps"),
        ]
        for row, ours, other, quality in rows:
            print(f"{name:<22} {row:<30} {ours:9.4f} {other:9.4f} "
                  f"{ours / other:6.2f}  {quality}", flush=True)


if __name__ == "__main__":
    main()
