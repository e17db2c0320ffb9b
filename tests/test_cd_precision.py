"""Where float arithmetic limits the gap: stalls stop early, Gram blocks are checked."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model import _cd_problems, _cd_solver, lasso_path

from _objectives import objective


def common_factor(n, p, dtype, sparse=False, seed=0):
    """Columns sharing one factor (correlation 0.8): float32 rounding shows."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 2 * rng.randn(n, 1)
    if sparse:
        X[rng.rand(n, p) < 0.8] = 0
    y = X @ (rng.randn(p) * (rng.rand(p) < 0.1)) + 0.5 * rng.randn(n) + 3
    X, y = X.astype(dtype), y.astype(dtype)
    return (sp.csc_matrix(X) if sparse else X), y


def fit(X, y, **params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = LassoRegressor(alpha=0.1, max_iter=20_000, **params).fit(X, y)
    return est, [str(w.message) for w in caught
                 if issubclass(w.category, ConvergenceWarning)]


def relative_excess(est, X, y):
    """Objective of ``est`` over the float64 optimum's, less one."""
    X64 = X.astype(np.float64)
    y64 = y.astype(np.float64)
    best = LassoRegressor(alpha=0.1, tol=1e-12, max_iter=100_000).fit(X64, y64)
    ref = objective(best, X64, y64, None, 0.1, 1.0)
    return (objective(est, X64, y64, None, 0.1, 1.0) - ref) / ref


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_gap_stall_stops_early_and_says_why(sparse):
    # tol=1e-9 asks float32 for a gap below its rounding: before the stall
    # rule these fits ran all 20 000 passes
    X, y = common_factor(2000 if not sparse else 3000, 300 if not sparse else 200,
                         np.float32, sparse)
    est, warned = fit(X, y, tol=1e-9)
    assert est.n_iter_ < 5000
    assert len(warned) == 1 and "float32 arithmetic" in warned[0]
    assert "Increase max_iter" not in warned[0]
    assert est.dual_gap_ <= _cd_solver.GAP_NOISE * np.finfo(np.float32).eps * (
        np.var(y.astype(np.float64)))
    assert relative_excess(est, X, y) <= 1e-7


def test_float32_fit_within_reach_converges():
    X, y = common_factor(3000, 200, np.float32, sparse=True)
    est, warned = fit(X, y, tol=1e-5)
    assert warned == []
    assert relative_excess(est, X, y) <= 1e-6


@pytest.fixture
def dropped(monkeypatch):
    """After each check of a Gram block: whether blocks were dropped."""
    seen = []
    check = _cd_problems.DenseTarget.check_block

    def spy(self, *args):
        check(self, *args)
        seen.append(not self.use_gram_blocks)

    monkeypatch.setattr(_cd_problems.DenseTarget, "check_block", spy)
    return seen


def test_gram_blocks_checked_against_exact_gradient(dropped):
    """In float32 a Gram block's optimum sat 90x above the gap it certified,
    and the fit never converged; the exact gradient now turns blocks off."""
    X, y = common_factor(2000, 300, np.float32)
    est, warned = fit(X, y, tol=1e-6)
    assert True in dropped  # blocks ran, and were dropped
    assert warned == []
    no_blocks, _ = fit(X, y, tol=1e-6, precompute=False)
    assert relative_excess(est, X, y) <= 1e-9 + relative_excess(no_blocks, X, y)


def test_float64_blocks_are_kept(dropped):
    X, y = common_factor(2000, 300, np.float64)
    est, warned = fit(X, y, tol=1e-10)
    assert warned == [] and dropped and not any(dropped)


def test_path_warning_names_the_dtype():
    X, y = common_factor(3000, 200, np.float32, sparse=True)
    with pytest.warns(ConvergenceWarning, match="float32 arithmetic"):
        lasso_path(X, y, alphas=[0.2, 0.1], tol=1e-9, max_iter=20_000,
                   precompute=False)


class FlatProblem:
    """A restricted problem whose gap never moves (nor, if ``fixed``, its
    coefficients)."""

    def __init__(self, gap, fixed=False):
        self.w = np.zeros(3)
        self._gap = gap
        self.fixed = fixed

    def run(self, n_epochs, snapshots, random, seed):
        if not self.fixed:
            self.w += 1.0

    def gap(self):
        return self._gap

    def extrapolate(self, w_prev, snapshots):
        pass


@pytest.mark.parametrize("floor, epochs", [
    (2.0, _cd_solver.ANDERSON_K * (_cd_solver.STALL_CHUNKS + 1)),
    (0.5, 1000),  # above the floor a flat gap is no stall: run on
])
def test_inner_solve_stops_on_a_flat_gap_below_the_floor(floor, epochs):
    rng = np.random.RandomState(0)
    n_ep, gap = _cd_solver._inner_solve(FlatProblem(1.0), 1000, 0.1, False, rng,
                                        floor)
    assert (n_ep, gap) == (epochs, 1.0)


def test_inner_solve_stops_at_a_fixed_point():
    # above the floor and the tolerance, but the passes move nothing
    n_ep, gap = _cd_solver._inner_solve(FlatProblem(1.0, fixed=True), 1000, 0.1,
                                        False, np.random.RandomState(0), 0.5)
    assert (n_ep, gap) == (_cd_solver.ANDERSON_K, 1.0)


def offset_columns(seed, n=6000, p=150):
    """float32 columns with means from 1 to 1e4: centred, they keep 3-7
    digits, and Gram blocks on them lose more."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 10 ** rng.uniform(0, 4, p)
    y = X @ (rng.randn(p) * (rng.rand(p) < 0.1)) + rng.randn(n)
    return np.asfortranarray(X, dtype=np.float32), y.astype(np.float32)


@pytest.mark.parametrize("seed", [
    2,  # each block round certified a gap of 0 and moved nothing X could see
    3,  # a block's residual norm rounded to 0: its gap stood still
])
def test_blocks_that_make_no_progress_are_dropped(monkeypatch, dropped, seed):
    # blocks even on sets of a few columns (6000 x 3: 72 KB)
    monkeypatch.setattr(_cd_problems, "BLOCK_OVERHEAD_BYTES", 10_000)
    X, y = offset_columns(seed)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    alpha = 3 * np.abs((X64 - X64.mean(0)).T @ (y64 - y64.mean())).max() / len(y)
    params = dict(alpha=alpha, l1_ratio=0.1, tol=1e-7, max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # (below float32's floor)
        est = ElasticNet(**params).fit(X, y)
    assert est.n_iter_ < 100  # both ran to max_iter
    assert dropped and dropped[-1]
    best = ElasticNet(**{**params, "tol": 1e-12}).fit(X64, y64)
    obj = [objective(m, X64, y64, None, alpha, 0.1) for m in (est, best)]
    assert obj[0] - obj[1] <= 1e-6 * obj[1]
