"""skreg estimators inside scikit-learn's machinery, end to end.

Pipelines with ``SelectFromModel`` tuned by a parallel ``GridSearchCV``,
pandas in and out, cloning and persistence, the HTML repr, and metadata
routing of ``sample_weight``.
"""

import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr

from skreg import (
    ElasticNet,
    ElasticNetCV,
    LassoRegressor,
    LassoRegressorCV,
    RegularizedMLPClassifier,
    RidgeRegressor,
    RidgeRegressorCV,
)

pd = pytest.importorskip("pandas", reason="pandas is a test extra")

# Small max_iter keeps the module fast; convergence is tested elsewhere.
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")
TINY = np.finfo(float).tiny  # keep exactly the non-zero coefficients


def estimators():
    """One small, deterministic configuration of every public estimator."""
    return [
        ElasticNet(alpha=0.5, l1_ratio=0.7),
        LassoRegressor(alpha=0.5),
        RidgeRegressor(alpha=1.0),
        RidgeRegressorCV(alphas=[0.1, 1.0, 10.0, 100.0]),
        LassoRegressorCV(alphas=10, cv=3),
        ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, cv=3),
        RegularizedMLPClassifier((8,), max_iter=30, learning_rate_init=1e-2,
                                 random_state=0),
    ]


IDS = [type(e).__name__ for e in estimators()]


def data_for(estimator, n=150, frame=False):
    """Standardized breast cancer for the classifier, diabetes + noise else."""
    if is_classifier(estimator):
        data = load_breast_cancer()
        # str(), not numpy.str_: scikit-learn (1.9, with pandas' str columns)
        # ignores column names that are numpy strings, for its own estimators too.
        X, y = data.data[:n], data.target[:n]
        names = [str(name) for name in data.feature_names]
    else:
        data = load_diabetes()
        rng = np.random.RandomState(0)
        X = np.hstack([data.data[:n], rng.randn(n, 5)])
        y = data.target[:n]
        names = list(data.feature_names) + [f"noise{i}" for i in range(5)]
    X = StandardScaler().fit_transform(X)
    return (pd.DataFrame(X, columns=names) if frame else X), y


def outputs(model, X):
    """What a fitted model says about X (probabilities for a classifier)."""
    return model.predict_proba(X) if is_classifier(model) else model.predict(X)


def test_pipeline_select_from_model_grid_search_parallel():
    X, y = data_for(LassoRegressor(), n=300)
    pipe = make_pipeline(
        StandardScaler(),
        SelectFromModel(LassoRegressor(), threshold=TINY),
        RidgeRegressor(),
    )
    grid = {"selectfrommodel__estimator__alpha": [0.5, 2.0, 8.0],
            "ridgeregressor__alpha": [0.1, 10.0]}
    cv = KFold(3, shuffle=True, random_state=0)
    parallel = GridSearchCV(pipe, grid, cv=cv, n_jobs=2).fit(X, y)
    serial = GridSearchCV(pipe, grid, cv=cv, n_jobs=1).fit(X, y)
    np.testing.assert_allclose(parallel.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], rtol=1e-12)
    assert parallel.best_params_ == serial.best_params_
    best = parallel.best_estimator_
    kept = best[1].get_support()
    lasso = best[1].estimator_
    # The selector keeps exactly the lasso's non-zero coefficients.
    np.testing.assert_array_equal(kept, lasso.coef_ != 0)
    assert 0 < kept.sum() < X.shape[1]
    assert best[-1].coef_.shape == (kept.sum(),)
    np.testing.assert_allclose(parallel.predict(X), best.predict(X))


def test_set_output_pandas_through_the_selector():
    X, y = data_for(LassoRegressor(), frame=True)
    selector = make_pipeline(
        StandardScaler(), SelectFromModel(LassoRegressor(alpha=2.0), threshold=TINY),
    ).set_output(transform="pandas")
    out = selector.fit(X, y).transform(X)
    assert isinstance(out, pd.DataFrame)
    lasso = selector[-1].estimator_
    expected = list(X.columns[lasso.coef_ != 0])
    assert 0 < len(expected) < X.shape[1]
    assert list(out.columns) == expected
    assert list(out.index) == list(X.index)
    # The next step sees the selected names.
    model = make_pipeline(selector, RidgeRegressor()).fit(X, y)
    assert list(model[-1].feature_names_in_) == expected


@pytest.mark.parametrize("estimator", estimators(), ids=IDS)
def test_pandas_input_keeps_feature_names(estimator):
    X, y = data_for(estimator, frame=True)
    fitted = clone(estimator).fit(X, y)
    np.testing.assert_array_equal(fitted.feature_names_in_, X.columns)
    assert fitted.n_features_in_ == X.shape[1]
    # Same values as the bare array: names travel alongside, nothing else.
    np.testing.assert_allclose(outputs(fitted, X),
                               outputs(clone(estimator).fit(X.to_numpy(), y),
                                       X.to_numpy()))
    with pytest.raises(ValueError, match="feature names"):
        fitted.predict(X[X.columns[::-1]])


@pytest.mark.parametrize("estimator", estimators(), ids=IDS)
def test_clone_pickle_joblib_round_trips(estimator, tmp_path):
    X, y = data_for(estimator)
    fitted = clone(estimator).fit(X, y)
    expected = outputs(fitted, X)

    unfitted = clone(fitted)
    assert unfitted.get_params() == estimator.get_params()
    assert not hasattr(unfitted, "n_features_in_")
    np.testing.assert_array_equal(outputs(unfitted.fit(X, y), X), expected)

    np.testing.assert_array_equal(outputs(pickle.loads(pickle.dumps(fitted)), X),
                                  expected)
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    np.testing.assert_array_equal(outputs(joblib.load(path), X), expected)


def test_html_repr_renders():
    X, y = data_for(LassoRegressor())
    pipe = make_pipeline(StandardScaler(),
                         SelectFromModel(LassoRegressor(alpha=2.0), threshold=TINY),
                         RidgeRegressor(alpha=3.0))
    for model in (pipe, pipe.fit(X, y)):
        html = estimator_html_repr(model)
        assert "<div" in html
        for name in ("LassoRegressor", "RidgeRegressor", "SelectFromModel"):
            assert name in html
    for estimator in estimators():
        html = estimator._repr_html_()
        assert type(estimator).__name__ in html


@pytest.mark.parametrize("estimator", estimators(), ids=IDS)
def test_metadata_routing_passes_sample_weight_through_pipeline(estimator):
    X, y = data_for(estimator)
    weights = np.random.RandomState(1).uniform(0.1, 3.0, size=len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        step = clone(estimator).set_fit_request(sample_weight=True)
        pipe = make_pipeline(scaler, step).fit(X, y, sample_weight=weights)
    Xs = StandardScaler().fit_transform(X)
    weighted = clone(estimator).fit(Xs, y, sample_weight=weights)
    unweighted = clone(estimator).fit(Xs, y)
    routed = outputs(pipe, X)
    np.testing.assert_allclose(routed, outputs(weighted, Xs), rtol=1e-10,
                               atol=1e-12)
    assert not np.allclose(routed, outputs(unweighted, Xs))


def test_subpackages_load_on_attribute_access():
    # a fresh interpreter: in this one, other tests have imported them already
    code = (
        "import sys, skreg\n"
        "assert 'skreg.linear_model' not in sys.modules\n"
        "assert callable(skreg.linear_model.lasso_path)\n"
        "assert 'skreg.neural_network' not in sys.modules\n"
        "assert skreg.neural_network.RegularizedMLPClassifier().solver == 'adam'\n"
        "assert {'linear_model', 'neural_network'} <= set(dir(skreg))\n"
        "try:\n"
        "    skreg.no_such_thing\n"
        "except AttributeError as e:\n"
        "    assert 'no_such_thing' in str(e)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
