"""RidgeRegressor: parity with scikit-learn, optimality, spectral reuse, inputs."""

import doctest
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import nnls
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge

from skreg.linear_model import _ridge, _ridge_solvers
from skreg.linear_model._base import make_design
from skreg.linear_model._ridge import RidgeRegressor
from skreg.linear_model._ridge_solvers import (
    eigh_decompose,
    spectral_coefs,
    svd_decompose,
)

SOLVERS = ["auto", "svd", "cholesky", "eigh", "lsqr", "sparse_cg", "lbfgs"]
ITERATIVE = {"lsqr", "sparse_cg", "lbfgs"}
# The iterative routes are compared at a tight tol: at the default (1e-4) they
# stop, by scikit-learn's own definition, well before the sixth digit.
TIGHT = {"lsqr": 1e-12, "sparse_cg": 1e-12, "lbfgs": 1e-14}

# name: (n_samples, n_features, sparse, weighted, n_targets, per-target alpha)
CASES = {
    "dense_tall": (60, 8, False, False, None, False),
    "dense_wide": (12, 40, False, False, None, False),
    "sparse_tall": (80, 10, True, False, None, False),
    "sparse_wide": (15, 50, True, False, None, False),
    "weighted": (60, 8, False, True, None, False),
    "sparse_weighted": (80, 10, True, True, None, False),
    "multi_output": (50, 7, False, False, 3, False),
    "per_target_alpha": (50, 7, False, True, 3, True),
    "sparse_per_target_alpha_wide": (15, 30, True, True, 3, True),
}


def supported(solver, case):
    """Solver/case pairs that can run: 'svd' is dense-only (its error on sparse
    input is tested separately)."""
    return not (solver == "svd" and case.startswith("sparse"))


def pairs(solvers, cases):
    return [(s_, c) for s_ in solvers for c in cases if supported(s_, c)]


def make_case(name, seed=0):
    n, p, sparse, weighted, n_targets, per_target = CASES[name]
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + rng.randn(p) * 3  # offsets: the intercept matters
    if sparse:
        X[rng.rand(n, p) < 0.6] = 0
    coef = rng.randn(p, n_targets or 1)
    Y = X @ coef + 0.5 * rng.randn(n, n_targets or 1)
    y = Y[:, 0] if n_targets is None else Y
    sw = rng.rand(n) * 3 if weighted else None
    alpha = [0.3, 2.0, 15.0] if per_target else 1.7
    return (sp.csr_matrix(X) if sparse else X), y, sw, alpha


def dense(X):
    return X.toarray() if sp.issparse(X) else X


def sk_reference(X, y, sw, alpha, fit_intercept):
    """scikit-learn's Ridge with its most exact solver, on the dense data."""
    ref = Ridge(alpha=alpha, solver="svd", fit_intercept=fit_intercept)
    return ref.fit(dense(X), y, sample_weight=sw)


def assert_params_close(est, ref, rtol=1e-6):
    scale = np.abs(ref.coef_).max()
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=rtol,
                               atol=rtol * max(scale, 1.0))


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver,case", pairs(SOLVERS, sorted(CASES)))
def test_parity_with_sklearn(solver, case, fit_intercept):
    X, y, sw, alpha = make_case(case)
    est = RidgeRegressor(alpha=alpha, solver=solver, fit_intercept=fit_intercept,
                         tol=TIGHT.get(solver, 1e-4))
    est.fit(X, y, sample_weight=sw)
    assert_params_close(est, sk_reference(X, y, sw, alpha, fit_intercept))
    n_targets = 1 if y.ndim == 1 else y.shape[1]
    assert est.coef_.shape == (() if y.ndim == 1 else (n_targets,)) + (X.shape[1],)
    assert est.n_iter_.shape == (n_targets,) and np.all(est.n_iter_ >= 1)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("solver", ["lsqr", "sparse_cg"])
def test_iterative_match_sklearn_same_solver_default_tol(solver, sparse):
    # Same algorithm and stopping rule as scikit-learn: same iterate, even at
    # the loose default tol.
    X, y, sw, alpha = make_case("sparse_tall" if sparse else "dense_tall", seed=3)
    est = RidgeRegressor(alpha=alpha, solver=solver).fit(X, y)
    ref = Ridge(alpha=alpha, solver=solver).fit(X, y)
    assert_params_close(est, ref)


@pytest.mark.parametrize("case", ["dense_tall", "dense_wide", "sparse_tall",
                                  "sparse_wide", "weighted", "multi_output"])
def test_direct_solution_is_optimal(case):
    # Stationarity of the weighted objective in (w, b):
    #   X^T S r = alpha w  and  sum(S r) = 0,  r = y - X w - b.
    X, y, sw, alpha = make_case(case, seed=1)
    est = RidgeRegressor(alpha=alpha).fit(X, y, sample_weight=sw)
    Xd, s = dense(X), (np.ones(X.shape[0]) if sw is None else sw)
    W = np.atleast_2d(est.coef_)
    R = y.reshape(len(y), -1) - Xd @ W.T - est.intercept_
    grad_w = Xd.T @ (s[:, None] * R) - np.asarray(alpha) * W.T
    scale = np.abs(Xd.T @ (s[:, None] * y.reshape(len(y), -1))).max()
    assert np.abs(grad_w).max() <= 1e-9 * scale
    assert np.abs(s @ R).max() <= 1e-9 * scale


def exact_positive(X, y, sw, alpha, fit_intercept):
    """Non-negative ridge by NNLS on the augmented system [Xc; sqrt(a) I]."""
    Xd, s = dense(X), (np.ones(X.shape[0]) if sw is None else sw)
    xm = s @ Xd / s.sum() if fit_intercept else np.zeros(Xd.shape[1])
    ym = s @ y / s.sum() if fit_intercept else 0.0
    Xc = (Xd - xm) * np.sqrt(s)[:, None]
    A = np.vstack([Xc, np.sqrt(alpha) * np.eye(Xd.shape[1])])
    b = np.concatenate([(y - ym) * np.sqrt(s), np.zeros(Xd.shape[1])])
    w = nnls(A, b, maxiter=50 * Xd.shape[1])[0]
    return w, ym - xm @ w


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("case", ["dense_tall", "dense_wide", "sparse_tall",
                                  "sparse_wide", "weighted", "sparse_weighted"])
def test_positive_is_exact(case, fit_intercept):
    X, y, sw, alpha = make_case(case, seed=2)
    w, b = exact_positive(X, y, sw, alpha, fit_intercept)
    assert 0 < np.count_nonzero(w) < w.size  # the constraint is active
    est = RidgeRegressor(alpha=alpha, positive=True, fit_intercept=fit_intercept)
    est.fit(X, y, sample_weight=sw)
    assert est.solver_ == "lbfgs"
    assert np.all(est.coef_ >= 0)
    np.testing.assert_allclose(est.coef_, w, rtol=1e-6, atol=1e-9 * np.abs(w).max())
    np.testing.assert_allclose(est.intercept_, b, rtol=1e-6, atol=1e-9)
    # scikit-learn's lbfgs reaches the same point when pushed to a tight tol.
    ref = Ridge(alpha=alpha, positive=True, fit_intercept=fit_intercept, tol=1e-12)
    ref.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-4,
                               atol=1e-5 * np.abs(w).max())


@pytest.mark.parametrize("decompose,case", [
    (decompose, case)
    for decompose in (svd_decompose, eigh_decompose)
    for case in ("dense_tall", "dense_wide", "sparse_tall", "sparse_wide",
                 "weighted", "multi_output")
    if supported("svd" if decompose is svd_decompose else "eigh", case)
])
def test_one_decomposition_serves_many_alphas(decompose, case):
    X, y, sw, _ = make_case(case, seed=4)
    design = make_design(X.tocsc() if sp.issparse(X) else X, y,
                         None if sw is None else sw.copy(), True)
    spectrum = decompose(design)
    alphas = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])
    coefs = spectral_coefs(spectrum, alphas)
    n_targets = 1 if y.ndim == 1 else y.shape[1]
    assert coefs.shape == (alphas.size, n_targets, X.shape[1])
    for a, coef in zip(alphas, coefs, strict=True):
        fresh = RidgeRegressor(alpha=a, solver="cholesky").fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(coef, np.atleast_2d(fresh.coef_), rtol=1e-6,
                                   atol=1e-9 * np.abs(fresh.coef_).max())
    # One alpha per target and grid point, shape (n_alphas, n_targets).
    per_target = np.outer(alphas, np.arange(1, n_targets + 1))
    coefs_pt = spectral_coefs(spectrum, per_target)
    fresh = RidgeRegressor(alpha=per_target[2], solver="svd" if not sp.issparse(X)
                           else "cholesky").fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(coefs_pt[2], np.atleast_2d(fresh.coef_), rtol=1e-6,
                               atol=1e-9 * np.abs(fresh.coef_).max())


@pytest.mark.parametrize("solver", ["svd", "cholesky", "eigh"])
@pytest.mark.parametrize("shape", [(30, 10), (10, 30)])
def test_alpha_zero_rank_deficient_is_min_norm_least_squares(solver, shape):
    rng = np.random.RandomState(5)
    n, p = shape
    X = rng.randn(n, 4) @ rng.randn(4, p)  # rank 4
    y = rng.randn(n)
    est = RidgeRegressor(alpha=0.0, solver=solver).fit(X, y)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    expected = np.linalg.pinv(Xc, rcond=1e-10) @ yc
    np.testing.assert_allclose(est.coef_, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver,case", pairs(SOLVERS, ["dense_tall", "sparse_tall"]))
def test_inputs_not_modified(solver, case):
    sparse = case.startswith("sparse")
    X, y, _, _ = make_case(case)
    X = X.tocsc() if sparse else np.asfortranarray(X)  # no conversion copy
    sw = np.random.RandomState(0).rand(X.shape[0])
    X0, y0, sw0 = X.copy(), y.copy(), sw.copy()
    for fit_intercept in (True, False):
        RidgeRegressor(solver=solver, fit_intercept=fit_intercept).fit(
            X, y, sample_weight=sw)
        RidgeRegressor(solver=solver, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_array_equal(dense(X), dense(X0))
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(sw, sw0)


@pytest.mark.parametrize(
    "solver,case", pairs(SOLVERS, ["dense_tall", "sparse_wide", "per_target_alpha"])
)
def test_float32_kept_and_accurate(solver, case):
    X, y, sw, alpha = make_case(case, seed=6)
    tol = TIGHT.get(solver, 1e-4)
    est32 = RidgeRegressor(alpha=alpha, solver=solver, tol=tol).fit(
        X.astype(np.float32), y.astype(np.float32), sample_weight=sw)
    assert est32.coef_.dtype == np.float32
    assert np.asarray(est32.intercept_).dtype == np.float32
    assert est32.predict(X.astype(np.float32)).dtype == np.float32
    # The fit runs in float64 on the float32 values, so the only loss is the
    # final rounding to float32.
    est64 = RidgeRegressor(alpha=alpha, solver=solver, tol=tol).fit(
        X.astype(np.float32).astype(np.float64), y.astype(np.float32), sample_weight=sw)
    np.testing.assert_allclose(est32.coef_, est64.coef_, rtol=2e-6,
                               atol=1e-6 * np.abs(est64.coef_).max())


def test_auto_choices():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 5), rng.randn(40)
    assert RidgeRegressor().fit(X, y).solver_ == "cholesky"
    wide = rng.randn(10, 60)  # wide: the dual (kernel) form of the same solver
    assert RidgeRegressor().fit(wide, y[:10]).solver_ == "cholesky"
    assert RidgeRegressor(positive=True).fit(X, y).solver_ == "lbfgs"
    Y = rng.randn(40, 8)
    assert RidgeRegressor(alpha=np.arange(1, 9)).fit(X, Y).solver_ == "eigh"
    assert RidgeRegressor(alpha=np.ones(8)).fit(X, Y).solver_ == "cholesky"
    small = sp.random(200, 50, density=0.1, format="csr", random_state=0)
    assert RidgeRegressor().fit(small, rng.randn(200)).solver_ == "cholesky"
    big = sp.random(300, 200, density=0.05, format="csr", random_state=0)
    assert RidgeRegressor().fit(big, rng.randn(300)).solver_ == "sparse_cg"
    for solver in SOLVERS[1:]:  # a named solver is never replaced
        assert RidgeRegressor(solver=solver).fit(X, y).solver_ == solver


def test_sample_weight_is_not_normalised():
    # As in scikit-learn: weights 2*s with alpha equal weights s with alpha/2.
    X, y, sw, _ = make_case("weighted", seed=7)
    a = RidgeRegressor(alpha=3.0).fit(X, y, sample_weight=2 * sw)
    b = RidgeRegressor(alpha=1.5).fit(X, y, sample_weight=sw)
    assert_params_close(a, b, rtol=1e-10)
    c = RidgeRegressor(alpha=3.0).fit(X, y, sample_weight=2.0)
    d = RidgeRegressor(alpha=1.5).fit(X, y)
    assert_params_close(c, d, rtol=1e-10)
    ref = Ridge(alpha=3.0).fit(X, y, sample_weight=2.0)
    assert_params_close(c, ref)


def test_zero_weight_equals_dropping_rows():
    X, y, sw, _ = make_case("sparse_weighted", seed=8)
    sw[::3] = 0
    keep = sw > 0
    for solver in ["cholesky", "eigh", "lsqr", "sparse_cg"]:
        tol = TIGHT.get(solver, 1e-4)
        a = RidgeRegressor(solver=solver, tol=tol).fit(X, y, sample_weight=sw)
        b = RidgeRegressor(solver=solver, tol=tol).fit(X[keep], y[keep],
                                                      sample_weight=sw[keep])
        assert_params_close(a, b)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(alpha=-1.0), "alpha"),
        (dict(alpha=np.nan), "alpha"),
        (dict(alpha=[1.0, -2.0]), "alpha"),
        (dict(alpha=[1.0, 2.0, 3.0]), "alpha has 3 entries but y has 2 targets"),
        (dict(alpha=[[1.0, 2.0]]), "alpha"),
        (dict(solver="newton"), "solver"),
        (dict(solver="sag"), "solver='sag'"),
        (dict(solver="cholesky", positive=True), "positive=True"),
        (dict(tol=-1.0), "tol"),
        (dict(max_iter=0), "max_iter"),
    ],
)
def test_bad_hyperparameters_raise_value_error(params, match):
    X, y, _, _ = make_case("multi_output")
    y = y[:, :2]
    with pytest.raises(ValueError, match=match):
        RidgeRegressor(**params).fit(X, y)


def test_bad_types_raise_type_error():
    X, y, _, _ = make_case("dense_tall")
    for params in (dict(alpha="1"), dict(fit_intercept="yes"), dict(max_iter=2.5),
                   dict(positive=1)):
        with pytest.raises(TypeError):
            RidgeRegressor(**params).fit(X, y)


def test_dense_only_solver_on_sparse_x():
    X, y, _, _ = make_case("sparse_tall")
    with pytest.raises(ValueError, match="solver='svd' needs dense X"):
        RidgeRegressor(solver="svd").fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_raises(bad):
    X, y, _, _ = make_case("dense_tall")
    Xb = X.copy()
    Xb[3, 2] = bad
    with pytest.raises(ValueError, match="X"):
        RidgeRegressor().fit(Xb, y)
    yb = y.copy()
    yb[5] = bad
    with pytest.raises(ValueError, match="[Ii]nput y|y contains"):
        RidgeRegressor().fit(X, yb)
    sw = np.ones(len(y))
    sw[1] = bad
    with pytest.raises(ValueError, match="sample_weight"):
        RidgeRegressor().fit(X, y, sample_weight=sw)


def test_convergence_warning_quotes_tol():
    X, y, _, _ = make_case("dense_tall")
    for solver in ["lsqr", "sparse_cg", "lbfgs"]:
        with pytest.warns(ConvergenceWarning, match="tol=1e-10"):
            RidgeRegressor(solver=solver, max_iter=1, tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        RidgeRegressor(solver="lsqr", tol=1e-10).fit(X, y)


def test_fit_does_not_change_hyperparameters():
    est = RidgeRegressor(alpha=[1.0, 2.0, 3.0], solver="auto", max_iter=None)
    params = est.get_params()
    X, y, _, _ = make_case("multi_output")
    est.fit(X, y)
    assert est.get_params() == params


def test_docstring_examples():
    for module in (_ridge, _ridge_solvers):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0
    assert doctest.testmod(_ridge).attempted > 0


def test_documented_elastic_net_scale():
    # The class docstring: RidgeRegressor(a) == ElasticNet(a / n, l1_ratio=0).
    from skreg import ElasticNet

    X, y, _, _ = make_case("dense_tall", seed=9)
    ridge = RidgeRegressor(alpha=3.0).fit(X, y)
    enet = ElasticNet(alpha=3.0 / X.shape[0], l1_ratio=0.0, tol=1e-12,
                      max_iter=100_000).fit(X, y)
    assert_params_close(ridge, enet, rtol=1e-6)


@pytest.mark.parametrize("solver", ["auto", "lsqr", "sparse_cg", "lbfgs"])
def test_sparse_intercept_without_densifying(solver, monkeypatch):
    X = sp.random(300, 150, density=0.05, format="csr", random_state=0)
    y = X @ np.arange(150.0) + 1.0
    ref = sk_reference(X, y, None, 1.0, True)

    def forbidden(self, *args, **kwargs):
        raise AssertionError("X was densified")

    for cls in (sp.csr_matrix, sp.csc_matrix):
        monkeypatch.setattr(cls, "toarray", forbidden)
        monkeypatch.setattr(cls, "todense", forbidden)
    est = RidgeRegressor(solver=solver, tol=TIGHT.get(solver, 1e-12)).fit(X, y)
    monkeypatch.undo()
    assert est.solver_ == ("sparse_cg" if solver == "auto" else solver)
    assert_params_close(est, ref)
