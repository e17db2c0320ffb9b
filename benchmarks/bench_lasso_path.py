"""A 100-alpha warm-started lasso path down to alpha_max/1000, side by side.

Every contender walks the same geometric grid with warm starts, intercept
fitted: skreg's ``lasso_path`` and, for every library, its own estimator refitted
along the grid with ``warm_start=True`` (the route scikit-learn users take).
Equal quality: each contender's ``tol`` is the loosest of a decade grid at which
*every* point of its path is within ``--rel`` (1e-6) of the best objective any
contender reached at that alpha. Medians of ``--repeats`` timed walks, in a new
random order each repeat, BLAS on one thread (see bench_linear.py), ratios to
scikit-learn.

Run::

    python benchmarks/bench_lasso_path.py [--cases wide text] [--quick]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn import linear_model as sk
from threadpoolctl import threadpool_limits

import skreg

from bench_linear import CASES, QUICK, repeat_orders

TOLS = [10.0**-k for k in range(2, 13)]


def estimator_walk(make):
    def walk(X, y, alphas, tol):
        est = make(tol)
        coefs = []
        for alpha in alphas:
            est.set_params(alpha=alpha)
            est.fit(X, y)
            coefs.append((np.ravel(est.coef_).astype(float).copy(),
                          float(np.ravel(est.intercept_)[0])))
        return coefs
    return walk


def skreg_path(X, y, alphas, tol):
    res = skreg.linear_model.lasso_path(X, y, alphas=alphas, tol=tol,
                                        max_iter=100_000)
    return list(zip(res.coefs.T, np.ravel(res.intercepts), strict=True))


def contenders():
    out = {
        "skreg path": skreg_path,
        "skreg warm": estimator_walk(lambda tol: skreg.LassoRegressor(
            tol=tol, warm_start=True, max_iter=100_000)),
        "sklearn": estimator_walk(lambda tol: sk.Lasso(
            tol=tol, warm_start=True, max_iter=100_000)),
    }
    try:
        import skglm

        out["skglm"] = estimator_walk(lambda tol: skglm.Lasso(
            tol=tol, warm_start=True, max_iter=1000))
    except ImportError:
        pass
    try:
        import celer

        out["celer"] = estimator_walk(lambda tol: celer.Lasso(
            tol=tol, warm_start=True, max_iter=1000))
    except ImportError:
        pass
    return out


def objectives(coefs, X, y, alphas):
    out = []
    for (coef, b), alpha in zip(coefs, alphas, strict=True):
        r = y - X @ coef - b
        out.append(0.5 * r @ r / len(y) + alpha * np.abs(coef).sum())
    return np.array(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["wide", "text"],
                        choices=list(CASES))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rel", type=float, default=1e-6)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"{'case':<6} {'solver':<11} {'tol':>7} {'median s':>9} {'ratio':>6}  "
          "worst rel. objective gap")
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in args.cases:
            X, y = (QUICK if args.quick else CASES)[case]()
            alphas = skreg.linear_model.alpha_grid(X, y, eps=1e-3, n_alphas=100)
            walks = contenders()
            found = {}
            for name, walk in walks.items():
                found[name] = []
                for tol in TOLS:
                    objs = objectives(walk(X, y, alphas, tol), X, y, alphas)
                    found[name].append((tol, objs))
                    # stop once two decades no longer move any point
                    if len(found[name]) >= 3 and np.all(
                            np.abs(found[name][-3][1] - objs)
                            <= 1e-3 * args.rel * np.abs(objs)):
                        break
            best = np.min([objs for runs in found.values() for _, objs in runs],
                          axis=0)
            chosen = {}
            for name, runs in found.items():
                ok = [(tol, objs) for tol, objs in runs
                      if np.all(objs <= best * (1 + args.rel))]
                chosen[name] = ok[0] if ok else None
            times = {name: [] for name in walks if chosen[name]}
            for name in repeat_orders(list(times), args.repeats):
                start = time.perf_counter()
                walks[name](X, y, alphas, chosen[name][0])
                times[name].append(time.perf_counter() - start)
            ref = statistics.median(times["sklearn"]) if "sklearn" in times else None
            for name in walks:
                if chosen[name] is None:
                    worst = min(np.max(o / best - 1) for _, o in found[name])
                    print(f"{case:<6} {name:<11} {'-':>7} {'not reached':>9} "
                          f"{'':>6}  {worst:.1e}")
                    continue
                tol, objs = chosen[name]
                med = statistics.median(times[name])
                ratio = f"{med / ref:.2f}" if ref else "-"
                print(f"{case:<6} {name:<11} {tol:>7.0e} {med:>9.3f} {ratio:>6}  "
                      f"{np.max(objs / best - 1):.1e}", flush=True)


if __name__ == "__main__":
    main()
