"""RidgeRegressor against scikit-learn's Ridge (run by hand).

    python benchmarks/bench_ridge.py [--repeats 7] [--threads N] [--quick]

Each row times both contenders in one process, alternating them, and reports
the median of ``--repeats`` runs and the ratio skreg / scikit-learn (<= 1.0 is
the bar). Quality is checked, not assumed: every row prints the relative
objective gap of each contender to the best objective found (and the largest
relative coefficient difference), so rows are only compared at equal quality.

Rows
----
- dense tall / dense wide / sparse: one ``fit`` with default settings
  (``solver='auto'``) on each side.
- 100-alpha grid: the coefficients for 100 alphas on the same data. The
  scikit-learn workflow is a loop of ``Ridge(alpha=a).fit`` (it has no path
  API); skreg validates and centres once, eigendecomposes the Gram (or
  kernel) matrix once and solves all 100 alphas with one matrix product
  (``eigh_decompose`` + ``spectral_coefs``, the route the path / LOO-CV issue
  builds on). ``RidgeCV(alphas).fit`` is timed as an extra reference: it also
  factors once, but it returns the leave-one-out scores plus the single best
  model, not the 100 coefficient vectors, so it is not the same output.
"""

import argparse
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import Ridge, RidgeCV
from threadpoolctl import threadpool_limits

from skreg.linear_model._base import validate_fit_data
from skreg.linear_model._ridge import RidgeRegressor, _build_design
from skreg.linear_model._ridge_solvers import eigh_decompose, spectral_coefs


def objective(coef, intercept, X, y, alpha):
    """Ridge objective ``||y - X w - b||^2 + alpha ||w||^2`` (unit weights)."""
    r = y - X @ coef - intercept
    return float(r @ r + alpha * coef @ coef)


def time_alternating(contenders, repeats):
    """Median wall time of each contender, alternating them run after run."""
    times = {name: [] for name in contenders}
    outputs = {}
    for _ in range(repeats):
        for name, run in contenders.items():
            t0 = time.perf_counter()
            outputs[name] = run()
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}, outputs


def make_dense(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.standard_normal(p)
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y


def make_sparse(n, p, density, seed=0):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed)
    X.data = rng.exponential(size=X.data.size)  # non-negative, text-like
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y


def bench_fit(label, X, y, repeats, alpha=1.0):
    contenders = {
        "sklearn": lambda: Ridge(alpha=alpha).fit(X, y),
        "skreg": lambda: RidgeRegressor(alpha=alpha).fit(X, y),
    }
    med, out = time_alternating(contenders, repeats)
    objs = {k: objective(m.coef_, m.intercept_, X, y, alpha) for k, m in out.items()}
    # An exact fit (Cholesky of the Gram / kernel) anchors "best found" even
    # when both contenders are iterative.
    exact = RidgeRegressor(alpha=alpha, solver="cholesky").fit(X, y)
    best = min(*objs.values(), objective(exact.coef_, exact.intercept_, X, y, alpha))
    gaps = {k: (v - best) / best for k, v in objs.items()}
    ref = out["sklearn"].coef_
    diff = np.abs(out["skreg"].coef_ - ref).max() / np.abs(ref).max()
    return dict(case=label, sklearn=med["sklearn"], skreg=med["skreg"],
                route=f"sklearn auto vs skreg auto={out['skreg'].solver_}",
                gap_sklearn=gaps["sklearn"], gap_skreg=gaps["skreg"], coef_diff=diff)


def skreg_grid(X, y, alphas):
    """All coefficients and intercepts for a grid: one decomposition, one GEMM."""
    est = RidgeRegressor()  # only for validate_fit_data's bookkeeping
    X, y = validate_fit_data(est, X, y)
    design = _build_design(X, y, None, True)
    coefs = spectral_coefs(eigh_decompose(design), alphas)[:, 0, :]
    intercepts = design.y_offset[0] - coefs @ design.X_offset
    return coefs, intercepts


def sklearn_loop(X, y, alphas):
    fits = [Ridge(alpha=a).fit(X, y) for a in alphas]
    return (np.array([f.coef_ for f in fits]),
            np.array([f.intercept_ for f in fits]))


def bench_grid(label, X, y, repeats, n_alphas=100):
    alphas = np.logspace(-3, 4, n_alphas)
    contenders = {
        "sklearn": lambda: sklearn_loop(X, y, alphas),
        "skreg": lambda: skreg_grid(X, y, alphas),
        "RidgeCV": lambda: RidgeCV(alphas=alphas).fit(X, y),
    }
    med, out = time_alternating(contenders, repeats)
    (c_sk, b_sk), (c_sr, b_sr) = out["sklearn"], out["skreg"]
    obj_sk = np.array([objective(c, b, X, y, a)
                       for c, b, a in zip(c_sk, b_sk, alphas, strict=True)])
    obj_sr = np.array([objective(c, b, X, y, a)
                       for c, b, a in zip(c_sr, b_sr, alphas, strict=True)])
    best = np.minimum(obj_sk, obj_sr)
    diff = (np.abs(c_sr - c_sk).max(axis=1) / np.abs(c_sk).max(axis=1)).max()
    return dict(case=label, sklearn=med["sklearn"], skreg=med["skreg"],
                route=(f"{n_alphas} x Ridge.fit vs eigh + {n_alphas} solves; "
                       f"RidgeCV {med['RidgeCV']:.4f}s"),
                gap_sklearn=float(((obj_sk - best) / best).max()),
                gap_skreg=float(((obj_sr - best) / best).max()), coef_diff=diff)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for both contenders (default: BLAS's own)")
    parser.add_argument("--quick", action="store_true", help="smaller problems")
    args = parser.parse_args()
    k = 4 if args.quick else 1
    rows = []
    with threadpool_limits(limits=args.threads):
        X, y = make_dense(20000 // k, 300 // k)
        rows.append(bench_fit(f"dense tall {X.shape}", X, y, args.repeats))
        X, y = make_dense(500 // k, 10000 // k)
        rows.append(bench_fit(f"dense wide {X.shape}", X, y, args.repeats))
        X, y = make_sparse(50000 // k, 5000 // k, 0.002)
        rows.append(bench_fit(f"sparse {X.shape} d=0.002", X, y, args.repeats))
        X, y = make_sparse(20000 // k, 2000 // k, 0.01, seed=1)
        rows.append(bench_fit(f"sparse {X.shape} d=0.01", X, y, args.repeats))
        X, y = make_dense(5000 // k, 300 // k)
        rows.append(bench_grid(f"grid tall {X.shape}", X, y, args.repeats))
        X, y = make_dense(300 // k, 3000 // k)
        rows.append(bench_grid(f"grid wide {X.shape}", X, y, args.repeats))

    print(f"\nmedian of {args.repeats} alternating runs; threads={args.threads}; "
          "gap = relative objective excess over the best found (exact fit included)\n")
    header = (f"| {'case':<28} | {'sklearn s':>9} | {'skreg s':>9} | {'ratio':>5} | "
              f"{'gap sklearn':>11} | {'gap skreg':>9} | {'coef diff':>9} | route")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|---|")
    for r in rows:
        print(f"| {r['case']:<28} | {r['sklearn']:9.4f} | {r['skreg']:9.4f} | "
              f"{r['skreg'] / r['sklearn']:5.2f} | {r['gap_sklearn']:11.1e} | "
              f"{r['gap_skreg']:9.1e} | {r['coef_diff']:9.1e} | {r['route']}")


if __name__ == "__main__":
    main()
