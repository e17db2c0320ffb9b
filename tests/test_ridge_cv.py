"""RidgeRegressorCV: exact leave-one-out, k-fold, selection rules, parity."""

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg.linear_model._ridge import RidgeRegressor
from skreg.linear_model._ridge_cv import RidgeRegressorCV

ALPHAS = np.logspace(-3, 3, 9)


def make_data(n=30, p=6, n_targets=1, seed=0, sparse=False, offset=2.0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + offset
    if sparse:
        X[rng.rand(n, p) < 0.5] = 0.0
    W = rng.randn(p, n_targets)
    Y = X @ W + rng.randn(n, n_targets) + 1.0
    y = Y[:, 0] if n_targets == 1 else Y
    return (sp.csr_matrix(X) if sparse else X), y


def brute_force_loo(X, y, sw, alpha, fit_intercept):
    """``s_i e_i^2`` of each sample by refitting without it: (n_samples, n_targets)."""
    Xd = X.toarray() if sp.issparse(X) else X
    n = Xd.shape[0]
    Y = y.reshape(n, -1)
    s = np.ones(n) if sw is None else sw
    out = np.empty(Y.shape)
    for i in range(n):
        keep = np.arange(n) != i
        model = RidgeRegressor(alpha=alpha, fit_intercept=fit_intercept,
                               solver="svd").fit(Xd[keep], Y[keep],
                                                 sample_weight=s[keep])
        out[i] = s[i] * (Y[i] - model.predict(Xd[i:i + 1])[0]) ** 2
    return out


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(25, 5), (12, 20)])
def test_loo_equals_brute_force_refits(sparse, weighted, fit_intercept, shape):
    n, p = shape
    X, Y = make_data(n, p, n_targets=2, sparse=sparse)
    sw = None
    if weighted:
        sw = np.random.RandomState(1).uniform(0.2, 3.0, n)
        sw[3] = 0.0  # a zero weight must leave its sample out of the fit
    alphas = ALPHAS[::2]
    reg = RidgeRegressorCV(alphas=alphas, fit_intercept=fit_intercept,
                           alpha_per_target=True).fit(X, Y, sample_weight=sw)
    assert reg.mse_path_.shape == (2, alphas.size, n)
    for k, alpha in enumerate(reg.alphas_):
        expected = brute_force_loo(X, Y, sw, alpha, fit_intercept)
        assert_allclose(reg.mse_path_[:, k, :], expected.T, rtol=1e-6,
                        atol=1e-10)
    shared = RidgeRegressorCV(alphas=alphas, fit_intercept=fit_intercept).fit(
        X, Y, sample_weight=sw)
    assert_allclose(shared.mse_path_, reg.mse_path_.mean(axis=0))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("shape", [(40, 8), (15, 30)])
def test_loo_matches_scikit_learn_ridge_cv(weighted, fit_intercept, n_targets,
                                           shape):
    X, y = make_data(*shape, n_targets=n_targets, seed=2)
    sw = np.random.RandomState(3).uniform(0.1, 2.0, shape[0]) if weighted else None
    ours = RidgeRegressorCV(alphas=ALPHAS, fit_intercept=fit_intercept).fit(
        X, y, sample_weight=sw)
    ref = RidgeCV(alphas=ALPHAS, fit_intercept=fit_intercept,
                  store_cv_results=True).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == pytest.approx(ref.alpha_)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-6, atol=1e-9)
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-6)
    # scikit-learn keeps the user's order (increasing here), skreg decreasing.
    ref_path = ref.cv_results_.reshape(shape[0], -1, ALPHAS.size)
    assert_allclose(ours.mse_path_, ref_path.mean(axis=1).T[::-1], rtol=1e-6,
                    atol=1e-12)


def test_alpha_per_target_matches_scikit_learn():
    X, Y = make_data(40, 8, n_targets=3, seed=4)
    Y = Y * np.array([1.0, 10.0, 0.1])  # targets of different noise levels
    ours = RidgeRegressorCV(alphas=ALPHAS, alpha_per_target=True).fit(X, Y)
    ref = RidgeCV(alphas=ALPHAS, alpha_per_target=True).fit(X, Y)
    assert_allclose(ours.alpha_, ref.alpha_)
    assert_allclose(ours.best_score_, ref.best_score_, rtol=1e-6)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("shape", [(40, 6), (30, 45)])
def test_kfold_path_equals_cold_fits_on_each_fold(weighted, sparse, shape):
    X, y = make_data(*shape, seed=5, sparse=sparse)
    sw = np.random.RandomState(6).uniform(0.2, 2.0, shape[0]) if weighted else None
    cv = KFold(4, shuffle=True, random_state=0)
    reg = RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X, y, sample_weight=sw)
    assert reg.mse_path_.shape == (ALPHAS.size, 4)
    for f, (train, test) in enumerate(cv.split(X)):
        s_train = None if sw is None else sw[train]
        s_test = None if sw is None else sw[test]
        for k, alpha in enumerate(reg.alphas_):
            model = RidgeRegressor(alpha=alpha, solver="cholesky").fit(
                X[train], y[train], sample_weight=s_train)
            err = (y[test] - model.predict(X[test])) ** 2
            assert reg.mse_path_[k, f] == pytest.approx(
                np.average(err, weights=s_test), rel=1e-7)
    best = RidgeRegressor(alpha=reg.alpha_).fit(X, y, sample_weight=sw)
    assert_allclose(reg.coef_, best.coef_, rtol=1e-8, atol=1e-12)
    assert reg.intercept_ == pytest.approx(best.intercept_, rel=1e-8)


def test_kfold_matches_grid_search_over_scikit_learn_ridge():
    X, y = make_data(60, 10, seed=7)
    cv = KFold(5, shuffle=True, random_state=1)
    ours = RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X, y)
    ref = GridSearchCV(Ridge(), {"alpha": ALPHAS}, cv=cv,
                       scoring="neg_mean_squared_error").fit(X, y)
    assert ours.alpha_ == pytest.approx(ref.best_params_["alpha"])
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-7)
    assert_allclose(ours.coef_, ref.best_estimator_.coef_, rtol=1e-7)


@pytest.mark.parametrize("cv", [None, 5])
def test_one_standard_error_rule_picks_largest_alpha_within_one_se(cv):
    X, y = make_data(50, 20, seed=8)
    grid = np.logspace(-2, 3, 30)
    best = RidgeRegressorCV(alphas=grid, cv=cv).fit(X, y)
    smooth = RidgeRegressorCV(alphas=grid, cv=cv, selection_rule="1se").fit(X, y)
    assert_allclose(smooth.mse_path_, best.mse_path_)
    mean = best.mse_path_.mean(axis=1)
    i_min = np.argmin(mean)
    assert best.alpha_ == best.alphas_[i_min]
    n_folds = best.mse_path_.shape[1]
    se = best.mse_path_[i_min].std(ddof=1) / np.sqrt(n_folds)
    within = best.alphas_[mean <= mean[i_min] + se]
    assert smooth.alpha_ == within.max()
    assert smooth.alpha_ > best.alpha_  # the rule made a difference here
    assert smooth.best_score_ == pytest.approx(-mean[best.alphas_ == smooth.alpha_][0])


@pytest.mark.parametrize("cv", [None, 3])
def test_sparse_and_dense_agree(cv):
    X, y = make_data(40, 12, n_targets=2, seed=9, sparse=True)
    sw = np.random.RandomState(10).uniform(0.5, 2.0, 40)
    dense = RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X.toarray(), y,
                                                        sample_weight=sw)
    sparse = RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X, y, sample_weight=sw)
    assert sparse.alpha_ == dense.alpha_
    assert_allclose(sparse.mse_path_, dense.mse_path_, rtol=1e-8)
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-8, atol=1e-12)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-8)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_parallel_folds_give_identical_results(n_jobs):
    X, y = make_data(60, 8, seed=11)
    ref = RidgeRegressorCV(alphas=ALPHAS, cv=4).fit(X, y)
    par = RidgeRegressorCV(alphas=ALPHAS, cv=4, n_jobs=n_jobs).fit(X, y)
    assert_array_equal(par.mse_path_, ref.mse_path_)
    assert_array_equal(par.coef_, ref.coef_)


def test_kfold_alpha_per_target_selects_each_target_alone():
    X, Y = make_data(50, 8, n_targets=2, seed=12)
    Y = Y * np.array([1.0, 30.0])
    both = RidgeRegressorCV(alphas=ALPHAS, cv=5, alpha_per_target=True).fit(X, Y)
    assert both.mse_path_.shape == (2, ALPHAS.size, 5)
    for t in range(2):
        alone = RidgeRegressorCV(alphas=ALPHAS, cv=5).fit(X, Y[:, t])
        assert both.alpha_[t] == alone.alpha_
        assert_allclose(both.coef_[t], alone.coef_, rtol=1e-8)


def test_in_pipeline_and_grid_search_like_scikit_learn():
    X, y = make_data(60, 8, seed=13)
    ours = make_pipeline(StandardScaler(), RidgeRegressorCV(alphas=ALPHAS)).fit(X, y)
    ref = make_pipeline(StandardScaler(), RidgeCV(alphas=ALPHAS)).fit(X, y)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7)
    search = GridSearchCV(RidgeRegressorCV(alphas=ALPHAS),
                          {"fit_intercept": [True, False]}, cv=3).fit(X, y)
    ref_search = GridSearchCV(RidgeCV(alphas=ALPHAS),
                              {"fit_intercept": [True, False]}, cv=3).fit(X, y)
    assert search.best_params_ == ref_search.best_params_
    assert_allclose(search.cv_results_["mean_test_score"],
                    ref_search.cv_results_["mean_test_score"], rtol=1e-7)


def test_float32_stays_float32():
    X, y = make_data(30, 5, seed=14)
    reg = RidgeRegressorCV(alphas=ALPHAS).fit(X.astype(np.float32),
                                              y.astype(np.float32))
    ref = RidgeRegressorCV(alphas=ALPHAS).fit(X, y)
    assert reg.coef_.dtype == np.float32
    assert isinstance(reg.intercept_, np.float32)
    assert reg.alpha_ == ref.alpha_
    assert_allclose(reg.coef_, ref.coef_, rtol=1e-5)


@pytest.mark.parametrize("cv", [None, 3])
def test_inputs_are_not_modified(cv):
    X, y = make_data(30, 5, seed=15)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, 30)
    copies = X.copy(), y.copy(), sw.copy()
    RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X, y, sample_weight=sw)
    for before, after in zip(copies, (X, y, sw), strict=True):
        assert_array_equal(before, after)


@pytest.mark.parametrize("params, name", [
    ({"alphas": [1.0, 0.0]}, "alphas"),
    ({"alphas": [-1.0]}, "alphas"),
    ({"alphas": []}, "alphas"),
    ({"alphas": "many"}, "alphas"),
    ({"alphas": [1.0, np.nan]}, "alphas"),
    ({"fit_intercept": "yes"}, "fit_intercept"),
    ({"alpha_per_target": 1}, "alpha_per_target"),
    ({"selection_rule": "2se"}, "selection_rule"),
    ({"n_jobs": 1.5}, "n_jobs"),
    ({"verbose": -1}, "verbose"),
    ({"cv": 1}, "n_splits"),
])
def test_bad_parameters_name_themselves(params, name):
    X, y = make_data(20, 4)
    with pytest.raises(ValueError, match=name):
        RidgeRegressorCV(**params).fit(X, y)


def test_one_se_needs_two_folds_and_loo_needs_two_samples():
    X, y = make_data(20, 4)
    with pytest.raises(ValueError, match="selection_rule='1se'"):
        RidgeRegressorCV(selection_rule="1se", cv=[(np.arange(15),
                                                    np.arange(15, 20))]).fit(X, y)
    with pytest.raises(ValueError, match="1 sample"):
        RidgeRegressorCV().fit(X[:1], y[:1])


def test_runs_unchanged_on_a_dask_cluster():
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is a test extra")
    X, y = make_data(80, 10, seed=16)
    local = RidgeRegressorCV(alphas=ALPHAS, cv=4, n_jobs=-1).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster), parallel_config(backend="dask"):
        remote = RidgeRegressorCV(alphas=ALPHAS, cv=4, n_jobs=-1).fit(X, y)
    assert_array_equal(remote.mse_path_, local.mse_path_)
    assert_array_equal(remote.coef_, local.coef_)


@pytest.mark.parametrize("cv", [None, 3])
@pytest.mark.parametrize("shape", [(60, 25), (25, 60)])
def test_sparse_x_is_never_densified(cv, shape, monkeypatch):
    X, y = make_data(*shape, seed=17, sparse=True)
    sw = np.random.RandomState(3).uniform(0.5, 2.0, shape[0])
    ref = RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X.toarray(), y,
                                                      sample_weight=sw)
    # The Gram / kernel matrices are densified; a matrix of X's (or a fold's)
    # row width must not be.
    for cls in (sp.csr_matrix, sp.csc_matrix):
        for name in ("toarray", "todense"):
            original = getattr(cls, name)

            def guarded(self, *args, _original=original, **kwargs):
                if self.shape[1] == shape[1] and self.shape[0] != shape[1]:
                    raise AssertionError("X was densified")
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(cls, name, guarded)
    est = RidgeRegressorCV(alphas=ALPHAS, cv=cv).fit(X, y, sample_weight=sw)
    monkeypatch.undo()
    assert_allclose(est.coef_, ref.coef_, rtol=1e-8, atol=1e-12)
