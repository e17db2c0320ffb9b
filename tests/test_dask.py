"""The CV estimators and GridSearchCV run unchanged on a Dask cluster.

One ``dask.distributed`` LocalCluster (two worker *processes*, one thread each,
on the loopback interface) serves the whole module; joblib's dask backend
sends the folds there, and the results must equal the local run's exactly.
"""

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import is_classifier
from sklearn.model_selection import GridSearchCV, KFold

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model._cv import ElasticNetCV, LassoRegressorCV
from skreg.linear_model._ridge import RidgeRegressor
from skreg.neural_network import RegularizedMLPClassifier

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is a test extra: pip install skreg[dask]"
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def make_data(n=120, p=25, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = X[:, :5] @ np.array([2.0, -1.0, 1.0, 0.5, 0.0]) + rng.randn(n)
    return X, y


def on_cluster(client, fit):
    """Run ``fit()`` under joblib's dask backend.

    Returns its result and the number of distinct worker processes that ran
    tasks meanwhile.
    """
    with distributed.get_task_stream(client) as stream:
        with parallel_config(backend="dask"):
            out = fit()
    return out, len({task["worker"] for task in stream.data})


@pytest.mark.parametrize("make", [
    lambda: LassoRegressorCV(alphas=30, cv=4, n_jobs=-1),
    lambda: ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=20, cv=3, n_jobs=-1,
                         selection="random", random_state=0,
                         selection_rule="1se"),
], ids=["LassoRegressorCV", "ElasticNetCV-random-1se"])
def test_cv_estimators_on_dask_equal_local_run(client, make):
    X, y = make_data()
    local = make().fit(X, y)
    remote, n_workers = on_cluster(client, lambda: make().fit(X, y))
    assert n_workers >= 1  # the folds did run on the cluster
    np.testing.assert_array_equal(remote.mse_path_, local.mse_path_)
    np.testing.assert_array_equal(remote.alphas_, local.alphas_)
    assert remote.alpha_ == local.alpha_
    np.testing.assert_array_equal(remote.coef_, local.coef_)
    assert remote.intercept_ == local.intercept_


@pytest.mark.parametrize("estimator, grid", [
    (LassoRegressor(), {"alpha": [0.01, 0.1, 1.0]}),
    (ElasticNet(alpha=1e-3, early_stopping=True, random_state=0),
     {"l1_ratio": [0.5, 1.0], "n_iter_no_change": [2, 5]}),
    (RidgeRegressor(), {"alpha": [0.1, 10.0]}),
    (RegularizedMLPClassifier((8,), max_iter=30, random_state=0),
     {"alpha": [1e-4, 1e-2], "dropout": [0.0, 0.2]}),
], ids=["LassoRegressor", "ElasticNet-early_stopping", "RidgeRegressor",
        "RegularizedMLPClassifier"])
# The network stops at max_iter=30 on purpose (speed): its warning is expected.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_on_dask_equals_local_run(client, estimator, grid):
    X, y = make_data(seed=1)
    if is_classifier(estimator):
        y = (y > np.median(y)).astype(int)
    cv = KFold(3, shuffle=True, random_state=0)
    local = GridSearchCV(estimator, grid, cv=cv).fit(X, y)
    remote, n_workers = on_cluster(
        client, lambda: GridSearchCV(estimator, grid, cv=cv, n_jobs=-1).fit(X, y))
    assert n_workers >= 1
    np.testing.assert_array_equal(remote.cv_results_["mean_test_score"],
                                  local.cv_results_["mean_test_score"])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))
