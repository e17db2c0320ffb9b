"""The alpha grid, the warm-started path and early stopping along it."""

import warnings
from math import ceil

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as sk
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model._path import alpha_grid, enet_path, lasso_path
from skreg.linear_model._path_early_stopping import early_stopping_walk


def make_data(n=80, p=12, n_targets=None, seed=0, sparse=False, n_informative=4):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 1.5
    if sparse:
        X[rng.rand(n, p) < 0.6] = 0
    coef = np.zeros(p)
    coef[:n_informative] = rng.uniform(1, 3, n_informative) * rng.choice([-1, 1],
                                                                        n_informative)
    if n_targets is None:
        y = X @ coef + rng.randn(n)
    else:
        y = X @ (coef[:, None] * rng.rand(1, n_targets)) + rng.randn(n, n_targets)
    return (sp.csc_matrix(X) if sparse else X), y, rng.rand(n) * 2 + 0.1


# ---------------------------------------------------------------- alpha grid


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
def test_alpha_max_is_the_first_alpha_zeroing_everything(sparse, weighted, l1_ratio):
    X, y, sw = make_data(sparse=sparse)
    sw = sw if weighted else None
    grid = alpha_grid(X, y, l1_ratio=l1_ratio, n_alphas=4, eps=0.1, sample_weight=sw)
    at_max = ElasticNet(alpha=grid[0], l1_ratio=l1_ratio, tol=1e-10).fit(
        X, y, sample_weight=sw)
    below = ElasticNet(alpha=grid[0] * 0.99, l1_ratio=l1_ratio, tol=1e-10).fit(
        X, y, sample_weight=sw)
    assert np.all(at_max.coef_ == 0)
    assert np.any(below.coef_ != 0)


def test_alpha_grid_is_log_spaced_down_to_eps():
    X, y, _ = make_data()
    grid = alpha_grid(X, y, n_alphas=7, eps=1e-2)
    assert grid.shape == (7,)
    np.testing.assert_allclose(grid[-1] / grid[0], 1e-2)
    np.testing.assert_allclose(np.diff(np.log(grid)), np.log(1e-2) / 6)
    assert alpha_grid(X, y, n_alphas=1).shape == (1,)


def test_alpha_grid_matches_scikit_learn():
    X, y, _ = make_data()
    for l1_ratio in (1.0, 0.5):
        ours = alpha_grid(X, y, l1_ratio=l1_ratio, n_alphas=10, eps=1e-3)
        theirs = sk.ElasticNetCV(l1_ratio=l1_ratio, alphas=10, eps=1e-3, cv=2).fit(
            X, y).alphas_
        np.testing.assert_allclose(ours, theirs, rtol=1e-8)


def test_alpha_grid_integer_weights_equal_repeated_rows():
    X, y, _ = make_data()
    counts = np.random.RandomState(1).randint(0, 4, X.shape[0])
    weighted = alpha_grid(X, y, sample_weight=counts, n_alphas=5)
    repeated = alpha_grid(np.repeat(X, counts, axis=0), np.repeat(y, counts),
                          n_alphas=5)
    np.testing.assert_allclose(weighted, repeated, rtol=1e-10)


def test_alpha_grid_multi_target_zeroes_every_target():
    X, Y, _ = make_data(n_targets=3)
    grid = alpha_grid(X, Y, n_alphas=3)
    singles = [alpha_grid(X, Y[:, t], n_alphas=3)[0] for t in range(3)]
    np.testing.assert_allclose(grid[0], max(singles))


@pytest.mark.parametrize(
    "kwargs, name",
    [({"eps": 0.0}, "eps"), ({"eps": 1.0}, "eps"), ({"eps": -0.5}, "eps"),
     ({"n_alphas": 0}, "n_alphas"), ({"n_alphas": 2.5}, "n_alphas"),
     ({"l1_ratio": 1.5}, "l1_ratio"), ({"l1_ratio": 0.0}, "l1_ratio")],
)
def test_alpha_grid_bad_parameters_name_themselves(kwargs, name):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=name):
        alpha_grid(X, y, **kwargs)


# ---------------------------------------------------------------- the path


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("precompute", [False, True])
def test_every_path_point_equals_a_cold_fit(sparse, weighted, precompute):
    X, y, sw = make_data(sparse=sparse)
    sw = sw if weighted else None
    path = enet_path(X, y, l1_ratio=0.7, alphas=6, eps=1e-2, sample_weight=sw,
                     precompute=precompute, tol=1e-12, max_iter=10_000)
    assert path.alphas.shape == (6,) and path.coefs.shape == (X.shape[1], 6)
    for k, alpha in enumerate(path.alphas):
        cold = ElasticNet(alpha=alpha, l1_ratio=0.7, tol=1e-12, max_iter=10_000).fit(
            X, y, sample_weight=sw)
        # A duality gap of 1e-12 pins the coefficients to about its square root.
        np.testing.assert_allclose(path.coefs[:, k], cold.coef_, atol=1e-5)
        np.testing.assert_allclose(path.intercepts[k], cold.intercept_, atol=1e-5)
    assert np.all(path.dual_gaps <= 1e-12 * np.var(y) * 1.01)
    assert np.all(path.n_iters >= 1)


def test_lasso_path_multi_target_equals_cold_fits_per_target():
    X, Y, _ = make_data(n_targets=2)
    path = lasso_path(X, Y, alphas=4, tol=1e-12, max_iter=10_000)
    assert path.coefs.shape == (2, X.shape[1], 4)
    assert path.dual_gaps.shape == path.n_iters.shape == path.intercepts.shape == (2, 4)
    for k, alpha in enumerate(path.alphas):
        cold = LassoRegressor(alpha=alpha, tol=1e-12, max_iter=10_000).fit(X, Y)
        np.testing.assert_allclose(path.coefs[:, :, k], cold.coef_, atol=1e-5)
        np.testing.assert_allclose(path.intercepts[:, k], cold.intercept_, atol=1e-5)


def test_path_matches_scikit_learn_lasso_path():
    X, y, _ = make_data()
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alphas, coefs, _ = sk.lasso_path(Xc, yc, alphas=8, tol=1e-12, max_iter=10_000)
    ours = lasso_path(X, y, alphas=8, tol=1e-12, max_iter=10_000)
    np.testing.assert_allclose(ours.alphas, alphas, rtol=1e-8)
    np.testing.assert_allclose(ours.coefs, coefs, atol=1e-5)


def test_explicit_alphas_are_walked_decreasing_and_zero_is_least_squares():
    X, y, _ = make_data()
    path = enet_path(X, y, alphas=[0.1, 0.0, 1.0], tol=1e-12)
    np.testing.assert_array_equal(path.alphas, [1.0, 0.1, 0.0])
    ols = np.linalg.lstsq(np.c_[X, np.ones(len(y))], y, rcond=None)[0]
    np.testing.assert_allclose(path.coefs[:, -1], ols[:-1], rtol=1e-8)
    np.testing.assert_allclose(path.intercepts[-1], ols[-1], rtol=1e-8)


def test_path_keeps_float32_and_never_modifies_inputs():
    X, y, sw = make_data()
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    copies = X32.copy(), y32.copy(), sw.copy()
    path = enet_path(X32, y32, alphas=3, sample_weight=sw)
    assert path.coefs.dtype == np.float32
    for a, b in zip((X32, y32, sw), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_path_coef_init_starts_the_first_alpha():
    X, y, _ = make_data()
    target = LassoRegressor(alpha=0.05, tol=1e-12).fit(X, y)
    path = lasso_path(X, y, alphas=[0.05], coef_init=target.coef_, tol=1e-8)
    assert path.n_iters[0] <= 2
    np.testing.assert_allclose(path.coefs[:, 0], target.coef_, atol=1e-5)
    with pytest.raises(ValueError, match="coef_init"):
        lasso_path(X, y, alphas=2, coef_init=np.zeros(3))


def test_path_warns_once_when_not_converged():
    X, y, _ = make_data()
    with pytest.warns(Warning, match="did not converge at") as record:
        lasso_path(X, y, alphas=5, tol=1e-14, max_iter=1, precompute=False)
    assert len(record) == 1


@pytest.mark.parametrize(
    "kwargs, name",
    [({"alphas": 0}, "alphas"), ({"alphas": [-1.0]}, "alphas"),
     ({"alphas": []}, "alphas"), ({"alphas": [np.nan]}, "alphas"),
     ({"eps": 2.0}, "eps"), ({"l1_ratio": 0.0}, "l1_ratio"),
     ({"precompute": np.eye(3)}, "precompute"), ({"selection": "up"}, "selection"),
     ({"max_iter": 0}, "max_iter")],
)
def test_path_bad_parameters_name_themselves(kwargs, name):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=name):
        enet_path(X, y, **kwargs)


def test_l1_ratio_zero_path_with_explicit_grid_is_ridge():
    X, y, _ = make_data()
    path = enet_path(X, y, l1_ratio=0.0, alphas=[1.0], tol=1e-12, max_iter=10_000)
    ridge = sk.Ridge(alpha=1.0 * X.shape[0]).fit(X, y)
    np.testing.assert_allclose(path.coefs[:, 0], ridge.coef_, rtol=1e-6)


# ---------------------------------------------------------------- early stopping


def test_walk_stops_after_patience_and_keeps_the_best():
    scores = [0.1, 0.5, 0.6, 0.60001, 0.59, 0.58, 0.7, 0.9]
    consumed = []

    def steps():
        for i, value in enumerate(scores):
            consumed.append(i)
            yield 10.0 / (i + 1), value

    walk = early_stopping_walk(steps(), lambda v: v, n_iter_no_change=3, tol=1e-3)
    # 0.60001 beats 0.6 but not by tol: it is the best, yet counts as no change.
    assert walk.best_index == 3
    assert walk.scores.tolist() == scores[:6]
    assert consumed == list(range(6))  # the path is never computed further
    assert walk.alpha == pytest.approx(10.0 / 4)
    walk = early_stopping_walk(iter([(1.0, 0.2)]), float, n_iter_no_change=1, tol=0)
    assert walk.best_index == 0 and walk.alphas.tolist() == [1.0]
    # A first score that is not a number (e.g. an undefined R^2) must not stay
    # the best: the first real score replaces it.
    steps_nan = iter([(4.0, np.nan), (3.0, 0.5), (2.0, 0.6), (1.0, 0.55)])
    walk = early_stopping_walk(steps_nan, float, n_iter_no_change=2, tol=0)
    assert walk.best_index == 2 and walk.best_state == 0.6


def noisy_data(seed=0):
    # Few informative features among many noisy ones: the validation score
    # peaks well before the least regularised end of the path.
    return make_data(n=150, p=60, n_informative=3, seed=seed)


def test_early_stopping_stops_picks_best_and_refits():
    X, y, _ = noisy_data()
    est = LassoRegressor(alpha=1e-4, early_stopping=True, n_iter_no_change=3,
                         n_alphas=60, random_state=0, tol=1e-6).fit(X, y)
    assert est.alphas_.size < 60  # stopped
    best = int(np.argmax(est.validation_scores_))
    assert est.alpha_ == est.alphas_[best]
    assert est.best_validation_score_ == est.validation_scores_[best]
    tail = est.validation_scores_[-3:]
    assert np.all(tail <= np.max(est.validation_scores_[:-3]) + 1e-6)
    refit = LassoRegressor(alpha=est.alpha_, tol=1e-6).fit(X, y)
    np.testing.assert_allclose(est.coef_, refit.coef_, atol=1e-4)
    np.testing.assert_allclose(est.intercept_, refit.intercept_, atol=1e-4)
    assert est.alphas_[0] > est.alphas_[-1] >= 1e-4


def test_early_stopping_scores_are_validation_r2_of_cold_fits():
    X, y, sw = noisy_data(seed=1)
    est = ElasticNet(alpha=1e-3, l1_ratio=0.8, early_stopping=True, n_alphas=20,
                     validation_fraction=0.25, random_state=3, tol=1e-10,
                     max_iter=10_000).fit(X, y, sample_weight=sw)
    # The split the docs promise: train_test_split with the estimator's rng.
    n = X.shape[0]
    train, val = train_test_split(np.arange(n), test_size=ceil(0.25 * n),
                                  random_state=check_random_state(3))
    for alpha, score in zip(est.alphas_, est.validation_scores_, strict=True):
        cold = ElasticNet(alpha=alpha, l1_ratio=0.8, tol=1e-10, max_iter=10_000).fit(
            X[train], y[train], sample_weight=sw[train])
        expected = r2_score(y[val], cold.predict(X[val]), sample_weight=sw[val])
        assert score == pytest.approx(expected, abs=1e-7)


def test_early_stopping_off_changes_nothing():
    X, y, _ = make_data()
    plain = LassoRegressor(alpha=0.05).fit(X, y)
    off = LassoRegressor(alpha=0.05, early_stopping=False, validation_fraction=0.5,
                         n_iter_no_change=1, n_alphas=3).fit(X, y)
    np.testing.assert_array_equal(plain.coef_, off.coef_)
    for name in ("alpha_", "alphas_", "validation_scores_", "best_validation_score_"):
        assert not hasattr(off, name)


def test_early_stopping_is_reproducible_and_follows_random_state():
    X, y, _ = noisy_data()
    fits = [LassoRegressor(alpha=1e-3, early_stopping=True, random_state=s,
                           n_alphas=30).fit(X, y) for s in (0, 0, 1)]
    np.testing.assert_array_equal(fits[0].validation_scores_,
                                  fits[1].validation_scores_)
    assert not np.array_equal(fits[0].validation_scores_[:5],
                              fits[2].validation_scores_[:5])


def test_early_stopping_alpha_above_alpha_max_is_a_single_step():
    X, y, _ = make_data()
    est = LassoRegressor(alpha=1e3, early_stopping=True, random_state=0).fit(X, y)
    assert est.alphas_.tolist() == [1e3] and est.alpha_ == 1e3
    assert np.all(est.coef_ == 0)


def test_early_stopping_multi_target_sparse_float32():
    X, Y, _ = make_data(n=100, n_targets=2, sparse=True)
    est = ElasticNet(alpha=1e-3, early_stopping=True, random_state=0, n_alphas=15)
    est.fit(X.astype(np.float32), Y.astype(np.float32))
    assert est.coef_.shape == (2, X.shape[1]) and est.coef_.dtype == np.float32
    assert est.alpha_ in est.alphas_


def test_early_stopping_warns_once_when_the_path_does_not_converge():
    X, y, _ = noisy_data()
    est = LassoRegressor(alpha=1e-4, early_stopping=True, max_iter=1, tol=1e-14,
                         precompute=False, random_state=0)
    with pytest.warns(Warning) as record:
        est.fit(X, y)
    path_warnings = [w for w in record if "early-stopping path" in str(w.message)]
    assert len(path_warnings) == 1


@pytest.mark.parametrize(
    "params, n, name",
    [({"validation_fraction": 0.0}, 50, "validation_fraction"),
     ({"validation_fraction": 1.0}, 50, "validation_fraction"),
     ({"validation_fraction": 1.5}, 50, "validation_fraction"),
     ({"validation_fraction": 0.1}, 5, "validation_fraction"),  # 1 held-out sample
     ({"validation_fraction": 0.9}, 12, "validation_fraction"),  # 1 training sample
     ({"n_iter_no_change": 0}, 50, "n_iter_no_change"),
     ({"n_alphas": 0}, 50, "n_alphas"),
     ({"alpha": 0.0}, 50, "alpha"),
     ({"l1_ratio": 0.0}, 50, "l1_ratio"),
     ({"early_stopping": "yes"}, 50, "early_stopping")],
)
def test_early_stopping_bad_parameters_name_themselves(params, n, name):
    X, y, _ = make_data(n=n)
    est = ElasticNet(**{"early_stopping": True, "alpha": 1e-3, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=name):
            est.fit(X, y)


def test_early_stopping_rejects_a_split_with_no_weight():
    X, y = make_data(n=20, p=6)[:2]
    sw = np.zeros(20)
    sw[0] = 1.0  # all the weight on one row: one side of any split has none
    with pytest.raises(ValueError, match="zero on the whole of the training or "
                                         "validation split"):
        LassoRegressor(alpha=0.01, early_stopping=True, validation_fraction=0.5,
                       random_state=0).fit(X, y, sample_weight=sw)
