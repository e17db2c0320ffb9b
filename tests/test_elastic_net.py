"""ElasticNet and LassoRegressor: optimality, parity with scikit-learn, inputs."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline

from skreg import ElasticNet, LassoRegressor

from _objectives import kkt_violation, objective


def make_data(n=120, p=30, n_targets=None, seed=0, dtype=np.float64, sparse=False,
              order="C"):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 2.0  # offset: the intercept matters
    X[:, 1] = X[:, 0] + 0.1 * rng.randn(n)  # correlated pair
    if sparse:
        X[rng.rand(n, p) < 0.7] = 0
    coef = np.zeros(max(p, 5))[:p]
    coef[:5] = [3, -2, 1.5, 0, 1][:p]
    Y = X @ coef + rng.randn(n) if n_targets is None else (
        X @ (coef[:, None] * rng.rand(1, n_targets)) + rng.randn(n, n_targets))
    X = sp.csr_matrix(X) if sparse else np.asarray(X, order=order)
    return X.astype(dtype), Y.astype(dtype), rng.rand(n) * 2


CASES = {
    "dense": {},
    "sparse": {"sparse": True},
    "float32": {"dtype": np.float32},
    "multi_output": {"n_targets": 3},
    "sparse_multi_output": {"sparse": True, "n_targets": 2},
}
# Big enough for working sets (which need an L1 part): on Gram blocks (tall)
# and on columns (wide), from the gradient of the pass that takes the column
# statistics.
WORKING_SET_CASES = {
    "tall": {"n": 1200, "p": 100},
    "tall_float32": {"n": 1200, "p": 100, "dtype": np.float32},
    "wide_F": {"n": 60, "p": 2000, "order": "F"},
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_kkt_and_parity_with_sklearn(case, weighted, positive, l1_ratio):
    check_kkt_and_parity(CASES[case], weighted, positive, l1_ratio)


@pytest.mark.parametrize("case", WORKING_SET_CASES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_kkt_and_parity_with_sklearn_on_working_sets(case, weighted, positive,
                                                     l1_ratio):
    check_kkt_and_parity(WORKING_SET_CASES[case], weighted, positive, l1_ratio)


def check_kkt_and_parity(data, weighted, positive, l1_ratio):
    X, y, sw = make_data(**data)
    sw = sw if weighted else None
    alpha = 0.05
    f32 = X.dtype == np.float32
    ours = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive,
                      tol=1e-6 if f32 else 1e-12, max_iter=100_000)
    theirs = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive,
                           tol=1e-6 if f32 else 1e-12, max_iter=100_000)
    with warnings.catch_warnings():
        # scikit-learn cannot certify l1_ratio=0; its warning is not ours to test
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y, sample_weight=sw)
    ours.fit(X, y, sample_weight=sw)

    assert ours.coef_.dtype == X.dtype
    scale = np.abs(X.T @ (y - y.mean(axis=0))).max() / X.shape[0]
    assert kkt_violation(ours, X, y, sw, alpha, l1_ratio, positive) <= (
        1e-3 if f32 else 1e-6) * scale
    ours_obj = objective(ours, X, y, sw, alpha, l1_ratio)
    theirs_obj = objective(theirs, X, y, sw, alpha, l1_ratio)
    assert ours_obj <= theirs_obj * (1 + (1e-5 if f32 else 1e-7))
    if l1_ratio > 0 and not f32:
        np.testing.assert_array_equal(ours.coef_ == 0, theirs.coef_ == 0)
    if positive:
        assert np.all(ours.coef_ >= 0)


@pytest.mark.parametrize("precompute", [True, "auto"])
@pytest.mark.parametrize("sparse", [False, True])
def test_gram_route_reaches_the_same_solution(precompute, sparse):
    X, y, sw = make_data(sparse=sparse)
    plain = ElasticNet(alpha=0.05, tol=1e-12).fit(X, y, sample_weight=sw)
    gram = ElasticNet(alpha=0.05, tol=1e-12, precompute=precompute).fit(
        X, y, sample_weight=sw)
    np.testing.assert_allclose(gram.coef_, plain.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gram.intercept_, plain.intercept_, rtol=1e-7)


def test_user_gram_matrix():
    X, y, _ = make_data()
    Xc = X - X.mean(axis=0)
    est = LassoRegressor(alpha=0.1, precompute=Xc.T @ Xc, tol=1e-12).fit(X, y)
    ref = LassoRegressor(alpha=0.1, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=1e-10)
    with pytest.raises(ValueError, match="does not match X.T @ X"):
        LassoRegressor(alpha=0.1, precompute=X.T @ X).fit(X, y)
    with pytest.raises(ValueError, match="shape"):
        LassoRegressor(alpha=0.1, precompute=np.eye(3)).fit(X, y)


@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_selection_and_reproducibility(selection):
    X, y, _ = make_data()
    a = LassoRegressor(alpha=0.05, selection=selection, random_state=3,
                       tol=1e-10).fit(X, y)
    b = LassoRegressor(alpha=0.05, selection=selection, random_state=3,
                       tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert kkt_violation(a, X, y, None, 0.05, 1.0) <= 1e-6


def test_l1_ratio_zero_certifies_convergence():
    X, y, _ = make_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = ElasticNet(alpha=0.5, l1_ratio=0.0, tol=1e-10).fit(X, y)
    assert est.dual_gap_ <= 1e-10 * np.var(y)
    ridge = sk.Ridge(alpha=0.5 * X.shape[0]).fit(X, y)
    # the objective is 0.5-strongly convex: ||w - w*||^2 <= 2 gap / 0.5
    assert np.sum((est.coef_ - ridge.coef_) ** 2) <= 4 * est.dual_gap_ * (1 + 1e-6)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
def test_alpha_zero_warns_and_solves_least_squares(positive, sparse):
    X, y, _ = make_data(n=80, p=10, sparse=sparse)
    with pytest.warns(UserWarning, match="LinearRegression"):
        est = LassoRegressor(alpha=0, positive=positive, tol=1e-8).fit(X, y)
    ref = LinearRegression(positive=positive).fit(X.toarray() if sparse else X, y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert est.n_iter_ >= 1


def test_convergence_warning_quotes_tol_and_gap():
    X, y, _ = make_data()
    with pytest.warns(ConvergenceWarning, match=r"tol=1e-12\).*max_iter=1 ") as rec:
        est = LassoRegressor(alpha=0.01, tol=1e-12, max_iter=1).fit(X, y)
    assert f"{est.dual_gap_:.3e}" in str(rec[0].message)
    assert est.n_iter_ == 1


def test_at_least_one_pass_and_zero_solution_above_alpha_max():
    X, y, _ = make_data()
    alpha_max = np.abs((X - X.mean(0)).T @ (y - y.mean())).max() / X.shape[0]
    est = LassoRegressor(alpha=alpha_max * 1.01).fit(X, y)
    assert est.n_iter_ >= 1
    assert np.all(est.coef_ == 0)
    assert est.intercept_ == pytest.approx(y.mean())
    est = LassoRegressor(alpha=alpha_max * 0.9).fit(X, y)
    assert np.sum(est.coef_ != 0) >= 1


def test_warm_start_continues_from_previous_coef():
    X, y, _ = make_data()
    est = ElasticNet(alpha=0.05, warm_start=True, tol=1e-10).fit(X, y)
    n_cold = est.n_iter_
    est.fit(X, y)
    assert est.n_iter_ < n_cold
    with pytest.raises(ValueError, match="warm_start=True"):
        est.fit(X[:, :5], y)


def test_select_from_model_keeps_exactly_the_nonzero_coefficients():
    X, y = load_diabetes(return_X_y=True)
    for est in (LassoRegressor(alpha=0.3), ElasticNet(alpha=0.2, l1_ratio=0.99)):
        est.fit(X, y)
        nonzero = est.coef_ != 0
        assert 0 < nonzero.sum() < X.shape[1]
        pipe = make_pipeline(SelectFromModel(est, threshold=np.finfo(float).tiny),
                             LinearRegression()).fit(X, y)
        np.testing.assert_array_equal(pipe[0].get_support(), nonzero)
        assert pipe.predict(X).shape == y.shape


def test_inputs_are_not_modified():
    X, y, sw = make_data()
    Xs = sp.csc_matrix(X)
    copies = (X.copy(), y.copy(), sw.copy(), Xs.copy())
    ElasticNet(alpha=0.1).fit(X, y, sample_weight=sw)
    ElasticNet(alpha=0.1, precompute=True).fit(Xs, y, sample_weight=sw)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])
    np.testing.assert_array_equal(sw, copies[2])
    assert (Xs != copies[3]).nnz == 0


def test_fortran_and_c_order_give_the_same_fit():
    X, y, _ = make_data()
    a = ElasticNet(alpha=0.1).fit(np.ascontiguousarray(X), y)
    b = ElasticNet(alpha=0.1).fit(np.asfortranarray(X), y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)


@pytest.mark.parametrize("fmt", ["csr", "coo", "lil", "dok", "bsr"])
def test_any_sparse_format(fmt):
    X, y, _ = make_data(sparse=True)
    ref = LassoRegressor(alpha=0.05).fit(X.toarray(), y)
    est = LassoRegressor(alpha=0.05).fit(X.asformat(fmt), y)
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-6, atol=1e-8)


BAD_PARAMS = [
    ({"alpha": -1.0}, "alpha must be in"),
    ({"alpha": "big"}, "alpha must be a real number"),
    ({"l1_ratio": 1.5}, "l1_ratio must be in"),
    ({"l1_ratio": -0.1}, "l1_ratio must be in"),
    ({"max_iter": 0}, "max_iter must be in"),
    ({"tol": -1e-3}, "tol must be in"),
    ({"selection": "greedy"}, "selection must be one of"),
    ({"precompute": "yes"}, "precompute must be one of"),
    ({"fit_intercept": "no"}, "fit_intercept must be True or False"),
]


@pytest.mark.parametrize("params,match", BAD_PARAMS)
def test_bad_parameters_name_the_problem(params, match):
    X, y, _ = make_data(n=20, p=4)
    with pytest.raises(ValueError, match=match):
        ElasticNet(**params).fit(X, y)


def test_bad_inputs_name_the_problem():
    X, y, sw = make_data(n=20, p=4)
    est = ElasticNet()
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    Xinf = X.copy()
    Xinf[1, 1] = np.inf
    ynan = y.copy()
    ynan[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(Xnan, y)
    with pytest.raises(ValueError, match="infinity"):
        est.fit(Xinf, y)
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X, ynan)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    with pytest.raises(ValueError, match="sample_weight has 19 entries"):
        est.fit(X, y, sample_weight=sw[:-1])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        est.fit(X, y, sample_weight=-sw)
    with pytest.raises(ValueError, match="could not convert string"):
        est.fit([["a", "b"], ["c", "d"]], [1.0, 2.0])
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(np.empty((0, 3)), np.empty(0))
    with pytest.raises(ValueError, match="0 feature"):
        est.fit(np.empty((5, 0)), np.ones(5))
    with pytest.raises(ValueError, match="dim 3"):
        est.fit(np.ones((4, 2, 2)), np.ones(4))
    est.fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        est.predict(X[:, :3])


def test_lasso_is_elastic_net_with_l1_ratio_one():
    X, y, _ = make_data()
    a = LassoRegressor(alpha=0.07, tol=1e-12).fit(X, y)
    b = ElasticNet(alpha=0.07, l1_ratio=1.0, tol=1e-12).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert "l1_ratio" not in a.get_params()


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("layout", ["C", "F", "csc", "weighted", "no_intercept"])
def test_non_finite_X_is_refused_on_every_route(layout, bad):
    # X's finiteness is checked in the pass that takes its means and norms on
    # the main route; every other route must still check it.
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)
    X[7, 2] = bad
    y = rng.randn(30)
    kwargs, fit_kwargs = {}, {}
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "csc":
        X = sp.csc_matrix(X)
    elif layout == "weighted":
        fit_kwargs["sample_weight"] = rng.rand(30) + 0.5
    elif layout == "no_intercept":
        kwargs["fit_intercept"] = False
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        ElasticNet(alpha=0.1, **kwargs).fit(X, y, **fit_kwargs)


@pytest.mark.parametrize("shape", [(1200, 200), (60, 4000)])
def test_strided_X_fits_as_its_contiguous_copy(shape):
    # a strided view skips the one-pass column statistics and the compiled
    # column gathers: the fallbacks must give the same fit
    rng = np.random.RandomState(0)
    X = rng.randn(*shape)[:, ::2]
    y = X[:, :5].sum(axis=1) + rng.randn(shape[0])
    assert not (X.flags.c_contiguous or X.flags.f_contiguous)
    tol = 1e-10
    a = ElasticNet(alpha=0.01, tol=tol).fit(X, y)
    b = ElasticNet(alpha=0.01, tol=tol).fit(np.ascontiguousarray(X), y)
    best = ElasticNet(alpha=0.01, tol=1e-15, max_iter=100_000).fit(X, y)

    def objective(m):
        r = y - X @ m.coef_ - m.intercept_
        return (r @ r / (2 * len(y)) + 0.005 * np.abs(m.coef_).sum()
                + 0.0025 * m.coef_ @ m.coef_)

    # The two differ in the last bits of the column statistics, which may send
    # them along different working sets on the wide problem; what both must
    # meet is the stopping rule. A duality gap of at most tol * ||y_c||^2 / n
    # bounds the distance to the optimum's objective, and the l2 part (strong
    # convexity 0.005) bounds the coefficients' distance by sqrt(2 gap / 0.005).
    yy = np.sum((y - y.mean()) ** 2) / len(y)
    bound = tol * yy
    radius = np.sqrt(2 * bound / 0.005) + np.sqrt(2 * 1e-15 * yy / 0.005)
    for m in (a, b):
        assert objective(m) - objective(best) <= bound
        assert np.linalg.norm(m.coef_ - best.coef_) <= radius
    assert abs(objective(a) - objective(b)) <= bound
    # intercept = mean(y) - mean(X) @ coef
    assert (abs(a.intercept_ - b.intercept_)
            <= 2 * radius * np.linalg.norm(X.mean(axis=0)))
