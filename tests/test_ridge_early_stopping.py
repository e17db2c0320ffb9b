"""The ridge path (ridge_path) and RidgeRegressor(early_stopping=True) along it."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from skreg.linear_model._path_early_stopping import validation_split
from skreg.linear_model._ridge import RidgeRegressor
from skreg.linear_model._ridge_path import ridge_path


def make_data(n=120, p=30, seed=0, sparse=False, n_targets=1):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 1.0
    if sparse:
        X[rng.rand(n, p) < 0.6] = 0.0
    W = rng.randn(p, n_targets) * (rng.rand(p, 1) < 0.3)
    Y = X @ W + 2.0 * rng.randn(n, n_targets) + 3.0
    y = Y[:, 0] if n_targets == 1 else Y
    return (sp.csc_matrix(X) if sparse else X), y


def split_of(est, n_samples):
    """The (train, validation) split the estimator draws for its random_state."""
    return validation_split(n_samples, est.validation_fraction,
                            check_random_state(est.random_state))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(120, 30), (60, 90)])
def test_every_step_equals_a_cold_fit_on_the_split(sparse, weighted, shape):
    X, y = make_data(*shape, sparse=sparse)
    n = shape[0]
    sw = np.random.RandomState(1).uniform(0.2, 2.0, n) if weighted else None
    est = RidgeRegressor(alpha=1e-2, early_stopping=True, n_iter_no_change=4,
                         n_alphas=40, random_state=3).fit(X, y, sample_weight=sw)
    train, val = split_of(est, n)
    s_train = None if sw is None else sw[train]
    s_val = None if sw is None else sw[val]
    # Steps are in full-data units: the split is fitted at alpha * its share.
    ratio = train.size / n if sw is None else sw[train].sum() / sw.sum()
    for alpha, score in zip(est.alphas_, est.validation_scores_, strict=True):
        cold = RidgeRegressor(alpha=alpha * ratio, solver="cholesky").fit(
            X[train], y[train], sample_weight=s_train)
        expected = r2_score(y[val], cold.predict(X[val]), sample_weight=s_val)
        assert score == pytest.approx(expected, rel=1e-7, abs=1e-9)


def test_stops_picks_the_validation_best_and_refits_on_all_data():
    X, y = make_data(150, 60, seed=4)
    est = RidgeRegressor(alpha=1e-4, early_stopping=True, n_iter_no_change=3,
                         n_alphas=100, tol=1e-4, random_state=0).fit(X, y)
    n_steps = est.alphas_.size
    assert n_steps < 100  # it stopped before the end of the grid
    best = int(np.argmax(est.validation_scores_))
    assert est.alpha_ == est.alphas_[best]
    assert est.best_validation_score_ == est.validation_scores_[best]
    # It stopped because the last n_iter_no_change steps beat the best by <= tol.
    tail = est.validation_scores_[-3:]
    assert np.all(tail <= est.validation_scores_[:n_steps - 3].max() + 1e-4)
    assert np.all(np.diff(est.alphas_) < 0)
    refit = RidgeRegressor(alpha=est.alpha_).fit(X, y)
    assert_allclose(est.coef_, refit.coef_, rtol=1e-10)
    assert est.intercept_ == pytest.approx(refit.intercept_, rel=1e-10)


def test_walks_the_whole_grid_down_to_alpha_when_it_keeps_improving():
    X, y = make_data(200, 10, seed=5)
    y = y - 2.0 * np.random.RandomState(5).randn(200)  # nearly noiseless
    est = RidgeRegressor(alpha=1e-3, early_stopping=True, n_alphas=15,
                         n_iter_no_change=15, random_state=0).fit(X, y)
    assert est.alphas_.size == 15
    assert est.alphas_[-1] == pytest.approx(1e-3)
    train, _ = split_of(est, 200)
    gram_top = np.linalg.eigvalsh(np.cov(X[train].T, bias=True) * train.size)[-1]
    # The documented start: 100 times the largest eigenvalue, in full-data units.
    assert est.alphas_[0] == pytest.approx(100 * gram_top * 200 / train.size)
    assert_allclose(np.diff(np.log(est.alphas_)), np.log(est.alphas_[1] /
                                                         est.alphas_[0]))


def test_first_step_is_nearly_the_constant_model():
    X, y = make_data(100, 20, seed=6)
    est = RidgeRegressor(alpha=1e-2, early_stopping=True, random_state=1).fit(X, y)
    train, val = split_of(est, 100)
    constant = r2_score(y[val], np.full(val.size, y[train].mean()))
    assert est.validation_scores_[0] == pytest.approx(constant, abs=0.02)
    assert est.best_validation_score_ > est.validation_scores_[0] + 0.1


def test_alpha_above_the_start_is_the_only_step():
    X, y = make_data(60, 5, seed=7)
    est = RidgeRegressor(alpha=1e12, early_stopping=True).fit(X, y)
    assert_array_equal(est.alphas_, [1e12])
    assert est.alpha_ == 1e12


def test_off_by_default_changes_nothing():
    X, y = make_data(80, 10, seed=8)
    plain = RidgeRegressor(alpha=0.5).fit(X, y)
    off = RidgeRegressor(alpha=0.5, early_stopping=False, n_alphas=3,
                         validation_fraction=0.5).fit(X, y)
    assert_array_equal(plain.coef_, off.coef_)
    for name in ("alpha_", "alphas_", "validation_scores_",
                 "best_validation_score_"):
        assert not hasattr(off, name)


def test_sparse_dense_and_multi_target():
    X, Y = make_data(100, 25, seed=9, sparse=True, n_targets=2)
    params = dict(alpha=1e-3, early_stopping=True, random_state=2)
    dense = RidgeRegressor(**params).fit(X.toarray(), Y)
    sparse = RidgeRegressor(**params).fit(X, Y)
    assert_allclose(sparse.validation_scores_, dense.validation_scores_, rtol=1e-8)
    assert sparse.alpha_ == dense.alpha_
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6, atol=1e-10)
    assert dense.coef_.shape == (2, 25)


def test_random_state_fixes_the_split():
    X, y = make_data(100, 20, seed=10)
    a = RidgeRegressor(alpha=1e-3, early_stopping=True, random_state=0).fit(X, y)
    b = RidgeRegressor(alpha=1e-3, early_stopping=True, random_state=0).fit(X, y)
    c = RidgeRegressor(alpha=1e-3, early_stopping=True, random_state=1).fit(X, y)
    assert_array_equal(a.validation_scores_, b.validation_scores_)
    assert not np.array_equal(a.validation_scores_[:5], c.validation_scores_[:5])


def test_in_pipeline_and_grid_search():
    X, y = make_data(100, 20, seed=11)
    pipe = make_pipeline(StandardScaler(),
                         RidgeRegressor(alpha=1e-3, early_stopping=True,
                                        random_state=0))
    search = GridSearchCV(pipe, {"ridgeregressor__n_iter_no_change": [2, 10]},
                          cv=3).fit(X, y)
    assert search.best_estimator_[-1].alpha_ > 0
    assert search.best_estimator_.predict(X).shape == (100,)


@pytest.mark.parametrize("params, match", [
    ({"alpha": 0.0}, "alpha"),
    ({"alpha": [1.0, 2.0]}, "alpha"),
    ({"positive": True}, "positive"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"validation_fraction": 0.0}, "validation_fraction"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
    ({"n_alphas": 0}, "n_alphas"),
    ({"early_stopping": "yes"}, "early_stopping"),
    ({"validation_fraction": 0.01}, "validation_fraction"),
])
def test_bad_parameters_name_themselves(params, match):
    X, y = make_data(40, 5, n_targets=2 if "alpha" in params and
                     np.ndim(params["alpha"]) else 1)
    params = {"alpha": 1e-3, "early_stopping": True, **params}
    with pytest.raises(ValueError, match=match):
        RidgeRegressor(**params).fit(X, y)


def test_zero_weight_split_is_an_error():
    X, y = make_data(40, 5)
    est = RidgeRegressor(alpha=1e-3, early_stopping=True, validation_fraction=0.2,
                         random_state=0)
    _, val = split_of(est, 40)
    sw = np.ones(40)
    sw[val] = 0.0
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(50, 8), (20, 35)])
def test_ridge_path_points_equal_cold_fits(sparse, weighted, fit_intercept, shape):
    X, Y = make_data(*shape, sparse=sparse, n_targets=2, seed=12)
    sw = np.random.RandomState(2).uniform(0.1, 3.0, shape[0]) if weighted else None
    path = ridge_path(X, Y, alphas=[0.3, 30.0, 3e-3, 3.0], sample_weight=sw,
                      fit_intercept=fit_intercept)
    assert_array_equal(path.alphas, [30.0, 3.0, 0.3, 3e-3])
    assert path.coefs.shape == (2, shape[1], 4)
    for k, alpha in enumerate(path.alphas):
        cold = RidgeRegressor(alpha=alpha, fit_intercept=fit_intercept,
                              solver="cholesky").fit(X, Y, sample_weight=sw)
        assert_allclose(path.coefs[:, :, k], cold.coef_, rtol=1e-6, atol=1e-9)
        assert_allclose(path.intercepts[:, k], cold.intercept_, rtol=1e-6,
                        atol=1e-9)


def test_ridge_path_automatic_grid_and_zero_alpha():
    X, y = make_data(60, 6, seed=13)
    path = ridge_path(X, y, alphas=7, eps=1e-4)
    assert path.coefs.shape == (6, 7)
    top = np.linalg.eigvalsh(np.cov(X.T, bias=True) * 60)[-1]
    assert_allclose(path.alphas, np.geomspace(100 * top, 100 * top * 1e-4, 7))
    # At the top every coefficient is shrunk to well under 1/100 of OLS.
    ols = ridge_path(X, y, alphas=[0.0])
    assert np.all(np.abs(path.coefs[:, 0]) <= 1e-2 * np.abs(ols.coefs[:, 0]).max())
    lstsq = np.linalg.lstsq(np.c_[X, np.ones(60)], y, rcond=None)[0]
    assert_allclose(ols.coefs[:, 0], lstsq[:-1], rtol=1e-8)


@pytest.mark.parametrize("kwargs, match", [
    ({"alphas": [-1.0]}, "alphas"),
    ({"alphas": []}, "alphas"),
    ({"alphas": 0}, "alphas"),
    ({"alphas": "x"}, "alphas"),
    ({"eps": 1.0}, "eps"),
    ({"fit_intercept": None}, "fit_intercept"),
])
def test_ridge_path_bad_parameters(kwargs, match):
    X, y = make_data(20, 3)
    with pytest.raises(ValueError, match=match):
        ridge_path(X, y, **kwargs)
