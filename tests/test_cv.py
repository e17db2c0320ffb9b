"""LassoRegressorCV and ElasticNetCV: folds, selection rules, parity, parallelism."""

import numpy as np
import pytest
import scipy.sparse as sp
from joblib import parallel_config
from sklearn import linear_model as sk
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model._base import make_design
from skreg.linear_model._cd_solver import gram_problem
from skreg.linear_model._cv import ElasticNetCV, LassoRegressorCV
from skreg.linear_model._cv_folds import _fold_gram, full_gram_stats, select_alpha


def make_data(n=90, p=15, n_targets=None, seed=0, sparse=False):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 1.0
    if sparse:
        X[rng.rand(n, p) < 0.6] = 0
    coef = np.zeros(p)
    coef[:4] = [2.0, -1.5, 1.0, 0.5]
    if n_targets is None:
        y = X @ coef + 1.5 * rng.randn(n)
    else:
        y = X @ (coef[:, None] * rng.rand(1, n_targets)) + rng.randn(n, n_targets)
    return (sp.csr_matrix(X) if sparse else X), y, rng.rand(n) * 2 + 0.1


TIGHT = {"tol": 1e-10, "max_iter": 10_000}


def test_lasso_cv_matches_scikit_learn_lasso_cv():
    X, y, _ = make_data()
    ours = LassoRegressorCV(alphas=20, cv=4, **TIGHT).fit(X, y)
    theirs = sk.LassoCV(alphas=20, cv=4, **TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-8)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-5)
    assert ours.alpha_ == pytest.approx(theirs.alpha_)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, abs=1e-5)


def test_elastic_net_cv_l1_ratio_list_matches_scikit_learn():
    X, y, _ = make_data(seed=2)
    l1_ratios = [0.2, 0.6, 1.0]
    ours = ElasticNetCV(l1_ratio=l1_ratios, alphas=12, cv=3, **TIGHT).fit(X, y)
    theirs = sk.ElasticNetCV(l1_ratio=l1_ratios, alphas=12, cv=3, **TIGHT).fit(X, y)
    assert ours.alphas_.shape == (3, 12) and ours.mse_path_.shape == (3, 12, 3)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-8)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-5)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    assert ours.alpha_ == pytest.approx(theirs.alpha_)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("precompute", ["auto", False])
def test_mse_path_equals_cold_fits_on_each_fold(sparse, fit_intercept, precompute):
    X, y, sw = make_data(sparse=sparse)
    folds = list(KFold(3).split(X))
    est = ElasticNetCV(l1_ratio=0.5, alphas=5, cv=folds, fit_intercept=fit_intercept,
                       precompute=precompute, **TIGHT).fit(X, y, sample_weight=sw)
    for f, (train, test) in enumerate(folds):
        for k, alpha in enumerate(est.alphas_):
            cold = ElasticNet(alpha=alpha, l1_ratio=0.5, fit_intercept=fit_intercept,
                              **TIGHT).fit(X[train], y[train], sample_weight=sw[train])
            resid = y[test] - cold.predict(X[test])
            expected = np.average(resid**2, weights=sw[test])
            # tol=1e-10 pins the coefficients to about 1e-5: MSEs agree to 1e-4.
            assert est.mse_path_[k, f] == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_fold_gram_by_subtraction_equals_the_folds_own_gram(weighted, fit_intercept):
    X, Y, sw = make_data(n=200, n_targets=2)
    X = X + 1e3  # a large offset: the subtraction must not cancel it
    sw = sw * 200 / sw.sum() if weighted else None
    full = full_gram_stats(X, Y, sw, fit_intercept)
    for train, test in KFold(4, shuffle=True, random_state=0).split(X):
        sw_train = None if sw is None else sw[train] * train.size / sw[train].sum()
        expected = gram_problem(make_design(X[train], Y[train], sw_train,
                                            fit_intercept))
        got = _fold_gram(full, X, Y, sw, train, test, fit_intercept, X.dtype)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max())


def test_refit_on_all_data_at_the_chosen_alpha():
    X, y, sw = make_data()
    est = LassoRegressorCV(alphas=15, **TIGHT).fit(X, y, sample_weight=sw)
    i = int(np.argmin(est.mse_path_.mean(axis=1)))
    assert est.alpha_ == est.alphas_[i]
    refit = LassoRegressor(alpha=est.alpha_, **TIGHT).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, refit.coef_, atol=1e-8)
    assert est.intercept_ == pytest.approx(refit.intercept_, abs=1e-8)
    assert est.n_iter_ >= 1 and est.dual_gap_ <= 1e-10 * np.var(y) * 1.01


def test_one_standard_error_rule_picks_largest_alpha_within_one_se():
    X, y, _ = make_data(n=120, p=30, seed=4)
    best = LassoRegressorCV(alphas=40, cv=5).fit(X, y)
    one_se = LassoRegressorCV(alphas=40, cv=5, selection_rule="1se").fit(X, y)
    np.testing.assert_array_equal(best.mse_path_, one_se.mse_path_)
    mean = one_se.mse_path_.mean(axis=1)
    i_min = int(np.argmin(mean))
    se = one_se.mse_path_[i_min].std(ddof=1) / np.sqrt(5)
    within = one_se.alphas_[mean <= mean[i_min] + se]
    assert one_se.alpha_ == within.max()
    # On this data the rule matters: it keeps a strictly sparser model.
    assert one_se.alpha_ > best.alpha_
    assert np.sum(one_se.coef_ != 0) < np.sum(best.coef_ != 0)


def test_select_alpha_on_a_hand_made_path():
    # 2 l1_ratios, 4 alphas (decreasing), 3 folds.
    mse = np.array([
        [[5, 5, 5], [3, 3, 3], [2.1, 2.1, 2.1], [2.0, 1.0, 3.0]],
        [[4, 4, 4], [4, 4, 4], [4, 4, 4], [4, 4, 4]],
    ])
    assert select_alpha(mse, "min") == (0, 3)
    # se at the minimum = std([2, 1, 3], ddof=1) / sqrt(3) = 1 / sqrt(3) ~ 0.577
    assert select_alpha(mse, "1se") == (0, 2)


def test_multi_target_uses_the_mean_mse_of_the_targets():
    X, Y, _ = make_data(n_targets=2)
    est = LassoRegressorCV(alphas=6, cv=3, **TIGHT).fit(X, Y)
    assert est.coef_.shape == (2, X.shape[1])
    parts = [LassoRegressorCV(alphas=est.alphas_, cv=3, **TIGHT).fit(X, Y[:, t])
             for t in range(2)]
    np.testing.assert_allclose(est.mse_path_,
                               (parts[0].mse_path_ + parts[1].mse_path_) / 2)


def test_sparse_and_dense_give_the_same_path():
    X, y, sw = make_data(sparse=True)
    dense = LassoRegressorCV(alphas=8, **TIGHT).fit(X.toarray(), y, sample_weight=sw)
    sparse = LassoRegressorCV(alphas=8, **TIGHT).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(sparse.mse_path_, dense.mse_path_, rtol=1e-6)
    assert sparse.alpha_ == pytest.approx(dense.alpha_, rel=1e-12)


def test_explicit_alphas_are_sorted_and_l1_ratio_zero_needs_them():
    X, y, _ = make_data()
    est = ElasticNetCV(l1_ratio=0.0, alphas=[0.01, 1.0, 0.1], cv=3).fit(X, y)
    np.testing.assert_array_equal(est.alphas_, [1.0, 0.1, 0.01])
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNetCV(l1_ratio=0.0).fit(X, y)


@pytest.mark.parametrize("backend, n_jobs", [("threading", 2), ("loky", 2)])
def test_parallel_folds_give_identical_results(backend, n_jobs):
    X, y, _ = make_data()
    serial = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, selection="random",
                          random_state=0).fit(X, y)
    with parallel_config(backend=backend):
        parallel = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, selection="random",
                                random_state=0, n_jobs=n_jobs).fit(X, y)
    np.testing.assert_array_equal(parallel.mse_path_, serial.mse_path_)
    np.testing.assert_array_equal(parallel.coef_, serial.coef_)


def test_in_pipeline_and_grid_search_like_scikit_learn():
    X, y, _ = make_data()
    ours = make_pipeline(StandardScaler(), LassoRegressorCV(alphas=10, **TIGHT))
    theirs = make_pipeline(StandardScaler(), sk.LassoCV(alphas=10, **TIGHT))
    np.testing.assert_allclose(ours.fit(X, y).predict(X), theirs.fit(X, y).predict(X),
                               rtol=1e-6)
    grid = {"l1_ratio": [0.3, 0.9]}
    ours = GridSearchCV(ElasticNetCV(alphas=8, **TIGHT), grid, cv=3).fit(X, y)
    theirs = GridSearchCV(sk.ElasticNetCV(alphas=8, **TIGHT), grid, cv=3).fit(X, y)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               theirs.cv_results_["mean_test_score"], rtol=1e-6)
    assert ours.best_params_ == theirs.best_params_


def test_float32_stays_float32():
    X, y, _ = make_data()
    est = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=5).fit(X.astype(np.float32),
                                                        y.astype(np.float32))
    assert est.coef_.dtype == np.float32
    ref = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=5).fit(X, y)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-3)


def test_inputs_are_not_modified():
    X, y, sw = make_data()
    copies = X.copy(), y.copy(), sw.copy()
    LassoRegressorCV(alphas=5).fit(X, y, sample_weight=sw)
    for a, b in zip((X, y, sw), copies, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "params, name",
    [({"eps": 0.0}, "eps"), ({"eps": 1.0}, "eps"), ({"alphas": 0}, "alphas"),
     ({"alphas": [-0.1, 1.0]}, "alphas"), ({"alphas": "many"}, "alphas"),
     ({"alphas": True}, "alphas"),
     ({"selection_rule": "2se"}, "selection_rule"), ({"l1_ratio": 1.5}, "l1_ratio"),
     ({"l1_ratio": [0.5, -1]}, "l1_ratio"), ({"l1_ratio": []}, "l1_ratio"),
     ({"precompute": np.eye(3)}, "precompute"), ({"max_iter": 0}, "max_iter"),
     ({"selection_rule": "1se", "cv": [(np.arange(50), np.arange(50, 90))]},
      "selection_rule")],
)
def test_bad_parameters_name_themselves(params, name):
    X, y, _ = make_data()
    with pytest.raises(ValueError, match=name):
        ElasticNetCV(**params).fit(X, y)


def test_cv_rejects_a_fold_with_no_weight():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)
    y = X[:, 0] + 0.1 * rng.randn(30)
    sw = np.ones(30)
    sw[:10] = 0.0  # the first of three unshuffled folds has no weight
    with pytest.raises(ValueError, match="cross-validation fold"):
        LassoRegressorCV(cv=3).fit(X, y, sample_weight=sw)
