"""scikit-learn's estimator checks on every public estimator and configuration."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skreg import ElasticNet, LassoRegressor
from skreg.linear_model._ridge import RidgeRegressor

# (estimator, {check name: reason}) pairs. An entry in the dict is an expected
# failure and must say why.
LINEAR = [
    (LassoRegressor(), {}),
    (ElasticNet(), {}),
    (ElasticNet(l1_ratio=0.3, positive=True), {}),
    (LassoRegressor(fit_intercept=False), {}),
    (ElasticNet(selection="random", random_state=0), {}),
    (LassoRegressor(precompute=True), {}),
]

# --- ridge configurations (filled by the ridge work) ---
RIDGE = [
    (RidgeRegressor(), {}),
    (RidgeRegressor(solver="svd"), {}),
    (RidgeRegressor(solver="cholesky"), {}),
    (RidgeRegressor(solver="eigh"), {}),
    (RidgeRegressor(solver="lsqr"), {}),
    (RidgeRegressor(solver="sparse_cg"), {}),
    (RidgeRegressor(solver="lbfgs", positive=True), {}),
    (RidgeRegressor(solver="lbfgs"), {}),
    (RidgeRegressor(fit_intercept=False, alpha=0.5), {}),
]

# --- network configurations (filled by the network work) ---
NETWORK = []

ALL = LINEAR + RIDGE + NETWORK


@parametrize_with_checks(
    [est for est, _ in ALL],
    expected_failed_checks=lambda est: next(
        xfail for e, xfail in ALL if e is est
    ),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
